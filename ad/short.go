package ad

// A vector of a few elements costs a kernel call per operation, several
// times what the same arithmetic on scalars costs. The compiler keeps such
// vectors in the register file instead, their slots pointing at their
// registers, so that elementwise arithmetic on them runs as scalar steps
// (one per element) while every other kernel still finds them in their
// slots. Each step computes what the vector kernel computes for its
// element, in the same order, so results keep their bits.

// shortLen is the longest vector kept in registers.
const shortLen = 4

// shortVectors moves the short vectors that are inputs, constants or
// buffers of the workspace's own into registers and returns the first
// register of each such slot.
func (p *Program) shortVectors() map[int32]uint32 {
	home := map[int32]uint32{}
	place := func(slot int32, vals []float64) uint32 {
		r := uint32(len(p.regInit))
		p.regInit = append(p.regInit, vals...)
		home[slot] = r
		return r
	}
	for k, si := range p.slotInit {
		if si.data != nil && len(si.data) <= shortLen {
			p.slotInit[k] = slotInit{slot: si.slot, reg: true, off: int(place(si.slot, si.data)), len: len(si.data)}
		} else if si.data == nil && si.len <= shortLen {
			p.slotInit[k] = slotInit{slot: si.slot, reg: true, off: int(place(si.slot, make([]float64, si.len))), len: si.len}
		}
	}
	p.inReg = make([]int32, len(p.inputs))
	for k, l := range p.inLoc {
		p.inReg[k] = -1
		if n := p.inputs[k].Shape.Len(); l.vec && n <= shortLen {
			if _, ok := home[l.i]; !ok { // an input given twice as output is one slot
				r := place(l.i, make([]float64, n))
				p.slotInit = append(p.slotInit, slotInit{slot: l.i, reg: true, off: int(r), len: n})
			}
			p.inReg[k] = int32(home[l.i])
		}
	}
	p.nreg = len(p.regInit)
	return home
}

// shortSteps appends to steps the scalar steps of instruction k when it is
// elementwise arithmetic, an index or a concatenation over vectors in
// registers (home), and reports whether it did. constant returns the
// register of a constant, scratch is a register for a pair's first result.
func (p *Program) shortSteps(steps []compact, k int, home map[int32]uint32, constant func(float64) uint32, scratch uint32) ([]compact, bool) {
	in := &p.code[k]
	if in.fused != nil {
		return steps, false
	}
	nd := &p.nodes[in.node]
	// operand returns the register of element i of an argument (a scalar
	// broadcasts).
	operand := func(l loc) (func(i int) uint32, bool) {
		if !l.vec {
			return func(int) uint32 { return uint32(l.i) }, true
		}
		r, ok := home[l.i]
		return func(i int) uint32 { return r + uint32(i) }, ok
	}
	if nd.op == OpIndex && !in.dstLoc.vec {
		a, ok := operand(in.args[0])
		if !ok {
			return steps, false
		}
		return append(steps, compact{code: cMove, dst: uint32(in.dst), a: a(in.p0)}), true
	}
	if (in.merge == mergeSumAxpy || in.merge == mergeSumAxpySq) && !in.dstLoc.vec {
		return p.sumAxpySteps(steps, in, operand, constant, scratch)
	}
	if (nd.op == OpSum || nd.op == OpDot) && in.merge == mergeNone && !in.dstLoc.vec && in.args[0].vec {
		return p.sumSteps(steps, in, operand, constant, scratch)
	}
	d, ok := home[in.dst]
	if !in.dstLoc.vec || !ok {
		return steps, false
	}
	n := nd.shape.Len()
	if nd.op == OpFill {
		s, ok := operand(in.args[0])
		if !ok {
			return steps, false
		}
		for i := range n {
			steps = append(steps, compact{code: cMove, dst: d + uint32(i), a: s(i)})
		}
		return steps, true
	}
	if (nd.op == OpScatter || nd.op == OpScatterAdd) && nd.shape.Rank() == 1 {
		// scatter: zeros, then v at start, start+step, …; scatteradd: base,
		// then base + v there.
		v := in.args[len(in.args)-1]
		vr, ok := operand(v)
		if !ok {
			return steps, false
		}
		base, ok := func(int) uint32 { return constant(0) }, true
		if nd.op == OpScatterAdd {
			if base, ok = operand(in.args[0]); !ok {
				return steps, false
			}
		}
		start := len(steps)
		for j := range n {
			steps = append(steps, compact{code: cMove, dst: d + uint32(j), a: base(j)})
		}
		m := 1
		if v.vec {
			m = p.nodes[in.argIDs[len(in.argIDs)-1]].shape.Len()
		}
		for i, j := 0, in.p0; i < m; i, j = i+1, j+in.p1 {
			st := &steps[start+j]
			if nd.op == OpScatterAdd {
				st.code, st.b = cAddSS, vr(i)
			} else {
				st.a = vr(i)
			}
		}
		return steps, true
	}
	if nd.op == OpConcat {
		start := len(steps)
		for j, l := range in.args {
			a, ok := operand(l)
			if !ok {
				return steps[:start], false
			}
			m := 1
			if l.vec {
				m = p.nodes[in.argIDs[j]].shape.Len()
			}
			for i := range m {
				steps = append(steps, compact{code: cMove, dst: d + uint32(len(steps)-start), a: a(i)})
			}
		}
		return steps, true
	}
	if ops[nd.op].kind != kindElementwise {
		return steps, false
	}
	// The operands in the order the vector kernel takes them, which puts
	// the vector first for a commutative op of a scalar and a vector.
	args := in.args
	if in.merge == mergeNone && len(args) == 2 && ops[nd.op].fast.commutes && !args[0].vec && args[1].vec {
		args = []loc{args[1], args[0]}
	}
	regs := make([]func(int) uint32, len(args))
	for j, l := range args {
		if regs[j], ok = operand(l); !ok {
			return steps, false
		}
	}
	var one func(i int) compact
	switch in.merge {
	case mergeNone:
		c := ops[nd.op].fast.scalar
		switch {
		case c == cPowSS && p.isConst(in.argIDs[1], 2):
			c = cSqS
		case c == cKernel && len(args) == 1:
			c = cF1
		case c == cKernel:
			c = cF2
		}
		one = func(i int) compact {
			st := compact{code: c, dst: d + uint32(i), a: regs[0](i), k: uint32(k)}
			if len(regs) > 1 {
				st.b = regs[1](i)
			}
			return st
		}
	case mergeSq: // c·(a·a)
		cr := constant(in.c)
		one = func(i int) compact {
			return compact{code: cSqRMul, dst: d + uint32(i), a: regs[0](i), mid: scratch, c: cr}
		}
	case mergeScaled: // c·(a op b)
		row := pairRow(ops[in.mop].fast.scalar)
		if row < 0 || len(regs) != 2 {
			return steps, false
		}
		cr := constant(in.c)
		one = func(i int) compact {
			return compact{code: cAddAdd + code(row*pairSeconds+colRMul), dst: d + uint32(i), a: regs[0](i), b: regs[1](i), mid: scratch, c: cr}
		}
	case mergeAxpy: // a + c·b
		cr := constant(in.c)
		one = func(i int) compact {
			return compact{code: cMulRAdd, dst: d + uint32(i), a: cr, b: regs[1](i), mid: scratch, c: regs[0](i)}
		}
	case mergeAxpySq: // a + c·b²
		cr := constant(in.c)
		one = func(i int) compact {
			return compact{code: cSqRMulRAdd, dst: d + uint32(i), a: regs[1](i), b: scratch, mid: scratch, c: cr, d: regs[0](i)}
		}
	default:
		return steps, false
	}
	for i := range n {
		steps = append(steps, one(i))
	}
	return steps, true
}

