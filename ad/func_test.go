package ad

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// probe builds f(x, y) = sin(x)·eʸ + x²y.
func probe(t testing.TB) (*Graph, Node, Node, Node) {
	t.Helper()
	g := NewGraph()
	x, err := g.Var("x", Scalar())
	require.NoError(t, err)
	y, err := g.Var("y", Scalar())
	require.NoError(t, err)
	a, err := g.Call("sin", x)
	require.NoError(t, err)
	b, err := g.Call("exp", y)
	require.NoError(t, err)
	ab, err := g.Mul(a, b)
	require.NoError(t, err)
	x2, err := g.Pow(x, g.Const(2))
	require.NoError(t, err)
	x2y, err := g.Mul(x2, y)
	require.NoError(t, err)
	f, err := g.Add(ab, x2y)
	require.NoError(t, err)
	return g, f, x, y
}

func TestFuncClosedForms(t *testing.T) {
	g, out, _, _ := probe(t)
	f, err := NewFunc(g, out)
	require.NoError(t, err)
	assert.Equal(t, []Var{{Name: "x", Shape: Scalar()}, {Name: "y", Shape: Scalar()}}, f.Vars())
	assert.Equal(t, 2, f.Dim())

	const x, y = 1.0, 0.5
	val := math.Sin(x)*math.Exp(y) + x*x*y
	dx := math.Cos(x)*math.Exp(y) + 2*x*y
	dy := math.Sin(x)*math.Exp(y) + x*x
	hxx := -math.Sin(x)*math.Exp(y) + 2*y
	hxy := math.Cos(x)*math.Exp(y) + 2*x
	hyy := math.Sin(x) * math.Exp(y)
	at := []float64{x, y}

	v, err := f.Eval(at)
	require.NoError(t, err)
	assert.InDelta(t, val, v, 1e-15)

	grad := make([]float64, 2)
	v, err = f.Grad(at, grad)
	require.NoError(t, err)
	assert.InDelta(t, val, v, 1e-15)
	assert.InDeltaSlice(t, []float64{dx, dy}, grad, 1e-15)

	out2 := make([]float64, 2)
	_, err = f.VJP(at, -2, out2)
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{-2 * dx, -2 * dy}, out2, 1e-14)

	v, jvp, err := f.JVP(at, []float64{3, -1})
	require.NoError(t, err)
	assert.InDelta(t, val, v, 1e-15)
	assert.InDelta(t, 3*dx-dy, jvp, 1e-14)

	dd, err := f.DirectionalDerivative(at, []float64{3, 4})
	require.NoError(t, err)
	assert.InDelta(t, (3*dx+4*dy)/5, dd, 1e-14)
	_, err = f.DirectionalDerivative(at, []float64{0, 0})
	assert.ErrorIs(t, err, ErrZeroDirection)

	hv := make([]float64, 2)
	require.NoError(t, f.HVP(at, []float64{1, 2}, hv))
	assert.InDeltaSlice(t, []float64{hxx + 2*hxy, hxy + 2*hyy}, hv, 1e-14)

	var h mat.SymDense
	require.NoError(t, f.Hessian(at, &h))
	assert.InDelta(t, hxx, h.At(0, 0), 1e-14)
	assert.InDelta(t, hxy, h.At(0, 1), 1e-14)
	assert.InDelta(t, hxy, h.At(1, 0), 1e-14)
	assert.InDelta(t, hyy, h.At(1, 1), 1e-14)

	// The complex step gives the first derivative to rounding.
	const step = 1e-30
	z, err := f.EvalComplex([]complex128{complex(x, step), complex(y, 0)})
	require.NoError(t, err)
	assert.InDelta(t, dx, imag(z)/step, 1e-15)
	cg := make([]complex128, 2)
	require.NoError(t, f.GradComplex([]complex128{complex(x, 0), complex(y, step)}, cg))
	assert.InDelta(t, hxy, imag(cg[0])/step, 1e-14)
	assert.InDelta(t, hyy, imag(cg[1])/step, 1e-14)
}

