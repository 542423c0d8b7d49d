package ad

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/internal/text"
)

func TestRosenbrockHessian(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	y, _ := g.Var("y", Scalar())
	f := must(g.Add(g.bin(OpPow, g.sub(g.Const(1), x), g.Const(2)),
		g.mul(g.Const(100), g.bin(OpPow, g.sub(y, g.bin(OpPow, x, g.Const(2))), g.Const(2)))))
	h, err := g.Hessian(f, x, y)
	require.NoError(t, err)
	vx, _ := g.Var("vx", Scalar())
	vy, _ := g.Var("vy", Scalar())
	hv, err := g.HVP(f, []Node{x, y}, []Node{vx, vy})
	require.NoError(t, err)
	for _, p := range [][2]float64{{-1.2, 1}, {1, 1}, {0.3, -2}} {
		x0, y0 := p[0], p[1]
		want := [][]float64{{1200*x0*x0 - 400*y0 + 2, -400 * x0}, {-400 * x0, 200}}
		out := eval(t, g, [][]float64{{x0}, {y0}, {0}, {0}}, h[0][0], h[0][1], h[1][0], h[1][1])
		assert.InDelta(t, want[0][0], out[0][0], 1e-9)
		assert.InDelta(t, want[0][1], out[1][0], 1e-9)
		assert.Equal(t, out[1][0], out[2][0], "symmetric")
		assert.InDelta(t, want[1][1], out[3][0], 1e-9)

		// HVP against the closed form Hessian times v.
		p, err := g.CompileWith([]Node{x, y, vx, vy}, hv...)
		require.NoError(t, err)
		ws := p.NewWorkspace()
		require.NoError(t, p.Run(ws, [][]float64{{x0}, {y0}, {0.5}, {-2}}))
		assert.InDelta(t, want[0][0]*0.5+want[0][1]*-2, ws.Scalar(0), 1e-9)
		assert.InDelta(t, want[1][0]*0.5+want[1][1]*-2, ws.Scalar(1), 1e-9)
	}
}

// TestVectorHVPWithoutDenseHessian checks the HVP of the extended
// Rosenbrock function against its hand-written form; the graph stays small
// whatever n is.
func TestVectorHVPWithoutDenseHessian(t *testing.T) {
	const n = 1000
	g := NewGraph()
	x, _ := g.Var("x", Vector(n))
	v, _ := g.Var("v", Vector(n))
	hi := must(g.Slice(x, 1, None, None))
	lo := must(g.Slice(x, None, -1, None))
	d := g.sub(hi, g.bin(OpPow, lo, g.Const(2)))
	e := g.sub(g.Const(1), lo)
	f := g.reduce(OpSum, g.add2(g.mul(g.Const(100), g.bin(OpPow, d, g.Const(2))), g.bin(OpPow, e, g.Const(2))))
	hv, err := g.HVP(f, []Node{x}, []Node{v})
	require.NoError(t, err)
	assert.Less(t, g.Len(), 100, "graph size does not grow with n")
	rng := rand.New(rand.NewPCG(3, 4))
	xs, vs := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i], vs[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	out := eval(t, g, [][]float64{xs, vs}, hv[0])
	want := make([]float64, n)
	for i := 0; i+1 < n; i++ {
		want[i] += (1200*xs[i]*xs[i]-400*xs[i+1]+2)*vs[i] - 400*xs[i]*vs[i+1]
		want[i+1] += -400*xs[i]*vs[i] + 200*vs[i+1]
	}
	assert.InDeltaSlice(t, want, out[0], 1e-9)
}

