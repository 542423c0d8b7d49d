package ad

import (
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
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
	define(opDef{op: OpMatMul, gen: genForm{code: true}, kind: kindBilinear, name: "matmul", goName: "MatMul", args: []string{"x", "y"},
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
	gemm(trans(aT), trans(bT), 1, general(ar, a), general(br, b), 0, general(m, c))
}

// matmulRowMM is C = A'·B' + the row in args[2] broadcast over C's rows,
// the product added to copies of the row (β = 1). The kernels sum an
// element's products before they add them to C when k fits one of their
// blocks (256 or more), so the result has the bits of the product plus the
// row.
func matmulRowMM(ws *Workspace, in *instr) {
	c, a, b, row := ws.v[in.dst], ws.v[in.a], ws.v[in.b], ws.v[in.args[2].i]
	n := len(row)
	m := len(c) / n
	k := len(a) / m
	aT, bT := in.p1&1 != 0, in.p1&2 != 0
	ar, br := m, k
	if aT {
		ar = k
	}
	if bT {
		br = n
	}
	for i := range m {
		copy(c[i*n:(i+1)*n], row)
	}
	gemm(trans(aT), trans(bT), 1, general(ar, a), general(br, b), 1, general(m, c))
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

// The operations of linear algebra on square matrices: trace, determinant,
// log-determinant, inverse, solve and Cholesky factor, whose kernels call
// LAPACK through gonum's lapack64 (lapack64.Use swaps in another
// implementation). A kernel that factors a matrix does so in the
// workspace's scratch space, sized when the program is compiled, so runs
// allocate nothing.
//
// A singular matrix is not an error: det is 0, logdet −Inf, and inv and
// solve are NaN in every element, as cholesky is of a matrix that is not
// positive definite; RunChecked names the node. The derivatives are those
// of the textbooks (Giles, "An extended collection of matrix derivative
// results for forward and reverse mode AD", 2008), built of these ops and
// the product, so that derivatives of any order follow: d det = det·tr(A⁻¹dA),
// d logdet = tr(A⁻¹dA), d inv = −A⁻¹ dA A⁻¹, d solve(A, B) = A⁻¹(dB − dA X),
// and d cholesky = L Φ(L⁻¹ dA L⁻ᵀ), where Φ takes the lower triangle and half
// the diagonal. At a singular matrix the derivatives of det and logdet,
// built of A⁻¹, are NaN, though det has one there.
//
// The complex forms, for complex-step differentiation, factor the complex
// matrix by an LU factorization of their own (luComplex): gonum's LAPACK
// is real.
func init() {
	define(opDef{op: OpTrace, gen: genForm{code: true}, kind: kindLinear, name: "trace", args: []string{"A"},
		doc:   "the sum of the diagonal of the square matrix A",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) { return Scalar(), square(op, in[0]) },
		rewrites: []rewrite{
			{"trace(fill(s, n, n)) → n*s", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpFill {
					return g.mul(g.Const(float64(nd.shape.Dim(0))), g.handle(nd.args[0])), true
				}
				return Node{}, false
			}},
		},
		kernel: traceK,
		compile: func(g *Graph, nd *node, in instr) instr {
			in.p0 = g.nodes[nd.args[0]].shape.Dim(0)
			return in
		},
		cplx: func(_ *node, in []Shape, args [][]complex128, out []complex128) {
			n := in[0].Dim(0)
			for i := range n {
				out[0] += args[0][i*n+i]
			}
		},
		apply: func(g *Graph, y *node, a []Node) Node { return g.trace(a[0]) },
		transpose: func(g *Graph, y *node, adj Node) []Node {
			return []Node{g.diag(g.fill(adj, Vector(g.nodes[y.args[0]].shape.Dim(0))))}
		},
		format: printCall})

	defineReduction(opDef{op: OpDet, gen: genForm{code: true, helper: detSource}, name: "det", args: []string{"A"},
		doc:     "the determinant of the square matrix A",
		shape:   func(op Op, in []Shape, _ [3]int) (Shape, error) { return Scalar(), square(op, in[0]) },
		kernel:  detK,
		compile: compileFactor,
		cplx: func(_ *node, in []Shape, args [][]complex128, out []complex128) {
			lu, _, sign := luComplex(args[0], in[0].Dim(0))
			out[0] = complex(sign, 0)
			for i := range in[0].Dim(0) {
				out[0] *= lu[i*in[0].Dim(0)+i]
			}
		},
		partials: func(g *Graph, y Node, a []Node) []Node { return []Node{g.mul(y, g.transpose(g.inv(a[0])))} }})

	// logdet is log |det A|, as NumPy's slogdet gives it: a smooth function
	// wherever det A ≠ 0, whose derivative A⁻ᵀ holds whatever the sign.
	// (NaN for a negative determinant, as PyTorch's logdet has it, would
	// leave the derivative rule true only where the value is a number.)
	defineReduction(opDef{op: OpLogDet, gen: genForm{code: true, helper: logDetSource}, name: "logdet", goName: "LogDet", args: []string{"A"},
		doc:     "log(abs(det(A))) of the square matrix A, without overflow: by Cholesky when A is symmetric positive definite, otherwise by LU",
		shape:   func(op Op, in []Shape, _ [3]int) (Shape, error) { return Scalar(), square(op, in[0]) },
		kernel:  logDetK,
		compile: compileFactor,
		// The log of each pivot with the sign that makes it positive: the
		// branch of log |det| that is analytic where det is real.
		cplx: func(_ *node, in []Shape, args [][]complex128, out []complex128) {
			n := in[0].Dim(0)
			lu, _, _ := luComplex(args[0], n)
			for i := range n {
				u := lu[i*n+i]
				if real(u) < 0 {
					u = -u
				}
				out[0] += cmplx.Log(u)
			}
		},
		partials: func(g *Graph, y Node, a []Node) []Node { return []Node{g.transpose(g.inv(a[0]))} }})

	define(opDef{op: OpInv, gen: genForm{code: true, helper: invSource}, kind: kindGeneral, name: "inv", args: []string{"A"},
		doc:     "the inverse of the square matrix A",
		shape:   func(op Op, in []Shape, _ [3]int) (Shape, error) { return in[0], square(op, in[0]) },
		kernel:  invK,
		compile: compileInv,
		cplx: func(_ *node, in []Shape, args [][]complex128, out []complex128) {
			n := in[0].Dim(0)
			for i := range n {
				out[i*n+i] = 1
			}
			solveComplex(args[0], out, n)
		},
		jvp: func(g *Graph, y Node, _, t []Node) Node {
			if !t[0].IsValid() {
				return Node{}
			}
			return g.neg(g.matmul(g.matmul(y, t[0]), y))
		},
		vjp: func(g *Graph, y Node, _ []Node, adj Node) []Node {
			yT := g.transpose(y)
			return []Node{g.neg(g.matmul(g.matmul(yT, adj), yT))}
		},
		format: printCall})

	// The parameter p[0] of a solve says whether A is used transposed, as
	// the product's do: solve(transpose(A), B), the solve of the adjoint,
	// factors A itself.
	define(opDef{op: OpSolve, gen: genForm{code: true, helper: solveSource}, kind: kindGeneral, name: "solve", args: []string{"A", "B"},
		doc: "the solution X of A @ X = B, for the square matrix A and B a vector or a matrix of as many rows",
		shape: func(op Op, in []Shape, _ [3]int) (Shape, error) {
			if err := square(op, in[0]); err != nil {
				return Shape{}, err
			}
			if b := in[1]; b.IsScalar() || b.Dim(0) != in[0].Dim(0) {
				return Shape{}, &ShapeError{Op: op.String(), Shapes: in, Msg: fmt.Sprintf("B must be a vector or a matrix of %d rows", in[0].Dim(0))}
			}
			return in[1], nil
		},
		rewrites: []rewrite{
			{"solve(transpose(A), B) → solve with A transposed in place", func(g *Graph, t *term) (Node, bool) {
				if nd := &g.nodes[t.args[0]]; nd.op == OpTranspose {
					return g.solve(g.handle(nd.args[0]), g.handle(t.args[1]), t.p[0]^1), true
				}
				return Node{}, false
			}},
		},
		kernel:  solveK,
		compile: compileFactor,
		cplx: func(nd *node, in []Shape, args [][]complex128, out []complex128) {
			a, n := args[0], in[0].Dim(0)
			if nd.p[0] == 1 {
				a = transposeComplex(a, n)
			}
			copy(out, args[1])
			solveComplex(a, out, n)
		},
		jvp: func(g *Graph, y Node, a, t []Node) Node {
			rhs := t[1]
			if t[0].IsValid() {
				dA := t[0]
				if g.at(y).p[0] == 1 {
					dA = g.transpose(dA)
				}
				dAx := g.matmul(dA, y)
				if rhs.IsValid() {
					rhs = g.sub(rhs, dAx)
				} else {
					rhs = g.neg(dAx)
				}
			}
			if !rhs.IsValid() {
				return Node{}
			}
			return g.solve(a[0], rhs, g.at(y).p[0])
		},
		// With A' the matrix as used: B̄ = A'⁻ᵀ X̄ and Ā' = −B̄ Xᵀ.
		vjp: func(g *Graph, y Node, a []Node, adj Node) []Node {
			p := g.at(y).p[0]
			db := g.solve(a[0], adj, p^1)
			var dA Node
			if g.at(y).shape.Rank() == 1 {
				dA = g.neg(g.outer(db, y))
			} else {
				dA = g.neg(g.matmul(db, g.transpose(y)))
			}
			if p == 1 {
				dA = g.transpose(dA)
			}
			return []Node{dA, db}
		},
		format: func(p *printer, nd *node) (string, int) {
			a := p.arg(nd, 0, 0)
			if nd.p[0] == 1 {
				a = "transpose(" + a + ")"
			}
			return "solve(" + a + ", " + p.arg(nd, 1, 0) + ")", precAtom
		}})

	// cholesky(A) is the factor of (A + Aᵀ)/2, as JAX's is: for a
	// symmetric A the factor of A, and a function of every element, so
	// that its derivative is symmetric like the matrices it is meant for
	// (LAPACK alone would read the lower triangle and ignore the upper).
	define(opDef{op: OpCholesky, gen: genForm{code: true, helper: choleskySource}, kind: kindGeneral, name: "cholesky", args: []string{"A"},
		doc:    "the lower-triangular L with L @ transpose(L) = A, of the symmetric positive definite matrix A (of (A + transpose(A))/2 if A is not symmetric)",
		shape:  func(op Op, in []Shape, _ [3]int) (Shape, error) { return in[0], square(op, in[0]) },
		kernel: choleskyK,
		compile: func(g *Graph, nd *node, in instr) instr {
			in.p0 = nd.shape.Dim(0)
			return in
		},
		cplx: func(_ *node, in []Shape, args [][]complex128, out []complex128) {
			choleskyComplex(args[0], out, in[0].Dim(0))
		},
		// dL = L Φ(X) with X = L⁻¹ dS L⁻ᵀ for the symmetric dS = (dA + dAᵀ)/2,
		// computed as L⁻¹ (L⁻¹ dS)ᵀ.
		jvp: func(g *Graph, y Node, _, t []Node) Node {
			if !t[0].IsValid() {
				return Node{}
			}
			dS := g.mul(g.Const(0.5), g.add2(t[0], g.transpose(t[0])))
			x := g.solve(y, g.transpose(g.solve(y, dS, 0)), 0)
			return g.matmul(y, g.phi(x))
		},
		// Ā = (S̄ + S̄ᵀ)/2 with S̄ = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, whose transpose is
		// computed as L⁻ᵀ (L⁻ᵀ Φ(Lᵀ L̄))ᵀ.
		vjp: func(g *Graph, y Node, _ []Node, adj Node) []Node {
			p := g.phi(g.matmul(g.transpose(y), adj))
			w := g.solve(y, g.transpose(g.solve(y, p, 1)), 1)
			return []Node{g.mul(g.Const(0.5), g.add2(w, g.transpose(w)))}
		},
		format: printCall})
}

func (g *Graph) trace(a Node) Node { return must(g.build(OpTrace, [3]int{}, a)) }
func (g *Graph) inv(a Node) Node   { return must(g.build(OpInv, [3]int{}, a)) }
func (g *Graph) solve(a, b Node, transposed int) Node {
	return must(g.build(OpSolve, [3]int{transposed}, a, b))
}

// phi returns Φ(x) of the rule of the Cholesky factor's derivative: the
// lower triangle of the square matrix x with half its diagonal.
func (g *Graph) phi(x Node) Node {
	n := g.at(x).shape.Dim(0)
	return g.sub(g.tril(g.trilVec(x, 0), n, 0), g.diag(g.mul(g.Const(0.5), g.diag(x))))
}

// square returns the error for an operand of op that is not a square
// matrix, or nil.
func square(op Op, s Shape) error {
	if s.Rank() != 2 || s.Dim(0) != s.Dim(1) {
		return &ShapeError{Op: op.String(), Shapes: []Shape{s}, Msg: op.String() + " takes a square matrix"}
	}
	return nil
}

// compileFactor gives a kernel that factors an n×n matrix by LU its size
// (p0), where it is used transposed (p1, for solve), and scratch space for
// the factors and the row interchanges.
func compileFactor(g *Graph, nd *node, in instr) instr {
	n := g.nodes[nd.args[0]].shape.Dim(0)
	in.p0, in.p1 = n, nd.p[0]
	in.work, in.pivots = n*n, n
	return in
}

// compileInv gives inv's kernel the size n (p0), and the scratch space
// LAPACK's inversion works best with, beyond the n it needs.
func compileInv(g *Graph, nd *node, in instr) instr {
	n := nd.shape.Dim(0)
	var best [1]float64
	lapack64.Getri(blas64.General{Rows: n, Cols: n, Stride: n}, nil, best[:], -1)
	in.p0, in.work, in.pivots = n, max(n, int(best[0])), n
	return in
}

// factorLU factors the n×n matrix a by LU with partial pivoting in the
// workspace's scratch space, and returns the factors and the row
// interchanges, and whether U is nonsingular.
func factorLU(ws *Workspace, a []float64, n int) (lu blas64.General, pivots []int, ok bool) {
	lu, pivots = general(n, ws.work[:n*n]), ws.pivots[:n]
	copy(lu.Data, a)
	return lu, pivots, lapack64.Getrf(lu, pivots)
}

func traceK(ws *Workspace, in *instr) {
	a, n := ws.v[in.a], in.p0
	t := 0.0
	for i := range n {
		t += a[i*n+i]
	}
	ws.s[in.dst] = t
}

// detK is the product of U's diagonal, its sign changed by each row
// interchange.
func detK(ws *Workspace, in *instr) {
	n := in.p0
	lu, pivots, _ := factorLU(ws, ws.v[in.a], n)
	d := 1.0
	for i, p := range pivots {
		d *= lu.Data[i*n+i]
		if p != i {
			d = -d
		}
	}
	ws.s[in.dst] = d
}

// logDetK sums the logs of the factors' diagonals. A symmetric positive
// definite matrix, the common case (covariances, Hessians), is factored
// by Cholesky, with half the arithmetic of LU and stably without
// pivoting; any other matrix, on which Cholesky fails, by LU.
func logDetK(ws *Workspace, in *instr) {
	a, n := ws.v[in.a], in.p0
	t := 0.0
	if symmetric(a, n) {
		l := ws.work[:n*n]
		copy(l, a)
		if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Lower, N: n, Stride: n, Data: l}); ok {
			for i := range n {
				t += math.Log(l[i*n+i])
			}
			ws.s[in.dst] = 2 * t
			return
		}
	}
	lu, _, _ := factorLU(ws, a, n)
	for i := range n {
		t += math.Log(math.Abs(lu.Data[i*n+i]))
	}
	ws.s[in.dst] = t
}

