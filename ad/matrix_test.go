package ad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// checkNumeric checks the derivatives of the scalar y, a function of all
// of g's variables, at a random point of [-1, 1]: the gradient against
// central differences and the complex step, the JVP against the gradient,
// and the HVP against central differences of the gradient.
func checkNumeric(t *testing.T, rng *rand.Rand, g *Graph, y Node) {
	t.Helper()
	f, err := NewFunc(g, y)
	require.NoError(t, err)
	n := f.Dim()
	x, v := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], v[i] = 2*rng.Float64()-1, 2*rng.Float64()-1
	}
	grad := make([]float64, n)
	_, err = f.Grad(x, grad)
	require.NoError(t, err, "%s", f)
	eval := func(x []float64) float64 {
		y, err := f.Eval(x)
		require.NoError(t, err)
		return y
	}
	num := fd.Gradient(nil, eval, x, &fd.Settings{Formula: fd.Central, Step: 1e-6})
	z := make([]complex128, n)
	for i := range x {
		z[i] = complex(x[i], 0)
	}
	const h = 1e-20
	for i := range x {
		assert.InDelta(t, num[i], grad[i], 1e-6*(1+math.Abs(num[i])), "∂/∂%s by central differences of %s", f.Names()[i], f)
		z[i] += complex(0, h)
		c, err := f.EvalComplex(z)
		z[i] = complex(x[i], 0)
		if err == nil {
			assert.InDelta(t, imag(c)/h, grad[i], 1e-10*(1+math.Abs(grad[i])), "∂/∂%s by the complex step of %s", f.Names()[i], f)
		}
	}
	_, jvp, err := f.JVP(x, v)
	require.NoError(t, err)
	assert.InDelta(t, floats.Dot(grad, v), jvp, 1e-10*(1+math.Abs(jvp)), "JVP of %s", f)

	hv := make([]float64, n)
	require.NoError(t, f.HVP(x, v, hv))
	const eps = 1e-5
	gp, gm := make([]float64, n), make([]float64, n)
	xp, xm := make([]float64, n), make([]float64, n)
	floats.AddScaledTo(xp, x, eps, v)
	floats.AddScaledTo(xm, x, -eps, v)
	_, err = f.Grad(xp, gp)
	require.NoError(t, err)
	_, err = f.Grad(xm, gm)
	require.NoError(t, err)
	for i := range hv {
		want := (gp[i] - gm[i]) / (2 * eps)
		assert.InDelta(t, want, hv[i], 1e-5*(1+math.Abs(want)), "HVP element %s of %s", f.Names()[i], f)
	}
}

// matrixShapes are the shapes the matrix tests run on: the edge shapes of
// one row, one column and one element, and a full matrix.
var matrixShapes = [][2]int{{1, 1}, {1, 4}, {4, 1}, {3, 4}, {5, 2}}

