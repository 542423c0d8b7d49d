package ad

import (
	"fmt"
	"strconv"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// The generated Go of matrices. A matrix lives in memory as its elements
// row by row, as in the interpreter, so the elementwise work and the
// reductions of all elements over matrices are the loops of vectors; what
// is particular to matrices is written here: products as calls of gonum's
// blas64 and the linear algebra as calls of its lapack64, as the
// interpreter makes them, and the structural ops and the reductions along
// an axis as loops over rows and columns. (A broadcast is part of the
// loops of elementwise work, in genprog.go.)

// matrixOp writes instruction in when it is one of the ops of matrices, or
// takes rows of a matrix, and reports whether it was.
func (b *genBody) matrixOp(in *instr) bool {
	i, nd, args := in.node, b.node(in.node), in.argIDs
	var src Shape
	if len(args) > 0 {
		src = b.node(args[0]).shape
	}
	switch {
	case nd.op == OpReshape:
		// The same elements in the same order.
		b.vals[i] = b.val(args[0])
	case nd.op == OpIndex && src.Rank() == 2:
		w := src.Dim(1)
		r := b.ref(args[0]).sub(nd.p[0]*w, 1, w)
		b.vals[i] = genVal{ref: &r}
	case nd.op == OpSlice && src.Rank() == 2:
		w, r := src.Dim(1), b.ref(args[0])
		if nd.p[1] == 1 {
			v := r.sub(nd.p[0]*w, 1, nd.p[2]*w)
			b.vals[i] = genVal{ref: &v}
			return true
		}
		h := b.buffer(i)
		b.rows(nd.p[2], w, func(row, col string) string {
			return fmt.Sprintf("%s = %s\n", h.at(row+"*"+strconv.Itoa(w)+"+"+col), r.at(rowOf(nd.p[0], nd.p[1], row)+"*"+strconv.Itoa(w)+"+"+col))
		})
		b.vals[i] = genVal{ref: &h}
	case nd.op == OpScatter && nd.shape.Rank() == 2:
		h, v, w := b.buffer(i), b.ref(args[0]), nd.shape.Dim(1)
		b.printf("clear(%s)\n", must2(h.slice()))
		b.rows(b.node(args[0]).shape.Dim(0), w, func(row, col string) string {
			return fmt.Sprintf("%s = %s\n", h.at(rowOf(nd.p[0], nd.p[1], row)+"*"+strconv.Itoa(w)+"+"+col), v.at(row+"*"+strconv.Itoa(w)+"+"+col))
		})
		b.vals[i] = genVal{ref: &h}
	case nd.op == OpScatterAdd && nd.shape.Rank() == 2:
		h := b.scatterAddHome(in)
		v, w := b.ref(args[1]), nd.shape.Dim(1)
		b.rows(b.node(args[1]).shape.Dim(0), w, func(row, col string) string {
			return fmt.Sprintf("%s += %s\n", h.at(rowOf(nd.p[0], nd.p[1], row)+"*"+strconv.Itoa(w)+"+"+col), v.at(row+"*"+strconv.Itoa(w)+"+"+col))
		})
		b.vals[i] = genVal{ref: &h}
	case nd.op == OpVStack:
		// Rows one after the other are the elements one after the other.
		h, off := b.buffer(i), 0
		for _, a := range args {
			n := b.node(a).shape.Len()
			b.store(h.sub(off, 1, n), a)
			off += n
		}
		b.vals[i] = genVal{ref: &h}
	case nd.op == OpTranspose:
		h, x := b.buffer(i), b.ref(args[0])
		m, n := src.Dim(0), src.Dim(1)
		b.rows(m, n, func(row, col string) string {
			return fmt.Sprintf("%s = %s\n", h.at(col+"*"+strconv.Itoa(m)+"+"+row), x.at(row+"*"+strconv.Itoa(n)+"+"+col))
		})
		b.vals[i] = genVal{ref: &h}
	case nd.op == OpDiag:
		h, x := b.buffer(i), b.ref(args[0])
		n := nd.shape.Dim(0)
		k := b.names.local("k")
		diag := fmt.Sprintf("%s*%d", k, n+1)
		if src.Rank() == 1 { // a vector on the diagonal of zeros
			b.printf("clear(%s)\nfor %s := range %d {\n%s = %s\n}\n", must2(h.slice()), k, n, h.at(diag), x.at(k))
		} else {
			b.printf("for %s := range %d {\n%s = %s\n}\n", k, n, h.at(k), x.at(diag))
		}
		b.vals[i] = genVal{ref: &h}
	case nd.op == OpTril, nd.op == OpTrilVec:
		h, x := b.buffer(i), b.ref(args[0])
		n, k := nd.p[0], nd.p[1]
		if nd.op == OpTrilVec {
			k, n = nd.p[0], nd.p[1]
		}
		e, row, col := b.names.local("e"), b.names.local("i"), b.names.local("j")
		entry, elem := h.at(e), x.at(row+"*"+strconv.Itoa(n)+"+"+col)
		if nd.op == OpTril {
			b.printf("clear(%s)\n", must2(h.slice()))
			entry, elem = h.at(row+"*"+strconv.Itoa(n)+"+"+col), x.at(e)
		}
		// The entries of row i are its first max(0, min(i+k+1, n)) elements.
		b.printf("{\n%[1]s := 0\nfor %[2]s := range %[3]d {\nfor %[4]s := range max(0, min(%[2]s%+[5]d, %[3]d)) {\n%[6]s = %[7]s\n%[1]s++\n}\n}\n}\n",
			e, row, n, col, k+1, entry, elem)
		b.vals[i] = genVal{ref: &h}
	case nd.op == OpTrace:
		t, x, n := b.temp(i), b.ref(args[0]), src.Dim(0)
		k := b.names.local("k")
		b.printf("%s := 0.0\nfor %s := range %d {\n%s += %s\n}\n", t, k, n, t, x.at(fmt.Sprintf("%s*%d", k, n+1)))
		b.vals[i] = genVal{s: t}
	case nd.op == OpSumAxis, nd.op == OpMaxAxis, nd.op == OpMinAxis, nd.op == OpLogSumExpAxis:
		b.axisReduction(in)
	case nd.op == OpMatMul, in.merge == mergeMatMulRow:
		b.matmul(in)
	case nd.op == OpDet, nd.op == OpLogDet, nd.op == OpInv, nd.op == OpSolve, nd.op == OpCholesky:
		b.linalg(in)
	default:
		return false
	}
	return true
}

// rows writes a loop over the count rows of w columns of a matrix, whose
// body body writes given the Go names of the row and the column.
func (b *genBody) rows(count, w int, body func(row, col string) string) {
	row, col := b.names.local("i"), b.names.local("j")
	b.printf("for %s := range %d {\nfor %s := range %d {\n%s}\n}\n", row, count, col, w, body(row, col))
}

// rowOf returns the Go expression of row start + row*step.
func rowOf(start, step int, row string) string {
	return fmt.Sprintf("(%d+%s*%d)", start, row, step)
}

// axisReduction writes a sum, maximum, minimum or logsumexp along an axis
// of a matrix: for each of its results, the elements along the axis in
// order, as the interpreter's kernels take them.
func (b *genBody) axisReduction(in *instr) {
	i, nd := in.node, b.node(in.node)
	x := b.ref(in.argIDs[0])
	_, n, inner := axisLens(b.node(in.argIDs[0]).shape, nd.p[0])
	h := b.buffer(i)
	o, k, t, u := b.names.local("i"), b.names.local("k"), b.names.local("t"), b.names.local("u")
	// Element k along the axis of result o: of row o along axis 1, of
	// column o along axis 0, where the matrix is all there is outside the
	// axis.
	elem := x.at(fmt.Sprintf("%s*%d+%s", k, inner, o))
	if inner == 1 {
		elem = x.at(fmt.Sprintf("%s*%d+%s", o, n, k))
	}
	var body string
	switch nd.op {
	case OpSumAxis:
		body = fmt.Sprintf("%[1]s := 0.0\nfor %[2]s := range %[3]d {\n%[1]s += %[4]s\n}\n", t, k, n, elem)
	case OpMaxAxis, OpMinAxis:
		cmp := ">"
		if nd.op == OpMinAxis {
			cmp = "<"
		}
		inf := "-1"
		if nd.op == OpMinAxis {
			inf = "1"
		}
		body = fmt.Sprintf("%[1]s := math.Inf(%[5]s)\nfor %[2]s := range %[3]d {\nif %[7]s := %[4]s; %[7]s %[6]s %[1]s || %[7]s != %[7]s {\n%[1]s = %[7]s\n}\n}\n",
			t, k, n, elem, inf, cmp, u)
	case OpLogSumExpAxis:
		s := b.names.local("s")
		body = fmt.Sprintf("%[1]s := math.Inf(-1)\nfor %[2]s := range %[3]d {\nif %[6]s := %[4]s; %[6]s > %[1]s || %[6]s != %[6]s {\n%[1]s = %[6]s\n}\n}\n"+
			"if !math.IsInf(%[1]s, 0) && %[1]s == %[1]s {\n%[5]s := 0.0\nfor %[2]s := range %[3]d {\n%[5]s += math.Exp(%[4]s - %[1]s)\n}\n%[1]s += math.Log(%[5]s)\n}\n",
			t, k, n, elem, s, u)
	}
	b.printf("for %s := range %d {\n%s%s = %s\n}\n", o, nd.shape.Len(), body, h.at(o), t)
	b.vals[i] = genVal{ref: &h}
}

// matmul writes a matrix product as a call of blas64's Gemm, or Gemv for a
// matrix and a vector, with the arguments the interpreter's kernels give
// them.
func (b *genBody) matmul(in *instr) {
	nd := b.node(in.node)
	x, y := in.argIDs[0], in.argIDs[1]
	p := nd.p
	if in.merge == mergeMatMulRow {
		p = [3]int{in.p1 & 1, in.p1 >> 1 & 1}
	}
	d := matmulDimsOf(b.node(x).shape, b.node(y).shape, p)
	lx, ly := b.node(x).shape.Len(), b.node(y).shape.Len()
	a, c := b.dense(x), b.dense(y)
	h := b.buffer(in.node)
	out := must2(h.slice())
	switch {
	case d.bVec: // A·x
		rows := nd.shape.Len()
		if d.aT {
			rows = d.k
		}
		b.printf("blas64.Gemv(%s, 1, %s, %s, 0, %s)\n", genTrans(d.aT), genGeneral(rows, lx, a), genVector(ly, c), genVector(nd.shape.Len(), out))
	case d.aVec: // x·B
		rows := d.k
		if d.bT {
			rows = nd.shape.Len()
		}
		b.printf("blas64.Gemv(%s, 1, %s, %s, 0, %s)\n", genTrans(!d.bT), genGeneral(rows, ly, c), genVector(lx, a), genVector(nd.shape.Len(), out))
	default:
		ar, br := d.m, d.k
		if d.aT {
			ar = d.k
		}
		if d.bT {
			br = d.n
		}
		beta := 0
		if in.merge == mergeMatMulRow { // the product adds into copies of the row
			row, i := b.dense(in.argIDs[2]), b.names.local("i")
			b.printf("for %[1]s := range %[2]d {\ncopy(%[3]s[%[1]s*%[4]d:], %[5]s)\n}\n", i, d.m, out, d.n, row)
			beta = 1
		}
		b.printf("blas64.Gemm(%s, %s, 1, %s, %s, %d, %s)\n", genTrans(d.aT), genTrans(d.bT), genGeneral(ar, lx, a), genGeneral(br, ly, c), beta, genGeneral(d.m, nd.shape.Len(), out))
	}
	b.vals[in.node] = genVal{ref: &h}
}

// linalg writes a determinant, an inverse, a solve or a Cholesky factor as
// a call of the op's helper, which calls lapack64 as the interpreter's
// kernel does, with scratch space of the workspace.
func (b *genBody) linalg(in *instr) {
	i, nd, args := in.node, b.node(in.node), in.argIDs
	n := b.node(args[0]).shape.Dim(0)
	a := b.dense(args[0])
	name := b.file.prefix + ops[nd.op].goName
	if ops[nd.op].goName == "" {
		name = b.file.prefix + upperFirst(ops[nd.op].name)
	}
	b.file.helper(nd.op)
	if nd.shape.IsScalar() { // det, logdet
		t := b.temp(i)
		b.printf("%s := %s(%s, %d, %s, %s)\n", t, name, a, n, must2(b.scratch(n*n).slice()), b.pivots(n))
		b.vals[i] = genVal{s: t}
		return
	}
	h := b.buffer(i)
	d := must2(h.slice())
	switch nd.op {
	case OpInv:
		// The scratch space LAPACK's inversion works best with, as the
		// interpreter's kernel has it.
		var best [1]float64
		lapack64.Getri(blas64.General{Rows: n, Cols: n, Stride: n}, nil, best[:], -1)
		b.printf("%s(%s, %s, %d, %s, %s)\n", name, d, a, n, b.pivots(n), must2(b.scratch(max(n, int(best[0]))).slice()))
	case OpSolve:
		b.printf("%s(%s, %s, %s, %d, %s, %s, %s)\n", name, d, a, b.dense(args[1]), n, genTrans(nd.p[0] == 1), must2(b.scratch(n*n).slice()), b.pivots(n))
	case OpCholesky:
		b.printf("%s(%s, %s, %d)\n", name, d, a, n)
	}
	b.vals[i] = genVal{ref: &h}
}

// dense returns node i as a Go slice of its elements, copied into a buffer
// of their own when they are not consecutive in memory.
func (b *genBody) dense(i int32) string {
	r := b.ref(i)
	if s, ok := r.slice(); ok {
		return s
	}
	h := b.scratch(r.len)
	b.store(h, i)
	return must2(h.slice())
}

func genTrans(t bool) string {
	if t {
		return "blas.Trans"
	}
	return "blas.NoTrans"
}

func genGeneral(rows, n int, data string) string {
	return fmt.Sprintf("blas64.General{Rows: %d, Cols: %d, Stride: %[2]d, Data: %s}", rows, n/rows, data)
}

func genVector(n int, data string) string {
	return fmt.Sprintf("blas64.Vector{N: %d, Inc: 1, Data: %s}", n, data)
}
