package ad

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The structural ops: indexing, slicing, joining and spreading vectors, and
// running sums. All are linear in their node arguments, so each has its
// transpose; their integer parameters are fixed when the node is built.
//
// The parameters p of a node: index i; slice first, step, count; scatter
// start, step, n; scatteradd start, step; fill n.
func init() {
	define(opDef{op: OpIndex, gen: genForm{code: true}, kind: kindLinear, name: "index", args: []string{"x"}, ints: []string{"i"},
		form: "x[i]", doc: "element i of the vector x, or row i of the matrix x; a negative i counts from the end",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			s, i := in[0], ints[0]
			if s.IsScalar() {
				return [3]int{}, errors.New("cannot index a scalar")
			}
			j := i
			if j < 0 {
				j += items(s)
			}
			if j < 0 || j >= items(s) {
				return [3]int{}, fmt.Errorf("index %d out of range for %s", i, s)
			}
			return [3]int{j}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if in[0].IsScalar() || p[0] < 0 || p[0] >= items(in[0]) {
				return Shape{}, fmt.Errorf("index %d out of range for %s", p[0], in[0])
			}
			return itemShape(in[0]), nil
		},
		rewrites: []rewrite{
			{"fill(s, n)[i] → s", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.fill(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"constant[i] → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				if t.shape.IsScalar() {
					return g.Const(nd.vec[t.p[0]]), true
				}
				w := t.shape.Len()
				return g.constOf(t.shape, nd.vec[t.p[0]*w:(t.p[0]+1)*w]), true
			}},
			{"[x, y, …][i] → the element", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConcat && nd.op != OpVStack {
					return Node{}, false
				}
				i, off := t.p[0], 0
				for _, a := range nd.args {
					s := g.nodes[a].shape
					l := items(s)
					if nd.op == OpVStack && s.Rank() == 1 {
						l = 1 // a vector is one row
					}
					if i < off+l {
						if s.Rank() == t.shape.Rank() {
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
				return g.zeros(t.shape), true
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
		// A row of a matrix is a view of its buffer.
		compile: func(g *Graph, nd *node, in instr) instr {
			if w := nd.shape.Len(); !nd.shape.IsScalar() {
				in.kernel, in.p0, in.p1 = viewK, nd.p[0]*w, w
			}
			return in
		},
		view: func(nd *node) bool { return !nd.shape.IsScalar() },
		picks: func(nd *node, mark func(int)) {
			w := nd.shape.Len()
			for k := range w {
				mark(nd.p[0]*w + k)
			}
		},
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			copy(out, args[0][nd.p[0]*len(out):])
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.index(a[0], y.p[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			s := g.nodes[y.args[0]].shape
			if s.Rank() == 2 {
				adj = g.reshape(adj, Matrix(1, s.Dim(1)))
			}
			return []Node{g.scatter(adj, items(s), y.p[0], 1)}
		},
		format: func(p *printer, nd *node) (string, int) {
			if s, ok := p.subscript(nd, strconv.Itoa(nd.p[0])); ok {
				return s, precPostfix
			}
			return fmt.Sprintf("%s[%d]", p.arg(nd, 0, precPostfix), nd.p[0]), precPostfix
		}})

	define(opDef{op: OpSlice, gen: genForm{code: true},
		kind: kindLinear, name: "slice", args: []string{"x"}, ints: []string{"start", "stop", "step"},
		form: "x[start:stop:step]",
		doc:  "the elements, or the rows of a matrix, start, start+step, … up to, not including, stop, by Python's rules (None omits a bound)",
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
			first, count := sliceRange(items(s), start, stop, step)
			if count == 0 {
				return [3]int{}, fmt.Errorf("slice [%s:%s:%d] of %s is empty", bound(start), bound(stop), step, s)
			}
			return [3]int{first, step, count}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if !spans(in[0], p[0], p[1], p[2]) {
				return Shape{}, fmt.Errorf("slice of %d elements from %d step %d is out of range for %s", p[2], p[0], p[1], in[0])
			}
			return withItems(in[0], p[2]), nil
		},
		rewrites: []rewrite{
			{"x[i:i+1] → [x[i]]", func(g *Graph, t *term) (Node, bool) {
				if t.p[2] == 1 && t.shape.Rank() == 1 {
					return must(g.Concat(g.index(g.handle(t.args[0]), t.p[0]))), true
				}
				return Node{}, false
			}},
			{"x[:] → x", func(g *Graph, t *term) (Node, bool) {
				if t.p[0] == 0 && t.p[1] == 1 && t.p[2] == items(g.nodes[t.args[0]].shape) {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			{"fill(s, n)[a:b:c] → fill(s, m)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.fill(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"constant[a:b:c] → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				w := itemLen(nd.shape)
				v := make([]float64, 0, t.shape.Len())
				for k := range t.p[2] {
					i := t.p[0] + k*t.p[1]
					v = append(v, nd.vec[i*w:(i+1)*w]...)
				}
				return g.constOf(t.shape, v), true
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
			w := itemLen(nd.shape)
			switch {
			case nd.p[1] == 1:
				in.kernel, in.p0, in.p1 = viewK, nd.p[0]*w, nd.p[2]*w
			case w > 1:
				in.kernel, in.p2 = gatherRowsK, w
			}
			return in
		},
		// A slice with step 1 is a view of its argument's buffer.
		view: func(nd *node) bool { return nd.p[1] == 1 },
		picks: func(nd *node, mark func(int)) {
			w := itemLen(nd.shape)
			for k := range nd.p[2] {
				for j := range w {
					mark((nd.p[0]+k*nd.p[1])*w + j)
				}
			}
		},
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			w := itemLen(in[0])
			for k := range nd.p[2] {
				copy(out[k*w:(k+1)*w], args[0][(nd.p[0]+k*nd.p[1])*w:])
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.slice(a[0], y.p[0], y.p[1], y.p[2]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.scatter(adj, items(g.nodes[y.args[0]].shape), y.p[0], y.p[1])}
		},
		format: func(p *printer, nd *node) (string, int) {
			text := sliceText(items(p.nodes[nd.args[0]].shape), nd.p[0], nd.p[1], nd.p[2])
			if s, ok := p.subscript(nd, text[1:len(text)-1]); ok {
				return s, precPostfix
			}
			return p.arg(nd, 0, precPostfix) + text, precPostfix
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
			// A vector literal of vector literals would be a matrix
			// literal: the parts of a part are parts of the whole.
			{"[x, [y, z]] → [x, y, z]", func(g *Graph, t *term) (Node, bool) {
				if args := g.spliced(t, OpConcat); args != nil {
					return must(g.Concat(args...)), true
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
		cplx: func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
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

	define(opDef{op: OpScatter, gen: genForm{code: true}, kind: kindLinear, name: "scatter", args: []string{"v"}, ints: []string{"n", "start", "step"},
		doc: "the length-n vector that is zero except at start, start+step, …, which hold the elements of v; of a matrix v, the n-row matrix that holds its rows there",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			n, start, step := ints[0], ints[1], ints[2]
			if n < 1 || step == 0 || !spans(withItems(in[0], n), start, step, items(in[0])) {
				return [3]int{}, fmt.Errorf("scatter of %s into %s at %d step %d is out of range", in[0], withItems(in[0], n), start, step)
			}
			return [3]int{start, step, n}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			out := withItems(in[0], p[2])
			if p[2] < 1 || !spans(out, p[0], p[1], items(in[0])) {
				return Shape{}, fmt.Errorf("scatter of %s into %s at %d step %d is out of range", in[0], out, p[0], p[1])
			}
			return out, nil
		},
		rewrites: []rewrite{
			{"scatter(0, n, …) → fill(0, n)", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) {
					return g.zeros(t.shape), true
				}
				return Node{}, false
			}},
			{"scatter(v, len(v), 0, 1) → v", func(g *Graph, t *term) (Node, bool) {
				if s := g.nodes[t.args[0]].shape; s == t.shape && t.p[0] == 0 && t.p[1] == 1 {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			// One step is as good as another for one element; one of them
			// makes equal scatters one node.
			{"scatter(s, n, i, step) → scatter(s, n, i, 1)", func(g *Graph, t *term) (Node, bool) {
				if items(g.nodes[t.args[0]].shape) == 1 && t.p[1] != 1 {
					return g.scatter(g.handle(t.args[0]), t.p[2], t.p[0], 1), true
				}
				return Node{}, false
			}},
		},
		kernel: scatterV,
		compile: func(g *Graph, nd *node, in instr) instr {
			switch {
			case !in.args[0].vec:
				in.kernel = scatterS
			case nd.shape.Rank() == 2:
				in.kernel, in.p2 = scatterRowsK, nd.shape.Dim(1)
			}
			return in
		},
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			w := itemLen(nd.shape)
			for k := range items(in[0]) {
				copy(out[(nd.p[0]+k*nd.p[1])*w:], args[0][k*w:(k+1)*w])
			}
		},
		apply:     func(g *Graph, y *node, a []Node) Node { return g.scatter(a[0], y.p[2], y.p[0], y.p[1]) },
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{g.scatterAdjoint(y, adj)} },
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
		// The parameters are the shape of the result (Shape.params): a
		// matrix is filled too, and is written fill(s, m, n).
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if !in[0].IsScalar() {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "fill takes a scalar"}
			}
			s, err := shapeOf(p)
			if err != nil {
				return Shape{}, fmt.Errorf("fill: %w", err)
			}
			return s, nil
		},
		kernel: fillK,
		cplx: func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
			for j := range out {
				out[j] = args[0][0]
			}
		},
		apply:     func(g *Graph, y *node, a []Node) Node { return g.fill(a[0], y.shape) },
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{g.reduce(OpSum, adj)} },
		format: func(p *printer, nd *node) (string, int) {
			dims := fmt.Sprint(nd.shape.Dims())
			return fmt.Sprintf("fill(%s, %s)", p.arg(nd, 0, 0), strings.ReplaceAll(dims[1:len(dims)-1], " ", ", ")), precAtom
		}})

	// ScatterAdd is what the adjoint of a slice added to a gradient becomes
	// ("x + scatter(v) → scatteradd(x, v)" in op_arith.go): an update in
	// place rather than a vector of zeros and an addition.
	define(opDef{op: OpScatterAdd, gen: genForm{code: true},
		kind: kindLinear, name: "scatteradd", goName: "ScatterAdd",
		args: []string{"base", "v"}, ints: []string{"start", "step"},
		form: "base + scatter(v, len(base), start, step)", doc: "base with the elements (or rows) of v added at start, start+step, …, in place",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			start, step := ints[0], ints[1]
			if in[0].IsScalar() || step == 0 || !scattersInto(in[1], in[0], start, step) {
				return [3]int{}, fmt.Errorf("scatter of %s into %s at %d step %d is out of range", in[1], in[0], start, step)
			}
			return [3]int{start, step}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if in[0].IsScalar() || !scattersInto(in[1], in[0], p[0], p[1]) {
				return Shape{}, fmt.Errorf("scatter of %s into %s at %d step %d is out of range", in[1], in[0], p[0], p[1])
			}
			return in[0], nil
		},
		kernel: scatterAddK,
		compile: func(g *Graph, nd *node, in instr) instr {
			if nd.shape.Rank() == 2 {
				in.kernel, in.p2 = scatterAddRowsK, nd.shape.Dim(1)
			}
			return in
		},
		inPlace: 1,
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			copy(out, args[0])
			w := itemLen(nd.shape)
			for k := range items(in[1]) {
				for j := range w {
					out[(nd.p[0]+k*nd.p[1])*w+j] += args[1][k*w+j]
				}
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node {
			return g.add2(a[0], g.scatter(a[1], items(y.shape), y.p[0], y.p[1]))
		},
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{adj, g.scatterAdjoint(y, adj)} },
		format: func(p *printer, nd *node) (string, int) {
			return fmt.Sprintf("%s + scatter(%s, %d, %d, %d)", p.arg(nd, 0, precAdd), p.arg(nd, 1, 0), items(nd.shape), nd.p[0], nd.p[1]), precAdd
		}})

	define(opDef{op: OpCumsum, gen: genForm{code: true}, kind: kindLinear, name: "cumsum", args: []string{"v"},
		doc: "the running sums v[0], v[0]+v[1], …: a vector of the same length",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) {
			if in[0].Rank() > 1 {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "cumsum takes a vector"}
			}
			return in[0], nil
		},
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
		cplx: func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
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

func init() {
	// A reshape is a view: the elements stay where they are, row by row.
	define(opDef{op: OpReshape, gen: genForm{code: true}, kind: kindLinear, name: "reshape", args: []string{"x"}, ints: []string{"m", "n"},
		doc: "the elements of x, row by row, as an m×n matrix (flatten(x) makes them a vector)",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			m, n := ints[0], ints[1]
			if m < 1 || n < 1 || in[0].IsScalar() || m*n != in[0].Len() {
				return [3]int{}, fmt.Errorf("cannot reshape %s into %s", in[0], Matrix(m, n))
			}
			return [3]int{m, n}, nil
		},
		// The parameters are the shape of the result (Shape.params), which
		// may be a vector.
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			s, err := shapeOf(p)
			if err != nil || in[0].IsScalar() || s.Len() != in[0].Len() {
				return Shape{}, fmt.Errorf("cannot reshape %s into %v", in[0], p)
			}
			return s, nil
		},
		rewrites: []rewrite{
			{"reshape(x) → x for x of the shape", func(g *Graph, t *term) (Node, bool) {
				if g.nodes[t.args[0]].shape == t.shape {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			{"reshape(reshape(x)) → reshape(x)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpReshape {
					return g.reshape(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"reshape(fill(s)) → fill(s)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.fill(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"reshape(constant) → constant", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpConst {
					return g.constOf(t.shape, nd.vec), true
				}
				return Node{}, false
			}},
		},
		kernel: viewK,
		compile: func(g *Graph, nd *node, in instr) instr {
			in.p0, in.p1 = 0, nd.shape.Len()
			return in
		},
		view:  func(*node) bool { return true },
		cplx:  func(_ *node, _ []Shape, args [][]complex128, out []complex128) { copy(out, args[0]) },
		apply: func(g *Graph, y *node, a []Node) Node { return g.reshape(a[0], y.shape) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.reshape(adj, g.nodes[y.args[0]].shape)}
		},
		format: func(p *printer, nd *node) (string, int) {
			if nd.shape.Rank() == 1 {
				return "flatten(" + p.arg(nd, 0, 0) + ")", precAtom
			}
			return printCallP(p, nd)
		}})

	// Elementwise operations broadcast rows and columns to matrices with
	// a broadcast node of their operand (op_elementwise.go), so that their
	// own kernels and derivatives see operands of one shape.
	define(opDef{op: OpBroadcast, gen: genForm{code: true}, kind: kindLinear, name: "broadcast", args: []string{"x"}, ints: []string{"m", "n"},
		doc: "x repeated to an m×n matrix: a vector of n or a 1×n matrix as every row, an m×1 matrix as every column, a scalar everywhere",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			s := Matrix(ints[0], ints[1])
			if validShape(s) != nil || !in[0].broadcastsTo(s) {
				return [3]int{}, &ShapeError{Op: "broadcast", Shapes: []Shape{in[0], s}}
			}
			return s.params(), nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			s, err := shapeOf(p)
			if err != nil || s.Rank() != 2 || !in[0].broadcastsTo(s) {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: []Shape{in[0], s}}
			}
			return s, nil
		},
		rewrites: []rewrite{
			{"broadcast(x) → x for x of the shape", func(g *Graph, t *term) (Node, bool) {
				if g.nodes[t.args[0]].shape == t.shape {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			{"broadcast(x) → fill(x) for x of one element", func(g *Graph, t *term) (Node, bool) {
				if x := g.handle(t.args[0]); g.at(x).shape.Len() == 1 {
					return g.fill(g.reshape(x, Scalar()), t.shape), true
				}
				return Node{}, false
			}},
			{"broadcast(fill(s)) → fill(s)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.fill(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"broadcast(constant) → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				v := make([]float64, t.shape.Len())
				for k := range v {
					v[k] = nd.vec[broadcastIndex(nd.shape, t.shape, k)]
				}
				return g.constOf(t.shape, v), true
			}},
		},
		kernel: broadcastRowsK,
		compile: func(g *Graph, nd *node, in instr) instr {
			if x := g.nodes[nd.args[0]].shape; x.dimFromEnd(1) == 1 {
				in.kernel = broadcastColsK
			}
			return in
		},
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			for k := range out {
				out[k] = args[0][broadcastIndex(in[0], nd.shape, k)]
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.broadcastTo(a[0], y.shape) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.unbroadcast(adj, g.nodes[y.args[0]].shape)}
		},
		format: printCallP})
}

func init() {
	define(opDef{op: OpTranspose, gen: genForm{code: true}, kind: kindLinear, name: "transpose", args: []string{"x"},
		doc:   "the transpose of the matrix x, whose rows are the columns of x; a vector or a scalar is its own transpose",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) { return in[0].transposed(), nil },
		rewrites: []rewrite{
			{"transpose(v) → v for a vector or a scalar", func(g *Graph, t *term) (Node, bool) {
				if g.nodes[t.args[0]].shape.Rank() < 2 {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			{"transpose(transpose(x)) → x", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpTranspose {
					return g.handle(nd.args[0]), true
				}
				return Node{}, false
			}},
			{"transpose(fill(s)) → fill(s)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.fill(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"transpose(constant) → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				m, n := nd.shape.Dim(0), nd.shape.Dim(1)
				v := make([]float64, len(nd.vec))
				for k, x := range nd.vec {
					v[k%n*m+k/n] = x
				}
				return g.constOf(t.shape, v), true
			}},
			// A row repeated down the rows is, transposed, a column
			// repeated across the columns.
			{"transpose(broadcast(x)) → broadcast(transpose(x))", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpBroadcast {
					return Node{}, false
				}
				// x is a row or a column, whose transpose has its elements
				// in the same order.
				x := g.handle(nd.args[0])
				xs := g.at(x).shape
				if xs.Rank() == 1 {
					xs = Matrix(1, xs.Len())
				}
				return g.broadcastTo(g.reshape(x, xs.transposed()), t.shape), true
			}},
			// (A'·B')ᵀ = B'ᵀ·A'ᵀ, where the product's parameters transpose
			// the operands that are left transposed in place.
			{"transpose(a @ b) → transpose(b) @ transpose(a)", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpMatMul {
					return Node{}, false
				}
				return g.matmul(g.transpose(g.operand(nd, 1)), g.transpose(g.operand(nd, 0))), true
			}},
		},
		kernel: transposeK,
		compile: func(g *Graph, nd *node, in instr) instr {
			in.p0 = nd.shape.Dim(1)
			return in
		},
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			m, n := in[0].Dim(0), in[0].Dim(1)
			for k, z := range args[0] {
				out[k%n*m+k/n] = z
			}
		},
		apply:     func(g *Graph, y *node, a []Node) Node { return g.transpose(a[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{g.transpose(adj)} },
		format:    func(p *printer, nd *node) (string, int) { return p.transposeOf(nd.args[0]) }})

	define(opDef{op: OpVStack, gen: genForm{code: true}, kind: kindLinear, name: "vstack", goName: "VStack", args: []string{"xs..."},
		doc: "the vectors and matrices xs of one row length, one below the other: each vector is a row",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) {
			if len(in) == 0 {
				return Shape{}, errors.New("vstack of nothing")
			}
			rows := 0
			for _, s := range in {
				if s.IsScalar() || s.dimFromEnd(1) != in[0].dimFromEnd(1) {
					return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "vstack takes vectors and matrices of one row length"}
				}
				rows += s.Len() / s.dimFromEnd(1)
			}
			return Matrix(rows, in[0].dimFromEnd(1)), nil
		},
		rewrites: []rewrite{
			{"vstack(A) → A for a matrix A", func(g *Graph, t *term) (Node, bool) {
				if len(t.args) == 1 && g.nodes[t.args[0]].shape == t.shape {
					return g.handle(t.args[0]), true
				}
				return Node{}, false
			}},
			// hstack(M, Q) is transpose(vstack(Mᵀ, Qᵀ)): a matrix built
			// up a block at a time is one copy, not one a block.
			{"vstack(vstack(a, b), c) → vstack(a, b, c)", func(g *Graph, t *term) (Node, bool) {
				if args := g.spliced(t, OpVStack); args != nil {
					return g.vstack(args...), true
				}
				return Node{}, false
			}},
			{"vstack(constants) → constant", func(g *Graph, t *term) (Node, bool) {
				v := make([]float64, 0, t.shape.Len())
				for _, a := range t.args {
					if !g.isConstNode(a) {
						return Node{}, false
					}
					c, _ := g.constVals(a, g.nodes[a].shape.Len())
					v = append(v, c...)
				}
				return g.constOf(t.shape, v), true
			}},
		},
		// The rows lie one after the other, as concatenated vectors do.
		kernel: concatK,
		cplx: func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
			off := 0
			for _, a := range args {
				off += copy(out[off:], a)
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.vstack(a...) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			out := make([]Node, len(y.args))
			row := 0
			for i, a := range y.args {
				if s := g.nodes[a].shape; s.Rank() == 1 {
					out[i] = g.index(adj, row)
					row++
				} else {
					out[i] = g.slice(adj, row, 1, s.Dim(0))
					row += s.Dim(0)
				}
			}
			return out
		},
		// Rows written as vector literals print as a matrix literal.
		format: func(p *printer, nd *node) (string, int) {
			parts := make([]string, len(nd.args))
			literal := true
			for k := range nd.args {
				parts[k] = p.arg(nd, k, 0)
				a := &p.nodes[nd.args[k]]
				_, named := p.names[nd.args[k]]
				literal = literal && !named && (a.op == OpConcat || a.op == OpConst && a.shape.Rank() == 1 && strings.HasPrefix(parts[k], "["))
			}
			if literal {
				return "[" + strings.Join(parts, ", ") + "]", precAtom
			}
			return "vstack(" + strings.Join(parts, ", ") + ")", precAtom
		}})
}

// Diagonals and triangles of square matrices.
func init() {
	define(opDef{op: OpDiag, gen: genForm{code: true}, kind: kindLinear, name: "diag", args: []string{"x"},
		doc: "the square matrix with the vector x on its diagonal and zeros elsewhere, or the diagonal of the square matrix x",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) {
			switch s := in[0]; {
			case s.Rank() == 1:
				return Matrix(s.Dim(0), s.Dim(0)), nil
			case s.Rank() == 2 && s.Dim(0) == s.Dim(1):
				return Vector(s.Dim(0)), nil
			}
			return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "diag takes a vector or a square matrix"}
		},
		rewrites: []rewrite{
			{"diag(diag(v)) → v for a vector v", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpDiag && t.shape.Rank() == 1 {
					return g.handle(nd.args[0]), true
				}
				return Node{}, false
			}},
			{"diag(fill(s, n, n)) → fill(s, n)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill && t.shape.Rank() == 1 {
					return g.fill(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"diag(constant) → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				v := make([]float64, t.shape.Len())
				n := t.shape.Dim(0)
				for i := range n {
					if t.shape.Rank() == 2 {
						v[i*n+i] = nd.vec[i]
					} else {
						v[i] = nd.vec[i*n+i]
					}
				}
				return g.constOf(t.shape, v), true
			}},
		},
		kernel: diagK,
		picks: func(nd *node, mark func(int)) {
			n := nd.shape.Dim(0)
			for i := range n {
				if nd.shape.Rank() == 1 {
					mark(i*n + i)
				} else {
					mark(i)
				}
			}
		},
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			n := nd.shape.Dim(0)
			for i := range n {
				if nd.shape.Rank() == 2 {
					out[i*n+i] = args[0][i]
				} else {
					out[i] = args[0][i*n+i]
				}
			}
		},
		apply:     func(g *Graph, y *node, a []Node) Node { return g.diag(a[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{g.diag(adj)} },
		format:    printCall})

	// The entries of a triangle, row by row: tril(v, 3) is
	// [[v0, 0, 0], [v1, v2, 0], [v3, v4, v5]], and tril(v, 3, -1), the
	// strict triangle, [[0, 0, 0], [v0, 0, 0], [v1, v2, 0]]. As NumPy's
	// tril, the triangle of diagonal k holds the elements (i, j) with
	// j ≤ i + k.
	define(opDef{op: OpTril, gen: genForm{code: true}, kind: kindLinear, name: "tril", args: []string{"v"}, ints: []string{"n", "k"},
		doc: "the n×n matrix whose elements (i, j) with j ≤ i + k hold the entries v row by row, and zeros above: k = 0 includes the diagonal, k = −1 leaves it zero",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			n, k := ints[0], ints[1]
			if err := validShape(Matrix(n, n)); err != nil {
				return [3]int{}, fmt.Errorf("tril: %w", err)
			}
			if k <= -n || k >= n {
				return [3]int{}, fmt.Errorf("tril: a %d×%d triangle has no diagonal %d", n, n, k)
			}
			if want := trilCount(n, k); in[0] != Vector(want) {
				return [3]int{}, &ShapeError{Op: "tril", Shapes: in, Msg: fmt.Sprintf("the triangle of diagonal %d of a %d×%d matrix has %d entries", k, n, n, want)}
			}
			return [3]int{n, k}, nil
		},
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			if n, k := p[0], p[1]; validShape(Matrix(n, n)) != nil || k <= -n || k >= n || in[0] != Vector(trilCount(n, k)) {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: fmt.Sprintf("no triangle of diagonal %d of a %d×%d matrix", k, n, n)}
			}
			return Matrix(p[0], p[0]), nil
		},
		rewrites: []rewrite{
			{"tril(constant) → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				v := make([]float64, t.shape.Len())
				triangle(t.p[0], t.p[1], func(e, m int) { v[m] = nd.vec[e] })
				return g.constOf(t.shape, v), true
			}},
		},
		kernel: trilK,
		compile: func(g *Graph, nd *node, in instr) instr {
			in.p0, in.p1 = nd.p[0], nd.p[1]
			return in
		},
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			triangle(nd.p[0], nd.p[1], func(e, m int) { out[m] = args[0][e] })
		},
		apply:     func(g *Graph, y *node, a []Node) Node { return g.tril(a[0], y.p[0], y.p[1]) },
		transpose: func(g *Graph, y *node, adj Node) []Node { return []Node{g.trilVec(adj, y.p[1])} },
		format: func(p *printer, nd *node) (string, int) {
			if nd.p[1] == 0 {
				return fmt.Sprintf("tril(%s, %d)", p.arg(nd, 0, 0), nd.p[0]), precAtom
			}
			return printCallP(p, nd)
		}})

	define(opDef{op: OpTrilVec, gen: genForm{code: true}, kind: kindLinear, name: "trilvec", goName: "TrilVec", args: []string{"A"}, ints: []string{"k"},
		doc: "the elements (i, j) of the square matrix A with j ≤ i + k, row by row: the entries tril(v, n, k) is made of",
		resolve: func(in []Shape, ints []int) ([3]int, error) {
			s, k := in[0], ints[0]
			if s.Rank() != 2 || s.Dim(0) != s.Dim(1) {
				return [3]int{}, &ShapeError{Op: "trilvec", Shapes: in, Msg: "trilvec takes a square matrix"}
			}
			n := s.Dim(0)
			if k <= -n || k >= n {
				return [3]int{}, fmt.Errorf("trilvec: a %d×%d triangle has no diagonal %d", n, n, k)
			}
			return [3]int{k, n}, nil
		},
		// The parameters are k and, for the elements it picks, n.
		shape: func(op Op, in []Shape, p [3]int) (Shape, error) {
			s, k := in[0], p[0]
			if s.Rank() != 2 || s.Dim(0) != s.Dim(1) || p[1] != s.Dim(0) || k <= -s.Dim(0) || k >= s.Dim(0) {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: fmt.Sprintf("no triangle of diagonal %d", k)}
			}
			return Vector(trilCount(s.Dim(0), k)), nil
		},
		rewrites: []rewrite{
			{"trilvec(tril(v, n, k), k) → v", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpTril && nd.p[1] == t.p[0] {
					return g.handle(nd.args[0]), true
				}
				return Node{}, false
			}},
			{"trilvec(fill(s)) → fill(s)", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.fill(g.handle(nd.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"trilvec(constant) → constant", func(g *Graph, t *term) (Node, bool) {
				nd := &g.nodes[t.args[0]]
				if nd.op != OpConst {
					return Node{}, false
				}
				v := make([]float64, t.shape.Len())
				triangle(nd.shape.Dim(0), t.p[0], func(e, m int) { v[e] = nd.vec[m] })
				return g.constOf(t.shape, v), true
			}},
		},
		kernel: trilVecK,
		compile: func(g *Graph, nd *node, in instr) instr {
			in.p0, in.p1 = g.nodes[nd.args[0]].shape.Dim(0), nd.p[0]
			return in
		},
		picks: func(nd *node, mark func(int)) { triangle(nd.p[1], nd.p[0], func(_, m int) { mark(m) }) },
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			triangle(in[0].Dim(0), nd.p[0], func(e, m int) { out[e] = args[0][m] })
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.trilVec(a[0], y.p[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.tril(adj, g.nodes[y.args[0]].shape.Dim(0), y.p[0])}
		},
		format: func(p *printer, nd *node) (string, int) {
			if nd.p[0] == 0 {
				return fmt.Sprintf("trilvec(%s)", p.arg(nd, 0, 0)), precAtom
			}
			return printCallP(p, nd)
		}})
}

