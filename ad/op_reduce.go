package ad

import (
	"math"
	"math/cmplx"
)

// The reductions of a vector to a scalar. A reduction of a scalar is the
// scalar itself.
func init() {
	defineReduction(opDef{op: OpSum, gen: genForm{init: "0.0", step: "%[1]s += %[2]s"},
		kind: kindLinear, name: "sum", args: []string{"v"},
		doc: "the sum of the elements of v",
		rewrites: []rewrite{ofScalar,
			{"sum(fill(c, n)) → n*c", func(g *Graph, t *term) (Node, bool) {
				if c, ok := g.constant(t.args[0]); ok {
					return g.Const(c * float64(g.nodes[t.args[0]].shape.Len())), true
				}
				return Node{}, false
			}},
			{"sum(constant vector) → constant", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpConst {
					s := 0.0
					for _, v := range nd.vec {
						s += v
					}
					return g.Const(s), true
				}
				return Node{}, false
			}},
		},
		kernel: sumV, acc: sumAcc,
		cplx: func(_ *node, args [][]complex128, out []complex128) {
			for _, z := range args[0] {
				out[0] += z
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.reduce(OpSum, a[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.fill(adj, g.nodes[y.args[0]].shape)}
		}})

	defineReduction(opDef{op: OpDot, gen: genForm{init: "0.0", step: "%[1]s += %[2]s * %[3]s"},
		name: "dot", args: []string{"x", "y"},
		doc: "the inner product of x and y, vectors of equal length",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) {
			if in[0] != in[1] {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in}
			}
			return Scalar(), nil
		},
		rewrites: []rewrite{
			{"dot(x, y) → x*y for scalars", func(g *Graph, t *term) (Node, bool) {
				if g.nodes[t.args[0]].shape.IsScalar() {
					return g.mul(g.handle(t.args[0]), g.handle(t.args[1])), true
				}
				return Node{}, false
			}},
			{"dot(0, y) → 0", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) {
					return g.Const(0), true
				}
				return Node{}, false
			}},
			{"dot(x, 0) → 0", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[1], 0) {
					return g.Const(0), true
				}
				return Node{}, false
			}},
			{"dot(fill(c), y) → c*sum(y)", func(g *Graph, t *term) (Node, bool) {
				if c, ok := g.constant(t.args[0]); ok {
					return g.mul(g.Const(c), g.reduce(OpSum, g.handle(t.args[1]))), true
				}
				return Node{}, false
			}},
			{"dot(x, fill(c)) → c*sum(x)", func(g *Graph, t *term) (Node, bool) {
				if c, ok := g.constant(t.args[1]); ok {
					return g.mul(g.Const(c), g.reduce(OpSum, g.handle(t.args[0]))), true
				}
				return Node{}, false
			}},
		},
		kernel: dotV, acc: dotAcc,
		cplx: func(_ *node, args [][]complex128, out []complex128) {
			for j, z := range args[0] {
				out[0] += z * args[1][j]
			}
		},
		partials: func(g *Graph, y Node, a []Node) []Node { return []Node{a[1], a[0]} }})

	defineReduction(opDef{op: OpLogSumExp, gen: genForm{code: true},
		name: "logsumexp", goName: "LogSumExp", args: []string{"v"},
		doc:      "log Σ exp(vᵢ), computed without overflow",
		rewrites: []rewrite{ofScalar},
		kernel:   logSumExpV,
		cplx: func(_ *node, args [][]complex128, out []complex128) {
			m := math.Inf(-1)
			for _, z := range args[0] {
				m = math.Max(m, real(z))
			}
			var t complex128
			for _, z := range args[0] {
				t += cmplx.Exp(z - complex(m, 0))
			}
			out[0] = complex(m, 0) + cmplx.Log(t)
		},
		// The softmax, normalized: exp(v - y) alone carries y's rounding
		// error, which at v = 1e15 is a large part of each element, while
		// any shift cancels from exp(v - y) / sum(exp(v - y)). Shifting by y
		// rather than by max(v) keeps every term at most 1 without another
		// reduction, and without one that has no complex form.
		partials: func(g *Graph, y Node, a []Node) []Node {
			e := g.un(OpExp, g.sub(a[0], y))
			return []Node{g.div(e, g.reduce(OpSum, e))}
		}})

	// A maximum or minimum shared by several elements passes its gradient
	// to all of them in equal parts, as JAX does.
	defineReduction(opDef{op: OpMaxOf, gen: genForm{init: "math.Inf(-1)", step: "if %[2]s > %[1]s || %[2]s != %[2]s {\n%[1]s = %[2]s\n}"},
		name: "max", goName: "MaxOf", args: []string{"v"},
		doc:      "the largest element of v (tied elements share the derivative)",
		rewrites: []rewrite{ofScalar},
		kernel:   maxOfV,
		// A kink where two elements tie.
		noComplex: true,
		partials: func(g *Graph, y Node, a []Node) []Node {
			m := g.un(OpStep, g.sub(a[0], y))
			return []Node{g.div(m, g.reduce(OpSum, m))}
		}})
	defineReduction(opDef{op: OpMinOf, gen: genForm{init: "math.Inf(1)", step: "if %[2]s < %[1]s || %[2]s != %[2]s {\n%[1]s = %[2]s\n}"},
		name: "min", goName: "MinOf", args: []string{"v"},
		doc:       "the smallest element of v (tied elements share the derivative)",
		rewrites:  []rewrite{ofScalar},
		kernel:    minOfV,
		noComplex: true,
		partials: func(g *Graph, y Node, a []Node) []Node {
			m := g.un(OpStep, g.sub(y, a[0]))
			return []Node{g.div(m, g.reduce(OpSum, m))}
		}})
}

