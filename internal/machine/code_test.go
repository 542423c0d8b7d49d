package machine

import (
	"math"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun maps and runs code that computes, in registers 4 to 8 of the
// file, (r0 + r1)·r0 - r1/r2, its negation, r3·r3, √r2 and |r1|, through
// XMM registers below and above 8: the results must be Go's, to the bit.
func TestRun(t *testing.T) {
	if !Supported {
		t.Skip("machine code runs on linux/amd64 only")
	}
	var a Asm
	a.SignBit(14)
	a.Load(9, 0)           // X9 = r0
	a.Copy(3, 9)           // X3 = r0
	a.ArithMem(Add, 3, 1)  // X3 = r0 + r1
	a.Arith(Mul, 3, 9)     // X3 = (r0 + r1)·r0
	a.Load(12, 1)          // X12 = r1
	a.ArithMem(Div, 12, 2) // X12 = r1/r2
	a.Arith(Sub, 3, 12)    // X3 = (r0 + r1)·r0 - r1/r2
	a.Store(3, 4)
	a.Negate(3, 14)
	a.Store(3, 5)
	a.Load(10, 3)
	a.Arith(Mul, 10, 10)
	a.Store(10, 6)
	a.Load(11, 2)
	a.Sqrt(2, 11)
	a.Store(2, 7)
	a.Load(0, 1)
	a.Copy(13, 14)
	a.AndNot(13, 0)
	a.Store(13, 8)
	a.Ret()
	c, err := Map(a.Bytes())
	require.NoError(t, err)
	for _, r := range [][4]float64{{1.5, -2.25, 3, 7}, {0.1, 0.2, 0.3, 1e200}, {-0.0, math.Copysign(0, -1), -1, math.Inf(-1)}} {
		regs := make([]float64, 9)
		copy(regs, r[:])
		c.Run(unsafe.Pointer(&regs[0]))
		d := (r[0]+r[1])*r[0] - r[1]/r[2]
		assert.Equal(t, math.Float64bits(d), math.Float64bits(regs[4]), "%v", r)
		assert.Equal(t, math.Float64bits(-d), math.Float64bits(regs[5]), "%v", r)
		assert.Equal(t, math.Float64bits(r[3]*r[3]), math.Float64bits(regs[6]), "%v", r)
		assert.Equal(t, math.Float64bits(math.Sqrt(r[2])), math.Float64bits(regs[7]), "%v", r)
		assert.Equal(t, math.Float64bits(math.Abs(r[1])), math.Float64bits(regs[8]), "%v", r)
		assert.Equal(t, r[:], regs[:4], "the code writes only registers 4 to 8")
	}
}

// TestRunAt runs code of two parts from the start of each: the first
// adds registers 0 and 1 into 2, the second multiplies them into 3.
func TestRunAt(t *testing.T) {
	if !Supported {
		t.Skip("machine code runs on linux/amd64 only")
	}
	var a Asm
	a.Load(0, 0)
	a.ArithMem(Add, 0, 1)
	a.Store(0, 2)
	a.Ret()
	second := len(a.Bytes())
	a.Load(5, 0)
	a.ArithMem(Mul, 5, 1)
	a.Store(5, 3)
	a.Ret()
	c, err := Map(a.Bytes())
	require.NoError(t, err)
	regs := []float64{3, 4, 0, 0}
	c.RunAt(second, unsafe.Pointer(&regs[0]))
	assert.Equal(t, []float64{3, 4, 0, 12}, regs)
	c.RunAt(0, unsafe.Pointer(&regs[0]))
	assert.Equal(t, []float64{3, 4, 7, 12}, regs)
	assert.Panics(t, func() { c.RunAt(len(a.Bytes()), unsafe.Pointer(&regs[0])) })
}

// TestMapLimit checks that Map refuses a code beyond MaxMaps mapped, and
// maps again when a code is freed.
func TestMapLimit(t *testing.T) {
	if !Supported {
		t.Skip("machine code runs on linux/amd64 only")
	}
	n := maps.Swap(MaxMaps)
	defer maps.Add(n + 1 - MaxMaps) // n and the code mapped below
	_, err := Map([]byte{0xc3})
	assert.Error(t, err)
	assert.Equal(t, int64(MaxMaps), maps.Load())
	maps.Add(-1)
	c, err := Map([]byte{0xc3})
	require.NoError(t, err)
	c.Run(nil)
}

// TestUnmapped checks that codes no longer referenced are unmapped, so
// that mapping more goes on past MaxMaps over time.
func TestUnmapped(t *testing.T) {
	if !Supported {
		t.Skip("machine code runs on linux/amd64 only")
	}
	start := maps.Load()
	for range 2 * MaxMaps {
		c, err := Map([]byte{0xc3})
		require.NoError(t, err)
		c.Run(nil)
		if maps.Load() > start+MaxMaps/2 {
			runtime.GC() // the cleanups of the codes dropped run after it
		}
	}
	for range 100 {
		if maps.Load() <= start {
			break
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, maps.Load(), start)
}
