package ad

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The linear algebra of matrices: the matrix product, whose kernels call
// BLAS through gonum's blas64, so that blas64.Use can put a faster
// implementation (OpenBLAS) under them. Operations backed by LAPACK
// (determinants, solves, factorizations) belong here too.
//
// The parameters p of a product: whether the first and the second operand
// are used transposed (1) or as they are (0). The language has no syntax
// for them: transpose(A) @ B is built as A @ B with p[0] set, so that the
// products of derivatives (Gᵀ·A, A·Bᵀ) never copy a transpose.
func init() {
	define(opDef{op: OpMatMul, kind: kindBilinear, name: "matmul", goName: "MatMul", args: []string{"x", "y"},
		form: "x @ y", doc: "the matrix product of x and y: matrix·matrix, matrix·vector, vector·matrix, and for two vectors their inner product",
		shape: matmulShape,
		rewrites: []rewrite{
			{"transpose(a) @ b → a @ b with a transposed in place", func(g *Graph, t *term) (Node, bool) {
				p, args, changed := t.p, g.argHandles(t.args), false
				for k, a := range t.args {
					if nd := &g.nodes[a]; nd.op == OpTranspose {
						p[k] ^= 1
						args[k] = g.handle(nd.args[0])
						changed = true
					}
				}
				if !changed {
					return Node{}, false
				}
				return must(g.build(OpMatMul, p, args...)), true
			}},
			{"u @ v → dot(u, v) for vectors", func(g *Graph, t *term) (Node, bool) {
				if g.nodes[t.args[0]].shape.Rank() == 1 && g.nodes[t.args[1]].shape.Rank() == 1 {
					return g.reduce(OpDot, g.handle(t.args[0]), g.handle(t.args[1])), true
				}
				return Node{}, false
			}},
			{"0 @ y → 0", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) || g.isConst(t.args[1], 0) {
					return g.zeros(t.shape), true
				}
				return Node{}, false
			}},
			// A product with a uniform matrix or vector sums the other
			// operand: fill(c) @ B has the column sums of B, times c, in
			// every row, and A @ fill(c) the row sums of A in every
			// column.
			{"fill(c) @ x → c * the sums of x", func(g *Graph, t *term) (Node, bool) {
				for k := range 2 {
					c, ok := g.constant(t.args[k])
					if !ok || g.nodes[t.args[k]].op != OpFill {
						continue
					}
					x, other := g.handle(t.args[1-k]), g.nodes[t.args[1-k]].shape
					var sums Node
					if other.Rank() == 1 {
						sums = g.reduce(OpSum, x)
					} else {
						// The other operand's column sums for k = 0, row sums
						// for k = 1, of it as used (transposed or not).
						axis := k
						if t.p[1-k] == 1 {
							axis = 1 - k
						}
						sums = g.sumAxis(x, axis)
					}
					sums = g.mul(g.Const(c), sums)
					if s := g.at(sums).shape; s != t.shape && s.Rank() == 1 && k == 1 {
						sums = g.reshape(sums, Matrix(s.Len(), 1)) // a column
					}
					return g.broadcastTo(sums, t.shape), true
				}
				return Node{}, false
			}},
			{"constant @ constant → constant", func(g *Graph, t *term) (Node, bool) {
				a, b := &g.nodes[t.args[0]], &g.nodes[t.args[1]]
				if a.op != OpConst || b.op != OpConst {
					return Node{}, false
				}
				d := matmulDimsOf(a.shape, b.shape, t.p)
				out := make([]float64, d.m*d.n)
				for i := range d.m {
					for j := range d.n {
						for l := range d.k {
							out[i*d.n+j] += a.vec[d.aAt(i, l)] * b.vec[d.bAt(l, j)]
						}
					}
				}
				return g.constOf(t.shape, out), true
			}},
		},
		kernel:  matmulMM,
		compile: compileMatMul,
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			d := matmulDimsOf(in[0], in[1], nd.p)
			a, b := args[0], args[1]
			for i := range d.m {
				for j := range d.n {
					var s complex128
					for l := range d.k {
						s += a[d.aAt(i, l)] * b[d.bAt(l, j)]
					}
					out[i*d.n+j] = s
				}
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return must(g.build(OpMatMul, y.p, a...)) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			// With A' and B' the operands as used (transposed or not):
			// C = A'·B' gives adj_A' = adj·B'ᵀ and adj_B' = A'ᵀ·adj; a
			// vector operand's adjoint is a product with adj, a matrix
			// operand's against a vector is an outer product.
			a, b := g.operand(y, 0), g.operand(y, 1)
			var da, db Node
			switch ra, rb := g.at(a).shape.Rank(), g.at(b).shape.Rank(); {
			case ra == 2 && rb == 2:
				da, db = g.matmul(adj, g.transpose(b)), g.matmul(g.transpose(a), adj)
			case ra == 2:
				da, db = g.outer(adj, b), g.matmul(adj, a)
			default:
				da, db = g.matmul(b, adj), g.outer(a, adj)
			}
			if y.p[0] == 1 {
				da = g.transpose(da)
			}
			if y.p[1] == 1 {
				db = g.transpose(db)
			}
			return []Node{da, db}
		},
		format: func(p *printer, nd *node) (string, int) {
			a, b := &p.nodes[nd.args[0]], &p.nodes[nd.args[1]]
			if nd.p == [3]int{} && a.op == OpReshape && b.op == OpReshape && a.shape.Dim(1) == 1 && b.shape.Dim(0) == 1 &&
				p.nodes[a.args[0]].shape.Rank() == 1 && p.nodes[b.args[0]].shape.Rank() == 1 {
				return fmt.Sprintf("outer(%s, %s)", p.expr(a.args[0], 0, false), p.expr(b.args[0], 0, false)), precAtom
			}
			operand := func(k, min int) string {
				if nd.p[k] == 1 {
					s, _ := p.transposeOf(nd.args[k])
					return s
				}
				return p.arg(nd, k, min)
			}
			return operand(0, precMul) + " @ " + operand(1, precMul+1), precMul
		}})
}