func symmetric(a []float64, n int) bool {
	for i := range n {
		for j := range i {
			if a[i*n+j] != a[j*n+i] {
				return false
			}
		}
	}
	return true
}

func invK(ws *Workspace, in *instr) {
	d, n := ws.v[in.dst], in.p0
	copy(d, ws.v[in.a])
	a, pivots := general(n, d), ws.pivots[:n]
	if !lapack64.Getrf(a, pivots) || !lapack64.Getri(a, pivots, ws.work, len(ws.work)) {
		fillNaN(d)
	}
}

// solveK solves by LU, with A transposed when p1 says so.
func solveK(ws *Workspace, in *instr) {
	d, n := ws.v[in.dst], in.p0
	lu, pivots, ok := factorLU(ws, ws.v[in.a], n)
	if !ok {
		fillNaN(d)
		return
	}
	copy(d, ws.v[in.b])
	lapack64.Getrs(trans(in.p1 == 1), lu, general(n, d), pivots)
}

// choleskyK factors (A + Aᵀ)/2 in place of its lower triangle, the upper
// one zero.
func choleskyK(ws *Workspace, in *instr) {
	d, a, n := ws.v[in.dst], ws.v[in.a], in.p0
	for i := range n {
		for j := range i {
			d[i*n+j] = (a[i*n+j] + a[j*n+i]) / 2
		}
		d[i*n+i] = a[i*n+i]
		clear(d[i*n+i+1 : (i+1)*n])
	}
	if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Lower, N: n, Stride: n, Data: d}); !ok {
		fillNaN(d)
	}
}

