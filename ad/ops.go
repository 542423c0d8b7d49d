package ad

import (
	"fmt"
	"math"
	"math/cmplx"
	"sort"
)

// Op identifies the operation that computes a node.
type Op uint8

// The operations. Elementwise operations broadcast a scalar against a vector.
const (
	OpInvalid Op = iota
	OpConst
	OpVar

	// Elementwise, one argument.
	OpNeg
	OpSin
	OpCos
	OpTan
	OpAsin
	OpAcos
	OpAtan
	OpSinh
	OpCosh
	OpTanh
	OpExp
	OpLog
	OpLog1p
	OpExpm1
	OpSqrt
	OpAbs
	OpSigmoid
	OpSoftplus
	OpSign
	OpStep

	// Elementwise, two arguments.
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpPow
	OpAtan2
	OpHypot
	OpMin
	OpMax

	// Reductions of a vector to a scalar.
	OpSum
	OpDot
	OpLogSumExp
	OpMaxOf
	OpMinOf

	// Structure.
	OpIndex      // x[i]
	OpSlice      // x[start::step], count elements
	OpConcat     // [a, b, ...]
	OpScatter    // zeros(n) with v placed at start, start+step, ...
	OpFill       // n copies of a scalar
	OpScatterAdd // base + scatter(v, len(base), start, step)
	OpCumsum     // running sums: x[0], x[0]+x[1], …

	numOps
)

type opKind uint8

const (
	kindLeaf opKind = iota
	kindElementwise
	kindReduce // scalar result; partials have the arguments' shapes
	kindLinear // structural: linear in its arguments
)

// opInfo is the single definition of an operation: its name in the
// language, its value kernels, its derivative rule, and its printed form.
type opInfo struct {
	name  string
	kind  opKind
	arity int // -1: any number
	f1    func(float64) float64
	f2    func(a, b float64) float64
	// c1 and c2 are the complex forms, for complex-step differentiation;
	// nil where the op has no analytic one.
	c1 func(complex128) complex128
	c2 func(a, b complex128) complex128
	// partials builds ∂y/∂arg_i for elementwise and reduce ops; a zero Node
	// stands for an exact zero. y is the node itself.
	partials func(g *Graph, y Node, args []Node) []Node
	// For linear ops: apply builds the same op on other arguments (the
	// forward rule), transpose builds the adjoint's contributions.
	apply     func(g *Graph, y *node, args []Node) Node
	transpose func(g *Graph, y *node, adj Node) []Node
	// infix operators print with precedence prec; functions print as calls.
	infix string
	prec  int
}

var ops [numOps]opInfo

