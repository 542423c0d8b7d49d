package ad

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
)

// A Builtin is one form of a function of nabla's expression language: an
// operation of the op table that the language calls by name, or one of the
// few functions composed of operations (mean, norm, len, range). min and
// max have two forms each: elementwise of two arguments, and the reduction
// of one vector. Package expr takes the language's functions from here, and
// docs/language.md lists them (go generate keeps the list current).
type Builtin struct {
	Name   string   // the function's name
	Params []string // its parameters; integer ones take constant integers
	Doc    string   // one line of documentation
}

// String returns the call as the language writes it: "atan2(y, x)".
func (b Builtin) String() string { return callForm(b.Name, b.Params) }

func callForm(name string, params []string) string {
	return name + "(" + strings.Join(params, ", ") + ")"
}

// A function is one form of a language function: an op, or build for a
// composition.
type function struct {
	Builtin
	op    Op
	build func(g *Graph, args []Node) (Node, error)
}

// composites are the functions of the language that are not one op.
var composites = []function{
	{Builtin: Builtin{"mean", []string{"v"}, "the mean of the elements of v"},
		build: func(g *Graph, args []Node) (Node, error) {
			return g.Mul(g.reduce(OpSum, args[0]), g.Const(1/float64(g.Shape(args[0]).Len())))
		}},
	{Builtin: Builtin{"norm", []string{"v"}, "the Euclidean norm of v, √dot(v, v)"},
		build: func(g *Graph, args []Node) (Node, error) {
			return g.call(OpSqrt, []Node{g.reduce(OpDot, args[0], args[0])})
		}},
	{Builtin: Builtin{"mean", []string{"x", "axis"}, "the means of x along axis: mean(A, 0) is the vector of the column means of A"},
		build: func(g *Graph, args []Node) (Node, error) {
			axis, err := g.intParam("mean", args[1])
			if err != nil {
				return Node{}, err
			}
			s, err := g.call(OpSumAxis, args[:1], axis)
			if err != nil {
				return Node{}, err
			}
			return g.Mul(s, g.Const(float64(g.Shape(s).Len())/float64(g.Shape(args[0]).Len())))
		}},
	{Builtin: Builtin{"len", []string{"x"}, "the length of the vector x, or the number of rows of the matrix x, a constant"},
		build: func(g *Graph, args []Node) (Node, error) {
			s := g.Shape(args[0])
			if s.IsScalar() {
				return Node{}, fmt.Errorf("len of a scalar (len takes a vector or a matrix)")
			}
			return g.Const(float64(s.Dim(0))), nil
		}},
	{Builtin: Builtin{"len", []string{"x", "axis"}, "the size of x along axis: len(A, 1) is the number of columns of A, a constant"},
		build: func(g *Graph, args []Node) (Node, error) {
			axis, err := g.intParam("len", args[1])
			if err != nil {
				return Node{}, err
			}
			p, err := resolveAxis(g.shapes(args[:1]), []int{axis})
			if err != nil {
				return Node{}, fmt.Errorf("len: %w", err)
			}
			return g.Const(float64(g.Shape(args[0]).Dim(p[0]))), nil
		}},
	{Builtin: Builtin{"flatten", []string{"x"}, "the elements of x, row by row, as a vector"},
		build: func(g *Graph, args []Node) (Node, error) {
			s := g.Shape(args[0])
			if s.IsScalar() {
				return Node{}, errors.New("flatten of a scalar (flatten takes a vector or a matrix)")
			}
			return g.reshape(args[0], Vector(s.Len())), nil
		}},
	{Builtin: Builtin{"fill", []string{"s", "m", "n"}, "the m×n matrix of copies of the scalar s"},
		build: func(g *Graph, args []Node) (Node, error) {
			m, err := g.intParam("fill", args[1])
			if err != nil {
				return Node{}, err
			}
			n, err := g.intParam("fill", args[2])
			if err != nil {
				return Node{}, err
			}
			return g.build(OpFill, [3]int{m, n}, args[0])
		}},
	{Builtin: Builtin{"outer", []string{"u", "v"}, "the outer product of the vectors u and v, the matrix of uᵢvⱼ"},
		build: func(g *Graph, args []Node) (Node, error) {
			u, v := g.Shape(args[0]), g.Shape(args[1])
			if u.Rank() != 1 || v.Rank() != 1 {
				return Node{}, &ShapeError{Op: "outer", Shapes: []Shape{u, v}, Msg: "outer takes two vectors"}
			}
			return g.outer(args[0], args[1]), nil
		}},
	{Builtin: Builtin{"hstack", []string{"xs..."}, "the vectors xs joined into one vector, or the matrices xs of one number of rows side by side"},
		build: func(g *Graph, args []Node) (Node, error) {
			shapes := g.shapes(args)
			switch {
			case !slices.ContainsFunc(shapes, func(s Shape) bool { return s.Rank() != 1 }):
				return g.Concat(args...)
			case slices.ContainsFunc(shapes, func(s Shape) bool { return s.Rank() != 2 }):
				return Node{}, &ShapeError{Op: "hstack", Shapes: shapes, Msg: "hstack takes vectors or matrices, not both"}
			}
			ts := make([]Node, len(args))
			for k, a := range args {
				ts[k] = g.transpose(a)
			}
			v, err := g.build(OpVStack, [3]int{}, ts...)
			if err != nil {
				return Node{}, &ShapeError{Op: "hstack", Shapes: shapes, Msg: "hstack takes matrices of one number of rows"}
			}
			return g.transpose(v), nil
		}},
	{Builtin: Builtin{"tril", []string{"v", "n"}, "tril(v, n, 0): the n×n lower-triangular matrix, diagonal included, of the entries v row by row"},
		build: func(g *Graph, args []Node) (Node, error) {
			n, err := g.intParam("tril", args[1])
			if err != nil {
				return Node{}, err
			}
			return g.call(OpTril, args[:1], n, 0)
		}},
	{Builtin: Builtin{"trilvec", []string{"A"}, "trilvec(A, 0): the entries of A on and below its diagonal, row by row"},
		build: func(g *Graph, args []Node) (Node, error) { return g.call(OpTrilVec, args, 0) }},
	argOfAll("argmin", OpArgMin, "smallest"),
	argOfAll("argmax", OpArgMax, "largest"),
	{Builtin: Builtin{"range", []string{"n"}, "the constant vector 0, 1, …, n−1 (n ≥ 1)"},
		build: func(g *Graph, args []Node) (Node, error) {
			n, err := g.intParam("range", args[0])
			if err != nil {
				return Node{}, err
			}
			return g.Range(n)
		}},
}

// argOfAll is the one-argument form of argmin or argmax: the index of the
// extreme element of a vector, or of a matrix's elements row by row, as
// NumPy's argmin(A) is.
func argOfAll(name string, op Op, which string) function {
	return function{Builtin: Builtin{name, []string{"v"}, fmt.Sprintf("the index of the %s element of v, the first of equal ones, NaN if v has a NaN; of a matrix, of its elements row by row (derivative 0)", which)},
		build: func(g *Graph, args []Node) (Node, error) {
			s := g.Shape(args[0])
			if s.IsScalar() {
				return Node{}, fmt.Errorf("%s of a scalar (%s takes a vector or a matrix)", name, name)
			}
			return g.call(op, []Node{g.reshape(args[0], Vector(s.Len()))}, 0)
		}}
}

// functions are the forms of the language's functions by name, ordered by
// their number of parameters.
var functions = sync.OnceValue(func() map[string][]function {
	m := map[string][]function{}
	for op := range numOps {
		if d := &ops[op]; d.kind != kindLeaf && d.isFunc() {
			params := slices.Concat(d.args, d.ints)
			m[d.name] = append(m[d.name], function{Builtin: Builtin{d.name, params, d.doc}, op: op})
		}
	}
	for _, c := range composites {
		m[c.Name] = append(m[c.Name], c)
	}
	for _, forms := range m {
		slices.SortFunc(forms, func(a, b function) int { return cmp.Compare(len(a.Params), len(b.Params)) })
	}
	return m
})

