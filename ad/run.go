package ad

import (
	"fmt"
	"math"
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
	// For fused groups: block buffers and the saved full slots.
	blocks []float64
	full   [][]float64
	// lane is the state the second half of a long fused group runs with.
	lane *Workspace
	wait sync.WaitGroup
}

// NewWorkspace allocates the buffers for running p.
func (p *Program) NewWorkspace() *Workspace {
	ws := &Workspace{
		p:      p,
		s:      append([]float64(nil), p.regInit...),
		v:      make([][]float64, p.nslot),
		arena:  make([]float64, p.arena),
		blocks: make([]float64, p.blocks*blockLen),
		full:   make([][]float64, p.chunked),
	}
	if p.parallel && startLanes() {
		ws.lane = &Workspace{
			p:      p,
			s:      make([]float64, p.nreg),
			v:      make([][]float64, p.nslot),
			blocks: make([]float64, p.blocks*blockLen),
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

// BufferLen is the number of float64s of the vector buffers a workspace
// owns, the program's working memory beyond inputs and constants.
func (p *Program) BufferLen() int { return p.arena }

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
// Run allocates nothing; the workspace must be p's.
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
			ws.exec(&p.code[in.k])
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

// exec runs one instruction; execute runs the common scalar ones itself.
func (ws *Workspace) exec(in *instr) {
	s := ws.s
	switch in.code {
	case cF2SS:
		s[in.dst] = in.f2(s[in.a], s[in.b])
	case cF1S:
		s[in.dst] = in.f1(s[in.a])
	case cAddVV:
		d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case cAddVS:
		d, a, c := ws.v[in.dst], ws.v[in.a], s[in.b]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] + c
		}
	case cSubVV:
		d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] - b[i]
		}
	case cSubVS:
		d, a, c := ws.v[in.dst], ws.v[in.a], s[in.b]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] - c
		}
	case cSubSV:
		d, c, b := ws.v[in.dst], s[in.a], ws.v[in.b]
		b = b[:len(d)]
		for i := range d {
			d[i] = c - b[i]
		}
	case cMulVV:
		d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] * b[i]
		}
	case cMulVS:
		d, a, c := ws.v[in.dst], ws.v[in.a], s[in.b]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] * c
		}
	case cDivVV:
		d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] / b[i]
		}
	case cDivVS:
		d, a, c := ws.v[in.dst], ws.v[in.a], s[in.b]
		a = a[:len(d)]
		for i := range d {
			d[i] = a[i] / c
		}
	case cDivSV:
		d, c, b := ws.v[in.dst], s[in.a], ws.v[in.b]
		b = b[:len(d)]
		for i := range d {
			d[i] = c / b[i]
		}
	case cPowVS:
		d, a, c := ws.v[in.dst], ws.v[in.a], s[in.b]
		a = a[:len(d)]
		switch c {
		case 2:
			for i := range d {
				d[i] = a[i] * a[i]
			}
		case 3:
			for i := range d {
				d[i] = a[i] * a[i] * a[i]
			}
		default:
			for i := range d {
				d[i] = pow(a[i], c)
			}
		}
	case cAxpy:
		d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = a[i] + c*b[i]
		}
	case cMulVVc:
		d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = c * (a[i] * b[i])
		}
	case cAddVVc:
		d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = c * (a[i] + b[i])
		}
	case cSubVVc:
		d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = c * (a[i] - b[i])
		}
	case cSubSVc:
		d, x, b, c := ws.v[in.dst], s[in.a], ws.v[in.b], in.c
		b = b[:len(d)]
		for i := range d {
			d[i] = c * (x - b[i])
		}
	case cSubVSc:
		d, a, x, c := ws.v[in.dst], ws.v[in.a], s[in.b], in.c
		a = a[:len(d)]
		for i := range d {
			d[i] = c * (a[i] - x)
		}
	case cSqVc:
		d, a, c := ws.v[in.dst], ws.v[in.a], in.c
		a = a[:len(d)]
		for i := range d {
			d[i] = c * (a[i] * a[i])
		}
	case cF2VV:
		d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
		a, b = a[:len(d)], b[:len(d)]
		for i := range d {
			d[i] = in.f2(a[i], b[i])
		}
	case cF2VS:
		d, a, c := ws.v[in.dst], ws.v[in.a], s[in.b]
		a = a[:len(d)]
		for i := range d {
			d[i] = in.f2(a[i], c)
		}
	case cF2SV:
		d, c, b := ws.v[in.dst], s[in.a], ws.v[in.b]
		b = b[:len(d)]
		for i := range d {
			d[i] = in.f2(c, b[i])
		}
	case cNegV:
		d, a := ws.v[in.dst], ws.v[in.a]
		a = a[:len(d)]
		for i := range d {
			d[i] = -a[i]
		}
	case cF1V:
		d, a := ws.v[in.dst], ws.v[in.a]
		a = a[:len(d)]
		for i := range d {
			d[i] = in.f1(a[i])
		}
	case cFused:
		ws.execFused(in.fused)
	case cSumAxpy:
		s[in.dst] = sumAxpy(ws.v[in.a], ws.v[in.b], in.c)
	case cSumAxpyAcc:
		s[in.dst] += sumAxpy(ws.v[in.a], ws.v[in.b], in.c)
	case cSumAcc:
		s[in.dst] += sum(ws.v[in.a])
	case cDotAcc:
		s[in.dst] += dot(ws.v[in.a], ws.v[in.b])
	case cSum:
		s[in.dst] = sum(ws.v[in.a])
	case cDot:
		s[in.dst] = dot(ws.v[in.a], ws.v[in.b])
	case cLogSumExp:
		s[in.dst] = logSumExp(ws.v[in.a])
	case cMaxOf:
		a := ws.v[in.a]
		m := a[0]
		for _, x := range a[1:] {
			if x > m || x != x {
				m = x
			}
		}
		s[in.dst] = m
	case cMinOf:
		a := ws.v[in.a]
		m := a[0]
		for _, x := range a[1:] {
			if x < m || x != x {
				m = x
			}
		}
		s[in.dst] = m
	case cIndex:
		s[in.dst] = ws.v[in.a][in.p0]
	case cView:
		ws.v[in.dst] = ws.v[in.a][in.p0 : in.p0+in.p1 : in.p0+in.p1]
	case cGather:
		d, a := ws.v[in.dst], ws.v[in.a]
		for i, j := 0, in.p0; i < len(d); i, j = i+1, j+in.p1 {
			d[i] = a[j]
		}
	case cScatterS:
		d := ws.v[in.dst]
		clear(d)
		d[in.p0] = s[in.a]
	case cScatterV:
		d, a := ws.v[in.dst], ws.v[in.a]
		if in.p1 == 1 {
			// Only the ends outside the copy need zeros.
			clear(d[:in.p0])
			clear(d[in.p0+copy(d[in.p0:], a):])
			break
		}
		clear(d)
		for i, j := 0, in.p0; i < len(a); i, j = i+1, j+in.p1 {
			d[j] = a[i]
		}
	case cScatterAdd:
		d, base := ws.v[in.dst], ws.v[in.a]
		if &d[0] != &base[0] {
			copy(d, base)
		}
		if !in.args[1].vec {
			d[in.p0] += s[in.b]
			break
		}
		v := ws.v[in.b]
		if in.p1 == 1 {
			d = d[in.p0 : in.p0+len(v)]
			for i := range v {
				d[i] += v[i]
			}
			break
		}
		for i, j := 0, in.p0; i < len(v); i, j = i+1, j+in.p1 {
			d[j] += v[i]
		}
	case cCumsum:
		d, a := ws.v[in.dst], ws.v[in.a]
		a = a[:len(d)]
		t := 0.0
		for i := range d {
			t += a[i]
			d[i] = t
		}
	case cFill:
		d, c := ws.v[in.dst], s[in.a]
		for i := range d {
			d[i] = c
		}
	case cConcat:
		d := ws.v[in.dst]
		off := 0
		for _, l := range in.args {
			if l.vec {
				off += copy(d[off:], ws.v[l.i])
			} else {
				d[off] = s[l.i]
				off++
			}
		}
	}
}