func fillNaN(d []float64) {
	for i := range d {
		d[i] = math.NaN()
	}
}

// luComplex returns the LU factorization of the complex n×n matrix a with
// partial pivoting, as LAPACK's getrf computes it in real arithmetic: L
// (unit diagonal) and U in one matrix, the row each step swapped in, and
// the sign of the permutation. Any choice of pivots gives the same analytic
// function of a's elements, so complex-step derivatives through it are
// exact.
func luComplex(a []complex128, n int) (lu []complex128, pivots []int, sign float64) {
	lu, pivots, sign = slices.Clone(a), make([]int, n), 1
	for k := range n {
		p := k
		for i := k + 1; i < n; i++ {
			if cmplx.Abs(lu[i*n+k]) > cmplx.Abs(lu[p*n+k]) {
				p = i
			}
		}
		pivots[k] = p
		if p != k {
			for j := range n {
				lu[k*n+j], lu[p*n+j] = lu[p*n+j], lu[k*n+j]
			}
			sign = -sign
		}
		if lu[k*n+k] == 0 {
			continue
		}
		for i := k + 1; i < n; i++ {
			l := lu[i*n+k] / lu[k*n+k]
			lu[i*n+k] = l
			for j := k + 1; j < n; j++ {
				lu[i*n+j] -= l * lu[k*n+j]
			}
		}
	}
	return lu, pivots, sign
}

