package ad

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nabla-ad/nabla/internal/machine"
)

// Input describes one input of a Program: a variable of the graph.
type Input struct {
	Name  string
	Shape Shape
}

// Program is a compiled, flat evaluation order for some outputs of a graph:
// an instruction list over preallocated buffers. Running it allocates
// nothing. A Program is safe for concurrent use as long as each goroutine
// runs it with its own Workspace.
type Program struct {
	// The graph's arena and variables when compiled, for printing.
	nodes    []node
	vars     []int32
	serial   uint32
	inputs   []Input
	inLoc    []loc // where each input lives
	inNode   []int32
	outLoc   []loc
	outNode  []int32
	outShape []Shape
	code     []instr
	nreg     int       // scalar registers
	regInit  []float64 // initial register file: constants in place
	nslot    int       // vector slots
	slotInit []slotInit
	arena    int       // float64s of owned vector buffers
	blocks   int       // tile buffers for fused groups' internal values
	parts    int       // float64s of the sums of a fused group's reductions
	chunked  int       // most vector slots a fused group reads or writes
	work     int       // most scratch float64s a kernel needs
	pivots   int       // most scratch ints a kernel needs
	parallel bool      // whether some fused group is long enough to split
	seam     int       // float64s of a lane's seam buffer
	compact  []compact // the program again, compactly, as Run goes through it
	// The steps as machine code once some workspace has run the program
	// nativeAfter times, if it is scalar arithmetic alone, or its runs of
	// arithmetic as machine code between its other steps (segments), if
	// it has some (nativeOK).
	native     atomic.Pointer[machine.Code]
	segments   atomic.Pointer[segmented]
	nativeOK   bool
	nativeOnce sync.Once
	// Whether output 0 is non-finite when an input is (tracksInputs).
	trackOnce sync.Once
	tracked   bool
	inReg     []int32 // the first register of each input kept in registers, or -1
	// Where each input goes when all live in registers, else nil
	// (regInputs).
	regIn []regInput
	// The register of each input when every input is a scalar there, else
	// nil: Run's shortest path.
	scalarIn []uint32
	// folded marks the outputs that fused groups check for NaN and
	// infinities when the register fin is set (RunChecked), or is nil.
	folded []bool
	fin    int32
}

// loc is where a value lives: a scalar register or a vector slot.
type loc struct {
	vec bool
	i   int32
}

// slotInit presets a vector slot: a constant's data, or a range of the
// workspace arena for an owned buffer, or of the register file when reg
// is set (shortVectors).
type slotInit struct {
	slot     int32
	data     []float64
	reg      bool
	off, len int
}

// A kernel computes an instruction's value in a workspace. The op table
// says which kernel computes each node (its compile facet).
type kernel func(ws *Workspace, in *instr)

type instr struct {
	code   code
	kernel kernel
	// acc is, for a reduction that can be part of a fused group, the kernel
	// that adds a block's part to its register.
	acc    kernel
	dst    int32
	a, b   int32
	p0, p1 int
	p2     int // a third parameter, such as the length of a matrix's rows
	f1     func(float64) float64
	f2     func(a, b float64) float64
	node   int32
	args   []loc // the node's arguments, for diagnostics
	dstLoc loc
	argIDs []int32
	fused  *fusedGroup
	c      float64 // the constant factor of the scaled kernels
	c2     float64 // a second one, for kernels that merge two (fastCode)
	// work and pivots are the float64s and ints of the workspace's scratch
	// space the kernel uses (a factorization's copy of its matrix, the
	// row interchanges of an LU factorization).
	work, pivots int
	// merge and mop say what a merged instruction computes (scale.go).
	merge mergeForm
	mop   Op
}

// reads returns the nodes an instruction reads (for a fused group, those
// computed outside it).
func (in *instr) reads() []int32 {
	if in.fused != nil {
		return in.fused.reads
	}
	return in.argIDs
}

// defs returns the nodes an instruction leaves in vector slots or registers
// for later instructions.
func (in *instr) defs() []int32 {
	if in.fused != nil {
		return in.fused.defs
	}
	return []int32{in.node}
}

// Compile orders the nodes needed for outputs into a Program. The program's
// inputs are all the graph's variables at the time of compiling, in creation
// order, whether or not the outputs depend on them.
func (g *Graph) Compile(outputs ...Node) (*Program, error) {
	return g.CompileWith(g.Vars(), outputs...)
}

