package ad

import "fmt"

// A term is a node about to be built: its op, its arguments (arena
// indices), its parameters and the shape its shape rule gave it. Rewrites
// look at terms.
type term struct {
	op    Op
	args  []int32
	p     [3]int
	shape Shape
}

// A rewrite is one named simplification of an op: apply returns the node to
// use instead of building t, or false when the rule does not apply. The
// rules keep derivative graphs small and printed derivatives readable; a
// printed derivative is explained by them alone. Each is tested on its own
// (TestRewrites).
type rewrite struct {
	name  string
	apply func(g *Graph, t *term) (Node, bool)
}

// call builds op on args with integer arguments ints, both as a caller gives
// them: it checks the operands, resolves ints into the op's parameters, and
// builds.
func (g *Graph) call(op Op, args []Node, ints ...int) (Node, error) {
	d := &ops[op]
	if err := g.check(args...); err != nil {
		return Node{}, err
	}
	if len(args) != len(d.args) && !d.variadic() || len(ints) != len(d.ints) {
		return Node{}, fmt.Errorf("%s takes %d node and %d integer arguments, got %d and %d", d.name, len(d.args), len(d.ints), len(args), len(ints))
	}
	var p [3]int
	if d.resolve != nil {
		var err error
		if p, err = d.resolve(g.shapes(args), ints); err != nil {
			return Node{}, err
		}
	}
	return g.build(op, p, args...)
}

// build builds op on args (nodes of g) with parameters p: the shape rule,
// then the op's rewrites in order, then the node itself, or the equal node
// the graph already has.
func (g *Graph) build(op Op, p [3]int, args ...Node) (Node, error) {
	d := &ops[op]
	s, err := d.shape(op, g.shapes(args), p)
	if err != nil {
		return Node{}, err
	}
	t := term{op: op, p: p, shape: s, args: make([]int32, len(args))}
	for k, a := range args {
		t.args[k] = a.id - 1
	}
	for _, r := range d.rewrites {
		if n, ok := r.apply(g, &t); ok {
			return n, nil
		}
	}
	return g.add(node{op: op, shape: s, p: p}, t.args...), nil
}

func (g *Graph) shapes(args []Node) []Shape {
	s := make([]Shape, len(args))
	for k, a := range args {
		s[k] = g.at(a).shape
	}
	return s
}

// Internal builders for derivative rules and rewrites, whose operands are
// known to fit.
func (g *Graph) un(op Op, a Node) Node        { return must(g.build(op, [3]int{}, a)) }
func (g *Graph) bin(op Op, a, b Node) Node    { return must(g.build(op, [3]int{}, a, b)) }
func (g *Graph) add2(a, b Node) Node          { return g.bin(OpAdd, a, b) }
func (g *Graph) sub(a, b Node) Node           { return g.bin(OpSub, a, b) }
func (g *Graph) mul(a, b Node) Node           { return g.bin(OpMul, a, b) }
func (g *Graph) div(a, b Node) Node           { return g.bin(OpDiv, a, b) }
func (g *Graph) neg(a Node) Node              { return g.un(OpNeg, a) }
func (g *Graph) reduce(op Op, a ...Node) Node { return must(g.build(op, [3]int{}, a...)) }

// constVals returns the elements of a constant node of shape s (a scalar
// constant, a fill of one, or a vector constant), broadcasting to s.
func (g *Graph) constVals(i int32, n int) ([]float64, bool) {
	nd := &g.nodes[i]
	if nd.op == OpConst && nd.vec != nil {
		return nd.vec, true
	}
	c, ok := g.constant(i)
	if !ok {
		return nil, false
	}
	v := make([]float64, n)
	for k := range v {
		v[k] = c
	}
	return v, true
}

func (g *Graph) isConstNode(i int32) bool {
	_, ok := g.constant(i)
	return ok || g.nodes[i].op == OpConst
}

// shaped returns x, a scalar or a value of shape s, broadcast to shape s.
func (g *Graph) shaped(x Node, s Shape) Node {
	if g.at(x).shape == s {
		return x
	}
	return g.fill(x, s)
}

// fill returns the scalar x, or the scalar a fill holds, repeated to shape
// s.
func (g *Graph) fill(x Node, s Shape) Node {
	if s.IsScalar() {
		return x
	}
	if c, ok := g.constant(x.id - 1); ok && g.at(x).op == OpFill {
		x = g.Const(c)
	}
	return must(g.build(OpFill, s.params(), x))
}

func must(n Node, err error) Node {
	if err != nil {
		panic("ad: internal error: " + err.Error())
	}
	return n
}
