//go:build openblas

package ad

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	gonumblas "gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/netlib/blas/netlib"
)

func TestBLASIsOpenBLAS(t *testing.T) {
	info := BLAS()
	assert.Equal(t, "openblas", info.Name)
	assert.Contains(t, info.Config, "OpenBLAS")
	if _, set := os.LookupEnv("NABLA_BLAS_THREADS"); !set {
		assert.Equal(t, 1, info.Threads)
	}
	assert.NoError(t, info.Err)
	assert.IsType(t, netlib.Implementation{}, blas64.Implementation())
}

// TestOpenBLASFactorizations checks OpenBLAS's LU and Cholesky
// factorizations, passed row-major matrices, against gonum's: the same
// pivots, factors to 1e-12, and the same answer on a matrix with a zero row and
// a matrix that is not positive definite. The strides are wider than the
// matrices so that an element read at the wrong place shows.
func TestOpenBLASFactorizations(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 1))
	for _, n := range []int{1, 2, 3, 7, 40, 130} {
		lda := n + 3
		a := make([]float64, n*lda)
		for i := range a {
			a[i] = rng.Float64()*2 - 1
		}
		spd := make([]float64, n*lda)
		for i := range n {
			for j := range n {
				for k := range n {
					spd[i*lda+j] += a[i*lda+k] * a[j*lda+k]
				}
			}
			spd[i*lda+i] += 1
		}
		singular := append([]float64(nil), a...)
		clear(singular[(n-1)*lda : (n-1)*lda+n]) // a zero row stays zero, exactly

		for _, m := range [][]float64{a, singular} {
			got, want := append([]float64(nil), m...), append([]float64(nil), m...)
			gotPiv, wantPiv := make([]int, n), make([]int, n)
			gotOK := openblasLAPACK{}.Dgetrf(n, n, got, lda, gotPiv)
			wantOK := gonum.Implementation{}.Dgetrf(n, n, want, lda, wantPiv)
			require.Equal(t, wantOK, gotOK, "n=%d", n)
			assert.Equal(t, wantPiv, gotPiv, "n=%d", n)
			if wantOK {
				assert.True(t, floats.EqualApprox(want, got, 1e-12), "n=%d", n)
			}
		}
		for _, ul := range []blas.Uplo{blas.Lower, blas.Upper} {
			got, want := append([]float64(nil), spd...), append([]float64(nil), spd...)
			require.True(t, openblasLAPACK{}.Dpotrf(ul, n, got, lda), "n=%d", n)
			require.True(t, gonum.Implementation{}.Dpotrf(ul, n, want, lda))
			assert.True(t, floats.EqualApprox(want, got, 1e-12), "n=%d %c", n, ul)
			notPD := append([]float64(nil), spd...)
			notPD[(n-1)*lda+n-1] = -1
			assert.False(t, openblasLAPACK{}.Dpotrf(ul, n, notPD, lda), "n=%d", n)
		}
	}
}

// TestOpenBLASAgreesWithGonum runs the same programs on OpenBLAS and on
// gonum's BLAS and LAPACK: products of every kind (matrix, matrix-vector,
// vector-matrix, transposed in place) and the linear algebra, with their
// gradients, at sizes where both libraries take their blocked paths. Every
// output agrees to 1e-12 relative to its largest element: the sums run in
// another order, so not bit for bit.
func TestOpenBLASAgreesWithGonum(t *testing.T) {
	const m, n = 150, 130
	rng := rand.New(rand.NewPCG(5, 3))
	b := NewBuilder()
	v := newMatrixVars(b, m, n)
	products := b.Add(b.Sum(b.Tanh(b.MatMul(b.Transpose(v.A), v.B))), b.Sum(b.MatMul(v.A, b.Transpose(v.B))))
	products = b.Add(products, b.Add(b.Dot(v.w, b.MatMul(v.A, b.Sin(v.u))), b.Sum(b.MatMul(b.Cos(v.w), v.A))))
	// A matrix far from singular and a positive definite one, of n×n.
	shift := b.Mul(b.Const(float64(n+1)), b.Graph().ConstMatrix(n, n, identity(n)))
	M, S := b.Add(b.Var("M", Matrix(n, n)), shift), b.Var("S", Matrix(n, n))
	P := b.Add(b.Mul(b.Const(0.5), b.Add(S, b.Transpose(S))), shift)
	linalg := b.Add(b.LogDet(M), b.Add(b.Sum(b.Cholesky(P)), b.Dot(b.Solve(M, v.u), b.MatMul(b.Inv(M), v.u))))
	f := b.Add(b.Add(products, linalg), b.Trace(b.Solve(b.Transpose(P), b.Tanh(M))))
	require.NoError(t, b.Err())
	g := b.Graph()
	grad, err := g.Grad(f, g.Vars()...)
	require.NoError(t, err)
	var in [][]float64
	for _, x := range g.Vars() {
		s := g.Shape(x)
		in = append(in, data(randomDense(rng, s.Len(), 1)))
	}
	outs := append([]Node{f}, grad...)
	got := eval(t, g, in, outs...)

	t.Cleanup(func() {
		blas64.Use(netlib.Implementation{})
		lapack64.Use(openblasLAPACK{})
	})
	blas64.Use(gonumblas.Implementation{})
	lapack64.Use(gonum.Implementation{})
	want := eval(t, g, in, outs...)
	for k := range outs {
		scale := max(floats.Norm(want[k], math.Inf(1)), 1e-300)
		assert.LessOrEqual(t, floats.Distance(got[k], want[k], math.Inf(1))/scale, 1e-12, "output %d", k)
	}
}

// TestOpenBLASForgetsNaN checks that a product overwrites its output
// buffer, as gonum's does with β = 0, rather than scale it by 0: a NaN left
// in a reused workspace by one run must not reach the next.
func TestOpenBLASForgetsNaN(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	b := NewBuilder()
	A, u := b.Var("A", Matrix(40, 30)), b.Var("u", Vector(30))
	C := b.Var("C", Matrix(30, 20))
	outs := []Node{b.MatMul(A, u), b.MatMul(u, C), b.MatMul(A, C), b.MatMul(b.Transpose(C), b.Transpose(A))}
	require.NoError(t, b.Err())
	p, err := b.Graph().Compile(outs...)
	require.NoError(t, err)
	in := [][]float64{data(randomDense(rng, 40, 30)), data(randomDense(rng, 30, 1)), data(randomDense(rng, 30, 20))}
	nan := [][]float64{make([]float64, 40*30), make([]float64, 30), make([]float64, 30*20)}
	for _, x := range nan {
		for i := range x {
			x[i] = math.NaN()
		}
	}
	ws := p.NewWorkspace()
	require.NoError(t, p.Run(ws, nan))
	require.NoError(t, p.Run(ws, in))
	fresh := p.NewWorkspace()
	require.NoError(t, p.Run(fresh, in))
	for k := range outs {
		assert.Equal(t, fresh.Output(k), ws.Output(k), "output %d", k)
		assert.False(t, floats.HasNaN(ws.Output(k)), "output %d", k)
	}
}
