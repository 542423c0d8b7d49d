package ad

import (
	"errors"
	"fmt"
	"math"
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
	outLoc   []loc
	outNode  []int32
	outShape []Shape
	code     []instr
	nreg     int       // scalar registers
	regInit  []float64 // initial register file: constants in place
	nslot    int       // vector slots
	slotInit []slotInit
	arena    int       // float64s of owned vector buffers
	blocks   int       // block buffers for fused groups' internal values
	chunked  int       // most vector slots a fused group reads or writes
	parallel bool      // whether some fused group is long enough to split
	compact  []compact // the program again, compactly, as Run goes through it
}

// A compact is the compact form of an instruction: the common scalar
// arithmetic runs from it directly; k indexes the full instruction, which
// every other code needs.
type compact struct {
	code      code
	dst, a, b int32
	k         int32
}

// loc is where a value lives: a scalar register or a vector slot.
type loc struct {
	vec bool
	i   int32
}

// slotInit presets a vector slot: a constant's data, or a range of the
// workspace arena for an owned buffer.
type slotInit struct {
	slot     int32
	data     []float64
	off, len int
}

type code uint8

const (
	cNop code = iota
	cAddSS
	cSubSS
	cMulSS
	cDivSS
	cF2SS
	cPowSS
	cNegS
	cF1S
	cAddVV
	cAddVS
	cSubVV
	cSubVS
	cSubSV
	cMulVV
	cMulVS
	cDivVV
	cDivVS
	cDivSV
	cPowVS
	cF2VV
	cF2VS
	cF2SV
	cNegV
	cF1V
	cSum
	cDot
	cLogSumExp
	cMaxOf
	cMinOf
	cIndex
	cView
	cGather
	cScatterS
	cScatterV
	cFill
	cConcat
	cScatterAdd
	cFused
	cSumAcc
	cDotAcc
	cSqS
	cAxpy       // a + c·b
	cMulVVc     // c·a·b
	cAddVVc     // c·(a + b)
	cSubVVc     // c·(a − b)
	cSubSVc     // c·(a − b), a scalar
	cSubVSc     // c·(a − b), b scalar
	cSqVc       // c·a²
	cSumAxpy    // Σ a + c·b
	cSumAxpyAcc // the same, added to the register
	cCumsum
)

type instr struct {
	code   code
	dst    int32
	a, b   int32
	p0, p1 int
	f1     func(float64) float64
	f2     func(a, b float64) float64
	node   int32
	args   []loc // the node's arguments, for diagnostics
	dstLoc loc
	argIDs []int32
	fused  *fusedGroup
	c      float64 // the constant factor of the scaled kernels
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
		isView[i] = nd.op == OpSlice && nd.p[1] == 1
	}
	p.nreg = len(regInit)
	p.regInit = regInit
	for _, v := range inputs {
		nd := g.at(v)
		p.inputs = append(p.inputs, Input{Name: nd.name, Shape: nd.shape})
		p.inLoc = append(p.inLoc, locs[v.id-1])
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
			p.parallel = p.parallel || in.fused.n >= parallelLen
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
			// An elementwise op may write over an argument read for the last
			// time here: dst[k] depends only on the arguments' element k.
			// ScatterAdd may write over its base.
			b := -1
			if in.fused == nil && (ops[nd.op].kind == kindElementwise || nd.op == OpScatterAdd) {
				for j, a := range nd.args {
					if nd.op == OpScatterAdd && j > 0 {
						break
					}
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
	p.compact = make([]compact, len(p.code))
	for k, in := range p.code {
		c := in.code
		if c == cPowSS && g.isConst(g.nodes[in.node].args[1], 2) {
			c = cSqS
		}
		p.compact[k] = compact{code: c, dst: in.dst, a: in.a, b: in.b, k: int32(k)}
	}
	offs := make([]int, len(bufLen))
	for b, n := range bufLen {
		offs[b] = p.arena
		p.arena += n
	}
	for _, i := range ownedNodes {
		p.slotInit = append(p.slotInit, slotInit{slot: locs[i].i, off: offs[home[i]], len: bufLen[home[i]]})
	}
	return p, nil
}

// instr translates node i into an instruction.
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
	info := &ops[nd.op]
	in.f1, in.f2 = info.f1, info.f2
	switch info.kind {
	case kindElementwise:
		if len(nd.args) == 1 {
			v := locs[nd.args[0]].vec
			switch {
			case nd.op == OpNeg && v:
				in.code = cNegV
			case nd.op == OpNeg:
				in.code = cNegS
			case v:
				in.code = cF1V
			default:
				in.code = cF1S
			}
			return in
		}
		av, bv := locs[nd.args[0]].vec, locs[nd.args[1]].vec
		in.code = binaryCode(nd.op, av, bv)
		if !av && bv && (nd.op == OpAdd || nd.op == OpMul) {
			in.a, in.b = in.b, in.a // commute: vector first
		}
		return in
	}
	switch nd.op {
	case OpSum:
		in.code = cSum
	case OpDot:
		in.code = cDot
	case OpLogSumExp:
		in.code = cLogSumExp
	case OpMaxOf:
		in.code = cMaxOf
	case OpMinOf:
		in.code = cMinOf
	case OpIndex:
		in.code, in.p0 = cIndex, nd.p[0]
	case OpSlice:
		in.code, in.p0, in.p1 = cGather, nd.p[0], nd.p[1]
		if nd.p[1] == 1 {
			in.code, in.p1 = cView, nd.shape.Len()
		}
	case OpScatter:
		in.code, in.p0, in.p1 = cScatterV, nd.p[0], nd.p[1]
		if !locs[nd.args[0]].vec {
			in.code = cScatterS
		}
	case OpScatterAdd:
		in.code, in.p0, in.p1 = cScatterAdd, nd.p[0], nd.p[1]
	case OpCumsum:
		in.code = cCumsum
	case OpFill:
		in.code = cFill
	case OpConcat:
		in.code = cConcat
	default:
		panic(fmt.Sprintf("ad: no kernel for %s", info.name))
	}
	return in
}

type binaryKey struct {
	op     Op
	av, bv bool
}

var binaryCodes = map[binaryKey]code{
	{OpAdd, false, false}: cAddSS, {OpSub, false, false}: cSubSS, {OpMul, false, false}: cMulSS,
	{OpDiv, false, false}: cDivSS, {OpPow, false, false}: cPowSS,
	{OpAdd, true, true}: cAddVV, {OpAdd, true, false}: cAddVS, {OpAdd, false, true}: cAddVS,
	{OpSub, true, true}: cSubVV, {OpSub, true, false}: cSubVS, {OpSub, false, true}: cSubSV,
	{OpMul, true, true}: cMulVV, {OpMul, true, false}: cMulVS, {OpMul, false, true}: cMulVS,
	{OpDiv, true, true}: cDivVV, {OpDiv, true, false}: cDivVS, {OpDiv, false, true}: cDivSV,
	{OpPow, true, false}: cPowVS,
}

func binaryCode(op Op, av, bv bool) code {
	if c, ok := binaryCodes[binaryKey{op, av, bv}]; ok {
		return c
	}
	switch {
	case av && bv:
		return cF2VV
	case av:
		return cF2VS
	case bv:
		return cF2SV
	}
	return cF2SS
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