func (g *Graph) vstack(xs ...Node) Node     { return must(g.build(OpVStack, [3]int{}, xs...)) }
func (g *Graph) diag(x Node) Node           { return must(g.build(OpDiag, [3]int{}, x)) }
func (g *Graph) tril(v Node, n, k int) Node { return must(g.build(OpTril, [3]int{n, k}, v)) }
func (g *Graph) trilVec(a Node, k int) Node {
	return must(g.build(OpTrilVec, [3]int{k, g.at(a).shape.Dim(0)}, a))
}

// spliced returns the arguments of t, of an op that joins its arguments in
// order, with those that are joins by the same op replaced by their own
// arguments, or nil when none is.
func (g *Graph) spliced(t *term, op Op) []Node {
	var args []Node
	for k, a := range t.args {
		if nd := &g.nodes[a]; nd.op == op {
			if args == nil {
				args = g.argHandles(t.args[:k])
			}
			args = append(args, g.argHandles(nd.args)...)
		} else if args != nil {
			args = append(args, g.handle(a))
		}
	}
	return args
}

// trilCount is the number of elements (i, j) of an n×n matrix with
// j ≤ i + k, for -n < k < n: the rows from -k on hold 1, 2, … up to n.
func trilCount(n, k int) int {
	if k <= 0 {
		return (n + k) * (n + k + 1) / 2
	}
	return n*(n+1)/2 - k*(k+1)/2 + k*n
}

