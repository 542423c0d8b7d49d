package ad

import (
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/pprof"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomArith returns a random expression of depth up to depth made of
// the operations the native code computes: +, -, *, /, negation, squares,
// square roots and absolute values, of the scalars a and b, the elements, sum and dot products of
// the short vector v, and constants.
func randomArith(g *Graph, rng *rand.Rand, vars []Node, depth int) Node {
	v := vars[2]
	if depth == 0 || rng.IntN(5) == 0 {
		switch rng.IntN(6) {
		case 0:
			return g.Const(float64(rng.IntN(7)) - 3)
		case 1:
			return must(g.Call("sum", v))
		case 2:
			return must(g.Call("dot", v, g.mul(g.Const(float64(rng.IntN(3))+0.5), v)))
		case 3:
			return must(g.Index(v, rng.IntN(g.Shape(v).Len())))
		}
		return vars[rng.IntN(2)]
	}
	x := randomArith(g, rng, vars, depth-1)
	switch rng.IntN(8) {
	case 0:
		return g.neg(x)
	case 1:
		return g.bin(OpPow, x, g.Const(2))
	case 2:
		return g.un(OpSqrt, g.add2(g.Const(0.5), g.mul(x, x)))
	case 3:
		return g.un(OpAbs, x)
	}
	y := randomArith(g, rng, vars, depth-1)
	return g.bin([]Op{OpAdd, OpSub, OpMul, OpDiv}[rng.IntN(4)], x, y)
}

// specialValues are inputs that test the bits of results: signed zeros,
// infinities, NaN, and numbers near the ends of the range.
var specialValues = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e308, -1e-308, 5e-324, 1}

// requireSameBits requires got to have want's bits, or both to be NaN:
// which NaN an operation on two gives is the processor's choice (the first
// operand's, on amd64), and the Go compiler may swap the operands of a
// commutative operation, so neither the interpreter nor the machine code
// promises a NaN's sign and payload.
func requireSameBits(t *testing.T, want, got float64, msgAndArgs ...any) {
	t.Helper()
	if math.IsNaN(want) && math.IsNaN(got) {
		return
	}
	require.Equal(t, math.Float64bits(want), math.Float64bits(got), msgAndArgs...)
}

// requireInterpreted runs p on in by Run, with whatever machine code p
// has, and interpreted, on two workspaces: every register and every
// output must have the same bits (NaNs aside). It returns Run's.
func requireInterpreted(t *testing.T, p *Program, in [][]float64) *Workspace {
	t.Helper()
	ws, ref := p.NewWorkspace(), p.NewWorkspace()
	require.NoError(t, p.Run(ws, in))
	require.NoError(t, p.load(ref, in))
	if i := arith(ref.s, p.compact); i < len(p.compact)-1 {
		p.execute(ref, p.compact[i:])
	}
	for r := range ref.s {
		requireSameBits(t, ref.s[r], ws.s[r], "register %d at %v of\n%s", r, in, p)
	}
	for k := range p.outLoc {
		for j, want := range ref.Output(k) {
			requireSameBits(t, want, ws.Output(k)[j], "output %d at %v of\n%s", k, in, p)
		}
	}
	return ws
}

// TestNativeMatchesArith runs random programs of scalar arithmetic, with
// their gradients, as machine code and interpreted, on random and special
// inputs: every register of the file must end with the same bits, and the
// outputs must have those of the program run one instruction at a time,
// by its kernels. Long programs keep more values than there are XMM
// registers.
func TestNativeMatchesArith(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 7))
	compiled := 0
	for i := range 300 {
		n := 2 + i%3
		g := NewGraph()
		a, _ := g.Var("a", Scalar())
		b, _ := g.Var("b", Scalar())
		v, _ := g.Var("v", Vector(n))
		vars := []Node{a, b, v}
		y := randomArith(g, rng, vars, 2+i%6)
		grads, err := g.Grad(y, vars...)
		require.NoError(t, err)
		p, err := g.Compile(append([]Node{y}, grads...)...)
		require.NoError(t, err)
		if compiledNative(p) {
			compiled++
		}
		for range 4 {
			in := [][]float64{{0}, {0}, make([]float64, n)}
			for _, x := range in {
				for j := range x {
					x[j] = rng.Float64()*4 - 2
					if rng.IntN(4) == 0 {
						x[j] = specialValues[rng.IntN(len(specialValues))]
					}
				}
			}
			ws := requireInterpreted(t, p, in)
			one := p.NewWorkspace()
			require.NoError(t, p.load(one, in))
			for k := range p.code {
				p.execute(one, []compact{p.step(k), {code: cEnd}})
			}
			for k := range p.outLoc {
				for j, want := range one.Output(k) {
					requireSameBits(t, want, ws.Output(k)[j], "output %d at %v of\n%s", k, in, p)
				}
			}
		}
	}
	if nativeBuild {
		assert.Greater(t, compiled, 200, "programs compiled to machine code")
	}
}