// TestJVPMatchesGradient checks JVP = ∇f·v and HVP = H·v on random graphs.
func TestJVPMatchesGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 150 {
		g := NewGraph()
		gen := newRandomExpr(g, rng, 3)
		y := gen.scalar(5)
		ta, _ := g.Var("ta", Scalar())
		tb, _ := g.Var("tb", Scalar())
		tv, _ := g.Var("tv", Vector(3))
		tans := []Node{ta, tb, tv}
		jvp, err := g.JVP([]Node{y}, gen.vars, tans)
		require.NoError(t, err)
		grad, err := g.Grad(y, gen.vars...)
		require.NoError(t, err)
		hv, err := g.JVP(grad, gen.vars, tans)
		require.NoError(t, err)
		h, err := g.Hessian(y, gen.vars...)
		require.NoError(t, err)
		outs := append([]Node{y, jvp[0]}, grad...)
		outs = append(outs, hv...)
		for _, row := range h {
			outs = append(outs, row...)
		}
		x0, t0 := gen.point(rng), gen.point(rng)
		in := append(gen.split(x0), gen.split(t0)...)
		res := eval(t, g, in, outs...)
		flat := func(rs [][]float64) []float64 {
			var v []float64
			for _, r := range rs {
				v = append(v, r...)
			}
			return v
		}
		gflat := flat(res[2:5])
		if !allFinite(flat(res)) {
			continue
		}
		dot := 0.0
		for i := range gflat {
			dot += gflat[i] * t0[i]
		}
		assert.InDelta(t, dot, res[1][0], 1e-9*(1+math.Abs(dot)), "trial %d: %s", trial, g.Format(y))
		hvflat := flat(res[5:8])
		hm := res[8:]
		for i := range hvflat {
			want := 0.0
			for j := range t0 {
				want += hm[i*len(t0)+j][0] * t0[j]
				assert.Equal(t, hm[i*len(t0)+j][0], hm[j*len(t0)+i][0], "symmetric")
			}
			assert.InDelta(t, want, hvflat[i], 1e-8*(1+math.Abs(want)), "trial %d row %d", trial, i)
		}
	}
}

func TestJacobian(t *testing.T) {
	// F(x0, x1) = [x0² x1, 5 x0 + sin x1, x0 x1]: more outputs than
	// inputs, so forward mode; F restricted to its first output element
	// and three inputs uses reverse mode.
	g := NewGraph()
	x, _ := g.Var("x", Vector(2))
	x0, x1 := g.index(x, 0), g.index(x, 1)
	F := must(g.Concat(g.mul(g.mul(x0, x0), x1), g.add2(g.mul(g.Const(5), x0), g.un(OpSin, x1)), g.mul(x0, x1)))
	J, err := g.Jacobian(F, x)
	require.NoError(t, err)
	require.Len(t, J, 3)
	var outs []Node
	for _, r := range J {
		outs = append(outs, r...)
	}
	a, b := 1.5, -0.5
	res := eval(t, g, [][]float64{{a, b}}, outs...)
	want := []float64{2 * a * b, a * a, 5, math.Cos(b), b, a}
	for k := range want {
		assert.InDelta(t, want[k], res[k][0], 1e-15, "entry %d", k)
	}

	z, _ := g.Var("z", Scalar())
	G := must(g.Concat(g.mul(x0, z), g.add2(x1, z)))
	J, err = g.Jacobian(G, x, z)
	require.NoError(t, err)
	outs = outs[:0]
	for _, r := range J {
		outs = append(outs, r...)
	}
	res = eval(t, g, [][]float64{{a, b}, {3}}, outs...)
	want = []float64{3, 0, a, 0, 1, 1}
	for k := range want {
		assert.InDelta(t, want[k], res[k][0], 1e-15, "entry %d", k)
	}
}

// TestHigherOrder differentiates up to order 4 by composing Grad.
func TestHigherOrder(t *testing.T) {
	cases := []struct {
		name  string
		build func(g *Graph, x Node) Node
		d     [5]func(x float64) float64 // f, f', f'', f''', f''''
	}{
		{"x^5", func(g *Graph, x Node) Node { return g.bin(OpPow, x, g.Const(5)) }, [5]func(float64) float64{
			func(x float64) float64 { return math.Pow(x, 5) },
			func(x float64) float64 { return 5 * math.Pow(x, 4) },
			func(x float64) float64 { return 20 * x * x * x },
			func(x float64) float64 { return 60 * x * x },
			func(x float64) float64 { return 120 * x },
		}},
		{"exp(2x)", func(g *Graph, x Node) Node { return g.un(OpExp, g.mul(g.Const(2), x)) }, [5]func(float64) float64{
			func(x float64) float64 { return math.Exp(2 * x) },
			func(x float64) float64 { return 2 * math.Exp(2*x) },
			func(x float64) float64 { return 4 * math.Exp(2*x) },
			func(x float64) float64 { return 8 * math.Exp(2*x) },
			func(x float64) float64 { return 16 * math.Exp(2*x) },
		}},
		{"sin(x)*x", func(g *Graph, x Node) Node { return g.mul(g.un(OpSin, x), x) }, [5]func(float64) float64{
			func(x float64) float64 { return x * math.Sin(x) },
			func(x float64) float64 { return math.Sin(x) + x*math.Cos(x) },
			func(x float64) float64 { return 2*math.Cos(x) - x*math.Sin(x) },
			func(x float64) float64 { return -3*math.Sin(x) - x*math.Cos(x) },
			func(x float64) float64 { return -4*math.Cos(x) + x*math.Sin(x) },
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewGraph()
			x, _ := g.Var("x", Scalar())
			ds := []Node{c.build(g, x)}
			for k := 1; k <= 4; k++ {
				d, err := g.Grad(ds[k-1], x)
				require.NoError(t, err)
				ds = append(ds, d[0])
			}
			for _, x0 := range []float64{-1.3, 0.4, 2} {
				res := eval(t, g, [][]float64{{x0}}, ds...)
				for k := range ds {
					want := c.d[k](x0)
					assert.InDelta(t, want, res[k][0], 1e-12*(1+math.Abs(want)), "order %d at %v", k, x0)
				}
			}
		})
	}
}

