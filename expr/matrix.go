package expr

import (
	"errors"

	"github.com/nabla-ad/nabla/ad"
)

// The matrix syntax of the language: the product x @ y, and reductions
// along an axis written sum(A, axis=0).

// parseAxis parses the keyword argument axis=k that may end the arguments
// of a call: after parseList, an argument that is a name followed by "=".
func (p *parser) parseAxis(c *call) {
	if p.tok.kind != tAssign || p.bail {
		return
	}
	kw, ok := c.args[len(c.args)-1].(*name)
	switch {
	case !ok:
		p.errorf(c.args[len(c.args)-1].start(), "cannot assign to an expression (a keyword argument is written axis=k)")
		return
	case kw.id != "axis":
		p.errorf(kw.at, "unknown keyword argument %q (the only one is axis)", kw.id)
		return
	}
	p.next()
	c.args, c.axis = c.args[:len(c.args)-1], kw
	c.axisVal = p.parseExpr(precLowest)
	if p.tok.kind == tComma && !p.bail {
		p.errorf(p.tok.pos, "axis=… must be the last argument")
	}
}

// lowerAxisCall builds f(x, axis=k), a reduction along an axis or the size
// len(x, axis=k).
func (l *lowerer) lowerAxisCall(c *call) (ad.Node, bool) {
	if l.funcs[c.fn] != nil || derivatives[c.fn] != nil {
		l.errorf(c.axis.at, "%s has no axis argument", c.fn)
		return ad.Node{}, false
	}
	if _, _, known := ad.FuncArity(c.fn); !known {
		l.errorf(c.at, "unknown function %q%s", c.fn, didYouMean(c.fn, l.funcNames()))
		return ad.Node{}, false
	}
	if len(c.args) != 1 {
		l.errorf(c.at, "%s takes one argument before axis=, got %d", c.fn, len(c.args))
		l.lowerArgs(c)
		return ad.Node{}, false
	}
	x, ok := l.lower(c.args[0])
	axis, aok := l.constInt(c.axisVal, "axis")
	if !ok || !aok {
		return ad.Node{}, false
	}
	n, err := l.g.CallAxis(c.fn, x, axis)
	if err != nil {
		l.adError(c.axis.at, err)
		return ad.Node{}, false
	}
	return l.check(c.at)(n, nil)
}

// matmul builds the matrix product x @ y, reporting operands that do not
// fit at the operator.
func (l *lowerer) matmul(b *binary, x, y ad.Node) (ad.Node, bool) {
	n, err := l.g.MatMul(x, y)
	var se *ad.ShapeError
	if errors.As(err, &se) {
		msg := "shape mismatch: " + se.Shapes[0].String() + " @ " + se.Shapes[1].String()
		if se.Msg != "" {
			msg += " (" + se.Msg + ")"
		}
		l.errorf(b.opAt, "%s", msg)
		return ad.Node{}, false
	}
	return l.check(b.opAt)(n, err)
}
