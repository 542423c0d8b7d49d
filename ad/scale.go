package ad

// Derivative graphs are full of products with constants: 100·d², d − 400·e,
// 200·(a·b). Each is a pass over its vectors, which costs as much as the
// operation it scales, so the compiler merges a constant factor into the
// elementwise operation it scales, or into the sum that adds the scaled
// term, when nothing else reads the unscaled value.

// scaleMerge replaces the instruction of a node by a scaled kernel reading
// args; acc is its form in a fused group, for a reduction.
type scaleMerge struct {
	kernel, acc kernel
	c           float64
	args        []int32
	form        mergeForm
	op          Op  // the scaled op, for mergeScaled
	p1          int // the product's transpositions, for mergeMatMulRow
}

// mergeForm says what a merged instruction computes, for generated Go.
type mergeForm uint8

const (
	mergeNone      mergeForm = iota
	mergeAxpy                // a + c·b
	mergeSq                  // c·a²
	mergeSumAxpy             // Σ a + c·b
	mergeScaled              // c·(a op b)
	mergeAxpySq              // a + c·b²
	mergeSumAxpySq           // Σ a + c·b²
	mergeMatMulRow           // a @ b + a row broadcast over the rows
)

// mergeScales plans the merges for the needed nodes up to top: merged
// holds the new instructions by node, absorbed the nodes that no longer
// need one of their own.
func (g *Graph) mergeScales(need []bool, top int32, isOutput []bool) (merged map[int32]scaleMerge, absorbed []bool) {
	uses := make([]int, top+1)
	for i := int32(0); i <= top; i++ {
		if need[i] {
			for _, a := range g.nodes[i].args {
				uses[a]++
			}
		}
	}
	absorbed = make([]bool, top+1)
	merged = map[int32]scaleMerge{}
	// single reports whether node j is read once, by the node being merged,
	// so that merging it away loses nothing.
	// A node already merged is not absorbed in turn: its arguments may be
	// gone.
	single := func(j int32) bool {
		_, m := merged[j]
		return uses[j] == 1 && !isOutput[j] && !absorbed[j] && !m
	}
	isVec := func(j int32) bool { return !g.nodes[j].shape.IsScalar() }
	// scale returns c and x if node j is c·x with x a vector.
	scale := func(j int32) (float64, int32, bool) {
		nd := &g.nodes[j]
		if nd.op != OpMul || !isVec(j) || !isVec(nd.args[1]) {
			return 0, 0, false
		}
		c, ok := g.constant(nd.args[0])
		return c, nd.args[1], ok && g.nodes[nd.args[0]].shape.IsScalar()
	}
	// square returns x if node j is x² with x a vector, read only by the
	// node being merged.
	square := func(j int32) (int32, bool) {
		nd := &g.nodes[j]
		if nd.op != OpPow || !g.isConst(nd.args[1], 2) || !isVec(nd.args[0]) || !single(j) {
			return 0, false
		}
		return nd.args[0], true
	}
	// summed marks the nodes a sum reads, which merge into it rather than
	// the other way.
	summed := map[int32]bool{}
	for i := int32(0); i <= top; i++ {
		if need[i] && g.nodes[i].op == OpSum {
			summed[g.nodes[i].args[0]] = true
		}
	}
	for i := int32(0); i <= top; i++ {
		nd := &g.nodes[i]
		if need[i] && nd.op == OpSum && isVec(nd.args[0]) && single(nd.args[0]) {
			// sum(a ± b) and sum(a ± b²) are one pass.
			if x := &g.nodes[nd.args[0]]; (x.op == OpAdd || x.op == OpSub) && isVec(x.args[0]) && isVec(x.args[1]) {
				sign := 1.0
				if x.op == OpSub {
					sign = -1
				}
				if y, ok := square(x.args[1]); ok {
					merged[i] = scaleMerge{kernel: sumAxpySqK, acc: sumAxpySqAcc, c: sign, args: []int32{x.args[0], y}, form: mergeSumAxpySq}
					absorbed[x.args[1]] = true
				} else if y, ok := square(x.args[0]); ok && x.op == OpAdd {
					merged[i] = scaleMerge{kernel: sumAxpySqK, acc: sumAxpySqAcc, c: 1, args: []int32{x.args[1], y}, form: mergeSumAxpySq}
					absorbed[x.args[0]] = true
				} else {
					merged[i] = scaleMerge{kernel: sumAxpyK, acc: sumAxpyAcc, c: sign, args: x.args, form: mergeSumAxpy}
				}
				absorbed[nd.args[0]] = true
			}
			continue
		}
		if !need[i] || !isVec(i) || len(nd.args) != 2 {
			continue
		}
		a, b := nd.args[0], nd.args[1]
		switch nd.op {
		case OpAdd, OpSub:
			if m, ok := g.matmulRow(i, single); ok {
				merged[i] = m
				absorbed[a], absorbed[b] = true, true
				continue
			}
			// a ± c·x is one pass.
			if !isVec(a) || !isVec(b) {
				continue
			}
			if c, x, ok := scale(b); ok && single(b) {
				if nd.op == OpSub {
					c = -c
				}
				merged[i] = scaleMerge{kernel: axpy, c: c, args: []int32{a, x}, form: mergeAxpy}
				absorbed[b] = true
			} else if c, x, ok := scale(a); ok && single(a) && nd.op == OpAdd {
				merged[i] = scaleMerge{kernel: axpy, c: c, args: []int32{b, x}, form: mergeAxpy}
				absorbed[a] = true
			} else if summed[i] {
				continue
			} else if y, ok := square(b); ok {
				// a ± y² is one pass.
				c := 1.0
				if nd.op == OpSub {
					c = -1
				}
				merged[i] = scaleMerge{kernel: axpySq, c: c, args: []int32{a, y}, form: mergeAxpySq}
				absorbed[b] = true
			} else if y, ok := square(a); ok && nd.op == OpAdd {
				merged[i] = scaleMerge{kernel: axpySq, c: 1, args: []int32{b, y}, form: mergeAxpySq}
				absorbed[a] = true
			}
		case OpMul:
			// c·X with X an elementwise operation read only here.
			c, ok := g.constant(a)
			if !ok || !g.nodes[a].shape.IsScalar() || !single(b) {
				continue
			}
			x := &g.nodes[b]
			if x.op == OpPow && g.isConst(x.args[1], 2) && isVec(x.args[0]) {
				merged[i] = scaleMerge{kernel: sqVc, c: c, args: []int32{x.args[0]}, form: mergeSq}
				absorbed[b] = true
				continue
			}
			if len(x.args) != 2 {
				continue
			}
			if k := ops[x.op].fast.scaled(isVec(x.args[0]), isVec(x.args[1])); k != nil {
				merged[i] = scaleMerge{kernel: k, c: c, args: x.args, form: mergeScaled, op: x.op}
				absorbed[b] = true
			}
		}
	}
	return merged, absorbed
}

