package ad

import (
	"fmt"
	"math/bits"
	"strings"
	"sync"

	"github.com/nabla-ad/nabla/internal/text"
)

// Workspace holds the buffers one goroutine needs to run a Program.
type Workspace struct {
	p     *Program
	s     []float64   // scalar registers
	out   []int       // the register or slot of each output, for Scalar
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
		s:      registers(p.regInit),
		out:    p.outIndex,
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

// registers returns a register file holding init, its length padded to a
// power of two for execute.
func registers(init []float64) []float64 {
	s := make([]float64, 1<<bits.Len(uint(max(len(init)-1, 0))))
	copy(s, init)
	return s
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

// Scalar returns output k of the last Run, which must be a scalar.
func (ws *Workspace) Scalar(k int) float64 { return ws.s[ws.out[k]] }

// Run evaluates the program on in, one slice per input in Inputs order
// (a scalar input is a one-element slice). Results are read with Output.
// Run allocates nothing, but for what BLAS may allocate to split a large
// matrix product across goroutines; the workspace must be p's.
//
// When every input lives in registers, Run copies them in itself, in a
// frame that keeps nothing across a call, so that a small program costs a
// call to execute besides its steps; anything else goes through runLoaded,
// which also says what is wrong with in.
func (p *Program) Run(ws *Workspace, in [][]float64) error {
	ins := p.regIn
	if ins == nil || ws.p != p || len(in) != len(ins) {
		return p.runLoaded(ws, in)
	}
	s := ws.s
	m := len(s) - 1
	_ = s[m] // bounds check hint to the compiler: 0 ≤ m < len(s)
	for k, x := range in {
		t := ins[k]
		if len(x) != t.n {
			return p.runLoaded(ws, in) // which says what is wrong
		}
		if len(x) == 1 {
			s[t.reg&m] = x[0]
			continue
		}
		// A loop, not copy: without a call, nothing is saved around it.
		for i, v := range x {
			s[(t.reg+i)&m] = v
		}
	}
	// A program of arithmetic alone is done in one call, to arith.
	if i := arith(s, p.compact); i < len(p.compact) {
		p.execute(ws, p.compact[i:])
	}
	return nil
}

// runLoaded is Run by way of load.
func (p *Program) runLoaded(ws *Workspace, in [][]float64) error {
	if err := p.load(ws, in); err != nil {
		return err
	}
	p.execute(ws, p.compact)
	return nil
}

// execute runs the instructions of steps: each run of arithmetic in
// arith, every other step by a call.
func (p *Program) execute(ws *Workspace, steps []compact) {
	for i := 0; i < len(steps); i++ {
		switch in := &steps[i]; in.code {
		case cKernel, cPowSS, cF1, cF2:
			p.call(ws, in)
		default:
			i += arith(ws.s, steps[i:]) - 1
		}
	}
}

// arith runs the common scalar arithmetic at the start of steps, up to the
// first step that calls a function, and returns how many steps it ran.
// Calling nothing, it keeps the loop's state in registers rather than
// saving it on every step: most of what small programs do runs here. The
// register file's length is a power of two, so masking an index keeps it
// in range without a bounds check (compile gives no index beyond it).
func arith(s []float64, steps []compact) int {
	m := len(s) - 1
	_ = s[m] // bounds check hint to the compiler: 0 ≤ m < len(s)
	for i := range steps {
		in := &steps[i]
		switch in.code {
		case cKernel, cPowSS, cF1, cF2:
			return i
		case cAddSS:
			s[int(in.dst)&m] = s[int(in.a)&m] + s[int(in.b)&m]
		case cSubSS:
			s[int(in.dst)&m] = s[int(in.a)&m] - s[int(in.b)&m]
		case cMulSS:
			s[int(in.dst)&m] = s[int(in.a)&m] * s[int(in.b)&m]
		case cDivSS:
			s[int(in.dst)&m] = s[int(in.a)&m] / s[int(in.b)&m]
		case cNegS:
			s[int(in.dst)&m] = -s[int(in.a)&m]
		case cSqS:
			x := s[int(in.a)&m]
			s[int(in.dst)&m] = x * x
		case cMove:
			s[int(in.dst)&m] = s[int(in.a)&m]
		case cAddAdd:
			t := float64(s[int(in.a)&m] + s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t + s[int(in.c)&m]
		case cAddRAdd:
			t := float64(s[int(in.a)&m] + s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] + t
		case cAddSub:
			t := float64(s[int(in.a)&m] + s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t - s[int(in.c)&m]
		case cAddRSub:
			t := float64(s[int(in.a)&m] + s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] - t
		case cAddMul:
			t := float64(s[int(in.a)&m] + s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * s[int(in.c)&m]
		case cAddRMul:
			t := float64(s[int(in.a)&m] + s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] * t
		case cAddSq:
			t := float64(s[int(in.a)&m] + s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * t
		case cSubAdd:
			t := float64(s[int(in.a)&m] - s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t + s[int(in.c)&m]
		case cSubRAdd:
			t := float64(s[int(in.a)&m] - s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] + t
		case cSubSub:
			t := float64(s[int(in.a)&m] - s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t - s[int(in.c)&m]
		case cSubRSub:
			t := float64(s[int(in.a)&m] - s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] - t
		case cSubMul:
			t := float64(s[int(in.a)&m] - s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * s[int(in.c)&m]
		case cSubRMul:
			t := float64(s[int(in.a)&m] - s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] * t
		case cSubSq:
			t := float64(s[int(in.a)&m] - s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * t
		case cMulAdd:
			t := float64(s[int(in.a)&m] * s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t + s[int(in.c)&m]
		case cMulRAdd:
			t := float64(s[int(in.a)&m] * s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] + t
		case cMulSub:
			t := float64(s[int(in.a)&m] * s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t - s[int(in.c)&m]
		case cMulRSub:
			t := float64(s[int(in.a)&m] * s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] - t
		case cMulMul:
			t := float64(s[int(in.a)&m] * s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * s[int(in.c)&m]
		case cMulRMul:
			t := float64(s[int(in.a)&m] * s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] * t
		case cMulSq:
			t := float64(s[int(in.a)&m] * s[int(in.b)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * t
		case cSqAdd:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t + s[int(in.c)&m]
		case cSqRAdd:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] + t
		case cSqSub:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t - s[int(in.c)&m]
		case cSqRSub:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] - t
		case cSqMul:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * s[int(in.c)&m]
		case cSqRMul:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = s[int(in.c)&m] * t
		case cSqSq:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			s[int(in.dst)&m] = t * t
		case cSqRMulRAdd:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			u := float64(s[int(in.c)&m] * t)
			s[int(in.b)&m] = u
			s[int(in.dst)&m] = s[int(in.d)&m] + u
		case cSqRMulAdd:
			t := float64(s[int(in.a)&m] * s[int(in.a)&m])
			s[int(in.mid)&m] = t
			u := float64(s[int(in.c)&m] * t)
			s[int(in.b)&m] = u
			s[int(in.dst)&m] = u + s[int(in.d)&m]
		}
	}
	return len(steps)
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
