package ad

import "slices"

// Small programs spend most of their time going from one instruction to
// the next, so Run goes through a compact form of the program: small
// records that index the register file, switched on densely enough that
// the compiler makes a jump table, with pairs of scalar operations where
// the second reads the first's result run as one step (a
// superinstruction). A pair stores both results, so every register holds
// what the instructions one by one would leave in it.

// A compact is one step of the compact form. A single operation computes
// s[dst] from s[a] and s[b]; a pair computes s[mid] from s[a] and s[b],
// then s[dst] from s[mid] and s[c]. Any other instruction runs its kernel:
// k indexes it in Program.code.
type compact struct {
	code code
	// Unsigned, the indices load without a sign extension.
	dst, a, b, mid, c uint32
	k                 uint32
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
)

// pairFirsts are the operations a pair starts with, in the order of the
// pair codes; pairSeconds are the forms of its second operation.
var pairFirsts = []code{cAddSS, cSubSS, cMulSS, cSqS}

const pairSeconds = 7

// compactCode returns the program in the form execute runs: a step per
// instruction, but one for each pair of scalar instructions that a
// superinstruction computes.
func (p *Program) compactCode() []compact {
	steps := make([]compact, 0, len(p.code))
	for k := 0; k < len(p.code); k++ {
		if k+1 < len(p.code) {
			if st, ok := pair(&p.code[k], &p.code[k+1]); ok {
				steps = append(steps, st)
				k++
				continue
			}
		}
		steps = append(steps, p.step(k))
	}
	return steps
}

// step returns the compact step of instruction k alone.
func (p *Program) step(k int) compact {
	in := &p.code[k]
	return compact{code: in.code, dst: uint32(in.dst), a: uint32(in.a), b: uint32(in.b), k: uint32(k)}
}

// pair returns the superinstruction of x then y, if y reads x's result
// and a pair code computes the two.
func pair(x, y *instr) (compact, bool) {
	row := slices.Index(pairFirsts, x.code)
	if row < 0 {
		return compact{}, false
	}
	t := x.dst
	col, c := -1, int32(0)
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
	return compact{code: cAddAdd + code(row*pairSeconds+col), dst: uint32(y.dst), a: uint32(x.a), b: uint32(x.b), mid: uint32(t), c: uint32(c)}, true
}
