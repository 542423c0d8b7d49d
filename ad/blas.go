package ad

import (
	"fmt"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// BLASInfo says which implementation of BLAS and LAPACK runs the matrix
// kernels: products, matrix-vector products, factorizations and solves.
//
// By default it is gonum's, in pure Go. A build with the tag openblas
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

// gemmBlock and gemmSplit are gonum's blockSize and minParBlock: its Dgemm
// splits C into gemmBlock×gemmBlock blocks, one goroutine each, when there
// are at least gemmSplit of them.
const (
	gemmBlock = 64
	gemmSplit = 4
)

// gemmParallel is the number of multiply-adds from which a product is
// worth gonum's goroutines when more than one thread runs Go code. Each
// goroutine costs its allocations and a few microseconds, where a
// product of 2²⁰ multiply-adds takes about half a millisecond.
const gemmParallel = 1 << 20

// gemm is blas64.Gemm, C = alpha·A'·B' + beta·C, without gonum's
// goroutines for a product that has too little work to share, or no
// other thread to share it with: there gonum's Dgemm would start a
// goroutine per block of C, and allocate, on every run of a program.
// Such a product is computed block by block as gonum's goroutines would,
// each block a serial Dgemm, in the same order, so the result is the
// same to the bit; but for A·Bᵀ, whose kernel is dot products of rows,
// a block's dot products run the rows' whole length rather than 64
// elements at a time (fewer, longer calls: an eighth fewer instructions
// for gmm's jacobian), which rounds differently. Other implementations
// (OpenBLAS) get the whole product.
func gemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	impl, ok := blas64.Implementation().(gonum.Implementation)
	m, n, k := c.Rows, c.Cols, a.Cols
	if tA == blas.Trans {
		k = a.Rows
	}
	blocks := func(n int) int { return (n + gemmBlock - 1) / gemmBlock }
	if !ok || k == 0 || blocks(m)*blocks(n) < gemmSplit ||
		runtime.GOMAXPROCS(0) > 1 && m*n*k >= gemmParallel {
		blas64.Gemm(tA, tB, alpha, a, b, beta, c)
		return
	}
	kb := gemmBlock
	if tA == blas.NoTrans && tB == blas.Trans {
		kb = k
	}
	for i := 0; i < m; i += gemmBlock {
		bm := min(gemmBlock, m-i)
		for j := 0; j < n; j += gemmBlock {
			bn := min(gemmBlock, n-j)
			scale := beta
			for l := 0; l < k; l += kb {
				ai, bi := i*a.Stride+l, l*b.Stride+j
				if tA == blas.Trans {
					ai = l*a.Stride + i
				}
				if tB == blas.Trans {
					bi = j*b.Stride + l
				}
				impl.Dgemm(tA, tB, bm, bn, min(kb, k-l), alpha, a.Data[ai:], a.Stride,
					b.Data[bi:], b.Stride, scale, c.Data[i*c.Stride+j:], c.Stride)
				scale = 1
			}
		}
	}
}
