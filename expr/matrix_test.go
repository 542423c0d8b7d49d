package expr

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// matrixOpts declares the variables of the matrix sources: A and B are
// 2×3, c is a 2×1 column, r a 1×3 row, u a vector of 3, w of 2, x a
// scalar.
var matrixOpts = &Options{
	Vars: []string{"A", "B", "c", "r", "u", "w", "x"},
	Shapes: map[string]ad.Shape{
		"A": ad.Matrix(2, 3), "B": ad.Matrix(2, 3), "c": ad.Matrix(2, 1), "r": ad.Matrix(1, 3),
		"u": ad.Vector(3), "w": ad.Vector(2),
	},
}

// matrixSources use every operation on matrices.
var matrixSources = []string{
	"sum(A * B + u)",
	"sum(sin(A - c) * r)",
	"sum((c + r)^2 * x)",
	"logsumexp(exp(A) / (1 + B^2))",
	"dot(sum(A * B, 0), u) + dot(sum(A, 1), w)",
	"sum(reshape(A * B, 3, 2)^2) + dot(flatten(A), flatten(B))",
	"sum(broadcast(u, 2, 3) * broadcast(c, 2, 3) * A)",
	"sum(fill(x, 2, 3) * A^2) + max(A * c)",
	"sum(sin(A @ transpose(B))) + logsumexp(transpose(A) @ B)",
	"w @ tanh(A @ u) + sum((u @ transpose(B))^2) + sum(exp(c @ r))",
	"sum(outer(w, u) * A) + sum(transpose(transpose(A) @ B) @ transpose(A))",
	"sum(max(A, axis=0) * u) + dot(logsumexp(A * B, 1), w) + sum(mean(B, axis=1) * w) + sum(min(A * c, axis=1))",
	"A[1] @ u + A[0, 2] * A[-1, 1] + sum(A[:, 1] * w) + sum(B[1:, :2]^2) + sum(exp(A[0, 1:])) + sum(B[::-1, ::2] * A[:, ::2])",
	"sum(A.T @ B) + sum((A @ B.T) * [[1, x], [2, 3]]) + sum(vstack(A, u, [[x, 1, 2]]) * vstack(B, u^2, r))",
	"sum(hstack(A, c, B) * hstack(B, c^2, A)) + dot(diag(A @ B.T), w) + sum(diag(w) * (A @ B.T))",
	"sum(tril(trilvec(A @ B.T), 2) * [[1, 2], [3, 4]]) + sum(exp(tril(trilvec(A @ A.T, -1), 2, -1)))",
	"sum(A[:, 1:] @ [[1, 2], [3, 4]]) + sum(A[1:2, 2] * x) + sum(A[:1, 1:2])",
	"sum((A.T[argmin(A, axis=0)] - B.T)^2) + u[argmax(A, axis=1)] @ w + sum(A[argmax(u)] * u[argmin(B)]) + sum(addat(A, argmax(w), u * x) * B)",
	"sum(A[argmin(B @ B.T, axis=1), 1:] * A[[1, 0], ::2]) + sum(u[[argmax(u), argmin(w)]]^2) + A[argmin(A, axis=0)[2]] @ u",
}

// TestMatrixRoundTrip prints matrix expressions, their gradients and their
// second derivatives, and parses each printed form back into the same
// node.
func TestMatrixRoundTrip(t *testing.T) {
	for _, src := range matrixSources {
		f, err := Compile(src, matrixOpts)
		require.NoError(t, err, src)
		g := f.Graph()
		vars := g.Vars()
		grads, err := g.Grad(f.Output(), vars...)
		require.NoError(t, err, src)
		nodes := append([]ad.Node{f.Output()}, grads...)
		for _, d := range grads {
			if s := g.Shape(d); s.Rank() == 2 {
				dd, err := g.Grad(must(g.Call("sum", must(g.Call("sin", d)))), vars...)
				require.NoError(t, err, src)
				nodes = append(nodes, dd...)
			}
		}
		requireParsesBack(t, g, src, nodes...)
	}
}