// matrixCases build a scalar function of the variables A (m×n), B (m×n), u
// (a vector of n), c (an m×1 column), r (a 1×n row), w (a vector of m) and
// x (a scalar).
var matrixCases = []struct {
	name  string
	build func(b *Builder, v matrixVars) Node
}{
	{"row against matrix", func(b *Builder, v matrixVars) Node { return b.Sum(b.Pow(b.Sin(b.Add(v.A, v.u)), b.Const(2))) }},
	{"matrix against row", func(b *Builder, v matrixVars) Node { return b.Sum(b.Div(v.u, b.Add(b.Mul(v.A, v.A), b.Const(1)))) }},
	{"column against matrix", func(b *Builder, v matrixVars) Node { return b.Sum(b.Mul(b.Mul(v.A, v.c), v.A)) }},
	{"column against row", func(b *Builder, v matrixVars) Node { return b.LogSumExp(b.Mul(b.Add(v.c, v.r), v.B)) }},
	{"scalar against matrix", func(b *Builder, v matrixVars) Node { return b.Sum(b.Atan2(v.x, b.Add(b.Mul(v.B, v.B), b.Const(0.5)))) }},
	{"power of a column", func(b *Builder, v matrixVars) Node {
		return b.Sum(b.Pow(b.Add(b.Mul(v.A, v.A), b.Const(0.5)), v.c))
	}},
	{"matrices", func(b *Builder, v matrixVars) Node { return b.Dot(b.Exp(v.A), b.Tanh(b.Sub(v.B, v.A))) }},
	{"whole reductions", func(b *Builder, v matrixVars) Node {
		return b.Add(b.LogSumExp(v.A), b.Mul(b.MaxOf(v.B), b.Sum(b.Mul(v.A, v.B))))
	}},
	{"sum along 0", func(b *Builder, v matrixVars) Node { return b.Dot(b.SumAxis(b.Sin(v.A), 0), b.Mul(v.u, v.u)) }},
	{"sum along 1", func(b *Builder, v matrixVars) Node { return b.Dot(b.SumAxis(b.Mul(v.A, v.B), -1), b.Cos(v.w)) }},
	{"logsumexp along 0", func(b *Builder, v matrixVars) Node { return b.Dot(b.LogSumExpAxis(b.Mul(v.A, v.c), 0), v.u) }},
	{"logsumexp along 1", func(b *Builder, v matrixVars) Node {
		return b.Dot(b.LogSumExpAxis(b.Mul(v.A, b.Const(3)), 1), b.Sin(v.w))
	}},
	{"max and min along each axis", func(b *Builder, v matrixVars) Node {
		return b.Add(b.Dot(b.MaxAxis(v.A, 0), b.MinAxis(v.B, 0)), b.Dot(b.MinAxis(b.Exp(v.A), 1), b.MaxAxis(v.B, -1)))
	}},
	{"reshape", func(b *Builder, v matrixVars) Node {
		m, n := b.Graph().Shape(v.A).Dim(0), b.Graph().Shape(v.A).Dim(1)
		return b.Sum(b.Mul(b.Reshape(b.Mul(v.A, v.A), n, m), b.Reshape(v.B, n, m)))
	}},
	{"flatten", func(b *Builder, v matrixVars) Node {
		s := b.Graph().Shape(v.A)
		return b.Dot(b.Reshape(b.Exp(v.A), s.Len(), 1), b.Reshape(b.Mul(v.B, v.c), s.Len(), 1))
	}},
	{"matrix @ transpose(matrix)", func(b *Builder, v matrixVars) Node { return b.Sum(b.Sin(b.MatMul(v.A, b.Transpose(v.B)))) }},
	{"transpose(matrix) @ matrix", func(b *Builder, v matrixVars) Node { return b.LogSumExp(b.MatMul(b.Transpose(v.A), b.Exp(v.B))) }},
	{"matrix @ vector", func(b *Builder, v matrixVars) Node {
		return b.Add(b.Dot(b.MatMul(v.A, v.u), v.w), b.Sum(b.Pow(b.MatMul(v.B, b.Sin(v.u)), b.Const(2))))
	}},
	{"vector @ matrix", func(b *Builder, v matrixVars) Node { return b.Sum(b.Mul(b.Exp(b.MatMul(v.w, v.A)), v.u)) }},
	{"vector @ transpose(matrix)", func(b *Builder, v matrixVars) Node {
		return b.Add(b.Sum(b.Mul(b.MatMul(b.Mul(v.u, v.u), b.Transpose(v.A)), v.w)), b.Sum(b.Mul(b.MatMul(b.Transpose(v.B), v.w), v.u)))
	}},
	{"vector @ vector", func(b *Builder, v matrixVars) Node { return b.Mul(b.MatMul(v.u, b.Sin(v.u)), b.MatMul(v.w, v.w)) }},
	{"column @ row", func(b *Builder, v matrixVars) Node { return b.Sum(b.Mul(b.MatMul(b.Exp(v.c), v.r), v.A)) }},
	{"products of products", func(b *Builder, v matrixVars) Node {
		return b.Sum(b.MatMul(b.Transpose(b.MatMul(b.Transpose(v.A), v.B)), b.Tanh(b.Transpose(v.A))))
	}},
	{"transpose", func(b *Builder, v matrixVars) Node {
		return b.Sum(b.Mul(b.Transpose(v.A), b.Pow(b.Transpose(b.Add(v.B, v.c)), b.Const(2))))
	}},
	{"rows", func(b *Builder, v matrixVars) Node {
		return b.Add(b.Dot(b.Index(b.Exp(v.A), -1), v.u), b.Sum(b.Pow(b.Index(v.B, 0), b.Const(3))))
	}},
	{"row slices", func(b *Builder, v matrixVars) Node {
		return b.Add(b.Sum(b.Mul(b.Slice(v.A, None, None, -1), v.B)), b.Sum(b.Sin(b.Slice(b.Mul(v.A, v.B), None, None, 2))))
	}},
	{"columns", func(b *Builder, v matrixVars) Node {
		return b.Add(b.Dot(b.Index(b.Transpose(v.A), -1), v.w), b.Sum(b.Mul(b.Transpose(b.Slice(b.Transpose(b.Exp(v.B)), None, None, -1)), v.A)))
	}},
	{"scatter rows", func(b *Builder, v matrixVars) Node {
		m := b.Graph().Shape(v.A).Dim(0)
		return b.Sum(b.Mul(b.Scatter(b.Exp(v.A), 2*m+1, 1, 2), b.VStack(v.B, v.B, v.u)))
	}},
	{"vstack", func(b *Builder, v matrixVars) Node {
		return b.LogSumExp(b.Mul(b.VStack(v.A, b.Sin(v.u), v.B), b.VStack(v.B, v.u, b.Exp(v.A))))
	}},
	{"diag", func(b *Builder, v matrixVars) Node {
		S := b.MatMul(v.A, b.Transpose(v.B))
		return b.Add(b.Dot(b.Diag(S), v.w), b.Sum(b.Mul(b.Diag(b.Exp(v.w)), S)))
	}},
	{"tril", func(b *Builder, v matrixVars) Node {
		m := b.Graph().Shape(v.A).Dim(0)
		S := b.MatMul(v.A, b.Transpose(v.B))
		k := -1 // the strict triangle, which one row does not have
		if m == 1 {
			k = 0
		}
		return b.Add(b.Sum(b.Mul(b.Tril(b.Exp(b.TrilVec(S, 0)), m, 0), S)), b.Sum(b.Sin(b.Tril(b.TrilVec(S, k), m, k))))
	}},
	{"broadcast", func(b *Builder, v matrixVars) Node {
		s := b.Graph().Shape(v.A)
		return b.Sum(b.Mul(b.Broadcast(b.Sin(v.u), s.Dim(0), s.Dim(1)), b.Broadcast(b.Mul(v.c, v.x), s.Dim(0), s.Dim(1))))
	}},
}

