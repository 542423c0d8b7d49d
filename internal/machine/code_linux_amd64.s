//go:build !purego

#include "textflag.h"

// func call(entry, regs unsafe.Pointer)
TEXT ·call(SB), NOSPLIT, $0-16
	MOVQ entry+0(FP), AX
	MOVQ regs+8(FP), SI
	CALL AX
	RET
