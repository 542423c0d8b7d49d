package ad

import (
	"fmt"
	"math"
)

// The ops of computed indices: argmin and argmax, the positions of the
// smallest and largest elements along an axis, as float64s from 0; take,
// the elements or rows at positions computed at run time, written x[a];
// and addat, which adds to the elements or rows at such positions, take's
// adjoint. An index is valid when it is an integer from 0 to the number of
// items less one. take gives NaN for an item at an invalid index, and
// addat NaN for every element, so that a bad index shows as a value that
// RunChecked explains rather than as a wrong number, and never reads or
// writes outside a buffer.
func init() {
	defineArg(opDef{op: OpArgMin, name: "argmin", goName: "ArgMin", kernel: argMinK,
		doc: "the indices of the smallest elements along axis, written argmin(A, axis=k): the first of equal ones, NaN where a NaN is among them (derivative 0)"})
	defineArg(opDef{op: OpArgMax, name: "argmax", goName: "ArgMax", kernel: argMaxK,
		doc: "the indices of the largest elements along axis, written argmax(A, axis=k): the first of equal ones, NaN where a NaN is among them (derivative 0)"})

	// take is linear in x: its tangent is take of x's, and its adjoint
	// adds into x's rows with addat. The indices, piecewise constant, have
	// no derivative.
	define(opDef{op: OpTake, gen: genForm{code: true}, kind: kindGeneral, name: "take", args: []string{"x", "a"},
		form: "x[a]", doc: "the elements of the vector x, or the rows of the matrix x, at the indices a (a scalar or a vector) computed at run time; an index that is not an integer from 0 to len(x)−1 gives NaN",
		shape: takeShape,
		rewrites: []rewrite{
			{"x[a] → x[i] for a constant integer a in range", func(g *Graph, t *term) (Node, bool) {
				c, ok := g.ConstValue(g.handle(t.args[1]))
				if _, valid := itemAt(c, items(g.nodes[t.args[0]].shape)); !ok || !valid {
					return Node{}, false
				}
				return g.index(g.handle(t.args[0]), int(c)), true
			}},
		},
		kernel: takeK,
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			w, n := itemLen(in[0]), items(in[0])
			for k, f := range args[1] {
				row := out[k*w : (k+1)*w]
				j, ok := itemAt(real(f), n)
				for e := range row {
					row[e] = complex(math.NaN(), 0)
					if ok {
						row[e] = args[0][j*w+e]
					}
				}
			}
		},
		jvp: func(g *Graph, y Node, a, t []Node) Node {
			if !t[0].IsValid() {
				return Node{}
			}
			return g.take(t[0], a[1])
		},
		vjp: func(g *Graph, y Node, a []Node, adj Node) []Node {
			return []Node{g.addAt(g.zeros(g.at(a[0]).shape), a[1], adj), {}}
		},
		format: func(p *printer, nd *node) (string, int) {
			return fmt.Sprintf("%s[%s]", p.arg(nd, 0, precPostfix), p.arg(nd, 1, 0)), precPostfix
		}})

	define(opDef{op: OpAddAt, gen: genForm{code: true}, kind: kindGeneral, name: "addat", goName: "AddAt", args: []string{"x", "a", "v"},
		doc: "x with the elements (or rows) of v added at the indices a, as NumPy's add.at: a repeated index adds each; an index that is not an integer from 0 to len(x)−1 makes every element NaN",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) {
			t, err := takeShape(op, in[:2], [3]int{})
			if err != nil {
				return Shape{}, err
			}
			if in[2] != t {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: fmt.Sprintf("the values added are %s", t)}
			}
			return in[0], nil
		},
		kernel:  addAtK,
		inPlace: 1,
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			copy(out, args[0])
			w, n := itemLen(in[0]), items(in[0])
			for k, f := range args[1] {
				j, ok := itemAt(real(f), n)
				if !ok {
					for e := range out {
						out[e] = complex(math.NaN(), 0)
					}
					return
				}
				for e := range w {
					out[j*w+e] += args[2][k*w+e]
				}
			}
		},
		jvp: func(g *Graph, y Node, a, t []Node) Node {
			if !t[0].IsValid() && !t[2].IsValid() {
				return Node{}
			}
			for _, k := range []int{0, 2} {
				if !t[k].IsValid() {
					t[k] = g.zeros(g.at(a[k]).shape)
				}
			}
			return g.addAt(t[0], a[1], t[2])
		},
		vjp: func(g *Graph, y Node, a []Node, adj Node) []Node {
			return []Node{adj, {}, g.take(adj, a[1])}
		},
		format: printCall})
}

