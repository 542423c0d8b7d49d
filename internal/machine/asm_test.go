package machine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEncoding checks the bytes of each instruction against those the GNU
// assembler writes for it (disassembled with objdump), with XMM registers
// below and above 8 and, for memory operands, the 32-bit displacement the
// Asm always writes.
func TestEncoding(t *testing.T) {
	for _, c := range []struct {
		text  string
		write func(a *Asm)
		want  []byte
	}{
		{"movsd 0x10(%rsi),%xmm0", func(a *Asm) { a.Load(0, 2) }, []byte{0xf2, 0x0f, 0x10, 0x86, 0x10, 0, 0, 0}},
		{"movsd 0x7fff8(%rsi),%xmm9", func(a *Asm) { a.Load(9, 0xffff) }, []byte{0xf2, 0x44, 0x0f, 0x10, 0x8e, 0xf8, 0xff, 0x07, 0x00}},
		{"movsd %xmm2,0x28(%rsi)", func(a *Asm) { a.Store(2, 5) }, []byte{0xf2, 0x0f, 0x11, 0x96, 0x28, 0, 0, 0}},
		{"movsd %xmm14,0x0(%rsi)", func(a *Asm) { a.Store(14, 0) }, []byte{0xf2, 0x44, 0x0f, 0x11, 0xb6, 0, 0, 0, 0}},
		{"movapd %xmm0,%xmm1", func(a *Asm) { a.Copy(1, 0) }, []byte{0x66, 0x0f, 0x28, 0xc8}},
		{"movapd %xmm13,%xmm2", func(a *Asm) { a.Copy(2, 13) }, []byte{0x66, 0x41, 0x0f, 0x28, 0xd5}},
		{"movapd %xmm3,%xmm10", func(a *Asm) { a.Copy(10, 3) }, []byte{0x66, 0x44, 0x0f, 0x28, 0xd3}},
		{"addsd %xmm9,%xmm10", func(a *Asm) { a.Arith(Add, 10, 9) }, []byte{0xf2, 0x45, 0x0f, 0x58, 0xd1}},
		{"subsd %xmm4,%xmm6", func(a *Asm) { a.Arith(Sub, 6, 4) }, []byte{0xf2, 0x0f, 0x5c, 0xf4}},
		{"mulsd %xmm7,%xmm7", func(a *Asm) { a.Arith(Mul, 7, 7) }, []byte{0xf2, 0x0f, 0x59, 0xff}},
		{"divsd %xmm12,%xmm1", func(a *Asm) { a.Arith(Div, 1, 12) }, []byte{0xf2, 0x41, 0x0f, 0x5e, 0xcc}},
		{"mulsd 0x18(%rsi),%xmm4", func(a *Asm) { a.ArithMem(Mul, 4, 3) }, []byte{0xf2, 0x0f, 0x59, 0xa6, 0x18, 0, 0, 0}},
		{"subsd 0x40(%rsi),%xmm11", func(a *Asm) { a.ArithMem(Sub, 11, 8) }, []byte{0xf2, 0x44, 0x0f, 0x5c, 0x9e, 0x40, 0, 0, 0}},
		{"movabs $0x8000000000000000,%rax; movq %rax,%xmm14", func(a *Asm) { a.SignBit(14) },
			[]byte{0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x66, 0x4c, 0x0f, 0x6e, 0xf0}},
		{"movabs $0x8000000000000000,%rax; movq %rax,%xmm3", func(a *Asm) { a.SignBit(3) },
			[]byte{0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x66, 0x48, 0x0f, 0x6e, 0xd8}},
		{"xorpd %xmm14,%xmm5", func(a *Asm) { a.Negate(5, 14) }, []byte{0x66, 0x41, 0x0f, 0x57, 0xee}},
		{"xorpd %xmm1,%xmm9", func(a *Asm) { a.Negate(9, 1) }, []byte{0x66, 0x44, 0x0f, 0x57, 0xc9}},
		{"sqrtsd %xmm9,%xmm2", func(a *Asm) { a.Sqrt(2, 9) }, []byte{0xf2, 0x41, 0x0f, 0x51, 0xd1}},
		{"sqrtsd %xmm3,%xmm3", func(a *Asm) { a.Sqrt(3, 3) }, []byte{0xf2, 0x0f, 0x51, 0xdb}},
		{"andnpd %xmm5,%xmm12", func(a *Asm) { a.AndNot(12, 5) }, []byte{0x66, 0x44, 0x0f, 0x55, 0xe5}},
		{"ret", func(a *Asm) { a.Ret() }, []byte{0xc3}},
	} {
		var a Asm
		c.write(&a)
		assert.Equal(t, c.want, a.Bytes(), c.text)
	}
}