func TestFuncLeavesTheGraphAlone(t *testing.T) {
	g, out, x, y := probe(t)
	before := g.Len()
	f, err := NewFunc(g, out)
	require.NoError(t, err)
	at := []float64{0.3, -0.2}
	_, err = f.Grad(at, make([]float64, 2))
	require.NoError(t, err)
	_, _, err = f.JVP(at, []float64{1, 0})
	require.NoError(t, err)
	require.NoError(t, f.HVP(at, []float64{1, 0}, make([]float64, 2)))
	require.NoError(t, f.Hessian(at, &mat.SymDense{}))
	assert.Equal(t, before, g.Len(), "derivative programs must not build into the caller's graph")
	assert.Equal(t, []Node{x, y}, g.Vars())
	p, err := g.Compile(out)
	require.NoError(t, err)
	assert.Len(t, p.Inputs(), 2)

	// Building more in g afterwards does not change f.
	_, err = g.Add(out, g.Const(1))
	require.NoError(t, err)
	v, err := f.Eval(at)
	require.NoError(t, err)
	assert.InDelta(t, math.Sin(0.3)*math.Exp(-0.2)+0.09*-0.2, v, 1e-15)
}

func TestFuncVectorVariablesAndPoints(t *testing.T) {
	// f(a, v) = a·Σ v², a scalar and a vector of 3.
	g := NewGraph()
	v, err := g.Var("v", Vector(3))
	require.NoError(t, err)
	a, err := g.Var("a", Scalar())
	require.NoError(t, err)
	sq, err := g.Mul(v, v)
	require.NoError(t, err)
	s, err := g.Call("sum", sq)
	require.NoError(t, err)
	out, err := g.Mul(a, s)
	require.NoError(t, err)

	// The order of the flat slices is the order the caller gives.
	f, err := NewFunc(g, out, a, v)
	require.NoError(t, err)
	assert.Equal(t, []Var{{Name: "a", Shape: Scalar()}, {Name: "v", Shape: Vector(3)}}, f.Vars())
	assert.Equal(t, 4, f.Dim())

	at := Point{"a": {2}, "v": {1, 2, 3}}
	val, grad, err := f.GradAt(at)
	require.NoError(t, err)
	assert.Equal(t, 28.0, val)
	assert.Equal(t, Point{"a": {14}, "v": {4, 8, 12}}, grad)

	x, err := f.Flatten(at)
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 1, 2, 3}, x)
	assert.Equal(t, at, f.Unflatten(x))

	val, jvp, err := f.JVPAt(at, Point{"v": {1, 0, 0}})
	require.NoError(t, err)
	assert.Equal(t, 28.0, val)
	assert.Equal(t, 4.0, jvp)

	hv, err := f.HVPAt(at, Point{"a": {1}})
	require.NoError(t, err)
	assert.Equal(t, Point{"a": {0}, "v": {2, 4, 6}}, hv)

	h, err := f.HessianAt(at)
	require.NoError(t, err)
	want := mat.NewSymDense(4, []float64{
		0, 2, 4, 6,
		2, 4, 0, 0,
		4, 0, 4, 0,
		6, 0, 0, 4,
	})
	assert.True(t, mat.Equal(want, h), "Hessian\n%v", mat.Formatted(h))

	y, err := f.EvalAt(at)
	require.NoError(t, err)
	assert.Equal(t, 28.0, y)
}

// TestFuncHessianByProducts checks the column-by-column Hessian of a
// function too large for the symbolic one: Σ xᵢ²xᵢ₊₁ over 20 variables.
func TestFuncHessianByProducts(t *testing.T) {
	const n = 20
	b := NewBuilder()
	x := b.Var("x", Vector(n))
	head, tail := b.Slice(x, None, -1, None), b.Slice(x, 1, None, None)
	f, err := b.Func(b.Sum(b.Mul(b.Mul(head, head), tail)))
	require.NoError(t, err)

	at := make([]float64, n)
	for i := range at {
		at[i] = float64(i%5) - 1.5
	}
	var h mat.SymDense
	require.NoError(t, f.Hessian(at, &h))
	want := mat.NewSymDense(n, nil)
	for i := range n - 1 {
		want.SetSym(i, i, 2*at[i+1])
		want.SetSym(i, i+1, 2*at[i])
	}
	assert.True(t, mat.EqualApprox(want, &h, 1e-14), "Hessian\n%v", mat.Formatted(&h))
}