// solveComplex overwrites b, n rows of one or more columns, with the
// solution X of a X = b, NaN if a is singular.
func solveComplex(a, b []complex128, n int) {
	lu, pivots, _ := luComplex(a, n)
	m := len(b) / n
	for k, p := range pivots {
		if lu[k*n+k] == 0 {
			for i := range b {
				b[i] = cmplx.NaN()
			}
			return
		}
		for j := range m {
			b[k*m+j], b[p*m+j] = b[p*m+j], b[k*m+j]
		}
	}
	for i := range n {
		for k := range i {
			for j := range m {
				b[i*m+j] -= lu[i*n+k] * b[k*m+j]
			}
		}
	}
	for i := n - 1; i >= 0; i-- {
		for k := i + 1; k < n; k++ {
			for j := range m {
				b[i*m+j] -= lu[i*n+k] * b[k*m+j]
			}
		}
		for j := range m {
			b[i*m+j] /= lu[i*n+i]
		}
	}
}

func transposeComplex(a []complex128, n int) []complex128 {
	t := make([]complex128, len(a))
	for i := range n {
		for j := range n {
			t[j*n+i] = a[i*n+j]
		}
	}
	return t
}

// choleskyComplex writes to l the factor L Lᵀ = (a + aᵀ)/2 of the complex
// n×n matrix a, in the analytic extension of the real factorization
// (transposes, not conjugates), NaN where the real part of a pivot is not
// positive, as the real kernel's factorization fails there.
func choleskyComplex(a, l []complex128, n int) {
	for j := range n {
		d := a[j*n+j]
		for k := range j {
			d -= l[j*n+k] * l[j*n+k]
		}
		if real(d) <= 0 {
			for i := range l {
				l[i] = cmplx.NaN()
			}
			return
		}
		l[j*n+j] = cmplx.Sqrt(d)
		for i := j + 1; i < n; i++ {
			s := (a[i*n+j] + a[j*n+i]) / 2
			for k := range j {
				s -= l[i*n+k] * l[j*n+k]
			}
			l[i*n+j] = s / l[j*n+j]
		}
	}
}