// defineArg enters argmin or argmax, with what they share: the parameters
// and shape rule of reductions along an axis, a derivative of zero (the
// index is piecewise constant), and printing as argmin(v) for a vector,
// as the language's one-argument form writes it, and argmin(A, axis=k)
// for a matrix.
func defineArg(d opDef) {
	d.kind, d.args, d.ints = kindReduce, []string{"x"}, []string{"axis"}
	d.gen = genForm{code: true}
	d.resolve, d.shape = resolveAxis, axisShape
	// A jump where two elements tie.
	d.noComplex = true
	d.partials = func(*Graph, Node, []Node) []Node { return []Node{{}} }
	d.rewrites = []rewrite{
		{"argmin/argmax(x, axis) → 0 along an axis of one element", func(g *Graph, t *term) (Node, bool) {
			if g.nodes[t.args[0]].shape.Dim(t.p[0]) == 1 {
				return g.zeros(t.shape), true
			}
			return Node{}, false
		}},
		{"argmin/argmax(constant, axis) → constant", func(g *Graph, t *term) (Node, bool) {
			nd := &g.nodes[t.args[0]]
			if nd.op != OpConst {
				return Node{}, false
			}
			out := make([]float64, t.shape.Len())
			_, n, inner := axisLens(nd.shape, t.p[0])
			argAxis(out, nd.vec, make([]float64, inner), n, inner, t.op == OpArgMax)
			if t.shape.IsScalar() {
				return g.Const(out[0]), true
			}
			return g.constOf(t.shape, out), true
		}},
	}
	d.compile = func(g *Graph, nd *node, in instr) instr {
		_, in.p0, in.p1 = axisLens(g.nodes[nd.args[0]].shape, nd.p[0])
		if in.p1 > 1 {
			in.work = in.p1 // the extremes so far of the columns
		}
		return in
	}
	d.format = func(p *printer, nd *node) (string, int) {
		if p.nodes[nd.args[0]].shape.Rank() == 1 {
			return fmt.Sprintf("%s(%s)", ops[nd.op].name, p.arg(nd, 0, 0)), precAtom
		}
		return fmt.Sprintf("%s(%s, axis=%d)", ops[nd.op].name, p.arg(nd, 0, 0), nd.p[0]), precAtom
	}
	define(d)
}

// takeShape is the shape rule of take: an item of x (an element or a row)
// for each index.
func takeShape(op Op, in []Shape, _ [3]int) (Shape, error) {
	x, a := in[0], in[1]
	switch {
	case x.IsScalar():
		return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "cannot index a scalar"}
	case a.Rank() > 1:
		return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "the indices are a scalar or a vector"}
	case a.IsScalar():
		return itemShape(x), nil
	}
	return withItems(x, a.Dim(0)), nil
}

// Take returns x[a]: the elements of the vector x, or the rows of the
// matrix x, at the indices a, a scalar or a vector computed at run time.
// An index that is not an integer from 0 to len(x)-1 gives NaN.
func (g *Graph) Take(x, a Node) (Node, error) { return g.call(OpTake, []Node{x, a}) }

func (g *Graph) take(x, a Node) Node { return must(g.build(OpTake, [3]int{}, x, a)) }

func (g *Graph) addAt(x, a, v Node) Node { return must(g.build(OpAddAt, [3]int{}, x, a, v)) }

