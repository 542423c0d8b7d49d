package gradbench

import (
	"math/bits"

	"github.com/nabla-ad/nabla/ad"
)

// maxEll bounds the order of det's matrices: the expansion has ℓ·2^(ℓ-1)
// products, one node each.
const maxEll = 14

// det is GradBench's determinant eval: the determinant of the ℓ×ℓ matrix A,
// given row-major, by expansion by minors, and its gradient.
var det = scalarModule(func(in *object) func() (*ad.Func, []float64, error) {
	a := in.vector("A")
	ell := in.integer("ell", 1, maxEll)
	if in.err == nil && len(a) != ell*ell {
		in.failf("A", "want ell² = %d elements, got %d", ell*ell, len(a))
	}
	return func() (*ad.Func, []float64, error) {
		b := ad.NewBuilder()
		f, err := b.Func(detByMinors(b, b.Var("A", ad.Vector(ell*ell)), ell))
		return f, a, err
	}
})

// detByMinors builds the determinant of the ell×ell matrix a, a vector of
// ell² elements in row-major order, by expansion by minors along the first
// row, as cmpad's det_by_minor computes it: the determinant of a minor is
// the alternating sum, over the columns it keeps, of its first row's
// element times the determinant of the minor without that row and column.
// The arithmetic is the expansion's, not a factorization's; but a minor is
// the same whichever columns were removed first, so each is built once and
// shared, and the graph has ell·2^(ell-1) products instead of ell!.
func detByMinors(b *ad.Builder, a ad.Node, ell int) ad.Node {
	// minors holds the determinant of each minor built, by the set of
	// columns it keeps; its rows are the last popcount(cols) rows.
	minors := make(map[uint64]ad.Node)
	var minor func(cols uint64) ad.Node
	minor = func(cols uint64) ad.Node {
		if d, ok := minors[cols]; ok {
			return d
		}
		row := ell - bits.OnesCount64(cols)
		var d ad.Node
		first := true
		for j, rest := 0, cols; rest != 0; j++ {
			col := bits.TrailingZeros64(rest)
			rest &^= 1 << col
			term := b.Index(a, row*ell+col)
			if sub := cols &^ (1 << col); sub != 0 {
				term = b.Mul(term, minor(sub))
			}
			switch {
			case first:
				d, first = term, false
			case j%2 == 0:
				d = b.Add(d, term)
			default:
				d = b.Sub(d, term)
			}
		}
		minors[cols] = d
		return d
	}
	return minor(1<<ell - 1)
}
