package ad

import (
	"errors"
	"fmt"
	"slices"
)

// Grad returns the gradient of the scalar y with respect to each variable
// in xs, as nodes of the same graph (reverse mode). A vector variable gets a
// vector gradient; a variable y does not depend on gets an exact zero.
// Because the result is a graph, it can be differentiated again.
func (g *Graph) Grad(y Node, xs ...Node) ([]Node, error) {
	if err := g.check(y); err != nil {
		return nil, err
	}
	if s := g.at(y).shape; !s.IsScalar() {
		return nil, fmt.Errorf("gradient of a non-scalar output (%s): use VJP or Jacobian", s)
	}
	return g.VJP([]Node{y}, []Node{g.Const(1)}, xs)
}

// VJP returns the vector-Jacobian product Σ_k cotangents[k]ᵀ ∂ys[k]/∂x for
// each x in xs: one reverse pass. Each cotangent has its output's shape.
func (g *Graph) VJP(ys, cotangents, xs []Node) ([]Node, error) {
	if len(ys) != len(cotangents) {
		return nil, fmt.Errorf("VJP: %d outputs but %d cotangents", len(ys), len(cotangents))
	}
	if err := g.checkInputs(xs); err != nil {
		return nil, err
	}
	if err := g.check(ys...); err != nil {
		return nil, err
	}
	if err := g.check(cotangents...); err != nil {
		return nil, err
	}
	top := int32(-1)
	for k, y := range ys {
		if sy, sc := g.at(y).shape, g.at(cotangents[k]).shape; sy != sc {
			return nil, &ShapeError{Op: "VJP cotangent", Shapes: []Shape{sy, sc}}
		}
		top = max(top, y.id-1)
	}
	dep := g.dependents(xs, top)
	adj := make([]Node, dep.len())
	for k, y := range ys {
		if i := y.id - 1; dep.has(i) {
			adj[i-dep.lo] = g.accumulate(adj[i-dep.lo], cotangents[k])
		}
	}
	for i := top; i >= dep.lo; i-- {
		nd := g.nodes[i]
		if !adj[i-dep.lo].IsValid() || !dep.has(i) || nd.op == OpVar {
			continue
		}
		for k, c := range g.vjpRule(i, adj[i-dep.lo]) {
			if a := nd.args[k]; c.IsValid() && dep.has(a) {
				adj[a-dep.lo] = g.accumulate(adj[a-dep.lo], c)
			}
		}
	}
	out := make([]Node, len(xs))
	for k, x := range xs {
		if i := x.id - 1; i <= top && adj[i-dep.lo].IsValid() {
			out[k] = adj[i-dep.lo]
		} else {
			out[k] = g.zeros(g.at(x).shape)
		}
	}
	return out, nil
}

// JVP returns the Jacobian-vector products Σ_j ∂ys[k]/∂xs[j] · tangents[j]
// for each output (forward mode). Tangents have their variables' shapes; they
// may be constants, other expressions, or variables fed at run time.
func (g *Graph) JVP(ys, xs, tangents []Node) ([]Node, error) {
	if len(xs) != len(tangents) {
		return nil, fmt.Errorf("JVP: %d variables but %d tangents", len(xs), len(tangents))
	}
	if err := g.checkInputs(xs); err != nil {
		return nil, err
	}
	if err := g.check(ys...); err != nil {
		return nil, err
	}
	if err := g.check(tangents...); err != nil {
		return nil, err
	}
	top := int32(-1)
	for _, y := range ys {
		top = max(top, y.id-1)
	}
	for k, x := range xs {
		if sx, st := g.at(x).shape, g.at(tangents[k]).shape; sx != st {
			return nil, &ShapeError{Op: "JVP tangent for " + g.at(x).name, Shapes: []Shape{sx, st}}
		}
	}
	dep := g.dependents(xs, top)
	tan := make([]Node, dep.len())
	for k, x := range xs {
		if i := x.id - 1; i <= top {
			tan[i-dep.lo] = tangents[k]
		}
	}
	for i := dep.lo; i <= top; i++ {
		if dep.has(i) && g.nodes[i].op != OpVar {
			tan[i-dep.lo] = g.jvpRule(i, dep, tan)
		}
	}
	out := make([]Node, len(ys))
	for k, y := range ys {
		if i := y.id - 1; dep.has(i) && tan[i-dep.lo].IsValid() {
			out[k] = tan[i-dep.lo]
		} else {
			out[k] = g.zeros(g.at(y).shape)
		}
	}
	return out, nil
}

func (g *Graph) checkInputs(xs []Node) error {
	if err := g.check(xs...); err != nil {
		return err
	}
	for _, x := range xs {
		if g.at(x).op != OpVar {
			return errors.New("derivatives are taken with respect to variables; got " + g.Format(x))
		}
	}
	return nil
}

