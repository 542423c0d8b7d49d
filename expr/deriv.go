package expr

import (
	"slices"

	"github.com/nabla-ad/nabla/ad"
)

// Derivatives inside the language: grad(e, v), jvp(e, v, dir) and
// hvp(e, v, dir) build the derivative of e with respect to v as nodes of
// the graph (ad.Graph.Grad, JVP and HVP), so that it can be differentiated
// again.
//
// When v is a variable, e is differentiated through everything it is
// computed from. When v is a binding (a function's parameter, a loop's
// state, any name = expr), the derivative is taken with respect to that
// value, as JAX's grad(lambda v: e)(v) is: e is built again with a
// placeholder variable in place of v, and so is every binding e uses whose
// definition uses v (bindings are inlined, so derivatives see through
// them); the derivative with respect to the placeholder then has v's value
// substituted for it.

// A derivative is one of grad, jvp and hvp.
type derivative struct {
	arity  int
	scalar bool // the expression must be a scalar
	build  func(g *ad.Graph, y, x, dir ad.Node) ([]ad.Node, error)
}

var derivatives = map[string]*derivative{
	"grad": {arity: 2, scalar: true, build: func(g *ad.Graph, y, x, _ ad.Node) ([]ad.Node, error) {
		return g.Grad(y, x)
	}},
	"jvp": {arity: 3, build: func(g *ad.Graph, y, x, dir ad.Node) ([]ad.Node, error) {
		return g.JVP([]ad.Node{y}, []ad.Node{x}, []ad.Node{dir})
	}},
	"hvp": {arity: 3, scalar: true, build: func(g *ad.Graph, y, x, dir ad.Node) ([]ad.Node, error) {
		return g.HVP(y, []ad.Node{x}, []ad.Node{dir})
	}},
}

// A gradCtx is a derivative being built with respect to binding b, which
// stands for placeholder ph while the expression is built.
type gradCtx struct {
	outer   *gradCtx
	b       *binding
	ph      ad.Node
	deps    map[*binding]bool  // whether a binding's definition uses b
	rebuilt map[*binding]built // bindings built again with ph for b
}

type built struct {
	n  ad.Node
	ok bool
}

// value returns the value of b where derivatives are being built with
// respect to bindings: a placeholder for one of them, b's definition
// built again when it uses one, otherwise b's node.
func (l *lowerer) value(b *binding) (ad.Node, bool) {
	if l.ctx == nil || !b.ok {
		return b.n, b.ok
	}
	for c := l.ctx; c != nil; c = c.outer {
		if c.b == b {
			return c.ph, true
		}
	}
	if r, ok := l.ctx.rebuilt[b]; ok {
		return r.n, r.ok
	}
	uses := false
	for c := l.ctx; c != nil && !uses; c = c.outer {
		uses = l.uses(c, b)
	}
	if !uses {
		return b.n, true
	}
	fr := l.fr
	l.fr = frame{fixed: b.refs}
	n, ok := l.lower(b.x)
	l.fr = fr
	l.ctx.rebuilt[b] = built{n, ok}
	return n, ok
}

// uses reports whether the definition of binding b uses c.b, directly, in
// a binding it names or in a function it calls.
func (l *lowerer) uses(c *gradCtx, b *binding) bool {
	switch {
	case b == c.b:
		return true
	case b.seq < c.b.seq:
		return false
	}
	if d, ok := c.deps[b]; ok {
		return d
	}
	c.deps[b] = false
	l.charge(b.at, 1)
	used := func(r *binding) bool { return l.uses(c, r) }
	d := slices.ContainsFunc(b.refs, used) ||
		slices.ContainsFunc(b.fns, func(f *userFunc) bool { return slices.ContainsFunc(f.refs, used) })
	c.deps[b] = d
	return d
}

// lowerDeriv builds a call of grad, jvp or hvp.
func (l *lowerer) lowerDeriv(c *call, d *derivative) (ad.Node, bool) {
	if !l.checkArity(c, d.arity) {
		l.lowerArgs(c)
		return ad.Node{}, false
	}
	v, isName := c.args[1].(*name)
	if !isName {
		l.errorf(c.args[1].start(), "%s differentiates with respect to a name (a variable or a binding), not an expression", c.fn)
		l.lowerArgs(c)
		return ad.Node{}, false
	}
	l.enterUnroll(c.at, false)
	defer l.leaveUnroll(false)
	var (
		y, x, at, dir ad.Node
		ok            bool
	)
	if b := l.lookup(v.id); b != nil {
		if at, ok = l.use(b); !ok {
			return ad.Node{}, false
		}
		ph, err := l.g.Placeholder(l.g.Shape(at))
		if err != nil {
			l.adError(v.at, err)
			return ad.Node{}, false
		}
		l.ctx = &gradCtx{outer: l.ctx, b: b, ph: ph, deps: map[*binding]bool{}, rebuilt: map[*binding]built{}}
		y, ok = l.lower(c.args[0])
		l.ctx = l.ctx.outer
		x = ph
	} else {
		y, ok = l.lower(c.args[0])
		var vok bool
		x, vok = l.lowerName(v)
		if vok && l.g.Op(x) != ad.OpVar {
			l.errorf(v.at, "%s differentiates with respect to a variable or a binding; %q is a constant", c.fn, v.id)
			vok = false
		}
		ok = ok && vok
	}
	if d.arity == 3 {
		var dok bool
		dir, dok = l.lower(c.args[2])
		ok = ok && dok
	}
	if !ok {
		return ad.Node{}, false
	}
	if s := l.g.Shape(y); d.scalar && !s.IsScalar() {
		l.errorf(c.args[0].start(), "%s takes a scalar expression, got %v", c.fn, s)
		return ad.Node{}, false
	}
	if sx, sd := l.g.Shape(x), l.g.Shape(dir); d.arity == 3 && sx != sd {
		l.errorf(c.args[2].start(), "%s direction must have the shape of %s (%v), got %v", c.fn, v.id, sx, sd)
		return ad.Node{}, false
	}
	outs, err := d.build(l.g, y, x, dir)
	out := ad.Node{}
	if err == nil {
		out = outs[0]
		if at.IsValid() {
			out, err = l.g.Substitute(out, x, at)
		}
	}
	if err != nil {
		l.adError(c.at, err)
		return ad.Node{}, false
	}
	// The transforms walk the nodes from x to y and build new ones after
	// them; Substitute walks those again.
	if !l.charge(c.at, l.g.Len()-x.ID()) {
		return ad.Node{}, false
	}
	return l.check(c.at)(out, nil)
}
