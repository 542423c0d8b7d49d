package landscape

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/viz"
)

func TestFilterNormalize(t *testing.T) {
	vars := []ad.Var{
		{Name: "W", Shape: ad.Matrix(3, 4)},
		{Name: "b", Shape: ad.Vector(4)},
		{Name: "s", Shape: ad.Scalar()},
		{Name: "V", Shape: ad.Matrix(4, 1)},
	}
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 12+4+1+4)
	for i := range x {
		x[i] = 10 * r.NormFloat64()
	}
	for _, seed := range []uint64{1, 2, 99} {
		d, err := Random(vars, x, seed, true)
		require.NoError(t, err)
		assert.Equal(t, RandomKind, d.Kind)
		assert.True(t, d.Normalized)
		// The filters: three rows of W, b, s and the four one-element
		// rows of V.
		bounds := [][2]int{{0, 4}, {4, 8}, {8, 12}, {12, 16}, {16, 17}, {17, 18}, {18, 19}, {19, 20}, {20, 21}}
		for _, b := range bounds {
			want := floats.Norm(x[b[0]:b[1]], 2)
			assert.InDelta(t, want, floats.Norm(d.Vector[b[0]:b[1]], 2), 1e-12*want, "filter %v, seed %d", b, seed)
		}
		raw, err := Random(vars, x, seed, false)
		require.NoError(t, err)
		again, err := Random(vars, x, seed, false)
		require.NoError(t, err)
		assert.Equal(t, raw.Vector, again.Vector, "a seed draws one direction")
		// Normalizing rescales each filter: the direction within a filter
		// is the raw one.
		assert.InDelta(t, 1, floats.Dot(raw.Vector[:4], d.Vector[:4])/(floats.Norm(raw.Vector[:4], 2)*floats.Norm(d.Vector[:4], 2)), 1e-12)
	}

	_, err := Random(vars, x[:5], 1, true)
	require.EqualError(t, err, "the point has 5 values; the variables W (3×4), b (4), s, V (4×1) hold 21")
	zero := make([]float64, len(x))
	_, err = Random(vars, zero, 1, true)
	require.ErrorContains(t, err, "every weight of the point is zero")
}

func TestPCA(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name      string
		n, points int
	}{
		{"short trajectory", 50, 12},
		{"long trajectory", 6, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			origin := make([]float64, tc.n)
			for i := range origin {
				origin[i] = r.NormFloat64()
			}
			traj := make([][]float64, tc.points)
			for k := range traj {
				traj[k] = make([]float64, tc.n)
				for i := range traj[k] {
					// Mostly along the first coordinate, then the second.
					scale := 0.01
					switch i {
					case 0:
						scale = 10
					case 1:
						scale = 3
					}
					traj[k][i] = origin[i] + scale*r.NormFloat64()
				}
			}
			dirs, err := PCA(origin, traj, 2)
			require.NoError(t, err)
			require.Len(t, dirs, 2)
			for i, d := range dirs {
				assert.Equal(t, PCAKind, d.Kind)
				for j, e := range dirs {
					want := 0.0
					if i == j {
						want = 1
					}
					assert.InDelta(t, want, floats.Dot(d.Vector, e.Vector), 1e-12, "d%d·d%d", i+1, j+1)
				}
			}
			assert.InDelta(t, 1, math.Abs(dirs[0].Vector[0]), 1e-2)
			assert.InDelta(t, 1, math.Abs(dirs[1].Vector[1]), 1e-2)
			ev := dirs[0].ExplainedVariance + dirs[1].ExplainedVariance
			assert.Greater(t, dirs[0].ExplainedVariance, dirs[1].ExplainedVariance)
			assert.Greater(t, ev, 0.99)
			assert.LessOrEqual(t, ev, 1.0)
		})
	}

	origin := []float64{0, 0, 0}
	_, err := PCA(origin, [][]float64{{1, 1, 1}, {2, 2, 2}, {-1, -1, -1}}, 2)
	require.EqualError(t, err, "PCA: the trajectory spans 1 dimensions about the point, fewer than the 2 directions asked for")
	_, err = PCA(origin, [][]float64{{1, 1}, {2, 2, 2}}, 2)
	require.EqualError(t, err, "PCA: point 0 of the trajectory has 2 values, the origin 3")
}