func must(n ad.Node, err error) ad.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// TestMatMulSyntax checks the precedence of @, which is that of * and /,
// and its errors.
func TestMatMulSyntax(t *testing.T) {
	for _, c := range []struct{ src, printed string }{
		{"sum(A @ transpose(B) + 1)", "sum(A @ transpose(B) + 1)"},
		{"sum(2 * A @ u)", "sum(2 * A @ u)"},
		{"sum(A @ u * 2)", "sum(2 * (A @ u))"},
		{"w @ A @ u", "dot(w @ A, u)"},
		{"w @ (A @ u)", "dot(w, A @ u)"},
		{"u @ u", "dot(u, u)"},
		{"sum(transpose(A) @ c)", "sum(transpose(A) @ c)"},
	} {
		f, err := Compile(c.src, matrixOpts)
		require.NoError(t, err, c.src)
		require.Equal(t, c.printed, f.Graph().Format(f.Output()), c.src)
	}
	for _, c := range []struct{ src, err string }{
		{"sum(A @ B)", "1:7: shape mismatch: matrix(2×3) @ matrix(2×3) (inner sizes 3 and 2 differ)\n  sum(A @ B)\n        ^"},
		{"sum(x @ A)", "1:7: shape mismatch: scalar @ matrix(2×3) (@ takes vectors and matrices; a scalar multiplies with *)\n  sum(x @ A)\n        ^"},
		{"w @ u", "1:3: shape mismatch: vector(2) @ vector(3) (inner sizes 2 and 3 differ)\n  w @ u\n    ^"},
	} {
		_, err := Compile(c.src, matrixOpts)
		require.EqualError(t, err, c.err, c.src)
	}
}

// TestAxisSyntax checks reductions along an axis, written positionally or
// as axis=k, and their errors.
func TestAxisSyntax(t *testing.T) {
	for _, c := range []struct{ src, printed string }{
		{"sum(sum(A, 0))", "sum(sum(A, 0))"},
		{"sum(sum(A, axis=1))", "sum(sum(A, 1))"},
		{"sum(mean(A, axis=0))", "sum(0.5 * sum(A, 0))"},
		{"sum(max(A, axis=1))", "sum(max(A, axis=1))"},
		{"sum(max(A, 1))", "sum(max(A, 1))"},
		{"sum(min(A, axis=-2))", "sum(min(A, axis=0))"},
		{"sum(logsumexp(A, 1)) + logsumexp(u, axis=0)", "sum(logsumexp(A, 1)) + logsumexp(u)"},
		{"len(A) * len(A, 1) * len(A, axis=0) + x", "12 + x"},
		{"sum(A, axis = 0) @ u", "dot(sum(A, 0), u)"},
	} {
		f, err := Compile(c.src, matrixOpts)
		require.NoError(t, err, c.src)
		require.Equal(t, c.printed, f.Graph().Format(f.Output()), c.src)
	}
	for _, c := range []struct{ src, err string }{
		{"sum(sum(A, axis=2))", "1:12: axis 2 out of range for matrix(2×3)\n  sum(sum(A, axis=2))\n             ^"},
		{"sum(sin(A, axis=0))", "1:12: sin has no axis argument\n  sum(sin(A, axis=0))\n             ^"},
		{"sum(A, ax=0)", "1:8: unknown keyword argument \"ax\" (the only one is axis)\n  sum(A, ax=0)\n         ^"},
		{"sum(A, axis=0, 1)", "1:14: axis=… must be the last argument\n  sum(A, axis=0, 1)\n               ^"},
		{"max(A, u, axis=0)", "1:1: max takes one argument before axis=, got 2\n  max(A, u, axis=0)\n  ^"},
		{"sum(A, axis=x)", "1:13: axis must be a constant integer\n  sum(A, axis=x)\n              ^"},
		{"sum(A[:, x])", "1:10: index must be a constant integer\n  sum(A[:, x])\n           ^"},
		{"sum(A[u, x])", "1:10: index must be a constant integer\n  sum(A[u, x])\n           ^"},
		{"sum(A, 1+1)", "1:1: axis 2 out of range for matrix(2×3)\n  sum(A, 1+1)\n  ^"},
	} {
		_, err := Compile(c.src, matrixOpts)
		require.EqualError(t, err, c.err, c.src)
	}
}

