package expr

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// linalgOpts declares the variables of the linear algebra sources: S is
// 3×3, A 2×3, u a vector of 3.
var linalgOpts = &Options{
	Vars:   []string{"S", "A", "u"},
	Shapes: map[string]ad.Shape{"S": ad.Matrix(3, 3), "A": ad.Matrix(2, 3), "u": ad.Vector(3)},
}

// TestLinalgRoundTrip prints functions of the operations of linear
// algebra, their gradients and their second derivatives, and parses each
// printed form back into the same node.
func TestLinalgRoundTrip(t *testing.T) {
	for _, src := range []string{
		"det(S) + logdet(S @ transpose(S)) + trace(S)^2",
		"sum(inv(S) * S) + dot(u, inv(S) @ u)",
		"dot(solve(S, u), u) + sum(solve(transpose(S), transpose(A)))",
		"sum(cholesky(S @ transpose(S) + outer(A[0], A[1])))",
		"sum(log(diag(cholesky(S)))) + trace(A @ inv(S) @ transpose(A))",
	} {
		f, err := Compile(src, linalgOpts)
		require.NoError(t, err, src)
		g := f.Graph()
		vars := g.Vars()
		grads, err := g.Grad(f.Output(), vars...)
		require.NoError(t, err, src)
		nodes := append([]ad.Node{f.Output()}, grads...)
		for _, d := range grads {
			dd, err := g.Grad(must(g.Call("sum", must(g.Call("sin", d)))), vars...)
			require.NoError(t, err, src)
			nodes = append(nodes, dd...)
		}
		requireParsesBack(t, g, src, nodes...)
	}
}

// TestLinalgErrors checks that shapes that do not fit the operations of
// linear algebra are positioned errors.
func TestLinalgErrors(t *testing.T) {
	for _, c := range []struct{ src, err string }{
		{"det(A)", "1:1: shape mismatch in det: matrix(2×3) (det takes a square matrix)\n  det(A)\n  ^"},
		{"sum(inv(u))", "1:5: shape mismatch in inv: vector(3) (inv takes a square matrix)\n  sum(inv(u))\n      ^"},
		{"sum(solve(S, A))", "1:5: shape mismatch in solve: matrix(3×3) and matrix(2×3) (B must be a vector or a matrix of 3 rows)\n  sum(solve(S, A))\n      ^"},
		{"sum(solve(S))", "1:5: solve takes 2 arguments, got 1\n  sum(solve(S))\n      ^"},
	} {
		_, err := Compile(c.src, linalgOpts)
		require.EqualError(t, err, c.err, c.src)
	}
}