func TestBetween(t *testing.T) {
	f, from := mlpModel(t, 10)
	_, to := mlpModel(t, 10)
	for i := range to {
		to[i] = from[len(from)-1-i] * 1.7
	}
	atFrom, err := f.Eval(from)
	require.NoError(t, err)
	atTo, err := f.Eval(to)
	require.NoError(t, err)
	for _, tc := range []struct {
		t viz.Interval
		n int
	}{
		{viz.Interval{Min: -0.5, Max: 1.5}, 41},
		{viz.Interval{Min: -0.3, Max: 1.3}, 51},
		{viz.Interval{Min: 0, Max: 1}, 7},
	} {
		l, err := Between(f, from, to, tc.t, tc.n)
		require.NoError(t, err)
		require.Len(t, l.Values, tc.n)
		k0, k1 := -1, -1
		for k, s := range l.Ts {
			switch s {
			case 0:
				k0 = k
			case 1:
				k1 = k
			}
		}
		require.True(t, k0 >= 0 && k1 >= 0, "t = 0 and 1 are nodes of %v: %v", tc.t, l.Ts)
		assert.Equal(t, atFrom, l.Values[k0], "f(from)")
		assert.Equal(t, atTo, l.Values[k1], "f(to)")
		assert.Zero(t, l.NonFinite)
	}
	_, err = Between(f, from, to[1:], viz.Interval{Min: 0, Max: 1}, 11)
	require.Error(t, err)
	_, err = Between(f, from, to, viz.Interval{Min: 0, Max: 1}, MaxPoints+1)
	require.ErrorContains(t, err, "points on a line: want 2 to 262144")
}

func TestHessian(t *testing.T) {
	f, x := mlpModel(t, 3)
	dirs, err := Hessian(f.Func, x, 2)
	require.NoError(t, err)
	h := exactHessian(t, f, x)
	var eig mat.EigenSym
	require.True(t, eig.Factorize(h, true))
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	for i, d := range dirs {
		col := len(vals) - 1 - i
		assert.Equal(t, HessianKind, d.Kind)
		assert.InDelta(t, vals[col], d.Eigenvalue, 1e-8*math.Abs(vals[col]), "eigenvalue %d", i)
		assert.InDelta(t, 1, d.Norm(), 1e-12)
		assert.InDelta(t, 1, math.Abs(mat.Dot(mat.NewVecDense(f.Dim(), d.Vector), vecs.ColView(col))), 1e-8, "eigenvector %d", i)
	}
	_, err = Hessian(f.Func, x[1:], 2)
	require.EqualError(t, err, "the point has 16 values; the function takes 17")
}

func TestNonFinite(t *testing.T) {
	// log(1 + x + y) is not finite where x + y ≤ −1.
	f, err := expr.Compile("log(1 + x + y)", nil)
	require.NoError(t, err)
	x := []float64{0, 0}
	d1 := Direction{Vector: []float64{1, 0}}
	d2 := Direction{Vector: []float64{0, 1}}
	s, err := SamplePlane(f, x, d1, d2, viz.Interval{Min: -2, Max: 2}, viz.Interval{Min: -2, Max: 2}, 5, 5)
	require.NoError(t, err)
	// The grid points −2…2 with a + b ≤ −1: ten of them.
	assert.Equal(t, 10, s.NonFinite)
	bx, by, ok := NonFiniteBox(s)
	require.True(t, ok)
	assert.Equal(t, viz.Interval{Min: -2, Max: 1}, bx)
	assert.Equal(t, viz.Interval{Min: -2, Max: 1}, by)

	l, err := SampleLine(f, x, d1, viz.Interval{Min: -2, Max: 2}, 9)
	require.NoError(t, err)
	assert.Equal(t, 3, l.NonFinite) // t = −2, −1.5, −1
	tr, ok := NonFiniteRange(l)
	require.True(t, ok)
	assert.Equal(t, viz.Interval{Min: -2, Max: -1}, tr)

	_, err = SamplePlane(f, x, d1, d2, viz.Interval{Min: -2, Max: 2}, viz.Interval{Min: -2, Max: 2}, 1000, 1000)
	require.EqualError(t, err, "a grid of 1000 × 1000 points: at most 262144 points")
}

// BenchmarkPlane samples a 51 × 51 filter-normalized landscape of the
// perceptron of examples/mlp widened to 2500 hidden units, 12 502 weights.
func BenchmarkPlane(b *testing.B) {
	f, x := mlpModel(b, 2500)
	vars := f.Vars()
	d1, err := Random(vars, x, 1, true)
	require.NoError(b, err)
	d2, err := Random(vars, x, 2, true)
	require.NoError(b, err)
	box := viz.Interval{Min: -1, Max: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SamplePlane(f, x, d1, d2, box, box, 51, 51); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.Dim()), "weights")
}
