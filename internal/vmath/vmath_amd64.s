//go:build !purego

#include "textflag.h"

// Offsets of the constants in consts (vmath_amd64.go), 32 bytes each.
#define LOG2E ·consts+0(SB)
#define NLN2HI ·consts+32(SB)
#define NLN2LO ·consts+64(SB)
#define HALF ·consts+96(SB)
#define BIAS ·consts+128(SB)
#define C2 ·consts+160(SB)
#define C3 ·consts+192(SB)
#define C4 ·consts+224(SB)
#define C5 ·consts+256(SB)
#define C6 ·consts+288(SB)
#define C7 ·consts+320(SB)
#define C8 ·consts+352(SB)
#define C9 ·consts+384(SB)
#define C10 ·consts+416(SB)
#define C11 ·consts+448(SB)
#define C12 ·consts+480(SB)
#define C13 ·consts+512(SB)
#define ONE ·consts+544(SB)
#define LO ·consts+576(SB)
#define HI ·consts+608(SB)
#define SHIFT ·consts+640(SB)
#define ABS ·consts+672(SB)
#define SIGN ·consts+704(SB)
#define P0 ·consts+736(SB)
#define P1 ·consts+768(SB)
#define P2 ·consts+800(SB)
#define Q0 ·consts+832(SB)
#define Q1 ·consts+864(SB)
#define Q2 ·consts+896(SB)
#define SPLIT ·consts+928(SB)
#define TWO ·consts+960(SB)
#define TMAX ·consts+992(SB)

// EXP sets Y0 to exp(Y0), the operations of Exp1 in its order, given
// Y12 = LO, Y13 = HI and Y14 = SHIFT; it overwrites Y1 to Y9. The clamp
// has x as max's and min's second operand, which they return when it is
// NaN.
#define EXP \
	VMAXPD      Y0, Y12, Y0;  \
	VMINPD      Y0, Y13, Y0;  \
	VMOVAPD     Y14, Y1;      \
	VFMADD231PD LOG2E, Y0, Y1; \ // t = x·log2e + shift
	VSUBPD      Y14, Y1, Y2;  \ // kd = t − shift
	VFMADD231PD NLN2HI, Y2, Y0; \ // rHi
	VMULPD      NLN2LO, Y2, Y4; \ // c
	VADDPD      Y4, Y0, Y5;   \ // r = rHi + c
	VSUBPD      Y5, Y0, Y0;   \
	VADDPD      Y4, Y0, Y9;   \ // rLo = rHi − r + c
	VMOVAPD     Y5, Y0;       \
	VMOVAPD     Y14, Y3;      \
	VFMADD231PD HALF, Y2, Y3; \ // t1 = kd·0.5 + shift
	VPSUBQ      Y3, Y1, Y1;   \
	VPADDQ      BIAS, Y1, Y1; \
	VPSLLQ      $52, Y1, Y1;  \ // s2 = 2^(k − k1)
	VPADDQ      BIAS, Y3, Y3; \
	VPSLLQ      $52, Y3, Y3;  \ // s1 = 2^k1
	VMULPD      Y0, Y0, Y4;   \ // r²
	VMULPD      Y4, Y4, Y5;   \ // r⁴
	VMOVUPD     C13, Y6;      \
	VFMADD213PD C12, Y0, Y6;  \
	VMOVUPD     C11, Y7;      \
	VFMADD213PD C10, Y0, Y7;  \
	VFMADD213PD Y7, Y4, Y6;   \ // q2
	VMOVUPD     C9, Y7;       \
	VFMADD213PD C8, Y0, Y7;   \
	VMOVUPD     C7, Y8;       \
	VFMADD213PD C6, Y0, Y8;   \
	VFMADD213PD Y8, Y4, Y7;   \ // q1
	VFMADD213PD Y7, Y5, Y6;   \ // q2·r⁴ + q1
	VMOVUPD     C5, Y7;       \
	VFMADD213PD C4, Y0, Y7;   \
	VMOVUPD     C3, Y8;       \
	VFMADD213PD C2, Y0, Y8;   \
	VFMADD213PD Y8, Y4, Y7;   \ // q0
	VFMADD213PD Y7, Y5, Y6;   \ // q
	VFMADD213PD Y9, Y4, Y6;   \ // q·r² + rLo
	VADDPD      ONE, Y0, Y4;  \ // h = 1 + r
	VMOVUPD     ONE, Y5;      \
	VSUBPD      Y4, Y5, Y5;   \
	VADDPD      Y0, Y5, Y5;   \ // e = 1 − h + r
	VADDPD      Y6, Y5, Y5;   \
	VADDPD      Y5, Y4, Y0;   \ // h + (e + q·r² + rLo)
	VMULPD      Y3, Y0, Y0;   \
	VMULPD      Y1, Y0, Y0