type matrixVars struct{ A, B, u, c, r, w, x Node }

func newMatrixVars(b *Builder, m, n int) matrixVars {
	return matrixVars{
		A: b.Var("A", Matrix(m, n)), B: b.Var("B", Matrix(m, n)), u: b.Var("u", Vector(n)),
		c: b.Var("c", Matrix(m, 1)), r: b.Var("r", Matrix(1, n)), w: b.Var("w", Vector(m)), x: b.Var("x", Scalar()),
	}
}

// TestMatrixDerivatives checks every matrix case on every shape against
// numeric differentiation.
func TestMatrixDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range matrixCases {
		for _, mn := range matrixShapes {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, mn[0], mn[1]), func(t *testing.T) {
				b := NewBuilder()
				y := c.build(b, newMatrixVars(b, mn[0], mn[1]))
				require.NoError(t, b.Err())
				checkNumeric(t, rng, b.Graph(), y)
			})
		}
	}
}

// TestBroadcastValues checks NumPy's broadcasting on small matrices.
func TestBroadcastValues(t *testing.T) {
	b := NewBuilder()
	A := b.Var("A", Matrix(2, 3))
	u := b.Var("u", Vector(3))
	c := b.Var("c", Matrix(2, 1))
	r := b.Var("r", Matrix(1, 3))
	outs := []Node{b.Add(A, u), b.Mul(c, A), b.Sub(c, r), b.Sub(u, c), b.Mul(A, b.Const(2))}
	require.NoError(t, b.Err())
	in := [][]float64{{1, 2, 3, 4, 5, 6}, {10, 20, 30}, {2, 3}, {100, 200, 300}}
	got := eval(t, b.Graph(), in, outs...)
	assert.Equal(t, [][]float64{
		{11, 22, 33, 14, 25, 36},
		{2, 4, 6, 12, 15, 18},
		{-98, -198, -298, -97, -197, -297},
		{8, 18, 28, 7, 17, 27},
		{2, 4, 6, 8, 10, 12},
	}, got)
	for k, o := range outs {
		assert.Equal(t, Matrix(2, 3), b.Graph().Shape(o), "output %d", k)
	}

	for _, c := range []struct{ a, b, want Shape }{
		{Matrix(2, 3), Vector(3), Matrix(2, 3)},
		{Vector(3), Matrix(2, 3), Matrix(2, 3)},
		{Matrix(2, 1), Matrix(1, 3), Matrix(2, 3)},
		{Matrix(2, 1), Vector(3), Matrix(2, 3)},
		{Matrix(1, 1), Vector(3), Matrix(1, 3)},
		{Scalar(), Matrix(2, 3), Matrix(2, 3)},
	} {
		s, err := Broadcast(c.a, c.b)
		require.NoError(t, err)
		assert.Equal(t, c.want, s, "%s with %s", c.a, c.b)
	}
	for _, c := range [][2]Shape{
		{Matrix(2, 3), Vector(2)},
		{Matrix(2, 3), Matrix(3, 2)},
		{Matrix(2, 3), Matrix(2, 2)},
		{Vector(3), Vector(4)},
	} {
		_, err := Broadcast(c[0], c[1])
		var se *ShapeError
		assert.ErrorAs(t, err, &se)
		assert.EqualError(t, err, fmt.Sprintf("shape mismatch in broadcast: %s and %s", c[0], c[1]))
	}
	g := NewGraph()
	a := must(g.Var("A", Matrix(2, 3)))
	v := must(g.Var("v", Vector(2)))
	_, err := g.Add(a, v)
	assert.EqualError(t, err, "shape mismatch in add: matrix(2×3) and vector(2)")
}

