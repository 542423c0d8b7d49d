package ad

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// genForm is how generated Go computes an op, the op table's facet for
// Func.Generate. An elementwise op has expr, a Go expression of its
// operands %[1]s and %[2]s in which %[3]s is the prefix of the file's
// helper functions, with the source of the helper it calls, if any, and,
// for an op whose generated form is faster for a constant second operand,
// byConst. A reduction that adds up one element at a time has init, its
// accumulator's start, and step, the statement that adds the elements
// %[2]s (and %[3]s) to the accumulator %[1]s. code marks an op whose Go
// the generator writes itself (structural ops, reductions of more than one
// pass or along an axis, matrices' products and linear algebra; genprog.go
// and genmat.go), with the source of the helper it calls, if any.
type genForm struct {
	expr    string
	helper  string
	byConst func(c float64) string
	init    string
	step    string
	code    bool
}

// genWrites reports whether the generator writes the Go of op itself: it
// does for the ops whose genForm has code.
func genWrites(op Op) bool {
	switch op {
	case OpSlice, OpIndex, OpFill, OpConcat, OpScatter, OpScatterAdd, OpCumsum, OpLogSumExp,
		OpReshape, OpBroadcast, OpTranspose, OpVStack, OpDiag, OpTril, OpTrilVec, OpTrace,
		OpSumAxis, OpLogSumExpAxis, OpMaxAxis, OpMinAxis, OpMatMul, OpArgMin, OpArgMax, OpTake, OpAddAt,
		OpDet, OpLogDet, OpInv, OpSolve, OpCholesky:
		return true
	}
	return false
}

// genRef is a vector that lives in memory: element k is base[off+k*step].
type genRef struct {
	base           string
	off, step, len int
}

// at returns the Go expression of element k, k a Go expression.
func (r genRef) at(k string) string {
	if r.step != 1 && strings.ContainsAny(k, "+-*/%") {
		k = "(" + k + ")"
	}
	switch {
	case r.step == 1 && r.off == 0:
		return fmt.Sprintf("%s[%s]", r.base, k)
	case r.step == 1:
		return fmt.Sprintf("%s[%s+%d]", r.base, k, r.off)
	case r.step == -1:
		return fmt.Sprintf("%s[%d-%s]", r.base, r.off, k)
	case r.step < 0:
		return fmt.Sprintf("%s[%d-%s*%d]", r.base, r.off, k, -r.step)
	}
	return fmt.Sprintf("%s[%d+%s*%d]", r.base, r.off, k, r.step)
}

// atConst returns the Go expression of element i.
func (r genRef) atConst(i int) string { return fmt.Sprintf("%s[%d]", r.base, r.off+i*r.step) }

// sub returns the elements first, first+step, … (count of them) of r.
func (r genRef) sub(first, step, count int) genRef {
	return genRef{base: r.base, off: r.off + first*r.step, step: r.step * step, len: count}
}

// slice returns r as a Go slice expression, when its elements are
// consecutive.
func (r genRef) slice() (string, bool) {
	if r.step != 1 {
		return "", false
	}
	return fmt.Sprintf("%s[%d:%d]", r.base, r.off, r.off+r.len), true
}

// A genVal is how generated code reads a value: a scalar's Go expression
// (also the broadcast scalar of a fill that is not in memory), or a vector
// in memory.
type genVal struct {
	s   string
	ref *genRef
}

// genBody writes one program as the statements of a Go function.
type genBody struct {
	p     *Program
	file  *genFile
	names *genNames
	out   []genRef // where each vector output goes
	sb    strings.Builder

	list  []*instr
	vals  map[int32]genVal
	uses  map[int32]int
	isOut map[int32]bool
	home  map[int32]genRef
	// shared marks a scatteradd that updates its base's memory in place.
	shared map[int32]bool
	// mat marks vectors computed in a loop that must also be stored.
	mat   map[int32]bool
	group map[int32]int // loop of each loop member, from 1
	// bufs are the lengths of the workspace's buffers, and pivs those of
	// its buffers of ints (the row interchanges of LU factorizations).
	bufs, pivs []int
	work       string // the workspace variable, once there is one
	// item is the index of the item being written; last is, for each
	// node, the last item that reads its memory, and free, for each
	// buffer, the last item that reads what it holds.
	item int
	last map[int32]int
	free []int
}

