package ad

import (
	"fmt"
	"strings"
	"sync"

	"github.com/nabla-ad/nabla/internal/text"
)

// Workspace holds the buffers one goroutine needs to run a Program.
type Workspace struct {
	p     *Program
	s     []float64   // scalar registers
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
		s:      append([]float64(nil), p.regInit...),
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
	for _, si := range p.slotInit {
		if si.data != nil {
			ws.v[si.slot] = si.data
		} else {
			ws.v[si.slot] = ws.arena[si.off : si.off+si.len : si.off+si.len]
		}
	}
	return ws
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
func (ws *Workspace) Scalar(k int) float64 { return ws.s[ws.p.outLoc[k].i] }

// Run evaluates the program on in, one slice per input in Inputs order
// (a scalar input is a one-element slice). Results are read with Output.
// Run allocates nothing, but for what BLAS may allocate to split a large
// matrix product across goroutines; the workspace must be p's.
func (p *Program) Run(ws *Workspace, in [][]float64) error {
	if err := p.load(ws, in); err != nil {
		return err
	}
	p.execute(ws, p.compact)
	return nil
}

// execute runs the instructions of steps. The common scalar arithmetic
// runs here, without a call: it is most of what small programs do.
func (p *Program) execute(ws *Workspace, steps []compact) {
	s := ws.s
	for _, in := range steps {
		switch in.code {
		case cAddSS:
			s[in.dst] = s[in.a] + s[in.b]
		case cSubSS:
			s[in.dst] = s[in.a] - s[in.b]
		case cMulSS:
			s[in.dst] = s[in.a] * s[in.b]
		case cDivSS:
			s[in.dst] = s[in.a] / s[in.b]
		case cNegS:
			s[in.dst] = -s[in.a]
		case cSqS:
			x := s[in.a]
			s[in.dst] = x * x
		case cPowSS:
			s[in.dst] = pow(s[in.a], s[in.b])
		default:
			c := &p.code[in.k]
			c.kernel(ws, c)
		}
	}
}

func (p *Program) load(ws *Workspace, in [][]float64) error {
	if ws.p != p {
		return fmt.Errorf("workspace belongs to another program")
	}
	if len(in) != len(p.inputs) {
		return fmt.Errorf("program takes %d inputs, got %d", len(p.inputs), len(in))
	}
	for k, x := range in {
		if want := p.inputs[k].Shape.Len(); len(x) != want {
			return fmt.Errorf("input %q is %s but got %d values", p.inputs[k].Name, p.inputs[k].Shape, len(x))
		}
		if l := p.inLoc[k]; l.vec {
			ws.v[l.i] = x
		} else {
			ws.s[l.i] = x[0]
		}
	}
	return nil
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