// triangle calls f for each element (i, j) of an n×n matrix with j ≤ i + k,
// row by row, with its number e in that order and its position m = i·n + j.
func triangle(n, k int, f func(e, m int)) {
	e := 0
	for i := range n {
		for j := range max(0, min(i+k+1, n)) {
			f(e, i*n+j)
			e++
		}
	}
}

// transposeOf prints the transpose of node a. The columns of A are picked
// from its transpose: A[:, 1:] is transpose(transpose(A)[1:]), and
// hstack(A, B) is transpose(vstack(transpose(A), transpose(B))).
func (p *printer) transposeOf(a int32) (string, int) {
	nd := &p.nodes[a]
	if _, named := p.names[a]; !named {
		switch {
		case nd.op == OpSlice && p.nodes[nd.args[0]].op == OpTranspose:
			if _, named := p.names[nd.args[0]]; !named {
				cols := sliceText(items(p.nodes[nd.args[0]].shape), nd.p[0], nd.p[1], nd.p[2])
				return p.columns(&p.nodes[nd.args[0]], cols[1:len(cols)-1]), precPostfix
			}
		case nd.op == OpVStack && !slices.ContainsFunc(nd.args, func(i int32) bool {
			_, named := p.names[i]
			return p.nodes[i].op != OpTranspose || named
		}):
			parts := make([]string, len(nd.args))
			for k, i := range nd.args {
				parts[k] = p.expr(p.nodes[i].args[0], 0, false)
			}
			return "hstack(" + strings.Join(parts, ", ") + ")", precAtom
		}
	}
	return "transpose(" + p.expr(a, 0, false) + ")", precAtom
}

