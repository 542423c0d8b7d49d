package ad

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// The structural ops: indexing, slicing, joining and spreading vectors, and
// running sums. All are linear in their node arguments, so each has its
// transpose; their integer parameters are fixed when the node is built.
//
// The parameters p of a node: index i; slice first, step, count; scatter
// start, step, n; scatteradd start, step; fill n.
func init() {
	define(opDef{op: OpIndex, gen: genForm{code: true},
		kind: kindLinear, name: "index", args: []string{"x"}, ints: []string{"i"},
		form: "x[i]", doc: "element i of x; a negative i counts from the end",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			s, i := in[0], ints[0]
			if s.IsScalar() {
				return [3]int{}, errors.New("cannot index a scalar")
			}
			j := i
			if j < 0 {
				j += s.Len()
			}
			if j < 0 || j >= s.Len() {
				return [3]int{}, fmt.Errorf("index %d out of range for %s", i, s)
			}
			return [3]int{j}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if in[0].IsScalar() || p[0] < 0 || p[0] >= in[0].Len() {
				return Shape{}, fmt.Errorf("index %d out of range for %s", p[0], in[0])
			}
			return Scalar(), nil
		},
		rewrites: []rewrite{
			{"fill(s, n)[i] → s", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.handle(nd.args[0]), true
				}
				return Node{}, false
			}},
			{"constant[i] → constant", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpConst {
					return g.Const(nd.vec[t.p[0]]), true
				}
				return Node{}, false
			}},
			{"[x, y, …][i] → the element", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConcat {
					return Node{}, false
				}
				i, off := t.p[0], 0
				for _, a := range nd.args {
					l := g.nodes[a].shape.Len()
					if i < off+l {
						if g.nodes[a].shape.IsScalar() {
							return g.handle(a), true
						}
						return g.index(g.handle(a), i-off), true
					}
					off += l
				}
				return Node{}, false
			}},
			{"x[start::step][i] → x[start+i*step]", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpSlice {
					return g.index(g.handle(nd.args[0]), nd.p[0]+t.p[0]*nd.p[1]), true
				}
				return Node{}, false
			}},
			{"scatter(v, …)[i] → the element of v, or 0", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpScatter {
					return Node{}, false
				}
				if v, ok := g.scattered(nd, t.p[0]); ok {
					return v, true
				}
				return g.Const(0), true
			}},
			{"(x + scatter(v, …))[i] → x[i] + the element of v", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpScatterAdd {
					return Node{}, false
				}
				base := g.index(g.handle(nd.args[0]), t.p[0])
				if v, ok := g.scattered(nd, t.p[0]); ok {
					return g.add2(base, v), true
				}
				return base, true
			}},
		},
		kernel: indexK,
		picks:  func(nd *node, mark func(int)) { mark(nd.p[0]) },
		cplx:   func(nd *node, args [][]complex128, out []complex128) { out[0] = args[0][nd.p[0]] },
		apply:  func(g *Graph, y *node, a []Node) Node { return g.index(a[0], y.p[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.scatter(adj, g.nodes[y.args[0]].shape.Len(), y.p[0], 1)}
		},
		format: func(p *printer, nd *node) (string, int) {
			return fmt.Sprintf("%s[%d]", p.arg(nd, 0, precPostfix), nd.p[0]), precPostfix
		}})

	define(opDef{op: OpSlice, gen: genForm{code: true},
		kind: kindLinear, name: "slice", args: []string{"x"}, ints: []string{"start", "stop", "step"},
		form: "x[start:stop:step]",
		doc:  "the elements start, start+step, … up to, not including, stop, by Python's rules (None omits a bound)",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			s, start, stop, step := in[0], ints[0], ints[1], ints[2]
			if s.IsScalar() {
				return [3]int{}, errors.New("cannot slice a scalar")
			}
			if step == None {
				step = 1
			}
			if step == 0 {
				return [3]int{}, errors.New("slice step cannot be zero")
			}
			first, count := sliceRange(s.Len(), start, stop, step)
			if count == 0 {
				return [3]int{}, fmt.Errorf("slice [%s:%s:%d] of %s is empty", bound(start), bound(stop), step, s)
			}
			return [3]int{first, step, count}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if !spans(in[0], p[0], p[1], p[2]) {
				return Shape{}, fmt.Errorf("slice of %d elements from %d step %d is out of range for %s", p[2], p[0], p[1], in[0])
			}
			return Vector(p[2]), nil
		},
		rewrites: []rewrite{
			{"x[i:i+1] → [x[i]]", func(g *Graph, t *term) (Node, bool) {
				if t.p[2] == 1 {
					return must(g.Concat(g.index(g.handle(t.args[0]), t.p[0]))), true
				}
				return Node{}, false
			}},
			{"x[:] → x", func(g *Graph, t *term) (Node, bool) {
				if t.p[0] == 0 && t.p[1] == 1 && t.p[2] == g.nodes[t.args[0]].shape.Len() {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			{"fill(s, n)[a:b:c] → fill(s, m)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return must(g.Fill(g.handle(nd.args[0]), t.p[2])), true
				}
				return Node{}, false
			}},
			{"constant[a:b:c] → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				v := make([]float64, t.p[2])
				for k := range v {
					v[k] = nd.vec[t.p[0]+k*t.p[1]]
				}
				return g.ConstVec(v), true
			}},
			{"x[a::b][c::d] → x[a+c*b::b*d]", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpSlice {
					return g.slice(g.handle(nd.args[0]), nd.p[0]+t.p[0]*nd.p[1], t.p[1]*nd.p[1], t.p[2]), true
				}
				return Node{}, false
			}},
		},
		kernel: gatherK,
		compile: func(g *Graph, nd *node, in instr) instr {
			if nd.p[1] == 1 {
				in.kernel, in.p1 = viewK, nd.p[2]
			}
			return in
		},
		// A slice with step 1 is a view of its argument's buffer.
		view: func(nd *node) bool { return nd.p[1] == 1 },
		picks: func(nd *node, mark func(int)) {
			for k := range nd.p[2] {
				mark(nd.p[0] + k*nd.p[1])
			}
		},
		cplx: func(nd *node, args [][]complex128, out []complex128) {
			for j := range out {
				out[j] = args[0][nd.p[0]+j*nd.p[1]]
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.slice(a[0], y.p[0], y.p[1], y.p[2]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.scatter(adj, g.nodes[y.args[0]].shape.Len(), y.p[0], y.p[1])}
		},
		format: func(p *printer, nd *node) (string, int) {
			n := p.nodes[nd.args[0]].shape.Len()
			return p.arg(nd, 0, precPostfix) + sliceText(n, nd.p[0], nd.p[1], nd.p[2]), precPostfix
		}})

	define(opDef{op: OpConcat, gen: genForm{code: true},
		kind: kindLinear, name: "concat", args: []string{"xs..."},
		form: "[x, y, …]", doc: "the scalars and vectors xs joined into one vector",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) {
			if len(in) == 0 {
				return Shape{}, errors.New("empty vector")
			}
			n := 0
			for _, s := range in {
				if s.Rank() > 1 {
					return Shape{}, &ShapeError{Op: op.String(), Shapes: []Shape{s}}
				}
				n += s.Len()
			}
			return Vector(n), nil
		},
		rewrites: []rewrite{
			{"[v] → v for a vector v", func(g *Graph, t *term) (Node, bool) {
				if len(t.args) == 1 && !g.nodes[t.args[0]].shape.IsScalar() {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			{"[constants] → constant", func(g *Graph, t *term) (Node, bool) {
				for _, a := range t.args {
					if !g.isConstNode(a) {
						return Node{}, false
					}
				}
				v := make([]float64, 0, t.shape.Len())
				for _, a := range t.args {
					c, _ := g.constVals(a, g.nodes[a].shape.Len())
					v = append(v, c...)
				}
				return g.ConstVec(v), true
			}},
		},
		kernel: concatK,
		cplx: func(_ *node, args [][]complex128, out []complex128) {
			off := 0
			for _, a := range args {
				off += copy(out[off:], a)
			}
		},
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
		},
		format: func(p *printer, nd *node) (string, int) {
			parts := make([]string, len(nd.args))
			for k := range nd.args {
				parts[k] = p.arg(nd, k, 0)
			}
			return "[" + strings.Join(parts, ", ") + "]", precAtom
		}})

	define(opDef{op: OpScatter, gen: genForm{code: true},
		kind: kindLinear, name: "scatter", args: []string{"v"}, ints: []string{"n", "start", "step"},
		doc: "the length-n vector that is zero except at start, start+step, …, which hold the elements of v",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			n, start, step := ints[0], ints[1], ints[2]
			if n < 1 || step == 0 || !spans(Vector(n), start, step, in[0].Len()) {
				return [3]int{}, fmt.Errorf("scatter of %s into vector(%d) at %d step %d is out of range", in[0], n, start, step)
			}
			return [3]int{start, step, n}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if p[2] < 1 || !spans(Vector(p[2]), p[0], p[1], in[0].Len()) {
				return Shape{}, fmt.Errorf("scatter of %s into vector(%d) at %d step %d is out of range", in[0], p[2], p[0], p[1])
			}
			return Vector(p[2]), nil
		},
		rewrites: []rewrite{
			{"scatter(0, n, …) → fill(0, n)", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) {
					return g.zeros(t.shape), true
				}
				return Node{}, false
			}},
			{"scatter(v, len(v), 0, 1) → v", func(g *Graph, t *term) (Node, bool) {
				if s := g.nodes[t.args[0]].shape; s.Len() == t.p[2] && t.p[0] == 0 && t.p[1] == 1 && !s.IsScalar() {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			// One step is as good as another for one element; one of them
			// makes equal scatters one node.
			{"scatter(s, n, i, step) → scatter(s, n, i, 1)", func(g *Graph, t *term) (Node, bool) {
				if g.nodes[t.args[0]].shape.IsScalar() && t.p[1] != 1 {
					return g.scatter(g.handle(t.args[0]), t.p[2], t.p[0], 1), true
				}
				return Node{}, false
			}},
		},
		kernel: scatterV,
		compile: func(g *Graph, nd *node, in instr) instr {
			if !in.args[0].vec {
				in.kernel = scatterS
			}
			return in
		},
		cplx: func(nd *node, args [][]complex128, out []complex128) {
			for j, z := range args[0] {
				out[nd.p[0]+j*nd.p[1]] = z
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.scatter(a[0], y.p[2], y.p[0], y.p[1]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			v := g.nodes[y.args[0]].shape
			if v.IsScalar() {
				return []Node{g.index(adj, y.p[0])}
			}
			return []Node{g.slice(adj, y.p[0], y.p[1], v.Len())}
		},
		format: func(p *printer, nd *node) (string, int) {
			return fmt.Sprintf("scatter(%s, %d, %d, %d)", p.arg(nd, 0, 0), nd.p[2], nd.p[0], nd.p[1]), precAtom
		}})

	define(opDef{op: OpFill, gen: genForm{code: true},
		kind: kindLinear, name: "fill", args: []string{"s"}, ints: []string{"n"},
		doc: "the vector of n copies of the scalar s",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			if n := ints[0]; n < 1 {
				return [3]int{}, fmt.Errorf("fill: length %d must be at least 1", n)
			}
			return [3]int{ints[0]}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if !in[0].IsScalar() {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "fill takes a scalar"}
			}
			if p[0] < 1 {
				return Shape{}, fmt.Errorf("fill: length %d must be at least 1", p[0])
			}
			return Vector(p[0]), nil
		},
		kernel: fillK,
		cplx: func(_ *node, args [][]complex128, out []complex128) {
			for j := range out {
				out[j] = args[0][0]
			}
		},
		apply:     func(g *Graph, y *node, a []Node) Node { return g.fill(a[0], y.shape) },
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{g.reduce(OpSum, adj)} },
		format: func(p *printer, nd *node) (string, int) {
			return fmt.Sprintf("fill(%s, %d)", p.arg(nd, 0, 0), nd.p[0]), precAtom
		}})

	// ScatterAdd is what the adjoint of a slice added to a gradient becomes
	// ("x + scatter(v) → scatteradd(x, v)" in op_arith.go): an update in
	// place rather than a vector of zeros and an addition.
	define(opDef{op: OpScatterAdd, gen: genForm{code: true},
		kind: kindLinear, name: "scatteradd", goName: "ScatterAdd",
		args: []string{"base", "v"}, ints: []string{"start", "step"},
		form: "base + scatter(v, len(base), start, step)", doc: "base with the elements of v added at start, start+step, …, in place",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			start, step := ints[0], ints[1]
			if in[0].IsScalar() || step == 0 || !spans(in[0], start, step, in[1].Len()) {
				return [3]int{}, fmt.Errorf("scatter of %s into %s at %d step %d is out of range", in[1], in[0], start, step)
			}
			return [3]int{start, step}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if in[0].IsScalar() || !spans(in[0], p[0], p[1], in[1].Len()) {
				return Shape{}, fmt.Errorf("scatter of %s into %s at %d step %d is out of range", in[1], in[0], p[0], p[1])
			}
			return in[0], nil
		},
		kernel:  scatterAddK,
		inPlace: 1,
		cplx: func(nd *node, args [][]complex128, out []complex128) {
			copy(out, args[0])
			for j, z := range args[1] {
				out[nd.p[0]+j*nd.p[1]] += z
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node {
			return g.add2(a[0], g.scatter(a[1], y.shape.Len(), y.p[0], y.p[1]))
		},
		transpose: func(g *Graph, y *node, adj Node) []Node {
			v := g.nodes[y.args[1]].shape
			if v.IsScalar() {
				return []Node{adj, g.index(adj, y.p[0])}
			}
			return []Node{adj, g.slice(adj, y.p[0], y.p[1], v.Len())}
		},
		format: func(p *printer, nd *node) (string, int) {
			return fmt.Sprintf("%s + scatter(%s, %d, %d, %d)", p.arg(nd, 0, precAdd), p.arg(nd, 1, 0), nd.shape.Len(), nd.p[0], nd.p[1]), precAdd
		}})

	define(opDef{op: OpCumsum, gen: genForm{code: true},
		kind: kindLinear, name: "cumsum", args: []string{"v"},
		doc:   "the running sums v[0], v[0]+v[1], …: a vector of the same length",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) { return in[0], nil },
		rewrites: []rewrite{ofScalar,
			{"cumsum(constant) → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst && nd.op != OpFill {
					return Node{}, false
				}
				vals, ok := g.constVals(t.args[0], nd.shape.Len())
				if !ok {
					return Node{}, false
				}
				v := make([]float64, len(vals))
				s := 0.0
				for i, c := range vals {
					s += c
					v[i] = s
				}
				return g.ConstVec(v), true
			}},
		},
		kernel: cumsumK,
		cplx: func(_ *node, args [][]complex128, out []complex128) {
			var s complex128
			for j, z := range args[0] {
				s += z
				out[j] = s
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.cumsum(a[0]) },
		// The adjoint of running sums is running sums from the end.
		transpose: func(g *Graph, y *node, adj Node) []Node {
			n := y.shape.Len()
			return []Node{g.slice(g.cumsum(g.slice(adj, n-1, -1, n)), n-1, -1, n)}
		},
		format: printCall})
}

