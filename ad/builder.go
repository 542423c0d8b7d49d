package ad

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Builder builds a function in Go with one typed method per operation, so
// that building reads like the math:
//
//	b := ad.NewBuilder()
//	x, y := b.Var("x", ad.Scalar()), b.Var("y", ad.Scalar())
//	f, err := b.Func(b.Add(b.Mul(b.Sin(x), b.Exp(y)), b.Mul(b.Pow(x, b.Const(2)), y)))
//
// Its methods return no errors. The first misuse (operands whose shapes do
// not fit, a node of another graph, an index out of range) is kept and
// later methods do nothing; Func returns the error, which names the method
// and its operands' shapes. The methods of the operations (Sin, Add, Sum,
// Slice, …) are generated from the op table, so every operation has one.
type Builder struct {
	g   *Graph
	err error
}

// NewBuilder returns a Builder with an empty graph.
func NewBuilder() *Builder { return &Builder{g: NewGraph()} }

// Graph returns the graph the builder builds into.
func (b *Builder) Graph() *Graph { return b.g }

// Err returns the first error of the builder's methods, or nil.
func (b *Builder) Err() error { return b.err }

// Var returns the variable called name with shape s, as Graph.Var does.
func (b *Builder) Var(name string, s Shape) Node {
	if b.err != nil {
		return Node{}
	}
	n, err := b.g.Var(name, s)
	if err != nil {
		b.err = fmt.Errorf("Builder.Var(%q, %s): %w", name, s, err)
	}
	return n
}

// Const returns the scalar constant v.
func (b *Builder) Const(v float64) Node { return b.g.Const(v) }

// ConstVec returns a vector constant holding a copy of v, which must not be
// empty.
func (b *Builder) ConstVec(v []float64) Node {
	if b.err != nil {
		return Node{}
	}
	if len(v) == 0 {
		b.err = errors.New("Builder.ConstVec: empty vector")
		return Node{}
	}
	return b.g.ConstVec(v)
}

// ConstMatrix returns an m×n matrix constant holding a copy of v, its
// elements row by row.
func (b *Builder) ConstMatrix(m, n int, v []float64) Node {
	if b.err != nil {
		return Node{}
	}
	if s := Matrix(m, n); validShape(s) != nil || len(v) != m*n {
		b.err = fmt.Errorf("Builder.ConstMatrix(%d, %d): %d values", m, n, len(v))
		return Node{}
	}
	return b.g.ConstMatrix(m, n, v)
}

// Range returns the constant vector 0, 1, …, n-1.
func (b *Builder) Range(n int) Node {
	if b.err != nil {
		return Node{}
	}
	r, err := b.g.Range(n)
	if err != nil {
		b.err = fmt.Errorf("Builder.Range(%d): %w", n, err)
	}
	return r
}

// Func returns the function whose value is y, a scalar, of the variables
// vars (all the builder's variables, in creation order, when vars is
// empty), as NewFunc does; or the builder's first error. The builder can
// go on building afterwards: the Func keeps a copy of the graph.
func (b *Builder) Func(y Node, vars ...Node) (*Func, error) {
	if b.err != nil {
		return nil, b.err
	}
	f, err := NewFunc(b.g, y, vars...)
	if err != nil {
		b.fail("Func", append([]Node{y}, vars...), nil, err)
		return nil, b.err
	}
	return f, nil
}

// VectorFunc returns the function whose value is y, of any shape, of the
// variables vars (all the builder's variables when vars is empty), as
// NewVectorFunc does; or the builder's first error.
func (b *Builder) VectorFunc(y Node, vars ...Node) (*VectorFunc, error) {
	if b.err != nil {
		return nil, b.err
	}
	f, err := NewVectorFunc(b.g, y, vars...)
	if err != nil {
		b.fail("VectorFunc", append([]Node{y}, vars...), nil, err)
		return nil, b.err
	}
	return f, nil
}

// FuncOfVector returns, as a Func, the function of one vector x of n
// elements that build builds: a function of a vector written in Go.
//
//	f, err := ad.FuncOfVector(3, func(b *ad.Builder, x ad.Node) ad.Node {
//		return b.Sum(b.Mul(x, x))
//	})
func FuncOfVector(n int, build func(b *Builder, x Node) Node) (*Func, error) {
	b := NewBuilder()
	x := b.Var("x", Vector(n))
	return b.Func(build(b, x))
}

// Mean returns mean(v): the mean of the elements of v.
func (b *Builder) Mean(v Node) Node { return b.function("Mean", "mean", v) }

// Norm returns norm(v): the Euclidean norm of v, √dot(v, v).
func (b *Builder) Norm(v Node) Node { return b.function("Norm", "norm", v) }

// function applies the language function name, for the methods of
// functions that are not one op.
func (b *Builder) function(method, name string, args ...Node) Node {
	if b.err != nil {
		return Node{}
	}
	n, err := b.g.Call(name, args...)
	if err != nil {
		b.fail(method, args, nil, err)
	}
	return n
}

// op builds op on args and ints, the method of an operation.
func (b *Builder) op(op Op, args []Node, ints ...int) Node {
	if b.err != nil {
		return Node{}
	}
	n, err := b.g.call(op, args, ints...)
	if err != nil {
		b.fail(ops[op].goName, args, ints, err)
	}
	return n
}

// fail keeps err, naming the method and its operands.
func (b *Builder) fail(method string, args []Node, ints []int, err error) {
	var operands []string
	for _, a := range args {
		switch {
		case b.g.check(a) == nil:
			operands = append(operands, b.g.Shape(a).String())
		case !a.IsValid():
			operands = append(operands, "the zero Node")
		default:
			operands = append(operands, "a node of another graph")
		}
	}
	for _, i := range ints {
		if i == None {
			operands = append(operands, "None")
		} else {
			operands = append(operands, strconv.Itoa(i))
		}
	}
	b.err = fmt.Errorf("Builder.%s(%s): %w", method, strings.Join(operands, ", "), err)
}