// MatMul returns the matrix product a @ b.
func (g *Graph) MatMul(a, b Node) (Node, error) { return g.call(OpMatMul, []Node{a, b}) }

// matmulShape is the shape rule of the matrix product: (m×k)·(k×n) is
// m×n, (m×k)·(k) is a vector of m, (k)·(k×n) a vector of n, and two
// vectors of k make a scalar.
func matmulShape(op Op, in []Shape, p [3]int) (Shape, error) {
	a, b := in[0], in[1]
	if p[0] == 1 {
		a = a.transposed()
	}
	if p[1] == 1 {
		b = b.transposed()
	}
	if a.IsScalar() || b.IsScalar() {
		return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: "@ takes vectors and matrices; a scalar multiplies with *"}
	}
	if ka, kb := a.dims[a.rank-1], b.dims[0]; ka != kb {
		return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: fmt.Sprintf("inner sizes %d and %d differ", ka, kb)}
	}
	switch {
	case a.rank == 2 && b.rank == 2:
		return Matrix(a.dims[0], b.dims[1]), nil
	case a.rank == 2:
		return Vector(a.dims[0]), nil
	case b.rank == 2:
		return Vector(b.dims[1]), nil
	}
	return Scalar(), nil
}

// transposed returns the shape of the transpose: a matrix's sizes swap, a
// vector or a scalar stays as it is.
func (s Shape) transposed() Shape {
	if s.rank == 2 {
		s.dims[0], s.dims[1] = s.dims[1], s.dims[0]
	}
	return s
}

// matmulDims are the sizes of a product (m×k)·(k×n), a vector operand
// taken as a row (1×k) on the left and a column (k×1) on the right, with
// where each operand's elements are stored.
type matmulDims struct {
	m, k, n    int
	aT, bT     bool // whether the operand is stored transposed
	aVec, bVec bool
}

