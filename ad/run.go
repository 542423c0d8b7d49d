package ad

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/nabla-ad/nabla/internal/text"
)

// Workspace holds the buffers one goroutine needs to run a Program.
type Workspace struct {
	p     *Program
	runs  int         // interpreted runs, up to nativeAfter
	s     []float64   // scalar registers
	out   []*float64  // the register of each scalar output, for Scalar
	v     [][]float64 // vector slots
	arena []float64
	// Scratch space of the kernels that need some (Program.work, pivots).
	work   []float64
	pivots []int
	// For fused groups: tile buffers, the saved full slots and the parts
	// of reductions that a block has summed so far.
	blocks []float64
	full   [][]float64
	parts  []float64
	tile   int // the offset of the tile a fused group is at
	// lane is the state the second half of a long fused group runs with,
	// and seam, in a lane, what it adds where the first half adds too.
	lane *Workspace
	seam []float64
	wait sync.WaitGroup
}

// NewWorkspace allocates the buffers for running p.
func (p *Program) NewWorkspace() *Workspace {
	ws := &Workspace{
		p:      p,
		s:      slices.Clone(p.regInit),
		out:    make([]*float64, len(p.outLoc)),
		v:      make([][]float64, p.nslot),
		arena:  make([]float64, p.arena),
		work:   make([]float64, p.work),
		pivots: make([]int, p.pivots),
		blocks: make([]float64, p.blocks*tileLen),
		full:   make([][]float64, p.chunked),
		parts:  make([]float64, p.parts),
	}
	if p.parallel && startLanes() {
		ws.lane = &Workspace{
			p:      p,
			s:      make([]float64, p.nreg),
			v:      make([][]float64, p.nslot),
			blocks: make([]float64, p.blocks*tileLen),
			parts:  make([]float64, p.parts),
			seam:   make([]float64, p.seam),
		}
	}
	for k, l := range p.outLoc {
		if !l.vec {
			ws.out[k] = &ws.s[l.i]
		}
	}
	ws.presetSlots(p.slotInit)
	return ws
}

// presetSlots points vector slots at what they hold before a run.
func (ws *Workspace) presetSlots(init []slotInit) {
	for _, si := range init {
		switch {
		case si.data != nil:
			ws.v[si.slot] = si.data
		case si.reg:
			ws.v[si.slot] = ws.s[si.off : si.off+si.len : si.off+si.len]
		default:
			ws.v[si.slot] = ws.arena[si.off : si.off+si.len : si.off+si.len]
		}
	}
}

// ownedOutput returns how output k's slot is preset when the value is a
// buffer of the workspace's own that no other output shares: a run can
// then write it into a buffer of the caller's instead, given in its slot.
// Kernels never assume that a result shares memory with an argument, so
// that moving the result elsewhere changes nothing else.
func (p *Program) ownedOutput(k int) (slotInit, bool) {
	l := p.outLoc[k]
	if !l.vec {
		return slotInit{}, false
	}
	for j, o := range p.outLoc {
		if j != k && o == l {
			return slotInit{}, false
		}
	}
	for _, si := range p.slotInit {
		if si.slot == l.i && si.data == nil && !si.reg {
			return si, true
		}
	}
	return slotInit{}, false
}

// Inputs returns the program's inputs in the order Run takes them.
func (p *Program) Inputs() []Input { return p.inputs }

// Outputs returns the shapes of the program's outputs.
func (p *Program) Outputs() []Shape { return p.outShape }

// Len is the number of instructions.
func (p *Program) Len() int { return len(p.code) }

// BufferLen is the number of float64s of the vector buffers and scratch
// space a workspace owns, the program's working memory beyond inputs and
// constants.
func (p *Program) BufferLen() int { return p.arena + p.work }

// Output returns output k of the last Run. The slice belongs to the
// workspace (or to the caller's input, when an output is an input) and is
// valid until the next Run; copy it to keep it.
func (ws *Workspace) Output(k int) []float64 {
	l := ws.p.outLoc[k]
	if l.vec {
		return ws.v[l.i]
	}
	return ws.s[l.i : l.i+1]
}

