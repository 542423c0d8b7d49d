package ad

import (
	"math"
	"runtime"
	"slices"
	"sync"
)

// blockLen is the number of elements whose part of a reduction a fused
// group sums on its own before adding it to the total, as sum does with
// four accumulators; long groups split across lanes at a block boundary.
// It fixes the order of the additions, and so the results.
const blockLen = 4096

// tileLen is the number of elements a fused group computes at a time:
// small enough that a group's temporaries stay in the first-level cache.
// It divides blockLen, and is a multiple of four, so that the tiles of a
// block sum in the order the whole block would.
const tileLen = 256

// fusionOff compiles without fused groups; tests compare the two.
var fusionOff = false

// fusedGroup is a run of elementwise instructions (and sums and dot
// products of their results) over vectors of one length, executed a tile
// at a time so that values used only inside the group never go to memory.
// Scatters of the group's vectors into longer ones (the adjoints of
// slices) are members too: they add each tile into their destination,
// so that neither the scattered vector nor a copy of it is ever whole.
// A matrix is a vector of its elements: broadcasts of a row or a column
// write a tile of the matrix (so that one read only by the group is never
// whole), and reductions along an axis add each tile to their value.
type fusedGroup struct {
	n        int     // vector length
	code     []instr // members, in order
	ext      []int32 // vector slots read or written in full, chunked per tile
	internal []int32 // vector slots of values that live only inside the group
	acc      []int32 // scalar registers of the group's reductions
	parts    int     // the sets of four sums its members keep in Workspace.parts
	reads    []int32 // nodes computed outside the group that it reads
	defs     []int32 // nodes it computes that are used after it
	rows     []int32 // vector slots its broadcasts read whole
	views    []view  // its reshapes read after it, pointed at their arguments' whole values
	// whole is set when the group reduces along an axis: it runs in one
	// piece, since its halves would add a column's elements in another
	// order. late marks those members of code, whose values are complete
	// only after the last tile, for checked runs.
	whole bool
	late  []bool
	// work is how much of the workspace's scratch space its argmins and
	// argmaxes keep their extremes so far in.
	work int
	// dests are the vectors scatters add into, and windows says, for
	// each member that adds into one, where (nil when none does).
	dests   []groupDest
	windows []groupWindow
	// fast and fastWindows are code and windows as unchecked runs go
	// through them (fastCode).
	fast        []instr
	fastWindows []groupWindow
	// outs are the program's outputs the group computes, which it checks
	// for NaN and infinities a tile at a time when a checked run asks it
	// to (checkOuts), while they are in the cache.
	outs []groupOut
}

// A groupOut is an output a fused group computes: its index in ext, and
// its index in dests when scatters add into it, or -1.
type groupOut struct {
	node      int32
	ext, dest int
}

// A view is a reshape in a fused group that later instructions read: once
// the group is done, slot dst is pointed at the whole of slot src.
type view struct{ dst, src int32 }

// A groupDest is a vector the group's scatters add into: a scatter and the
// scatteradds that add to it in place. Each member adds its tile to the
// window that starts its offset past the tile's first element, but for
// the copier, the member of greatest offset, which runs first and copies
// its tile: no element of its window has been touched yet. The elements
// before its first window are set to zero first, and those after its last
// window at the end: -0 where the scatter puts its elements (since -0 + v
// is v, bit for bit) and +0 around them, so that every element is what
// the scatter and scatteradds would leave. Where the scatter puts nothing,
// the copier adds its tile to +0.
type groupDest struct {
	ext    int // its index in ext
	lo, hi int // the least and greatest offset of a window, the copier's
	neg    int // the offset of the scatter's own elements, which start at -0
}

// A groupWindow is where a member adds into its destination.
type groupWindow struct {
	dest   int // index in dests, or -1 for a member that is not a scatter
	off    int
	copies bool // the member copies rather than adds: the chain's copier
}

// minFuseLen is the shortest vector length that is fused: below it a
// group's bookkeeping costs more than the passes it saves.
const minFuseLen = 256

// fusible returns the vector length an instruction works on if it can be
// part of a fused group, or 0.
func (g *Graph) fusible(in *instr) int {
	nd := &g.nodes[in.node]
	switch {
	case in.merge == mergeMatMulRow:
		return 0
	case ops[nd.op].kind == kindElementwise && !nd.shape.IsScalar():
		return nd.shape.Len()
	case in.acc != nil && !g.nodes[nd.args[0]].shape.IsScalar():
		return g.nodes[in.argIDs[0]].shape.Len()
	case nd.op == OpBroadcast:
		return nd.shape.Len()
	case g.alongAxis(in.node):
		return g.nodes[in.argIDs[0]].shape.Len()
	}
	return 0
}

// alongAxis reports whether node i is a reduction of a matrix along an
// axis that a fused group can compute a tile at a time.
func (g *Graph) alongAxis(i int32) bool {
	nd := &g.nodes[i]
	switch nd.op {
	case OpSumAxis, OpMinAxis, OpMaxAxis, OpArgMin, OpArgMax:
		return g.nodes[nd.args[0]].shape.Rank() == 2
	}
	return false
}

// broadcastsRow reports whether in, a member of a fused group, is a
// broadcast of a row, which broadcastRowsTile computes.
func (g *Graph) broadcastsRow(in *instr) bool {
	nd := &g.nodes[in.node]
	return nd.op == OpBroadcast && g.nodes[nd.args[0]].shape.dimFromEnd(1) != 1
}

// tiled gives a broadcast or a reduction along an axis, a member of fg,
// its kernel for a tile; internal says that only the group reads its value.
func (g *Graph) tiled(fg *fusedGroup, in *instr, internal bool) {
	nd := &g.nodes[in.node]
	switch nd.op {
	case OpBroadcast:
		in.kernel = broadcastColsTile
		if g.broadcastsRow(in) {
			in.kernel = broadcastRowsTile
			if internal {
				in.kernel = broadcastRowsViewTile
			}
		}
	case OpSumAxis:
		in.kernel, in.p2 = sumAxisTile, 4*fg.parts
		fg.parts++
	case OpMinAxis:
		in.kernel = minAxisTile
	case OpMaxAxis:
		in.kernel = maxAxisTile
	case OpArgMin, OpArgMax:
		in.kernel, in.p2 = argMinTile, fg.work
		if nd.op == OpArgMax {
			in.kernel = argMaxTile
		}
		fg.work += nd.shape.Len()
	}
}

// fuse groups runs of fusible instructions. Instructions that do not depend
// on an open group are moved before it, and those that cannot join it but
// depend on it, such as the scaling of a loss summed in it, after it, so
// that scalar work interleaved with vector work does not split groups: the
// reverse pass over a vector then runs in the pass that computed the
// forward value from it. The instructions moved before a group are grouped
// in turn, so that a group waiting for more of its length does not keep
// vectors of another length apart. It marks the nodes that need no memory
// outside their group in internal.
func (g *Graph) fuse(code []instr, isOutput, internal []bool) []instr {
	uses := map[int32]int{}
	for _, in := range code {
		for _, a := range in.argIDs {
			uses[a]++
		}
	}
	return g.fuseRun(code, code, uses, isOutput, internal)
}

// fuseRun is fuse for run, the whole program or the part of it that was
// moved before a group, in order; all is the whole program, and uses
// counts the reads of each node in it.
func (g *Graph) fuseRun(run, all []instr, uses map[int32]int, isOutput, internal []bool) []instr {
	out := make([]instr, 0, len(run))
	var group []instr
	var n int
	inGroup := map[int32]bool{}
	reduced := map[int32]bool{}  // reductions and scatters of the open group
	offsets := map[int32][]int{} // the window offsets of each scatter chain, by its last member
	var before, after []instr    // instructions moved before and after the open group
	isAfter := map[int32]bool{}
	flush := func() {
		if len(before) > 0 {
			out = append(out, g.fuseRun(before, all, uses, isOutput, internal)...)
		}
		if len(group) > 0 {
			out = append(out, g.closeGroup(group, n, all, isOutput, internal)...)
		}
		out = append(out, after...)
		group, n, before, after = nil, 0, nil, nil
		clear(isAfter)
		clear(inGroup)
		clear(reduced)
		clear(offsets)
	}
	join := func(in instr, m int) {
		group = append(group, in)
		n = m
		inGroup[in.node] = true
		if g.nodes[in.node].shape.IsScalar() || g.alongAxis(in.node) {
			reduced[in.node] = true
		}
	}
	for _, in := range run {
		dependsOnGroup, readsReduction, readsAfter := false, false, false
		for _, a := range in.argIDs {
			dependsOnGroup = dependsOnGroup || inGroup[a]
			readsReduction = readsReduction || reduced[a]
			readsAfter = readsAfter || isAfter[a]
		}
		m := g.fusible(&in)
		switch {
		case !fusionOff && m >= minFuseLen && (len(group) == 0 || m == n) && !readsReduction && !readsAfter:
			join(in, m)
		case !fusionOff && len(group) > 0 && !readsReduction && !readsAfter && g.reshapesMember(&in, n, inGroup):
			join(in, n)
		case !fusionOff && len(group) > 0 && !readsAfter && g.scattersInto(&in, n, uses, isOutput, reduced, offsets):
			join(in, n)
			reduced[in.node] = true
		case !fusionOff && m >= minFuseLen && len(after) > 0:
			// A vector that cannot join starts a group of its own, which
			// it could not do hoisted, and the work that waits for the
			// open group runs before it.
			flush()
			join(in, m)
		case len(group) > 0 && !dependsOnGroup && !readsAfter:
			before = append(before, in)
		case !fusionOff && len(group) > 0 && m == 0:
			after = append(after, in)
			isAfter[in.node] = true
		default:
			flush()
			out = append(out, in)
		}
	}
	flush()
	return out
}

// reshapeFuseLen is the shortest vector length at which reshapes join
// fused groups: 512 KiB. Shorter values stay in the second-level cache
// between passes, and there a longer group costs more in bookkeeping per
// tile than the pass it saves.
const reshapeFuseLen = 1 << 16

// reshapesMember reports whether in is a reshape of a vector of n elements,
// at least reshapeFuseLen, that a member of the group computes. Inside the
// group it is the member's tile under another name (viewTileK), so that a
// run of elementwise work and reductions goes on through a change of
// shape, as z² reshaped and summed along an axis does, or a broadcast
// reshaped and multiplied.
func (g *Graph) reshapesMember(in *instr, n int, inGroup map[int32]bool) bool {
	nd := &g.nodes[in.node]
	return n >= reshapeFuseLen && nd.op == OpReshape && nd.shape.Len() == n && inGroup[nd.args[0]]
}

// scattersInto reports whether in is a scatter that can join a group of
// length n: a scatter, with step 1, of a vector of n elements the group
// can read, or a scatteradd of one into a scatter of the group that
// nothing else reads. It records the chain's window offsets. A chain joins
// only while no element receives more than two of its vectors: two terms
// and a zero add up to the same number in either order, three may not,
// and tiles add in a different order than the instructions would.
func (g *Graph) scattersInto(in *instr, n int, uses map[int32]int, isOutput []bool, reduced map[int32]bool, offsets map[int32][]int) bool {
	nd := &g.nodes[in.node]
	v := len(in.argIDs) - 1
	if (nd.op != OpScatter && nd.op != OpScatterAdd) || nd.p[1] != 1 || !in.args[v].vec ||
		g.nodes[in.argIDs[v]].shape.Len() != n || reduced[in.argIDs[v]] {
		return false
	}
	off := offset(g, in)
	if nd.op == OpScatter {
		offsets[in.node] = []int{off}
		return true
	}
	base := in.argIDs[0]
	chain, ok := offsets[base]
	if !ok || uses[base] != 1 || isOutput[base] {
		return false
	}
	chain = append(slices.Clone(chain), off)
	slices.Sort(chain)
	for i := 2; i < len(chain); i++ {
		if chain[i]-chain[i-2] < n {
			return false
		}
	}
	delete(offsets, base)
	offsets[in.node] = chain
	return true
}

// closeGroup turns a run of fusible instructions into one fused
// instruction, or leaves a lone instruction as it is.
func (g *Graph) closeGroup(group []instr, n int, code []instr, isOutput, internal []bool) []instr {
	if len(group) < 2 {
		return group
	}
	member := map[int32]bool{}
	for _, in := range group {
		member[in.node] = true
	}
	usedOutside := map[int32]bool{}
	for _, in := range code {
		if member[in.node] {
			continue
		}
		for _, a := range in.argIDs {
			usedOutside[a] = true
		}
	}
	// A reshape read after the group is a view of its argument, which the
	// group then keeps whole.
	for _, in := range group {
		if g.nodes[in.node].op == OpReshape && (usedOutside[in.node] || isOutput[in.node]) {
			usedOutside[in.argIDs[0]] = true
		}
	}
	fg := &fusedGroup{n: n, code: group}
	seenSlot := map[int32]bool{}
	addExt := func(slot int32) {
		if !seenSlot[slot] {
			seenSlot[slot] = true
			fg.ext = append(fg.ext, slot)
		}
	}
	// A scatter chain lives in the slot of its last member, which later
	// instructions read. Its members all run where that one did, the one
	// with the greatest offset first: it copies its vector into the
	// destination, and the others add theirs to it.
	chain := map[int32]int{} // member node → its destination
	var tails []loc          // each destination's slot
	var members [][]instr    // each destination's members, the copier first
	for _, in := range group {
		switch g.nodes[in.node].op {
		case OpScatter:
			chain[in.node] = len(tails)
			tails = append(tails, in.dstLoc)
			members = append(members, []instr{in})
		case OpScatterAdd:
			d := chain[in.argIDs[0]]
			chain[in.node] = d
			tails[d] = in.dstLoc
			if offset(g, &in) > offset(g, &members[d][0]) {
				members[d] = slices.Insert(members[d], 0, in)
			} else {
				members[d] = append(members[d], in)
			}
		}
	}
	if len(tails) > 0 {
		code := make([]instr, 0, len(group))
		for _, in := range group {
			if d, ok := chain[in.node]; !ok {
				code = append(code, in)
			} else if in.dstLoc == tails[d] {
				code = append(code, members[d]...)
			}
		}
		fg.code = code
		fg.windows = make([]groupWindow, len(code))
		for _, t := range tails {
			addExt(t.i)
			fg.dests = append(fg.dests, groupDest{ext: len(fg.ext) - 1, lo: math.MaxInt, hi: math.MinInt})
		}
	}
	seenRead := map[int32]bool{}
	for k := range fg.code {
		in := &fg.code[k]
		for j, a := range in.argIDs {
			if !member[a] && !seenRead[a] {
				seenRead[a] = true
				fg.reads = append(fg.reads, a)
			}
			// A broadcast reads its row or column whole.
			switch l := in.args[j]; {
			case !l.vec || member[a]:
			case g.nodes[in.node].op == OpBroadcast:
				fg.rows = append(fg.rows, l.i)
			default:
				addExt(l.i)
			}
		}
		if fg.windows != nil {
			fg.windows[k].dest = -1
		}
		switch d, scatters := chain[in.node]; {
		case scatters:
			if in.dstLoc == tails[d] {
				fg.defs = append(fg.defs, in.node)
				if isOutput[in.node] {
					fg.outs = append(fg.outs, groupOut{node: in.node, ext: fg.dests[d].ext, dest: d})
				}
			}
			g.addsInto(fg, k, d, tails[d], in.node == members[d][0].node)
		case g.nodes[in.node].op == OpReshape:
			in.kernel = viewTileK
			if usedOutside[in.node] || isOutput[in.node] {
				fg.defs = append(fg.defs, in.node)
				fg.views = append(fg.views, view{dst: in.dst, src: in.a})
			} else {
				internal[in.node] = true // its tile is its argument's: it takes no buffer
			}
		case g.alongAxis(in.node):
			g.tiled(fg, in, false)
			if !fg.whole {
				fg.whole, fg.late = true, make([]bool, len(fg.code))
			}
			fg.late[k] = true
			fg.defs = append(fg.defs, in.node)
		case !in.dstLoc.vec:
			// p2 says where the reduction keeps the four sums of its
			// block's part (Workspace.parts).
			in.kernel, in.p2 = in.acc, 4*fg.parts
			fg.parts++
			fg.acc = append(fg.acc, in.dst)
			fg.defs = append(fg.defs, in.node)
		case usedOutside[in.node] || isOutput[in.node]:
			fg.defs = append(fg.defs, in.node)
			addExt(in.dst)
			if isOutput[in.node] {
				fg.outs = append(fg.outs, groupOut{node: in.node, ext: slices.Index(fg.ext, in.dst), dest: -1})
			}
		default:
			internal[in.node] = true
			fg.internal = append(fg.internal, in.dst)
		}
		if g.nodes[in.node].op == OpBroadcast {
			g.tiled(fg, in, internal[in.node])
		}
	}
	fg.fast, fg.fastWindows = g.fastCode(fg, internal)
	return []instr{{kernel: runFused, fused: fg, node: group[len(group)-1].node, dstLoc: group[len(group)-1].dstLoc, work: fg.work}}
}

// fastCode returns the members of fg as unchecked runs go through them,
// with pairs and triples of members that one kernel can compute in one
// pass merged: a member that adds into a destination a sum or difference
// a ± c·b made for it alone adds a ± c·b itself, and takes in turn a
// product s·a of a vector and a scalar register and a scaled product or
// sum k·(b₁ op b₂) that only that sum reads; the chain's copier copies a
// product s·a made for it alone as it computes it; a sum of a + c·b²
// computes a scaled square a = k·x² itself; and a sum along the columns
// of x², or of x² reshaped, squares x itself. Each merged kernel does the
// same operations in the same order as the members did, so the results
// are the same to the bit. Checked runs go through every member, so that
// the node named is the one that went non-finite.
func (g *Graph) fastCode(fg *fusedGroup, internal []bool) ([]instr, []groupWindow) {
	uses := map[int32]int{}
	at := map[int32]int{}
	for k, in := range fg.code {
		at[in.node] = k
		for _, a := range in.argIDs {
			uses[a]++
		}
	}
	code := slices.Clone(fg.code)
	drop := map[int]bool{}
	// only returns the member that computes node v if v is made for one
	// reader inside the group and kept nowhere else.
	only := func(v int32) (*instr, int, bool) {
		j, ok := at[v]
		if !ok || uses[v] != 1 || !internal[v] || drop[j] {
			return nil, 0, false
		}
		return &fg.code[j], j, true
	}
	// scaledVec reports whether s is s·a, a vector times a scalar
	// register, which mulVS computes with a in s.a and the scalar in s.b.
	scaledVec := func(s *instr) bool {
		return g.nodes[s.node].op == OpMul && s.merge == mergeNone && len(s.args) == 2 && s.args[0].vec != s.args[1].vec
	}
	for k := range code {
		in := &code[k]
		if !in.dstLoc.vec {
			// Σ k·x² + c·b², or Σ x², the square made for the sum alone.
			s, j, ok := only(in.argIDs[0])
			switch {
			case !ok:
			case in.merge == mergeSumAxpySq && s.merge == mergeSq:
				in.kernel, in.c2, in.p0 = sumSqAxpySqAcc, s.c, int(s.a)
				drop[j] = true
			case in.merge == mergeNone && g.nodes[in.node].op == OpSum && s.merge == mergeNone &&
				g.nodes[s.node].op == OpPow && g.isConst(s.argIDs[1], 2) && s.args[0].vec:
				in.kernel, in.a = sumSqAcc, s.a
				drop[j] = true
			}
			continue
		}
		if g.nodes[in.node].op == OpSumAxis && in.p1 > 1 {
			// Σ x² down the columns, the square made for the sum alone,
			// maybe reshaped on the way.
			s, j, ok := only(in.argIDs[0])
			r := -1
			if ok && g.nodes[s.node].op == OpReshape {
				r = j
				s, j, ok = only(s.argIDs[0])
			}
			if ok && s.merge == mergeNone && g.nodes[s.node].op == OpPow && g.isConst(s.argIDs[1], 2) && s.args[0].vec {
				in.kernel, in.a = sumSqAxisTile, s.a
				drop[j] = true
				if r >= 0 {
					drop[r] = true
				}
			}
			continue
		}
		if fg.windows == nil {
			continue
		}
		w := fg.windows[k]
		if w.dest < 0 {
			continue
		}
		s, j, ok := only(in.argIDs[len(in.argIDs)-1])
		if !ok {
			continue
		}
		if w.copies {
			if scaledVec(s) {
				in.kernel, in.a, in.p0 = copyScaledTo, s.a, int(s.b)
				drop[j] = true
			}
			continue
		}
		if len(s.args) != 2 || !s.args[0].vec || !s.args[1].vec {
			continue
		}
		switch op := g.nodes[s.node].op; {
		case s.merge == mergeAxpy:
			in.c = s.c
		case s.merge == mergeNone && op == OpAdd:
			in.c = 1
		case s.merge == mergeNone && op == OpSub:
			in.c = -1
		default:
			continue
		}
		in.kernel, in.a, in.b = axpyTo, s.a, s.b
		drop[j] = true
		sa, ja, ok := only(s.argIDs[0])
		if !ok || !scaledVec(sa) {
			continue
		}
		// a·s + c·b; with c = ±1, c·(k·t) is (c·k)·t to the bit, and the
		// scaled term can be computed in place too.
		in.kernel, in.a, in.p0 = axpbyTo, sa.a, int(sa.b)
		drop[ja] = true
		sb, jb, ok := only(s.argIDs[1])
		if !ok || (in.c != 1 && in.c != -1) || sb.merge != mergeScaled || !sb.args[0].vec || !sb.args[1].vec {
			continue
		}
		switch sb.mop {
		case OpMul:
			in.kernel = axpbyMulTo
		case OpAdd:
			in.kernel = axpbyAddTo
		default:
			continue
		}
		in.c *= sb.c
		in.b, in.p1 = sb.a, int(sb.b)
		drop[jb] = true
	}
	colSums := map[int]bool{}
	// Then members that stay take in a value made for them alone: a
	// product (a + c·b²)·e or a·((s − b)·(b + s')), a sum or difference
	// of a and a broadcast row or column, and a sum or difference
	// a ± k·(b·e).
	for k := range code {
		in := &code[k]
		if drop[k] || in.merge != mergeNone || !in.dstLoc.vec || len(in.args) != 2 || !in.args[0].vec || !in.args[1].vec {
			continue
		}
		switch op := g.nodes[in.node].op; op {
		case OpMul:
			if dropped := g.mergeDiffSum(in, only); dropped != nil {
				for _, j := range dropped {
					drop[j] = true
				}
				break
			}
			for i, v := range in.argIDs {
				s, j, ok := only(v)
				if !ok || s.merge != mergeAxpySq || !s.args[0].vec || !s.args[1].vec {
					continue
				}
				in.kernel, in.a, in.b, in.p1, in.c = axpySqMul, s.a, s.b, int(in.args[1-i].i), s.c
				drop[j] = true
				break
			}
		case OpAdd, OpSub:
			if j, row, ok := g.sumBroadcast(in, op, only); ok {
				drop[j] = true
				if !row {
					colSums[k] = true
				}
				break
			}
			for i, v := range in.argIDs {
				if i == 0 && op == OpSub {
					continue // a difference k·(b·e) − a is not a ± k·(b·e)
				}
				s, j, ok := only(v)
				if !ok || s.merge != mergeScaled || s.mop != OpMul || !s.args[0].vec || !s.args[1].vec {
					continue
				}
				in.c = s.c
				if op == OpSub {
					in.c = -s.c // −(k·t) is (−k)·t to the bit
				}
				in.kernel, in.a, in.b, in.p1 = axpyMul, in.args[1-i].i, s.a, int(s.b)
				drop[j] = true
				break
			}
		}
	}
	// An argmin or argmax along the columns of such a sum or difference
	// with a column, made for it alone, computes each element as it
	// compares it (argColTile).
	for k := range code {
		in := &code[k]
		op := g.nodes[in.node].op
		if drop[k] || op != OpArgMin && op != OpArgMax || in.p1 == 1 {
			continue
		}
		_, j, ok := only(in.argIDs[0])
		if !ok || !colSums[j] {
			continue
		}
		s := &code[j]
		in.kernel, in.a, in.b, in.c, in.c2 = argMinColTile, s.a, s.b, 1, 1
		if op == OpArgMax {
			in.kernel = argMaxColTile
		}
		switch {
		case s.p0 == 1:
			in.c = -1 // c − x is c + (−x)
		case g.nodes[s.node].op == OpSub:
			in.c2 = -1 // x − c is x + (−c)
		}
		drop[j] = true
	}
	// softplus(x) and σ(x), its derivative, both take e^−|x|: the first of
	// the two members computes both, with one exponential.
	first := map[int32]int{} // a softplus or σ member by its argument
	for k := range code {
		in := &code[k]
		op := g.nodes[in.node].op
		if drop[k] || in.merge != mergeNone || !in.dstLoc.vec || op != OpSoftplus && op != OpSigmoid {
			continue
		}
		j, ok := first[in.argIDs[0]]
		if !ok {
			first[in.argIDs[0]] = k
			continue
		}
		if g.nodes[code[j].node].op == op {
			continue
		}
		sp, sg := code[j].dst, in.dst
		if op == OpSoftplus {
			sp, sg = sg, sp
		}
		code[j].kernel, code[j].dst, code[j].b = softplusSigmoidV, sp, sg
		drop[k] = true
		delete(first, in.argIDs[0])
	}
	if len(drop) == 0 {
		return fg.code, fg.windows
	}
	var fast []instr
	var windows []groupWindow
	for k := range code {
		if !drop[k] {
			fast = append(fast, code[k])
			if fg.windows != nil {
				windows = append(windows, fg.windows[k])
			}
		}
	}
	return fast, windows
}

// sumBroadcast makes in, a sum or difference of two vectors, read the
// row or column that one of its arguments broadcasts, if that broadcast
// is made for it alone, and returns the broadcast's index in the group.
func (g *Graph) sumBroadcast(in *instr, op Op, only func(int32) (*instr, int, bool)) (j int, row, ok bool) {
	for i, v := range in.argIDs {
		s, j, ok := only(v)
		if !ok || g.nodes[s.node].op != OpBroadcast {
			continue
		}
		switch row := g.broadcastsRow(s); {
		case op == OpAdd && row:
			in.kernel = addRowTile
		case op == OpAdd:
			in.kernel = addColTile
		case row:
			in.kernel = subRowTile
		default:
			in.kernel = subColTile
		}
		// p0 is 1 when the broadcast is the minuend.
		in.a, in.b, in.p0, in.p1 = in.args[1-i].i, s.a, 1-i, s.p1
		return j, g.broadcastsRow(s), true
	}
	return 0, false, false
}

// mergeDiffSum makes in, a product a·p, compute p = (s − b)·(b + s') itself
// (tanh's derivative, with s and s' scalar registers) when p and its two
// factors are made for it alone, as mulDiffSum; it returns the members it
// took the place of, or nil. only is fastCode's.
func (g *Graph) mergeDiffSum(in *instr, only func(int32) (*instr, int, bool)) []int {
	p, jp, ok := only(in.argIDs[1])
	if !ok || p.merge != mergeNone || g.nodes[p.node].op != OpMul || !p.args[0].vec || !p.args[1].vec {
		return nil
	}
	d, jd, okd := only(p.argIDs[0])
	u, ju, oku := only(p.argIDs[1])
	if !okd || !oku || d.merge != mergeNone || u.merge != mergeNone ||
		g.nodes[d.node].op != OpSub || d.args[0].vec || !d.args[1].vec || g.nodes[u.node].op != OpAdd {
		return nil
	}
	b := d.args[1]
	var s loc
	switch {
	case u.args[0] == b && !u.args[1].vec:
		s = u.args[1]
	case u.args[1] == b && !u.args[0].vec:
		s = u.args[0]
	default:
		return nil
	}
	in.kernel, in.b, in.p0, in.p1 = mulDiffSum, b.i, int(d.args[0].i), int(s.i)
	return []int{jp, jd, ju}
}

// addsInto makes member k of fg, a scatter or scatteradd of destination d,
// add its vector to its window of the destination, which lives in dst, or
// copy it there if it is the chain's copier.
func (g *Graph) addsInto(fg *fusedGroup, k, d int, dst loc, copier bool) {
	in := &fg.code[k]
	off := offset(g, in)
	v := len(in.args) - 1
	in.kernel, in.a, in.dst, in.dstLoc = addToK, in.args[v].i, dst.i, dst
	if copier {
		in.kernel = copyToK
	}
	if g.nodes[in.node].op == OpScatterAdd {
		in.args = slices.Clone(in.args)
		in.args[0] = dst // the base is the destination itself
	}
	fg.windows[k] = groupWindow{dest: d, off: off, copies: copier}
	dest := &fg.dests[d]
	dest.lo, dest.hi = min(dest.lo, off), max(dest.hi, off)
	if g.nodes[in.node].op == OpScatter {
		dest.neg = off
	}
}

// offset returns the element of a scatter's result where its vector's
// first element goes.
func offset(g *Graph, in *instr) int {
	nd := &g.nodes[in.node]
	return nd.p[0] * itemLen(nd.shape)
}

func runFused(ws *Workspace, in *instr) { ws.execFused(in.fused) }

// viewTileK is a reshape in a fused group: the tile of its argument.
func viewTileK(ws *Workspace, in *instr) { ws.v[in.dst] = ws.v[in.a] }

// execFused runs a fused group one tile at a time: every vector slot the
// group touches is pointed at the current tile. Long groups are split in
// two halves, the second run by an idle lane goroutine when there is one;
// the split depends only on the length, so results do not depend on
// whether a lane was free.
func (ws *Workspace) execFused(fg *fusedGroup) { ws.execFusedChecked(fg, nil) }

// execFusedChecked is execFused that, when check is set, calls it after each
// member instruction with the offset of the current tile in the member's
// value.
func (ws *Workspace) execFusedChecked(fg *fusedGroup, check func(in *instr, offset int)) {
	for _, r := range fg.acc {
		ws.s[r] = 0
	}
	full := ws.full[:len(fg.ext)]
	for j, sl := range fg.ext {
		full[j] = ws.v[sl]
	}
	if check != nil {
		// Checked, a group runs a whole block at a time, member by member,
		// as it did before tiles, so that the first value to go non-finite
		// is the same whatever the tile. That is on the way to an error:
		// the larger buffers can be allocated then.
		if len(ws.blocks) < len(fg.internal)*blockLen {
			ws.blocks = make([]float64, len(fg.internal)*blockLen)
		}
		ws.runBlocks(fg, full, 0, fg.n, check)
	} else if fg.n < parallelLen || ws.lane == nil || fg.whole {
		ws.runBlocks(fg, full, 0, fg.n, nil)
	} else {
		half := (fg.n/2 + blockLen - 1) / blockLen * blockLen
		sub := ws.lane
		copy(sub.s, ws.s)
		for _, sl := range fg.rows {
			sub.v[sl] = ws.v[sl]
		}
		t := laneTask{ws: sub, fg: fg, full: full, lo: half, hi: fg.n, done: &ws.wait}
		ws.wait.Add(1)
		select {
		case lanes <- t:
		default:
			t.run() // no idle lane: the caller does both halves
		}
		ws.runBlocks(fg, full, 0, half, nil)
		ws.wait.Wait()
		for _, r := range fg.acc {
			ws.s[r] += sub.s[r]
		}
		sub.addSeams(fg, full, half)
		if ws.checksOuts(fg) {
			if f := sub.s[ws.p.fin]; f != 1 {
				ws.s[ws.p.fin] = f
			}
			// The seams are the last elements of the outputs to be final.
			for _, o := range fg.outs {
				if o.dest >= 0 {
					d := fg.dests[o.dest]
					ws.checkOut(full[o.ext][half+d.lo : half+d.hi])
				}
			}
		}
	}
	for j, sl := range fg.ext {
		ws.v[sl] = full[j]
	}
	for _, v := range fg.views {
		ws.v[v.dst] = ws.v[v.src]
	}
}

// runBlocks runs the group over elements lo to hi, a tile at a time (a
// block, when it checks the members' values with check). The
// first tile of the second half (lo > 0) adds into its destinations
// through the seam: the elements the first half also adds to are summed
// apart, and addSeams adds them in when both halves are done.
func (ws *Workspace) runBlocks(fg *fusedGroup, full [][]float64, lo, hi int, check func(*instr, int)) {
	step, code, windows := tileLen, fg.fast, fg.fastWindows
	if check != nil {
		step, code, windows = blockLen, fg.code, fg.windows
	}
	checksOuts := check == nil && ws.checksOuts(fg)
	for k := lo; k < hi; k += step {
		m := min(step, hi-k)
		for j, sl := range fg.ext {
			ws.v[sl] = full[j][k : k+m : k+m]
		}
		for j, sl := range fg.internal {
			ws.v[sl] = ws.blocks[j*step : j*step+m : j*step+m]
		}
		ws.tile = k
		for _, d := range fg.dests {
			if k == 0 {
				d.zero(full[d.ext], 0, d.hi, fg.n)
			}
			if k+m == fg.n {
				d.zero(full[d.ext], fg.n+d.hi, len(full[d.ext]), fg.n)
			}
		}
		seam := k == lo && lo > 0 && fg.dests != nil
		if seam {
			for j, d := range fg.dests {
				negZeros(ws.seamOf(fg, j)[:d.hi-d.lo])
			}
		}
		endsBlock := (k+m)%blockLen == 0 || k+m == hi
		for i := range code {
			in := &code[i]
			off := k
			if windows != nil {
				if w := windows[i]; w.dest >= 0 {
					off += w.off
					if seam {
						s := ws.seamOf(fg, w.dest)[w.off-fg.dests[w.dest].lo:]
						ws.v[in.dst] = s[:m:m]
					} else {
						ws.v[in.dst] = full[fg.dests[w.dest].ext][off : off+m : off+m]
					}
				}
			}
			in.kernel(ws, in)
			if windows != nil && windows[i].copies {
				// Past the scatter's elements, the copy is +0 + v.
				d := &fg.dests[windows[i].dest]
				w := ws.v[in.dst]
				for j := max(fg.n+d.neg-k-d.hi, 0); j < m; j++ {
					w[j] += 0
				}
			}
			if endsBlock && !in.dstLoc.vec {
				// The block's part of a reduction is complete.
				t := (*[4]float64)(ws.parts[in.p2:])
				ws.s[in.dst] += fold(*t)
				*t = [4]float64{}
			}
			switch {
			case check == nil:
			case fg.late != nil && fg.late[i]:
				if k+m == hi {
					check(in, 0)
				}
			default:
				check(in, off)
			}
		}
		if seam {
			// The elements past the first half's reach are this half's.
			for j, d := range fg.dests {
				copy(full[d.ext][k+d.hi:k+m+d.hi], ws.seamOf(fg, j)[d.hi-d.lo:])
			}
		}
		if checksOuts {
			ws.checkOuts(fg, full, k, m, lo)
		}
	}
}

