package ad

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

// eval compiles outs and runs them on in, returning copies of the outputs.
func eval(t testing.TB, g *Graph, in [][]float64, outs ...Node) [][]float64 {
	t.Helper()
	p, err := g.Compile(outs...)
	require.NoError(t, err)
	ws := p.NewWorkspace()
	require.NoError(t, p.Run(ws, in))
	res := make([][]float64, len(outs))
	for k := range outs {
		res[k] = append([]float64(nil), ws.Output(k)...)
	}
	return res
}

func TestWorkedExampleGradient(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	y, _ := g.Var("y", Scalar())
	x2, _ := g.Pow(x, g.Const(2))
	y2, _ := g.Pow(y, g.Const(2))
	f, _ := g.Add(x2, y2)
	grad, err := g.Grad(f, x, y)
	require.NoError(t, err)
	out := eval(t, g, [][]float64{{1}, {1}}, f, grad[0], grad[1])
	assert.Equal(t, 2.0, out[0][0])
	assert.Equal(t, []float64{2}, out[1])
	assert.Equal(t, []float64{2}, out[2])
	assert.InDelta(t, 2*math.Sqrt2, math.Hypot(out[1][0], out[2][0]), 1e-15)
	// The printed gradient is the textbook one.
	assert.Equal(t, "2 * x", g.Format(grad[0]))

	// -(x² + y²) + 4 has gradient (-2x, -2y).
	h, _ := g.Neg(f)
	h, _ = g.Add(h, g.Const(4))
	gh, _ := g.Grad(h, x, y)
	out = eval(t, g, [][]float64{{0.5}, {-3}}, gh[0], gh[1])
	assert.Equal(t, [][]float64{{-1}, {6}}, out)
}