// Scalar returns output k of the last Run, which must be a scalar: for a
// vector, Scalar panics. Its register is at hand, so that reading it costs
// a load besides a bounds check.
func (ws *Workspace) Scalar(k int) float64 { return *ws.out[k] }

// Run evaluates the program on in, one slice per input in Inputs order
// (a scalar input is a one-element slice). Results are read with Output.
// Run allocates nothing, but for what BLAS may allocate to split a large
// matrix product across goroutines; the workspace must be p's.
//
// When every input lives in registers, Run copies them in itself, in a
// frame that keeps nothing across a call, so that a small program costs a
// call to arith besides its steps; when every input is a scalar, with a
// check of its length and a store each (scalarIn). Anything else goes
// through runLoaded, which also says what is wrong with in.
func (p *Program) Run(ws *Workspace, in [][]float64) error {
	if ws.p != p {
		return p.runLoaded(ws, in)
	}
	s := ws.s
	r := unsafe.Pointer(unsafe.SliceData(s))
	if regs := p.scalarIn; regs != nil && len(in) == len(regs) {
		for k, x := range in {
			if len(x) != 1 {
				return p.runLoaded(ws, in) // which says what is wrong
			}
			*regAt(r, regs[k]) = x[0]
		}
	} else {
		ins := p.regIn
		if ins == nil || len(in) != len(ins) {
			return p.runLoaded(ws, in)
		}
		for k, x := range in {
			t := ins[k]
			if len(x) != t.n {
				return p.runLoaded(ws, in) // which says what is wrong
			}
			// A loop, not copy: without a call, nothing is saved around it.
			for i, v := range x {
				*regAt(r, uint32(t.reg+i)) = v
			}
		}
	}
	if n := p.native.Load(); n != nil {
		n.Run(r) // in the frame of Run: the shortest way there
		return nil
	}
	p.runSteps(ws)
	return nil
}

// runLoaded is Run by way of load.
func (p *Program) runLoaded(ws *Workspace, in [][]float64) error {
	if err := p.load(ws, in); err != nil {
		return err
	}
	p.runSteps(ws)
	return nil
}

// runSteps runs the steps on ws, its inputs loaded: as machine code when
// the program is, else a program of arithmetic alone in one call, to
// arith, and its runs of arithmetic as machine code when it has some. A
// program that could have machine code gets it when a workspace has run
// it nativeAfter times.
func (p *Program) runSteps(ws *Workspace) {
	if n := p.native.Load(); n != nil {
		n.Run(unsafe.Pointer(unsafe.SliceData(ws.s)))
		return
	}
	steps := p.compact
	if sg := p.segments.Load(); sg != nil {
		steps = sg.steps
	} else if p.nativeOK {
		if ws.runs++; ws.runs == nativeAfter {
			p.nativeOnce.Do(p.compileNative)
		}
	}
	if i := arith(ws.s, steps); i < len(steps)-1 {
		p.execute(ws, steps[i:])
	}
}

// execute runs steps up to their last, cEnd: each run of arithmetic in
// arith, every other step by a call.
func (p *Program) execute(ws *Workspace, steps []compact) {
	for i := 0; ; i++ {
		switch in := &steps[i]; in.code {
		case cEnd:
			return
		case cKernel, cPowSS, cF1, cF2:
			p.call(ws, in)
		case cNative:
			p.segments.Load().code.RunAt(int(in.k), unsafe.Pointer(unsafe.SliceData(ws.s)))
		default:
			i += arith(ws.s, steps[i:]) - 1
		}
	}
}

