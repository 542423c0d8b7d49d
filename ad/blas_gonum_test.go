//go:build !openblas

package ad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

func TestBLASIsGonum(t *testing.T) {
	assert.Equal(t, BLASInfo{Name: "gonum"}, BLAS())
}

// TestGemmMatchesGonum checks gemm's products against gonum's Dgemm in
// every transposition, with edge tiles of every size and with C scaled by
// beta first. Both sum in float64, each with an error of at most
// (k+2)·ε·(|α|·Σ|a||b| + |β·c|), so they differ by at most twice that.
// Split across goroutines, a product has the bits it has on one thread.
func TestGemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.Float64()*2 - 1
		}
		return v
	}
	abs := func(x []float64) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = math.Abs(v)
		}
		return y
	}
	for _, size := range [][3]int{{130, 70, 150}, {64, 256, 3}, {200, 200, 1}, {65, 193, 64}, {256, 8, 256}, {130, 2000, 9}, {300, 130, 60}} {
		m, n, k := size[0], size[1], size[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, beta := range []float64{0, 0.5} {
					a := blas64.General{Rows: m, Cols: k, Stride: k, Data: random(m * k)}
					if tA == blas.Trans {
						a = blas64.General{Rows: k, Cols: m, Stride: m, Data: a.Data}
					}
					b := blas64.General{Rows: k, Cols: n, Stride: n, Data: random(k * n)}
					if tB == blas.Trans {
						b = blas64.General{Rows: n, Cols: k, Stride: k, Data: b.Data}
					}
					c := random(m * n)
					want, bound := append([]float64(nil), c...), abs(c)
					impl := gonum.Implementation{}
					impl.Dgemm(tA, tB, m, n, k, 1.5, a.Data, a.Stride, b.Data, b.Stride, beta, want, n)
					impl.Dgemm(tA, tB, m, n, k, 1.5, abs(a.Data), a.Stride, abs(b.Data), b.Stride, beta, bound, n)
					msg := fmt.Sprintf("%d×%d×%d %c%c beta %v", m, n, k, tA, tB, beta)
					var got []float64
					for _, threads := range []int{1, 2, 3} {
						prev := runtime.GOMAXPROCS(threads)
						c := append([]float64(nil), c...)
						gemm(tA, tB, 1.5, a, b, beta, blas64.General{Rows: m, Cols: n, Stride: n, Data: c})
						runtime.GOMAXPROCS(prev)
						if got == nil {
							got = c
							continue
						}
						require.Equal(t, got, c, "%s on %d threads", msg, threads)
					}
					for i := range got {
						require.InDelta(t, want[i], got[i], 2*float64(k+2)*0x1p-52*bound[i], "%s at %d", msg, i)
					}
				}
			}
		}
	}
}

// TestMatMulSplitRunAllocatesNothing checks that products run without
// allocating when they are not worth splitting across goroutines: small
// ones at any number of threads, every one on a single thread.
func TestMatMulSplitRunAllocatesNothing(t *testing.T) {
	skipIfPooledBuffersAllocate(t)
	for _, c := range []struct {
		n, k    int
		threads int
	}{
		{256, 8, runtime.GOMAXPROCS(0)}, // 2¹⁹ multiply-adds per product
		{300, 100, 1},
	} {
		b := NewBuilder()
		X := b.Var("X", Matrix(c.n, c.k))
		W := b.Var("W", Matrix(c.k, c.n))
		f := b.Sum(b.Tanh(b.MatMul(X, W)))
		require.NoError(t, b.Err())
		grad, err := b.Graph().Grad(f, X, W)
		require.NoError(t, err)
		p, err := b.Graph().Compile(append([]Node{f}, grad...)...)
		require.NoError(t, err)
		ws := p.NewWorkspace()
		in := [][]float64{make([]float64, c.n*c.k), make([]float64, c.k*c.n)}
		for _, v := range in {
			for i := range v {
				v[i] = 0.01 * float64(i%7)
			}
		}
		prev := runtime.GOMAXPROCS(c.threads)
		allocs := testing.AllocsPerRun(5, func() { _ = p.Run(ws, in) })
		runtime.GOMAXPROCS(prev)
		assert.Zero(t, allocs, "%d×%d @ %d×%d on %d threads", c.n, c.k, c.k, c.n, c.threads)
	}
}
