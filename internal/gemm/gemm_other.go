//go:build !amd64 || purego

package gemm

// kernelAsm and narrowAsm leave every tile to the Go code.
func kernelAsm(k int, a, b, c []float64, ldc int, alpha, beta float64) bool { return false }
func narrowAsm(k int, a, b []float64, tile *[mr * nr]float64) bool          { return false }