// CompileWith is like Compile with the program's inputs chosen by the
// caller: inputs are variables, in the order Run takes them. Outputs may
// depend on no other variable.
func (g *Graph) CompileWith(inputs []Node, outputs ...Node) (*Program, error) {
	if len(outputs) == 0 {
		return nil, errors.New("compile: no outputs")
	}
	if err := g.check(outputs...); err != nil {
		return nil, err
	}
	if err := g.checkInputs(inputs); err != nil {
		return nil, err
	}
	need, top := g.needed(outputs, len(g.nodes))
	isInput := make([]bool, len(g.nodes))
	for _, v := range inputs {
		if isInput[v.id-1] {
			return nil, fmt.Errorf("compile: variable %s is given twice", g.at(v).name)
		}
		isInput[v.id-1] = true
		need[v.id-1] = true
	}
	for i := range need {
		if need[i] && g.nodes[i].op == OpVar && !isInput[i] {
			return nil, fmt.Errorf("compile: the outputs depend on variable %s, which is not an input", g.nodes[i].name)
		}
	}
	p := &Program{nodes: g.nodes[:len(g.nodes):len(g.nodes)], vars: g.vars[:len(g.vars):len(g.vars)], serial: g.serial}
	locs := make([]loc, len(g.nodes))
	var regInit []float64
	isView := make([]bool, len(g.nodes))
	for i := range g.nodes {
		if !need[i] {
			continue
		}
		nd := &g.nodes[i]
		if nd.shape.IsScalar() {
			locs[i] = loc{i: int32(len(regInit))}
			regInit = append(regInit, nd.val)
		} else {
			locs[i] = loc{vec: true, i: int32(p.nslot)}
			p.nslot++
			if nd.op == OpConst {
				p.slotInit = append(p.slotInit, slotInit{slot: locs[i].i, data: nd.vec})
			}
		}
		isView[i] = ops[nd.op].view != nil && ops[nd.op].view(nd)
	}
	p.nreg = len(regInit)
	p.regInit = regInit
	for _, v := range inputs {
		nd := g.at(v)
		p.inputs = append(p.inputs, Input{Name: nd.name, Shape: nd.shape})
		p.inLoc = append(p.inLoc, locs[v.id-1])
		p.inNode = append(p.inNode, v.id-1)
	}
	for _, o := range outputs {
		p.outNode = append(p.outNode, o.id-1)
		p.outLoc = append(p.outLoc, locs[o.id-1])
		p.outShape = append(p.outShape, g.at(o).shape)
	}

	isOutput := make([]bool, len(g.nodes))
	for _, o := range outputs {
		isOutput[o.id-1] = true
	}
	merged, absorbed := g.mergeScales(need, top, isOutput)
	count := 0
	for i := int32(0); i <= top; i++ {
		if need[i] && !absorbed[i] {
			count++
		}
	}
	code := make([]instr, 0, count)
	for i := int32(0); i <= top; i++ {
		if op := g.nodes[i].op; need[i] && op != OpVar && op != OpConst && !absorbed[i] {
			in := g.instr(i, locs)
			if m, ok := merged[i]; ok {
				m.apply(&in, locs)
			}
			code = append(code, in)
		}
	}
	internal := make([]bool, len(g.nodes))
	p.code = g.fuse(code, isOutput, internal)
	for _, in := range p.code {
		if in.fused != nil {
			p.blocks = max(p.blocks, len(in.fused.internal))
			p.chunked = max(p.chunked, len(in.fused.ext))
			p.parallel = p.parallel || in.fused.n >= parallelLen && !in.fused.whole
			p.seam = max(p.seam, in.fused.seamLen())
			p.parts = max(p.parts, 4*in.fused.parts)
		}
		p.work, p.pivots = max(p.work, in.work), max(p.pivots, in.pivots)
		if in.fused != nil {
			for _, o := range in.fused.outs {
				if p.folded == nil {
					p.folded = make([]bool, len(outputs))
					p.fin = int32(len(p.regInit))
					p.regInit = append(p.regInit, 0)
					p.nreg = len(p.regInit)
				}
				for k, i := range p.outNode {
					p.folded[k] = p.folded[k] || i == o.node
				}
			}
		}
	}

	// Liveness: the last top-level instruction that reads each value,
	// counting reads through views as reads of the viewed buffer.
	const forever = math.MaxInt32
	last := make([]int32, len(g.nodes))
	for k := range p.code {
		for _, a := range p.code[k].reads() {
			last[a] = int32(k)
		}
	}
	for _, o := range outputs {
		last[o.id-1] = forever
	}
	for i := top; i >= 0; i-- {
		if need[i] && isView[i] {
			a := g.nodes[i].args[0]
			last[a] = max(last[a], last[i])
		}
	}

	// Owned vector buffers come from a pool keyed by length. home is the
	// buffer a node's value lives in; live tells whether it still holds it.
	free := map[int][]int{}
	var bufLen []int
	home := make([]int, len(g.nodes))
	live := make([]bool, len(g.nodes))
	alloc := func(n int) int {
		if l := free[n]; len(l) > 0 {
			b := l[len(l)-1]
			free[n] = l[:len(l)-1]
			return b
		}
		bufLen = append(bufLen, n)
		return len(bufLen) - 1
	}
	owned := func(i int32) bool {
		op := g.nodes[i].op
		return !g.nodes[i].shape.IsScalar() && op != OpVar && op != OpConst && !isView[i] && !internal[i]
	}
	var ownedNodes []int32
	for k := range p.code {
		in := &p.code[k]
		pos := int32(k)
		for _, i := range in.defs() {
			if !owned(i) {
				continue
			}
			nd := &g.nodes[i]
			// An op may write over an argument read for the last time here
			// when its element k depends only on that argument's element k
			// (its inPlace arguments).
			b := -1
			if in.fused == nil {
				for _, a := range nd.args[:ops[nd.op].inPlace] {
					if last[a] == pos && owned(a) && live[a] && g.nodes[a].shape == nd.shape {
						b = home[a]
						live[a] = false
						break
					}
				}
			}
			if b < 0 {
				b = alloc(nd.shape.Len())
			}
			home[i], live[i] = b, true
			ownedNodes = append(ownedNodes, i)
		}
		for _, a := range in.reads() {
			if last[a] == pos && owned(a) && live[a] {
				live[a] = false
				n := g.nodes[a].shape.Len()
				free[n] = append(free[n], home[a])
			}
		}
	}
	offs := make([]int, len(bufLen))
	for b, n := range bufLen {
		offs[b] = p.arena
		p.arena += n
	}
	for _, i := range ownedNodes {
		p.slotInit = append(p.slotInit, slotInit{slot: locs[i].i, off: offs[home[i]], len: bufLen[home[i]]})
	}
	p.compact = p.compactCode()
	p.regIn = p.regInputs()
	p.scalarIn = p.scalarInputs()
	if err := p.checkRegisters(); err != nil {
		return nil, err
	}
	p.nativeOK = p.nativeable()
	return p, nil
}