// logSumExp is log Σ exp(x), shifted by the maximum so that it neither
// overflows nor underflows.
func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m || v != v {
			m = v
		}
	}
	if math.IsInf(m, 0) || m != m {
		return m
	}
	t := 0.0
	for _, v := range x {
		t += math.Exp(v - m)
	}
	return m + math.Log(t)
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

// sum adds with four accumulators, which breaks the chain of dependent
// additions that limits a plain loop.
func sum(x []float64) float64 {
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		t0 += x[i]
		t1 += x[i+1]
		t2 += x[i+2]
		t3 += x[i+3]
	}
	for ; i < len(x); i++ {
		t0 += x[i]
	}
	return (t0 + t1) + (t2 + t3)
}

// sumAxpy is Σ a + c·b, with four accumulators.
func sumAxpy(a, b []float64, c float64) float64 {
	b = b[:len(a)]
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		t0 += a[i] + c*b[i]
		t1 += a[i+1] + c*b[i+1]
		t2 += a[i+2] + c*b[i+2]
		t3 += a[i+3] + c*b[i+3]
	}
	for ; i < len(a); i++ {
		t0 += a[i] + c*b[i]
	}
	return (t0 + t1) + (t2 + t3)
}

func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		t0 += a[i] * b[i]
		t1 += a[i+1] * b[i+1]
		t2 += a[i+2] * b[i+2]
		t3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		t0 += a[i] * b[i]
	}
	return (t0 + t1) + (t2 + t3)
}
