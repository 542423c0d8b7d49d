//go:build !purego

#include "textflag.h"

// ROW multiplies the broadcast element of A at offset off by the two
// vectors of B in Y0 and Y1 and adds the products to one row's
// accumulators.
#define ROW(off, acc0, acc1) \
	VBROADCASTSD off(SI), Y2; \
	VFMADD231PD  Y0, Y2, acc0; \
	VFMADD231PD  Y1, Y2, acc1

// STEP adds the products of the column of A at offset aoff (in SI) and
// the row of B at boff (in DI) to the accumulators.
#define STEP(aoff, boff) \
	VMOVUPD boff(DI), Y0;   \
	VMOVUPD boff+32(DI), Y1; \
	ROW(aoff, Y4, Y5);      \
	ROW(aoff+8, Y6, Y7);    \
	ROW(aoff+16, Y8, Y9);   \
	ROW(aoff+24, Y10, Y11); \
	ROW(aoff+32, Y12, Y13); \
	ROW(aoff+40, Y14, Y15)

// STORE0 sets one row of C at DX to alpha·acc (alpha in Y0), and STORE to
// that plus beta·C (beta in Y1) with one rounding; both move DX to the
// next row.
#define STORE0(acc0, acc1) \
	VMULPD  Y0, acc0, acc0; \
	VMULPD  Y0, acc1, acc1; \
	VMOVUPD acc0, (DX);     \
	VMOVUPD acc1, 32(DX);   \
	ADDQ    R8, DX

#define STORE(acc0, acc1) \
	VMULPD      Y0, acc0, acc0;   \
	VMULPD      Y0, acc1, acc1;   \
	VFMADD231PD (DX), Y1, acc0;   \
	VFMADD231PD 32(DX), Y1, acc1; \
	VMOVUPD     acc0, (DX);       \
	VMOVUPD     acc1, 32(DX);     \
	ADDQ        R8, DX

// func kernel6x8(k int, a, b, c *float64, ldc int, alpha, beta float64)
TEXT ·kernel6x8(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8

	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

	// Four elements of the panels a round, then the rest one at a time.
	MOVQ CX, BX
	ANDQ $3, CX
	SHRQ $2, BX
	JZ   tail

loop4:
	STEP(0, 0)
	STEP(48, 64)
	STEP(96, 128)
	STEP(144, 192)
	ADDQ $192, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  loop4

tail:
	TESTQ CX, CX
	JZ    store

loop1:
	STEP(0, 0)
	ADDQ $48, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSD alpha+40(FP), Y0
	VMOVSD       beta+48(FP), X1
	VXORPD       X2, X2, X2
	VUCOMISD     X2, X1
	JNE          withbeta
	JPS          withbeta
	STORE0(Y4, Y5)
	STORE0(Y6, Y7)
	STORE0(Y8, Y9)
	STORE0(Y10, Y11)
	STORE0(Y12, Y13)
	STORE0(Y14, Y15)
	VZEROUPPER
	RET

withbeta:
	VBROADCASTSD beta+48(FP), Y1
	STORE(Y4, Y5)
	STORE(Y6, Y7)
	STORE(Y8, Y9)
	STORE(Y10, Y11)
	STORE(Y12, Y13)
	STORE(Y14, Y15)
	VZEROUPPER
	RET

// func kernel6x4(k int, a, b *float64, tile *[48]float64)
TEXT ·kernel6x4(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ tile+24(FP), DX

	VXORPD Y4, Y4, Y4
	VXORPD Y6, Y6, Y6
	VXORPD Y8, Y8, Y8
	VXORPD Y10, Y10, Y10
	VXORPD Y12, Y12, Y12
	VXORPD Y14, Y14, Y14

loop:
	VMOVUPD (DI), Y0
	VBROADCASTSD (SI), Y2
	VFMADD231PD  Y0, Y2, Y4
	VBROADCASTSD 8(SI), Y2
	VFMADD231PD  Y0, Y2, Y6
	VBROADCASTSD 16(SI), Y2
	VFMADD231PD  Y0, Y2, Y8
	VBROADCASTSD 24(SI), Y2
	VFMADD231PD  Y0, Y2, Y10
	VBROADCASTSD 32(SI), Y2
	VFMADD231PD  Y0, Y2, Y12
	VBROADCASTSD 40(SI), Y2
	VFMADD231PD  Y0, Y2, Y14
	ADDQ         $48, SI
	ADDQ         $64, DI
	DECQ         CX
	JNZ          loop

	VMOVUPD Y4, (DX)
	VMOVUPD Y6, 64(DX)
	VMOVUPD Y8, 128(DX)
	VMOVUPD Y10, 192(DX)
	VMOVUPD Y12, 256(DX)
	VMOVUPD Y14, 320(DX)
	VZEROUPPER
	RET

// TRANSPOSE4 transposes the 4×4 block whose rows are in r0 to r3, into
// r0 to r3 as its columns, through t0 to t3.
#define TRANSPOSE4(r0, r1, r2, r3, t0, t1, t2, t3) \
	VUNPCKLPD  r1, r0, t0;      \
	VUNPCKHPD  r1, r0, t1;      \
	VUNPCKLPD  r3, r2, t2;      \
	VUNPCKHPD  r3, r2, t3;      \
	VPERM2F128 $0x20, t2, t0, r0; \
	VPERM2F128 $0x20, t3, t1, r1; \
	VPERM2F128 $0x31, t2, t0, r2; \
	VPERM2F128 $0x31, t3, t1, r3

// func transpose8(dst, src *float64, k4, ld int)
TEXT ·transpose8(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ k4+16(FP), CX
	MOVQ ld+24(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9   // 3 rows
	LEAQ (SI)(R8*4), R10  // row 4
	SHRQ $2, CX

loop:
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(R8*1), Y1
	VMOVUPD (SI)(R8*2), Y2
	VMOVUPD (SI)(R9*1), Y3
	VMOVUPD (R10), Y4
	VMOVUPD (R10)(R8*1), Y5
	VMOVUPD (R10)(R8*2), Y6
	VMOVUPD (R10)(R9*1), Y7
	TRANSPOSE4(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	TRANSPOSE4(Y4, Y5, Y6, Y7, Y12, Y13, Y14, Y15)
	VMOVUPD Y0, (DI)
	VMOVUPD Y4, 32(DI)
	VMOVUPD Y1, 64(DI)
	VMOVUPD Y5, 96(DI)
	VMOVUPD Y2, 128(DI)
	VMOVUPD Y6, 160(DI)
	VMOVUPD Y3, 192(DI)
	VMOVUPD Y7, 224(DI)
	ADDQ    $32, SI
	ADDQ    $32, R10
	ADDQ    $256, DI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET
