package ad

import (
	"runtime"
	"sync"
)

// blockLen is the number of elements a fused group computes at a time:
// small enough that a group's temporaries stay in cache.
const blockLen = 4096

// fusionOff compiles without fused groups; tests compare the two.
var fusionOff = false

// fusedGroup is a run of elementwise instructions (and sums and dot
// products of their results) over vectors of one length, executed a block
// at a time so that values used only inside the group never go to memory.
type fusedGroup struct {
	n        int     // vector length
	code     []instr // members, in order
	ext      []int32 // vector slots read or written in full, chunked per block
	internal []int32 // vector slots of values that live only inside the group
	acc      []int32 // scalar registers of the group's reductions
	reads    []int32 // nodes computed outside the group that it reads
	defs     []int32 // nodes it computes that are used after it
}

// fusible returns the vector length an instruction works on if it can be
// part of a fused group, or 0.
func (g *Graph) fusible(in *instr) int {
	nd := &g.nodes[in.node]
	switch {
	case ops[nd.op].kind == kindElementwise && !nd.shape.IsScalar():
		return nd.shape.Len()
	case in.acc != nil && !g.nodes[nd.args[0]].shape.IsScalar():
		return g.nodes[in.argIDs[0]].shape.Len()
	}
	return 0
}

// fuse groups runs of fusible instructions. Instructions that do not depend
// on an open group are moved before it, so that scalar work interleaved
// with vector work does not split groups. It marks the nodes that need no
// memory outside their group in internal.
func (g *Graph) fuse(code []instr, isOutput, internal []bool) []instr {
	out := make([]instr, 0, len(code))
	var group []instr
	var n int
	inGroup := map[int32]bool{}
	reduced := map[int32]bool{} // reductions of the open group
	flush := func() {
		if len(group) > 0 {
			out = append(out, g.closeGroup(group, n, code, isOutput, internal)...)
		}
		group, n = nil, 0
		clear(inGroup)
		clear(reduced)
	}
	for _, in := range code {
		dependsOnGroup, readsReduction := false, false
		for _, a := range in.argIDs {
			dependsOnGroup = dependsOnGroup || inGroup[a]
			readsReduction = readsReduction || reduced[a]
		}
		m := g.fusible(&in)
		switch {
		case !fusionOff && m > blockLen && (len(group) == 0 || m == n) && !readsReduction:
			group = append(group, in)
			n = m
			inGroup[in.node] = true
			if g.nodes[in.node].shape.IsScalar() {
				reduced[in.node] = true
			}
		case len(group) > 0 && !dependsOnGroup:
			out = append(out, in) // hoisted before the open group
		default:
			flush()
			out = append(out, in)
		}
	}
	flush()
	return out
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
	fg := &fusedGroup{n: n, code: group}
	seenSlot := map[int32]bool{}
	addExt := func(slot int32) {
		if !seenSlot[slot] {
			seenSlot[slot] = true
			fg.ext = append(fg.ext, slot)
		}
	}
	seenRead := map[int32]bool{}
	for k := range group {
		in := &fg.code[k]
		for j, a := range in.argIDs {
			if !member[a] && !seenRead[a] {
				seenRead[a] = true
				fg.reads = append(fg.reads, a)
			}
			if l := in.args[j]; l.vec && !member[a] {
				addExt(l.i)
			}
		}
		switch {
		case !in.dstLoc.vec:
			fg.acc = append(fg.acc, in.dst)
			fg.defs = append(fg.defs, in.node)
			in.kernel = in.acc
		case usedOutside[in.node] || isOutput[in.node]:
			fg.defs = append(fg.defs, in.node)
			addExt(in.dst)
		default:
			internal[in.node] = true
			fg.internal = append(fg.internal, in.dst)
		}
	}
	return []instr{{kernel: runFused, fused: fg, node: group[len(group)-1].node, dstLoc: group[len(group)-1].dstLoc}}
}

func runFused(ws *Workspace, in *instr) { ws.execFused(in.fused) }

// execFused runs a fused group one block at a time: every vector slot the
// group touches is pointed at the current block. Long groups are split in
// two halves, the second run by an idle lane goroutine when there is one;
// the split depends only on the length, so results do not depend on
// whether a lane was free.
func (ws *Workspace) execFused(fg *fusedGroup) { ws.execFusedChecked(fg, nil) }

// execFusedChecked is execFused that, when check is set, calls it after each
// member instruction with the offset of the current block.
func (ws *Workspace) execFusedChecked(fg *fusedGroup, check func(in *instr, offset int)) {
	for _, r := range fg.acc {
		ws.s[r] = 0
	}
	full := ws.full[:len(fg.ext)]
	for j, sl := range fg.ext {
		full[j] = ws.v[sl]
	}
	if fg.n < parallelLen || ws.lane == nil || check != nil {
		ws.runBlocks(fg, full, 0, fg.n, check)
	} else {
		half := (fg.n/2 + blockLen - 1) / blockLen * blockLen
		sub := ws.lane
		copy(sub.s, ws.s)
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
	}
	for j, sl := range fg.ext {
		ws.v[sl] = full[j]
	}
}

// runBlocks runs the group over elements lo to hi.
func (ws *Workspace) runBlocks(fg *fusedGroup, full [][]float64, lo, hi int, check func(*instr, int)) {
	for k := lo; k < hi; k += blockLen {
		m := min(blockLen, hi-k)
		for j, sl := range fg.ext {
			ws.v[sl] = full[j][k : k+m : k+m]
		}
		for j, sl := range fg.internal {
			ws.v[sl] = ws.blocks[j*blockLen : j*blockLen+m : j*blockLen+m]
		}
		for i := range fg.code {
			in := &fg.code[i]
			in.kernel(ws, in)
			if check != nil {
				check(in, k)
			}
		}
	}
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
