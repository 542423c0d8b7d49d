package expr_test

import (
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/internal/gentest"
)

// TestGenerateExamples compiles the generated Go of the examples of the
// README, the tutorial and the language reference, of names that Go does
// not allow as they are, and of matrices as the language writes them, and
// compares it with the interpreter.
func TestGenerateExamples(t *testing.T) {
	line := expr.Const{Shape: ad.Vector(5), Values: []float64{0, 1, 2, 3, 4}}
	obs := expr.Const{Shape: ad.Vector(5), Values: []float64{1.1, 2.9, 5.2, 6.8, 9.1}}
	examples := []struct {
		src    string
		sizes  map[string]int
		shapes map[string]ad.Shape
		data   map[string]expr.Const
	}{
		{src: "x^2 + y^2"},
		{src: "sin(x) * exp(y)"},
		{src: "x^2*y + y^3"},
		{src: "-(x^2 + y^2) + 4"},
		{src: "w1^2 + w2^2"},
		{src: "sqrt(x)"},
		{src: "100*(y - x^2)^2 + (1 - x)^2"},
		{src: "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)", sizes: map[string]int{"x": 1000}},
		{src: "0.5*sum((a*xs + b - ys)^2)", data: map[string]expr.Const{"xs": line, "ys": obs}},
		{src: "sqrt(x^2 + y^2 + 1) * sin(x)"},
		{src: "f(t, y) = -2*t*y\nrk4(t, y, h) = {\n k1 = f(t, y)\n k2 = f(t + h/2, y + h/2*k1)\n k3 = f(t + h/2, y + h/2*k2)\n k4 = f(t + h, y + h*k3)\n y + h/6*(k1 + 2*k2 + 2*k3 + k4)\n}\nn = 100\nh = 1/n\ny = y0\nfor i in range(n) {\n y = rk4(i*h, y, h)\n}\ny"},
		{src: "h = 0.01\nθ = θ0\nω = 0\nfor i in range(100) {\n θ_next = θ + h*ω\n ω = ω - h*sin(θ)\n θ = θ_next\n}\nθ"},
		{src: "f(p) = (1 - p[0])^2 + 10*(p[1] - p[0]^2)^2\np = v\nfor i in range(20) {\n p = p - 0.01*grad(f(p), p)\n}\nf(p)", sizes: map[string]int{"v": 2}},
		{src: "dot(grad(sum(v^3), v), v) + logsumexp(v) + max(v) - min(cumsum(v))", sizes: map[string]int{"v": 3}},
		// Names Go reserves: renamed with an underscore.
		{src: "type * copy + sin(math) - float64^2 + func/(1 + panic^2)"},
		{src: "sum(v[::2] * v[1::2]) + v[-1] + norm(v)", sizes: map[string]int{"v": 6}},
		// Matrices, as the language writes them.
		{src: "sum(A[:, 1] * A[0]) + trace(A @ A.T) + sum(outer(u, u) * A) + u @ A @ u", shapes: map[string]ad.Shape{"A": ad.Matrix(3, 3), "u": ad.Vector(3)}},
		{src: "sum(hstack(A, B)^2) + sum(A[1:, ::2]) + mean(B, 0) @ sum(A, 1) + logsumexp(vstack(A, u), 0) @ max(hstack(B, A[:, :1]), axis=0)", shapes: map[string]ad.Shape{"A": ad.Matrix(2, 3), "B": ad.Matrix(2, 2), "u": ad.Vector(3)}},
		{src: "sum(tril(trilvec(A), 3) * exp(diag(diag(A)))) + min(A, axis=0) @ flatten(reshape(A, 9, 1))[::3]", shapes: map[string]ad.Shape{"A": ad.Matrix(3, 3)}},
	}
	rng := rand.New(rand.NewPCG(16, 3))
	var cases []gentest.Case
	for _, e := range examples {
		f, err := expr.Compile(e.src, &expr.Options{Sizes: e.sizes, Shapes: e.shapes, Consts: e.data})
		require.NoError(t, err, e.src)
		var xs, vs [][]float64
		for range 2 {
			x, v := make([]float64, f.Dim()), make([]float64, f.Dim())
			for i := range x {
				x[i], v[i] = 0.5+rng.Float64(), rng.NormFloat64()
			}
			xs, vs = append(xs, x), append(vs, v)
		}
		cases = append(cases, gentest.Case{Name: e.src, F: f.Func, Points: xs, Dirs: vs})
	}
	gentest.Check(t, cases)
}

// TestGenerateSymbolic compiles the generated Go of functions whose vector
// length is read from the slices, and compares it with the interpreter at
// lengths other than the one it was generated at.
func TestGenerateSymbolic(t *testing.T) {
	for _, src := range []string{
		"sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)",
		"a*x[-1] + sum(sin(x)*cos(x[::-1])) + logsumexp(cumsum(x)) + max(x) - x[0]*x[2]",
		"dot(x, y) + sum([x[1:], a]*y) + norm(y - 1)",
	} {
		build := func(n int) (*ad.Func, error) {
			f, err := expr.Compile(src, &expr.Options{Sizes: map[string]int{"x": n, "y": n}})
			if err != nil {
				return nil, err
			}
			return f.Func, nil
		}
		gentest.CheckSymbolic(t, src, ad.GenOptions{Source: src}, 10, build, []int{3, 10, 57, 5000})
	}
}

// TestGenerateSymbolicRefused checks that a function that depends on its
// vectors' length otherwise than through lengths and indices is refused.
func TestGenerateSymbolicRefused(t *testing.T) {
	for _, c := range []struct{ src, err string }{
		{"mean(x)", "a constant from the length"},
		{"sum(x[::2])", "a strided slice"},
		{"sum(x * range(len(x)))", "a constant vector"},
		{"s = 0; for i in range(len(x)) { s = s + x[i] }; s", "a loop of its length"},
	} {
		build := func(n int) (*ad.Func, error) {
			f, err := expr.Compile(c.src, &expr.Options{Sizes: map[string]int{"x": n}})
			if err != nil {
				return nil, err
			}
			return f.Func, nil
		}
		err := ad.GenerateSymbolic(io.Discard, ad.GenOptions{Package: "p", Name: "F"}, 10, build)
		require.Error(t, err, c.src)
		assert.Contains(t, err.Error(), c.err, c.src)
	}
	f, err := expr.Compile("sum(x) + sum(y)", &expr.Options{Sizes: map[string]int{"x": 3, "y": 4}})
	require.NoError(t, err)
	err = ad.GenerateSymbolic(io.Discard, ad.GenOptions{Package: "p", Name: "F"}, 3, func(int) (*ad.Func, error) { return f.Func, nil })
	assert.EqualError(t, err, "gen: symbolic lengths need vectors of one length, and x has 3 elements, y 4")
}