// matmulRow returns the merge of node i if it is A @ B + r or r + A @ B
// for matrices A and B and a row r broadcast over the rows, the product and
// the broadcast read only by it (single). The product then adds into copies
// of the row, which costs neither a pass setting the product's elements to
// zero nor one adding the row.
func (g *Graph) matmulRow(i int32, single func(int32) bool) (scaleMerge, bool) {
	nd := &g.nodes[i]
	if nd.op != OpAdd || nd.shape.Rank() != 2 {
		return scaleMerge{}, false
	}
	for k := range 2 {
		p, r := &g.nodes[nd.args[k]], &g.nodes[nd.args[1-k]]
		if p.op != OpMatMul || r.op != OpBroadcast || !single(nd.args[k]) || !single(nd.args[1-k]) ||
			g.nodes[p.args[0]].shape.Rank() != 2 || g.nodes[p.args[1]].shape.Rank() != 2 {
			continue
		}
		row := g.nodes[r.args[0]].shape
		if row.Len() != nd.shape.Dim(1) || row.Rank() == 2 && row.Dim(0) != 1 {
			continue
		}
		return scaleMerge{kernel: matmulRowMM, args: []int32{p.args[0], p.args[1], r.args[0]},
			form: mergeMatMulRow, p1: p.p[0] | p.p[1]<<1}, true
	}
	return scaleMerge{}, false
}