func matmulDimsOf(a, b Shape, p [3]int) matmulDims {
	d := matmulDims{aT: p[0] == 1 && a.rank == 2, bT: p[1] == 1 && b.rank == 2, aVec: a.rank == 1, bVec: b.rank == 1}
	if d.aT {
		a = a.transposed()
	}
	if d.bT {
		b = b.transposed()
	}
	d.m, d.k, d.n = 1, b.dims[0], 1
	if a.rank == 2 {
		d.m = a.dims[0]
	}
	if b.rank == 2 {
		d.n = b.dims[1]
	}
	return d
}

// aAt and bAt return where element (i, l) of the first operand and (l, j)
// of the second are stored.
func (d matmulDims) aAt(i, l int) int {
	if d.aT {
		return l*d.m + i
	}
	return i*d.k + l
}

func (d matmulDims) bAt(l, j int) int {
	if d.bT {
		return j*d.k + l
	}
	return l*d.n + j
}

// operand returns argument k of a product as the product uses it:
// transposed when its parameter says so.
func (g *Graph) operand(y *node, k int) Node {
	if y.p[k] == 1 {
		return g.transpose(g.handle(y.args[k]))
	}
	return g.handle(y.args[k])
}

// matmul returns a @ b, whose shapes are known to fit.
func (g *Graph) matmul(a, b Node) Node { return must(g.build(OpMatMul, [3]int{}, a, b)) }

// outer returns the outer product of the vectors u and v: the matrix
// product of u as a column and v as a row.
func (g *Graph) outer(u, v Node) Node {
	return g.matmul(g.reshape(u, Matrix(g.at(u).shape.Len(), 1)), g.reshape(v, Matrix(1, g.at(v).shape.Len())))
}

func (g *Graph) argHandles(args []int32) []Node {
	ns := make([]Node, len(args))
	for k, a := range args {
		ns[k] = g.handle(a)
	}
	return ns
}

// compileMatMul picks the kernel by the operands' ranks: a product with a
// vector is a matrix-vector product (gemv). p0 is the inner size k, p1
// says which operands are stored transposed (bit 0 the first, bit 1 the
// second).
func compileMatMul(g *Graph, nd *node, in instr) instr {
	d := matmulDimsOf(g.nodes[nd.args[0]].shape, g.nodes[nd.args[1]].shape, nd.p)
	in.p0, in.p1 = d.k, nd.p[0]|nd.p[1]<<1
	switch {
	case d.bVec:
		in.kernel = matmulMV
	case d.aVec:
		in.kernel = matmulVM
	}
	return in
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// general returns a row-major matrix of r rows over data.
func general(r int, data []float64) blas64.General {
	c := len(data) / r
	return blas64.General{Rows: r, Cols: c, Stride: c, Data: data}
}

// matmulMM is C = A'·B' for matrices.
func matmulMM(ws *Workspace, in *instr) {
	c, a, b, k := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.p0
	aT, bT := in.p1&1 != 0, in.p1&2 != 0
	m, n := len(a)/k, len(b)/k
	ar, br := m, k
	if aT {
		ar = k
	}
	if bT {
		br = n
	}
	blas64.Gemm(trans(aT), trans(bT), 1, general(ar, a), general(br, b), 0, general(m, c))
}

// matmulMV is y = A'·x for a matrix A and a vector x.
func matmulMV(ws *Workspace, in *instr) {
	y, a, x := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
	aT := in.p1&1 != 0
	rows := len(y)
	if aT {
		rows = len(x)
	}
	blas64.Gemv(trans(aT), 1, general(rows, a), vec(x), 0, vec(y))
}

// matmulVM is y = x·B' = B'ᵀ·x for a vector x and a matrix B.
func matmulVM(ws *Workspace, in *instr) {
	y, x, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
	bT := in.p1&2 != 0
	rows := len(x)
	if bT {
		rows = len(y)
	}
	blas64.Gemv(trans(!bT), 1, general(rows, b), vec(x), 0, vec(y))
}

func vec(x []float64) blas64.Vector { return blas64.Vector{N: len(x), Inc: 1, Data: x} }