// depSet marks the nodes from lo to top that depend on a set of variables.
// No node older than the oldest variable can depend on one, so a
// derivative taken with respect to a new variable (a placeholder built
// inside a loop, say) walks only the nodes built after it, not the whole
// graph.
type depSet struct {
	lo   int32
	mark []bool // mark[i-lo]
}

func (d depSet) len() int { return len(d.mark) }

// has reports whether node i depends on the variables.
func (d depSet) has(i int32) bool { return i >= d.lo && int(i-d.lo) < len(d.mark) && d.mark[i-d.lo] }

// dependents marks the nodes up to top that depend on any of xs.
func (g *Graph) dependents(xs []Node, top int32) depSet {
	lo := top + 1
	for _, x := range xs {
		lo = min(lo, x.id-1)
	}
	d := depSet{lo: lo, mark: make([]bool, max(0, top-lo+1))}
	for _, x := range xs {
		if i := x.id - 1; i <= top {
			d.mark[i-lo] = true
		}
	}
	for i := lo; i <= top; i++ {
		for _, a := range g.nodes[i].args {
			if d.has(a) {
				d.mark[i-lo] = true
				break
			}
		}
	}
	return d
}

func (g *Graph) accumulate(sum, c Node) Node {
	if !sum.IsValid() {
		return c
	}
	return g.add2(sum, c)
}

// vjpRule returns the contribution of adj (the adjoint of node i) to each
// argument's adjoint; a zero Node contributes nothing.
func (g *Graph) vjpRule(i int32, adj Node) []Node {
	nd := &g.nodes[i]
	in := &ops[nd.op]
	args := g.argNodes(nd)
	switch in.kind {
	case kindLinear, kindBilinear:
		return in.transpose(g, nd, adj)
	case kindGeneral:
		return in.vjp(g, g.handle(i), args, adj)
	case kindReduce:
		ps := in.partials(g, g.handle(i), args)
		if !nd.shape.IsScalar() {
			// Along an axis: the adjoint repeats along it.
			adj = g.unreduce(adj, nd.p[0], g.at(args[0]).shape)
		}
		for k, p := range ps {
			if p.IsValid() {
				ps[k] = g.mul(adj, p)
			}
		}
		return ps
	}
	ps := in.partials(g, g.handle(i), args)
	for k, p := range ps {
		if !p.IsValid() {
			continue
		}
		if g.at(args[k]).shape.IsScalar() && !nd.shape.IsScalar() {
			ps[k] = g.dot(adj, p) // a broadcast scalar collects the sum
		} else {
			ps[k] = g.mul(adj, p)
		}
	}
	return ps
}

// jvpRule returns the tangent of node i given the tangents of earlier
// nodes that depend on the variables, tan[j-dep.lo] for node j (a zero
// Node is a zero tangent).
func (g *Graph) jvpRule(i int32, dep depSet, tan []Node) Node {
	nd := &g.nodes[i]
	in := &ops[nd.op]
	args := g.argNodes(nd)
	ts := make([]Node, len(args))
	any := false
	for k, a := range nd.args {
		if dep.has(a) {
			ts[k] = tan[a-dep.lo]
		}
		any = any || ts[k].IsValid()
	}
	if !any {
		return Node{}
	}
	switch in.kind {
	case kindLinear:
		for k, t := range ts {
			if !t.IsValid() {
				ts[k] = g.zeros(g.at(args[k]).shape)
			}
		}
		return in.apply(g, nd, ts)
	case kindBilinear:
		var sum Node
		for k, t := range ts {
			if t.IsValid() {
				with := slices.Clone(args)
				with[k] = t
				sum = g.accumulate(sum, in.apply(g, nd, with))
			}
		}
		return sum
	case kindGeneral:
		return in.jvp(g, g.handle(i), args, ts)
	}
	ps := in.partials(g, g.handle(i), args)
	var sum Node
	for k, p := range ps {
		if !p.IsValid() || !ts[k].IsValid() {
			continue
		}
		var c Node
		switch {
		case in.kind == kindReduce && nd.shape.IsScalar():
			c = g.dot(p, ts[k])
		case in.kind == kindReduce:
			c = g.sumAxis(g.mul(p, ts[k]), nd.p[0])
		default:
			c = g.mul(p, ts[k])
		}
		sum = g.accumulate(sum, c)
	}
	if !sum.IsValid() {
		return Node{}
	}
	return g.shaped(sum, nd.shape)
}

// dot is Σ a·b for operands of equal shape, or a scalar times the sum of
// the other operand.
func (g *Graph) dot(a, b Node) Node {
	sa, sb := g.at(a).shape, g.at(b).shape
	switch {
	case sa == sb:
		return g.reduce(OpDot, a, b)
	case sa.IsScalar():
		return g.mul(a, g.reduce(OpSum, b))
	default:
		return g.mul(b, g.reduce(OpSum, a))
	}
}

func (g *Graph) argNodes(nd *node) []Node {
	args := make([]Node, len(nd.args))
	for k, a := range nd.args {
		args[k] = g.handle(a)
	}
	return args
}