// A genItem is a loop of n elements over its instructions, or, when n is
// 0, one instruction outside any loop.
type genItem struct {
	n    int
	code []*instr
}

func newGenBody(p *Program, file *genFile, names *genNames) *genBody {
	b := &genBody{p: p, file: file, names: names,
		vals: map[int32]genVal{}, uses: map[int32]int{}, isOut: map[int32]bool{},
		home: map[int32]genRef{}, shared: map[int32]bool{}, mat: map[int32]bool{}, group: map[int32]int{}}
	for k := range p.code {
		in := &p.code[k]
		if in.fused == nil {
			b.list = append(b.list, in)
			continue
		}
		for j := range in.fused.code {
			b.list = append(b.list, &in.fused.code[j])
		}
	}
	for _, in := range b.list {
		for _, a := range in.argIDs {
			b.uses[a]++
		}
	}
	for _, o := range p.outNode {
		b.uses[o]++
		b.isOut[o] = true
	}
	return b
}

func (b *genBody) node(i int32) *node { return &b.p.nodes[i] }

func (b *genBody) printf(format string, args ...any) { fmt.Fprintf(&b.sb, format, args...) }

// owned reports whether node i is a vector or a matrix that an instruction
// writes into memory of its own when it is stored: not an input, a
// constant, or a view of other memory (a slice, a reshape, a row).
func (b *genBody) owned(i int32) bool {
	switch nd := b.node(i); nd.op {
	case OpVar, OpConst, OpSlice, OpReshape, OpIndex:
		return false
	default:
		return !nd.shape.IsScalar()
	}
}

// loopLen returns the number of elements of the loop an instruction can be
// part of, or 0.
func (b *genBody) loopLen(in *instr) int {
	nd := b.node(in.node)
	vecArg := func(k int) int {
		if k < len(in.argIDs) {
			if s := b.node(in.argIDs[k]).shape; !s.IsScalar() {
				return s.Len()
			}
		}
		return 0
	}
	switch {
	case nd.shape.Rank() == 2 && (nd.op == OpScatter || nd.op == OpScatterAdd):
		return 0 // rows, written by matrixOp
	case in.merge == mergeSumAxpy || in.merge == mergeSumAxpySq:
		return vecArg(0)
	case in.merge == mergeMatMulRow:
		return 0
	case ops[nd.op].kind == kindElementwise:
		if nd.shape.IsScalar() {
			return 0
		}
		return nd.shape.Len()
	case ops[nd.op].gen.step != "":
		return vecArg(0)
	case nd.op == OpScatter:
		return vecArg(0)
	case nd.op == OpScatterAdd:
		return vecArg(1)
	case nd.op == OpBroadcast:
		return nd.shape.Len()
	}
	return 0
}

