package landscape

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// matrixHVP returns the HVP of a symmetric matrix, counting its calls.
func matrixHVP(a mat.Symmetric, calls *int) HVP {
	return func(v, dst []float64) error {
		*calls++
		mat.NewVecDense(len(dst), dst).MulVec(a, mat.NewVecDense(len(v), v))
		return nil
	}
}

// randomSym returns a random symmetric n×n matrix: positive definite when
// spd, indefinite otherwise.
func randomSym(n int, spd bool, seed uint64) *mat.SymDense {
	r := rand.New(rand.NewPCG(seed, 1))
	b := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			b.Set(i, j, r.NormFloat64())
		}
	}
	a := mat.NewSymDense(n, nil)
	if spd {
		a.SymOuterK(1, b)
		for i := range n {
			a.SetSym(i, i, a.At(i, i)+0.1)
		}
		return a
	}
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, (b.At(i, j)+b.At(j, i))/2)
		}
	}
	return a
}

// wantEigen returns the k eigenvalues of a that which asks for, by
// EigenSym.
func wantEigen(t *testing.T, a mat.Symmetric, k int, which Which) []float64 {
	var eig mat.EigenSym
	require.True(t, eig.Factorize(a, false))
	v := eig.Values(nil)
	switch which {
	case Largest:
		slices.Reverse(v)
	case LargestMagnitude:
		slices.SortStableFunc(v, func(a, b float64) int { return cmpDesc(math.Abs(a), math.Abs(b)) })
	}
	return v[:k]
}

// checkPairs asserts that each column of e.Vectors is a unit eigenvector
// of a for its value.
func checkPairs(t *testing.T, a mat.Symmetric, e *Eigen, tol float64) {
	n, k := e.Vectors.Dims()
	for i := range k {
		v := mat.Col(nil, i, e.Vectors)
		assert.InDelta(t, 1, floats.Norm(v, 2), 1e-12)
		av := make([]float64, n)
		mat.NewVecDense(n, av).MulVec(a, mat.NewVecDense(n, v))
		floats.AddScaled(av, -e.Values[i], v)
		assert.Less(t, floats.Norm(av, 2), tol, "residual of eigenpair %d", i)
	}
}

func TestLanczosMatchesEigenSym(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n, k  int
		spd   bool
		which Which
		basis int // restart when the basis holds this many vectors
	}{
		{"spd top 1", 20, 1, true, Largest, 0},
		{"spd top 5", 60, 5, true, Largest, 0},
		{"spd bottom 3", 40, 3, true, Smallest, 0},
		{"indefinite top 5", 60, 5, false, Largest, 0},
		{"indefinite bottom 4", 50, 4, false, Smallest, 0},
		{"indefinite magnitude 5", 60, 5, false, LargestMagnitude, 0},
		{"all of a small one", 6, 6, false, Largest, 0},
		{"one by one", 1, 1, false, Largest, 0},
		{"spd top 4, restarted", 200, 4, true, Largest, 24},
		{"indefinite bottom 3, restarted", 150, 3, false, Smallest, 30},
		{"indefinite magnitude 2, restarted", 150, 2, false, LargestMagnitude, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := randomSym(tc.n, tc.spd, uint64(tc.n*10+tc.k))
			calls := 0
			e, err := Lanczos(matrixHVP(a, &calls), tc.n, tc.k, &LanczosOptions{Which: tc.which, Basis: tc.basis, Seed: 3})
			require.NoError(t, err)
			want := wantEigen(t, a, tc.k, tc.which)
			require.Len(t, e.Values, tc.k)
			for i := range want {
				assert.InDelta(t, want[i], e.Values[i], 1e-8, "eigenvalue %d", i)
			}
			checkPairs(t, a, e, 1e-7)
			assert.Equal(t, calls, e.HVPs)
			if tc.basis == 0 {
				assert.LessOrEqual(t, e.HVPs, tc.n)
			}
		})
	}
}

// TestLanczosMultiplicity finds an eigenvalue twice: a single Krylov space
// holds it once, and the continuation after the space became invariant
// finds the second copy.
func TestLanczosMultiplicity(t *testing.T) {
	a := mat.NewSymDense(6, nil)
	for i, d := range []float64{3, 1, 3, 1, 1, 2} {
		a.SetSym(i, i, d)
	}
	calls := 0
	e, err := Lanczos(matrixHVP(a, &calls), 6, 3, nil)
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{3, 3, 2}, e.Values, 1e-12)
	checkPairs(t, a, e, 1e-10)
}

// TestLanczosNullSpace: a Hessian of low rank, as a model's often is, or
// zero, as a linear function's is, makes the Krylov space invariant at
// once; the random vectors that continue it lie in the null space, and
// Lanczos stops when they show that nothing is left above the k-th
// eigenvalue, not after its every step.
func TestLanczosNullSpace(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    []float64 // the nonzero diagonal, then zeros
		k    int
		want []float64
	}{
		{"rank 3", []float64{5, 4, 3}, 5, []float64{5, 4, 3, 0, 0}},
		{"rank 2, repeated", []float64{2, 2}, 3, []float64{2, 2, 0}},
		{"zero", nil, 3, []float64{0, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 2000
			d := make([]float64, n)
			copy(d[n-len(tc.d):], tc.d) // at the end, where a start vector finds them last
			calls := 0
			hvp := func(v, dst []float64) error {
				calls++
				floats.MulTo(dst, d, v)
				return nil
			}
			e, err := Lanczos(hvp, n, tc.k, nil)
			require.NoError(t, err)
			assert.InDeltaSlice(t, tc.want, e.Values, 1e-12)
			assert.LessOrEqual(t, calls, 2*tc.k+2)
		})
	}
}

func TestLanczosErrors(t *testing.T) {
	a := randomSym(5, true, 1)
	calls := 0
	hvp := matrixHVP(a, &calls)
	_, err := Lanczos(hvp, 5, 6, nil)
	assert.EqualError(t, err, "cannot find 6 eigenvalues of a 5×5 matrix: k must be between 1 and 5")
	_, err = Lanczos(hvp, 5, 0, nil)
	assert.Error(t, err)
	_, err = Lanczos(hvp, 0, 1, nil)
	assert.Error(t, err)
	_, err = Lanczos(hvp, 5, 1, &LanczosOptions{Which: 7})
	assert.Error(t, err)

	nan := func(v, dst []float64) error {
		hvp(v, dst)
		dst[3] = math.NaN()
		return nil
	}
	_, err = Lanczos(nan, 5, 1, nil)
	assert.EqualError(t, err, "Hessian-vector product 1 is not finite: element 3 is NaN")

	failed := errors.New("out of memory")
	_, err = Lanczos(func(v, dst []float64) error { return failed }, 5, 1, nil)
	assert.ErrorIs(t, err, failed)

	big := randomSym(200, false, 2)
	e, err := Lanczos(matrixHVP(big, &calls), 200, 5, &LanczosOptions{MaxSteps: 8})
	assert.ErrorIs(t, err, ErrNotConverged)
	require.NotNil(t, e)
	assert.Equal(t, 8, e.HVPs)
	assert.Len(t, e.Values, 5)
}