// apply turns in into the merged instruction.
func (m scaleMerge) apply(in *instr, locs []loc) {
	in.code, in.kernel, in.acc, in.c, in.argIDs = cKernel, m.kernel, m.acc, m.c, m.args
	in.merge, in.mop = m.form, m.op
	if m.form == mergeMatMulRow {
		in.p1 = m.p1
	}
	in.args = in.args[:0]
	for _, a := range m.args {
		in.args = append(in.args, locs[a])
	}
	in.a = locs[m.args[0]].i
	if len(m.args) > 1 {
		in.b = locs[m.args[1]].i
	}
}

// The kernels of the merges that span two ops.

// axpy is a + c·b.
func axpy(ws *Workspace, in *instr) {
	d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = a4[0] + c*b4[0]
		d4[1] = a4[1] + c*b4[1]
		d4[2] = a4[2] + c*b4[2]
		d4[3] = a4[3] + c*b4[3]
	}
	for ; i < len(d); i++ {
		d[i] = a[i] + c*b[i]
	}
}

// axpySq is a + c·b².
func axpySq(ws *Workspace, in *instr) {
	d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = a4[0] + c*(b4[0]*b4[0])
		d4[1] = a4[1] + c*(b4[1]*b4[1])
		d4[2] = a4[2] + c*(b4[2]*b4[2])
		d4[3] = a4[3] + c*(b4[3]*b4[3])
	}
	for ; i < len(d); i++ {
		d[i] = a[i] + c*(b[i]*b[i])
	}
}

// axpyTo adds a + c·b to the destination, for a scatter in a fused group
// (fastCode).
func axpyTo(ws *Workspace, in *instr) {
	d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] += a4[0] + c*b4[0]
		d4[1] += a4[1] + c*b4[1]
		d4[2] += a4[2] + c*b4[2]
		d4[3] += a4[3] + c*b4[3]
	}
	for ; i < len(d); i++ {
		d[i] += a[i] + c*b[i]
	}
}

// sqVc is c·a².
func sqVc(ws *Workspace, in *instr) {
	d, a, c := ws.v[in.dst], ws.v[in.a], in.c
	a = a[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
		d4[0] = c * (a4[0] * a4[0])
		d4[1] = c * (a4[1] * a4[1])
		d4[2] = c * (a4[2] * a4[2])
		d4[3] = c * (a4[3] * a4[3])
	}
	for ; i < len(d); i++ {
		d[i] = c * (a[i] * a[i])
	}
}

// sumAxpyK is Σ a + c·b; sumAxpyAcc adds a tile of it to the parts of
// its block, as sumAcc does.
func sumAxpyK(ws *Workspace, in *instr) {
	ws.s[in.dst] = fold(sumAxpyParts([4]float64{}, ws.v[in.a], ws.v[in.b], in.c))
}

func sumAxpyAcc(ws *Workspace, in *instr) {
	t := (*[4]float64)(ws.parts[in.p2:])
	*t = sumAxpyParts(*t, ws.v[in.a], ws.v[in.b], in.c)
}

// sumAxpySqK is Σ a + c·b²; sumAxpySqAcc adds a tile of it to the parts
// of its block.
func sumAxpySqK(ws *Workspace, in *instr) {
	ws.s[in.dst] = fold(sumAxpySqParts([4]float64{}, ws.v[in.a], ws.v[in.b], in.c))
}

func sumAxpySqAcc(ws *Workspace, in *instr) {
	t := (*[4]float64)(ws.parts[in.p2:])
	*t = sumAxpySqParts(*t, ws.v[in.a], ws.v[in.b], in.c)
}

// sumAxpySqParts is sumParts of a + c·b².
func sumAxpySqParts(t [4]float64, a, b []float64, c float64) [4]float64 {
	b = b[:len(a)]
	t0, t1, t2, t3 := t[0], t[1], t[2], t[3]
	i := 0
	for ; i+4 <= len(a); i += 4 {
		a4, b4 := a[i:i+4:i+4], b[i:i+4:i+4]
		t0 += a4[0] + c*(b4[0]*b4[0])
		t1 += a4[1] + c*(b4[1]*b4[1])
		t2 += a4[2] + c*(b4[2]*b4[2])
		t3 += a4[3] + c*(b4[3]*b4[3])
	}
	for ; i < len(a); i++ {
		t0 += a[i] + c*(b[i]*b[i])
	}
	return [4]float64{t0, t1, t2, t3}
}