// plan groups the instructions into loops, as fuse does: runs of
// instructions over vectors of one length, with instructions that do not
// depend on the open loop moved before it. It decides which values live in
// memory.
func (b *genBody) plan() []genItem {
	// A scatteradd whose base is read only by it updates the base in place.
	for _, in := range b.list {
		if nd := b.node(in.node); nd.op == OpScatterAdd {
			base := in.argIDs[0]
			b.shared[in.node] = b.owned(base) && b.uses[base] == 1 && !b.isOut[base]
		}
	}
	var items []genItem
	var open []*instr
	n := 0
	inOpen, reduced := map[int32]bool{}, map[int32]bool{}
	// Instructions moved before the open loop make a loop of their own, as
	// long as nothing else is emitted after it: moved is its item, and
	// movedReduced its reductions, which it completes.
	moved, movedReduced := -1, map[int32]bool{}
	emit := func(n int, code []*instr) {
		items = append(items, genItem{n: n, code: code})
		moved = -1
		if n > 0 {
			for _, in := range code {
				b.group[in.node] = len(items)
			}
		}
	}
	// Scalar arithmetic on the open loop's reductions waits for the loop
	// to end, so that it does not end the loop before its time.
	var deferred []*instr
	flush := func() {
		if len(open) > 0 {
			emit(n, open)
		}
		for _, in := range deferred {
			emit(0, []*instr{in})
		}
		open, n, deferred = nil, 0, nil
		clear(inOpen)
		clear(reduced)
	}
	// Reductions and scatters are complete only when their loop ends.
	add := func(in *instr, m int) {
		open, n = append(open, in), m
		inOpen[in.node] = true
		if op := b.node(in.node).op; b.node(in.node).shape.IsScalar() || op == OpScatter || op == OpScatterAdd {
			reduced[in.node] = true
		}
	}
	for _, in := range b.list {
		depends, readsReduction := false, false
		for k, a := range in.argIDs {
			depends = depends || inOpen[a]
			// A scatteradd adds to its base's memory, complete or not.
			readsReduction = readsReduction || reduced[a] && !(k == 0 && b.node(in.node).op == OpScatterAdd)
		}
		m := b.loopLen(in)
		// A scatteradd joins the loop that computes its base only when
		// the base's elements are added to, never set, there.
		joins := true
		if nd := b.node(in.node); nd.op == OpScatterAdd && inOpen[in.argIDs[0]] {
			base := b.node(in.argIDs[0]).op
			joins = b.shared[in.node] && (base == OpScatter || base == OpScatterAdd)
		}
		scalarOnReductions := m == 0 && b.node(in.node).shape.IsScalar()
		for _, a := range in.argIDs {
			scalarOnReductions = scalarOnReductions && b.node(a).shape.IsScalar() && (!inOpen[a] || reduced[a])
		}
		switch {
		case m > 0 && (len(open) == 0 || m == n) && !readsReduction && joins:
			add(in, m)
		case len(open) > 0 && depends && scalarOnReductions:
			deferred = append(deferred, in)
			inOpen[in.node], reduced[in.node] = true, true
		case len(open) > 0 && !depends: // moved before the open loop
			op := b.node(in.node).op
			joinable := m > 0 && op != OpScatter && op != OpScatterAdd
			if joinable && moved >= 0 && moved == len(items)-1 && items[moved].n == m && !slices.ContainsFunc(in.argIDs, func(a int32) bool { return movedReduced[a] }) {
				items[moved].code = append(items[moved].code, in)
				b.group[in.node] = moved + 1
			} else {
				emit(m, []*instr{in})
				if joinable {
					moved = len(items) - 1
					clear(movedReduced)
				}
			}
			if b.node(in.node).shape.IsScalar() {
				movedReduced[in.node] = true
			}
		default:
			flush()
			if m > 0 {
				add(in, m)
			} else {
				emit(0, []*instr{in})
			}
		}
	}
	flush()

	// A vector computed in a loop is stored when anything but the
	// elementwise work of its own loop reads it, and a fill when anything
	// but the elementwise work of a loop does.
	for _, in := range b.list {
		g := b.group[in.node]
		nd := b.node(in.node)
		for k, a := range in.argIDs {
			// A broadcast reads its argument's elements at indices of
			// its own: from memory.
			elementwise := g > 0 && nd.op != OpBroadcast && (nd.op != OpScatterAdd || k == 1)
			if !elementwise || b.group[a] != g && b.node(a).op != OpFill {
				b.mat[a] = true
			}
		}
	}
	for o := range b.isOut {
		b.mat[o] = true
	}
	return items
}