// TestMatrixSyntax checks subscripts of both axes, the transpose A.T and
// matrix literals: their values and how they print.
func TestMatrixSyntax(t *testing.T) {
	at := []float64{1, 2, 3, 4, 5, 6} // A
	for _, c := range []struct {
		src     string
		printed string
		value   float64
	}{
		{"sum(A[1])", "sum(A[1])", 15},
		{"A[-1, 2] + A[0, 0]", "A[1, 2] + A[0, 0]", 7},
		{"A[1][2]", "A[1, 2]", 6},
		{"sum(A[:, 1] * [1, 10])", "sum(A[:, 1] * [1, 10])", 52},
		{"sum(A[:, -1] * [1, 10])", "sum(A[:, 2] * [1, 10])", 63},
		{"sum(A[1:, :2] * [[1, 10]])", "sum(A[1:, :-1] * [[1, 10]])", 54},
		{"sum(A[0, 1:] * [1, 10])", "sum(A[0, 1:] * [1, 10])", 32},
		{"sum(A[::-1, ::2] * [[1, 10], [100, 1000]])", "sum(A[::-1, ::2] * [[1, 10], [100, 1000]])", 4 + 60 + 100 + 3000},
		{"sum(A[:, :] * A)", "sum(A * A)", 91},
		{"sum(A.T * [[1, 10], [100, 1000], [1, 1]])", "sum(transpose(A) * [[1, 10], [100, 1000], [1, 1]])", 1 + 40 + 200 + 5000 + 3 + 6},
		{"sum(A @ A.T)", "sum(A @ transpose(A))", 14 + 32 + 32 + 77},
		{"sum([[1, 2], [3, 4]] @ A[:, :2])", "sum([[1, 2], [3, 4]] @ A[:, :-1])", 9 + 12 + 19 + 26},
		{"sum([[x, 1, 2]] * A[:1])", "sum([[x, 1, 2]] * A[:1])", 8},
	} {
		f, err := Compile(c.src, matrixOpts)
		require.NoError(t, err, c.src)
		require.Equal(t, c.printed, f.Graph().Format(f.Output()), c.src)
		x := make([]float64, f.Dim())
		copy(x, at)
		y, err := f.Eval(x)
		require.NoError(t, err, c.src)
		require.Equal(t, c.value, y, c.src)
	}
	for _, c := range []struct{ src, err string }{
		{"sum(u[1, 2])", "1:6: vector(3) has one axis, not two (write x[i] or x[lo:hi])\n  sum(u[1, 2])\n       ^"},
		{"A[0, 3]", "1:6: index 3 out of range for vector(3)\n  A[0, 3]\n       ^"},
		{"sum(A[:, 3])", "1:10: column 3 out of range for matrix(2×3)\n  sum(A[:, 3])\n           ^"},
		{"sum(A[2:, 0])", "1:6: slice [2::1] of matrix(2×3) is empty\n  sum(A[2:, 0])\n       ^"},
		{"sum(A[1, ])", "1:10: missing index\n  sum(A[1, ])\n           ^"},
		{"sum(A.X)", "1:7: unknown attribute .X (the only one is .T, the transpose)\n  sum(A.X)\n        ^"},
		{"sum([[1, 2], [3]])", "1:14: the rows of a matrix literal differ in length: 2 and 1\n  sum([[1, 2], [3]])\n               ^"},
		{"sum([[[1, 2]], [[3, 4]]])", "1:6: a row of a matrix literal is a vector, not a matrix(1×2)\n  sum([[[1, 2]], [[3, 4]]])\n       ^\n1:16: a row of a matrix literal is a vector, not a matrix(1×2)\n  sum([[[1, 2]], [[3, 4]]])\n                 ^"},
	} {
		_, err := Compile(c.src, matrixOpts)
		require.EqualError(t, err, c.err, c.src)
	}
}

// TestMatrixLimits checks that a matrix too large for memory is refused
// before it is built, as a vector is.
func TestMatrixLimits(t *testing.T) {
	for _, src := range []string{
		"sum(broadcast([1, 2], 500000000000, 2))",
		"sum(fill(x, 1000000, 1000000))",
		"sum(fill(1, 100000, 100000) * [1, 2])",
	} {
		_, err := Compile(src, matrixOpts)
		require.ErrorContains(t, err, "too large", src)
	}
}

// TestComputedIndex checks x[a] at indices computed at run time: the rows
// of the nearest of the centroids C to each point P, and an index out of
// range, whose NaN is explained by naming the indexing.
func TestComputedIndex(t *testing.T) {
	opts := &Options{
		Vars:   []string{"C", "s"},
		Shapes: map[string]ad.Shape{"C": ad.Matrix(2, 2)},
		Consts: map[string]Const{"P": {Shape: ad.Matrix(3, 2), Values: []float64{0, 0, 4, 4, 1, 0}}},
	}
	f, err := Compile("D = reshape(sum(C^2, 1), len(C), 1) - C @ (2*P.T)\nsum((C[argmin(D, axis=0)] - P)^2) + s*C[s][1]", opts)
	require.NoError(t, err)
	// Centroids (1, 1) and (3, 3): the points' nearest are 0, 1, 0, at
	// squared distances 2, 2, 1.
	c := []float64{1, 1, 3, 3}
	v, err := f.Eval(append(c, 1))
	require.NoError(t, err)
	require.Equal(t, 5+3.0, v)
	grad := make([]float64, 5)
	_, err = f.Grad(append(c, 0), grad)
	require.NoError(t, err)
	// 2 Σ (C_a - P) over each centroid's points, and C[0][1] for s.
	require.Equal(t, []float64{2 * (1 + 0), 2 * (1 + 1), 2 * (3 - 4), 2 * (3 - 4), 1}, grad)

	_, err = f.Eval(append(c, 2))
	var nf *ad.NonFiniteError
	require.ErrorAs(t, err, &nf)
	require.EqualError(t, err, "C[s] is NaN at element 0: take got 3 and 2")
}