// sumAxpyParts is sumParts of a + c·b.
func sumAxpyParts(t [4]float64, a, b []float64, c float64) [4]float64 {
	b = b[:len(a)]
	t0, t1, t2, t3 := t[0], t[1], t[2], t[3]
	i := 0
	for ; i+4 <= len(a); i += 4 {
		a4, b4 := a[i:i+4:i+4], b[i:i+4:i+4]
		t0 += a4[0] + c*b4[0]
		t1 += a4[1] + c*b4[1]
		t2 += a4[2] + c*b4[2]
		t3 += a4[3] + c*b4[3]
	}
	for ; i < len(a); i++ {
		t0 += a[i] + c*b[i]
	}
	return [4]float64{t0, t1, t2, t3}
}

// The kernels of fastCode's merges in fused groups. A product is
// converted to float64 before it is added, so that no compiler fuses the
// two into one rounding: each must round as it did in its own member.

// axpbyTo adds a·s + c·b to the destination, s a scalar register (p0).
func axpbyTo(ws *Workspace, in *instr) {
	d, a, s, b, c := ws.v[in.dst], ws.v[in.a], ws.s[in.p0], ws.v[in.b], in.c
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] += float64(a4[0]*s) + float64(c*b4[0])
		d4[1] += float64(a4[1]*s) + float64(c*b4[1])
		d4[2] += float64(a4[2]*s) + float64(c*b4[2])
		d4[3] += float64(a4[3]*s) + float64(c*b4[3])
	}
	for ; i < len(d); i++ {
		d[i] += float64(a[i]*s) + float64(c*b[i])
	}
}

// axpbyMulTo adds a·s + c·(b·e) to the destination, e in slot p1.
func axpbyMulTo(ws *Workspace, in *instr) {
	d, a, s, b, e, c := ws.v[in.dst], ws.v[in.a], ws.s[in.p0], ws.v[in.b], ws.v[in.p1], in.c
	a, b, e = a[:len(d)], b[:len(d)], e[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4, e4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4], e[i:i+4:i+4]
		d4[0] += float64(a4[0]*s) + float64(c*float64(b4[0]*e4[0]))
		d4[1] += float64(a4[1]*s) + float64(c*float64(b4[1]*e4[1]))
		d4[2] += float64(a4[2]*s) + float64(c*float64(b4[2]*e4[2]))
		d4[3] += float64(a4[3]*s) + float64(c*float64(b4[3]*e4[3]))
	}
	for ; i < len(d); i++ {
		d[i] += float64(a[i]*s) + float64(c*float64(b[i]*e[i]))
	}
}

// axpbyAddTo adds a·s + c·(b + e) to the destination, e in slot p1.
func axpbyAddTo(ws *Workspace, in *instr) {
	d, a, s, b, e, c := ws.v[in.dst], ws.v[in.a], ws.s[in.p0], ws.v[in.b], ws.v[in.p1], in.c
	a, b, e = a[:len(d)], b[:len(d)], e[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4, e4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4], e[i:i+4:i+4]
		d4[0] += float64(a4[0]*s) + float64(c*(b4[0]+e4[0]))
		d4[1] += float64(a4[1]*s) + float64(c*(b4[1]+e4[1]))
		d4[2] += float64(a4[2]*s) + float64(c*(b4[2]+e4[2]))
		d4[3] += float64(a4[3]*s) + float64(c*(b4[3]+e4[3]))
	}
	for ; i < len(d); i++ {
		d[i] += float64(a[i]*s) + float64(c*(b[i]+e[i]))
	}
}

// copyScaledTo writes a·s to the destination, s a scalar register (p0):
// the chain's copier of a product made for it alone.
func copyScaledTo(ws *Workspace, in *instr) { scaleTo(ws.v[in.dst], ws.v[in.a], ws.s[in.p0]) }