// unaryCases gives each one-argument function its closed-form derivative
// and points inside its domain.
var unaryCases = []struct {
	name string
	f    func(float64) float64
	d    func(float64) float64
	at   []float64
}{
	{"sin", math.Sin, math.Cos, []float64{-2, 0, 0.3, 4}},
	{"cos", math.Cos, func(x float64) float64 { return -math.Sin(x) }, []float64{-2, 0, 0.3, 4}},
	{"tan", math.Tan, func(x float64) float64 { return 1 / (math.Cos(x) * math.Cos(x)) }, []float64{-1, 0, 0.3, 1.2}},
	{"asin", math.Asin, func(x float64) float64 { return 1 / math.Sqrt(1-x*x) }, []float64{-0.9, 0, 0.5}},
	{"acos", math.Acos, func(x float64) float64 { return -1 / math.Sqrt(1-x*x) }, []float64{-0.9, 0, 0.5}},
	{"atan", math.Atan, func(x float64) float64 { return 1 / (1 + x*x) }, []float64{-3, 0, 0.5, 10}},
	{"sinh", math.Sinh, math.Cosh, []float64{-2, 0, 1.5}},
	{"cosh", math.Cosh, math.Sinh, []float64{-2, 0, 1.5}},
	{"tanh", math.Tanh, func(x float64) float64 { return 1 / (math.Cosh(x) * math.Cosh(x)) }, []float64{-2, 0, 1.5}},
	{"exp", math.Exp, math.Exp, []float64{-3, 0, 2}},
	{"log", math.Log, func(x float64) float64 { return 1 / x }, []float64{0.1, 1, 7}},
	{"log1p", math.Log1p, func(x float64) float64 { return 1 / (1 + x) }, []float64{-0.5, 0, 3}},
	{"expm1", math.Expm1, math.Exp, []float64{-3, 0, 2}},
	{"sqrt", math.Sqrt, func(x float64) float64 { return 0.5 / math.Sqrt(x) }, []float64{0.25, 1, 9}},
	{"abs", math.Abs, func(x float64) float64 { return math.Copysign(1, x) * boolf(x != 0) }, []float64{-2, 0, 3}},
	{"sigmoid", func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
		func(x float64) float64 { s := 1 / (1 + math.Exp(-x)); return s * (1 - s) }, []float64{-30, -1, 0, 2, 40}},
	{"softplus", func(x float64) float64 { return math.Log(1 + math.Exp(x)) },
		func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, []float64{-20, -1, 0, 2, 30}},
	{"sign", func(x float64) float64 { return math.Copysign(1, x) * boolf(x != 0) }, func(float64) float64 { return 0 }, []float64{-2, 0, 3}},
	// step(0) = step(-0) = 1: see docs/language.md.
	{"step", func(x float64) float64 { return boolf(x >= 0) }, func(float64) float64 { return 0 }, []float64{-2, 0, math.Copysign(0, -1), 3}},
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestUnaryDerivatives(t *testing.T) {
	for _, c := range unaryCases {
		t.Run(c.name, func(t *testing.T) {
			// Scalar form.
			for _, at := range c.at {
				g := NewGraph()
				x, _ := g.Var("x", Scalar())
				y, err := g.Call(c.name, x)
				require.NoError(t, err)
				d, err := g.Grad(y, x)
				require.NoError(t, err)
				out := eval(t, g, [][]float64{{at}}, y, d[0])
				assert.InDelta(t, c.f(at), out[0][0], 1e-12*(1+math.Abs(c.f(at))), "f(%v)", at)
				assert.InDelta(t, c.d(at), out[1][0], 1e-12*(1+math.Abs(c.d(at))), "f'(%v)", at)
			}
			// Vector form: the gradient of sum(f(x)) is f'(x) elementwise.
			g := NewGraph()
			x, _ := g.Var("x", Vector(len(c.at)))
			y, _ := g.Call(c.name, x)
			s, _ := g.Call("sum", y)
			d, _ := g.Grad(s, x)
			out := eval(t, g, [][]float64{c.at}, d[0])
			for i, at := range c.at {
				assert.InDelta(t, c.d(at), out[0][i], 1e-12*(1+math.Abs(c.d(at))), "f'(%v)", at)
			}
		})
	}
}

// TestStepVector checks step's vector kernel against the scalar step, bit
// for bit, on the values where step's cases meet, and through a program.
func TestStepVector(t *testing.T) {
	x := []float64{-2, math.Copysign(0, -1), 0, 3, -math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64,
		math.Inf(-1), math.Inf(1), math.NaN()}
	ws := &Workspace{v: [][]float64{make([]float64, len(x)), x}}
	stepV(ws, &instr{dst: 0, a: 1})
	for i, v := range x {
		assert.Equal(t, math.Float64bits(step(v)), math.Float64bits(ws.v[0][i]), "step(%v)", v)
	}

	finite := x[:6]
	g := NewGraph()
	xv, _ := g.Var("x", Vector(len(finite)))
	y, err := g.Call("step", xv)
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 1, 1, 1, 0, 1}, eval(t, g, [][]float64{finite}, y)[0])
}