// val returns how to read node i, making constants as they are first read.
func (b *genBody) val(i int32) genVal {
	if v, ok := b.vals[i]; ok {
		return v
	}
	nd := b.node(i)
	if nd.op != OpConst {
		panic(fmt.Sprintf("gen: node %d (%s) read before it is written", i, nd.op))
	}
	var v genVal
	if nd.shape.IsScalar() {
		v.s = b.file.float(nd.val)
	} else {
		v.ref = &genRef{base: b.file.constant(i, nd.vec), step: 1, len: len(nd.vec)}
	}
	b.vals[i] = v
	return v
}

// scalar returns the Go expression of the scalar node i.
func (b *genBody) scalar(i int32) string { return b.val(i).s }

// ref returns node i, a vector in memory.
func (b *genBody) ref(i int32) genRef {
	v := b.val(i)
	if v.ref == nil {
		panic(fmt.Sprintf("gen: vector %d (%s) is not in memory", i, b.node(i).op))
	}
	return *v.ref
}

// temp names the value of node i in generated code.
func (b *genBody) temp(i int32) string { return b.names.local(fmt.Sprintf("v%d", i)) }

// buffer returns memory for node i: its planned home, else a new buffer of
// the workspace.
func (b *genBody) buffer(i int32) genRef {
	if h, ok := b.home[i]; ok {
		return h
	}
	h, k := b.reuse(b.node(i).shape.Len())
	b.free[k] = b.last[i]
	b.home[i] = h
	return h
}

// lifetimes finds for each node the last item that reads it, or reads a
// view of its memory (a slice, a reshape, a row, a scatteradd that adds
// to it in place), so that buffers can serve again once their values are
// dead. Outputs live to the end.
func (b *genBody) lifetimes(items []genItem) {
	b.last = map[int32]int{}
	for t, it := range items {
		for _, in := range it.code {
			for _, a := range in.argIDs {
				b.last[a] = max(b.last[a], t)
			}
		}
	}
	for o := range b.isOut {
		b.last[o] = len(items)
	}
	for j := len(b.list) - 1; j >= 0; j-- {
		in := b.list[j]
		switch nd := b.node(in.node); {
		case nd.op == OpSlice, nd.op == OpReshape, nd.op == OpIndex, b.shared[in.node]:
			a := in.argIDs[0]
			b.last[a] = max(b.last[a], b.last[in.node])
		}
	}
}

// pivots returns a new buffer of n ints of the workspace, as a Go slice.
func (b *genBody) pivots(n int) string {
	if b.work == "" {
		b.work = b.names.local("w")
	}
	b.pivs = append(b.pivs, n)
	return fmt.Sprintf("%s.p%d[0:%d]", b.work, len(b.pivs)-1, n)
}

// scratch returns a buffer of n elements of the workspace for the current
// item: one whose values are dead, the smallest that is long enough, or a
// new one. Code with symbolic lengths takes new ones, since which buffer
// is long enough can depend on the length.
func (b *genBody) scratch(n int) genRef {
	h, _ := b.reuse(n)
	return h
}

// reuse returns scratch's buffer and its index.
func (b *genBody) reuse(n int) (genRef, int) {
	if b.work == "" {
		b.work = b.names.local("w")
	}
	k := -1
	for j, l := range b.bufs {
		if !b.file.symbolic && b.free[j] < b.item && l >= n && (k < 0 || l < b.bufs[k]) {
			k = j
		}
	}
	if k < 0 {
		k = len(b.bufs)
		b.bufs = append(b.bufs, n)
		b.free = append(b.free, 0)
	}
	b.free[k] = b.item // till the end of the item, unless buffer says longer
	return genRef{base: fmt.Sprintf("%s.b%d", b.work, k), step: 1, len: n}, k
}