// arith runs the common scalar arithmetic at the start of steps, up to the
// first step that calls a function or the cEnd that ends them, and returns
// how many steps it ran. Calling nothing, it keeps the loop's state in
// registers rather than saving it on every step: most of what small
// programs do runs here. It reads and writes s with regAt, without bounds
// checks: steps index no register beyond s (see regAt). It goes from step
// to step by pointer, with no count to check: steps end in cEnd, which
// compiling makes sure of (checkRegisters), so it stops inside them.
func arith(s []float64, steps []compact) int {
	r := unsafe.Pointer(unsafe.SliceData(s))
	first := unsafe.Pointer(unsafe.SliceData(steps))
	for in := (*compact)(first); ; in = (*compact)(unsafe.Add(unsafe.Pointer(in), unsafe.Sizeof(compact{}))) {
		switch in.code {
		case cEnd, cKernel, cPowSS, cF1, cF2, cNative:
			return int((uintptr(unsafe.Pointer(in)) - uintptr(first)) / unsafe.Sizeof(compact{}))
		case cAddSS:
			*regAt(r, in.dst) = *regAt(r, in.a) + *regAt(r, in.b)
		case cSubSS:
			*regAt(r, in.dst) = *regAt(r, in.a) - *regAt(r, in.b)
		case cMulSS:
			*regAt(r, in.dst) = *regAt(r, in.a) * *regAt(r, in.b)
		case cDivSS:
			*regAt(r, in.dst) = *regAt(r, in.a) / *regAt(r, in.b)
		case cNegS:
			*regAt(r, in.dst) = -*regAt(r, in.a)
		case cSqrtS:
			*regAt(r, in.dst) = math.Sqrt(*regAt(r, in.a))
		case cAbsS:
			*regAt(r, in.dst) = math.Abs(*regAt(r, in.a))
		case cSqS:
			x := *regAt(r, in.a)
			*regAt(r, in.dst) = x * x
		case cMove:
			*regAt(r, in.dst) = *regAt(r, in.a)
		case cAddAdd:
			t := float64(*regAt(r, in.a) + *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t + *regAt(r, in.c)
		case cAddRAdd:
			t := float64(*regAt(r, in.a) + *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) + t
		case cAddSub:
			t := float64(*regAt(r, in.a) + *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t - *regAt(r, in.c)
		case cAddRSub:
			t := float64(*regAt(r, in.a) + *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) - t
		case cAddMul:
			t := float64(*regAt(r, in.a) + *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * *regAt(r, in.c)
		case cAddRMul:
			t := float64(*regAt(r, in.a) + *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) * t
		case cAddSq:
			t := float64(*regAt(r, in.a) + *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * t
		case cSubAdd:
			t := float64(*regAt(r, in.a) - *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t + *regAt(r, in.c)
		case cSubRAdd:
			t := float64(*regAt(r, in.a) - *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) + t
		case cSubSub:
			t := float64(*regAt(r, in.a) - *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t - *regAt(r, in.c)
		case cSubRSub:
			t := float64(*regAt(r, in.a) - *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) - t
		case cSubMul:
			t := float64(*regAt(r, in.a) - *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * *regAt(r, in.c)
		case cSubRMul:
			t := float64(*regAt(r, in.a) - *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) * t
		case cSubSq:
			t := float64(*regAt(r, in.a) - *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * t
		case cMulAdd:
			t := float64(*regAt(r, in.a) * *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t + *regAt(r, in.c)
		case cMulRAdd:
			t := float64(*regAt(r, in.a) * *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) + t
		case cMulSub:
			t := float64(*regAt(r, in.a) * *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t - *regAt(r, in.c)
		case cMulRSub:
			t := float64(*regAt(r, in.a) * *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) - t
		case cMulMul:
			t := float64(*regAt(r, in.a) * *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * *regAt(r, in.c)
		case cMulRMul:
			t := float64(*regAt(r, in.a) * *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) * t
		case cMulSq:
			t := float64(*regAt(r, in.a) * *regAt(r, in.b))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * t
		case cSqAdd:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t + *regAt(r, in.c)
		case cSqRAdd:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) + t
		case cSqSub:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t - *regAt(r, in.c)
		case cSqRSub:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) - t
		case cSqMul:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * *regAt(r, in.c)
		case cSqRMul:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = *regAt(r, in.c) * t
		case cSqSq:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			*regAt(r, in.dst) = t * t
		case cSqRMulRAdd:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			u := float64(*regAt(r, in.c) * t)
			*regAt(r, in.b) = u
			*regAt(r, in.dst) = *regAt(r, in.d) + u
		case cSqRMulAdd:
			t := float64(*regAt(r, in.a) * *regAt(r, in.a))
			*regAt(r, in.mid) = t
			u := float64(*regAt(r, in.c) * t)
			*regAt(r, in.b) = u
			*regAt(r, in.dst) = u + *regAt(r, in.d)
		case cAddThenAdd:
			*regAt(r, in.mid) = *regAt(r, in.a) + *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) + *regAt(r, in.d)
		case cAddThenSub:
			*regAt(r, in.mid) = *regAt(r, in.a) + *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) - *regAt(r, in.d)
		case cAddThenMul:
			*regAt(r, in.mid) = *regAt(r, in.a) + *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) * *regAt(r, in.d)
		case cAddThenSq:
			*regAt(r, in.mid) = *regAt(r, in.a) + *regAt(r, in.b)
			y := *regAt(r, in.c)
			*regAt(r, in.dst) = y * y
		case cAddThenMove:
			*regAt(r, in.mid) = *regAt(r, in.a) + *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c)
		case cSubThenAdd:
			*regAt(r, in.mid) = *regAt(r, in.a) - *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) + *regAt(r, in.d)
		case cSubThenSub:
			*regAt(r, in.mid) = *regAt(r, in.a) - *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) - *regAt(r, in.d)
		case cSubThenMul:
			*regAt(r, in.mid) = *regAt(r, in.a) - *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) * *regAt(r, in.d)
		case cSubThenSq:
			*regAt(r, in.mid) = *regAt(r, in.a) - *regAt(r, in.b)
			y := *regAt(r, in.c)
			*regAt(r, in.dst) = y * y
		case cSubThenMove:
			*regAt(r, in.mid) = *regAt(r, in.a) - *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c)
		case cMulThenAdd:
			*regAt(r, in.mid) = *regAt(r, in.a) * *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) + *regAt(r, in.d)
		case cMulThenSub:
			*regAt(r, in.mid) = *regAt(r, in.a) * *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) - *regAt(r, in.d)
		case cMulThenMul:
			*regAt(r, in.mid) = *regAt(r, in.a) * *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c) * *regAt(r, in.d)
		case cMulThenSq:
			*regAt(r, in.mid) = *regAt(r, in.a) * *regAt(r, in.b)
			y := *regAt(r, in.c)
			*regAt(r, in.dst) = y * y
		case cMulThenMove:
			*regAt(r, in.mid) = *regAt(r, in.a) * *regAt(r, in.b)
			*regAt(r, in.dst) = *regAt(r, in.c)
		case cSqThenAdd:
			x := *regAt(r, in.a)
			*regAt(r, in.mid) = x * x
			*regAt(r, in.dst) = *regAt(r, in.c) + *regAt(r, in.d)
		case cSqThenSub:
			x := *regAt(r, in.a)
			*regAt(r, in.mid) = x * x
			*regAt(r, in.dst) = *regAt(r, in.c) - *regAt(r, in.d)
		case cSqThenMul:
			x := *regAt(r, in.a)
			*regAt(r, in.mid) = x * x
			*regAt(r, in.dst) = *regAt(r, in.c) * *regAt(r, in.d)
		case cSqThenSq:
			x := *regAt(r, in.a)
			*regAt(r, in.mid) = x * x
			y := *regAt(r, in.c)
			*regAt(r, in.dst) = y * y
		case cSqThenMove:
			x := *regAt(r, in.a)
			*regAt(r, in.mid) = x * x
			*regAt(r, in.dst) = *regAt(r, in.c)
		case cMoveThenAdd:
			*regAt(r, in.mid) = *regAt(r, in.a)
			*regAt(r, in.dst) = *regAt(r, in.c) + *regAt(r, in.d)
		case cMoveThenSub:
			*regAt(r, in.mid) = *regAt(r, in.a)
			*regAt(r, in.dst) = *regAt(r, in.c) - *regAt(r, in.d)
		case cMoveThenMul:
			*regAt(r, in.mid) = *regAt(r, in.a)
			*regAt(r, in.dst) = *regAt(r, in.c) * *regAt(r, in.d)
		case cMoveThenSq:
			*regAt(r, in.mid) = *regAt(r, in.a)
			y := *regAt(r, in.c)
			*regAt(r, in.dst) = y * y
		case cMoveThenMove:
			*regAt(r, in.mid) = *regAt(r, in.a)
			*regAt(r, in.dst) = *regAt(r, in.c)
		}
	}
}

