package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// product is one call of Dgemm, on matrices stored with strides wider
// than their rows, so that they are views of larger ones.
type product struct {
	tA, tB      blas.Transpose
	m, n, k     int
	alpha, beta float64
	a, b, c     []float64
	lda, ldb    int
	ldc         int
}

// newProduct makes a product with random matrices, each stored with pad
// more columns than it has; C is all NaN where beta is 0, which Dgemm must
// overwrite.
func newProduct(rng *rand.Rand, tA, tB blas.Transpose, m, n, k, pad int, alpha, beta float64) *product {
	p := &product{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if tA == blas.Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB == blas.Trans {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = ac+pad, bc+pad, n+pad
	p.a, p.b, p.c = random(rng, ar*p.lda), random(rng, br*p.ldb), random(rng, m*p.ldc)
	if beta == 0 {
		for i := range m {
			for j := range n {
				p.c[i*p.ldc+j] = math.NaN()
			}
		}
	}
	return p
}

func random(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()*2 - 1
	}
	return v
}

func (p *product) opA(i, l int) float64 {
	if p.tA == blas.Trans {
		return p.a[l*p.lda+i]
	}
	return p.a[i*p.lda+l]
}

func (p *product) opB(l, j int) float64 {
	if p.tB == blas.Trans {
		return p.b[j*p.ldb+l]
	}
	return p.b[l*p.ldb+j]
}

// run computes the product on a copy of C and returns it.
func (p *product) run() []float64 {
	c := append([]float64(nil), p.c...)
	Dgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	return c
}

// check compares got, the product's C, with a sum in float64 of the
// products in order. Each has a rounding error of at most
// (k+2)·ε·(|α|·Σ|a||b| + |β·c|), so they may differ by twice that; the
// padding of C must be as it was.
func (p *product) check(t *testing.T, got []float64, msg string) {
	t.Helper()
	eps := 0x1p-52
	for i := range p.m {
		for j := range p.ldc {
			at := i*p.ldc + j
			if j >= p.n {
				require.Equal(t, p.c[at], got[at], "%s: padding (%d, %d)", msg, i, j)
				continue
			}
			var sum, abs float64
			for l := range p.k {
				x := p.opA(i, l) * p.opB(l, j)
				sum += x
				abs += math.Abs(x)
			}
			want, bound := p.alpha*sum, math.Abs(p.alpha)*abs
			if p.beta != 0 {
				want += p.beta * p.c[at]
				bound += math.Abs(p.beta * p.c[at])
			}
			tol := 2 * float64(p.k+2) * eps * bound
			require.InDelta(t, want, got[at], tol, "%s: (%d, %d)", msg, i, j)
		}
	}
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans}

func TestDgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	scalars := []float64{0, 1, -2.5}
	test := func(tA, tB blas.Transpose, m, n, k int, alpha, beta float64) {
		p := newProduct(rng, tA, tB, m, n, k, rng.IntN(3), alpha, beta)
		p.check(t, p.run(), fmt.Sprintf("%d×%d×%d %c%c alpha %v beta %v", m, n, k, tA, tB, alpha, beta))
	}
	// Every edge of a tile, in every transposition, with every alpha and
	// beta.
	for m := 1; m <= 17; m++ {
		for n := 1; n <= 17; n++ {
			k := 1 + rng.IntN(17)
			for _, tA := range transposes {
				for _, tB := range transposes {
					for _, alpha := range scalars {
						for _, beta := range scalars {
							test(tA, tB, m, n, k, alpha, beta)
						}
					}
				}
			}
		}
	}
	// Shapes past a run of k and a block of A, each in one random
	// transposition with random alpha and beta.
	large := []int{1, 4, 11, 15, 33, 100, 257}
	pick := func(s []int) int { return s[rng.IntN(len(s))] }
	for range 60 {
		tA, tB := transposes[rng.IntN(2)], transposes[rng.IntN(2)]
		test(tA, tB, pick(large), pick(large), pick(large), scalars[rng.IntN(3)], scalars[rng.IntN(3)])
	}
	test(blas.Trans, blas.NoTrans, 145, 9, 513, -2.5, 1)
	test(blas.NoTrans, blas.Trans, 150, 20, 300, 1, 0)
}