// write generates the statements of the program. vector outputs go to out;
// the caller reads scalar outputs with result.
func (b *genBody) write(inputs []string) {
	for k, i := range b.p.inNode {
		if b.node(i).shape.IsScalar() {
			b.vals[i] = genVal{s: inputs[k]}
		} else {
			b.vals[i] = genVal{ref: &genRef{base: inputs[k], step: 1, len: b.node(i).shape.Len()}}
		}
	}
	// Vector outputs computed here are computed into the caller's slices,
	// and so are the bases that scatteradds update in place.
	for k, o := range b.p.outNode {
		if _, done := b.home[o]; !done && b.owned(o) {
			b.home[o] = b.out[k]
		}
	}
	items := b.plan()
	for j := len(b.list) - 1; j >= 0; j-- {
		in := b.list[j]
		if h, ok := b.home[in.node]; ok && b.shared[in.node] {
			b.home[in.argIDs[0]] = h
		}
	}
	b.lifetimes(items)
	for t, it := range items {
		b.item = t
		if it.n > 0 {
			b.loop(it)
		} else {
			b.single(it.code[0])
		}
	}
	for k, o := range b.p.outNode {
		if b.node(o).shape.IsScalar() {
			continue
		}
		if h, ok := b.home[o]; ok && h == b.out[k] && b.vals[o].ref != nil {
			continue
		}
		b.store(b.out[k], o)
	}
}

// result returns the Go expression of scalar output k.
func (b *genBody) result(k int) string { return b.scalar(b.p.outNode[k]) }

// store writes the vector node i into dst.
func (b *genBody) store(dst genRef, i int32) {
	v := b.val(i)
	k := b.names.local("k")
	if v.ref == nil { // a fill
		b.printf("for %s := range %d {\n%s = %s\n}\n", k, dst.len, dst.at(k), v.s)
		return
	}
	d, ok1 := dst.slice()
	s, ok2 := v.ref.slice()
	if ok1 && ok2 {
		b.printf("copy(%s, %s)\n", d, s)
		return
	}
	b.printf("for %s := range %d {\n%s = %s\n}\n", k, dst.len, dst.at(k), v.ref.at(k))
}

// elementwise returns the Go expression of an elementwise instruction (or
// the elements a sumaxpy adds) over the operands xs.
func (b *genBody) elementwise(in *instr, xs []string) string {
	c := b.file.float(in.c)
	switch in.merge {
	case mergeAxpy, mergeSumAxpy:
		switch in.c {
		case 1:
			return fmt.Sprintf("%s + %s", xs[0], xs[1])
		case -1:
			return fmt.Sprintf("%s - %s", xs[0], xs[1])
		}
		return fmt.Sprintf("%s + %s*%s", xs[0], c, xs[1])
	case mergeAxpySq, mergeSumAxpySq:
		switch in.c {
		case 1:
			return fmt.Sprintf("%s + %s*%s", xs[0], xs[1], xs[1])
		case -1:
			return fmt.Sprintf("%s - %s*%s", xs[0], xs[1], xs[1])
		}
		return fmt.Sprintf("%s + %s*(%s * %s)", xs[0], c, xs[1], xs[1])
	case mergeSq:
		return fmt.Sprintf("%s * (%s * %s)", c, xs[0], xs[0])
	case mergeScaled:
		return fmt.Sprintf("%s * (%s)", c, b.form(in.mop, in.argIDs, xs))
	}
	return b.form(b.node(in.node).op, in.argIDs, xs)
}

// form fills op's generated form with the operands xs of nodes args.
func (b *genBody) form(op Op, args []int32, xs []string) string {
	f := &ops[op].gen
	t := f.expr
	if f.byConst != nil && len(args) == 2 {
		if c, ok := b.constScalar(args[1]); ok {
			t = f.byConst(c)
		}
	}
	if f.helper != "" && strings.Contains(t, "%[3]s") {
		b.file.helper(op)
	}
	x := append(xs, "", "")[:2]
	return fmt.Sprintf(t, x[0], x[1], b.file.prefix)
}

// constScalar reports the value of node i when it is a scalar constant.
func (b *genBody) constScalar(i int32) (float64, bool) {
	nd := b.node(i)
	return nd.val, nd.op == OpConst && nd.shape.IsScalar()
}