// itemAt returns the index f as an int, and whether it is valid: an
// integer from 0 to n-1. NaN, infinities and fractions are not.
func itemAt(f float64, n int) (int, bool) {
	if f >= 0 && f < float64(n) {
		j := int(f)
		return j, float64(j) == f
	}
	return 0, false
}

func argMinK(ws *Workspace, in *instr) { argK(ws, in, false) }
func argMaxK(ws *Workspace, in *instr) { argK(ws, in, true) }

func argK(ws *Workspace, in *instr, isMax bool) {
	argAxis(ws.value(in.dstLoc), ws.v[in.a], ws.work[:in.work], in.p0, in.p1, isMax)
}

// argAxis writes to d the indices of the maxima (or the minima) along an
// axis of n elements with inner elements after it, the first of equal
// ones, or NaN where a NaN is among them; m holds inner values, the
// extremes so far of the columns. The comparisons are written out for
// each, as in extremeAxis.
func argAxis(d, a, m []float64, n, inner int, isMax bool) {
	if inner == 1 {
		for o := range d {
			d[o] = argOf(a[o*n:(o+1)*n], isMax)
		}
		return
	}
	for o := 0; o*inner < len(d); o++ {
		dst, src := d[o*inner:(o+1)*inner], a[o*n*inner:(o+1)*n*inner]
		m := m[:len(dst)]
		copy(m, src)
		clear(dst)
		for k := 1; k < n; k++ {
			row, fk := src[k*inner:(k+1)*inner], float64(k)
			row = row[:len(m)]
			if isMax {
				for i, x := range row {
					if !(x <= m[i]) && m[i] == m[i] {
						m[i], dst[i] = x, fk
					}
				}
				continue
			}
			for i, x := range row {
				if !(x >= m[i]) && m[i] == m[i] {
					m[i], dst[i] = x, fk
				}
			}
		}
		nanIndices(dst, m)
	}
}

// nanIndices sets to NaN the indices whose extreme is NaN. The loops that
// find the extremes test a single comparison, !(x >= m) for the minimum,
// which holds where x is smaller and where either is NaN, and only then
// whether m is NaN: a NaN, once it is the extreme, is never replaced.
func nanIndices(d, m []float64) {
	for i, x := range m {
		if x != x {
			d[i] = math.NaN()
		}
	}
}

// argMinTile and argMaxTile are argmin and argmax along an axis of a
// matrix in a fused group: each takes the tile of its argument that
// starts ws.tile elements in, keeping the extremes so far in the scratch
// space from p2. Each element meets the same comparisons in the same
// order as in argAxis, so the indices are the same.
func argMinTile(ws *Workspace, in *instr) { argTile(ws, in, false) }
func argMaxTile(ws *Workspace, in *instr) { argTile(ws, in, true) }

func argTile(ws *Workspace, in *instr, isMax bool) {
	d, x, n, inner := ws.v[in.dst], ws.v[in.a], in.p0, in.p1
	m := ws.work[in.p2 : in.p2+len(d)]
	// more reports whether v replaces the extreme so far e.
	more := func(v, e float64) bool { return (isMax && !(v <= e) || !isMax && !(v >= e)) && e == e }
	if inner == 1 {
		for r, c := ws.tile/n, ws.tile%n; len(x) > 0; r, c = r+1, 0 {
			seg := x[:min(len(x), n-c)]
			x = x[len(seg):]
			if c == 0 {
				m[r], d[r] = seg[0], 0
			}
			for j, v := range seg {
				if more(v, m[r]) {
					m[r], d[r] = v, float64(c+j)
				}
			}
			if c+len(seg) == n && m[r] != m[r] {
				d[r] = math.NaN()
			}
		}
		return
	}
	for r, c := ws.tile/inner, ws.tile%inner; len(x) > 0; r, c = r+1, 0 {
		seg := x[:min(len(x), inner-c)]
		x = x[len(seg):]
		dst, e := d[c:c+len(seg)], m[c:c+len(seg)]
		switch fr := float64(r); {
		case r == 0:
			copy(e, seg)
			clear(dst)
		case isMax:
			for i, v := range seg {
				if !(v <= e[i]) && e[i] == e[i] {
					e[i], dst[i] = v, fr
				}
			}
		default:
			for i, v := range seg {
				if !(v >= e[i]) && e[i] == e[i] {
					e[i], dst[i] = v, fr
				}
			}
		}
		if r == n-1 {
			nanIndices(dst, e)
		}
	}
}

