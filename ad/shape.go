package ad

import (
	"fmt"
	"strings"
)

// maxRank is the highest rank a Shape holds. Shapes, broadcasting and the
// kernels that work along an axis are written for any rank up to it.
const maxRank = 2

// Shape is the static shape of a node's value: a scalar (rank 0), a vector
// of n elements (rank 1) or an m×n matrix (rank 2), whose elements are
// stored row by row. Shapes are comparable values.
type Shape struct {
	rank uint8
	dims [maxRank]int
}

// Scalar returns the shape of a single number.
func Scalar() Shape { return Shape{} }

// Vector returns the shape of a vector of n elements. n must be at least 1;
// Vector(0) and negative sizes are rejected where shapes are used.
func Vector(n int) Shape { return Shape{rank: 1, dims: [maxRank]int{n}} }

// Matrix returns the shape of an m×n matrix: m rows of n elements. Both
// sizes must be at least 1; others are rejected where shapes are used.
func Matrix(m, n int) Shape { return Shape{rank: 2, dims: [maxRank]int{m, n}} }

// Rank is 0 for a scalar, 1 for a vector and 2 for a matrix.
func (s Shape) Rank() int { return int(s.rank) }

// IsScalar reports whether s is the scalar shape.
func (s Shape) IsScalar() bool { return s.rank == 0 }

// Dim returns the size of dimension i, which must be below Rank: a
// matrix's Dim(0) is its number of rows, Dim(1) of columns.
func (s Shape) Dim(i int) int { return s.dims[i] }

// Dims returns the size of each dimension: none for a scalar.
func (s Shape) Dims() []int { return append([]int(nil), s.dims[:s.rank]...) }

// Len is the number of elements: 1 for a scalar, n for a vector(n), m·n
// for an m×n matrix.
func (s Shape) Len() int {
	n := 1
	for i := 0; i < int(s.rank); i++ {
		n *= s.dims[i]
	}
	return n
}

// String returns "scalar", "vector(n)" or "matrix(m×n)".
func (s Shape) String() string {
	switch s.rank {
	case 0:
		return "scalar"
	case 1:
		return fmt.Sprintf("vector(%d)", s.dims[0])
	}
	return fmt.Sprintf("matrix(%d×%d)", s.dims[0], s.dims[1])
}

// ElementName names element k of a value called name of shape s: name for a
// scalar, name[k] for a vector, name[i,j] for element k of a matrix, whose
// elements are counted row by row.
func ElementName(name string, s Shape, k int) string {
	switch s.rank {
	case 0:
		return name
	case 1:
		return fmt.Sprintf("%s[%d]", name, k)
	}
	idx := make([]string, s.rank)
	for i := int(s.rank) - 1; i >= 0; i-- {
		idx[i] = fmt.Sprint(k % s.dims[i])
		k /= s.dims[i]
	}
	return name + "[" + strings.Join(idx, ",") + "]"
}

// dimFromEnd returns the size of dimension i counted from the last (1 is
// the last), or 1 where s has no such dimension, as broadcasting aligns
// shapes.
func (s Shape) dimFromEnd(i int) int {
	if i > int(s.rank) {
		return 1
	}
	return s.dims[int(s.rank)-i]
}

// Broadcast returns the shape of an elementwise operation on values of
// shapes a and b, by NumPy's rules: the shapes are aligned at their last
// dimension, and in each dimension the sizes are equal or one of them is 1
// (or missing), which is repeated. So a scalar goes with anything, a
// vector of n goes with an m×n matrix as a row, an m×1 matrix as a column,
// and an m×1 column against a 1×n row makes an m×n matrix. Shapes that do
// not broadcast give a *ShapeError naming both.
func Broadcast(a, b Shape) (Shape, error) { return broadcast("broadcast", a, b) }

// broadcast is Broadcast for op, which the error names.
func broadcast(op string, a, b Shape) (Shape, error) {
	switch {
	case a == b:
		return a, nil
	case a.IsScalar():
		return b, nil
	case b.IsScalar():
		return a, nil
	}
	out := Shape{rank: max(a.rank, b.rank)}
	for i := 1; i <= int(out.rank); i++ {
		da, db := a.dimFromEnd(i), b.dimFromEnd(i)
		d := da
		switch {
		case da == db, db == 1:
		case da == 1:
			d = db
		default:
			return Shape{}, &ShapeError{Op: op, Shapes: []Shape{a, b}}
		}
		out.dims[int(out.rank)-i] = d
	}
	return out, nil
}

// broadcastsTo reports whether a value of shape s broadcasts to shape t
// without t changing.
func (s Shape) broadcastsTo(t Shape) bool {
	b, err := broadcast("", s, t)
	return err == nil && b == t
}

// params encodes a non-scalar shape as the integer parameters of the ops
// that make a value of a given shape (fill, reshape): its sizes, then
// zeros. shapeOf decodes them.
func (s Shape) params() [3]int {
	var p [3]int
	copy(p[:], s.dims[:s.rank])
	return p
}

// shapeOf decodes the shape that params encoded; sizes below 1 give an
// error.
func shapeOf(p [3]int) (Shape, error) {
	var s Shape
	for _, d := range p[:maxRank] {
		if d == 0 {
			break
		}
		s.dims[s.rank] = d
		s.rank++
	}
	if s.rank == 0 || p[s.rank] != 0 {
		return Shape{}, fmt.Errorf("bad shape %v", p)
	}
	return s, validShape(s)
}

// ShapeError reports operands whose shapes do not fit an operation.
type ShapeError struct {
	Op     string
	Shapes []Shape
	Msg    string // optional detail
}

func (e *ShapeError) Error() string {
	s := fmt.Sprintf("shape mismatch in %s:", e.Op)
	for i, sh := range e.Shapes {
		if i > 0 {
			s += " and"
		}
		s += " " + sh.String()
	}
	if e.Msg != "" {
		s += " (" + e.Msg + ")"
	}
	return s
}