var binaryCases = []struct {
	name   string
	f      func(a, b float64) float64
	da, db func(a, b float64) float64
	at     [][2]float64
}{
	{"+", func(a, b float64) float64 { return a + b }, func(a, b float64) float64 { return 1 }, func(a, b float64) float64 { return 1 }, [][2]float64{{1, 2}}},
	{"-", func(a, b float64) float64 { return a - b }, func(a, b float64) float64 { return 1 }, func(a, b float64) float64 { return -1 }, [][2]float64{{1, 2}}},
	{"*", func(a, b float64) float64 { return a * b }, func(a, b float64) float64 { return b }, func(a, b float64) float64 { return a }, [][2]float64{{1.5, -2}}},
	{"/", func(a, b float64) float64 { return a / b }, func(a, b float64) float64 { return 1 / b }, func(a, b float64) float64 { return -a / (b * b) }, [][2]float64{{1.5, -2}, {3, 0.25}}},
	{"pow", math.Pow, func(a, b float64) float64 { return b * math.Pow(a, b-1) }, func(a, b float64) float64 { return math.Pow(a, b) * math.Log(a) }, [][2]float64{{1.5, 2}, {2, 0.5}, {0.7, -1.3}, {3, 3}}},
	{"atan2", math.Atan2, func(a, b float64) float64 { return b / (a*a + b*b) }, func(a, b float64) float64 { return -a / (a*a + b*b) }, [][2]float64{{1, 2}, {-1, -0.5}}},
	{"hypot", math.Hypot, func(a, b float64) float64 { return a / math.Hypot(a, b) }, func(a, b float64) float64 { return b / math.Hypot(a, b) }, [][2]float64{{3, 4}, {-1, 0.5}}},
	// On ties min and max give the derivative to the first argument.
	{"min", math.Min, func(a, b float64) float64 { return boolf(a <= b) }, func(a, b float64) float64 { return boolf(a > b) }, [][2]float64{{1, 2}, {3, -1}, {2, 2}}},
	{"max", math.Max, func(a, b float64) float64 { return boolf(a >= b) }, func(a, b float64) float64 { return boolf(a < b) }, [][2]float64{{1, 2}, {3, -1}, {2, 2}}},
}

func (g *Graph) apply2(name string, a, b Node) (Node, error) {
	switch name {
	case "+":
		return g.Add(a, b)
	case "-":
		return g.Sub(a, b)
	case "*":
		return g.Mul(a, b)
	case "/":
		return g.Div(a, b)
	}
	return g.Call(name, a, b)
}

func TestBinaryDerivatives(t *testing.T) {
	for _, c := range binaryCases {
		t.Run(c.name, func(t *testing.T) {
			for _, at := range c.at {
				a0, b0 := at[0], at[1]
				g := NewGraph()
				a, _ := g.Var("a", Scalar())
				b, _ := g.Var("b", Scalar())
				y, err := g.apply2(c.name, a, b)
				require.NoError(t, err)
				d, err := g.Grad(y, a, b)
				require.NoError(t, err)
				out := eval(t, g, [][]float64{{a0}, {b0}}, y, d[0], d[1])
				assert.InDelta(t, c.f(a0, b0), out[0][0], 1e-12)
				assert.InDelta(t, c.da(a0, b0), out[1][0], 1e-12, "∂a at %v", at)
				assert.InDelta(t, c.db(a0, b0), out[2][0], 1e-12, "∂b at %v", at)

				// Broadcast: a vector a against a scalar b. The gradient of
				// sum(f(a, b)) is f_a elementwise for a and Σ f_b for b.
				g = NewGraph()
				va, _ := g.Var("a", Vector(3))
				b, _ = g.Var("b", Scalar())
				y, _ = g.apply2(c.name, va, b)
				s, _ := g.Call("sum", y)
				d, _ = g.Grad(s, va, b)
				out = eval(t, g, [][]float64{{a0, a0, a0}, {b0}}, d[0], d[1])
				assert.InDeltaSlice(t, []float64{c.da(a0, b0), c.da(a0, b0), c.da(a0, b0)}, out[0], 1e-12)
				assert.InDelta(t, 3*c.db(a0, b0), out[1][0], 1e-11)

				// And a scalar a against a vector b.
				g = NewGraph()
				a, _ = g.Var("a", Scalar())
				vb, _ := g.Var("b", Vector(2))
				y, _ = g.apply2(c.name, a, vb)
				s, _ = g.Call("sum", y)
				d, _ = g.Grad(s, a, vb)
				out = eval(t, g, [][]float64{{a0}, {b0, b0}}, d[0], d[1])
				assert.InDelta(t, 2*c.da(a0, b0), out[0][0], 1e-11)
				assert.InDeltaSlice(t, []float64{c.db(a0, b0), c.db(a0, b0)}, out[1], 1e-12)
			}
		})
	}
}