// single writes an instruction outside any loop.
func (b *genBody) single(in *instr) {
	if b.matrixOp(in) || b.indexOp(in) {
		return
	}
	i := in.node
	nd := b.node(i)
	args := in.argIDs
	switch nd.op {
	case OpSlice:
		r := b.ref(args[0]).sub(nd.p[0], nd.p[1], nd.p[2])
		b.vals[i] = genVal{ref: &r}
		return
	case OpIndex:
		t := b.temp(i)
		b.printf("%s := %s\n", t, b.ref(args[0]).atConst(nd.p[0]))
		b.vals[i] = genVal{s: t}
		return
	case OpFill:
		s := b.scalar(args[0])
		if !b.mat[i] {
			b.vals[i] = genVal{s: s}
			return
		}
		h := b.buffer(i)
		k := b.names.local("k")
		b.printf("for %s := range %d {\n%s = %s\n}\n", k, h.len, h.at(k), s)
		b.vals[i] = genVal{ref: &h}
		return
	case OpConcat:
		h := b.buffer(i)
		off := 0
		for _, a := range args {
			s := b.node(a).shape
			if s.IsScalar() {
				b.printf("%s = %s\n", h.atConst(off), b.scalar(a))
			} else {
				b.store(h.sub(off, 1, s.Len()), a)
			}
			off += s.Len()
		}
		b.vals[i] = genVal{ref: &h}
		return
	case OpScatter: // of a scalar
		h := b.buffer(i)
		b.printf("clear(%s)\n", must2(h.slice()))
		b.printf("%s = %s\n", h.atConst(nd.p[0]), b.scalar(args[0]))
		b.vals[i] = genVal{ref: &h}
		return
	case OpScatterAdd: // of a scalar
		h := b.scatterAddHome(in)
		b.printf("%s += %s\n", h.atConst(nd.p[0]), b.scalar(args[1]))
		b.vals[i] = genVal{ref: &h}
		return
	case OpCumsum:
		h, a := b.buffer(i), b.ref(args[0])
		k, t := b.names.local("k"), b.names.local("t")
		b.printf("{\n%[1]s := 0.0\nfor %[2]s := range %[3]d {\n%[1]s += %[4]s\n%[5]s = %[1]s\n}\n}\n", t, k, h.len, a.at(k), h.at(k))
		b.vals[i] = genVal{ref: &h}
		return
	case OpLogSumExp:
		t, a := b.temp(i), b.ref(args[0])
		k, s := b.names.local("k"), b.names.local("s")
		x := a.at(k)
		b.printf("%[1]s := math.Inf(-1)\nfor %[2]s := range %[3]d {\nif %[4]s > %[1]s || %[4]s != %[4]s {\n%[1]s = %[4]s\n}\n}\n", t, k, a.len, x)
		b.printf("if !math.IsInf(%[1]s, 0) && %[1]s == %[1]s {\n%[2]s := 0.0\nfor %[3]s := range %[4]d {\n%[2]s += math.Exp(%[5]s - %[1]s)\n}\n%[1]s += math.Log(%[2]s)\n}\n", t, s, k, a.len, x)
		b.vals[i] = genVal{s: t}
		return
	}
	// A scalar elementwise operation.
	xs := make([]string, len(args))
	for k, a := range args {
		xs[k] = b.scalar(a)
	}
	t := b.temp(i)
	b.printf("%s := %s\n", t, b.elementwise(in, xs))
	b.vals[i] = genVal{s: t}
}

// scatterAddHome returns the memory a scatteradd writes: its base's, or its
// own with the base copied in.
func (b *genBody) scatterAddHome(in *instr) genRef {
	if b.shared[in.node] {
		h := b.home[in.argIDs[0]]
		b.home[in.node] = h
		return h
	}
	h := b.buffer(in.node)
	b.store(h, in.argIDs[0])
	return h
}