// TestDirectionalDerivativeFacts checks the textbook facts on x² + y² at
// (1, 1): the directional derivative vanishes along the contour's tangent
// and is largest, equal to |∇f| = 2√2, along ∇f/|∇f|.
func TestDirectionalDerivativeFacts(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	y, _ := g.Var("y", Scalar())
	f := g.add2(g.mul(x, x), g.mul(y, y))
	ux, _ := g.Var("ux", Scalar())
	uy, _ := g.Var("uy", Scalar())
	d, err := g.JVP([]Node{f}, []Node{x, y}, []Node{ux, uy})
	require.NoError(t, err)
	p, err := g.CompileWith([]Node{x, y, ux, uy}, d[0])
	require.NoError(t, err)
	ws := p.NewWorkspace()
	du := func(a float64) float64 {
		require.NoError(t, p.Run(ws, [][]float64{{1}, {1}, {math.Cos(a)}, {math.Sin(a)}}))
		return ws.Scalar(0)
	}
	assert.InDelta(t, 0, du(3*math.Pi/4), 1e-15, "along the tangent (-1, 1)/√2")
	assert.InDelta(t, 2*math.Sqrt2, du(math.Pi/4), 1e-15, "along the gradient")
	for k := range 360 {
		assert.LessOrEqual(t, du(float64(k)*math.Pi/180), 2*math.Sqrt2+1e-15)
	}
}

func TestEvalComplex(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	v, _ := g.Var("v", Vector(3))
	f := g.add2(g.mul(x, x), g.reduce(OpLogSumExp, g.mul(v, g.un(OpSin, x))))
	const h = 1e-30
	// The complex step gives the derivative in x to full precision.
	out, err := g.EvalComplex([]Node{f}, [][]complex128{{complex(0.7, h)}, {1, 2, 3}})
	require.NoError(t, err)
	d, _ := g.Grad(f, x)
	want := eval(t, g, [][]float64{{0.7}, {1, 2, 3}}, d[0])[0][0]
	assert.InDelta(t, want, imag(out[0][0])/h, 1e-15*math.Abs(want))

	a := g.un(OpAbs, x)
	_, err = g.EvalComplex([]Node{a}, [][]complex128{{1}, {1, 2, 3}})
	assert.ErrorIs(t, err, ErrNoComplex)
	assert.EqualError(t, err, "abs: no analytic complex form")
}

// TestComplexFormsCoverOps fails when an elementwise op has neither a
// complex form nor a place on the list of ops that have none.
func TestComplexFormsCoverOps(t *testing.T) {
	none := map[Op]bool{OpAbs: true, OpSign: true, OpStep: true, OpMin: true, OpMax: true}
	for op := Op(0); op < numOps; op++ {
		if ops[op].kind == kindElementwise {
			ok := ops[op].cplx != nil
			assert.True(t, ok != none[op], "%s: complex form or documented absence", ops[op].name)
		}
	}
}

// TestEveryOpHasBothRules fails when an op lacks its derivative rules.
func TestEveryOpHasBothRules(t *testing.T) {
	for op := OpNeg; op < numOps; op++ {
		in := ops[op]
		switch in.kind {
		case kindElementwise, kindReduce:
			assert.NotNil(t, in.partials, in.name)
		case kindLinear, kindBilinear:
			assert.NotNil(t, in.apply, in.name)
			assert.NotNil(t, in.transpose, in.name)
		case kindGeneral:
			assert.NotNil(t, in.jvp, in.name)
			assert.NotNil(t, in.vjp, in.name)
		default:
			t.Errorf("op %d has no kind", op)
		}
		assert.NotEmpty(t, in.name)
	}
}

func TestForwardErrors(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(3))
	s, _ := g.Var("s", Scalar())
	f := g.reduce(OpSum, x)
	_, err := g.JVP([]Node{f}, []Node{x}, []Node{s})
	assert.EqualError(t, err, "shape mismatch in JVP tangent for x: vector(3) and scalar")
	_, err = g.Hessian(x, x)
	assert.EqualError(t, err, "gradient of a non-scalar output (vector(3)): use VJP or Jacobian")
	big, _ := g.Var("big", Vector(1000))
	_, err = g.Hessian(g.reduce(OpSum, big), big)
	assert.EqualError(t, err, "Hessian of 1000 variables as nodes would need 1000000 entries: use HVP")
}

