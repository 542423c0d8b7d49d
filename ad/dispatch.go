package ad

// Small programs spend most of their time going from one instruction to
// the next, so Run goes through a compact form of the program: small
// records that index the register file, switched on densely enough that
// the compiler makes a jump table, with pairs of scalar operations where
// the second reads the first's result run as one step (a
// superinstruction), and other neighbouring pairs of single operations as
// one step too (a dual). A pair stores both results, so every register
// holds what the instructions one by one would leave in it.

// A compact is one step of the compact form. A single operation computes
// s[dst] from s[a] and s[b]; a pair computes s[mid] from s[a] and s[b],
// then s[dst] from s[mid] and s[c]; a triple computes s[mid] and s[b] as
// a pair whose first operation squares s[a] (and so leaves b free)
// computes s[mid] and s[dst], then s[dst] from s[b] and s[d]; a dual
// computes s[mid] from s[a] and s[b], then s[dst] from s[c] and s[d]. Any
// other instruction runs its kernel: k indexes it in Program.code. Eight fields
// make 32 bytes, a step's offset a shift of its index.
type compact struct {
	code code
	// Unsigned, the indices load without a sign extension.
	dst, a, b, mid, c, d uint32
	k                    uint32
}

// A code is what a compact step does: the common scalar arithmetic itself,
// everything else by calling the instruction's kernel.
type code uint8

const (
	cKernel code = iota
	cAddSS
	cSubSS
	cMulSS
	cDivSS
	cNegS
	cSqS
	cPowSS
	cMove // s[dst] = s[a]
	cF1   // the instruction's f1 of s[a]
	cF2   // the instruction's f2 of s[a] and s[b]
	cEnd  // the last step of every compact form: arith and execute stop here
	// A run of arithmetic as machine code: the program's segments from
	// byte k (compileNative).
	cNative
	cSqrtS // s[dst] = √s[a]
	cAbsS  // s[dst] = |s[a]|
	// The pairs, named first then second: the first operation (add, sub,
	// mul, square) on s[a] and s[b] gives t, then the second gives t + c,
	// c + t, t - c, c - t, t·c, c·t or t², in the order of pairSeconds.
	cAddAdd
	cAddRAdd
	cAddSub
	cAddRSub
	cAddMul
	cAddRMul
	cAddSq
	cSubAdd
	cSubRAdd
	cSubSub
	cSubRSub
	cSubMul
	cSubRMul
	cSubSq
	cMulAdd
	cMulRAdd
	cMulSub
	cMulRSub
	cMulMul
	cMulRMul
	cMulSq
	cSqAdd
	cSqRAdd
	cSqSub
	cSqRSub
	cSqMul
	cSqRMul
	cSqSq
	// The triples: a pair, then the third operation on its result. Where
	// the pairs cover every combination, a triple is here because programs
	// need it: d + c·a² and c·a² + d, the square, scale and add of the
	// Rosenbrock gradient and the a + c·b² that sums of squares merge into
	// (mergeAxpySq).
	cSqRMulRAdd
	cSqRMulAdd
	// The duals: two single operations in one step, named first then
	// second, the first giving s[mid] from s[a] and s[b], the second
	// s[dst] from s[c] and s[d] after it, as the two steps one by one
	// would: add, sub, mul, square (of s[a], of s[c]) or move, in the
	// order of dualRow.
	cAddThenAdd
	cAddThenSub
	cAddThenMul
	cAddThenSq
	cAddThenMove
	cSubThenAdd
	cSubThenSub
	cSubThenMul
	cSubThenSq
	cSubThenMove
	cMulThenAdd
	cMulThenSub
	cMulThenMul
	cMulThenSq
	cMulThenMove
	cSqThenAdd
	cSqThenSub
	cSqThenMul
	cSqThenSq
	cSqThenMove
	cMoveThenAdd
	cMoveThenSub
	cMoveThenMul
	cMoveThenSq
	cMoveThenMove
)

// pairSeconds is the number of forms of a pair's second operation,
// colRMul the column of c·t.
const (
	pairSeconds = 7
	colRMul     = 5
)

// dualOps is the number of operations a dual's first or second can be.
const dualOps = 5

// dualRow returns the row of the dual codes that start with c, and their
// column that end with it, or -1.
func dualRow(c code) int {
	switch c {
	case cAddSS:
		return 0
	case cSubSS:
		return 1
	case cMulSS:
		return 2
	case cSqS:
		return 3
	case cMove:
		return 4
	}
	return -1
}

// pairRow returns the row of the pair codes that start with c, or -1:
// that of the duals but for a move's.
func pairRow(c code) int {
	if c == cMove {
		return -1
	}
	return dualRow(c)
}

