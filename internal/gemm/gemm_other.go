//go:build !amd64 || purego

package gemm

// kernelAsm, narrowAsm and transposeAsm leave everything to the Go code.
func kernelAsm(k int, a, b, c []float64, ldc int, alpha, beta float64) bool { return false }
func narrowAsm(k int, a, b []float64, tile *[mr * nr]float64) bool          { return false }
func transposeAsm(dst []float64, k int, src []float64, ld int) int          { return 0 }
