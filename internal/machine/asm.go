package machine

import "encoding/binary"

// Op is an SSE2 arithmetic operation on float64s.
type Op byte

// The operations, as their opcodes after the 0x0f escape.
const (
	Add Op = 0x58 // ADDSD
	Mul Op = 0x59 // MULSD
	Sub Op = 0x5c // SUBSD
	Div Op = 0x5e // DIVSD
)

// XMMs is the number of XMM registers an Asm may use: X0 to X14.
const XMMs = 15

// Opcodes after the 0x0f escape, and the prefixes that make them scalar
// double (0xf2) or packed double (0x66).
const (
	opMovsdLoad  = 0x10
	opMovsdStore = 0x11
	opMovapd     = 0x28
	opMovq       = 0x6e // MOVQ r64, xmm
	opXorpd      = 0x57
	opAndnpd     = 0x55
	opSqrtsd     = 0x51
	prefixSD     = 0xf2
	prefixPD     = 0x66
)

// An Asm writes machine code. Registers of the file are numbered from 0,
// at 8i(SI); XMM registers from 0 to XMMs-1.
type Asm struct {
	b []byte
}

// Bytes returns the code written so far.
func (a *Asm) Bytes() []byte { return a.b }

// Load writes MOVSD 8i(SI), Xx: XMM x gets register i of the file.
func (a *Asm) Load(x int, i uint32) { a.mem(prefixSD, opMovsdLoad, x, i) }

// Store writes MOVSD Xx, 8i(SI): register i of the file gets XMM x.
func (a *Asm) Store(x int, i uint32) { a.mem(prefixSD, opMovsdStore, x, i) }

// Copy writes MOVAPD Xsrc, Xdst.
func (a *Asm) Copy(dst, src int) { a.reg(prefixPD, opMovapd, dst, src) }

// Arith writes Xdst = Xdst op Xsrc.
func (a *Asm) Arith(op Op, dst, src int) { a.reg(prefixSD, byte(op), dst, src) }

// ArithMem writes Xdst = Xdst op (register i of the file).
func (a *Asm) ArithMem(op Op, dst int, i uint32) { a.mem(prefixSD, byte(op), dst, i) }

// SignBit writes MOVQ $1<<63, AX; MOVQ AX, Xx: XMM x gets the sign bit
// alone, for Negate.
func (a *Asm) SignBit(x int) {
	a.b = append(a.b, 0x48, 0xb8) // MOVQ $imm64, AX
	a.b = binary.LittleEndian.AppendUint64(a.b, 1<<63)
	a.b = append(a.b, prefixPD, 0x48|rexR(x), 0x0f, opMovq, modReg(x, 0))
}

// Negate writes XORPD Xsign, Xx: the sign of XMM x flipped, given the
// sign bit alone in XMM sign (SignBit).
func (a *Asm) Negate(x, sign int) { a.reg(prefixPD, opXorpd, x, sign) }

// Sqrt writes SQRTSD Xsrc, Xdst: the square root of XMM src into dst.
func (a *Asm) Sqrt(dst, src int) { a.reg(prefixSD, opSqrtsd, dst, src) }

// AndNot writes ANDNPD Xsrc, Xdst: dst = ^dst & src. With dst a copy of
// the sign bit alone (SignBit), it is the absolute value of src.
func (a *Asm) AndNot(dst, src int) { a.reg(prefixPD, opAndnpd, dst, src) }

// Ret writes RET.
func (a *Asm) Ret() { a.b = append(a.b, 0xc3) }

// reg writes prefix [REX] 0f op with XMM dst in ModRM.reg and src in
// ModRM.rm.
func (a *Asm) reg(prefix, op byte, dst, src int) {
	a.b = append(a.b, prefix)
	if rex := rexR(dst) | rexB(src); rex != 0 {
		a.b = append(a.b, 0x40|rex)
	}
	a.b = append(a.b, 0x0f, op, modReg(dst, src))
}

// mem writes prefix [REX] 0f op with XMM x in ModRM.reg and 8i(SI), a
// 32-bit displacement, as the memory operand.
func (a *Asm) mem(prefix, op byte, x int, i uint32) {
	a.b = append(a.b, prefix)
	if rex := rexR(x); rex != 0 {
		a.b = append(a.b, 0x40|rex)
	}
	a.b = append(a.b, 0x0f, op, 0x80|byte(x&7)<<3|6) // mod 10: disp32; rm 110: SI
	a.b = binary.LittleEndian.AppendUint32(a.b, 8*i)
}

func rexR(x int) byte      { return byte(x>>3) << 2 }
func rexB(x int) byte      { return byte(x >> 3) }
func modReg(r, m int) byte { return 0xc0 | byte(r&7)<<3 | byte(m&7) }