// Index returns x[i]; a negative i counts from the end.
func (g *Graph) Index(x Node, i int) (Node, error) { return g.call(OpIndex, []Node{x}, i) }

// None marks an omitted bound in Slice, like Python's None.
const None = math.MinInt

// Slice returns x[start:stop:step] with Python's rules: negative bounds count
// from the end, bounds are clipped, None stands for an omitted bound. A step
// of 0 or an empty result is an error.
func (g *Graph) Slice(x Node, start, stop, step int) (Node, error) {
	return g.call(OpSlice, []Node{x}, start, stop, step)
}

// Concat joins scalars and vectors into one vector, as a vector literal
// [a, b, …] does.
func (g *Graph) Concat(xs ...Node) (Node, error) { return g.call(OpConcat, xs) }

// Scatter returns the vector of length n that is zero except at positions
// start, start+step, … which hold the elements of v (a scalar fills one
// position). It is the adjoint of Index and Slice.
func (g *Graph) Scatter(v Node, n, start, step int) (Node, error) {
	return g.call(OpScatter, []Node{v}, n, start, step)
}

// Fill returns a vector of n copies of the scalar s.
func (g *Graph) Fill(s Node, n int) (Node, error) { return g.call(OpFill, []Node{s}, n) }

// Internal builders of the structural ops, for rules whose parameters are
// known to fit.
func (g *Graph) index(x Node, i int) Node { return must(g.build(OpIndex, [3]int{i}, x)) }
func (g *Graph) slice(x Node, first, step, count int) Node {
	return must(g.build(OpSlice, [3]int{first, step, count}, x))
}
func (g *Graph) scatter(v Node, n, start, step int) Node {
	return must(g.build(OpScatter, [3]int{start, step, n}, v))
}
func (g *Graph) cumsum(x Node) Node { return must(g.build(OpCumsum, [3]int{}, x)) }