// compactCode returns the program in the form execute runs: a step per
// instruction, but one per element for arithmetic on short vectors
// (shortSteps), and one for each pair of scalar operations that a
// superinstruction or a dual computes, a move into what the next
// operation overwrites folded into it (foldMoves). It adds the registers
// those need to the program's.
func (p *Program) compactCode() []compact {
	home := p.shortVectors()
	regs := map[float64]uint32{}
	constant := func(c float64) uint32 {
		r, ok := regs[c]
		if !ok {
			r = uint32(len(p.regInit))
			p.regInit = append(p.regInit, c)
			regs[c] = r
		}
		return r
	}
	// A pair made of two vector elements' steps stores its first result
	// here, where nothing reads it.
	scratch := uint32(len(p.regInit))
	p.regInit = append(p.regInit, 0)
	plain := make([]compact, 0, len(p.code))
	for k := range p.code {
		ok := false
		if len(home) > 0 {
			plain, ok = p.shortSteps(plain, k, home, constant, scratch)
		}
		if !ok {
			plain = append(plain, p.step(k))
		}
	}
	p.nreg = len(p.regInit)
	if len(home) > 0 { // the moves come from short vectors' steps
		plain = p.dropMoves(plain, home)
	}
	plain = foldMoves(plain)
	steps := plain[:0] // a pair or a dual takes the place of its two steps
	for i := 0; i < len(plain); i++ {
		if i+1 < len(plain) && pairRow(plain[i].code) >= 0 {
			if st, ok := pair(&plain[i], &plain[i+1]); ok {
				if i+2 < len(plain) {
					st, ok = triple(st, &plain[i+2])
				}
				if ok {
					i++ // the third step, taken too
				}
				steps = append(steps, st)
				i++
				continue
			}
		}
		if i+1 < len(plain) {
			if st, ok := dual(&plain[i], &plain[i+1]); ok {
				steps = append(steps, st)
				i++
				continue
			}
		}
		steps = append(steps, plain[i])
	}
	return append(steps, compact{code: cEnd})
}

// dual returns the superinstruction of single steps x then y, if a dual
// code computes the two.
func dual(x, y *compact) (compact, bool) {
	row, col := dualRow(x.code), dualRow(y.code)
	if row < 0 || col < 0 {
		return compact{}, false
	}
	return compact{code: cAddThenAdd + code(row*dualOps+col), mid: x.dst, a: x.a, b: x.b, dst: y.dst, c: y.a, d: y.b}, true
}

// foldMoves removes each move whose destination the next step, a single
// operation that reads it, overwrites, making that step read the move's
// source instead: the first term of a sum of a short vector is such a
// move. No step runs between the two, so the destination's value in
// between is never seen.
func foldMoves(steps []compact) []compact {
	out := steps[:0]
	for i := 0; i < len(steps); i++ {
		mv := steps[i]
		if mv.code == cMove && i+1 < len(steps) {
			next := steps[i+1]
			if next.code != cKernel && next.code < cAddAdd && next.dst == mv.dst && (next.a == mv.dst || next.b == mv.dst) {
				if next.a == mv.dst {
					next.a = mv.a
				}
				if next.b == mv.dst {
					next.b = mv.a
				}
				out = append(out, next)
				i++
				continue
			}
		}
		out = append(out, mv)
	}
	return out
}

// triple returns the superinstruction of pair x then single step z, and
// true, if z reads x's result and a triple code computes the three; else
// x and false.
func triple(x compact, z *compact) (compact, bool) {
	if x.code != cSqRMul || z.code != cAddSS {
		return x, false
	}
	switch x.dst {
	case z.b:
		x.code, x.d = cSqRMulRAdd, z.a
	case z.a:
		x.code, x.d = cSqRMulAdd, z.b
	default:
		return x, false
	}
	x.b, x.dst = x.dst, z.dst
	return x, true
}

// step returns the compact step of instruction k alone.
func (p *Program) step(k int) compact {
	in := &p.code[k]
	return compact{code: in.code, dst: uint32(in.dst), a: uint32(in.a), b: uint32(in.b), k: uint32(k)}
}

// pair returns the superinstruction of single steps x then y, if y reads
// x's result and a pair code computes the two.
func pair(x, y *compact) (compact, bool) {
	row := pairRow(x.code)
	if row < 0 {
		return compact{}, false
	}
	t := x.dst
	col, c := -1, uint32(0)
	switch y.code {
	case cSqS:
		if y.a == t {
			col = 6
		}
	case cAddSS, cSubSS, cMulSS:
		// Columns 0, 2 and 4 take t as the first operand, 1, 3 and 5 as
		// the second.
		base := 2 * int(y.code-cAddSS)
		if y.code == cMulSS {
			base = 4
		}
		switch t {
		case y.a:
			col, c = base, y.b
		case y.b:
			col, c = base+1, y.a
		}
	}
	if col < 0 {
		return compact{}, false
	}
	return compact{code: cAddAdd + code(row*pairSeconds+col), dst: y.dst, a: x.a, b: x.b, mid: t, c: c}, true
}

