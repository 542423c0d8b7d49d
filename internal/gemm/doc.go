// Package gemm computes the matrix product C = α·op(A)·op(B) + β·C of
// row-major float64 matrices, BLAS's dgemm, with an AVX2 and FMA kernel
// where the processor has them.
//
// It is organised as BLIS and OpenBLAS are: blocks of op(A) and op(B) are
// packed into contiguous panels (which absorbs the transpositions), and a
// micro-kernel keeps a 6×8 tile of C in registers while it runs through a
// panel of each, one broadcast and two fused multiply-adds per element of
// A. The panels are sized for the caches of a current x86 core: a 256×8
// panel of B stays in L1, a 144×256 block of A in L2.
//
// Every element of C is computed by the same operations in the same order
// whichever way it is computed: by the assembly or the Go code, in a full
// tile or at an edge, in a whole product or in a block of it. An element is
// the fused multiply-add sum of its k products, in order, in runs of 256,
// each run then added to C as fma(β, C, α·run), with β = 1 after the
// first run; where β = 0, C is not read, so NaNs in it are overwritten.
// The result is therefore the same on every processor, and splitting C
// across goroutines does not change it. Building with the purego tag
// leaves out the assembly; without a hardware fused multiply-add the Go
// code is much slower, as math.FMA is then computed in software.
package gemm
