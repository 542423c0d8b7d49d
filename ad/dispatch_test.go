package ad

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertSameBits runs singles on the registers regs, and step on a copy of
// them: every register must end with the same bits.
func assertSameBits(t *testing.T, singles []compact, step compact, regs []float64) {
	t.Helper()
	p, got := &Program{}, slices.Clone(regs)
	x := slices.Clone(regs)
	p.execute(&Workspace{s: regs}, append(slices.Clip(singles), compact{code: cEnd}))
	p.execute(&Workspace{s: got}, []compact{step, {code: cEnd}})
	for r := range regs {
		assert.Equal(t, math.Float64bits(regs[r]), math.Float64bits(got[r]), "code %d of %v at %v: register %d", step.code, singles, x, r)
	}
}

// TestPairsMatchSingleSteps runs every superinstruction and the two single
// steps it stands for on the same registers: both results must have the
// same bits.
func TestPairsMatchSingleSteps(t *testing.T) {
	// Registers 0 to 2 are the operands, 3 and 4 the results.
	operands := [][3]float64{{0.1, 0.2, 0.3}, {-1.2, 1, 100}, {1e308, 1e308, -1}, {math.Inf(1), 2, math.NaN()}, {3, 1e-300, 0}}
	const a, b, c, mid, dst = 0, 1, 2, 3, 4
	for row, first := range []code{cAddSS, cSubSS, cMulSS, cSqS} {
		for col := range pairSeconds {
			second := []compact{
				{code: cAddSS, dst: dst, a: mid, b: c}, {code: cAddSS, dst: dst, a: c, b: mid},
				{code: cSubSS, dst: dst, a: mid, b: c}, {code: cSubSS, dst: dst, a: c, b: mid},
				{code: cMulSS, dst: dst, a: mid, b: c}, {code: cMulSS, dst: dst, a: c, b: mid},
				{code: cSqS, dst: dst, a: mid},
			}[col]
			singles := []compact{{code: first, dst: mid, a: a, b: b}, second}
			if first == cSqS {
				singles[0].b = 0
			}
			pc, ok := pair(&singles[0], &singles[1])
			require.True(t, ok, "row %d col %d", row, col)
			require.Equal(t, row, pairRow(first))
			require.Equal(t, cAddAdd+code(row*pairSeconds+col), pc.code)
			for _, x := range operands {
				assertSameBits(t, singles, pc, append(x[:], 0, 0))
			}
		}
	}
}

// TestTriplesMatchSingleSteps forms every superinstruction of three steps
// from its single steps and runs both on the same registers: the results
// must have the same bits.
func TestTriplesMatchSingleSteps(t *testing.T) {
	// Registers 0 to 2 are the operands, 3 to 5 the results.
	operands := [][3]float64{{0.1, 0.2, 0.3}, {-1.2, 100, 1}, {1e200, 1e200, -1}, {math.Inf(1), -1, math.NaN()}, {3, 1e-300, -0.0}}
	const a, c, d, mid, mid2, dst = 0, 1, 2, 3, 4, 5
	sq := compact{code: cSqS, dst: mid, a: a}
	scale := compact{code: cMulSS, dst: mid2, a: c, b: mid}
	// The triple keeps its second result in b, which squaring leaves free.
	for want, add := range map[code]compact{
		cSqRMulRAdd: {code: cAddSS, dst: dst, a: d, b: mid2},
		cSqRMulAdd:  {code: cAddSS, dst: dst, a: mid2, b: d},
	} {
		singles := []compact{sq, scale, add}
		pc, ok := pair(&singles[0], &singles[1])
		require.True(t, ok)
		tc, ok := triple(pc, &singles[2])
		require.True(t, ok)
		require.Equal(t, want, tc.code)
		for _, x := range operands {
			assertSameBits(t, singles, tc, append(x[:], 0, 0, 0))
		}
	}
}

// TestDualsMatchSingleSteps runs every dual and the two single steps it
// stands for on the same registers, the second step reading the first's
// result, overwriting its operand or neither: both results must have the
// same bits.
func TestDualsMatchSingleSteps(t *testing.T) {
	// Registers 0 to 2 are the operands, 3 and 4 the results.
	operands := [][3]float64{{0.1, 0.2, 0.3}, {-1.2, 1, 100}, {1e308, 1e308, -1}, {math.Inf(1), 2, math.NaN()}, {3, 1e-300, -0.0}}
	ops := []code{cAddSS, cSubSS, cMulSS, cSqS, cMove}
	// The second step's destination and operands.
	seconds := [][3]uint32{{4, 2, 0}, {4, 3, 2}, {4, 1, 3}, {0, 3, 1}, {3, 3, 3}}
	for row, first := range ops {
		for col, second := range ops {
			for _, r := range seconds {
				singles := []compact{{code: first, dst: 3, a: 0, b: 1}, {code: second, dst: r[0], a: r[1], b: r[2]}}
				dc, ok := dual(&singles[0], &singles[1])
				require.True(t, ok)
				require.Equal(t, row, dualRow(first))
				require.Equal(t, cAddThenAdd+code(row*dualOps+col), dc.code)
				for _, x := range operands {
					assertSameBits(t, singles, dc, append(x[:], 0, 0))
				}
			}
		}
	}
}