// TestSumAxisValues checks sums along each axis against their definition.
func TestSumAxisValues(t *testing.T) {
	b := NewBuilder()
	A := b.Var("A", Matrix(2, 3))
	outs := []Node{b.SumAxis(A, 0), b.SumAxis(A, 1), b.SumAxis(A, -2)}
	require.NoError(t, b.Err())
	got := eval(t, b.Graph(), [][]float64{{1, 2, 3, 4, 5, 6}}, outs...)
	assert.Equal(t, [][]float64{{5, 7, 9}, {6, 15}, {5, 7, 9}}, got)
	assert.Equal(t, "sum(A, 0)", b.Graph().Format(outs[0]))
	_, err := b.Graph().call(OpSumAxis, []Node{A}, 2)
	assert.EqualError(t, err, "axis 2 out of range for matrix(2×3)")
}

// TestMatrixFunc checks that a matrix variable contributes its elements
// to the flat slices row by row, and is named element by element.
func TestMatrixFunc(t *testing.T) {
	b := NewBuilder()
	W := b.Var("W", Matrix(2, 3))
	x := b.Var("x", Scalar())
	f, err := b.Func(b.Mul(x, b.Sum(b.Mul(W, b.ConstVec([]float64{1, 10, 100})))))
	require.NoError(t, err)
	assert.Equal(t, []string{"W[0,0]", "W[0,1]", "W[0,2]", "W[1,0]", "W[1,1]", "W[1,2]", "x"}, f.Names())
	y, grad, err := f.GradAt(Point{"W": {1, 2, 3, 4, 5, 6}, "x": {2}})
	require.NoError(t, err)
	assert.Equal(t, 2*(1+20+300+4+50+600.0), y)
	assert.Equal(t, Point{"W": {2, 20, 200, 2, 20, 200}, "x": {1 + 20 + 300 + 4 + 50 + 600}}, grad)
	assert.Equal(t, "x * sum(W * [[1, 10, 100], [1, 10, 100]])", f.String())
}

