//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// useAsm is set when the processor runs the assembly kernel.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernelAsm runs the assembly kernel, the Go kernel's operations, on a
// tile whose slices kernel has checked, and reports whether it did.
func kernelAsm(k int, a, b, c []float64, ldc int, alpha, beta float64) bool {
	if !useAsm {
		return false
	}
	kernel6x8(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	return true
}

// narrowAsm runs the assembly of narrow, and reports whether it did.
func narrowAsm(k int, a, b []float64, tile *[mr * nr]float64) bool {
	if !useAsm {
		return false
	}
	kernel6x4(k, &a[0], &b[0], tile)
	return true
}

// kernel6x8 is kernel for k ≥ 1, on the first elements of the panels and
// of the tile.
//
//go:noescape
func kernel6x8(k int, a, b, c *float64, ldc int, alpha, beta float64)

// kernel6x4 is narrow for k ≥ 1, on the first elements of the panels.
//
//go:noescape
func kernel6x4(k int, a, b *float64, tile *[mr * nr]float64)
