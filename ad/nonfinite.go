package ad

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/nabla-ad/nabla/internal/text"
)

// NonFiniteError explains a NaN or infinity: the first node, in evaluation
// order, whose value was not finite, and what its operation was given.
type NonFiniteError struct {
	Node  Node      // the node that first went non-finite
	Op    string    // its operation's name
	Expr  string    // the node printed as source (shortened if long)
	Index int       // the element, for a vector node; 0 for a scalar
	Value float64   // the non-finite value
	Args  []float64 // the operation's arguments at that element (a reduction reports its non-finite or largest element)
	Input string    // when non-empty: the input variable that was given a non-finite value
}

func (e *NonFiniteError) Error() string {
	if e.Input != "" {
		return fmt.Sprintf("input %s is %v", e.Input, e.Value)
	}
	if e.Op == "const" {
		return fmt.Sprintf("the constant %s is %v", e.Expr, e.Value)
	}
	var args []string
	for _, a := range e.Args {
		args = append(args, fmt.Sprint(a))
	}
	at := ""
	if e.Index > 0 || strings.Contains(e.Expr, "[") {
		at = fmt.Sprintf(" at element %d", e.Index)
	}
	return fmt.Sprintf("%s is %v%s: %s got %s", e.Expr, e.Value, at, e.Op, strings.Join(args, " and "))
}

// IsNonFinite reports whether err is, or wraps, a *NonFiniteError: whether
// it explains a NaN or infinite result rather than reporting a failure. It
// does not allocate when err is nil.
func IsNonFinite(err error) bool {
	if err == nil { // errors.As would allocate
		return false
	}
	var nf *NonFiniteError
	return errors.As(err, &nf)
}

// RunChecked runs p like Run and then returns a *NonFiniteError naming the
// input that is NaN or infinite, if one is, or else, if any output is,
// the first node that went non-finite. A non-finite input is reported even
// when the outputs are finite, since the graph may have folded it away
// (0·x is 0 for every x): a result at such a point is reported the same
// way whatever the expression. RunChecked costs one pass over the outputs,
// one over the inputs unless every input element reaches the first output
// through operations that keep a non-finite value (tracksInputs), and one
// more over every intermediate value when an output is not finite; Run
// does none of these. The outputs that fused groups compute are checked
// inside them, a tile at a time, rather than in a pass of their own.
func (p *Program) RunChecked(ws *Workspace, in [][]float64) error {
	bad := false
	if p.folded != nil {
		ws.s[p.fin] = 1 // set to NaN by the first non-finite tile
	}
	err := p.Run(ws, in)
	if p.folded != nil {
		bad = ws.s[p.fin] != 1
		ws.s[p.fin] = 0
	}
	if err != nil {
		return err
	}
	for k, l := range p.outLoc {
		switch {
		case bad || p.folded != nil && p.folded[k]:
		case !l.vec:
			x := ws.s[l.i]
			bad = x-x != 0 // NaN for NaN and ±Inf
		default:
			bad = !allFinite(ws.v[l.i])
		}
	}
	if !bad && p.tracksInputs() {
		return nil
	}
	if e := p.nonFiniteInput(in); e != nil {
		return e
	}
	if !bad {
		return nil
	}
	return p.explain(ws, in)
}

// nonFiniteInput returns the error naming the first input element that is
// NaN or infinite, or nil.
func (p *Program) nonFiniteInput(in [][]float64) *NonFiniteError {
	for k, x := range in {
		if allFinite(x) {
			continue
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return &NonFiniteError{Input: ElementName(p.inputs[k].Name, p.inputs[k].Shape, i), Value: v, Op: "input", Expr: p.inputs[k].Name}
			}
		}
	}
	return nil
}

// explain reruns the program one instruction at a time until a value goes
// non-finite.
func (p *Program) explain(ws *Workspace, in [][]float64) error {
	if err := p.load(ws, in); err != nil {
		return err
	}
	// Run every instruction, so that the outputs are valid afterwards, and
	// explain the first value that went non-finite. Fused groups are checked
	// member by member, block by block.
	var first *NonFiniteError
	check := func(c *instr, offset int) {
		if first != nil {
			return
		}
		for i, v := range ws.value(c.dstLoc) {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				continue
			}
			nd := &p.nodes[c.node]
			e := &NonFiniteError{Node: p.handle(c.node), Op: ops[nd.op].name, Index: offset + i, Value: v}
			if nd.shape.IsScalar() {
				e.Index = 0
			}
			e.Expr = text.Shorten(format(p.nodes, p.vars, c.node), 120)
			for _, a := range c.args {
				e.Args = append(e.Args, element(ws.value(a), i, ops[nd.op].kind == kindElementwise))
			}
			first = e
			return
		}
	}
	for k := range p.code {
		c := &p.code[k]
		if c.fused != nil {
			ws.execFusedChecked(c.fused, check)
			continue
		}
		step := [2]compact{p.step(k), {code: cEnd}}
		p.execute(ws, step[:])
		check(c, 0)
	}
	if first != nil {
		return first
	}
	// No instruction went non-finite: an output is a constant that is.
	for k, i := range p.outNode {
		if v := ws.Output(k); p.nodes[i].op == OpConst && !allFinite(v) {
			e := &NonFiniteError{Node: p.handle(i), Op: "const", Expr: text.Shorten(format(p.nodes, p.vars, i), 120)}
			for j, x := range v {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					e.Index, e.Value = j, x
					break
				}
			}
			return e
		}
	}
	return nil
}

func (ws *Workspace) value(l loc) []float64 {
	if l.vec {
		return ws.v[l.i]
	}
	return ws.s[l.i : l.i+1]
}

// element picks the argument value that explains element i: the same
// element for elementwise ops (a scalar broadcasts), otherwise the first
// non-finite element or the largest in magnitude.
func element(v []float64, i int, elementwise bool) float64 {
	if len(v) == 1 {
		return v[0]
	}
	if elementwise {
		return v[i]
	}
	best := v[0]
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return x
		}
		if math.Abs(x) > math.Abs(best) {
			best = x
		}
	}
	return best
}

// allFinite reports whether no element of v is NaN or infinite. It runs on
// every output of every checked run, often inside a fused group's tiles, so
// it must cost little beside the arithmetic that made v: a sum is NaN or
// infinite when a term is, and a finite sum proves every element finite at
// one addition each, which the compiler folds into the load. Only a sum
// that overflows, of elements near the largest floats, takes a second look.
func allFinite(v []float64) bool {
	var s0, s1, s2, s3, s4, s5, s6, s7 float64
	i := 0
	for ; i < len(v)-7; i += 8 {
		x := v[i : i+8 : i+8]
		s0 += x[0]
		s1 += x[1]
		s2 += x[2]
		s3 += x[3]
		s4 += x[4]
		s5 += x[5]
		s6 += x[6]
		s7 += x[7]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	s := (s0 + s1) + (s2 + s3) + ((s4 + s5) + (s6 + s7))
	if s-s == 0 {
		return true
	}
	for _, x := range v {
		if x-x != 0 { // NaN for NaN and ±Inf
			return false
		}
	}
	return true
}