func init() {
	u := func(op Op, name string, f func(float64) float64, c func(complex128) complex128, d func(g *Graph, y, x Node) Node) {
		ops[op] = opInfo{name: name, kind: kindElementwise, arity: 1, f1: f, c1: c,
			partials: func(g *Graph, y Node, a []Node) []Node { return []Node{d(g, y, a[0])} }}
	}
	b := func(op Op, name string, f func(a, b float64) float64, c func(a, b complex128) complex128, d func(g *Graph, y, a, b Node) (Node, Node)) {
		ops[op] = opInfo{name: name, kind: kindElementwise, arity: 2, f2: f, c2: c,
			partials: func(g *Graph, y Node, a []Node) []Node {
				da, db := d(g, y, a[0], a[1])
				return []Node{da, db}
			}}
	}
	ops[OpConst] = opInfo{name: "const", kind: kindLeaf}
	ops[OpVar] = opInfo{name: "var", kind: kindLeaf}

	u(OpNeg, "neg", func(x float64) float64 { return -x }, complexNeg, func(g *Graph, y, x Node) Node { return g.Const(-1) })
	u(OpSin, "sin", math.Sin, cmplx.Sin, func(g *Graph, y, x Node) Node { return g.un(OpCos, x) })
	u(OpCos, "cos", math.Cos, cmplx.Cos, func(g *Graph, y, x Node) Node { return g.neg(g.un(OpSin, x)) })
	u(OpTan, "tan", math.Tan, cmplx.Tan, func(g *Graph, y, x Node) Node { return g.add2(g.Const(1), g.mul(y, y)) })
	u(OpAsin, "asin", math.Asin, complexAsin, func(g *Graph, y, x Node) Node {
		return g.div(g.Const(1), g.un(OpSqrt, g.sub(g.Const(1), g.mul(x, x))))
	})
	u(OpAcos, "acos", math.Acos, complexAcos, func(g *Graph, y, x Node) Node {
		return g.div(g.Const(-1), g.un(OpSqrt, g.sub(g.Const(1), g.mul(x, x))))
	})
	u(OpAtan, "atan", math.Atan, complexAtan, func(g *Graph, y, x Node) Node {
		return g.div(g.Const(1), g.add2(g.Const(1), g.mul(x, x)))
	})
	u(OpSinh, "sinh", math.Sinh, cmplx.Sinh, func(g *Graph, y, x Node) Node { return g.un(OpCosh, x) })
	u(OpCosh, "cosh", math.Cosh, cmplx.Cosh, func(g *Graph, y, x Node) Node { return g.un(OpSinh, x) })
	// (1-y)(1+y), not 1-y², which cancels where tanh saturates.
	u(OpTanh, "tanh", math.Tanh, cmplx.Tanh, func(g *Graph, y, x Node) Node {
		return g.mul(g.sub(g.Const(1), y), g.add2(g.Const(1), y))
	})
	u(OpExp, "exp", math.Exp, cmplx.Exp, func(g *Graph, y, x Node) Node { return y })
	u(OpLog, "log", math.Log, cmplx.Log, func(g *Graph, y, x Node) Node { return g.div(g.Const(1), x) })
	u(OpLog1p, "log1p", math.Log1p, complexLog1p, func(g *Graph, y, x Node) Node { return g.div(g.Const(1), g.add2(g.Const(1), x)) })
	u(OpExpm1, "expm1", math.Expm1, complexExpm1, func(g *Graph, y, x Node) Node { return g.un(OpExp, x) })
	u(OpSqrt, "sqrt", math.Sqrt, cmplx.Sqrt, func(g *Graph, y, x Node) Node { return g.div(g.Const(0.5), y) })
	u(OpAbs, "abs", math.Abs, nil, func(g *Graph, y, x Node) Node { return g.un(OpSign, x) })
	// σ(x)σ(-x), not y(1-y), which cancels where σ saturates near 1.
	u(OpSigmoid, "sigmoid", sigmoid, complexSigmoid, func(g *Graph, y, x Node) Node { return g.mul(y, g.un(OpSigmoid, g.neg(x))) })
	u(OpSoftplus, "softplus", softplus, complexSoftplus, func(g *Graph, y, x Node) Node { return g.un(OpSigmoid, x) })
	u(OpSign, "sign", sign, nil, func(g *Graph, y, x Node) Node { return Node{} })
	u(OpStep, "step", step, nil, func(g *Graph, y, x Node) Node { return Node{} })

	b(OpAdd, "add", func(a, b float64) float64 { return a + b }, complexAdd,
		func(g *Graph, y, a, b Node) (Node, Node) { return g.Const(1), g.Const(1) })
	b(OpSub, "sub", func(a, b float64) float64 { return a - b }, complexSub,
		func(g *Graph, y, a, b Node) (Node, Node) { return g.Const(1), g.Const(-1) })
	b(OpMul, "mul", func(a, b float64) float64 { return a * b }, complexMul,
		func(g *Graph, y, a, b Node) (Node, Node) { return b, a })
	b(OpDiv, "div", func(a, b float64) float64 { return a / b }, complexDiv,
		func(g *Graph, y, a, b Node) (Node, Node) {
			r := g.div(g.Const(1), b)
			return r, g.neg(g.mul(y, r))
		})
	b(OpPow, "pow", pow, complexPow, func(g *Graph, y, a, b Node) (Node, Node) {
		var db Node
		if _, ok := g.constant(b.id - 1); !ok {
			db = g.mul(y, g.un(OpLog, a))
		}
		return g.mul(b, g.bin(OpPow, a, g.sub(b, g.Const(1)))), db
	})
	b(OpAtan2, "atan2", math.Atan2, complexAtan2, func(g *Graph, y, a, b Node) (Node, Node) {
		r := g.add2(g.mul(a, a), g.mul(b, b))
		return g.div(b, r), g.neg(g.div(a, r))
	})
	b(OpHypot, "hypot", math.Hypot, complexHypot, func(g *Graph, y, a, b Node) (Node, Node) {
		return g.div(a, y), g.div(b, y)
	})
	// min and max pick the first argument on ties, like JAX.
	b(OpMin, "min", math.Min, nil, func(g *Graph, y, a, b Node) (Node, Node) {
		s := g.un(OpStep, g.sub(b, a))
		return s, g.sub(g.Const(1), s)
	})
	b(OpMax, "max", math.Max, nil, func(g *Graph, y, a, b Node) (Node, Node) {
		s := g.un(OpStep, g.sub(a, b))
		return s, g.sub(g.Const(1), s)
	})
	for _, op := range []Op{OpAdd, OpSub, OpMul, OpDiv, OpPow} {
		ops[op].infix = map[Op]string{OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpPow: "^"}[op]
		ops[op].prec = map[Op]int{OpAdd: 1, OpSub: 1, OpMul: 2, OpDiv: 2, OpPow: 4}[op]
	}
	ops[OpNeg].prec = 3

	ops[OpSum] = opInfo{name: "sum", kind: kindLinear, arity: 1,
		apply: func(g *Graph, y *node, a []Node) Node { return g.reduce(OpSum, a[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.fill(adj, g.nodes[y.args[0]].shape)}
		}}
	ops[OpDot] = opInfo{name: "dot", kind: kindReduce, arity: 2,
		partials: func(g *Graph, y Node, a []Node) []Node { return []Node{a[1], a[0]} }}
	// The softmax, normalized: exp(v - y) alone carries y's rounding error,
	// which at v = 1e15 is a large part of each element, while any shift
	// cancels from exp(v - y) / sum(exp(v - y)). Shifting by y rather than
	// by max(v) keeps every term at most 1 without another reduction, and
	// without one that has no complex form.
	ops[OpLogSumExp] = opInfo{name: "logsumexp", kind: kindReduce, arity: 1,
		partials: func(g *Graph, y Node, a []Node) []Node {
			e := g.un(OpExp, g.sub(a[0], y))
			return []Node{g.div(e, g.reduce(OpSum, e))}
		}}
	// A maximum or minimum shared by several elements passes its gradient
	// to all of them in equal parts, as JAX does.
	ops[OpMaxOf] = opInfo{name: "max", kind: kindReduce, arity: 1,
		partials: func(g *Graph, y Node, a []Node) []Node {
			m := g.un(OpStep, g.sub(a[0], y))
			return []Node{g.div(m, g.reduce(OpSum, m))}
		}}
	ops[OpMinOf] = opInfo{name: "min", kind: kindReduce, arity: 1,
		partials: func(g *Graph, y Node, a []Node) []Node {
			m := g.un(OpStep, g.sub(y, a[0]))
			return []Node{g.div(m, g.reduce(OpSum, m))}
		}}

	ops[OpIndex] = opInfo{name: "index", kind: kindLinear, arity: 1,
		apply: func(g *Graph, y *node, a []Node) Node { return g.index(a[0], y.p[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.scatter(adj, g.nodes[y.args[0]].shape.Len(), y.p[0], 1)}
		}}
	ops[OpSlice] = opInfo{name: "slice", kind: kindLinear, arity: 1,
		apply: func(g *Graph, y *node, a []Node) Node { return g.slice(a[0], y.p[0], y.p[1], y.shape.Len()) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.scatter(adj, g.nodes[y.args[0]].shape.Len(), y.p[0], y.p[1])}
		}}
	ops[OpScatter] = opInfo{name: "scatter", kind: kindLinear, arity: 1,
		apply: func(g *Graph, y *node, a []Node) Node { return g.scatter(a[0], y.shape.Len(), y.p[0], y.p[1]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			v := g.nodes[y.args[0]].shape
			if v.IsScalar() {
				return []Node{g.index(adj, y.p[0])}
			}
			return []Node{g.slice(adj, y.p[0], y.p[1], v.Len())}
		}}
	ops[OpScatterAdd] = opInfo{name: "scatteradd", kind: kindLinear, arity: 2,
		apply: func(g *Graph, y *node, a []Node) Node {
			return g.add2(a[0], g.scatter(a[1], y.shape.Len(), y.p[0], y.p[1]))
		},
		transpose: func(g *Graph, y *node, adj Node) []Node {
			v := g.nodes[y.args[1]].shape
			if v.IsScalar() {
				return []Node{adj, g.index(adj, y.p[0])}
			}
			return []Node{adj, g.slice(adj, y.p[0], y.p[1], v.Len())}
		}}
	ops[OpCumsum] = opInfo{name: "cumsum", kind: kindLinear, arity: 1,
		apply: func(g *Graph, y *node, a []Node) Node { return g.cumsum(a[0]) },
		// The adjoint of running sums is running sums from the end.
		transpose: func(g *Graph, y *node, adj Node) []Node {
			n := y.shape.Len()
			return []Node{g.slice(g.cumsum(g.slice(adj, n-1, -1, n)), n-1, -1, n)}
		}}
	ops[OpFill] = opInfo{name: "fill", kind: kindLinear, arity: 1,
		apply:     func(g *Graph, y *node, a []Node) Node { return g.fill(a[0], y.shape) },
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{g.reduce(OpSum, adj)} }}
	ops[OpConcat] = opInfo{name: "concat", kind: kindLinear, arity: -1,
		apply: func(g *Graph, y *node, a []Node) Node { return must(g.Concat(a...)) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			out := make([]Node, len(y.args))
			off := 0
			for i, a := range y.args {
				s := g.nodes[a].shape
				if s.IsScalar() {
					out[i] = g.index(adj, off)
				} else {
					out[i] = g.slice(adj, off, 1, s.Len())
				}
				off += s.Len()
			}
			return out
		}}
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1+exp(x)), computed without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// sign is -1, 0 or 1; it is 0 at 0, which makes abs'(0) = 0.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x // NaN
}