// TestNativeCompiled checks which programs run as machine code: scalar
// arithmetic does, a program that calls a function does not.
func TestNativeCompiled(t *testing.T) {
	if !nativeBuild {
		t.Skip("machine code is made on linux/amd64 only")
	}
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	y, _ := g.Var("y", Scalar())
	for _, c := range []struct {
		f      Node
		native bool
	}{
		{g.sub(g.div(x, y), g.neg(x)), true},
		{g.mul(g.un(OpSin, x), y), false},
		{g.bin(OpPow, x, y), false},
	} {
		p, err := g.Compile(c.f)
		require.NoError(t, err)
		assert.Equal(t, c.native, compiledNative(p), "%s", p)
	}
}

// compiledNative compiles p to machine code now, as its nativeAfter-th
// run would, and reports whether it has some, whole or in segments.
func compiledNative(p *Program) bool {
	if p.nativeOK {
		p.nativeOnce.Do(p.compileNative)
	}
	return p.native.Load() != nil || p.segments.Load() != nil
}

// TestNativeAfterRuns checks that a program becomes machine code on the
// nativeAfter-th run of a workspace, not before, and computes the same
// before and after.
func TestNativeAfterRuns(t *testing.T) {
	if !nativeBuild {
		t.Skip("machine code is made on linux/amd64 only")
	}
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	y, _ := g.Var("y", Scalar())
	p, err := g.Compile(g.sub(g.div(x, y), g.neg(x)))
	require.NoError(t, err)
	ws := p.NewWorkspace()
	in := [][]float64{{3}, {2}}
	for range nativeAfter - 1 {
		require.NoError(t, p.Run(ws, in))
	}
	assert.Nil(t, p.native.Load(), "before the %dth run", nativeAfter)
	assert.Equal(t, 4.5, ws.Scalar(0))
	require.NoError(t, p.Run(ws, in))
	assert.NotNil(t, p.native.Load(), "after the %dth run", nativeAfter)
	require.NoError(t, p.Run(ws, [][]float64{{-1}, {4}}))
	assert.Equal(t, -1.25, ws.Scalar(0)) // -1/4 - 1
}

// rosenbrockGradient compiles the value and gradient of the Rosenbrock
// function (1-x)² + 100(y-x²)².
func rosenbrockGradient(tb testing.TB) *Program {
	tb.Helper()
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	y, _ := g.Var("y", Scalar())
	f := g.add2(g.bin(OpPow, g.sub(g.Const(1), x), g.Const(2)), g.mul(g.Const(100), g.bin(OpPow, g.sub(y, g.bin(OpPow, x, g.Const(2))), g.Const(2))))
	grads, err := g.Grad(f, x, y)
	require.NoError(tb, err)
	p, err := g.Compile(f, grads[0], grads[1])
	require.NoError(tb, err)
	return p
}

// BenchmarkCompileNative measures writing and mapping the machine code of
// the Rosenbrock gradient, the cost nativeAfter weighs.
func BenchmarkCompileNative(b *testing.B) {
	if !nativeBuild {
		b.Skip("machine code is made on linux/amd64 only")
	}
	p := rosenbrockGradient(b)
	b.ReportAllocs()
	for b.Loop() {
		p.compileNative()
	}
}

