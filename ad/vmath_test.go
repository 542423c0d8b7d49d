package ad

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/internal/vmath"
)

// TestExpTanhSameBitsEverywhere checks that exp, tanh, sigmoid and softplus
// give vmath's bits however the engine computes them: on a scalar, on a
// vector short enough for registers, on a long vector, in a fused group's
// tiles, and without fusion.
func TestExpTanhSameBitsEverywhere(t *testing.T) {
	sigmoidOf := func(x float64) float64 {
		if x >= 0 {
			return 1 / (1 + vmath.Exp1(-x))
		}
		e := vmath.Exp1(x)
		return e / (1 + e)
	}
	softplusOf := func(x float64) float64 {
		if x > 0 {
			return x + math.Log1p(vmath.Exp1(-x))
		}
		return math.Log1p(vmath.Exp1(x))
	}
	fns := []struct {
		name string
		f    func(float64) float64
	}{
		{"exp", vmath.Exp1}, {"tanh", vmath.Tanh1}, {"sigmoid", sigmoidOf}, {"softplus", softplusOf},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, fn := range fns {
		for _, n := range []int{0, 1, 2, 3, 4, 7, 300, 5000} {
			for _, fused := range []bool{true, false} {
				g := NewGraph()
				shape := Vector(n)
				if n == 0 {
					shape, n = Scalar(), 1
				}
				x, _ := g.Var("x", shape)
				y := must(g.Call(fn.name, x))
				// 2·f(x) + x joins f to a fused group on long vectors.
				z := g.bin(OpAdd, g.bin(OpMul, g.Const(2), y), x)
				xs := make([]float64, n)
				for i := range xs {
					xs[i] = 30 * rng.NormFloat64()
				}
				fusionOff = !fused
				got := eval(t, g, [][]float64{xs}, y, z)
				fusionOff = false
				for i, v := range xs {
					want := fn.f(v)
					require.Equal(t, math.Float64bits(want), math.Float64bits(got[0][i]), "%s(%v), n = %d, fused %v", fn.name, v, n, fused)
					require.Equal(t, math.Float64bits(2*want+v), math.Float64bits(got[1][i]), "2·%s(%v) + x, n = %d, fused %v", fn.name, v, n, fused)
				}
			}
		}
	}
}

// TestLogSumExpOfExps checks logsumexp against its definition with the
// engine's exp: the maximum plus the log of the sum of exp(v − max), added
// as sum adds for a vector and a row, in order down a column, at lengths
// around the chunk of exponentials the kernels compute at a time; and that
// a run allocates nothing.
func TestLogSumExpOfExps(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	shifted := func(v []float64) (float64, []float64) {
		m := math.Inf(-1)
		for _, x := range v {
			m = max(m, x)
		}
		e := make([]float64, len(v))
		for i, x := range v {
			e[i] = vmath.Exp1(x - m)
		}
		return m, e
	}
	values := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 20 * rng.NormFloat64()
		}
		return v
	}
	for _, n := range []int{2, 5, lseChunk, lseChunk + 3, 3*lseChunk + 1} {
		g := NewGraph()
		x, _ := g.Var("x", Vector(n))
		f := must(g.Call("logsumexp", x))
		v := values(n)
		m, e := shifted(v)
		got := eval(t, g, [][]float64{v}, f)[0][0]
		assert.Equal(t, math.Float64bits(m+math.Log(sum(e))), math.Float64bits(got), "n = %d", n)

		p, err := g.Compile(f)
		require.NoError(t, err)
		ws := p.NewWorkspace()
		allocs := testing.AllocsPerRun(10, func() { require.NoError(t, p.Run(ws, [][]float64{v})) })
		assert.Zero(t, allocs, "n = %d", n)
	}
	for _, dims := range [][2]int{{3, 4}, {5, lseChunk + 7}, {lseChunk + 2, 3}} {
		r, c := dims[0], dims[1]
		a := values(r * c)

		for axis := range 2 {
			g := NewGraph()
			x, _ := g.Var("A", Matrix(r, c))
			f := must(g.CallAxis("logsumexp", x, axis))
			got := eval(t, g, [][]float64{a}, f)[0]
			if axis == 1 {
				for i := range r {
					m, e := shifted(a[i*c : (i+1)*c])
					assert.Equal(t, math.Float64bits(m+math.Log(sum(e))), math.Float64bits(got[i]), "%v row %d", dims, i)
				}
				continue
			}
			col := make([]float64, r)
			for j := range c {
				for i := range r {
					col[i] = a[i*c+j]
				}
				m, e := shifted(col)
				s := 0.0
				for _, v := range e {
					s += v
				}
				assert.Equal(t, math.Float64bits(m+math.Log(s)), math.Float64bits(got[j]), "%v column %d", dims, j)
			}
		}
	}
	// Rows whose maximum is not finite, which take no exponentials, among
	// rows that do, in batches of rows that share one call of vmath.Exp:
	// each is its maximum (of NaNs, the last), the others as above, a row
	// of zeros of both signs among them.
	const r, c = 100, 10
	a := values(r * c)
	nan := math.Float64frombits(0x7ff8_dead_beef_0001)
	a[3*c+2], a[40*c], a[40*c+7] = math.Inf(1), math.NaN(), nan
	for i := range c {
		a[71*c+i] = math.Inf(-1)
		a[55*c+i] = math.Copysign(0, float64(i%2)-0.5)
	}
	g := NewGraph()
	x, _ := g.Var("A", Matrix(r, c))
	got := eval(t, g, [][]float64{a}, must(g.CallAxis("logsumexp", x, 1)))[0]
	for i := range r {
		m, e := shifted(a[i*c : (i+1)*c])
		switch i {
		case 3, 71:
			assert.Equal(t, m, got[i], "row %d", i)
		case 40:
			assert.Equal(t, math.Float64bits(nan), math.Float64bits(got[i]), "row %d", i)
		default:
			assert.Equal(t, math.Float64bits(m+math.Log(sum(e))), math.Float64bits(got[i]), "row %d", i)
		}
	}
}
