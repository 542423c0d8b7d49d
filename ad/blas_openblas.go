//go:build openblas

package ad

// The OpenBLAS backend: gonum's cgo binding of CBLAS for every BLAS call,
// and OpenBLAS's own LAPACK for the factorizations, which gonum's binding
// of LAPACK (last published for an older gonum) cannot provide. The
// library is linked here, so that a build with the tag needs no
// CGO_LDFLAGS; without it, the link fails with "cannot find -lopenblas".

/*
#cgo LDFLAGS: -lopenblas
extern void openblas_set_num_threads(int n);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
extern int dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
extern int dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);

// The Fortran routines take every argument by reference: taken here, in C,
// so that no Go variable escapes to the heap for them.
static int getrf(int n, double *a, int lda, int *ipiv) {
	int info;
	dgetrf_(&n, &n, a, &lda, ipiv, &info);
	return info;
}

static int potrf(char uplo, int n, double *a, int lda) {
	int info;
	dpotrf_(&uplo, &n, a, &lda, &info);
	return info;
}
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/netlib/blas/netlib"
)

var blasInUse BLASInfo

func init() {
	blas64.Use(netlib.Implementation{})
	lapack64.Use(openblasLAPACK{})
	threads, err := 1, error(nil)
	if s, ok := os.LookupEnv("NABLA_BLAS_THREADS"); ok {
		if n, perr := strconv.Atoi(s); perr == nil && n >= 1 {
			threads = n
		} else {
			err = fmt.Errorf("NABLA_BLAS_THREADS=%q is not a positive integer", s)
		}
	}
	C.openblas_set_num_threads(C.int(threads))
	blasInUse = BLASInfo{
		Name:    "openblas",
		Config:  C.GoString(C.openblas_get_config()),
		Threads: int(C.openblas_get_num_threads()),
		Err:     err,
	}
}

// openblasLAPACK is gonum's LAPACK with the LU and Cholesky factorizations
// of OpenBLAS. The rest (the solves and the inverse from a factorization)
// stay gonum's, whose work is in BLAS calls that OpenBLAS runs. OpenBLAS's
// LAPACK is column-major, gonum's row-major: a square matrix is
// transposed in place around the LU factorization, so that the pivots are
// row interchanges as gonum's are, and the Cholesky factor of a symmetric
// matrix is the other triangle's read in the other order. Calls it cannot
// pass on that way (a rectangular LU) and calls with bad arguments go to
// gonum, which checks them.
type openblasLAPACK struct{ gonum.Implementation }

func (impl openblasLAPACK) Dgetrf(m, n int, a []float64, lda int, ipiv []int) (ok bool) {
	if m != n || n == 0 || lda < n || len(a) < (n-1)*lda+n || len(ipiv) < n {
		return impl.Implementation.Dgetrf(m, n, a, lda, ipiv)
	}
	transposeSquare(n, a, lda)
	// The Fortran routine writes n 32-bit pivots into ipiv's memory,
	// converted in place from the last: pivot i (1-based) becomes ipiv[i]
	// (0-based), whose 8 bytes cover the 32-bit pivots 2i and 2i+1, both at
	// or after i and so already read.
	piv := unsafe.Slice((*C.int)(unsafe.Pointer(&ipiv[0])), n)
	info := C.getrf(C.int(n), (*C.double)(&a[0]), C.int(lda), &piv[0])
	for i := n - 1; i >= 0; i-- {
		ipiv[i] = int(piv[i]) - 1
	}
	transposeSquare(n, a, lda)
	return info == 0
}

func (impl openblasLAPACK) Dpotrf(ul blas.Uplo, n int, a []float64, lda int) (ok bool) {
	if ul != blas.Upper && ul != blas.Lower || n == 0 || lda < n || len(a) < (n-1)*lda+n {
		return impl.Implementation.Dpotrf(ul, n, a, lda)
	}
	uplo := C.char('L')
	if ul == blas.Lower {
		uplo = 'U'
	}
	info := C.potrf(uplo, C.int(n), (*C.double)(&a[0]), C.int(lda))
	return info == 0
}

// transposeSquare transposes the n×n matrix of stride lda in a.
func transposeSquare(n int, a []float64, lda int) {
	for i := range n {
		for j := i + 1; j < n; j++ {
			a[i*lda+j], a[j*lda+i] = a[j*lda+i], a[i*lda+j]
		}
	}
}
