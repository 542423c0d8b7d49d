package ad

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestArgValues checks argmin and argmax along each axis and of a whole
// vector: the first of tied elements, infinities, and NaN wherever a NaN
// is among the elements.
func TestArgValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	b := NewBuilder()
	A, v := b.Var("A", Matrix(2, 3)), b.Var("v", Vector(4))
	outs := []Node{b.ArgMin(A, 0), b.ArgMin(A, 1), b.ArgMax(A, 0), b.ArgMax(A, -1), b.ArgMin(v, 0), b.ArgMax(v, 0)}
	require.NoError(t, b.Err())
	tests := []struct {
		name string
		A, v []float64
		want [][]float64
	}{
		{"distinct", []float64{1, 5, -3, 4, 2, 0}, []float64{2, -1, 7, 3},
			[][]float64{{0, 1, 0}, {2, 2}, {1, 0, 1}, {1, 0}, {1}, {2}}},
		{"ties take the first", []float64{2, 2, 2, 2, 2, 1}, []float64{3, 1, 3, 1},
			[][]float64{{0, 0, 1}, {0, 2}, {0, 0, 0}, {0, 0}, {1}, {0}}},
		{"infinities", []float64{inf, -inf, 0, inf, -inf, 1}, []float64{inf, inf, -inf, -inf},
			[][]float64{{0, 0, 0}, {1, 1}, {0, 0, 1}, {0, 0}, {2}, {0}}},
		{"a NaN gives NaN", []float64{nan, 1, 0, 2, 3, nan}, []float64{1, nan, 0, 2},
			[][]float64{{nan, 0, nan}, {nan, nan}, {nan, 1, nan}, {nan, nan}, {nan}, {nan}}},
		{"a NaN after the extreme", []float64{0, 1, 2, 3, 4, nan}, []float64{0, 1, 2, nan},
			[][]float64{{0, 0, nan}, {0, nan}, {1, 1, nan}, {2, nan}, {nan}, {nan}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := eval(t, b.Graph(), [][]float64{tc.A, tc.v}, outs...)
			for k := range tc.want {
				assert.Equal(t, bitsOf(tc.want[k]), bitsOf(got[k]), "output %d: %v", k, got[k])
			}
		})
	}

	// The language's one-argument form: a vector's, and a matrix's
	// elements row by row.
	g := b.Graph()
	for _, c := range []struct {
		name string
		x    Node
		want float64
	}{{"argmin", v, 1}, {"argmax", v, 2}, {"argmin", A, 2}, {"argmax", A, 1}} {
		n, err := g.Call(c.name, c.x)
		require.NoError(t, err)
		got := eval(t, g, [][]float64{tests[0].A, tests[0].v}, n)
		assert.Equal(t, []float64{c.want}, got[0], "%s(%s)", c.name, g.Shape(c.x))
	}
	_, err := g.Call("argmin", g.Const(1))
	assert.EqualError(t, err, "argmin of a scalar (argmin takes a vector or a matrix)")
}

// bitsOf returns the bits of each element, so that NaN compares equal to
// NaN.
func bitsOf(v []float64) []uint64 {
	b := make([]uint64, len(v))
	for i, x := range v {
		if x != x {
			x = math.NaN()
		}
		b[i] = math.Float64bits(x)
	}
	return b
}