func TestFuncErrors(t *testing.T) {
	g, out, x, y := probe(t)
	sum, err := g.Add(x, y)
	require.NoError(t, err)
	vec, err := g.Concat(x, y)
	require.NoError(t, err)

	_, err = NewFunc(g, vec)
	assert.ErrorContains(t, err, "scalar")
	_, err = NewFunc(g, out, sum)
	assert.ErrorContains(t, err, "not a variable")
	_, err = NewFunc(g, out, x, x)
	assert.ErrorContains(t, err, `"x" given twice`)
	_, err = NewFunc(g, NewGraph().Const(1))
	assert.ErrorIs(t, err, ErrForeignNode)

	f, err := NewFunc(g, out)
	require.NoError(t, err)
	_, err = f.Eval([]float64{1})
	assert.EqualError(t, err, "the point has 1 values, want 2")
	_, err = f.Grad([]float64{1, 2}, make([]float64, 3))
	assert.EqualError(t, err, "the gradient has room for 3 values, want 2")
	_, _, err = f.JVP([]float64{1, 2}, []float64{1})
	assert.EqualError(t, err, "the direction has 1 values, want 2")
	assert.EqualError(t, f.Hessian([]float64{1, 2}, mat.NewSymDense(3, nil)), "the Hessian is 3×3, want 2×2")
	_, err = f.EvalAt(Point{"x": {1}})
	assert.EqualError(t, err, `no value for variable "y"`)
	_, err = f.EvalAt(Point{"x": {1}, "y": {2}, "z": {3}, "w": {4}})
	assert.EqualError(t, err, `"w" is not a variable of the function`)
	_, err = f.EvalAt(Point{"x": {1, 2}, "y": {2}})
	assert.EqualError(t, err, `variable "x" is a scalar but has 2 values`)
}

func TestFuncNonFiniteExplained(t *testing.T) {
	g := NewGraph()
	x, err := g.Var("x", Scalar())
	require.NoError(t, err)
	xm1, err := g.Sub(x, g.Const(1))
	require.NoError(t, err)
	out, err := g.Call("log", xm1)
	require.NoError(t, err)
	f, err := NewFunc(g, out)
	require.NoError(t, err)
	grad := make([]float64, 1)
	v, err := f.Grad([]float64{0.7}, grad)
	assert.True(t, math.IsNaN(v))
	var nf *NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "log", nf.Op)
}

func TestFuncAllocatesNothing(t *testing.T) {
	g, out, _, _ := probe(t)
	f, err := NewFunc(g, out)
	require.NoError(t, err)
	x, v, grad, hv := []float64{0.4, 0.1}, []float64{1, -1}, make([]float64, 2), make([]float64, 2)
	h := mat.NewSymDense(2, nil)
	for name, run := range map[string]func(){
		"Eval":    func() { _, _ = f.Eval(x) },
		"Grad":    func() { _, _ = f.Grad(x, grad) },
		"JVP":     func() { _, _, _ = f.JVP(x, v) },
		"HVP":     func() { _ = f.HVP(x, v, hv) },
		"Hessian": func() { _ = f.Hessian(x, h) },
		// Idle workspaces survive a collection.
		"Grad after GC": func() { runtime.GC(); _, _ = f.Grad(x, grad) },
	} {
		run()
		assert.Zero(t, testing.AllocsPerRun(100, run), name)
	}
}