// randomDense returns an m×n matrix of values in [-1, 1].
func randomDense(rng *rand.Rand, m, n int) *mat.Dense {
	v := make([]float64, m*n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return mat.NewDense(m, n, v)
}

// TestMatMulIdentities checks products and their gradients against gonum's
// mat at random points: X·Y and (X·Y)ᵀ = YᵀXᵀ, the gradients Xᵀ·G and
// G·Yᵀ of sum(G * (X @ Y)), and ∇_X sum(X * Bᵀ) = Bᵀ, the gradient of
// trace(X·B).
func TestMatMulIdentities(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{1, 1, 1}, {1, 3, 4}, {4, 3, 1}, {3, 1, 4}, {5, 4, 3}, {70, 80, 90}} {
		m, k, n := s[0], s[1], s[2]
		t.Run(fmt.Sprint(s), func(t *testing.T) {
			X, Y, G, B := randomDense(rng, m, k), randomDense(rng, k, n), randomDense(rng, m, n), randomDense(rng, k, m)
			b := NewBuilder()
			x, y := b.Var("X", Matrix(m, k)), b.Var("Y", Matrix(k, n))
			gc, bc := b.Graph().ConstMatrix(m, n, G.RawMatrix().Data), b.Graph().ConstMatrix(k, m, B.RawMatrix().Data)
			xy := b.MatMul(x, y)
			f := b.Sum(b.Mul(gc, xy))
			h := b.Sum(b.Mul(x, b.Transpose(bc)))
			require.NoError(t, b.Err())
			grad, err := b.Graph().Grad(f, x, y)
			require.NoError(t, err)
			gradH, err := b.Graph().Grad(h, x)
			require.NoError(t, err)
			out := eval(t, b.Graph(), [][]float64{X.RawMatrix().Data, Y.RawMatrix().Data},
				xy, b.Transpose(xy), b.MatMul(b.Transpose(y), b.Transpose(x)), grad[0], grad[1], gradH[0])

			var want, wantT, gx, gy mat.Dense
			want.Mul(X, Y)
			wantT.Mul(Y.T(), X.T())
			gx.Mul(G, Y.T())
			gy.Mul(X.T(), G)
			tol := 1e-14 * float64(k)
			assert.InDeltaSlice(t, want.RawMatrix().Data, out[0], tol, "X·Y")
			assert.InDeltaSlice(t, wantT.RawMatrix().Data, out[1], tol, "(X·Y)ᵀ")
			assert.InDeltaSlice(t, wantT.RawMatrix().Data, out[2], tol, "Yᵀ·Xᵀ")
			assert.InDeltaSlice(t, gx.RawMatrix().Data, out[3], 1e-14*float64(n), "G·Yᵀ")
			assert.InDeltaSlice(t, gy.RawMatrix().Data, out[4], 1e-14*float64(m), "Xᵀ·G")
			assert.Equal(t, mat.DenseCopyOf(B.T()).RawMatrix().Data, out[5], "Bᵀ")
		})
	}
}

