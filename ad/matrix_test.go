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
	{"reshape", func(b *Builder, v matrixVars) Node {
		m, n := b.Graph().Shape(v.A).Dim(0), b.Graph().Shape(v.A).Dim(1)
		return b.Sum(b.Mul(b.Reshape(b.Mul(v.A, v.A), n, m), b.Reshape(v.B, n, m)))
	}},
	{"flatten", func(b *Builder, v matrixVars) Node {
		s := b.Graph().Shape(v.A)
		return b.Dot(b.Reshape(b.Exp(v.A), s.Len(), 1), b.Reshape(b.Mul(v.B, v.c), s.Len(), 1))
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