// regAt returns register i of the register file that starts at r, without
// a bounds check: a check of its own or a mask would cost more than an
// operation does. The index must be in range. Indices come from compile,
// which gives none beyond the program's file, and a workspace's file is
// its program's, which Run and runLoaded check (ws.p); callers of arith,
// execute and regAt keep to that.
func regAt(r unsafe.Pointer, i uint32) *float64 {
	return (*float64)(unsafe.Add(r, uintptr(i)*8))
}

// call runs a step that calls a function: a kernel, pow, or
// an instruction's f1 or f2.
func (p *Program) call(ws *Workspace, in *compact) {
	s := ws.s
	switch in.code {
	case cKernel:
		c := &p.code[in.k]
		c.kernel(ws, c)
	case cPowSS:
		s[in.dst] = pow(s[in.a], s[in.b])
	case cF1:
		s[in.dst] = p.code[in.k].f1(s[in.a])
	case cF2:
		s[in.dst] = p.code[in.k].f2(s[in.a], s[in.b])
	}
}

// A regInput is where an input that lives in registers goes: its first
// register and its length.
type regInput struct {
	reg int
	n   int
}

// regInputs returns where each input goes when every input lives in
// registers, scalars and short vectors alike, or nil.
func (p *Program) regInputs() []regInput {
	in := make([]regInput, len(p.inputs))
	for k, l := range p.inLoc {
		r := int(l.i)
		if l.vec {
			r = int(p.inReg[k])
		}
		if r < 0 {
			return nil
		}
		in[k] = regInput{reg: r, n: p.inputs[k].Shape.Len()}
	}
	return in
}