// spans reports whether count elements from first, step apart, lie in a
// value of shape s.
func spans(s Shape, first, step, count int) bool {
	last := first + (count-1)*step
	return !s.IsScalar() && count >= 1 && first >= 0 && first < s.Len() && last >= 0 && last < s.Len()
}

func bound(b int) string {
	if b == None {
		return ""
	}
	return fmt.Sprint(b)
}

// sliceRange resolves a Python slice of a sequence of length n into the
// first index and the number of elements.
func sliceRange(n, start, stop, step int) (first, count int) {
	clamp := func(b, def, lo, hi int) int {
		if b == None {
			return def
		}
		if b < 0 {
			b += n
		}
		return min(max(b, lo), hi)
	}
	if step > 0 {
		first = clamp(start, 0, 0, n)
		end := clamp(stop, n, 0, n)
		if end > first {
			count = (end - first + step - 1) / step
		}
	} else {
		first = clamp(start, n-1, -1, n-1)
		end := clamp(stop, -1, -1, n-1)
		if first > end {
			count = (first - end - step - 1) / -step
		}
	}
	return first, count
}

// scattered returns the element of a scatter's vector that lands at
// position i, if one does.
func (g *Graph) scattered(nd *node, i int) (Node, bool) {
	v := nd.args[len(nd.args)-1]
	start, step := nd.p[0], nd.p[1]
	if g.nodes[v].shape.IsScalar() {
		return g.handle(v), i == start
	}
	k := (i - start) / step
	if (i-start)%step != 0 || k < 0 || k >= g.nodes[v].shape.Len() {
		return Node{}, false
	}
	return g.index(g.handle(v), k), true
}