// The linear algebra as generated Go: helpers that make the calls of
// gonum's lapack64 the kernels make, on scratch space the caller gives
// them (%[1]s is the prefix of the file's helpers).

const detSource = `func %[1]sDet(a []float64, n int, lu []float64, pivots []int) float64 {
	copy(lu, a)
	lapack64.Getrf(blas64.General{Rows: n, Cols: n, Stride: n, Data: lu}, pivots)
	d := 1.0
	for i, p := range pivots {
		d *= lu[i*n+i]
		if p != i {
			d = -d
		}
	}
	return d
}`

const logDetSource = `func %[1]sLogDet(a []float64, n int, f []float64, pivots []int) float64 {
	symmetric := true
	for i := range n {
		for j := range i {
			symmetric = symmetric && a[i*n+j] == a[j*n+i]
		}
	}
	t := 0.0
	copy(f, a)
	if symmetric {
		if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Lower, N: n, Stride: n, Data: f}); ok {
			for i := range n {
				t += math.Log(f[i*n+i])
			}
			return 2 * t
		}
		copy(f, a)
	}
	lapack64.Getrf(blas64.General{Rows: n, Cols: n, Stride: n, Data: f}, pivots)
	for i := range n {
		t += math.Log(math.Abs(f[i*n+i]))
	}
	return t
}`

