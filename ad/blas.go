package ad

import (
	"fmt"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	internalgemm "github.com/nabla-ad/nabla/internal/gemm"
)

// BLASInfo says which implementation of BLAS and LAPACK runs the matrix
// kernels: products, matrix-vector products, factorizations and solves.
//
// By default it is gonum's, in pure Go, and a program's matrix products
// run on nabla's own kernel, packed, with AVX2 and FMA where the
// processor has them. A build with the tag openblas
// (go build -tags openblas, with Debian's libopenblas-dev or another
// OpenBLAS installed) puts OpenBLAS under them through cgo, and under
// everything else in the program that calls gonum's blas64 and lapack64,
// gonum's mat among them. Its number of threads is 1 unless the environment
// variable NABLA_BLAS_THREADS says otherwise when the program starts: BLAS
// threads and goroutines would compete for the same cores.
type BLASInfo struct {
	// Name is "gonum" or "openblas".
	Name string
	// Config is what the library says of its build (version, options,
	// the CPU its kernels are for); empty for gonum.
	Config string
	// Threads is the number of BLAS threads, or 0 for gonum, which splits
	// a large product across up to GOMAXPROCS goroutines instead.
	Threads int
	// Err reports a NABLA_BLAS_THREADS that is not a positive integer,
	// in which case Threads is 1.
	Err error
}

// BLAS returns the implementation of BLAS and LAPACK in use.
func BLAS() BLASInfo { return blasInUse }

// String describes the implementation in one line, as nabla version
// prints it: "gonum (pure Go)", or for OpenBLAS its build and its number
// of threads, "openblas (OpenBLAS 0.3.21 … Zen MAX_THREADS=64), 1 thread".
func (b BLASInfo) String() string {
	if b.Name == "gonum" {
		return "gonum (pure Go)"
	}
	s := fmt.Sprintf("%s (%s), %d thread", b.Name, b.Config, b.Threads)
	if b.Threads != 1 {
		s += "s"
	}
	return s
}

// gemmParallel is the number of multiply-adds from which a product is
// split across goroutines when more than one thread runs Go code, each
// taking at least this many: each goroutine costs its allocations and a
// few microseconds, where 2²⁰ multiply-adds take about 70 µs.
const gemmParallel = 1 << 20

// gemm is blas64.Gemm, C = alpha·A'·B' + beta·C. On gonum's BLAS it is
// computed by nabla's own kernel, packed and register-blocked with AVX2
// and FMA, several times faster than gonum's Dgemm, and split by rows or
// columns of C across goroutines when it is large enough; each element is
// computed the same way whatever the split, so the result does not depend
// on the number of threads. Other implementations (OpenBLAS) get the
// whole product.
func gemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	if _, ok := blas64.Implementation().(gonum.Implementation); !ok {
		blas64.Gemm(tA, tB, alpha, a, b, beta, c)
		return
	}
	m, n, k := c.Rows, c.Cols, a.Cols
	if tA == blas.Trans {
		k = a.Rows
	}
	parts := min(runtime.GOMAXPROCS(0), m*n*k/gemmParallel)
	if parts <= 1 {
		gemmPart(tA, tB, alpha, a, b, beta, c, 0, m, 0, n)
		return
	}
	gemmSplit(parts, tA, tB, alpha, a, b, beta, c)
}

// gemmSplit computes gemm's product in parts on as many goroutines. Each
// part packs all of the other operand, so the longer side is split.
func gemmSplit(parts int, tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	m, n := c.Rows, c.Cols
	var wg sync.WaitGroup
	for p := range parts {
		if m >= n {
			wg.Go(func() { gemmPart(tA, tB, alpha, a, b, beta, c, m*p/parts, m*(p+1)/parts, 0, n) })
		} else {
			wg.Go(func() { gemmPart(tA, tB, alpha, a, b, beta, c, 0, m, n*p/parts, n*(p+1)/parts) })
		}
	}
	wg.Wait()
}

// gemmPart computes rows [i0, i1) and columns [j0, j1) of gemm's C.
func gemmPart(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General, i0, i1, j0, j1 int) {
	k, ai, bj := a.Cols, i0*a.Stride, j0
	if tA == blas.Trans {
		k, ai = a.Rows, i0
	}
	if tB == blas.Trans {
		bj = j0 * b.Stride
	}
	internalgemm.Dgemm(tA, tB, i1-i0, j1-j0, k, alpha, a.Data[ai:], a.Stride,
		b.Data[bj:], b.Stride, beta, c.Data[i0*c.Stride+j0:], c.Stride)
}
