package expr

import (
	"errors"

	"github.com/nabla-ad/nabla/ad"
)

// The matrix syntax of the language: the product x @ y.

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
