package ad

import "fmt"

// Shape is the static shape of a node's value: a scalar (rank 0) or a vector
// of n elements (rank 1). The representation keeps room for rank 2 so that
// matrices can be added without changing the type.
type Shape struct {
	rank uint8
	dims [2]int
}

// Scalar returns the shape of a single number.
func Scalar() Shape { return Shape{} }

// Vector returns the shape of a vector of n elements. n must be at least 1;
// Vector(0) and negative sizes are rejected where shapes are used.
func Vector(n int) Shape { return Shape{rank: 1, dims: [2]int{n, 0}} }

// Rank is 0 for a scalar and 1 for a vector.
func (s Shape) Rank() int { return int(s.rank) }

// IsScalar reports whether s is the scalar shape.
func (s Shape) IsScalar() bool { return s.rank == 0 }

// Dim returns the size of dimension i, which must be below Rank.
func (s Shape) Dim(i int) int { return s.dims[i] }

// Len is the number of elements: 1 for a scalar, n for a vector(n).
func (s Shape) Len() int {
	n := 1
	for i := 0; i < int(s.rank); i++ {
		n *= s.dims[i]
	}
	return n
}

// String returns "scalar" or "vector(n)".
func (s Shape) String() string {
	switch s.rank {
	case 0:
		return "scalar"
	case 1:
		return fmt.Sprintf("vector(%d)", s.dims[0])
	default:
		return fmt.Sprintf("matrix(%d×%d)", s.dims[0], s.dims[1])
	}
}

// broadcast returns the shape of an elementwise operation on a and b:
// equal shapes, or a scalar against anything.
func broadcast(op string, a, b Shape) (Shape, error) {
	switch {
	case a == b:
		return a, nil
	case a.IsScalar():
		return b, nil
	case b.IsScalar():
		return a, nil
	}
	return Shape{}, &ShapeError{Op: op, Shapes: []Shape{a, b}}
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
