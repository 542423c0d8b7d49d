// Package vmath computes exp and tanh of whole slices four elements at a
// time, with AVX2 and FMA where the processor has them.
//
// Every result is the same bit pattern whichever way it is computed: the
// slice kernels (Exp, Tanh), the scalar functions (Exp1, Tanh1), the
// assembly and the Go code all perform the same floating-point operations
// in the same order, fused multiply-adds included, so a value does not
// depend on whether it was computed alone or in a vector, nor on the
// processor. Building with the purego tag leaves out the assembly.
//
// Both functions are within one ulp of the correctly rounded result over
// the whole range, subnormal results included; NaN propagates, and
// tanh(−0) is −0.
package vmath