func TestVectorOpDerivatives(t *testing.T) {
	xv := []float64{0.5, -1, 2, 3, -0.25}
	lse := math.Log(math.Exp(0.5) + math.Exp(-1) + math.Exp(2) + math.Exp(3) + math.Exp(-0.25))
	softmax := make([]float64, len(xv))
	for i, v := range xv {
		softmax[i] = math.Exp(v - lse)
	}
	cases := []struct {
		name  string
		build func(g *Graph, x Node) (Node, error)
		value float64
		grad  []float64
	}{
		{"sum", func(g *Graph, x Node) (Node, error) { return g.Call("sum", x) }, 4.25, []float64{1, 1, 1, 1, 1}},
		{"mean", func(g *Graph, x Node) (Node, error) { return g.Call("mean", x) }, 0.85, []float64{0.2, 0.2, 0.2, 0.2, 0.2}},
		{"dot", func(g *Graph, x Node) (Node, error) { return g.Call("dot", x, x) }, 14.3125, []float64{1, -2, 4, 6, -0.5}},
		{"norm", func(g *Graph, x Node) (Node, error) { return g.Call("norm", x) }, math.Sqrt(14.3125),
			[]float64{0.5 / math.Sqrt(14.3125), -1 / math.Sqrt(14.3125), 2 / math.Sqrt(14.3125), 3 / math.Sqrt(14.3125), -0.25 / math.Sqrt(14.3125)}},
		{"logsumexp", func(g *Graph, x Node) (Node, error) { return g.Call("logsumexp", x) }, lse, softmax},
		{"max", func(g *Graph, x Node) (Node, error) { return g.Call("max", x) }, 3, []float64{0, 0, 0, 1, 0}},
		{"min", func(g *Graph, x Node) (Node, error) { return g.Call("min", x) }, -1, []float64{0, 1, 0, 0, 0}},
		{"index", func(g *Graph, x Node) (Node, error) { return g.Index(x, -2) }, 3, []float64{0, 0, 0, 1, 0}},
		{"slice-step", func(g *Graph, x Node) (Node, error) {
			s, err := g.Slice(x, None, None, 2)
			if err != nil {
				return Node{}, err
			}
			return g.Call("sum", s)
		}, 2.25, []float64{1, 0, 1, 0, 1}},
		{"slice-reverse", func(g *Graph, x Node) (Node, error) {
			s, _ := g.Slice(x, 3, 0, -1) // x[3], x[2], x[1]
			r, _ := g.Range(3)           // 0, 1, 2
			return g.Call("dot", s, r)
		}, 0*3 + 1*2 + 2*-1, []float64{0, 2, 1, 0, 0}},
		// Σ i·(x0 + … + xi): the gradient's entry j is Σ_{i ≥ j} i.
		{"cumsum", func(g *Graph, x Node) (Node, error) {
			c, err := g.Call("cumsum", x)
			if err != nil {
				return Node{}, err
			}
			r, _ := g.Range(5)
			return g.Call("dot", c, r)
		}, 1*(0.5-1) + 2*(0.5-1+2) + 3*(0.5-1+2+3) + 4*(0.5-1+2+3-0.25), []float64{10, 10, 9, 7, 4}},
		{"concat", func(g *Graph, x Node) (Node, error) {
			h, _ := g.Slice(x, 1, 3, None)
			c, err := g.Concat(x, h, g.Const(7))
			if err != nil {
				return Node{}, err
			}
			sq, _ := g.Mul(c, c)
			return g.Call("sum", sq)
		}, 14.3125 + 1 + 4 + 49, []float64{1, -4, 8, 6, -0.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewGraph()
			x, _ := g.Var("x", Vector(len(xv)))
			y, err := c.build(g, x)
			require.NoError(t, err)
			d, err := g.Grad(y, x)
			require.NoError(t, err)
			out := eval(t, g, [][]float64{xv}, y, d[0])
			assert.InDelta(t, c.value, out[0][0], 1e-12)
			assert.InDeltaSlice(t, c.grad, out[1], 1e-12)
		})
	}
}

