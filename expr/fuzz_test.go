package expr

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nabla-ad/nabla/ad"
)

func FuzzParse(f *testing.F) {
	for _, src := range []string{
		"x^2 + y^2",
		"-(x^2 + y^2) + 4",
		"# comment\nr = sqrt(x^2 + y^2 + 1);\nsin(r) / r",
		"sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)",
		"dot(v, v) + norm(v[::2]) + logsumexp([v, 1, x]) + max(v) + min(v[-1], 2)",
		"sum(range(len(v)) * v) + mean(v[1:2:1])",
		"2^3^2 - -x**2 + atan2(y, x) + hypot(x, y) + pow(x, 3)",
		"a = (x +\n b=2; x y; 1.2.3 + 2x",
		"sinn(x) + [1, 2, 3] + v[5] + v[1.5]",
		"x[1:n:2]",
		"((((x))))",
		"sigmoid(x) * softplus(y) / step(x) + sign(y) - abs(x) + log1p(x) + expm1(y)",
		"sum(fill(x, 1e9)^2) + sum(scatter(v, 8, 1, 2)) + sum(range(4)) + cumsum(fill(1, 3))[2]",
		"a = [v, v]; b = [a, a, a]; sum([b, b, b, fill(x, len(b))])",
		"sq(u) = u * u\nsq(x) + sq(y)",
		"f(t, y) = -2*t*y\nrk4(t, y, h) = {\n  k1 = f(t, y)\n  k2 = f(t + h/2, y + h/2*k1)\n  y + h*k2\n}\ny = x\nfor i in range(10) { y = rk4(i*0.1, y, 0.1) }\ny",
		"grad(grad(x^3, x), x) + hvp(x*y^2, y, 1) + sum(jvp(v^2, v, v))",
		"p = v\nfor i in range(3) {\n  p = p - 0.1*grad(sum(p^4), p)\n}\nsum(p)",
		"a = 0; b = 1\nfor i in range(5) { c = a + b; a = b; b = c }\na*x",
		"q = x^2\nr = sin(q)\nd(u) = grad(u^3, u)\ngrad(r*x, q) + d(q)",
		"f(u) = f(u)\ng(u) = h(u)\nh(u) = u\nfor i in range(x) { k = 1 }\nk + f(1, 2) + grad(x, 2*x)",
		"for i in range(3) { for j in range(i+1) { s = 1 } }\n{ }\n}",
		"f(u) = {\n  for i in range(len(u)) { u = [u[1:], u[0]] }\n  u\n}\nsum(f(v))",
		"sum(A @ A.T) + A[1] @ v + A[0, 2] * A[-1, :2] @ [1, 2] + sum(A[:, 1]) + sum(A[1:, ::-1])",
		"sum([[1, x], [2, 3]] @ A[:, :2].T) + sum(max(A, axis=0)) + sum(logsumexp(A, 1)) + mean(A, axis=1) @ [1, 2]",
		"sum(vstack(A, v) * vstack(A, v)) + sum(hstack(A, A)) + sum(diag(outer(v, v))) + sum(tril(trilvec(outer(v, v)), 3, 0))",
		"sum(reshape(A, 3, 2) @ A) + sum(flatten(A)) + sum(broadcast(v, 2, 3) * fill(x, 2, 3)) + len(A, 1) + sum(A + [[1], [2]])",
		"A[1, 2, 3] + A[:, 9] + [[1, 2], [3]] + [[[1]]] + A.X + sum(A, axis=5) + max(A, ax=1) + A @ A",
		"sum(A[argmin(A, axis=0)]) + v[argmax(v)] + sum(addat(v, [0, 2], v[[1, 1]])) + v[x] + A[x, 1] + argmin(A) + v[A] + A[:, x]",
	} {
		f.Add(src)
	}
	// Low limits keep every vector a source may build, and every loop it
	// unrolls, quick to run and print, so that fill, scatter, range, loops
	// and functions are fuzzed like the rest.
	defer func(n, m int) { maxElems, maxUnrolled = n, m }(maxElems, maxUnrolled)
	maxElems, maxUnrolled = 1<<10, 1<<12
	f.Fuzz(func(t *testing.T, src string) {
		for _, opts := range []*Options{nil, {Sizes: map[string]int{"v": 3}}, {Shapes: map[string]ad.Shape{"v": ad.Vector(3), "A": ad.Matrix(2, 3)}}} {
			fn, err := Compile(src, opts)
			if err != nil {
				checkError(t, src, err)
				continue
			}
			if n := longest(fn.Graph(), fn.Output()); n > maxElems+fn.Dim() {
				t.Fatalf("%q builds a vector of %d elements, beyond the limit", src, n)
			}
			x := make([]float64, fn.Dim())
			for i := range x {
				x[i] = 0.5 + float64(i)
			}
			grad := make([]float64, fn.Dim())
			fn.Eval(x)
			fn.Grad(x, grad)
			g := fn.Graph()
			printed := g.Format(fn.Output())
			back, err := Parse(g, printed)
			if err != nil {
				t.Fatalf("printed form of %q does not parse: %v\n%s", src, err, printed)
			}
			if back != fn.Output() {
				t.Fatalf("printed form of %q parses to another node:\n%s\n%s", src, printed, g.Format(back))
			}
		}
	})
}

// longest returns the length of the longest vector out depends on.
func longest(g *ad.Graph, out ad.Node) int {
	seen := map[ad.Node]bool{}
	n := 0
	var walk func(ad.Node)
	walk = func(x ad.Node) {
		if seen[x] {
			return
		}
		seen[x] = true
		n = max(n, g.Shape(x).Len())
		for _, a := range g.Args(x) {
			walk(a)
		}
	}
	walk(out)
	return n
}

// checkError checks that err is a well-formed error of Compile for src.
func checkError(t *testing.T, src string, err error) {
	var list ErrorList
	if !errors.As(err, &list) {
		list = ErrorList{err.(*Error)}
	}
	if len(list) == 0 || len(list) > maxErrors {
		t.Fatalf("%d errors for %q", len(list), src)
	}
	for _, e := range list {
		if e.Line == 0 {
			if len(src) <= MaxSourceLen {
				t.Fatalf("unpositioned error %q for %q", e.Msg, src)
			}
			continue
		}
		if e.Offset < 0 || e.Offset > len(src) || e.Line < 1 || e.Col < 1 {
			t.Fatalf("bad position %d:%d (offset %d) for %q", e.Line, e.Col, e.Offset, src)
		}
		if e.Msg == "" || !utf8.ValidString(e.Msg) {
			t.Fatalf("bad message %q for %q", e.Msg, src)
		}
		if !strings.Contains(e.Error(), "^") {
			t.Fatalf("no caret in %q", e.Error())
		}
	}
}