// defineReduction enters a reduction, with what reductions share: a scalar
// result and printing as a call.
func defineReduction(d opDef) {
	if d.kind == kindLeaf {
		d.kind = kindReduce
	}
	if d.shape == nil {
		d.shape = func(Op, []Shape, [3]int) (Shape, error) { return Scalar(), nil }
	}
	d.format = printCall
	define(d)
}

// ofScalar is the rewrite of a reduction (or running sum) of one argument:
// of a scalar, the scalar.
var ofScalar = rewrite{"r(s) → s for a scalar s", func(g *Graph, t *term) (Node, bool) {
	if g.nodes[t.args[0]].shape.IsScalar() {
		return g.handle(t.args[0]), true
	}
	return Node{}, false
}}

// The reduction kernels. sumAcc and dotAcc add a block's part to the
// register, for reductions in fused groups.

func sumV(ws *Workspace, in *instr)   { ws.s[in.dst] = sum(ws.v[in.a]) }
func sumAcc(ws *Workspace, in *instr) { ws.s[in.dst] += sum(ws.v[in.a]) }
func dotV(ws *Workspace, in *instr)   { ws.s[in.dst] = dot(ws.v[in.a], ws.v[in.b]) }
func dotAcc(ws *Workspace, in *instr) { ws.s[in.dst] += dot(ws.v[in.a], ws.v[in.b]) }

func logSumExpV(ws *Workspace, in *instr) { ws.s[in.dst] = logSumExp(ws.v[in.a]) }

func maxOfV(ws *Workspace, in *instr) {
	a := ws.v[in.a]
	m := a[0]
	for _, x := range a[1:] {
		if x > m || x != x {
			m = x
		}
	}
	ws.s[in.dst] = m
}

func minOfV(ws *Workspace, in *instr) {
	a := ws.v[in.a]
	m := a[0]
	for _, x := range a[1:] {
		if x < m || x != x {
			m = x
		}
	}
	ws.s[in.dst] = m
}

// sum adds with four accumulators, which breaks the chain of dependent
// additions that limits a plain loop.
func sum(x []float64) float64 {
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		t0 += x[i]
		t1 += x[i+1]
		t2 += x[i+2]
		t3 += x[i+3]
	}
	for ; i < len(x); i++ {
		t0 += x[i]
	}
	return (t0 + t1) + (t2 + t3)
}

func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var t0, t1, t2, t3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		t0 += a[i] * b[i]
		t1 += a[i+1] * b[i+1]
		t2 += a[i+2] * b[i+2]
		t3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		t0 += a[i] * b[i]
	}
	return (t0 + t1) + (t2 + t3)
}

// logSumExp is log Σ exp(x), shifted by the maximum so that it neither
// overflows nor underflows.
func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m || v != v {
			m = v
		}
	}
	if math.IsInf(m, 0) || m != m {
		return m
	}
	t := 0.0
	for _, v := range x {
		t += math.Exp(v - m)
	}
	return m + math.Log(t)
}