// func expAsm(dst, src []float64)
TEXT ·expAsm(SB), NOSPLIT, $0-48
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	MOVQ    src_base+24(FP), SI
	SHLQ    $3, CX
	XORQ    AX, AX
	VMOVUPD LO, Y12
	VMOVUPD HI, Y13
	VMOVUPD SHIFT, Y14
	JMP     expcond

exploop:
	VMOVUPD (SI)(AX*1), Y0
	EXP
	VMOVUPD Y0, (DI)(AX*1)
	ADDQ    $32, AX

expcond:
	CMPQ AX, CX
	JB   exploop
	VZEROUPPER
	RET

// func tanhAsm(dst, src []float64)
//
// tanh takes two passes over chunks of up to 64 elements: the first
// computes exp(2z) into the frame, the second the rest. A vector's
// operations in one pass would be one chain of dependent instructions
// about as long as the reorder buffer holds for two or three vectors, so
// that the processor could not overlap more of them; split, each chain is
// half as long and the buffer holds twice as many.
TEXT ·tanhAsm(SB), NOSPLIT, $512-48
	MOVQ    dst_base+0(FP), DI
	MOVQ    dst_len+8(FP), CX
	MOVQ    src_base+24(FP), SI
	SHLQ    $3, CX
	VMOVUPD LO, Y12
	VMOVUPD HI, Y13
	VMOVUPD SHIFT, Y14
	JMP     tanhchunk

tanhnext:
	MOVQ CX, DX
	CMPQ DX, $512
	JBE  tanhlast
	MOVQ $512, DX

tanhlast:
	XORQ AX, AX

tanhexp:
	VMOVUPD (SI)(AX*1), Y0
	VANDPD  ABS, Y0, Y0 // z = |x|
	VMOVUPD TMAX, Y1
	VMINPD  Y0, Y1, Y0
	VADDPD  Y0, Y0, Y0
	EXP
	VMOVUPD Y0, (SP)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, DX
	JB      tanhexp
	XORQ    AX, AX

tanhloop:
	VMOVUPD (SI)(AX*1), Y15 // x
	VANDPD  ABS, Y15, Y9    // z = |x|
	VMOVUPD TMAX, Y1
	VMINPD  Y9, Y1, Y9

	// Near 0: z + z·s·P(s)/Q(s), s = z².
	VMULPD      Y9, Y9, Y1
	VMOVUPD     P0, Y10
	VFMADD213PD P1, Y1, Y10
	VFMADD213PD P2, Y1, Y10
	VADDPD      Q0, Y1, Y3
	VFMADD213PD Q1, Y1, Y3
	VFMADD213PD Q2, Y1, Y3
	VDIVPD      Y3, Y10, Y10
	VMULPD      Y9, Y1, Y1
	VFMADD213PD Y9, Y1, Y10
	VCMPPD      $1, SPLIT, Y9, Y11 // z < 0.625

	// Elsewhere: 1 − 2/(exp(2z) + 1) with its rounding errors.
	VMOVUPD      (SP)(AX*1), Y0
	VADDPD       ONE, Y0, Y1 // d = e + 1
	VSUBPD       Y0, Y1, Y2
	VMOVUPD      ONE, Y3
	VSUBPD       Y2, Y3, Y2  // dLo = 1 − (d − e)
	VMOVUPD      TWO, Y4
	VDIVPD       Y1, Y4, Y5  // q = 2/d
	VFNMADD213PD Y4, Y5, Y1  // rem = 2 − q·d
	VFNMADD213PD Y1, Y5, Y2  // rem − q·dLo
	VMULPD       Y5, Y2, Y2
	VMULPD       HALF, Y2, Y2 // corr
	VSUBPD       Y5, Y3, Y6  // hi = 1 − q
	VSUBPD       Y6, Y3, Y7
	VSUBPD       Y5, Y7, Y7  // lo = 1 − hi − q
	VSUBPD       Y2, Y7, Y7
	VADDPD       Y7, Y6, Y0  // hi + (lo − corr)

	VBLENDVPD Y11, Y10, Y0, Y0
	VANDPD    SIGN, Y15, Y15
	VORPD     Y15, Y0, Y0
	VMOVUPD   Y0, (DI)(AX*1)
	ADDQ      $32, AX
	CMPQ      AX, DX
	JB        tanhloop

	ADDQ DX, SI
	ADDQ DX, DI
	SUBQ DX, CX

tanhchunk:
	TESTQ CX, CX
	JNZ   tanhnext
	VZEROUPPER
	RET