const invSource = `func %[1]sInv(d, a []float64, n int, pivots []int, work []float64) {
	copy(d, a)
	f := blas64.General{Rows: n, Cols: n, Stride: n, Data: d}
	if !lapack64.Getrf(f, pivots) || !lapack64.Getri(f, pivots, work, len(work)) {
		for i := range d {
			d[i] = math.NaN()
		}
	}
}`

const solveSource = `func %[1]sSolve(d, a, b []float64, n int, t blas.Transpose, lu []float64, pivots []int) {
	copy(lu, a)
	f := blas64.General{Rows: n, Cols: n, Stride: n, Data: lu}
	if !lapack64.Getrf(f, pivots) {
		for i := range d {
			d[i] = math.NaN()
		}
		return
	}
	copy(d, b)
	m := len(d) / n
	lapack64.Getrs(t, f, blas64.General{Rows: n, Cols: m, Stride: m, Data: d}, pivots)
}`

const choleskySource = `func %[1]sCholesky(d, a []float64, n int) {
	for i := range n {
		for j := range i {
			d[i*n+j] = (a[i*n+j] + a[j*n+i]) / 2
		}
		d[i*n+i] = a[i*n+i]
		clear(d[i*n+i+1 : (i+1)*n])
	}
	if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Lower, N: n, Stride: n, Data: d}); !ok {
		for i := range d {
			d[i] = math.NaN()
		}
	}
}`