// sumSqAxpySqAcc adds a tile of Σ k·x² + c·b², x in slot p0 and k in c2,
// to the parts of its block, as sumAxpySqAcc does with the scaled square
// computed apart.
func sumSqAxpySqAcc(ws *Workspace, in *instr) {
	p := (*[4]float64)(ws.parts[in.p2:])
	b, x, k, c := ws.v[in.b], ws.v[in.p0], in.c2, in.c
	x = x[:len(b)]
	t0, t1, t2, t3 := p[0], p[1], p[2], p[3]
	i := 0
	for ; i+4 <= len(b); i += 4 {
		x4, b4 := x[i:i+4:i+4], b[i:i+4:i+4]
		t0 += float64(k*float64(x4[0]*x4[0])) + float64(c*float64(b4[0]*b4[0]))
		t1 += float64(k*float64(x4[1]*x4[1])) + float64(c*float64(b4[1]*b4[1]))
		t2 += float64(k*float64(x4[2]*x4[2])) + float64(c*float64(b4[2]*b4[2]))
		t3 += float64(k*float64(x4[3]*x4[3])) + float64(c*float64(b4[3]*b4[3]))
	}
	for ; i < len(b); i++ {
		t0 += float64(k*float64(x[i]*x[i])) + float64(c*float64(b[i]*b[i]))
	}
	*p = [4]float64{t0, t1, t2, t3}
}

// sumSqAcc adds a tile of Σ x² to the parts of its block, as sumAcc does
// with the squares computed apart.
func sumSqAcc(ws *Workspace, in *instr) {
	p := (*[4]float64)(ws.parts[in.p2:])
	x := ws.v[in.a]
	t0, t1, t2, t3 := p[0], p[1], p[2], p[3]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		x4 := x[i : i+4 : i+4]
		t0 += float64(x4[0] * x4[0])
		t1 += float64(x4[1] * x4[1])
		t2 += float64(x4[2] * x4[2])
		t3 += float64(x4[3] * x4[3])
	}
	for ; i < len(x); i++ {
		t0 += float64(x[i] * x[i])
	}
	*p = [4]float64{t0, t1, t2, t3}
}

// axpySqMul is (a + c·b²)·e, e in slot p1.
func axpySqMul(ws *Workspace, in *instr) {
	d, a, b, e, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], ws.v[in.p1], in.c
	a, b, e = a[:len(d)], b[:len(d)], e[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4, e4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4], e[i:i+4:i+4]
		d4[0] = float64(a4[0]+float64(c*float64(b4[0]*b4[0]))) * e4[0]
		d4[1] = float64(a4[1]+float64(c*float64(b4[1]*b4[1]))) * e4[1]
		d4[2] = float64(a4[2]+float64(c*float64(b4[2]*b4[2]))) * e4[2]
		d4[3] = float64(a4[3]+float64(c*float64(b4[3]*b4[3]))) * e4[3]
	}
	for ; i < len(d); i++ {
		d[i] = float64(a[i]+float64(c*float64(b[i]*b[i]))) * e[i]
	}
}

// mulDiffSum is a·((s − b)·(b + s')), s and s' in registers p0 and p1.
func mulDiffSum(ws *Workspace, in *instr) {
	d, a, b, s, s1 := ws.v[in.dst], ws.v[in.a], ws.v[in.b], ws.s[in.p0], ws.s[in.p1]
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = a4[0] * ((s - b4[0]) * (b4[0] + s1))
		d4[1] = a4[1] * ((s - b4[1]) * (b4[1] + s1))
		d4[2] = a4[2] * ((s - b4[2]) * (b4[2] + s1))
		d4[3] = a4[3] * ((s - b4[3]) * (b4[3] + s1))
	}
	for ; i < len(d); i++ {
		d[i] = a[i] * ((s - b[i]) * (b[i] + s1))
	}
}

// axpyMul is a + c·(b·e), e in slot p1.
func axpyMul(ws *Workspace, in *instr) {
	d, a, b, e, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], ws.v[in.p1], in.c
	a, b, e = a[:len(d)], b[:len(d)], e[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4, e4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4], e[i:i+4:i+4]
		d4[0] = a4[0] + float64(c*float64(b4[0]*e4[0]))
		d4[1] = a4[1] + float64(c*float64(b4[1]*e4[1]))
		d4[2] = a4[2] + float64(c*float64(b4[2]*e4[2]))
		d4[3] = a4[3] + float64(c*float64(b4[3]*e4[3]))
	}
	for ; i < len(d); i++ {
		d[i] = a[i] + float64(c*float64(b[i]*e[i]))
	}
}