// TestNativeUnderProfiler runs machine code while the CPU profiler and
// the garbage collector interrupt it: a profiling signal or a request to
// preempt that lands in the code must neither crash the program nor change
// what it computes.
func TestNativeUnderProfiler(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a quarter of a second")
	}
	p := rosenbrockGradient(t)
	ws := p.NewWorkspace()
	require.NoError(t, pprof.StartCPUProfile(discard{}))
	defer pprof.StopCPUProfile()
	done := make(chan bool)
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				runtime.GC()
			}
		}
	}()
	in := [][]float64{{-1.2}, {1}}
	for range 20_000_000 {
		_ = p.Run(ws, in)
	}
	close(done)
	assert.InDelta(t, 24.2, ws.Scalar(0), 1e-12)
	assert.InDelta(t, -215.6, ws.Scalar(1), 1e-12)
	assert.InDelta(t, -88, ws.Scalar(2), 1e-12)
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

// TestSinglesMatchSteps runs every step of two or three operations and
// the single steps singles makes of it on the same registers, some of
// them the same register: the results must have the same bits.
func TestSinglesMatchSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for c := cAddSS; c <= cMoveThenMove; c++ {
		if c == cPowSS || c == cF1 || c == cF2 || c == cEnd || c == cNative {
			continue
		}
		for range 20 {
			reg := func() uint32 { return uint32(rng.IntN(8)) }
			st := compact{code: c, dst: reg(), a: reg(), b: reg(), mid: reg(), c: reg(), d: reg()}
			ops, ok := singles(st)
			require.True(t, ok, "code %d", c)
			regs := make([]float64, 8)
			for i := range regs {
				regs[i] = rng.Float64()*4 - 2
			}
			want, got := slices.Clone(regs), slices.Clone(regs)
			arith(want, []compact{st, {code: cEnd}})
			arith(got, append(ops, compact{code: cEnd}))
			for r := range regs {
				require.Equal(t, math.Float64bits(want[r]), math.Float64bits(got[r]), "code %d, %+v as %+v: register %d", c, st, ops, r)
			}
		}
	}
	_, ok := singles(compact{code: cKernel})
	assert.False(t, ok)
}

// FuzzNative compares machine code with the interpreter on the random
// program of scalar arithmetic (its derivatives may call sign) a seed picks, at inputs the fuzzer picks:
// every register must end with the same bits (NaNs aside).
func FuzzNative(f *testing.F) {
	if !nativeBuild {
		f.Skip("machine code is made on linux/amd64 only")
	}
	f.Add(uint64(1), uint8(4), -1.2, 1.0, 0.5)
	f.Add(uint64(7), uint8(7), 0.0, math.Copysign(0, -1), math.Inf(1))
	f.Fuzz(func(t *testing.T, seed uint64, depth uint8, a, b, v float64) {
		rng := rand.New(rand.NewPCG(seed, 3))
		g := NewGraph()
		va, _ := g.Var("a", Scalar())
		vb, _ := g.Var("b", Scalar())
		vv, _ := g.Var("v", Vector(3))
		vars := []Node{va, vb, vv}
		y := randomArith(g, rng, vars, int(depth%8))
		grads, err := g.Grad(y, vars...)
		require.NoError(t, err)
		p, err := g.Compile(append([]Node{y}, grads...)...)
		require.NoError(t, err)
		if !compiledNative(p) {
			return
		}
		in := [][]float64{{a}, {b}, {v, a * v, b - v}}
		requireInterpreted(t, p, in)
	})
}

// TestSegmentsMatchInterpreter runs random programs over every op, with
// their gradients, with their runs of arithmetic as machine code and
// interpreted: every register and every output must have the same bits
// (NaNs aside).
func TestSegmentsMatchInterpreter(t *testing.T) {
	if !nativeBuild {
		t.Skip("machine code is made on linux/amd64 only")
	}
	rng := rand.New(rand.NewPCG(41, 3))
	segmented := 0
	for range 300 {
		p, gen := randomGradProgram(t, rng)
		if !compiledNative(p) {
			continue
		}
		if p.segments.Load() != nil {
			segmented++
		}
		for range 3 {
			requireInterpreted(t, p, gen.split(gen.point(rng)))
		}
	}
	assert.Greater(t, segmented, 100, "programs with runs of arithmetic as machine code")
}