func TestTiesShareGradient(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(4))
	m, _ := g.Call("max", x)
	d, _ := g.Grad(m, x)
	out := eval(t, g, [][]float64{{1, 5, 5, 2}}, d[0])
	assert.Equal(t, []float64{0, 0.5, 0.5, 0}, out[0])
}

func TestLogSumExpIsStable(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(3))
	y, _ := g.Call("logsumexp", x)
	out := eval(t, g, [][]float64{{1000, 1000, -1000}}, y)
	assert.InDelta(t, 1000+math.Log(2), out[0][0], 1e-12)
}

func TestHashConsing(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	x2, _ := g.Var("x", Scalar())
	assert.Equal(t, x, x2, "same variable")
	a, _ := g.Call("sin", x)
	b, _ := g.Call("sin", x)
	assert.Equal(t, a, b)
	s1, _ := g.Add(a, x)
	s2, _ := g.Add(b, x)
	assert.Equal(t, s1, s2)
	n := g.Len()
	_, _ = g.Add(a, x)
	assert.Equal(t, n, g.Len(), "no new node for an existing expression")
	c1 := g.Const(2.5)
	assert.Equal(t, c1, g.Const(2.5))
	assert.NotEqual(t, g.Const(0), g.Const(math.Copysign(0, -1)), "0 and -0 differ")
	_, err := g.Var("x", Vector(2))
	assert.EqualError(t, err, `variable "x" is scalar, not vector(2)`)
}

func TestConstantFolding(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	two, _ := g.Add(g.Const(1), g.Const(1))
	v, ok := g.ConstValue(two)
	assert.True(t, ok)
	assert.Equal(t, 2.0, v)
	p, _ := g.Pow(g.Const(2), g.Const(10))
	v, _ = g.ConstValue(p)
	assert.Equal(t, 1024.0, v)
	s, _ := g.Call("sin", g.Const(0))
	v, _ = g.ConstValue(s)
	assert.Equal(t, 0.0, v)
	r, _ := g.Range(4)
	sum, _ := g.Call("sum", r)
	v, _ = g.ConstValue(sum)
	assert.Equal(t, 6.0, v)

	// Identities.
	for _, c := range []struct {
		build func() (Node, error)
		want  Node
	}{
		{func() (Node, error) { return g.Add(x, g.Const(0)) }, x},
		{func() (Node, error) { return g.Mul(g.Const(1), x) }, x},
		{func() (Node, error) { return g.Pow(x, g.Const(1)) }, x},
		{func() (Node, error) { return g.Div(x, g.Const(1)) }, x},
		{func() (Node, error) { return g.Mul(x, g.Const(0)) }, g.Const(0)},
		{func() (Node, error) { n, _ := g.Neg(x); return g.Neg(n) }, x},
	} {
		n, err := c.build()
		require.NoError(t, err)
		assert.Equal(t, c.want, n, g.Format(n))
	}
	m, _ := g.Mul(x, g.Const(3))
	assert.Equal(t, "3 * x", g.Format(m), "constants go first")
	m2, _ := g.Mul(g.Const(2), m)
	assert.Equal(t, "6 * x", g.Format(m2), "constant factors combine")
}

