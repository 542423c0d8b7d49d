package ad

import (
	"math/rand/v2"
)

// randomExpr builds random expressions over two scalar variables and one
// vector variable of length vecLen, using every op. Arguments of functions
// with restricted domains are squashed into the domain, so that random
// points give finite values.
type randomExpr struct {
	g      *Graph
	rng    *rand.Rand
	vars   []Node
	vecLen int
}

func newRandomExpr(g *Graph, rng *rand.Rand, vecLen int) *randomExpr {
	a, _ := g.Var("a", Scalar())
	b, _ := g.Var("b", Scalar())
	v, _ := g.Var("v", Vector(vecLen))
	return &randomExpr{g: g, rng: rng, vars: []Node{a, b, v}, vecLen: vecLen}
}

// point returns a random point, flat: a, b, then v.
func (r *randomExpr) point(rng *rand.Rand) []float64 {
	x := make([]float64, 2+r.vecLen)
	for i := range x {
		x[i] = rng.Float64()*3 - 1.5
	}
	return x
}

// split turns a flat point into program inputs.
func (r *randomExpr) split(x []float64) [][]float64 {
	return [][]float64{x[0:1], x[1:2], x[2:]}
}

func (r *randomExpr) pick(n int) int { return r.rng.IntN(n) }

// squash maps any value into (-1, 1).
func (r *randomExpr) squash(x Node) Node { return r.g.un(OpTanh, x) }

// positive maps any value to at least 0.5.
func (r *randomExpr) positive(x Node) Node {
	return r.g.add2(r.g.Const(0.5), r.g.mul(x, x))
}

var unaryNames = []string{"neg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
	"exp", "log", "log1p", "expm1", "sqrt", "abs", "sigmoid", "softplus", "sign", "step"}
var binaryNames = []string{"+", "-", "*", "/", "pow", "atan2", "hypot", "min", "max"}

// unary applies a random one-argument function, keeping it in its domain.
func (r *randomExpr) unary(x Node) Node {
	g := r.g
	name := unaryNames[r.pick(len(unaryNames))]
	switch name {
	case "neg":
		return g.neg(x)
	case "asin", "acos", "tan":
		x = g.mul(g.Const(0.9), r.squash(x))
	case "log", "sqrt":
		x = r.positive(x)
	case "log1p":
		x = g.sub(r.positive(x), g.Const(0.4))
	case "exp", "sinh", "cosh", "expm1":
		x = g.mul(g.Const(2), r.squash(x))
	}
	return must(g.Call(name, x))
}

func (r *randomExpr) binary(x, y Node) Node {
	g := r.g
	name := binaryNames[r.pick(len(binaryNames))]
	switch name {
	case "/":
		y = r.positive(y)
	case "pow":
		x = r.positive(x)
		if r.pick(2) == 0 && g.Shape(y).IsScalar() {
			y = g.Const(float64(r.pick(5)) - 1)
		} else {
			y = r.squash(y)
		}
	case "hypot":
		x = g.add2(x, g.Const(0.3))
	}
	n, err := g.apply2(name, x, y)
	if err != nil {
		panic(err)
	}
	return n
}

// scalar returns a random scalar expression of the given depth.
func (r *randomExpr) scalar(depth int) Node {
	g := r.g
	if depth == 0 {
		switch r.pick(4) {
		case 0:
			return r.vars[0]
		case 1:
			return r.vars[1]
		case 2:
			return g.Const(float64(r.pick(7)) - 3 + 0.5)
		}
		return must(g.Index(r.vars[2], r.pick(r.vecLen)-1))
	}
	switch r.pick(5) {
	case 0:
		return r.unary(r.scalar(depth - 1))
	case 1, 2:
		return r.binary(r.scalar(depth-1), r.scalar(depth-1))
	}
	// A reduction of a vector expression.
	v := r.vector(depth - 1)
	switch r.pick(8) {
	case 0:
		return must(g.Call("sum", v))
	case 1:
		return must(g.Call("mean", v))
	case 2:
		return must(g.Call("dot", v, r.vector(depth-1)))
	case 3:
		return must(g.Call("norm", g.add2(v, g.Const(0.1))))
	case 4:
		return must(g.Call("logsumexp", v))
	case 5:
		return must(g.Call("max", v))
	case 6:
		return must(g.Call("min", v))
	}
	return must(g.Index(v, r.pick(r.vecLen)))
}

// vector returns a random vector expression of length vecLen.
func (r *randomExpr) vector(depth int) Node {
	g := r.g
	if depth == 0 {
		if r.pick(3) == 0 {
			return must(g.Range(r.vecLen))
		}
		return r.vars[2]
	}
	switch r.pick(8) {
	case 7:
		return must(g.Call("cumsum", r.vector(depth-1)))
	case 0:
		return r.unary(r.vector(depth - 1))
	case 1:
		return r.binary(r.vector(depth-1), r.vector(depth-1))
	case 2:
		return r.binary(r.scalar(depth-1), r.vector(depth-1))
	case 3:
		return r.binary(r.vector(depth-1), r.scalar(depth-1))
	case 4: // rotate: [v[1:], v[0]]
		v := r.vector(depth - 1)
		return must(g.Concat(must(g.Slice(v, 1, None, None)), must(g.Index(v, 0))))
	case 5: // reverse
		return must(g.Slice(r.vector(depth-1), None, None, -1))
	}
	// Scatter every other element of a strided slice back in place, plus
	// a fill.
	v := r.vector(depth - 1)
	s := must(g.Slice(v, None, None, 2))
	return g.add2(must(g.Scatter(s, r.vecLen, 0, 2)), must(g.Fill(r.scalar(depth-1), r.vecLen)))
}