// step is 1 for x ≥ 0 and 0 below: step(a - b) is a ≥ b, which gives min
// and max's derivative to their first argument on ties.
func step(x float64) float64 {
	switch {
	case x >= 0:
		return 1
	case x < 0:
		return 0
	}
	return x // NaN
}

// pow is math.Pow with fast paths for small integer exponents.
func pow(a, b float64) float64 {
	switch b {
	case 2:
		return a * a
	case 1:
		return a
	case 3:
		return a * a * a
	case 0.5:
		return math.Sqrt(a)
	case -1:
		return 1 / a
	}
	return math.Pow(a, b)
}

// funcs maps the language's function names to operations: the first entry
// for one argument, the second for two.
var funcs = map[string][2]Op{}

func init() {
	for op := OpNeg + 1; op < numOps; op++ {
		in := ops[op]
		if in.infix != "" || op == OpIndex || op == OpSlice || op == OpConcat || op == OpScatter || op == OpScatterAdd || op == OpFill {
			continue
		}
		e := funcs[in.name]
		e[in.arity-1] = op
		funcs[in.name] = e
	}
	funcs["pow"] = [2]Op{0, OpPow}
}

// Functions that are compositions of ops, or take integer parameters.
var composite = map[string][2]int{
	"mean":    {1, 1},
	"norm":    {1, 1},
	"fill":    {2, 2},
	"scatter": {4, 4},
}

