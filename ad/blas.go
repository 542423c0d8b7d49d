package ad

import "fmt"

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