// dropMoves removes the moves whose destination only later steps read,
// making those steps read the source instead: the moves that indexing and
// concatenation of short vectors become. A register qualifies when no
// kernel and no output reads it and this move alone writes it, and its
// source is written at most once, so that it holds the same value wherever
// the destination is read. An input's registers count as written once:
// loading them, before the first step.
func (p *Program) dropMoves(steps []compact, home map[int32]uint32) []compact {
	writes := make([]int32, len(p.regInit))
	pinned := make([]bool, len(p.regInit))
	// mark sets the registers of l in to, or adds w to their count of
	// writes.
	mark := func(l loc, n int, to []bool, count []int32, w int32) {
		r, ok := uint32(l.i), !l.vec
		if l.vec {
			r, ok = home[l.i]
		}
		for i := uint32(0); ok && i < uint32(n); i++ {
			if to != nil {
				to[r+i] = true
			} else {
				count[r+i] += w
			}
		}
	}
	size := func(l loc, node int32) int {
		if !l.vec {
			return 1
		}
		return p.nodes[node].shape.Len()
	}
	for k, l := range p.outLoc {
		mark(l, size(l, p.outNode[k]), pinned, nil, 0)
	}
	for k, l := range p.inLoc {
		mark(l, size(l, p.inNode[k]), nil, writes, 1)
	}
	kernel := func(in *instr) {
		for j, a := range in.args {
			mark(a, size(a, in.argIDs[j]), pinned, nil, 0)
		}
		// Written by a kernel: never a move's source.
		mark(in.dstLoc, size(in.dstLoc, in.node), nil, writes, 2)
	}
	for _, st := range steps {
		if st.code != cKernel {
			writes[st.dst]++
			if st.code >= cAddAdd {
				writes[st.mid]++
			}
			if st.code == cSqRMulRAdd || st.code == cSqRMulAdd {
				writes[st.b]++
			}
			continue
		}
		if in := &p.code[st.k]; in.fused != nil {
			for i := range in.fused.code {
				kernel(&in.fused.code[i])
			}
		} else {
			kernel(in)
		}
	}
	alias := make(map[uint32]uint32)
	read := func(r uint32) uint32 {
		if a, ok := alias[r]; ok {
			return a
		}
		return r
	}
	out := steps[:0]
	for _, st := range steps {
		st.a, st.b, st.c, st.d = read(st.a), read(st.b), read(st.c), read(st.d)
		if st.code == cMove && !pinned[st.dst] && writes[st.dst] == 1 && writes[st.a] <= 1 {
			alias[st.dst] = st.a
			continue
		}
		out = append(out, st)
	}
	return out
}

// singles returns the single operations step st stands for, in order, as
// steps of the codes cAddSS to cMove (but cPowSS), cSqrtS and cAbsS: a
// pair, a triple or a dual is its operations one by one, each reading from
// the register file what the one before stored there. It returns false
// for a step that calls a function.
func singles(st compact) ([]compact, bool) {
	switch c := st.code; {
	case c >= cAddSS && c <= cMove && c != cPowSS, c == cSqrtS, c == cAbsS:
		return []compact{{code: c, dst: st.dst, a: st.a, b: st.b}}, true
	case c >= cAddAdd && c < cSqRMulRAdd:
		row, col := int(c-cAddAdd)/pairSeconds, int(c-cAddAdd)%pairSeconds
		first := compact{code: pairFirsts[row], dst: st.mid, a: st.a, b: st.b}
		second := compact{code: pairSecondOps[col], dst: st.dst, a: st.mid, b: st.c}
		if col%2 == 1 && col < 6 { // c + t, c - t, c·t
			second.a, second.b = st.c, st.mid
		}
		return []compact{first, second}, true
	case c == cSqRMulRAdd || c == cSqRMulAdd:
		add := compact{code: cAddSS, dst: st.dst, a: st.d, b: st.b}
		if c == cSqRMulAdd {
			add.a, add.b = st.b, st.d
		}
		return []compact{{code: cSqS, dst: st.mid, a: st.a}, {code: cMulSS, dst: st.b, a: st.c, b: st.mid}, add}, true
	case c >= cAddThenAdd && c <= cMoveThenMove:
		row, col := int(c-cAddThenAdd)/dualOps, int(c-cAddThenAdd)%dualOps
		return []compact{{code: dualCodes[row], dst: st.mid, a: st.a, b: st.b}, {code: dualCodes[col], dst: st.dst, a: st.c, b: st.d}}, true
	}
	return nil, false
}

// The single operations of the rows and columns of the pair and dual
// codes.
var (
	pairFirsts    = [...]code{cAddSS, cSubSS, cMulSS, cSqS}
	pairSecondOps = [pairSeconds]code{cAddSS, cAddSS, cSubSS, cSubSS, cMulSS, cMulSS, cSqS}
	dualCodes     = [dualOps]code{cAddSS, cSubSS, cMulSS, cSqS, cMove}
)