// transpose returns the transpose of x.
func (g *Graph) transpose(x Node) Node { return must(g.build(OpTranspose, [3]int{}, x)) }

// reshape returns x with shape s, which has as many elements; a scalar is
// a value of one element.
func (g *Graph) reshape(x Node, s Shape) Node {
	xs := g.at(x).shape
	switch {
	case xs == s:
		return x
	case s.IsScalar():
		return g.index(g.reshape(x, Vector(1)), 0)
	case xs.IsScalar():
		x = must(g.Concat(x))
	}
	return must(g.build(OpReshape, s.params(), x))
}

// broadcastTo returns x repeated to shape s, which it broadcasts to.
func (g *Graph) broadcastTo(x Node, s Shape) Node {
	if xs := g.at(x).shape; xs == s || s.IsScalar() {
		return x
	} else if xs.IsScalar() || s.Rank() == 1 {
		return g.fill(g.reshape(x, Scalar()), s)
	}
	return must(g.build(OpBroadcast, s.params(), x))
}

// unbroadcast returns the adjoint of broadcasting a value of shape s: adj
// summed along the axes the broadcast repeated s along, in shape s.
func (g *Graph) unbroadcast(adj Node, s Shape) Node {
	t := g.at(adj).shape
	if s.Len() == 1 {
		return g.reshape(g.reduce(OpSum, adj), s)
	}
	for a := t.Rank() - 1; a >= 0; a-- {
		if t.dims[a] != 1 && s.dimFromEnd(t.Rank()-a) == 1 {
			adj = g.sumAxis(adj, a)
		}
	}
	return g.reshape(adj, s)
}