func TestErrors(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(3))
	y, _ := g.Var("y", Vector(4))
	s, _ := g.Var("s", Scalar())
	_, err := g.Add(x, y)
	assert.EqualError(t, err, "shape mismatch in add: vector(3) and vector(4)")
	var se *ShapeError
	assert.ErrorAs(t, err, &se)
	_, err = g.Call("dot", x, y)
	assert.EqualError(t, err, "shape mismatch in dot: vector(3) and vector(4)")
	_, err = g.Index(x, 3)
	assert.EqualError(t, err, "index 3 out of range for vector(3)")
	_, err = g.Index(x, -4)
	assert.EqualError(t, err, "index -4 out of range for vector(3)")
	_, err = g.Index(s, 0)
	assert.EqualError(t, err, "cannot index a scalar")
	_, err = g.Slice(x, 2, 1, None)
	assert.EqualError(t, err, "slice [2:1:1] of vector(3) is empty")
	_, err = g.Slice(x, None, None, 0)
	assert.EqualError(t, err, "slice step cannot be zero")
	_, err = g.Grad(x, x)
	assert.EqualError(t, err, "gradient of a non-scalar output (vector(3)): use VJP or Jacobian")
	_, err = g.Call("sin", x, x)
	assert.EqualError(t, err, "sin takes 1 argument, got 2")
	_, err = g.Call("nope", x)
	assert.EqualError(t, err, `unknown function "nope"`)
	sx, _ := g.Call("sum", x)
	_, err = g.Grad(sx, sx)
	assert.ErrorContains(t, err, "with respect to variables")
	_, err = g.Var("z", Vector(0))
	assert.EqualError(t, err, `variable "z": vector length 0 must be at least 1`)

	other := NewGraph()
	ox, _ := other.Var("x", Scalar())
	_, err = g.Add(s, ox)
	assert.ErrorIs(t, err, ErrForeignNode)
	_, err = g.Grad(sx, ox)
	assert.ErrorIs(t, err, ErrForeignNode)
	_, err = g.Compile(ox)
	assert.ErrorIs(t, err, ErrForeignNode)
	_, err = g.Add(Node{}, s)
	assert.ErrorIs(t, err, ErrForeignNode)

	p, _ := g.Compile(sx)
	ws := p.NewWorkspace()
	assert.EqualError(t, p.Run(ws, [][]float64{{1, 2}}), "program takes 3 inputs, got 1")
	assert.EqualError(t, p.Run(ws, [][]float64{{1, 2}, {1, 2, 3, 4}, {1}}), `input "x" is vector(3) but got 2 values`)
}

func TestSliceSemantics(t *testing.T) {
	// Python's rules on a vector 0..9.
	cases := []struct {
		start, stop, step int
		want              []float64
	}{
		{1, None, None, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{None, -1, None, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{None, None, 2, []float64{0, 2, 4, 6, 8}},
		{1, 8, 3, []float64{1, 4, 7}},
		{None, None, -1, []float64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{-3, None, None, []float64{7, 8, 9}},
		{-100, 2, None, []float64{0, 1}},
		{8, -100, -3, []float64{8, 5, 2}},
		{5, 100, None, []float64{5, 6, 7, 8, 9}},
	}
	for _, c := range cases {
		g := NewGraph()
		x, _ := g.Var("x", Vector(10))
		s, err := g.Slice(x, c.start, c.stop, c.step)
		require.NoError(t, err)
		r, _ := g.Range(10)
		out := eval(t, g, [][]float64{must(g.Range(10)).constData(g)}, s)
		_ = r
		assert.Equal(t, c.want, out[0], "[%s:%s:%s]", bound(c.start), bound(c.stop), bound(c.step))
	}
}

func (n Node) constData(g *Graph) []float64 { return g.at(n).vec }

func TestNonFiniteExplained(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	xm, _ := g.Sub(x, g.Const(1))
	l, _ := g.Call("log", xm)
	f, _ := g.Mul(l, g.Const(2))
	p, _ := g.Compile(f)
	ws := p.NewWorkspace()
	err := p.RunChecked(ws, [][]float64{{0.7}})
	var nf *NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "log", nf.Op)
	assert.Equal(t, "log(x - 1)", nf.Expr)
	assert.InDelta(t, -0.3, nf.Args[0], 1e-15)
	assert.True(t, math.IsNaN(nf.Value))
	assert.Contains(t, err.Error(), "log(x - 1) is NaN: log got -0.3")
	assert.NoError(t, p.RunChecked(ws, [][]float64{{2}}))

	// A vector: the first element that went non-finite.
	g = NewGraph()
	v, _ := g.Var("v", Vector(3))
	q, _ := g.Call("sqrt", v)
	s, _ := g.Call("sum", q)
	d, _ := g.Grad(s, v)
	p, _ = g.Compile(s, d[0])
	ws = p.NewWorkspace()
	err = p.RunChecked(ws, [][]float64{{4, 0, 1}})
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, []float64{0.25, math.Inf(1), 0.5}, ws.Output(1), "outputs stay valid")
	assert.Equal(t, 1, nf.Index)
	assert.True(t, math.IsInf(nf.Value, 1))
	assert.Equal(t, "div", nf.Op)

	err = p.RunChecked(ws, [][]float64{{4, math.NaN(), 1}})
	assert.EqualError(t, err, "input v[1] is NaN")

	// In a fused group (a long vector), the member and the element.
	g = NewGraph()
	v, _ = g.Var("v", Vector(5000))
	lg := g.un(OpLog, g.mul(g.Const(2), v))
	s = g.reduce(OpSum, g.mul(lg, lg))
	p, _ = g.Compile(s)
	require.NotNil(t, p.code[0].fused, "the program fuses")
	ws = p.NewWorkspace()
	in := make([]float64, 5000)
	for i := range in {
		in[i] = 1
	}
	in[3000] = -1
	err = p.RunChecked(ws, [][]float64{in})
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "log", nf.Op)
	assert.Equal(t, 3000, nf.Index)
	assert.Equal(t, []float64{-2}, nf.Args)
	assert.True(t, math.IsNaN(ws.Scalar(0)))

	// A constant that folded to infinity.
	g = NewGraph()
	inf, _ := g.Div(g.Const(1), g.Const(0))
	p, _ = g.Compile(inf)
	err = p.RunChecked(p.NewWorkspace(), nil)
	assert.EqualError(t, err, "the constant 1/0 is +Inf")
}

