package ad

import (
	"errors"
	"fmt"
)

// ErrNoComplex is wrapped by errors from EvalComplex for operations that
// have no analytic extension to complex numbers (abs, sign, step, min,
// max): a complex-step derivative through them would be wrong.
var ErrNoComplex = errors.New("no analytic complex form")

// EvalComplex evaluates outputs with complex inputs, one slice per variable
// of the graph in creation order (Vars). It walks the graph node by node
// and is meant for complex-step differentiation, not speed. Outputs that
// pass through an op with no analytic complex form give an error wrapping
// ErrNoComplex.
func (g *Graph) EvalComplex(outputs []Node, in [][]complex128) ([][]complex128, error) {
	if err := g.check(outputs...); err != nil {
		return nil, err
	}
	if len(in) != len(g.vars) {
		return nil, fmt.Errorf("EvalComplex: the graph has %d variables, got %d inputs", len(g.vars), len(in))
	}
	need, top := g.needed(outputs, 0)
	vals := make([][]complex128, top+1)
	for k, v := range g.vars {
		if v > top {
			continue
		}
		if want := g.nodes[v].shape.Len(); len(in[k]) != want {
			return nil, fmt.Errorf("EvalComplex: variable %s needs %d values, got %d", g.nodes[v].name, want, len(in[k]))
		}
		vals[v] = in[k]
	}
	for i := int32(0); i <= top; i++ {
		if !need[i] || g.nodes[i].op == OpVar {
			continue
		}
		v, err := g.complexNode(i, vals)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	out := make([][]complex128, len(outputs))
	for k, o := range outputs {
		out[k] = vals[o.id-1]
	}
	return out, nil
}

func (g *Graph) complexNode(i int32, vals [][]complex128) ([]complex128, error) {
	nd := &g.nodes[i]
	out := make([]complex128, nd.shape.Len())
	if nd.op == OpConst {
		if nd.vec == nil {
			out[0] = complex(nd.val, 0)
		}
		for j, x := range nd.vec {
			out[j] = complex(x, 0)
		}
		return out, nil
	}
	d := &ops[nd.op]
	if d.cplx == nil {
		return nil, fmt.Errorf("%s: %w", d.name, ErrNoComplex)
	}
	args := make([][]complex128, len(nd.args))
	in := make([]Shape, len(nd.args))
	for k, a := range nd.args {
		args[k], in[k] = vals[a], g.nodes[a].shape
	}
	d.cplx(nd, in, args, out)
	return out, nil
}