// FuncArity reports the number of arguments the language function name takes.
func FuncArity(name string) (min, max int, ok bool) {
	if a, ok := composite[name]; ok {
		return a[0], a[1], true
	}
	e, ok := funcs[name]
	if !ok {
		return 0, 0, false
	}
	min, max = 2, 1
	if e[0] != 0 {
		min = 1
		max = 1
	}
	if e[1] != 0 {
		max = 2
	}
	return min, max, true
}

// FuncNames returns the names of the language's functions, sorted.
func FuncNames() []string {
	var names []string
	for n := range funcs {
		names = append(names, n)
	}
	for n := range composite {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Call applies the language function name to args. min and max take two
// arguments elementwise or one vector to reduce; fill(s, n) and
// scatter(v, n, start, step) take constant integer parameters.
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
		if max != min {
			want = fmt.Sprintf("%d or %d", min, max)
		}
		return Node{}, fmt.Errorf("%s takes %s argument%s, got %d", name, want, plural(max), len(args))
	}
	switch name {
	case "mean":
		s := g.Shape(args[0])
		return g.Mul(g.reduce(OpSum, args[0]), g.Const(1/float64(s.Len())))
	case "norm":
		return g.Call("sqrt", g.reduce(OpDot, args[0], args[0]))
	case "fill":
		n, err := g.intParam(name, args[1])
		if err != nil {
			return Node{}, err
		}
		return g.Fill(args[0], n)
	case "scatter":
		var p [3]int
		for i := range p {
			v, err := g.intParam(name, args[i+1])
			if err != nil {
				return Node{}, err
			}
			p[i] = v
		}
		return g.Scatter(args[0], p[0], p[1], p[2])
	}
	op := funcs[name][len(args)-1]
	if op == OpCumsum {
		return g.cumsum(args[0]), nil
	}
	switch ops[op].kind {
	case kindElementwise:
		if len(args) == 1 {
			return g.unary(op, args[0])
		}
		return g.binary(op, args[0], args[1])
	}
	switch op {
	case OpDot:
		if sa, sb := g.Shape(args[0]), g.Shape(args[1]); sa != sb {
			return Node{}, &ShapeError{Op: "dot", Shapes: []Shape{sa, sb}}
		}
	}
	return g.reduce(op, args...), nil
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

func must(n Node, err error) Node {
	if err != nil {
		panic("ad: internal error: " + err.Error())
	}
	return n
}