// TestNonFiniteInputFoldedAway checks that a non-finite input is reported
// the same way whether the graph folded it away (0·x is 0) or not (x - x
// is NaN).
func TestNonFiniteInputFoldedAway(t *testing.T) {
	for _, tt := range []struct {
		name  string
		build func(g *Graph, x Node) Node
	}{
		{"x*0", func(g *Graph, x Node) Node { return g.mul(x, g.Const(0)) }},
		{"0/x", func(g *Graph, x Node) Node { return g.div(g.Const(0), x) }},
		{"x^0", func(g *Graph, x Node) Node { return g.bin(OpPow, x, g.Const(0)) }},
		{"x-x", func(g *Graph, x Node) Node { return g.sub(x, x) }},
	} {
		for _, in := range []struct {
			v    []float64
			want string
		}{
			{[]float64{1, math.NaN()}, "input x[1] is NaN"},
			{[]float64{math.Inf(-1), 1}, "input x[0] is -Inf"},
		} {
			g := NewGraph()
			x, _ := g.Var("x", Vector(2))
			y := g.reduce(OpSum, tt.build(g, x))
			d, err := g.Grad(y, x)
			require.NoError(t, err)
			p, err := g.Compile(y, d[0])
			require.NoError(t, err)
			ws := p.NewWorkspace()
			err = p.RunChecked(ws, [][]float64{in.v})
			var nf *NonFiniteError
			require.ErrorAs(t, err, &nf, tt.name)
			assert.EqualError(t, err, in.want, tt.name)
			assert.Equal(t, "input", nf.Op)
			assert.NoError(t, p.RunChecked(ws, [][]float64{{1, 2}}), tt.name)
		}
	}
}

func TestConstantInterning(t *testing.T) {
	g := NewGraph()
	nan1, _ := g.Call("acos", g.Const(2.5))
	nan2, _ := g.Div(g.Const(0), g.Const(0))
	assert.Equal(t, nan1, nan2, "one NaN")
	long := make([]float64, 1000)
	for i := range long {
		long[i] = float64(i) / 7
	}
	assert.Equal(t, g.ConstVec(long), g.ConstVec(append([]float64(nil), long...)), "long vectors intern too")
	other := append([]float64(nil), long...)
	other[999] = math.Copysign(0, -1)
	long[999] = 0
	assert.NotEqual(t, g.ConstVec(long), g.ConstVec(other), "bit for bit: 0 and -0 differ")
	r, _ := g.Range(100)
	r2, _ := g.Range(100)
	assert.Equal(t, r, r2)
}