// loop writes a loop over the elements of its instructions' vectors.
func (b *genBody) loop(it genItem) {
	k := b.names.local("k")
	temps := map[int32]string{}
	elem := func(a int32) string {
		if t, ok := temps[a]; ok {
			return t
		}
		v := b.val(a)
		if v.ref == nil {
			return v.s
		}
		return v.ref.at(k)
	}
	var body strings.Builder
	for _, in := range it.code {
		i := in.node
		nd := b.node(i)
		args := in.argIDs
		switch {
		case nd.op == OpBroadcast:
			// Element k of a row repeated is element k%n of the row, of
			// a column repeated element k/n of the column: read where
			// it is, stored only when something outside the loop reads
			// it.
			n, x := nd.shape.Dim(1), b.ref(args[0])
			at := x.at(fmt.Sprintf("%s%%%d", k, n))
			if s := b.node(args[0]).shape; s.Rank() == 2 && s.Dim(1) == 1 {
				at = x.at(fmt.Sprintf("%s/%d", k, n))
			}
			temps[i] = at
			if b.mat[i] {
				t, h := b.temp(i), b.buffer(i)
				fmt.Fprintf(&body, "%s := %s\n%s = %s\n", t, at, h.at(k), t)
				temps[i] = t
				b.vals[i] = genVal{ref: &h}
			}
		case nd.op == OpScatter:
			h := b.buffer(i)
			b.printf("clear(%s)\n", must2(h.slice()))
			fmt.Fprintf(&body, "%s += %s\n", h.sub(nd.p[0], nd.p[1], nd.p[2]).at(k), elem(args[0]))
			b.vals[i] = genVal{ref: &h}
		case nd.op == OpScatterAdd:
			h := b.scatterAddHome(in)
			fmt.Fprintf(&body, "%s += %s\n", h.sub(nd.p[0], nd.p[1], b.node(args[1]).shape.Len()).at(k), elem(args[1]))
			b.vals[i] = genVal{ref: &h}
		case nd.shape.IsScalar(): // a reduction
			t := b.temp(i)
			xs := make([]string, len(args))
			for j, a := range args {
				xs[j] = elem(a)
			}
			step := ops[nd.op].gen.step
			if in.merge == mergeSumAxpy || in.merge == mergeSumAxpySq {
				xs = []string{b.elementwise(in, xs)}
				step = ops[OpSum].gen.step
			}
			b.printf("%s := %s\n", t, ops[nd.op].gen.init)
			fmt.Fprintf(&body, step+"\n", append([]any{t}, toAny(xs)...)...)
			b.vals[i] = genVal{s: t}
		default:
			xs := make([]string, len(args))
			for j, a := range args {
				xs[j] = elem(a)
			}
			t := b.temp(i)
			fmt.Fprintf(&body, "%s := %s\n", t, b.elementwise(in, xs))
			temps[i] = t
			if b.mat[i] {
				h := b.buffer(i)
				fmt.Fprintf(&body, "%s = %s\n", h.at(k), t)
				b.vals[i] = genVal{ref: &h}
			}
		}
	}
	if regexp.MustCompile(`\b` + k + `\b`).MatchString(body.String()) {
		b.printf("for %s := range %d {\n%s}\n", k, it.n, body.String())
	} else { // every operand is a broadcast scalar
		b.printf("for range %d {\n%s}\n", it.n, body.String())
	}
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// must2 returns the slice expression of memory that is known to be
// consecutive: buffers and outputs.
func must2(s string, ok bool) string {
	if !ok {
		panic("gen: memory that is not consecutive")
	}
	return s
}

// genFloat writes v as a Go expression of type float64 wherever an operand
// of float64 arithmetic stands.
func genFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "math.NaN()"
	case math.IsInf(v, 1):
		return "math.Inf(1)"
	case math.IsInf(v, -1):
		return "math.Inf(-1)"
	case v == 0 && math.Signbit(v):
		return "math.Copysign(0, -1)"
	case v < 0:
		return "(" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