// TestMovesFolded compiles the extended Rosenbrock gradient of two
// variables, whose sum of one term starts with a move: the step after it
// reads the move's source instead, and the results are right.
func TestMovesFolded(t *testing.T) {
	b := NewBuilder()
	x := b.Var("x", Vector(2))
	hi, lo := b.Slice(x, 1, None, 1), b.Slice(x, None, -1, 1)
	d := b.Sub(hi, b.Pow(lo, b.Const(2)))
	f := b.Sum(b.Add(b.Mul(b.Const(100), b.Pow(d, b.Const(2))), b.Pow(b.Sub(b.Const(1), lo), b.Const(2))))
	require.NoError(t, b.Err())
	grad, err := b.Graph().Grad(f, x)
	require.NoError(t, err)
	p, err := b.Graph().Compile(f, grad[0])
	require.NoError(t, err)
	// A move whose destination the next operation overwrites is left
	// neither alone nor as a dual's first.
	for i, st := range p.compact {
		if st.code == cMove && i+1 < len(p.compact) {
			assert.NotEqual(t, st.dst, p.compact[i+1].dst, "%s", p)
		}
		if st.code >= cMoveThenAdd {
			assert.NotEqual(t, st.mid, st.dst, "%s", p)
		}
	}
	ws := p.NewWorkspace()
	require.NoError(t, p.Run(ws, [][]float64{{-1.2, 1}}))
	assert.InDelta(t, 24.2, ws.Scalar(0), 1e-12)
	assert.InDeltaSlice(t, []float64{-215.6, -88}, ws.Output(1), 1e-12)
	assert.Panics(t, func() { ws.Scalar(1) }, "a vector")
}

// TestPairsFormed checks that the Rosenbrock gradient, twelve scalar
// instructions, runs in fewer steps.
func TestPairsFormed(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	y, _ := g.Var("y", Scalar())
	sq := func(a Node) Node { return g.bin(OpPow, a, g.Const(2)) }
	f := g.add2(sq(g.sub(g.Const(1), x)), g.mul(g.Const(100), sq(g.sub(y, sq(x)))))
	grad, err := g.Grad(f, x, y)
	require.NoError(t, err)
	p, err := g.Compile(append([]Node{f}, grad...)...)
	require.NoError(t, err)
	assert.Less(t, len(p.compact), p.Len()*3/4, "%s", p)
}

// randomGradProgram compiles a random scalar expression of three
// variables with its gradient, and returns the program and the generator
// that made the expression, which gives points for its inputs.
func randomGradProgram(t *testing.T, rng *rand.Rand) (*Program, *randomExpr) {
	t.Helper()
	g := NewGraph()
	gen := newRandomExpr(g, rng, 3)
	y := gen.scalar(5)
	grads, err := g.Grad(y, gen.vars...)
	require.NoError(t, err)
	p, err := g.Compile(append([]Node{y}, grads...)...)
	require.NoError(t, err)
	return p, gen
}

// TestCompactRunsLikeSingleSteps compares, bit for bit, random programs
// run by Run with the same programs run one instruction at a time.
func TestCompactRunsLikeSingleSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	for range 200 {
		p, gen := randomGradProgram(t, rng)
		in := gen.split(gen.point(rng))
		ws, ref := p.NewWorkspace(), p.NewWorkspace()
		require.NoError(t, p.Run(ws, in))
		require.NoError(t, p.load(ref, in))
		for k := range p.code {
			step := [2]compact{p.step(k), {code: cEnd}}
			p.execute(ref, step[:])
		}
		for k := range p.outLoc {
			want, got := ref.Output(k), ws.Output(k)
			for i := range want {
				require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "output %d of\n%s", k, p)
			}
		}
	}
}

// TestRegistersChecked makes sure that compiling proves every register
// index of the steps and the inputs inside the register file, which the
// unchecked accesses of arith and Run rely on: random programs with short
// vectors pass, and a step or an input moved one register past the end
// fails.
func TestRegistersChecked(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	for range 50 {
		p, _ := randomGradProgram(t, rng)
		require.NoError(t, p.checkRegisters())
		n := uint32(len(p.regInit))
		for i := range p.compact {
			if p.compact[i].code == cKernel {
				continue
			}
			a := p.compact[i].a
			p.compact[i].a = n
			assert.ErrorContains(t, p.checkRegisters(), "internal error", "step %d of\n%s", i, p)
			p.compact[i].a = a
		}
		if len(p.scalarIn) > 0 {
			r := p.scalarIn[0]
			p.scalarIn[0] = n
			assert.ErrorContains(t, p.checkRegisters(), "internal error")
			p.scalarIn[0] = r
		}
		require.NoError(t, p.checkRegisters())
	}
}