func TestRunAllocatesNothing(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(3000))
	y, _ := g.Var("y", Scalar())
	xs, _ := g.Mul(x, y)
	e, _ := g.Call("exp", xs)
	s, _ := g.Call("logsumexp", e)
	d, _ := g.Grad(s, x, y)
	p, err := g.Compile(s, d[0], d[1])
	require.NoError(t, err)
	ws := p.NewWorkspace()
	in := [][]float64{make([]float64, 3000), {0.5}}
	allocs := testing.AllocsPerRun(20, func() { _ = p.Run(ws, in) })
	assert.Zero(t, allocs)
}

// TestConcurrentRuns runs one program from several goroutines, each with
// its own workspace; run it with -race.
func TestConcurrentRuns(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(5000))
	sq, _ := g.Mul(x, x)
	s, _ := g.Call("sum", sq)
	d, _ := g.Grad(s, x)
	p, err := g.Compile(s, d[0])
	require.NoError(t, err)
	done := make(chan []float64)
	for w := range 4 {
		go func() {
			ws := p.NewWorkspace()
			in := make([]float64, 5000)
			for i := range in {
				in[i] = float64(w)
			}
			for range 10 {
				_ = p.Run(ws, [][]float64{in})
			}
			done <- []float64{float64(w), ws.Scalar(0), ws.Output(1)[17]}
		}()
	}
	for range 4 {
		r := <-done
		w := r[0]
		assert.Equal(t, 5000*w*w, r[1])
		assert.Equal(t, 2*w, r[2])
	}
}

func TestUnusedVariableGetsZero(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	v, _ := g.Var("v", Vector(3))
	y, _ := g.Mul(x, x)
	d, err := g.Grad(y, x, v)
	require.NoError(t, err)
	out := eval(t, g, [][]float64{{3}, {1, 2, 3}}, d[0], d[1])
	assert.Equal(t, [][]float64{{6}, {0, 0, 0}}, out)
}

// TestRandomGraphsAgainstCentralDifferences builds random expressions over
// every op (depth ≥ 6) and checks Grad against central differences.
func TestRandomGraphsAgainstCentralDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for trial := 0; checked < 300; trial++ {
		// Most random graphs are usable; running out of them is a failure,
		// not a hang.
		require.Less(t, trial, 3000, "only %d of %d random graphs could be checked", checked, trial)
		g := NewGraph()
		gen := newRandomExpr(g, rng, 4)
		y := gen.scalar(7)
		grad, err := g.Grad(y, gen.vars...)
		require.NoError(t, err)
		p, err := g.Compile(append([]Node{y}, grad...)...)
		require.NoError(t, err)
		ws := p.NewWorkspace()
		x0 := gen.point(rng)
		in := gen.split(x0)
		require.NoError(t, p.Run(ws, in))
		if !allFinite(ws.Output(0)) || math.Abs(ws.Scalar(0)) > 1e6 {
			continue
		}
		var ad []float64
		for k := range grad {
			ad = append(ad, ws.Output(k+1)...)
		}
		fws := p.NewWorkspace()
		f := func(x []float64) float64 {
			_ = p.Run(fws, gen.split(x))
			return fws.Scalar(0)
		}
		num := fd.Gradient(nil, f, x0, &fd.Settings{Formula: fd.Central, Step: 1e-6})
		ok := true
		for i := range ad {
			if !allFinite([]float64{num[i], ad[i]}) || math.Abs(num[i]) > 1e4 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		checked++
		for i := range ad {
			assert.InDelta(t, num[i], ad[i], 1e-4*(1+math.Abs(num[i])), "trial %d component %d of %s", trial, i, g.Format(y))
		}
	}
}