func TestFuncConcurrentUse(t *testing.T) {
	g, out, _, _ := probe(t)
	f, err := NewFunc(g, out)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for k := range 8 {
		wg.Go(func() {
			x := []float64{float64(k) / 8, 0.25}
			grad, hv := make([]float64, 2), make([]float64, 2)
			for range 50 {
				_, err := f.Grad(x, grad)
				assert.NoError(t, err)
				assert.InDelta(t, math.Cos(x[0])*math.Exp(x[1])+2*x[0]*x[1], grad[0], 1e-15)
				assert.NoError(t, f.HVP(x, []float64{0, 1}, hv))
				assert.InDelta(t, math.Cos(x[0])*math.Exp(x[1])+2*x[0], hv[0], 1e-14)
				_, err = f.EvalComplex([]complex128{complex(x[0], 0), complex(x[1], 0)})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
}

// extendedRosenbrock builds Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² over a vector
// of n.
func extendedRosenbrock(t testing.TB, n int) *Func {
	t.Helper()
	b := NewBuilder()
	x := b.Var("x", Vector(n))
	head, tail := b.Slice(x, None, -1, None), b.Slice(x, 1, None, None)
	d, e := b.Sub(tail, b.Mul(head, head)), b.Sub(b.Const(1), head)
	f, err := b.Func(b.Sum(b.Add(b.Mul(b.Const(100), b.Mul(d, d)), b.Mul(e, e))))
	require.NoError(t, err)
	return f
}

// BenchmarkHessianMethods compares the two ways to a dense Hessian: one
// program of the upper triangle (reverse over reverse) and one HVP per
// column (forward over reverse). Hessian switches at symbolicHessianLimit.
func BenchmarkHessianMethods(b *testing.B) {
	for _, n := range []int{2, 8, 16, 32} {
		f := extendedRosenbrock(b, n)
		x := make([]float64, n)
		for i := range x {
			x[i] = 0.5 + float64(i%3)
		}
		h, buf := mat.NewSymDense(n, nil), make([]float64, 2*n)
		b.Run(fmt.Sprintf("n%d/symbolic", n), func(b *testing.B) {
			for b.Loop() {
				if err := f.hessianSymbolic(x, h); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n%d/hvp", n), func(b *testing.B) {
			for b.Loop() {
				if err := f.hessianByHVP(x, h, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestHessianMethodsAgree(t *testing.T) {
	f := extendedRosenbrock(t, 6)
	x := []float64{0.1, -0.4, 0.3, 0.9, -1, 2}
	a, b := mat.NewSymDense(6, nil), mat.NewSymDense(6, nil)
	require.NoError(t, f.hessianSymbolic(x, a))
	require.NoError(t, f.hessianByHVP(x, b, make([]float64, 12)))
	assert.True(t, mat.EqualApprox(a, b, 1e-12), "symbolic\n%v\nby HVP\n%v", mat.Formatted(a), mat.Formatted(b))
}

// TestExplainWhileDerivativesCompile explains NaNs while another
// goroutine's first HVP builds tangent variables into the Func's graph;
// run with -race.
func TestExplainWhileDerivativesCompile(t *testing.T) {
	g := NewGraph()
	x, err := g.Var("x", Scalar())
	require.NoError(t, err)
	y, err := g.Var("y", Scalar())
	require.NoError(t, err)
	lx, err := g.Call("log", x)
	require.NoError(t, err)
	out, err := g.Mul(lx, y)
	require.NoError(t, err)
	f, err := NewFunc(g, out)
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		hv := make([]float64, 2)
		assert.NoError(t, f.HVP([]float64{2, 3}, []float64{1, 0}, hv))
		assert.InDelta(t, -3.0/4, hv[0], 1e-15)
	}()
	for range 50 {
		_, err := f.Eval([]float64{-1, 3})
		assert.ErrorContains(t, err, "log(x) is NaN: log got -1")
	}
	<-done
}

func TestIsNonFinite(t *testing.T) {
	nf := &NonFiniteError{Op: "log", Expr: "log(x)", Value: math.NaN()}
	assert.True(t, IsNonFinite(nf))
	assert.True(t, IsNonFinite(fmt.Errorf("at 3: %w", nf)))
	assert.False(t, IsNonFinite(nil))
	assert.False(t, IsNonFinite(ErrForeignNode))
	assert.Zero(t, testing.AllocsPerRun(10, func() { IsNonFinite(nil) }))
}

// A long expression over a Greek variable is cut by characters in the
// explanation of a NaN, never inside a character.
func TestNonFiniteExplanationCutByCharacters(t *testing.T) {
	for extra := range 10 { // shifts the cut a byte at a time
		g := NewGraph()
		θ, err := g.Var("θ", Scalar())
		require.NoError(t, err)
		y, err := g.Var("y"+strings.Repeat("y", extra), Scalar())
		require.NoError(t, err)
		s := y
		for k := range 40 {
			s, err = g.Add(s, mustNode(t)(g.Mul(θ, g.Const(float64(k+2)))))
			require.NoError(t, err)
		}
		out, err := g.Call("log", s)
		require.NoError(t, err)
		f, err := NewFunc(g, out)
		require.NoError(t, err)
		_, err = f.Eval([]float64{-1, 0})
		var nf *NonFiniteError
		require.ErrorAs(t, err, &nf)
		assert.True(t, utf8.ValidString(err.Error()), "%q", err.Error())
		assert.True(t, strings.HasSuffix(nf.Expr, "…"), nf.Expr)
	}
}

func mustNode(t testing.TB) func(Node, error) Node {
	return func(n Node, err error) Node {
		t.Helper()
		require.NoError(t, err)
		return n
	}
}

func TestFuncPrecompile(t *testing.T) {
	for _, n := range []int{2, symbolicHessianLimit + 1} {
		g := NewGraph()
		x, err := g.Var("x", Vector(n))
		require.NoError(t, err)
		sq, err := g.Mul(x, x)
		require.NoError(t, err)
		out, err := g.Call("sum", sq)
		require.NoError(t, err)
		f, err := NewFunc(g, out)
		require.NoError(t, err)
		progs := map[string]*program{"grad": &f.grad, "jvp": &f.jvp, "hvp": &f.hvp, "hess": &f.hess}
		for name, p := range progs {
			require.Nil(t, p.prog, "%s before Precompile", name)
		}
		require.NoError(t, f.Precompile())
		for name, p := range progs {
			// Larger Hessians come from HVPs, not a program of their own.
			want := name != "hess" || n <= symbolicHessianLimit
			assert.Equal(t, want, p.prog != nil, "%s of %d variables", name, n)
		}
	}
}

func TestAllFinite(t *testing.T) {
	// Lengths on both sides of the eight-wide loop; large values whose sum
	// overflows, and small ones of either sign.
	for n := range 20 {
		large, small := make([]float64, n), make([]float64, n)
		for i := range n {
			large[i] = float64(i%10) / 10 * math.MaxFloat64
			small[i] = float64(i) * math.Pow(-1, float64(i))
		}
		for _, v := range [][]float64{large, small} {
			assert.True(t, allFinite(v), "n=%d", n)
			for i := range n {
				for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
					w := slices.Clone(v)
					w[i] = bad
					assert.False(t, allFinite(w), "n=%d, %v at %d", n, bad, i)
				}
			}
		}
	}
}

func TestVectorFuncPrecompile(t *testing.T) {
	b := NewBuilder()
	x := b.Var("x", Vector(3))
	f, err := b.VectorFunc(b.Mul(x, x))
	require.NoError(t, err)
	require.Nil(t, f.f.jvp.prog, "jvp before Precompile")
	require.Nil(t, f.vjp.prog, "vjp before Precompile")
	require.NoError(t, f.Precompile())
	assert.NotNil(t, f.f.jvp.prog, "jvp")
	assert.NotNil(t, f.vjp.prog, "vjp")
	y, out := make([]float64, 3), make([]float64, 3)
	require.NoError(t, f.VJP([]float64{1, 2, 3}, []float64{1, 1, 1}, y, out))
	assert.Equal(t, []float64{2, 4, 6}, out)
}

// TestFuncWritesResultsDirectly checks that gradients and Hessian-vector
// products written straight into the caller's slice are what the program
// leaves in its own buffers, bit for bit, with small vectors, fused ones
// and ones long enough for two lanes; that a result slice overlapping the
// point gets them by copy; and that a slice written directly is not
// written again by a later call with another one.
func TestFuncWritesResultsDirectly(t *testing.T) {
	for _, n := range []int{10, 10000, 40000} {
		f := extendedRosenbrock(t, n)
		x, v := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], v[i] = 0.5+float64(i%3), float64(i%5)-2
		}
		for _, c := range []struct {
			name string
			prog func() (*program, error)
			in   [][]float64
			run  func(out []float64) error
		}{
			{"grad", f.gradProgram, [][]float64{x}, func(out []float64) error { _, err := f.Grad(x, out); return err }},
			{"hvp", f.hvpProgram, [][]float64{x, v}, func(out []float64) error { return f.HVP(x, v, out) }},
		} {
			p, err := c.prog()
			require.NoError(t, err)
			require.NotNil(t, p.direct, "%s of %d", c.name, n)
			ws := p.prog.NewWorkspace()
			require.NoError(t, p.prog.Run(ws, c.in))
			want := slices.Clone(ws.Output(p.first))
			first := make([]float64, n)
			require.NoError(t, c.run(first))
			assert.Equal(t, want, first, "%s of %d", c.name, n)
			second := make([]float64, n)
			require.NoError(t, c.run(second))
			assert.Equal(t, want, second, "%s of %d", c.name, n)
			assert.Equal(t, want, first, "%s of %d, written again", c.name, n)
		}
		y := slices.Clone(x)
		want := make([]float64, n)
		_, err := f.Grad(x, want)
		require.NoError(t, err)
		_, err = f.Grad(y, y)
		require.NoError(t, err)
		assert.Equal(t, want, y, "a gradient over its own point, n = %d", n)
	}
}

func TestFuncWritesNonFiniteResultsDirectly(t *testing.T) {
	b := NewBuilder()
	x := b.Var("x", Vector(shortLen+1))
	f, err := b.Func(b.Sum(b.Sqrt(x)))
	require.NoError(t, err)
	p, err := f.gradProgram()
	require.NoError(t, err)
	require.NotNil(t, p.direct)
	grad := make([]float64, shortLen+1)
	_, err = f.Grad([]float64{1, 0, 4, 1, 1}, grad)
	var nf *NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, 1, nf.Index)
	assert.Equal(t, []float64{0.5, math.Inf(1), 0.25, 0.5, 0.5}, grad)
}

// TestFuncConcurrentDirectResults runs gradients written straight into
// each goroutine's slice at once, long enough for fused groups on two
// lanes.
func TestFuncConcurrentDirectResults(t *testing.T) {
	const n = 40000
	f := extendedRosenbrock(t, n)
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5 + float64(i%3)
	}
	want := make([]float64, n)
	_, err := f.Grad(x, want)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			grad := make([]float64, n)
			for range 5 {
				clear(grad)
				_, err := f.Grad(x, grad)
				assert.NoError(t, err)
				assert.Equal(t, want, grad)
			}
		})
	}
	wg.Wait()
}

// TestFuncRegisterRunsLikeRunChecked compares, bit for bit, what a Func
// returns through the register path with what its programs return through
// RunChecked, at points where the results are finite and where they are
// not.
func TestFuncRegisterRunsLikeRunChecked(t *testing.T) {
	b := NewBuilder()
	x, y, v := b.Var("x", Scalar()), b.Var("y", Scalar()), b.Var("v", Vector(3))
	one := b.Const(1)
	head, tail := b.Slice(v, None, -1, None), b.Slice(v, 1, None, None)
	d, e := b.Sub(tail, b.Mul(head, head)), b.Sub(one, head)
	cases := []struct {
		name string
		out  Node
		vars []Node
	}{
		{"rosenbrock", b.Add(b.Pow(b.Sub(one, x), b.Const(2)), b.Mul(b.Const(100), b.Pow(b.Sub(y, b.Pow(x, b.Const(2))), b.Const(2)))), []Node{x, y}},
		{"log", b.Mul(b.Log(b.Sub(x, one)), y), []Node{x, y}},
		{"quotient", b.Div(b.Mul(x, b.Sqrt(y)), b.Add(b.Mul(x, x), one)), []Node{x, y}},
		{"vector", b.Mul(b.Sum(b.Mul(v, v)), b.Sum(b.Sub(v, x))), []Node{x, v}},
		{"rosenbrock3", b.Add(b.Sum(b.Add(b.Mul(b.Const(100), b.Mul(d, d)), b.Mul(e, e))), b.Mul(x, y)), []Node{x, y, v}},
	}
	require.NoError(t, b.Err())
	points := [][]float64{
		{-1.2, 1, 0.5, -0.25, 2}, {3, 0.5, 1, 1, 1}, {0.5, 2, -1, 0, 1}, // log(x - 1) is NaN at x = 0.5
		{math.Inf(1), 1, 0, 0, 0}, {1, 1, 0, math.NaN(), 0}, {1e300, 1e300, 1e300, -1e300, 1},
	}
	bits := func(xs []float64) []uint64 {
		b := make([]uint64, len(xs))
		for i, x := range xs {
			b[i] = math.Float64bits(x)
		}
		return b
	}
	// want runs a Func's program as the general path does.
	want := func(p *program, in [][]float64) ([]float64, error) {
		ws := p.prog.NewWorkspace()
		err := p.prog.RunChecked(ws, in)
		var out []float64
		for k := range p.prog.outLoc {
			out = append(out, ws.Output(k)...)
		}
		return out, err
	}
	for _, c := range cases {
		f, err := NewFunc(b.Graph(), c.out, c.vars...)
		require.NoError(t, err)
		require.NoError(t, f.Precompile())
		require.NotNil(t, f.grad.regs, c.name)
		n, nv := f.Dim(), len(c.vars)
		for _, p := range points {
			p, dir := p[:n], []float64{1, -1, 0.5, 2, 0.25}[:n]
			in := make([][]float64, 2*nv)
			require.NoError(t, f.split(in, 0, p, "the point"))
			require.NoError(t, f.split(in, nv, dir, "the direction"))
			grad, hv := make([]float64, n), make([]float64, n)
			val, err := f.Grad(p, grad)
			ref, refErr := want(&f.grad, in[:nv])
			assert.Equal(t, fmt.Sprint(refErr), fmt.Sprint(err), "%s at %v", c.name, p)
			assert.Equal(t, bits(ref), bits(append([]float64{val}, grad...)), "%s at %v", c.name, p)
			err = f.HVP(p, dir, hv)
			ref, refErr = want(&f.hvp, in)
			assert.Equal(t, fmt.Sprint(refErr), fmt.Sprint(err), "%s at %v", c.name, p)
			assert.Equal(t, bits(ref), bits(hv), "%s at %v", c.name, p)
		}
	}
}