// TestArgFused checks argmin and argmax of a matrix that a fused group
// computes a tile at a time, along each axis, against the same program
// without fusion and against a loop, with ties and NaNs on either side of
// tiles' and blocks' boundaries. The matrix is c − A, A − c or A + c for a
// column c: along the columns the argmin or argmax computes it as it
// compares it (argColTile), with no member for the broadcast or the op.
func TestArgFused(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	forms := []struct {
		name string
		op   Op
		flip bool
		f    func(c, a float64) float64
	}{
		{"c − A", OpSub, true, func(c, a float64) float64 { return c - a }},
		{"A − c", OpSub, false, func(c, a float64) float64 { return a - c }},
		{"A + c", OpAdd, false, func(c, a float64) float64 { return a + c }},
	}
	for _, mn := range [][2]int{{3, 700}, {100, 50}, {64, 256}, {7, 1000}} {
		m, n := mn[0], mn[1]
		as, cs := make([]float64, m*n), make([]float64, m)
		for i := range as {
			as[i] = float64(rng.IntN(5)) // many ties
			if rng.IntN(500) == 0 {
				as[i] = math.NaN()
			}
		}
		for i := range cs {
			cs[i] = float64(rng.IntN(3))
		}
		for _, form := range forms {
			for k, op := range []Op{OpArgMin, OpArgMin, OpArgMax, OpArgMax} {
				isMax, axis := k >= 2, k%2
				g := NewGraph()
				A, _ := g.Var("A", Matrix(m, n))
				c, _ := g.Var("c", Matrix(m, 1))
				a, b := A, g.broadcastTo(c, Matrix(m, n))
				if form.flip {
					a, b = b, a
				}
				out := must(g.call(op, []Node{g.bin(form.op, a, b)}, axis))
				p, err := g.Compile(out)
				require.NoError(t, err)
				var fg *fusedGroup
				for _, in := range p.code {
					if in.fused != nil && in.fused.whole {
						fg = in.fused
					}
				}
				require.NotNil(t, fg, "%d×%d, %s: a fused group reduces along an axis", m, n, form.name)
				if axis == 0 {
					assert.Len(t, fg.fast, 1, "%d×%d, %s: the argmin or argmax alone", m, n, form.name)
				}

				got := eval(t, g, [][]float64{as, cs}, out)[0]
				fusionOff = true
				plain := eval(t, g, [][]float64{as, cs}, out)[0]
				fusionOff = false
				want := make([]float64, g.Shape(out).Len())
				for o := range want {
					best, at := math.NaN(), -1
					for j := range []int{m, n}[axis] {
						e := o*n + j
						if axis == 0 {
							e = j*n + o
						}
						x := form.f(cs[e/n], as[e])
						if x != x {
							at = -2
							break
						}
						if at < 0 || isMax && x > best || !isMax && x < best {
							best, at = x, j
						}
					}
					want[o] = float64(at)
					if at == -2 {
						want[o] = math.NaN()
					}
				}
				assert.Equal(t, bitsOf(want), bitsOf(got), "%d×%d, %s, %s along axis %d", m, n, form.name, op, axis)
				assert.Equal(t, bitsOf(plain), bitsOf(got), "%d×%d, %s, %s along axis %d, fused and not", m, n, form.name, op, axis)
			}
		}
	}
}

// TestTakeValues checks take of elements and rows at scalar and vector
// indices, repeated and in any order, and addat, whose repeated indices
// add each; an invalid index gives NaN, never a panic.
func TestTakeValues(t *testing.T) {
	nan := math.NaN()
	b := NewBuilder()
	A, v, a, s := b.Var("A", Matrix(3, 2)), b.Var("v", Vector(4)), b.Var("a", Vector(3)), b.Var("s", Scalar())
	outs := []Node{b.Take(A, a), b.Take(v, a), b.Take(A, s), b.Take(v, s),
		b.AddAt(A, a, b.Take(A, a)), b.AddAt(v, a, b.Take(v, a)), b.AddAt(v, s, s)}
	require.NoError(t, b.Err())
	As, vs := []float64{1, 2, 3, 4, 5, 6}, []float64{10, 20, 30, 40}
	tests := []struct {
		name string
		a    []float64
		s    float64
		want [][]float64
	}{
		{"in order", []float64{0, 1, 2}, 3, [][]float64{
			{1, 2, 3, 4, 5, 6}, {10, 20, 30}, {nan, nan}, {40},
			{2, 4, 6, 8, 10, 12}, {20, 40, 60, 40}, {10, 20, 30, 43}}},
		{"repeated", []float64{2, 0, 2}, 1, [][]float64{
			{5, 6, 1, 2, 5, 6}, {30, 10, 30}, {3, 4}, {20},
			{2, 4, 3, 4, 15, 18}, {20, 20, 90, 40}, {10, 21, 30, 40}}},
		{"out of range, and -0 is 0", []float64{0, 3, -1}, math.Copysign(0, -1), [][]float64{
			{1, 2, nan, nan, nan, nan}, {10, 40, nan}, {1, 2}, {10},
			{nan, nan, nan, nan, nan, nan}, {nan, nan, nan, nan}, {10, 20, 30, 40}}},
		{"not integers", []float64{0.5, nan, math.Inf(1)}, 1e300, [][]float64{
			{nan, nan, nan, nan, nan, nan}, {nan, nan, nan}, {nan, nan}, {nan},
			{nan, nan, nan, nan, nan, nan}, {nan, nan, nan, nan}, {nan, nan, nan, nan}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := eval(t, b.Graph(), [][]float64{As, vs, tc.a, {tc.s}}, outs...)
			for k := range tc.want {
				assert.Equal(t, bitsOf(tc.want[k]), bitsOf(got[k]), "output %d: %v", k, got[k])
			}
		})
	}
}