// broadcastIndex returns the element of a value of shape s that element k
// of its broadcast to shape t repeats.
func broadcastIndex(s, t Shape, k int) int {
	src, stride := 0, 1
	for i := 1; i <= t.Rank(); i++ {
		d, j := t.dimFromEnd(i), k%t.dimFromEnd(i)
		k /= d
		if sd := s.dimFromEnd(i); sd != 1 {
			src += j * stride
			stride *= sd
		}
	}
	return src
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

// spans reports whether count items (elements of a vector, rows of a
// matrix) from first, step apart, lie in a value of shape s.
func spans(s Shape, first, step, count int) bool {
	last, n := first+(count-1)*step, items(s)
	return !s.IsScalar() && count >= 1 && first >= 0 && first < n && last >= 0 && last < n
}

// scattersInto reports whether the items of v, from first, step apart,
// lie in a value of shape s: v's shape but for the number of items, or a
// scalar, one element of a vector.
func scattersInto(v, s Shape, first, step int) bool {
	return (v == withItems(s, items(v)) || v.IsScalar() && s.Rank() == 1) && spans(s, first, step, items(v))
}

// items is the number of items along the first axis of a value of shape s:
// the elements of a vector, the rows of a matrix, or 1 for a scalar.
func items(s Shape) int {
	if s.IsScalar() {
		return 1
	}
	return s.dims[0]
}

// itemShape is the shape of one item of a value of shape s: a vector's
// element is a scalar, a matrix's row a vector.
func itemShape(s Shape) Shape {
	if s.rank == 2 {
		return Vector(s.dims[1])
	}
	return Scalar()
}

// itemLen is the number of elements of one item of a value of shape s.
func itemLen(s Shape) int { return itemShape(s).Len() }

// withItems returns s with n items: a vector of n, or a matrix of n rows
// (a scalar has n items as a vector of n).
func withItems(s Shape, n int) Shape {
	if s.rank == 2 {
		return Matrix(n, s.dims[1])
	}
	return Vector(n)
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

// scatterAdjoint returns the adjoint of a scatter's (or a scatteradd's)
// scattered value: the elements, or rows, of adj at its positions.
func (g *Graph) scatterAdjoint(y *node, adj Node) Node {
	v := g.nodes[y.args[len(y.args)-1]].shape
	if v.IsScalar() {
		return g.index(adj, y.p[0])
	}
	return g.slice(adj, y.p[0], y.p[1], items(v))
}

// scattered returns the element of a scatter's vector (or the row of a
// scatter's matrix) that lands at position i, if one does.
func (g *Graph) scattered(nd *node, i int) (Node, bool) {
	v := nd.args[len(nd.args)-1]
	start, step := nd.p[0], nd.p[1]
	if g.nodes[v].shape.IsScalar() {
		return g.handle(v), i == start
	}
	k := (i - start) / step
	if (i-start)%step != 0 || k < 0 || k >= items(g.nodes[v].shape) {
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

// gatherRowsK gathers count rows of p2 elements from p0, p1 apart.
func gatherRowsK(ws *Workspace, in *instr) {
	d, a, w := ws.v[in.dst], ws.v[in.a], in.p2
	for i, j := 0, in.p0; i < len(d); i, j = i+w, j+in.p1 {
		copy(d[i:i+w], a[j*w:(j+1)*w])
	}
}

// scatterRowsK places the rows of p2 elements of a matrix from row p0, p1
// apart, in a matrix of zeros.
func scatterRowsK(ws *Workspace, in *instr) {
	d, a, w := ws.v[in.dst], ws.v[in.a], in.p2
	clear(d)
	for i, j := 0, in.p0; i < len(a); i, j = i+w, j+in.p1 {
		copy(d[j*w:(j+1)*w], a[i:i+w])
	}
}

// scatterAddRowsK adds the rows of p2 elements of its second argument to
// the rows of its first from p0, p1 apart.
func scatterAddRowsK(ws *Workspace, in *instr) {
	d, base, v, w := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.p2
	if &d[0] != &base[0] {
		copy(d, base)
	}
	for i, j := 0, in.p0; i < len(v); i, j = i+w, j+in.p1 {
		row, add := d[j*w:(j+1)*w], v[i:i+w]
		for k := range row {
			row[k] += add[k]
		}
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

// addToK adds a vector to the destination's elements in place, and copyToK
// copies it there: a scatter or scatteradd in a fused group, which adds or
// copies each tile to its window of the destination.
func addToK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	a = a[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
		d4[0] += a4[0]
		d4[1] += a4[1]
		d4[2] += a4[2]
		d4[3] += a4[3]
	}
	for ; i < len(d); i++ {
		d[i] += a[i]
	}
}

func copyToK(ws *Workspace, in *instr) { copy(ws.v[in.dst], ws.v[in.a]) }

func cumsumK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	a = a[:len(d)]
	t := 0.0
	for i := range d {
		t += a[i]
		d[i] = t
	}
}

// transposeK transposes a matrix of p0 rows, a block at a time so that
// both the rows read and the columns written stay in cache.
func transposeK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	m := in.p0
	n := len(a) / m
	if m == 1 || n == 1 {
		copy(d, a) // a row or a column: its elements in the same order
		return
	}
	const bs = 32
	for i0 := 0; i0 < m; i0 += bs {
		i1 := min(i0+bs, m)
		for j0 := 0; j0 < n; j0 += bs {
			j1 := min(j0+bs, n)
			for i := i0; i < i1; i++ {
				k := j0*m + i
				for _, v := range a[i*n+j0 : i*n+j1] {
					d[k] = v
					k += m
				}
			}
		}
	}
}

// diagK places a vector on the diagonal of a matrix of zeros, or takes the
// diagonal of a matrix.
func diagK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	if len(d) > len(a) {
		n := len(a)
		clear(d)
		for i, x := range a {
			d[i*n+i] = x
		}
		return
	}
	n := len(d)
	for i := range d {
		d[i] = a[i*n+i]
	}
}

// trilK places entries row by row in the triangle of diagonal p1 of a
// p0×p0 matrix of zeros; trilVecK takes them out.
func trilK(ws *Workspace, in *instr) {
	d, v, n, k := ws.v[in.dst], ws.v[in.a], in.p0, in.p1
	clear(d)
	for i := range n {
		l := max(0, min(i+k+1, n))
		copy(d[i*n:i*n+l], v[:l])
		v = v[l:]
	}
}

func trilVecK(ws *Workspace, in *instr) {
	d, a, n, k := ws.v[in.dst], ws.v[in.a], in.p0, in.p1
	for i := range n {
		l := max(0, min(i+k+1, n))
		copy(d[:l], a[i*n:i*n+l])
		d = d[l:]
	}
}

// broadcastRowsK repeats a row as every row of a matrix.
func broadcastRowsK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	for i := 0; i < len(d); i += len(a) {
		copy(d[i:], a)
	}
}

// broadcastColsK repeats a column as every column of a matrix.
func broadcastColsK(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	n := len(d) / len(a)
	for i, c := range a {
		row := d[i*n : (i+1)*n]
		for j := range row {
			row[j] = c
		}
	}
}

// broadcastRowsTile and broadcastColsTile are the broadcasts of a fused
// group: they write the tile of the matrix that starts ws.tile elements
// in, all of it that the group's other members read, so that a matrix
// read by the group alone is never whole. p1 is the length of its rows.
func broadcastRowsTile(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	for j := ws.tile % len(a); len(d) > 0; j = 0 {
		d = d[copy(d, a[j:]):]
	}
}

// addRowTile and subRowTile are a + b and a − b, or b − a when p0 is 1,
// with b the tile of the broadcast of the row in slot b that starts
// ws.tile elements in: a sum or difference with broadcastRowsTile's tile,
// made without it. addColTile and subColTile are the same with the
// broadcast of a column, whose matrix has rows p1 long, and
// broadcastColsTile's tile.
func addRowTile(ws *Workspace, in *instr) {
	d, a, row := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
	a = a[:len(d)]
	for j := ws.tile % len(row); len(d) > 0; j = 0 {
		r := row[j:min(len(row), j+len(d))]
		addTo(d[:len(r)], a, r)
		d, a = d[len(r):], a[len(r):]
	}
}

func subRowTile(ws *Workspace, in *instr) {
	d, a, row := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
	a = a[:len(d)]
	for j := ws.tile % len(row); len(d) > 0; j = 0 {
		r := row[j:min(len(row), j+len(d))]
		if in.p0 == 1 {
			subTo(d[:len(r)], r, a)
		} else {
			subTo(d[:len(r)], a, r)
		}
		d, a = d[len(r):], a[len(r):]
	}
}

func addColTile(ws *Workspace, in *instr) {
	d, a, col, n := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.p1
	a = a[:len(d)]
	for r, c := ws.tile/n, ws.tile%n; len(d) > 0; r, c = r+1, 0 {
		k := min(len(d), n-c)
		addScalarTo(d[:k], a, col[r])
		d, a = d[k:], a[k:]
	}
}

func subColTile(ws *Workspace, in *instr) {
	d, a, col, n := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.p1
	a = a[:len(d)]
	for r, c := ws.tile/n, ws.tile%n; len(d) > 0; r, c = r+1, 0 {
		k := min(len(d), n-c)
		if in.p0 == 1 {
			subFromScalarTo(d[:k], col[r], a)
		} else {
			subScalarTo(d[:k], a, col[r])
		}
		d, a = d[k:], a[k:]
	}
}

// broadcastRowsViewTile is broadcastRowsTile for a broadcast that only
// the group reads: a tile within one row is that part of the row itself,
// which nothing writes to, and only a tile across rows is copied.
func broadcastRowsViewTile(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	if j := ws.tile % len(a); j+len(d) <= len(a) {
		ws.v[in.dst] = a[j : j+len(d) : j+len(d)]
		return
	}
	broadcastRowsTile(ws, in)
}

func broadcastColsTile(ws *Workspace, in *instr) {
	d, a, n := ws.v[in.dst], ws.v[in.a], in.p1
	for r, c := ws.tile/n, ws.tile%n; len(d) > 0; r, c = r+1, 0 {
		row, v := d[:min(len(d), n-c)], a[r]
		for j := range row {
			row[j] = v
		}
		d = d[len(row):]
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