// TestMatMulShapes checks the shape rule of the product.
func TestMatMulShapes(t *testing.T) {
	g := NewGraph()
	A, u, w, s := must(g.Var("A", Matrix(2, 3))), must(g.Var("u", Vector(3))), must(g.Var("w", Vector(2))), must(g.Var("s", Scalar()))
	for _, c := range []struct {
		a, b Node
		want Shape
		err  string
	}{
		{A, u, Vector(2), ""},
		{w, A, Vector(3), ""},
		{u, u, Scalar(), ""},
		{A, g.transpose(A), Matrix(2, 2), ""},
		{g.transpose(A), A, Matrix(3, 3), ""},
		{A, A, Shape{}, "shape mismatch in matmul: matrix(2×3) and matrix(2×3) (inner sizes 3 and 2 differ)"},
		{A, w, Shape{}, "shape mismatch in matmul: matrix(2×3) and vector(2) (inner sizes 3 and 2 differ)"},
		{u, A, Shape{}, "shape mismatch in matmul: vector(3) and matrix(2×3) (inner sizes 3 and 2 differ)"},
		{s, A, Shape{}, "shape mismatch in matmul: scalar and matrix(2×3) (@ takes vectors and matrices; a scalar multiplies with *)"},
	} {
		n, err := g.MatMul(c.a, c.b)
		if c.err != "" {
			assert.EqualError(t, err, c.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, c.want, g.Shape(n), "%s @ %s", g.Format(c.a), g.Format(c.b))
	}
}

// TestMatMulRunAllocatesNothing checks that products too small for BLAS to
// split them run without allocating, as every other kernel does.
func TestMatMulRunAllocatesNothing(t *testing.T) {
	skipIfPooledBuffersAllocate(t)
	b := NewBuilder()
	X := b.Var("X", Matrix(100, 30))
	W := b.Var("W", Matrix(30, 10))
	u := b.Var("u", Vector(10))
	f := b.Sum(b.Pow(b.MatMul(b.Tanh(b.MatMul(X, W)), u), b.Const(2)))
	require.NoError(t, b.Err())
	grad, err := b.Graph().Grad(f, X, W, u)
	require.NoError(t, err)
	p, err := b.Graph().Compile(append([]Node{f}, grad...)...)
	require.NoError(t, err)
	ws := p.NewWorkspace()
	in := [][]float64{make([]float64, 3000), make([]float64, 300), make([]float64, 10)}
	assert.Zero(t, testing.AllocsPerRun(20, func() { _ = p.Run(ws, in) }))
}

// TestAxisReductionValues checks the reductions along each axis against
// their definitions, their stability, and ties.
func TestAxisReductionValues(t *testing.T) {
	b := NewBuilder()
	A := b.Var("A", Matrix(2, 3))
	outs := []Node{b.MaxAxis(A, 0), b.MaxAxis(A, 1), b.MinAxis(A, 0), b.MinAxis(A, 1), b.LogSumExpAxis(A, 0), b.LogSumExpAxis(A, 1)}
	require.NoError(t, b.Err())
	g := b.Graph()
	mean0, err := g.CallAxis("mean", A, 0)
	require.NoError(t, err)
	mean1, err := g.Call("mean", A, g.Const(1))
	require.NoError(t, err)
	outs = append(outs, mean0, mean1)
	got := eval(t, g, [][]float64{{1, 5, -3, 4, 2, 0}}, outs...)
	lse := func(a, b float64) float64 { m := math.Max(a, b); return m + math.Log(math.Exp(a-m)+math.Exp(b-m)) }
	lse3 := func(a, b, c float64) float64 { return lse(lse(a, b), c) }
	assert.Equal(t, []float64{4, 5, 0}, got[0])
	assert.Equal(t, []float64{5, 4}, got[1])
	assert.Equal(t, []float64{1, 2, -3}, got[2])
	assert.Equal(t, []float64{-3, 0}, got[3])
	assert.InDeltaSlice(t, []float64{lse(1, 4), lse(5, 2), lse(-3, 0)}, got[4], 1e-15)
	assert.InDeltaSlice(t, []float64{lse3(1, 5, -3), lse3(4, 2, 0)}, got[5], 1e-15)
	assert.Equal(t, []float64{2.5, 3.5, -1.5}, got[6])
	assert.Equal(t, []float64{1, 2}, got[7])

	// Stable where exp overflows, and along each axis.
	got = eval(t, g, [][]float64{{1000, 1000, -1000, 1000, 999, -1000}}, outs[4], outs[5])
	assert.InDeltaSlice(t, []float64{1000 + math.Log(2), lse(1000, 999), -1000 + math.Log(2)}, got[0], 1e-12)
	assert.InDeltaSlice(t, []float64{1000 + math.Log(2), lse(1000, 999)}, got[1], 1e-12)

	// A NaN wins along either axis, wherever it is.
	nan := math.NaN()
	got = eval(t, g, [][]float64{{1, nan, -3, 4, 2, nan}}, outs[:4]...)
	for k, want := range [][]float64{{4, nan, nan}, {nan, nan}, {1, nan, nan}, {nan, nan}} {
		assert.Equal(t, fmt.Sprint(want), fmt.Sprint(got[k]), "output %d", k)
	}
	got = eval(t, g, [][]float64{{nan, 5, -3, 4, 2, 0}}, outs[:4]...)
	for k, want := range [][]float64{{nan, 5, 0}, {nan, 4}, {nan, 2, -3}, {nan, 0}} {
		assert.Equal(t, fmt.Sprint(want), fmt.Sprint(got[k]), "output %d", k)
	}

	// Tied elements share the derivative.
	d, err := g.Grad(b.Sum(b.MaxAxis(A, 1)), A)
	require.NoError(t, err)
	got = eval(t, g, [][]float64{{1, 5, 5, 4, 4, 4}}, d[0])
	assert.InDeltaSlice(t, []float64{0, 0.5, 0.5, 1.0 / 3, 1.0 / 3, 1.0 / 3}, got[0], 1e-15)

	assert.Equal(t, "max(A, axis=0)", g.Format(outs[0]))
	assert.Equal(t, "logsumexp(A, 1)", g.Format(outs[5]))
	elementwise, err := g.Call("max", A, g.Const(1))
	require.NoError(t, err)
	assert.Equal(t, "max(A, 1)", g.Format(elementwise), "max of two arguments is elementwise")
	_, err = g.CallAxis("sin", A, 0)
	assert.EqualError(t, err, "sin has no axis argument")
}

// TestStructureValues checks the structural operations on matrices against
// their definitions.
func TestStructureValues(t *testing.T) {
	b := NewBuilder()
	A := b.Var("A", Matrix(3, 3))
	v := b.Var("v", Vector(6))
	outs := []Node{
		b.Index(A, 1), b.Slice(A, None, None, 2), b.Index(b.Transpose(A), -1), b.Diag(A), b.Diag(b.Index(A, 0)),
		b.Tril(v, 3, 0), b.Tril(b.Slice(v, None, 3, None), 3, -1), b.Tril(b.Concat(v, b.Slice(v, None, 2, None)), 3, 1),
		b.TrilVec(A, 0), b.TrilVec(A, -1), b.VStack(b.Index(A, 2), b.Slice(A, None, 2, None)),
		b.Scatter(b.Slice(A, 1, None, None), 5, 0, 3),
	}
	require.NoError(t, b.Err())
	got := eval(t, b.Graph(), [][]float64{{1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 20, 30, 40, 50, 60}}, outs...)
	assert.Equal(t, [][]float64{
		{4, 5, 6},
		{1, 2, 3, 7, 8, 9},
		{3, 6, 9},
		{1, 5, 9},
		{1, 0, 0, 0, 2, 0, 0, 0, 3},
		{10, 0, 0, 20, 30, 0, 40, 50, 60},
		{0, 0, 0, 10, 0, 0, 20, 30, 0},
		{10, 20, 0, 30, 40, 50, 60, 10, 20},
		{1, 4, 5, 7, 8, 9},
		{4, 7, 8},
		{7, 8, 9, 1, 2, 3, 4, 5, 6},
		{4, 5, 6, 0, 0, 0, 0, 0, 0, 7, 8, 9, 0, 0, 0},
	}, got)
	for k, want := range []Shape{Vector(3), Matrix(2, 3), Vector(3), Vector(3), Matrix(3, 3)} {
		assert.Equal(t, want, b.Graph().Shape(outs[k]), "output %d", k)
	}
	_, err := b.Graph().call(OpTril, []Node{v}, 4, 0)
	assert.EqualError(t, err, "shape mismatch in tril: vector(6) (the triangle of diagonal 0 of a 4×4 matrix has 10 entries)")
	_, err = b.Graph().call(OpTril, []Node{v}, 3, -3)
	assert.EqualError(t, err, "tril: a 3×3 triangle has no diagonal -3")
	_, err = b.Graph().call(OpDiag, []Node{b.Slice(A, 1, None, None)})
	assert.EqualError(t, err, "shape mismatch in diag: matrix(2×3) (diag takes a vector or a square matrix)")
}

// TestMatrixHessian checks the dense Hessian of a function of a matrix,
// built as nodes element by element, against the one built from HVPs.
func TestMatrixHessian(t *testing.T) {
	b := NewBuilder()
	W := b.Var("W", Matrix(2, 3))
	u := b.Var("u", Vector(3))
	f, err := b.Func(b.Add(b.LogSumExp(b.MatMul(W, b.Transpose(W))), b.Sum(b.Tanh(b.MatMul(W, u)))))
	require.NoError(t, err)
	x := []float64{0.1, -0.4, 0.3, 0.9, -1, 2, 0.5, 0.2, -0.3}
	a, h := mat.NewSymDense(9, nil), mat.NewSymDense(9, nil)
	require.NoError(t, f.hessianSymbolic(x, a))
	require.NoError(t, f.hessianByHVP(x, h, make([]float64, 18)))
	assert.True(t, mat.EqualApprox(a, h, 1e-12), "symbolic\n%v\nby HVP\n%v", mat.Formatted(a), mat.Formatted(h))
}

// skipIfPooledBuffersAllocate skips a test of allocations under -race:
// the pure-Go build's matrix kernel keeps its packing buffers in a
// sync.Pool, which the race detector empties at random.
func skipIfPooledBuffersAllocate(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("under -race, sync.Pool drops the matrix kernel's packing buffers at random")
	}
}