// isConst reports whether node i is the scalar constant v.
func (p *Program) isConst(i int32, v float64) bool {
	nd := &p.nodes[i]
	return nd.op == OpConst && nd.vec == nil && nd.val == v
}

// sumSteps appends the steps of the sum of a short vector, or of the dot
// product of two of fewer than four elements, added in the order sum and
// dot add them (sumParts): for fewer than four elements, one accumulator
// from zero, the other three zero, added to it at the end; for four, one
// sum per element from zero, added in pairs. Adding zero first changes
// only a -0, to 0; adding it once at the end does the same to the result,
// the only place a sign of zero can go.
func (p *Program) sumSteps(steps []compact, in *instr, operand func(loc) (func(int) uint32, bool), constant func(float64) uint32, scratch uint32) ([]compact, bool) {
	n := p.nodes[in.argIDs[0]].shape.Len()
	a, ok := operand(in.args[0])
	if !ok || n > 4 {
		return steps, false
	}
	dst, zero := uint32(in.dst), constant(0)
	if len(in.args) == 1 && n == 4 {
		return append(steps,
			compact{code: cAddSS, dst: dst, a: a(0), b: a(1)},
			compact{code: cAddSS, dst: scratch, a: a(2), b: a(3)},
			compact{code: cAddSS, dst: dst, a: dst, b: scratch},
			compact{code: cAddSS, dst: dst, a: dst, b: zero}), true
	}
	// term returns the step of element i's term into register r.
	term := func(i int, r uint32) compact { return compact{code: cMove, dst: r, a: a(i)} }
	if len(in.args) == 2 {
		b, ok := operand(in.args[1])
		if !ok || n == 4 {
			return steps, false
		}
		term = func(i int, r uint32) compact { return compact{code: cMulSS, dst: r, a: a(i), b: b(i)} }
	}
	steps = append(steps, term(0, dst))
	for i := 1; i < n; i++ {
		steps = append(steps, term(i, scratch), compact{code: cAddSS, dst: dst, a: dst, b: scratch})
	}
	return append(steps, compact{code: cAddSS, dst: dst, a: dst, b: zero}), true
}

// sumAxpySteps appends the steps of Σ a + c·b (or, for mergeSumAxpySq,
// Σ a + c·b²) over short vectors a and b, added in the order sumAxpy adds
// them: for fewer than four elements, one accumulator from zero, then the
// three others, zero, added to it. Adding zero first and last changes only
// a sum of -0, to 0; adding it once at the end does the same.
func (p *Program) sumAxpySteps(steps []compact, in *instr, operand func(loc) (func(int) uint32, bool), constant func(float64) uint32, scratch uint32) ([]compact, bool) {
	n := p.nodes[in.argIDs[0]].shape.Len()
	a, okA := operand(in.args[0])
	b, okB := operand(in.args[1])
	if !okA || !okB || n >= 4 {
		return steps, false
	}
	cr, dst := constant(in.c), uint32(in.dst)
	for i := range n {
		// dst = a[i] + c·b[i], the first time; then dst + (a[i] + c·b[i]).
		if in.merge == mergeSumAxpySq {
			steps = append(steps, compact{code: cSqRMulRAdd, dst: scratch, a: b(i), b: scratch, mid: scratch, c: cr, d: a(i)})
		} else {
			steps = append(steps, compact{code: cMulRAdd, dst: scratch, a: cr, b: b(i), mid: scratch, c: a(i)})
		}
		if i == 0 {
			steps = append(steps, compact{code: cMove, dst: dst, a: scratch})
		} else {
			steps = append(steps, compact{code: cAddSS, dst: dst, a: dst, b: scratch})
		}
	}
	return append(steps, compact{code: cAddSS, dst: dst, a: dst, b: constant(0)}), true
}