// TestDgemmEmpty checks the products with no terms: C is scaled by beta,
// and set to 0 when beta is 0, or left alone when it has no elements.
func TestDgemmEmpty(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		m, n, k     int
		alpha, beta float64
		c, want     []float64
	}{
		{2, 2, 0, 1, 0, []float64{nan, 1, 2, nan}, []float64{0, 0, 0, 0}},
		{2, 2, 0, 1, 2, []float64{1, 2, 3, 4}, []float64{2, 4, 6, 8}},
		{2, 2, 3, 0, -1, []float64{1, 2, 3, 4}, []float64{-1, -2, -3, -4}},
		{0, 2, 3, 1, 0, []float64{nan}, []float64{nan}},
		{2, 0, 3, 1, 0, []float64{nan}, []float64{nan}},
	} {
		a, b := make([]float64, max(1, c.m*c.k)), make([]float64, max(1, c.k*c.n))
		got := append([]float64(nil), c.c...)
		Dgemm(blas.NoTrans, blas.NoTrans, c.m, c.n, c.k, c.alpha, a, max(1, c.k), b, max(1, c.n), c.beta, got, max(1, c.n))
		if math.IsNaN(c.want[0]) {
			assert.True(t, math.IsNaN(got[0]), "%+v", c)
			continue
		}
		assert.Equal(t, c.want, got, "%+v", c)
	}
}

// TestDgemmSplits checks that a block of C computed alone has the bits it
// has in the whole product, which is what lets a product be split across
// goroutines.
func TestDgemmSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tA := range transposes {
		for _, tB := range transposes {
			p := newProduct(rng, tA, tB, 160, 90, 600, 0, 1.5, 0.5)
			whole := p.run()
			i0, j0, m, n := 7, 13, 101, 45
			got := append([]float64(nil), p.c...)
			ai, bj := i0*p.lda, j0
			if tA == blas.Trans {
				ai = i0
			}
			if tB == blas.Trans {
				bj = j0 * p.ldb
			}
			Dgemm(tA, tB, m, n, p.k, p.alpha, p.a[ai:], p.lda, p.b[bj:], p.ldb, p.beta, got[i0*p.ldc+j0:], p.ldc)
			for i := i0; i < i0+m; i++ {
				require.Equal(t, whole[i*p.ldc+j0:i*p.ldc+j0+n], got[i*p.ldc+j0:i*p.ldc+j0+n], "%c%c row %d", tA, tB, i)
			}
		}
	}
}

// TestDgemmAllocatesNothing checks that a product takes its packing
// buffers from the pool, in every build but -race, whose pool drops them.
func TestDgemmAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops buffers at random")
	}
	p := newProduct(rand.New(rand.NewPCG(7, 8)), blas.Trans, blas.NoTrans, 50, 70, 300, 0, 1, 0)
	c := append([]float64(nil), p.c...)
	allocs := testing.AllocsPerRun(10, func() {
		Dgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	})
	assert.Zero(t, allocs)
}

// The products of the benchmarks: gmm's jacobian (d = 20, k = 25,
// n = 1000), kmeans (k = 100, d = 8), the MLP's layers and their
// gradients, and a large square one.
var benchShapes = []struct {
	tA, tB  blas.Transpose
	m, n, k int
}{
	{blas.Trans, blas.NoTrans, 500, 1000, 21},
	{blas.NoTrans, blas.Trans, 21, 500, 1000},
	{blas.NoTrans, blas.NoTrans, 20, 20, 1},
	{blas.NoTrans, blas.NoTrans, 100, 1000, 8},
	{blas.NoTrans, blas.NoTrans, 100, 8, 1000},
	{blas.NoTrans, blas.NoTrans, 1000, 64, 32},
	{blas.NoTrans, blas.NoTrans, 1000, 10, 64},
	{blas.NoTrans, blas.NoTrans, 32, 64, 1000},
	{blas.NoTrans, blas.Trans, 1000, 64, 10},
	{blas.Trans, blas.NoTrans, 64, 10, 1000},
	{blas.NoTrans, blas.NoTrans, 2000, 2000, 2000},
}

func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	impls := []struct {
		name  string
		dgemm func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
	}{
		{"nabla", Dgemm},
		{"gonum", gonum.Implementation{}.Dgemm},
	}
	for _, s := range benchShapes {
		b.Run(fmt.Sprintf("%c%c_%dx%dx%d", s.tA, s.tB, s.m, s.n, s.k), func(b *testing.B) {
			p := newProduct(rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 0)
			for _, impl := range impls {
				b.Run(impl.name, func(b *testing.B) {
					for b.Loop() {
						impl.dgemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
					}
					flops := 2 * float64(p.m) * float64(p.n) * float64(p.k) * float64(b.N)
					b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		})
	}
}
