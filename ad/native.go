package ad

import (
	"github.com/nabla-ad/nabla/internal/machine"
)

// A program whose steps are all scalar arithmetic runs as machine code
// where package machine makes it (linux/amd64), and a program with other
// steps has its runs of arithmetic between them run so: each operation is
// one SSE2 instruction, its operands in XMM registers where an earlier
// operation left them, every result stored to its register of the file as
// the interpreter stores it. There is no dispatch at all, which is most of
// what such a program costs interpreted. The operations are the
// interpreter's (singles), in its order, with the same operands in the
// same places, so the results have its bits (TestNativeMatchesArith,
// TestSegmentsMatchInterpreter).

// nativeBuild says whether this build makes machine code.
const nativeBuild = machine.Supported

// maxNativeOps bounds the single operations compiled to machine code:
// beyond a few thousand, a program is long enough that the interpreter's
// dispatch is not what it costs, and the code would only take memory.
const maxNativeOps = 1 << 14

// nativeAfter is how many runs of one workspace make a program machine
// code. Writing and mapping the code costs about what two thousand
// interpreted runs of a small program do (BenchmarkCompileNative), so a
// program run a few times never pays for it, and one run often pays at
// most about twice over.
const nativeAfter = 1 << 10

// minSegment is the fewest steps of arithmetic between other steps that
// become machine code: a call to the code costs about what interpreting
// one step does.
const minSegment = 2

// calls reports whether st calls a function, which machine code does
// not: the steps a run of arithmetic ends at.
func calls(st compact) bool {
	switch st.code {
	case cKernel, cPowSS, cF1, cF2, cEnd, cNative:
		return true
	}
	return false
}

// nativeable reports whether p could run, or have runs of its steps
// run, as machine code: this build makes some, and p is all scalar
// arithmetic (singles takes it apart) or has runs of at least minSegment
// such steps between its other steps; not too many of them.
func (p *Program) nativeable() bool {
	// 8·nreg must fit a 32-bit displacement; a step is at most three
	// single operations.
	if !nativeBuild || p.nreg >= 1<<28 || len(p.compact) > maxNativeOps/3 {
		return false
	}
	run := 0
	for _, st := range p.compact {
		if !calls(st) {
			run++
		} else if run >= minSegment {
			return true
		} else {
			run = 0
		}
	}
	return false
}

// A segmented program is a program's steps with each run of at least
// minSegment steps of arithmetic replaced by one cNative step that calls
// its machine code, the part of code from byte k.
type segmented struct {
	code  *machine.Code
	steps []compact
}

// compileNative makes the machine code of p: of all its steps when they
// are all arithmetic (p.native), else of its runs of arithmetic
// (p.segments). It leaves both nil when the code cannot be mapped
// (machine.Map), and p runs interpreted.
func (p *Program) compileNative() {
	e := newEmitter()
	var steps []compact
	whole := true
	for i := 0; i < len(p.compact)-1; {
		j := i
		for !calls(p.compact[j]) {
			j++
		}
		if j-i >= minSegment {
			steps = append(steps, compact{code: cNative, k: uint32(len(e.Bytes()))})
			e.segment(p.compact[i:j])
		} else {
			steps = append(steps, p.compact[i:j]...)
		}
		if j < len(p.compact)-1 {
			whole = false
			steps = append(steps, p.compact[j])
			j++
		}
		i = j
	}
	c, err := machine.Map(e.Bytes())
	if err != nil {
		return
	}
	if whole && len(steps) == 1 {
		p.native.Store(c)
		return
	}
	p.segments.Store(&segmented{code: c, steps: append(steps, compact{code: cEnd})})
}

// xSign is the XMM that holds the sign bit for negation; the others hold
// values.
const xSign = machine.XMMs - 1

// An emitter writes the machine code of single operations, keeping the
// registers of the file it has loaded or stored in XMM registers, the
// least recently used given up first when it needs one.
type emitter struct {
	machine.Asm
	held [xSign]int64 // the register of the file each XMM holds, or -1
	used [xSign]int   // when each XMM was last used
	in   map[uint32]int
	now  int
}

// newEmitter returns an emitter with nothing written.
func newEmitter() *emitter { return &emitter{in: map[uint32]int{}} }

// segment writes the machine code of steps, scalar arithmetic, and a
// return, from nothing in the XMM registers.
func (e *emitter) segment(steps []compact) {
	clear(e.in)
	for x := range e.held {
		e.held[x] = -1
	}
	var ops []compact
	for _, st := range steps {
		s, _ := singles(st)
		ops = append(ops, s...)
	}
	for _, op := range ops {
		if op.code == cNegS || op.code == cAbsS {
			e.SignBit(xSign)
			break
		}
	}
	for _, op := range ops {
		e.op(op)
	}
	e.Ret()
}

// arithOps is the machine operation of each binary operation's code.
var arithOps = map[code]machine.Op{cAddSS: machine.Add, cSubSS: machine.Sub, cMulSS: machine.Mul, cDivSS: machine.Div}

// op writes the code of the single operation o: the result in a fresh
// XMM, computed as the interpreter computes it (a op b, with a the
// instruction's destination operand), then stored to o.dst.
func (e *emitter) op(o compact) {
	xa := e.get(o.a)
	op, binary := arithOps[o.code]
	xb, cached := e.in[o.b]
	if !binary || !cached {
		xb = -1
	}
	r := e.alloc(xa, xb)
	switch o.code {
	case cSqrtS:
		e.Sqrt(r, xa)
	case cAbsS:
		e.Copy(r, xSign)
		e.AndNot(r, xa) // a without its sign bit
	default:
		e.Copy(r, xa)
	}
	switch {
	case binary && cached:
		e.touch(xb)
		e.Arith(op, r, xb)
	case binary:
		e.ArithMem(op, r, o.b)
	case o.code == cSqS:
		e.Arith(machine.Mul, r, r)
	case o.code == cNegS:
		e.Negate(r, xSign)
	}
	e.Store(r, o.dst)
	e.bind(o.dst, r)
}

// get returns the XMM that holds register i of the file, loading it if
// none does.
func (e *emitter) get(i uint32) int {
	if x, ok := e.in[i]; ok {
		e.touch(x)
		return x
	}
	x := e.alloc(-1, -1)
	e.Load(x, i)
	e.bind(i, x)
	return x
}

// alloc returns an XMM to write, other than keep and keep2: a free one,
// or the least recently used, which then holds nothing.
func (e *emitter) alloc(keep, keep2 int) int {
	best := -1
	for x := range e.held {
		if x == keep || x == keep2 {
			continue
		}
		if e.held[x] < 0 {
			best = x
			break
		}
		if best < 0 || e.used[x] < e.used[best] {
			best = x
		}
	}
	if i := e.held[best]; i >= 0 {
		delete(e.in, uint32(i))
		e.held[best] = -1
	}
	e.touch(best)
	return best
}

// bind records that XMM x holds register i of the file, which no other
// XMM then does.
func (e *emitter) bind(i uint32, x int) {
	if old, ok := e.in[i]; ok && old != x {
		e.held[old] = -1
	}
	e.in[i], e.held[x] = x, int64(i)
	e.touch(x)
}

func (e *emitter) touch(x int) { e.now++; e.used[x] = e.now }