// The structural kernels.

func indexK(ws *Workspace, in *instr) { ws.s[in.dst] = ws.v[in.a][in.p0] }

func viewK(ws *Workspace, in *instr) {
	ws.v[in.dst] = ws.v[in.a][in.p0 : in.p0+in.p1 : in.p0+in.p1]
}

func gatherK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	for i, j := 0, in.p0; i < len(d); i, j = i+1, j+in.p1 {
		d[i] = a[j]
	}
}

func scatterS(ws *Workspace, in *instr) {
	d := ws.v[in.dst]
	clear(d)
	d[in.p0] = ws.s[in.a]
}

func scatterV(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	if in.p1 == 1 {
		// Only the ends outside the copy need zeros.
		clear(d[:in.p0])
		clear(d[in.p0+copy(d[in.p0:], a):])
		return
	}
	clear(d)
	for i, j := 0, in.p0; i < len(a); i, j = i+1, j+in.p1 {
		d[j] = a[i]
	}
}

func scatterAddK(ws *Workspace, in *instr) {
	d, base := ws.v[in.dst], ws.v[in.a]
	if &d[0] != &base[0] {
		copy(d, base)
	}
	if !in.args[1].vec {
		d[in.p0] += ws.s[in.b]
		return
	}
	v := ws.v[in.b]
	if in.p1 == 1 {
		d = d[in.p0 : in.p0+len(v)]
		for i := range v {
			d[i] += v[i]
		}
		return
	}
	for i, j := 0, in.p0; i < len(v); i, j = i+1, j+in.p1 {
		d[j] += v[i]
	}
}

func cumsumK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	a = a[:len(d)]
	t := 0.0
	for i := range d {
		t += a[i]
		d[i] = t
	}
}

func fillK(ws *Workspace, in *instr) {
	d, c := ws.v[in.dst], ws.s[in.a]
	for i := range d {
		d[i] = c
	}
}

func concatK(ws *Workspace, in *instr) {
	d := ws.v[in.dst]
	off := 0
	for _, l := range in.args {
		if l.vec {
			off += copy(d[off:], ws.v[l.i])
		} else {
			d[off] = ws.s[l.i]
			off++
		}
	}
}
