package expr

import (
	"errors"

	"github.com/nabla-ad/nabla/ad"
)

// The matrix syntax of the language: the product x @ y, the transpose
// A.T, subscripts of both axes A[i, j], A[:, lo:hi], matrix literals
// [[1, 2], [3, 4]], and reductions along an axis written sum(A, axis=0).

// parseAttribute parses the attribute after x and ".": the only one is T,
// the transpose, which is a call of transpose.
func (p *parser) parseAttribute(x node) node {
	if p.tok.kind != tName || p.tok.text != "T" {
		if p.tok.kind == tName {
			p.errorf(p.tok.pos, "unknown attribute .%s (the only one is .T, the transpose)", p.tok.text)
		} else {
			p.unexpected(` after ".", expected T`)
		}
		return x
	}
	p.next()
	return &call{at: x.start(), fn: "transpose", args: []node{x}}
}

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

// lowerSubscripts builds A[rows, cols]. The rows are picked first; the
// columns of what is left are then the elements of a row, or the rows of
// its transpose.
func (l *lowerer) lowerSubscripts(n *subscripts) (ad.Node, bool) {
	x, ok := l.lower(n.x)
	if ok {
		if s := l.g.Shape(x); s.Rank() != 2 {
			l.errorf(n.brack, "%v has one axis, not two (write x[i] or x[lo:hi])", s)
			ok = false
		}
	}
	if !ok {
		return ad.Node{}, false
	}
	a := x
	switch rows := n.rows.(type) {
	case *index:
		a, ok = l.indexOf(x, true, rows, true)
	case *slice:
		a, ok = l.sliceOf(x, true, rows)
	}
	if !ok {
		return ad.Node{}, false
	}
	if l.g.Shape(a).Rank() == 1 {
		switch cols := n.cols.(type) {
		case *index:
			return l.indexOf(a, true, cols, false)
		case *slice:
			return l.sliceOf(a, true, cols)
		}
	}
	t, ok := l.check(n.brack)(l.g.Call("transpose", a))
	if !ok {
		return ad.Node{}, false
	}
	switch cols := n.cols.(type) {
	case *index:
		if i, iok := l.constInt(cols.i, "index"); iok {
			if m := l.g.Shape(x).Dim(1); i < -m || i >= m {
				l.errorf(cols.i.start(), "column %d out of range for %v", i, l.g.Shape(x))
				return ad.Node{}, false
			}
		}
		return l.indexOf(t, true, cols, false)
	case *slice:
		c, ok := l.sliceOf(t, true, cols)
		if !ok {
			return ad.Node{}, false
		}
		return l.check(n.brack)(l.g.Call("transpose", c))
	}
	return ad.Node{}, false
}

// isMatrixLiteral reports whether a vector literal is a matrix literal:
// every element is itself a vector literal, a row.
func isMatrixLiteral(n *vector) bool {
	for _, e := range n.elems {
		if _, ok := e.(*vector); !ok {
			return false
		}
	}
	return true
}

// lowerMatrix builds a matrix literal [[a, b], [c, d]] of rows of one
// length, one below the other.
func (l *lowerer) lowerMatrix(n *vector) (ad.Node, bool) {
	rows := make([]ad.Node, len(n.elems))
	ok := true
	for i, e := range n.elems {
		var rok bool
		rows[i], rok = l.lower(e)
		if rok {
			if s := l.g.Shape(rows[i]); s.Rank() != 1 {
				l.errorf(e.start(), "a row of a matrix literal is a vector, not a %v", s)
				rok = false
			} else if s0 := l.g.Shape(rows[0]); ok && s != s0 {
				l.errorf(e.start(), "the rows of a matrix literal differ in length: %d and %d", s0.Len(), s.Len())
				rok = false
			}
		}
		ok = ok && rok
	}
	if !ok {
		return ad.Node{}, false
	}
	return l.check(n.at)(l.g.Call("vstack", rows...))
}