// Builtins returns the functions of the language, sorted by name and, for
// a name with two forms, by number of parameters.
func Builtins() []Builtin {
	var bs []Builtin
	for _, name := range FuncNames() {
		for _, f := range functions()[name] {
			bs = append(bs, f.Builtin)
		}
	}
	return bs
}

// FuncNames returns the names of the language's functions, sorted.
func FuncNames() []string { return slices.Sorted(maps.Keys(functions())) }

// FuncArity reports the number of arguments the language function name
// takes; max is math.MaxInt for a function of any number of arguments
// (vstack).
func FuncArity(name string) (min, max int, ok bool) {
	forms := functions()[name]
	if len(forms) == 0 {
		return 0, 0, false
	}
	last := forms[len(forms)-1]
	if last.variadic() {
		return len(forms[0].Params), math.MaxInt, true
	}
	return len(forms[0].Params), len(last.Params), true
}

// variadic reports whether a form takes any number of arguments: its last
// parameter is written xs....
func (f *function) variadic() bool {
	n := len(f.Params)
	return n > 0 && strings.HasSuffix(f.Params[n-1], "...")
}

// takes reports whether the form takes n arguments.
func (f *function) takes(n int) bool {
	if f.variadic() {
		return n >= len(f.Params)
	}
	return n == len(f.Params)
}

// Call applies the language function name to args. min and max take two
// arguments elementwise or one vector to reduce; the integer parameters of
// fill(s, n), scatter(v, n, start, step) and range(n) are constant nodes.
func (g *Graph) Call(name string, args ...Node) (Node, error) {
	if err := g.check(args...); err != nil {
		return Node{}, err
	}
	min, max, ok := FuncArity(name)
	if !ok {
		return Node{}, fmt.Errorf("unknown function %q", name)
	}
	if len(args) < min || len(args) > max {
		want := fmt.Sprint(min)
		switch {
		case max == math.MaxInt:
			want = "at least " + want
		case max != min:
			want = fmt.Sprintf("%d or %d", min, max)
		}
		return Node{}, fmt.Errorf("%s takes %s argument%s, got %d", name, want, plural(max), len(args))
	}
	// Of two forms with as many parameters, the one along an axis is the
	// second: max(x, y) is elementwise, max(A, axis=k) is CallAxis.
	i := slices.IndexFunc(functions()[name], func(f function) bool { return f.takes(len(args)) })
	return g.callForm(functions()[name][i], args)
}

// CallAxis applies the reduction name (sum, mean, max, min, logsumexp) to
// x along axis, as the language's name(x, axis=k) does; len(x, axis=k) is
// the size along the axis. A negative axis counts from the last.
func (g *Graph) CallAxis(name string, x Node, axis int) (Node, error) {
	if err := g.check(x); err != nil {
		return Node{}, err
	}
	forms := functions()[name]
	i := slices.IndexFunc(forms, func(f function) bool { return len(f.Params) == 2 && f.Params[1] == "axis" })
	if i < 0 {
		if len(forms) == 0 {
			return Node{}, fmt.Errorf("unknown function %q", name)
		}
		return Node{}, fmt.Errorf("%s has no axis argument", name)
	}
	return g.callForm(forms[i], []Node{x, g.Const(float64(axis))})
}

// callForm applies the form f of a language function to args.
func (g *Graph) callForm(f function, args []Node) (Node, error) {
	name := f.Name
	if f.build != nil {
		return f.build(g, args)
	}
	d := &ops[f.op]
	if d.variadic() {
		return g.call(f.op, args)
	}
	ints := make([]int, len(d.ints))
	for k, p := range args[len(d.args):] {
		v, err := g.intParam(name, p)
		if err != nil {
			return Node{}, err
		}
		ints[k] = v
	}
	return g.call(f.op, args[:len(d.args)], ints...)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (g *Graph) intParam(fn string, n Node) (int, error) {
	v, ok := g.ConstValue(n)
	if !ok || v != math.Trunc(v) || math.Abs(v) > 1<<40 {
		return 0, fmt.Errorf("%s: integer parameters must be constant integers", fn)
	}
	return int(v), nil
}