// checksOuts reports whether a checked run has asked fused groups to
// check their outputs (Program.RunChecked) and fg has some.
func (ws *Workspace) checksOuts(fg *fusedGroup) bool {
	return fg.outs != nil && ws.s[ws.p.fin] != 0
}

// checkOuts checks the elements of fg's outputs that the tile of m
// elements from k has made final, in a run over elements lo to the end.
// Those of a destination lag its first window's offset behind the tile;
// the first tile takes those before, the last those after, and, in the
// second half of a split group, the seam is left to execFusedChecked.
func (ws *Workspace) checkOuts(fg *fusedGroup, full [][]float64, k, m, lo int) {
	for _, o := range fg.outs {
		dst := full[o.ext]
		from, to := k, k+m
		if o.dest >= 0 {
			d := &fg.dests[o.dest]
			from, to = k+d.lo, k+m+d.lo
			if k == 0 {
				from = 0
			}
			if k+m == fg.n {
				to = len(dst)
			}
			if lo > 0 {
				from = max(from, lo+d.hi)
			}
		}
		if from < to {
			ws.checkOut(dst[from:to])
		}
	}
}

// checkOut sets the register fin to NaN if an element of v is not finite.
func (ws *Workspace) checkOut(v []float64) {
	if !allFinite(v) {
		ws.s[ws.p.fin] = math.NaN()
	}
}

// seamOf returns the part of the seam buffer for destination d: its
// elements from the first window's start in the half's first tile.
func (ws *Workspace) seamOf(fg *fusedGroup, d int) []float64 {
	at := 0
	for _, e := range fg.dests[:d] {
		at += tileLen + e.hi - e.lo
	}
	return ws.seam[at : at+tileLen+fg.dests[d].hi-fg.dests[d].lo]
}

// addSeams adds what the second half, starting at half, added to the
// elements of its destinations that the first half also adds to.
func (ws *Workspace) addSeams(fg *fusedGroup, full [][]float64, half int) {
	for j, d := range fg.dests {
		dst := full[d.ext][half+d.lo : half+d.hi]
		s := ws.seamOf(fg, j)
		for i := range dst {
			dst[i] += s[i]
		}
	}
}

// negZero is -0, the zero that adds to every number without changing a bit.
var negZero = math.Copysign(0, -1)

// zero sets elements from to to of the destination dst, a group of n
// elements, to -0 where its scatter puts elements and +0 elsewhere.
func (d groupDest) zero(dst []float64, from, to, n int) {
	a, b := max(from, d.neg), min(to, d.neg+n)
	if a >= b {
		clear(dst[from:to])
		return
	}
	clear(dst[from:a])
	negZeros(dst[a:b])
	clear(dst[b:to])
}

func negZeros(x []float64) {
	for i := range x {
		x[i] = negZero
	}
}

// seamLen is the length of the seam buffer a lane needs for fg.
func (fg *fusedGroup) seamLen() int {
	n := 0
	for _, d := range fg.dests {
		n += tileLen + d.hi - d.lo
	}
	return n
}

// parallelLen is the vector length from which fused groups run on two
// goroutines.
const parallelLen = 1 << 15

// A laneTask is half of a fused group, run by a lane goroutine.
type laneTask struct {
	ws     *Workspace
	fg     *fusedGroup
	full   [][]float64
	lo, hi int
	done   *sync.WaitGroup
}

func (t laneTask) run() {
	for _, r := range t.fg.acc {
		t.ws.s[r] = 0
	}
	t.ws.runBlocks(t.fg, t.full, t.lo, t.hi, nil)
	t.done.Done()
}

// lanes feeds the lane goroutines, started with the first workspace that
// can use them: one fewer than the CPUs, since the caller works too. With
// fewer Ps than that (GOMAXPROCS), a lane simply runs when the caller waits.
var (
	lanes     = make(chan laneTask)
	lanesOnce sync.Once
)

func startLanes() bool {
	n := runtime.NumCPU() - 1
	lanesOnce.Do(func() {
		for range n {
			go func() {
				for t := range lanes {
					t.run()
				}
			}()
		}
	})
	return n > 0
}