func (p *Program) load(ws *Workspace, in [][]float64) error {
	if ws.p != p {
		return fmt.Errorf("workspace belongs to another program")
	}
	if len(in) != len(p.inputs) {
		return fmt.Errorf("program takes %d inputs, got %d", len(p.inputs), len(in))
	}
	locs, s := p.inLoc[:len(in)], ws.s
	for k, x := range in {
		l := locs[k]
		switch {
		case !l.vec && len(x) == 1:
			s[l.i] = x[0]
		case l.vec && len(x) == p.inputs[k].Shape.Len():
			if r := p.inReg[k]; r >= 0 {
				copy(s[r:], x) // a short vector, kept in registers
			} else {
				ws.v[l.i] = x
			}
		default:
			return p.inputError(k, x)
		}
	}
	return nil
}

// inputError reports x, given for input k, as the wrong length.
func (p *Program) inputError(k int, x []float64) error {
	return fmt.Errorf("input %q is %s but got %d values", p.inputs[k].Name, p.inputs[k].Shape, len(x))
}

// String lists the program's instructions, one per line, with the
// expression each computes.
func (p *Program) String() string {
	var sb strings.Builder
	for k := range p.code {
		c := &p.code[k]
		nd := &p.nodes[c.node]
		fmt.Fprintf(&sb, "%3d %-9s %-11s %s\n", k, ops[nd.op].name, nd.shape, text.Shorten(format(p.nodes, p.vars, c.node), 60))
	}
	return sb.String()
}

// scalarInputs returns the register of each input when every input is a
// scalar in registers, or nil.
func (p *Program) scalarInputs() []uint32 {
	if len(p.regIn) == 0 {
		return nil
	}
	regs := make([]uint32, len(p.regIn))
	for k, t := range p.regIn {
		if t.n != 1 {
			return nil
		}
		regs[k] = uint32(t.reg)
	}
	return regs
}