// TestShortSums runs two sums of a ± b over vectors in registers, each
// added up in the scratch register, and their product; every value is
// exact.
func TestShortSums(t *testing.T) {
	b := NewBuilder()
	v, u := b.Var("v", Vector(3)), b.Var("u", Vector(3))
	y := b.Mul(b.Sum(b.Add(v, b.Mul(b.Const(2), u))), b.Sum(b.Sub(u, b.Mul(b.Const(3), v))))
	require.NoError(t, b.Err())
	p, err := b.Graph().Compile(y)
	require.NoError(t, err)
	ws := p.NewWorkspace()
	require.NoError(t, p.Run(ws, [][]float64{{1, 2, 3}, {0.5, 0.25, -1}}))
	assert.Equal(t, (1+2+3+2*(0.5+0.25-1))*(0.5+0.25-1-3*(1+2+3)), ws.Scalar(0))
}

// TestRegisterInputErrors gives programs whose inputs all live in
// registers, a scalar and a short vector, or two scalars (which Run stores
// by their registers alone), inputs of the wrong number and lengths and
// another program's workspace, then inputs that are right.
func TestRegisterInputErrors(t *testing.T) {
	for _, c := range []struct {
		second  Shape
		y       func(b *Builder, x, z Node) Node
		scalars bool
		bad     [][][]float64
		wants   []string
		good    [][]float64
		want    float64
	}{
		{second: Vector(2), y: func(b *Builder, x, v Node) Node { return b.Mul(x, b.Sum(v)) }, bad: [][][]float64{{{2}}, {{}, {1, 2}}, {{2, 3}, {1, 2}}, {{2}, {1, 2, 3}}, {{2}, {1, 2}}},
			wants: []string{"program takes 2 inputs, got 1", `input "x" is scalar but got 0 values`, `input "x" is scalar but got 2 values`, `input "z" is vector(2) but got 3 values`},
			good:  [][]float64{{2}, {1, 2.5}}, want: 7},
		{second: Scalar(), y: func(b *Builder, x, z Node) Node { return b.Sub(b.Mul(x, z), z) }, scalars: true, bad: [][][]float64{{{2}}, {{2}, {3}, {4}}, {{}, {3}}, {{2}, {3, 4}}, {{2}, {3}}},
			wants: []string{"program takes 2 inputs, got 1", "program takes 2 inputs, got 3", `input "x" is scalar but got 0 values`, `input "z" is scalar but got 2 values`},
			good:  [][]float64{{-1}, {0.5}}, want: -1},
	} {
		b := NewBuilder()
		x := b.Var("x", Scalar())
		y := c.y(b, x, b.Var("z", c.second))
		require.NoError(t, b.Err())
		p, err := b.Graph().Compile(y)
		require.NoError(t, err)
		q, err := b.Graph().Compile(x)
		require.NoError(t, err)
		require.NotNil(t, p.regIn)
		assert.Equal(t, c.scalars, p.scalarIn != nil)
		for i, want := range c.wants {
			assert.EqualError(t, p.Run(p.NewWorkspace(), c.bad[i]), want)
		}
		// The last bad input is right but for the workspace.
		assert.EqualError(t, p.Run(q.NewWorkspace(), c.bad[len(c.wants)]), "workspace belongs to another program")
		ws := p.NewWorkspace()
		require.NoError(t, p.Run(ws, c.good))
		assert.Equal(t, c.want, ws.Scalar(0))
	}
}

// TestInputMovesDropped compiles the Rosenbrock gradient over the elements
// of a vector input kept in registers: the steps read the input's
// registers directly, with no move out of them.
func TestInputMovesDropped(t *testing.T) {
	b := NewBuilder()
	x := b.Var("x", Vector(2))
	x0, x1 := b.Index(x, 0), b.Index(x, 1)
	f := b.Add(b.Mul(b.Const(100), b.Pow(b.Sub(x1, b.Pow(x0, b.Const(2))), b.Const(2))), b.Pow(b.Sub(b.Const(1), x0), b.Const(2)))
	require.NoError(t, b.Err())
	grad, err := b.Graph().Grad(f, x)
	require.NoError(t, err)
	p, err := b.Graph().Compile(f, grad[0])
	require.NoError(t, err)
	in := uint32(p.inReg[0])
	for _, st := range p.compact {
		if st.code == cMove {
			assert.NotContains(t, []uint32{in, in + 1}, st.a, "%s", p)
		}
	}
	ws := p.NewWorkspace()
	require.NoError(t, p.Run(ws, [][]float64{{-1.2, 1}}))
	assert.InDelta(t, 24.2, ws.Scalar(0), 1e-12)
	assert.InDeltaSlice(t, []float64{-215.6, -88}, ws.Output(1), 1e-12)
}
