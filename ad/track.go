package ad

// A checked run must report a NaN or infinite input even when the outputs
// are finite, which takes a pass over the inputs. Most functions make that
// pass redundant: every element of every input reaches the value through
// operations that turn a non-finite argument into a non-finite result
// (sums, products, slices, …), so a finite value proves finite inputs.
// The compiler finds out once, and RunChecked skips the pass when it can.

// tracksInputs reports whether the program's first output is non-finite
// whenever an element of an input is, working it out on first use: only
// checked runs need it.
func (p *Program) tracksInputs() bool {
	p.trackOnce.Do(func() { p.tracked = tracksInputs(p.nodes, p.outNode[0], p.inNode) })
	return p.tracked
}

// tracksInputs reports whether node out of nodes is non-finite whenever an
// element of one of inputs is. It is a structural under-estimate: an
// element that reaches out only through an operation that may absorb a
// non-finite value (exp(-∞) is 0, a product in BLAS may skip a zero) is
// not counted.
func tracksInputs(nodes []node, out int32, inputs []int32) bool {
	// whole[i]: a non-finite element anywhere in node i makes out
	// non-finite.
	whole := make([]bool, out+1)
	whole[out] = true
	reached := make(map[int32][]bool, len(inputs))
	for _, v := range inputs {
		if v <= out {
			reached[v] = make([]bool, nodes[v].shape.Len())
		}
	}
	if r, ok := reached[out]; ok {
		return len(inputs) == 1 && len(r) > 0
	}
	for i := out; i >= 0; i-- {
		if !whole[i] {
			continue
		}
		nd := &nodes[i]
		for k, a := range nd.args {
			var r []bool
			isInput := nodes[a].op == OpVar
			if isInput {
				r, isInput = reached[a]
			}
			switch {
			case keepsNonFinite(nodes, nd, k):
				if isInput {
					for e := range r {
						r[e] = true
					}
				} else {
					whole[a] = true
				}
			case isInput && (nd.op == OpIndex || nd.op == OpSlice):
				// A pick of an input: the elements picked reach out.
				ops[nd.op].picks(nd, func(e int) { r[e] = true })
			}
		}
	}
	for _, v := range inputs {
		r, ok := reached[v]
		if !ok {
			return false
		}
		for _, e := range r {
			if !e {
				return false
			}
		}
	}
	return true
}

// keepsNonFinite reports whether a non-finite element anywhere in argument
// k of nd makes an element of nd non-finite. IEEE arithmetic gives NaN for
// ∞ − ∞, ∞·0 and ∞/∞, so sums and products keep what they are given.
func keepsNonFinite(nodes []node, nd *node, k int) bool {
	switch nd.op {
	case OpAdd, OpSub, OpMul, OpNeg, OpAbs, OpSqrt, OpLog, OpSin, OpCos, OpTan,
		OpSum, OpSumAxis, OpDot, OpConcat, OpFill, OpScatter, OpScatterAdd, OpReshape, OpTranspose, OpBroadcast, OpVStack:
		return true
	case OpDiv:
		return k == 0 // x/∞ is 0
	case OpPow:
		// pow(∞, c) is ∞ and pow(-∞, c) ±∞ for c > 0; pow(x, ±∞) can be 0 or 1.
		c := &nodes[nd.args[1]]
		return k == 0 && c.op == OpConst && c.vec == nil && c.val > 0
	}
	return false
}