// TestTakeTranspose checks that take's adjoint is addat: for integers
// small enough that every sum is exact, ⟨take(x, a), y⟩ = ⟨x, addat(0, a,
// y)⟩ to the bit, and the reverse pass of take builds that addat.
func TestTakeTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ints := func(n, hi int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.IntN(hi) - hi/2)
		}
		return v
	}
	for _, s := range []Shape{Vector(5), Matrix(5, 3)} {
		for _, m := range []int{1, 4, 9} {
			g := NewGraph()
			x, _ := g.Var("x", s)
			a, _ := g.Var("a", Vector(m))
			y, _ := g.Var("y", withItems(s, m))
			tk := g.take(x, a)
			vjp, err := g.VJP([]Node{tk}, []Node{y}, []Node{x})
			require.NoError(t, err)
			assert.Equal(t, OpAddAt, g.Op(vjp[0]), "the adjoint of take is addat")
			lhs, rhs := g.reduce(OpDot, tk, y), g.reduce(OpDot, x, vjp[0])
			for range 5 {
				idx := make([]float64, m)
				for i := range idx {
					idx[i] = float64(rng.IntN(5))
				}
				got := eval(t, g, [][]float64{ints(s.Len(), 20), idx, ints(m*itemLen(s), 20)}, lhs, rhs)
				require.Equal(t, got[0], got[1], "%s at %v", s, idx)
			}
		}
	}
}

// TestTakeDerivatives checks the gradient, JVP and HVP of the k-means cost
// written with the index of the nearest centroid against central
// differences: the cost is piecewise quadratic, so the differences are
// exact to rounding away from a change of nearest centroid.
func TestTakeDerivatives(t *testing.T) {
	const k, n, d = 3, 12, 2
	rng := rand.New(rand.NewPCG(7, 8))
	ps := make([]float64, n*d)
	for i := range ps {
		ps[i] = rng.NormFloat64()
	}
	cs := append([]float64(nil), ps[:k*d]...) // each centroid near a point
	for i := range cs {
		cs[i] += 0.01 * rng.NormFloat64()
	}
	b := NewBuilder()
	C, P := b.Var("C", Matrix(k, d)), b.ConstMatrix(n, d, ps)
	D := b.Sub(b.Reshape(b.SumAxis(b.Mul(C, C), 1), k, 1), b.MatMul(C, b.Mul(b.Const(2), b.Transpose(P))))
	r := b.Sub(b.Take(C, b.ArgMin(D, 0)), P)
	f, err := b.Func(b.Sum(b.Mul(r, r)))
	require.NoError(t, err)

	grad := make([]float64, k*d)
	y, err := f.Grad(cs, grad)
	require.NoError(t, err)
	dir := make([]float64, k*d)
	for i := range dir {
		dir[i] = rng.NormFloat64()
	}
	at := func(h float64, v []float64) float64 {
		x := append([]float64(nil), cs...)
		for i := range x {
			x[i] += h * v[i]
		}
		fx, err := f.Eval(x)
		require.NoError(t, err)
		return fx
	}
	const h = 1e-4
	_, jvp, err := f.JVP(cs, dir)
	require.NoError(t, err)
	assert.InDelta(t, (at(h, dir)-at(-h, dir))/(2*h), jvp, 1e-8, "JVP")
	hvp := make([]float64, k*d)
	require.NoError(t, f.HVP(cs, dir, hvp))
	for i := range cs {
		e := make([]float64, k*d)
		e[i] = 1
		assert.InDelta(t, (at(h, e)-at(-h, e))/(2*h), grad[i], 1e-8, "gradient %d", i)
		// The Hessian is diagonal, each coordinate of a centroid meeting
		// only itself, and its diagonal the second differences.
		second := (at(h, e) - 2*y + at(-h, e)) / (h * h)
		assert.InDelta(t, second*dir[i], hvp[i], 1e-5, "HVP %d", i)
	}
}

