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

// transposeAsm is transpose8's assembly for the columns of src a multiple
// of four, and reports how many it did.
func transposeAsm(dst []float64, k int, src []float64, ld int) int {
	k4 := k &^ 3
	if !useAsm || k4 == 0 {
		return 0
	}
	_, _ = dst[nr*k4-1], src[(nr-1)*ld+k4-1]
	transpose8(&dst[0], &src[0], k4, ld)
	return k4
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

// transpose8 sets dst to the transpose of k4 columns of the 8 rows of
// src (stride ld), k4 a positive multiple of four.
//
//go:noescape
func transpose8(dst, src *float64, k4, ld int)