// checkRegisters makes sure that every register index the steps and the
// scalar inputs hold is inside the register file, once, when compiling:
// arith and Run read and write registers without bounds checks (regAt),
// so an index out of range would be a bug in the compiler that corrupts
// memory rather than one that panics.
func (p *Program) checkRegisters() error {
	n := uint32(len(p.regInit))
	if i := slices.IndexFunc(p.compact, func(st compact) bool { return st.code == cEnd }); i != len(p.compact)-1 {
		return fmt.Errorf("ad: internal error: the steps end at %d of %d", i, len(p.compact))
	}
	for i, st := range p.compact {
		// A kernel's step holds the instruction's own locations, not
		// registers; its kernel checks its slices.
		if st.code != cKernel && max(st.dst, st.a, st.b, st.mid, st.c, st.d) >= n {
			return fmt.Errorf("ad: internal error: step %d indexes a register beyond the %d of the program", i, n)
		}
	}
	for _, t := range p.regIn {
		if t.reg+t.n > int(n) {
			return fmt.Errorf("ad: internal error: an input's registers %d to %d are beyond the %d of the program", t.reg, t.reg+t.n-1, n)
		}
	}
	for _, r := range p.scalarIn {
		if r >= n {
			return fmt.Errorf("ad: internal error: an input's register %d is beyond the %d of the program", r, n)
		}
	}
	for _, l := range p.outLoc {
		if !l.vec && uint32(l.i) >= n {
			return fmt.Errorf("ad: internal error: an output's register %d is beyond the %d of the program", l.i, n)
		}
	}
	for _, si := range p.slotInit {
		if si.reg && si.off+si.len > int(n) {
			return fmt.Errorf("ad: internal error: a short vector's registers %d to %d are beyond the %d of the program", si.off, si.off+si.len-1, n)
		}
	}
	return nil
}

// instr translates node i into an instruction with the op's kernel.
func (g *Graph) instr(i int32, locs []loc) instr {
	nd := &g.nodes[i]
	in := instr{node: i, dst: locs[i].i, dstLoc: locs[i]}
	in.args = make([]loc, len(nd.args))
	for k, a := range nd.args {
		in.args[k] = locs[a]
	}
	in.argIDs = nd.args
	if len(nd.args) > 0 {
		in.a = locs[nd.args[0]].i
	}
	if len(nd.args) > 1 {
		in.b = locs[nd.args[1]].i
	}
	d := &ops[nd.op]
	in.kernel, in.acc, in.p0, in.p1 = d.kernel, d.acc, nd.p[0], nd.p[1]
	if d.compile != nil {
		in = d.compile(g, nd, in)
	}
	return in
}

// needed marks the nodes outputs depend on in a slice of length n (at
// least the highest output's index + 1) and returns it with that index.
func (g *Graph) needed(outputs []Node, n int) (need []bool, top int32) {
	top = -1
	for _, o := range outputs {
		top = max(top, o.id-1)
	}
	need = make([]bool, max(n, int(top)+1))
	for _, o := range outputs {
		need[o.id-1] = true
	}
	for i := top; i >= 0; i-- {
		if need[i] {
			for _, a := range g.nodes[i].args {
				need[a] = true
			}
		}
	}
	return need, top
}

// handle returns the Node of arena entry i of the program's graph.
func (p *Program) handle(i int32) Node { return Node{graph: p.serial, id: i + 1} }
