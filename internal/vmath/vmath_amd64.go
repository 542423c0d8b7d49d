//go:build !purego

package vmath

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useAsm is set when the processor runs the assembly kernels.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The assembly reads its constants, each repeated in four lanes, from
// consts, at the offsets its #defines give; they are the Go code's.
var consts = func() (c [32][4]float64) {
	vals := []float64{
		math.Log2E, -ln2Hi, -ln2Lo, 0.5, math.Float64frombits(bias),
		expC[0], expC[1], expC[2], expC[3], expC[4], expC[5],
		expC[6], expC[7], expC[8], expC[9], expC[10], expC[11],
		1, expLo, expHi, shift,
		math.Float64frombits(1<<63 - 1), math.Float64frombits(1 << 63),
		tanhP[0], tanhP[1], tanhP[2], tanhQ[0], tanhQ[1], tanhQ[2],
		tanhSplit, 2, tanhMax,
	}
	for i, v := range vals {
		c[i] = [4]float64{v, v, v, v}
	}
	return c
}()

// expVec and tanhVec compute Exp and Tanh for the leading elements of
// dst, a multiple of four, and return how many they computed.
func expVec(dst, src []float64) int {
	if !useAsm {
		return 0
	}
	n := len(dst) &^ 3
	expAsm(dst[:n], src[:n])
	return n
}

func tanhVec(dst, src []float64) int {
	if !useAsm {
		return 0
	}
	n := len(dst) &^ 3
	tanhAsm(dst[:n], src[:n])
	return n
}

// expAsm and tanhAsm compute Exp and Tanh for len(dst) a multiple of
// four and src as long as dst.
//
//go:noescape
func expAsm(dst, src []float64)

//go:noescape
func tanhAsm(dst, src []float64)