// TestTakeNonFinite checks that an index out of range at run time is a NaN
// that RunChecked explains, naming the take, and no panic.
func TestTakeNonFinite(t *testing.T) {
	b := NewBuilder()
	v, s := b.Var("v", Vector(3)), b.Var("s", Scalar())
	f, err := b.Func(b.Mul(b.Take(v, b.Mul(s, b.Const(2))), s), v, s)
	require.NoError(t, err)
	y, err := f.Eval([]float64{1, 2, 3, 1})
	require.NoError(t, err)
	assert.Equal(t, 3.0, y)
	_, err = f.Eval([]float64{1, 2, 3, 2})
	require.Error(t, err)
	assert.True(t, IsNonFinite(err))
	// The index's value is among what take got: element reports an
	// argument's largest element.
	assert.EqualError(t, err, "v[2 * s] is NaN at element 0: take got 3 and 4")
}

// TestNearestNeedsOneBuffer checks the k-means direction J ⊘ (H·1) of the
// cost written with the index of the nearest centroid: its only k×n
// matrix in memory is the product's, which one fused group reads to
// find the index of each column's minimum, with the distances never
// whole.
func TestNearestNeedsOneBuffer(t *testing.T) {
	const k, n = 20, 500
	p := kmeansDirection(t, k, n, func(g *Graph, C, P, D Node) Node {
		r := g.sub(g.take(C, must(g.call(OpArgMin, []Node{D}, 0))), P)
		return g.reduce(OpSum, g.mul(r, r))
	})
	buffers := 0
	for _, si := range p.slotInit {
		if si.data == nil && !si.reg && si.len == k*n {
			buffers++
		}
	}
	assert.Equal(t, 1, buffers, "k×n buffers")
	grouped := false
	for _, in := range p.code {
		if in.fused == nil {
			assert.NotEqual(t, OpArgMin, p.nodes[in.node].op, "an argmin outside a group")
		} else {
			for _, m := range in.fused.code {
				grouped = grouped || p.nodes[m.node].op == OpArgMin
			}
		}
	}
	assert.True(t, grouped, "the argmin is in a fused group")
}

// kmeansDirection compiles the k-means direction J ⊘ (H·1), for k
// centroids C and n random points P of 3 coordinates, of the cost that
// cost builds from them and the k×n matrix D of ‖c‖² − 2 c·p.
func kmeansDirection(t *testing.T, k, n int, cost func(g *Graph, C, P, D Node) Node) *Program {
	const d = 3
	rng := rand.New(rand.NewPCG(uint64(k), uint64(n)))
	g := NewGraph()
	C, _ := g.Var("C", Matrix(k, d))
	ps := make([]float64, n*d)
	for i := range ps {
		ps[i] = rng.NormFloat64()
	}
	P := g.ConstMatrix(n, d, ps)
	D := g.sub(g.reshape(g.sumAxis(g.mul(C, C), 1), Matrix(k, 1)), g.matmul(C, g.mul(g.Const(2), g.transpose(P))))
	f := cost(g, C, P, D)
	grad, err := g.Grad(f, C)
	require.NoError(t, err)
	ones := make([]float64, k*d)
	for i := range ones {
		ones[i] = 1
	}
	hv, err := g.HVP(f, []Node{C}, []Node{g.ConstMatrix(k, d, ones)})
	require.NoError(t, err)
	p, err := g.Compile(g.div(grad[0], hv[0]))
	require.NoError(t, err)
	return p
}
