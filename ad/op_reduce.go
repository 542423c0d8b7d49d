package ad

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/internal/vmath"
)

// The reductions: of all the elements of a value to a scalar, or along
// one axis of a matrix (sum(A, 0) sums each column). A reduction of a
// scalar is the scalar itself.
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
			// The reverse pass of a normalization, softmax's among them,
			// sums the normalized values; their sum is 1 in exact arithmetic,
			// and taking it so lets the term it multiplies (in logsumexp
			// written out, max's coefficient 1 - Σ softmax) fold away. A
			// rounded sum differs from 1 by rounding alone, which is no part
			// of the derivative.
			{"sum((1/sum(v))*v) → 1", func(g *Graph, t *term) (Node, bool) {
				if g.normalized(t.args[0]) {
					return g.Const(1), true
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
		cplx: func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
			for _, z := range args[0] {
				out[0] += z
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.reduce(OpSum, a[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.fill(adj, g.nodes[y.args[0]].shape)}
		}})

	defineReduction(opDef{op: OpDot, gen: genForm{init: "0.0", step: "%[1]s += %[2]s * %[3]s"}, name: "dot", args: []string{"x", "y"},
		doc: "the inner product of x and y of one shape: Σ xᵢyᵢ of vectors, Σ xᵢⱼyᵢⱼ of matrices (A @ B is the matrix product)",
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
		cplx: func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
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
		compile:  compileLogSumExp,
		cplx: func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
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

func init() {
	define(opDef{op: OpSumAxis, gen: genForm{code: true}, kind: kindLinear, name: "sum", goName: "SumAxis", args: []string{"x"}, ints: []string{"axis"},
		doc:     "the sums of x along axis: sum(A, 0) is the vector of the column sums of A, sum(A, 1) of the row sums",
		resolve: resolveAxis,
		shape:   axisShape,
		rewrites: []rewrite{
			ofVector, ofOne,
			{"sum(fill(c), axis) → fill(n*c)", func(g *Graph, t *term) (Node, bool) {
				if c, ok := g.constant(t.args[0]); ok {
					return g.fill(g.Const(c*float64(g.nodes[t.args[0]].shape.Dim(t.p[0]))), t.shape), true
				}
				return Node{}, false
			}},
			{"sum(constant, axis) → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				out := make([]float64, t.shape.Len())
				_, n, inner := axisLens(nd.shape, t.p[0])
				for k, v := range nd.vec {
					out[k/(n*inner)*inner+k%inner] += v
				}
				return g.constOf(t.shape, out), true
			}},
		},
		kernel:  sumAxisK,
		compile: compileAxis,
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			_, n, inner := axisLens(in[0], nd.p[0])
			for k, z := range args[0] {
				out[k/(n*inner)*inner+k%inner] += z
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.sumAxis(a[0], y.p[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.unreduce(adj, y.p[0], g.nodes[y.args[0]].shape)}
		},
		format: printCallP})

	// The partials of these have the argument's shape; the derivative
	// rules repeat the adjoint along the axis to meet them (unreduce) and
	// sum the tangent's products along it.
	defineAxisReduction(opDef{op: OpLogSumExpAxis, gen: genForm{code: true}, name: "logsumexp", goName: "LogSumExpAxis",
		doc:    "log Σ exp along axis, computed without overflow: logsumexp(A, 1) is the vector of the rows' logsumexp",
		kernel: logSumExpAxisK,
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			_, n, inner := axisLens(in[0], nd.p[0])
			col := make([]complex128, n)
			for j := range out {
				o, i := j/inner, j%inner
				for k := range col {
					col[k] = args[0][(o*n+k)*inner+i]
				}
				m := math.Inf(-1)
				for _, z := range col {
					m = math.Max(m, real(z))
				}
				var t complex128
				for _, z := range col {
					t += cmplx.Exp(z - complex(m, 0))
				}
				out[j] = complex(m, 0) + cmplx.Log(t)
			}
		},
		// The softmax along the axis, normalized, as for logsumexp(v).
		partials: func(g *Graph, y Node, a []Node) []Node {
			axis, s := g.at(y).p[0], g.at(a[0]).shape
			e := g.un(OpExp, g.sub(a[0], g.unreduce(y, axis, s)))
			return []Node{g.div(e, g.unreduce(g.sumAxis(e, axis), axis, s))}
		}})
	defineAxisReduction(opDef{op: OpMaxAxis, gen: genForm{code: true}, name: "max", goName: "MaxAxis",
		doc:       "the largest elements along axis, written max(A, axis=k), as max(A, k) is the elementwise max (tied elements share the derivative)",
		kernel:    maxAxisK,
		noComplex: true,
		partials: func(g *Graph, y Node, a []Node) []Node {
			axis, s := g.at(y).p[0], g.at(a[0]).shape
			m := g.un(OpStep, g.sub(a[0], g.unreduce(y, axis, s)))
			return []Node{g.div(m, g.unreduce(g.sumAxis(m, axis), axis, s))}
		}})
	defineAxisReduction(opDef{op: OpMinAxis, gen: genForm{code: true}, name: "min", goName: "MinAxis",
		doc:       "the smallest elements along axis, written min(A, axis=k), as min(A, k) is the elementwise min (tied elements share the derivative)",
		kernel:    minAxisK,
		noComplex: true,
		partials: func(g *Graph, y Node, a []Node) []Node {
			axis, s := g.at(y).p[0], g.at(a[0]).shape
			m := g.un(OpStep, g.sub(g.unreduce(y, axis, s), a[0]))
			return []Node{g.div(m, g.unreduce(g.sumAxis(m, axis), axis, s))}
		}})
}

// defineAxisReduction enters a reduction along an axis other than the
// sum, with what they share: one argument and the axis, the shape rule,
// the rewrite of a vector's, the kernel's sizes, and printing. max and
// min, whose two-argument forms are elementwise, print their axis as
// axis=k.
func defineAxisReduction(d opDef) {
	d.kind, d.args, d.ints = kindReduce, []string{"x"}, []string{"axis"}
	d.resolve, d.shape, d.compile = resolveAxis, axisShape, compileAxis
	d.rewrites = []rewrite{ofVector, ofOne}
	d.format = printCallP
	if d.op == OpMaxAxis || d.op == OpMinAxis {
		d.format = func(p *printer, nd *node) (string, int) {
			return fmt.Sprintf("%s(%s, axis=%d)", ops[nd.op].name, p.arg(nd, 0, 0), nd.p[0]), precAtom
		}
	}
	define(d)
}

// wholeOf maps a reduction along an axis to the reduction of all
// elements.
var wholeOf = map[Op]Op{OpSumAxis: OpSum, OpLogSumExpAxis: OpLogSumExp, OpMaxAxis: OpMaxOf, OpMinAxis: OpMinOf}

// ofVector is the rewrite of a reduction along the only axis of a vector:
// the reduction of all its elements. ofOne is the reduction along an axis
// of one element, which is that element.
var (
	ofVector = rewrite{"r(v, 0) → r(v) for a vector v", func(g *Graph, t *term) (Node, bool) {
		if g.nodes[t.args[0]].shape.Rank() == 1 {
			return g.reduce(wholeOf[t.op], g.handle(t.args[0])), true
		}
		return Node{}, false
	}}
	ofOne = rewrite{"r(x, axis) → x along an axis of one element", func(g *Graph, t *term) (Node, bool) {
		if s := g.nodes[t.args[0]].shape; s.Dim(t.p[0]) == 1 {
			return g.reshape(g.handle(t.args[0]), t.shape), true
		}
		return Node{}, false
	}}
)

// resolveAxis resolves the axis of a reduction along an axis: 0 or 1 for
// a matrix, 0 for a vector; a negative axis counts from the last.
func resolveAxis(in []Shape, ints []int) ([3]int, error) {
	s, axis := in[0], ints[0]
	if s.IsScalar() {
		return [3]int{}, errors.New("a scalar has no axis to reduce along")
	}
	a := axis
	if a < 0 {
		a += s.Rank()
	}
	if a < 0 || a >= s.Rank() {
		return [3]int{}, fmt.Errorf("axis %d out of range for %s", axis, s)
	}
	return [3]int{a}, nil
}

// axisShape is the shape rule of reductions along an axis: the argument's
// shape without the axis.
func axisShape(op Op, in []Shape, p [3]int) (Shape, error) {
	s, a := in[0], p[0]
	if a < 0 || a >= s.Rank() {
		return Shape{}, fmt.Errorf("axis %d out of range for %s", a, s)
	}
	out := Shape{rank: s.rank - 1}
	copy(out.dims[:], s.dims[:a])
	copy(out.dims[a:], s.dims[a+1:s.rank])
	return out, nil
}

// axisLens splits a shape at an axis: outer is the number of elements
// before it (the product of the sizes of the axes before), n its size,
// inner the product of the sizes after. Element (o, k, i) is at
// (o·n + k)·inner + i.
func axisLens(s Shape, axis int) (outer, n, inner int) {
	outer, n, inner = 1, s.dims[axis], 1
	for _, d := range s.dims[:axis] {
		outer *= d
	}
	for _, d := range s.dims[axis+1 : s.rank] {
		inner *= d
	}
	return outer, n, inner
}

// compileAxis gives a kernel along an axis the size of the axis (p0) and
// the number of elements after it (p1).
func compileAxis(g *Graph, nd *node, in instr) instr {
	_, in.p0, in.p1 = axisLens(g.nodes[nd.args[0]].shape, nd.p[0])
	if nd.op == OpLogSumExpAxis {
		in.work = 2 * lseChunk // logSumExpAxisK's exponentials and sums
	}
	return in
}

// sumAxis returns the sums of x along axis.
func (g *Graph) sumAxis(x Node, axis int) Node { return must(g.build(OpSumAxis, [3]int{axis}, x)) }

// unreduce returns adj, a value of the shape of a reduction of a value of
// shape s along axis, repeated along the axis to shape s: the adjoint of a
// sum along the axis.
func (g *Graph) unreduce(adj Node, axis int, s Shape) Node {
	if g.at(adj).shape.IsScalar() {
		return g.fill(adj, s)
	}
	keep := s
	keep.dims[axis] = 1
	return g.broadcastTo(g.reshape(adj, keep), s)
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

// The reduction kernels. sumAcc and dotAcc add a tile to the four sums of
// a block's part (Workspace.parts from p2), for reductions in fused groups.

func sumV(ws *Workspace, in *instr) { ws.s[in.dst] = sum(ws.v[in.a]) }
func sumAcc(ws *Workspace, in *instr) {
	t := (*[4]float64)(ws.parts[in.p2:])
	*t = sumParts(*t, ws.v[in.a])
}
func dotV(ws *Workspace, in *instr) { ws.s[in.dst] = dot(ws.v[in.a], ws.v[in.b]) }
func dotAcc(ws *Workspace, in *instr) {
	t := (*[4]float64)(ws.parts[in.p2:])
	*t = dotParts(*t, ws.v[in.a], ws.v[in.b])
}

// lseChunk is how many exponentials logsumexp computes at a time, in the
// workspace's scratch space. It is a multiple of four, so that adding up
// chunk by chunk adds in the order sum does.
const lseChunk = tileLen

func compileLogSumExp(g *Graph, nd *node, in instr) instr {
	in.work = lseChunk
	return in
}

func logSumExpV(ws *Workspace, in *instr) {
	ws.s[in.dst] = logSumExp(ws.v[in.a], ws.work[:lseChunk])
}

// maxAxisK and minAxisK take the largest and the smallest element along an
// axis of p0 elements with p1 after it; a NaN wins, as in max(v).
func maxAxisK(ws *Workspace, in *instr) {
	extremeAxis(ws.v[in.dst], ws.v[in.a], in.p0, in.p1, true)
}

func minAxisK(ws *Workspace, in *instr) {
	extremeAxis(ws.v[in.dst], ws.v[in.a], in.p0, in.p1, false)
}

// extremeAxis writes the maximum (or the minimum) along an axis of n
// elements with inner elements after it; a NaN wins. The comparisons are
// written out for each, where a function value would cost a call per
// element.
func extremeAxis(d, a []float64, n, inner int, isMax bool) {
	if inner == 1 {
		// Along the rows: each row reduced by itself, read once.
		for o := range d {
			m := a[o*n]
			for _, x := range a[o*n+1 : (o+1)*n] {
				if isMax && x > m || !isMax && x < m || x != x {
					m = x
				}
			}
			d[o] = m
		}
		return
	}
	for o := 0; o*inner < len(d); o++ {
		dst, src := d[o*inner:(o+1)*inner], a[o*n*inner:(o+1)*n*inner]
		copy(dst, src)
		for k := 1; k < n; k++ {
			row := src[k*inner : (k+1)*inner]
			row = row[:len(dst)]
			if isMax {
				for i, x := range row {
					if x > dst[i] || x != x {
						dst[i] = x
					}
				}
				continue
			}
			for i, x := range row {
				if x < dst[i] || x != x {
					dst[i] = x
				}
			}
		}
	}
}

// logSumExpAxisK is logsumexp along an axis of p0 elements with p1 after
// it, each shifted by its maximum like logSumExp.
func logSumExpAxisK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	n, inner := in.p0, in.p1
	if inner == 1 {
		logSumExpRows(d, a, n, ws.work[:lseChunk])
		return
	}
	extremeAxis(d, a, n, inner, true)
	// The exponentials of a row of lseChunk columns at a time, each column
	// summed in order from the first row.
	e, t := ws.work[:lseChunk], ws.work[lseChunk:2*lseChunk]
	for o := 0; o*inner < len(d); o++ {
		dst, src := d[o*inner:(o+1)*inner], a[o*n*inner:(o+1)*n*inner]
		for lo := 0; lo < inner; lo += lseChunk {
			m := dst[lo:min(lo+lseChunk, inner)]
			e, t := e[:len(m)], t[:len(m)]
			clear(t)
			for k := range n {
				for i, v := range src[k*inner+lo:][:len(m)] {
					e[i] = v - m[i]
				}
				vmath.Exp(e, e)
				for i, v := range e {
					t[i] += v
				}
			}
			for i, mi := range m {
				if !math.IsInf(mi, 0) && mi == mi {
					m[i] = mi + math.Log(t[i])
				}
			}
		}
	}
}

// sumAxisK sums along an axis of p0 elements with p1 elements after it:
// the rows of a matrix are summed one after the other for axis 0, each
// row by itself for axis 1.
func sumAxisK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	n, inner := in.p0, in.p1
	if inner == 1 {
		for o := range d {
			d[o] = sum(a[o*n : (o+1)*n])
		}
		return
	}
	for o := 0; o*inner < len(d); o++ {
		dst, src := d[o*inner:(o+1)*inner], a[o*n*inner:(o+1)*n*inner]
		copy(dst, src)
		for k := 1; k < n; k++ {
			floats.Add(dst, src[k*inner:(k+1)*inner]) // gonum's assembly, the same sums in the same order
		}
	}
}

// sumAxisTile, minAxisTile and maxAxisTile are the reductions along an
// axis of a matrix in a fused group: each adds the tile of its argument
// that starts ws.tile elements in to its value, which is complete once
// the group's last tile is done. Each element meets the same operations
// in the same order as in sumAxisK and extremeAxis, so the results are the
// same to the bit: along a column, rows are added (or compared) to the
// first in turn; along a row, the four sums of sum (kept in
// Workspace.parts from p2) are folded when the row ends.
func sumAxisTile(ws *Workspace, in *instr) {
	d, x := ws.v[in.dst], ws.v[in.a]
	n, inner := in.p0, in.p1
	if inner == 1 {
		t := (*[4]float64)(ws.parts[in.p2:])
		for r, c := ws.tile/n, ws.tile%n; len(x) > 0; r, c = r+1, 0 {
			seg := x[:min(len(x), n-c)]
			x = x[len(seg):]
			if len(seg) == n {
				// A whole row, as sum adds it: the parts of its first
				// n−n%4 elements by their index modulo four, the rest
				// to the first.
				d[r] = sum(seg)
				continue
			}
			if c == 0 {
				*t = [4]float64{}
			}
			*t = sumRowParts(*t, seg, c, n-n%4)
			if c+len(seg) == n {
				d[r] = fold(*t)
			}
		}
		return
	}
	for r, c := ws.tile/inner, ws.tile%inner; len(x) > 0; r, c = r+1, 0 {
		seg := x[:min(len(x), inner-c)]
		x = x[len(seg):]
		if r == 0 {
			copy(d[c:], seg)
		} else {
			floats.Add(d[c:c+len(seg)], seg)
		}
	}
}

// sumSqAxisTile is sumAxisTile along the columns of the squares of its
// argument, each square rounded before it is added, as the square's own
// member and sumAxisTile would.
func sumSqAxisTile(ws *Workspace, in *instr) {
	d, x, inner := ws.v[in.dst], ws.v[in.a], in.p1
	for r, c := ws.tile/inner, ws.tile%inner; len(x) > 0; r, c = r+1, 0 {
		seg := x[:min(len(x), inner-c)]
		x = x[len(seg):]
		row := d[c : c+len(seg)]
		if r == 0 {
			for i, v := range seg {
				row[i] = v * v
			}
			continue
		}
		i := 0
		for ; i+4 <= len(seg); i += 4 {
			r4, s4 := row[i:i+4:i+4], seg[i:i+4:i+4]
			r4[0] += float64(s4[0] * s4[0])
			r4[1] += float64(s4[1] * s4[1])
			r4[2] += float64(s4[2] * s4[2])
			r4[3] += float64(s4[3] * s4[3])
		}
		for ; i < len(seg); i++ {
			row[i] += float64(seg[i] * seg[i])
		}
	}
}

func minAxisTile(ws *Workspace, in *instr) {
	extremeAxisTile(ws.v[in.dst], ws.v[in.a], ws.tile, in.p0, in.p1, false)
}

func maxAxisTile(ws *Workspace, in *instr) {
	extremeAxisTile(ws.v[in.dst], ws.v[in.a], ws.tile, in.p0, in.p1, true)
}

// sumRowParts is sumParts of x, the elements from c of a row whose first
// q (a multiple of four) go to the sum of their index modulo four and
// the rest to the first.
func sumRowParts(t [4]float64, x []float64, c, q int) [4]float64 {
	for ; len(x) > 0 && c%4 != 0 && c < q; c++ {
		t[c%4] += x[0]
		x = x[1:]
	}
	if c < q {
		m := min(len(x), q-c) / 4 * 4
		t = sumParts(t, x[:m])
		x, c = x[m:], c+m
	}
	for _, v := range x {
		if c < q {
			t[c%4] += v
		} else {
			t[0] += v
		}
		c++
	}
	return t
}

// extremeAxisTile is extremeAxis for the tile x of a matrix that starts
// off elements in, with the value so far in d.
func extremeAxisTile(d, x []float64, off, n, inner int, isMax bool) {
	if inner == 1 {
		for r, c := off/n, off%n; len(x) > 0; r, c = r+1, 0 {
			seg := x[:min(len(x), n-c)]
			x = x[len(seg):]
			m := d[r]
			if c == 0 {
				m, seg = seg[0], seg[1:]
			}
			for _, v := range seg {
				if isMax && v > m || !isMax && v < m || v != v {
					m = v
				}
			}
			d[r] = m
		}
		return
	}
	for r, c := off/inner, off%inner; len(x) > 0; r, c = r+1, 0 {
		seg := x[:min(len(x), inner-c)]
		x = x[len(seg):]
		dst := d[c : c+len(seg)]
		switch {
		case r == 0:
			copy(dst, seg)
		case isMax:
			for i, v := range seg {
				if v > dst[i] || v != v {
					dst[i] = v
				}
			}
		default:
			for i, v := range seg {
				if v < dst[i] || v != v {
					dst[i] = v
				}
			}
		}
	}
}

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
func sum(x []float64) float64 { return fold(sumParts([4]float64{}, x)) }

// sumParts adds x to the four sums t: element i goes to t[i%4], but for
// the last len(x)%4, which go to t[0]. Adding a vector in pieces whose
// lengths are multiples of four gives the sums of the whole.
func sumParts(t [4]float64, x []float64) [4]float64 {
	t0, t1, t2, t3 := t[0], t[1], t[2], t[3]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		x4 := x[i : i+4 : i+4]
		t0 += x4[0]
		t1 += x4[1]
		t2 += x4[2]
		t3 += x4[3]
	}
	for ; i < len(x); i++ {
		t0 += x[i]
	}
	return [4]float64{t0, t1, t2, t3}
}

// fold adds up the four sums of sumParts.
func fold(t [4]float64) float64 { return (t[0] + t[1]) + (t[2] + t[3]) }

func dot(a, b []float64) float64 { return fold(dotParts([4]float64{}, a, b)) }

// dotParts is sumParts of the products a[i]·b[i].
func dotParts(t [4]float64, a, b []float64) [4]float64 {
	b = b[:len(a)]
	t0, t1, t2, t3 := t[0], t[1], t[2], t[3]
	i := 0
	for ; i+4 <= len(a); i += 4 {
		a4, b4 := a[i:i+4:i+4], b[i:i+4:i+4]
		t0 += a4[0] * b4[0]
		t1 += a4[1] * b4[1]
		t2 += a4[2] * b4[2]
		t3 += a4[3] * b4[3]
	}
	for ; i < len(a); i++ {
		t0 += a[i] * b[i]
	}
	return [4]float64{t0, t1, t2, t3}
}

// logSumExp is log Σ exp(x), shifted by the maximum so that it neither
// overflows nor underflows. The exponentials are computed in buf, a chunk
// at a time, and added up as sum adds.
func logSumExp(x, buf []float64) float64 {
	m := maxNaN(x)
	if math.IsInf(m, 0) || m != m {
		return m
	}
	var t [4]float64
	for len(x) > 0 {
		c := buf[:min(len(buf), len(x))]
		for i, v := range x[:len(c)] {
			c[i] = v - m
		}
		vmath.Exp(c, c)
		t = sumParts(t, c)
		x = x[len(c):]
	}
	return m + math.Log(fold(t))
}

// normalized reports whether node i is v divided by sum(v): (1/sum(v))*v,
// v*(1/sum(v)) or v/sum(v).
func (g *Graph) normalized(i int32) bool {
	nd := &g.nodes[i]
	isSumOf := func(s, v int32) bool {
		ns := &g.nodes[s]
		return ns.op == OpSum && ns.args[0] == v
	}
	switch nd.op {
	case OpDiv:
		return isSumOf(nd.args[1], nd.args[0])
	case OpMul:
		for _, k := range [][2]int{{0, 1}, {1, 0}} {
			r := &g.nodes[nd.args[k[0]]]
			if r.op == OpDiv && g.isConst(r.args[0], 1) && isSumOf(r.args[1], nd.args[k[1]]) {
				return true
			}
		}
	}
	return false
}

// logSumExpRows writes to d[o] logSumExp of row o of a, the rows n long.
// Rows that fit in buf go through it together, as many as it holds, so
// that short rows cost one call of vmath.Exp for all of them rather than
// one each, whose last len%4 elements the assembly leaves to scalar code.
// Each row's exponentials are its own and add up as sum adds them, so the
// results are logSumExp's to the bit.
func logSumExpRows(d, a []float64, n int, buf []float64) {
	if n == 0 || n > len(buf) {
		for o := range d {
			d[o] = logSumExp(a[o*n:(o+1)*n], buf)
		}
		return
	}
	per := len(buf) / n
	for lo := 0; lo < len(d); lo += per {
		rows := d[lo:min(lo+per, len(d))]
		x := a[lo*n : (lo+len(rows))*n]
		e := buf[:len(x)]
		for r := range rows {
			row := x[r*n : (r+1)*n]
			m := maxNaN(row)
			rows[r] = m
			for i, v := range row {
				e[r*n+i] = v - m
			}
		}
		vmath.Exp(e, e)
		for r, m := range rows {
			if !math.IsInf(m, 0) && m == m {
				rows[r] = m + math.Log(sum(e[r*n:(r+1)*n]))
			}
		}
	}
}

// maxNaN returns the largest element of x (either zero, where those are
// zeros of both signs), or the last NaN in it, and −∞ for an empty x. The
// maximum is taken with max, without branches, two elements a round: the
// branches of comparisons, which a short row's elements take at random,
// cost more than the comparisons themselves. The rare NaN is found again
// with them.
func maxNaN(x []float64) float64 {
	m0, m1 := math.Inf(-1), math.Inf(-1)
	i := 0
	for ; i+2 <= len(x); i += 2 {
		m0 = max(m0, x[i])
		m1 = max(m1, x[i+1])
	}
	if i < len(x) {
		m0 = max(m0, x[i])
	}
	if m := max(m0, m1); m == m {
		return m
	}
	m := math.NaN()
	for _, v := range x {
		if v != v {
			m = v
		}
	}
	return m
}