// argMinColTile and argMaxColTile are argMinTile and argMaxTile along
// the columns (axis 0) of k + s·x, with x the tile in slot a, k the
// element c2·col[r] of the column in slot b for the tile's row r, and s
// in c: the values of c − x (s = −1), x + c and x − c (c2 = −1) for a
// sum or difference with a broadcast column, computed as they are
// compared instead of written to a tile. Since k + (−x) is k − x and x +
// (−c) is x − c to the bit, they compare the same values as the tile.
func argMinColTile(ws *Workspace, in *instr) { argColTile(ws, in, false) }
func argMaxColTile(ws *Workspace, in *instr) { argColTile(ws, in, true) }

func argColTile(ws *Workspace, in *instr, isMax bool) {
	d, x, col, n, inner, s := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.p0, in.p1, in.c
	m := ws.work[in.p2 : in.p2+len(d)]
	for r, c := ws.tile/inner, ws.tile%inner; len(x) > 0; r, c = r+1, 0 {
		seg := x[:min(len(x), inner-c)]
		x = x[len(seg):]
		dst, e := d[c:c+len(seg)], m[c:c+len(seg)]
		e = e[:len(seg)]
		k, fr := in.c2*col[r], float64(r)
		switch {
		case r == 0:
			for i, v := range seg {
				e[i] = k + s*v
			}
			clear(dst)
		case isMax:
			for i, v := range seg {
				if v := k + s*v; !(v <= e[i]) && e[i] == e[i] {
					e[i], dst[i] = v, fr
				}
			}
		default:
			for i, v := range seg {
				if v := k + s*v; !(v >= e[i]) && e[i] == e[i] {
					e[i], dst[i] = v, fr
				}
			}
		}
		if r == n-1 {
			nanIndices(dst, e)
		}
	}
}

// argOf returns the index of the largest (or the smallest) element of x,
// the first of equal ones, or NaN if x has a NaN.
func argOf(x []float64, isMax bool) float64 {
	k, m := 0, x[0]
	for j, v := range x {
		switch {
		case v != v:
			return math.NaN()
		case isMax && v > m, !isMax && v < m:
			k, m = j, v
		}
	}
	return float64(k)
}

// takeK copies the items of x at the indices, or NaNs for an invalid one.
func takeK(ws *Workspace, in *instr) {
	x, idx, d := ws.v[in.a], ws.value(in.args[1]), ws.value(in.dstLoc)
	w := len(d) / len(idx)
	n := len(x) / w
	for k, f := range idx {
		row := d[k*w : (k+1)*w]
		if j, ok := itemAt(f, n); ok {
			copy(row, x[j*w:(j+1)*w])
			continue
		}
		for e := range row {
			row[e] = math.NaN()
		}
	}
}

// addAtK adds the items of v to those of x at the indices, in place when
// the destination is x's buffer; an invalid index makes every element NaN.
func addAtK(ws *Workspace, in *instr) {
	d, x := ws.v[in.dst], ws.v[in.a]
	if &d[0] != &x[0] {
		copy(d, x)
	}
	idx, v := ws.value(in.args[1]), ws.value(in.args[2])
	w := len(v) / len(idx)
	n := len(d) / w
	for k, f := range idx {
		j, ok := itemAt(f, n)
		if !ok {
			for e := range d {
				d[e] = math.NaN()
			}
			return
		}
		row := d[j*w : (j+1)*w]
		addTo(row, row, v[k*w:(k+1)*w])
	}
}