// TestFusedProgramsMatch runs random graphs over long vectors, where
// elementwise runs are fused into blocks, scaled kernels are merged and
// long groups are split across goroutines, and compares them with the same
// programs compiled without fusion.
func TestFusedProgramsMatch(t *testing.T) {
	const n = 40000
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 40 {
		g := NewGraph()
		gen := newRandomExpr(g, rng, n)
		y := gen.scalar(5)
		grad, err := g.Grad(y, gen.vars...)
		require.NoError(t, err)
		outs := append([]Node{y}, grad...)
		x0 := gen.point(rng)
		in := gen.split(x0)
		fused := eval(t, g, in, outs...)
		fusionOff = true
		plain := eval(t, g, in, outs...)
		fusionOff = false
		for k := range outs {
			for i := range fused[k] {
				a, b := fused[k][i], plain[k][i]
				same := math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-9*(1+math.Abs(b))
				if !same {
					t.Fatalf("trial %d output %d[%d]: fused %v, plain %v: %s", trial, k, i, a, b, text.Shorten(g.Format(y), 300))
				}
			}
		}
	}
}

func TestScaledKernelsMerge(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(3))
	y, _ := g.Var("y", Vector(3))
	// 3·(x·y) + (x − y)·(−2) − 5·x²: three scaled kernels and two
	// subtractions, five passes where there would be eight.
	a := g.mul(g.Const(3), g.mul(x, y))
	b := g.mul(g.sub(x, y), g.Const(-2))
	c := g.mul(g.Const(5), g.bin(OpPow, x, g.Const(2)))
	f := g.sub(g.add2(a, b), c)
	p, err := g.Compile(f)
	require.NoError(t, err)
	assert.Equal(t, 5, p.Len(), p.String())
	ws := p.NewWorkspace()
	require.NoError(t, p.Run(ws, [][]float64{{1, 2, 3}, {4, 5, 6}}))
	for i, xv := range []float64{1, 2, 3} {
		yv := []float64{4, 5, 6}[i]
		assert.Equal(t, 3*xv*yv-2*(xv-yv)-5*xv*xv, ws.Output(0)[i])
	}
}

// TestSquaresMerge checks that a ± b² and sum(a ± b²) are one pass each
// and compute what the square and the sum or difference computed apart
// do, bit for bit.
func TestSquaresMerge(t *testing.T) {
	const n = 1000
	rng := rand.New(rand.NewPCG(11, 12))
	as, bs := make([]float64, n), make([]float64, n)
	for i := range as {
		as[i], bs[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	sq := func(x float64) float64 { return float64(x * x) }
	tests := []struct {
		name  string
		build func(g *Graph, a, b Node) Node
		want  func(a, b float64) float64
	}{
		{"a - b²", func(g *Graph, a, b Node) Node { return g.sub(a, g.bin(OpPow, b, g.Const(2))) }, func(a, b float64) float64 { return a - sq(b) }},
		{"a + b²", func(g *Graph, a, b Node) Node { return g.add2(a, g.bin(OpPow, b, g.Const(2))) }, func(a, b float64) float64 { return a + sq(b) }},
		{"b² + a", func(g *Graph, a, b Node) Node { return g.add2(g.bin(OpPow, b, g.Const(2)), a) }, func(a, b float64) float64 { return sq(b) + a }},
	}
	for _, tt := range tests {
		for _, summed := range []bool{false, true} {
			g := NewGraph()
			a, _ := g.Var("a", Vector(n))
			b, _ := g.Var("b", Vector(n))
			y := tt.build(g, a, b)
			if summed {
				y = g.reduce(OpSum, y)
			}
			p, err := g.Compile(y)
			require.NoError(t, err)
			assert.Equal(t, 1, p.Len(), "%s, summed %v: one pass\n%s", tt.name, summed, p)
			ws := p.NewWorkspace()
			require.NoError(t, p.Run(ws, [][]float64{as, bs}))
			want := make([]float64, n)
			for i := range want {
				want[i] = tt.want(as[i], bs[i])
			}
			if summed {
				want = []float64{sum(want)}
			}
			for i, w := range want {
				require.Equal(t, math.Float64bits(w), math.Float64bits(ws.Output(0)[i]), "%s, summed %v, element %d", tt.name, summed, i)
			}
		}
	}
}
