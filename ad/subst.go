package ad

import (
	"errors"
	"fmt"
)

// Placeholder returns a new variable of shape s that stands for a value
// given later with Substitute. It is not one of g.Vars, has no name in the
// language and is equal to no other node. With it a derivative can be
// taken with respect to any value, not only a variable, as JAX's
// grad(f)(x) does: build f at a placeholder, differentiate with respect to
// the placeholder, then substitute the value.
func (g *Graph) Placeholder(s Shape) (Node, error) {
	if err := validShape(s); err != nil {
		return Node{}, fmt.Errorf("placeholder: %w", err)
	}
	// Pushed, not interned: every placeholder is a variable of its own.
	return g.push(node{op: OpVar, shape: s, name: "·"}), nil
}

// Substitute returns y with the variable x (often a Placeholder) replaced
// by v, which must have x's shape: every node of y that depends on x is
// built again, simplified and hash-consed as usual. Its work is in
// proportion to the nodes built after x, not to the whole graph.
func (g *Graph) Substitute(y, x, v Node) (Node, error) {
	if err := g.check(y, x, v); err != nil {
		return Node{}, err
	}
	if g.at(x).op != OpVar {
		return Node{}, errors.New("substitute: " + g.Format(x) + " is not a variable")
	}
	if sx, sv := g.at(x).shape, g.at(v).shape; sx != sv {
		return Node{}, &ShapeError{Op: "substitute", Shapes: []Shape{sx, sv}}
	}
	lo, top := x.id-1, y.id-1
	if top < lo {
		return y, nil // y was built before x
	}
	// to[i-lo] is the node that replaces node i, or a zero Node when i
	// does not depend on x.
	to := make([]Node, top-lo+1)
	to[0] = v
	var args []Node
	for i := lo + 1; i <= top; i++ {
		nd := &g.nodes[i]
		changed := false
		args = args[:0]
		for _, a := range nd.args {
			n := g.handle(a)
			if a >= lo && to[a-lo].IsValid() {
				n, changed = to[a-lo], true
			}
			args = append(args, n)
		}
		if changed {
			// The same op on arguments of the same shapes cannot fail.
			to[i-lo] = must(g.build(nd.op, nd.p, args...))
		}
	}
	if to[top-lo].IsValid() {
		return to[top-lo], nil
	}
	return y, nil
}
