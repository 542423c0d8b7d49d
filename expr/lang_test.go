package expr

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/numdiff"
	"github.com/nabla-ad/nabla/optim"
)

// TestFunctionsAndLoops builds sources with functions and loops and checks
// the value and the printed graph, which shows what was inlined.
func TestFunctionsAndLoops(t *testing.T) {
	tests := []struct {
		name, src string
		at        ad.Point
		want      float64
		printed   string
	}{
		{"function", "sq(u) = u * u\nsq(x) + sq(y)", ad.Point{"x": {3}, "y": {4}}, 25, "x * x + y * y"},
		{"calls an earlier function", "sq(u) = u * u\nquad(u) = sq(sq(u))\nquad(x)", ad.Point{"x": {2}}, 16, "x * x * (x * x)"},
		{"two parameters", "hyp(a, b) = sqrt(a^2 + b^2); hyp(x, 4)", ad.Point{"x": {3}}, 5, "sqrt(x^2 + 16)"},
		{"vector parameter", "nrm(u) = sqrt(sum(u^2))\nnrm(v)", ad.Point{"v": {3, 4}}, 5, "sqrt(sum(v^2))"},
		{"body in braces", "f(u) = {\n  a = u + 1\n  b = a * a\n  b - 1\n}\nf(x)", ad.Point{"x": {2}}, 8, "(x + 1) * (x + 1) - 1"},
		{"parameters shadow variables", "f(x) = x^2\nf(y)", ad.Point{"y": {3}}, 9, "y^2"},
		{"earlier bindings", "c = 3\nf(u) = c * u\nf(x)", ad.Point{"x": {2}}, 6, "3 * x"},
		{"earlier variables", "r = x + 1\nf(u) = u * x\nf(r)", ad.Point{"x": {2}}, 6, "(x + 1) * x"},
		{"no parameters", "two() = 2\ntwo() * x", ad.Point{"x": {5}}, 10, "2 * x"},
		{"a function keeps the values it saw", "t = 1\nf(u) = u * t\nfor i in range(3) { t = t + 1 }\nf(x) + t", ad.Point{"x": {2}}, 6, "x + 4"},
		{"loop index", "s = 0\nfor i in range(5) { s = s + i }\ns * x", ad.Point{"x": {1}}, 10, "10 * x"},
		{"several state values", "a = 0\nb = x\nfor i in range(10) {\n  c = a + b\n  a = b\n  b = c\n}\na", ad.Point{"x": {1}}, 55, ""},
		{"nested loops", "s = x\nfor i in range(3) {\n  for j in range(4) { s = s + i*j }\n}\ns", ad.Point{"x": {0}}, 18, "x + 1 + 2 + 3 + 2 + 4 + 6"},
		{"no passes", "y = x\nfor i in range(0) { y = 2*y }\ny", ad.Point{"x": {3}}, 3, "x"},
		{"count from a binding", "n = 3\ny = x\nfor i in range(n) { y = 2*y }\ny", ad.Point{"x": {1}}, 8, "8 * x"},
		{"count from a parameter", "times2(y, n) = {\n  for i in range(n) { y = 2*y }\n  y\n}\ntimes2(x, 5)", ad.Point{"x": {1}}, 32, "32 * x"},
		{"count from len", "s = 0\nfor i in range(len(v)) { s = s + v[i]^2 }\ns", ad.Point{"v": {1, 2, 3}}, 14, "v[0]^2 + v[1]^2 + v[2]^2"},
		{"vector state", "p = v\nfor i in range(2) { p = [p[1:], p[0]] }\np[0]", ad.Point{"v": {1, 2, 3}}, 3, "v[2]"},
		{"euler with time t = i*h", "h = 0.5\ny = x\nfor i in range(2) {\n  t = i*h\n  y = y + h*t*y\n}\ny", ad.Point{"x": {4}}, 5, "x + 0.25 * x"},
		{"semicolons", "sq(u) = u*u; s = 0; for i in range(3) { s = s + sq(x) }; s", ad.Point{"x": {2}}, 12, "2 * (x * x) + x * x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := compileAt(t, tt.src, tt.at)
			got, err := f.EvalAt(tt.at)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if tt.printed != "" {
				assert.Equal(t, tt.printed, f.Graph().Format(f.Output()))
			}
		})
	}
}

// compileAt compiles src with the vector sizes of at.
func compileAt(t *testing.T, src string, at ad.Point) *Func {
	t.Helper()
	sizes := map[string]int{}
	for name, v := range at {
		if len(v) > 1 || name == "v" {
			sizes[name] = len(v)
		}
	}
	f, err := Compile(src, &Options{Sizes: sizes})
	require.NoError(t, err, src)
	return f
}

// TestRungeKutta solves y' = -2ty, y(0) = y0 to t = 1 by Runge–Kutta in
// the language and compares with the solution y0·e⁻¹, and its derivative
// in y0 with e⁻¹.
func TestRungeKutta(t *testing.T) {
	src := `
# y' = f(t, y), by the classical Runge–Kutta method
f(t, y) = -2*t*y
rk4(t, y, h) = {
    k1 = f(t, y)
    k2 = f(t + h/2, y + h/2*k1)
    k3 = f(t + h/2, y + h/2*k2)
    k4 = f(t + h, y + h*k3)
    y + h/6*(k1 + 2*k2 + 2*k3 + k4)
}
n = 100
h = 1/n
y = y0
for i in range(n) {
    y = rk4(i*h, y, h)
}
y`
	f, err := Compile(src, nil)
	require.NoError(t, err)
	v, grad, err := f.GradAt(ad.Point{"y0": {2}})
	require.NoError(t, err)
	// The error of the method is of order h⁴.
	assert.InDelta(t, 2*math.Exp(-1), v, 1e-9)
	assert.InDelta(t, math.Exp(-1), grad["y0"][0], 1e-9)
}

// TestDerivativesInLanguage checks grad, jvp and hvp against closed forms.
func TestDerivativesInLanguage(t *testing.T) {
	at := ad.Point{"x": {2}, "y": {3}, "v": {1, 2, 3}}
	x, y := 2.0, 3.0
	tests := []struct {
		src     string
		want    float64
		printed string
	}{
		{"grad(x^3, x)", 3 * x * x, "3 * x^2"},
		{"grad(grad(x^3, x), x)", 6 * x, "6 * x"},
		{"grad(grad(grad(x^3, x), x), x)", 6, "6"},
		{"grad(x*y, x) + grad(x*y, y)", y + x, "y + x"},
		{"grad(grad(x^2*y^3, x), y)", 6 * x * y * y, "6 * (x * y^2)"},
		{"grad(grad(x^2*y^3, y), x)", 6 * x * y * y, "6 * (y^2 * x)"},
		{"grad(sin(x), y)", 0, "0"},
		{"grad(sum(v^3), v)[1]", 3 * 2 * 2, "(3 * v^2)[1]"},
		{"dot(grad(sum(v)^2, v), v)", 2 * 6 * 6, "dot(fill(2 * sum(v), 3), v)"},
		{"r = x^2\ngrad(r, x)", 2 * x, "2 * x"},
		{"q = x^2\ngrad(sin(q), q)", math.Cos(x * x), "cos(x^2)"},
		{"q = x^2\nr = sin(q)\ngrad(r * x, q)", math.Cos(x*x) * x, "x * cos(x^2)"},
		{"q = x^2\ngrad(q, q)", 1, "1"},
		{"d(u) = grad(u^3, u)\nd(x^2)", 3 * math.Pow(x, 4), "3 * (x^2)^2"},
		{"f(u) = u^3\ngrad(grad(f(x), x), x)", 6 * x, "6 * x"},
		{"f(u) = u^3\ndf(u) = grad(f(u), u)\nd2f(u) = grad(df(u), u)\nd2f(x)", 6 * x, "6 * x"},
		{"p = x\ngrad(grad(p^2*y, p), p)", 2 * y, "2 * y"},
		{"jvp(x^2*y, x, 3)", 2 * x * y * 3, "6 * (y * x)"},
		{"jvp(x^2*y, y, 1) + jvp(x^2*y, x, 0)", x * x, "x^2"},
		{"sum(jvp(v^2, v, [1, 0, 0]))", 2 * 1, "sum(2 * (v * [1, 0, 0]))"},
		{"hvp(x^2*y, x, 1)", 2 * y, "2 * y"},
		{"sum(hvp(sum(v^3), v, [1, 1, 1]))", 6 * (1 + 2 + 3), "sum(6 * (v * [1, 1, 1]))"},
		{"p = v * x\nhvp(sum(p^3), p, v)[2]", 6 * 3 * 2 * 3, "(6 * (v * x * v))[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f, err := Compile(tt.src, &Options{Sizes: map[string]int{"v": 3}})
			require.NoError(t, err)
			got, err := f.EvalAt(pointFor(f, at))
			require.NoError(t, err)
			assert.InDelta(t, tt.want, got, 1e-12*math.Max(1, math.Abs(tt.want)))
			assert.Equal(t, tt.printed, f.Graph().Format(f.Output()))
		})
	}
}

// pointFor picks the variables of f from at.
func pointFor(f *Func, at ad.Point) ad.Point {
	p := ad.Point{}
	for _, v := range f.Vars() {
		p[v.Name] = at[v.Name]
	}
	return p
}

// TestNestedDerivativesNumerically checks the derivatives of sources that
// hold derivatives against numeric differentiation: the outer derivative
// is the engine's, the inner one the language's.
func TestNestedDerivativesNumerically(t *testing.T) {
	for _, src := range []string{
		"grad(x^3 * sin(y), x)",
		"grad(grad(exp(x*y) / (1 + y^2), x), y)",
		"f(u, w) = log(1 + u^2) * cos(w)\ngrad(f(x, y), x) * grad(f(x, y), y)",
		"q = x*y\ngrad(tanh(q)^2, q) + x",
		"hvp(x^4*y + sin(x*y), x, y)",
		"jvp(sin(x)*y^3, y, x)",
		"sum(grad(logsumexp(v * x), v)^2)",
		"p = [x, y]\nfor i in range(3) { p = p - 0.1*grad(sum(p^4) + p[0]*p[1], p) }\nsum(p^2)",
	} {
		t.Run(src, func(t *testing.T) {
			f, err := Compile(src, &Options{Sizes: map[string]int{"v": 2}})
			require.NoError(t, err)
			x := make([]float64, f.Dim())
			for i := range x {
				x[i] = 0.3 + 0.2*float64(i)
			}
			r, err := numdiff.Check(f, x, nil)
			require.NoError(t, err)
			assert.True(t, r.OK, "%+v", r.Components)
		})
	}
}

// TestGradientDescentInLanguage unrolls gradient descent in the language
// and compares the point with optim's GradientDescent.
func TestGradientDescentInLanguage(t *testing.T) {
	const steps, lr = 25, 0.01
	f := MustCompile("(1 - x)^2 + 10*(y - x^2)^2")
	res, err := optim.Minimize(context.Background(), f, []float64{-1, 1},
		optim.GradientDescent{LR: lr}, &optim.Settings{MaxIter: steps})
	require.NoError(t, err)
	require.Equal(t, steps, res.Iterations)

	loop := "f(x, y) = (1 - x)^2 + 10*(y - x^2)^2\n" +
		"p = x; q = y\n" +
		"for i in range(" + strconv.Itoa(steps) + ") {\n" +
		"  gp = grad(f(p, q), p)\n" +
		"  gq = grad(f(p, q), q)\n" +
		"  p = p - " + strconv.FormatFloat(lr, 'g', -1, 64) + "*gp\n" +
		"  q = q - " + strconv.FormatFloat(lr, 'g', -1, 64) + "*gq\n" +
		"}\n"
	for i, result := range []string{"p", "q"} {
		g, err := Compile(loop+result, nil)
		require.NoError(t, err)
		got, err := g.Eval([]float64{-1, 1})
		require.NoError(t, err)
		assert.Equal(t, res.X[i], got, result)
	}
}

// TestLanguageErrors checks the messages and carets of misused functions,
// loops and derivatives.
func TestLanguageErrors(t *testing.T) {
	sized := &Options{Sizes: map[string]int{"v": 3}}
	tests := []struct {
		src  string
		opts *Options
		want string
	}{
		// Functions.
		{"f(u) = f(u) + 1\nf(x)", nil, "1:8: f calls itself: a function cannot be recursive\n  f(u) = f(u) + 1\n         ^"},
		{"f(u) = g(u)\ng(u) = u\nf(x)", nil, "1:8: f calls g, which is defined after it (at 2:1): a function calls only functions defined before it\n  f(u) = g(u)\n         ^"},
		{"sq(u) = u*u\nsq(x, y)", nil, "2:1: sq takes 1 argument, got 2\n  sq(x, y)\n  ^"},
		{"f(a, b) = a*b\nf(x)", nil, "2:1: f takes 2 arguments, got 1\n  f(x)\n  ^"},
		{"sq(u) = u*u\ng(u) = sq()\ng(x)", nil, "2:8: sq takes 1 argument, got 0\n  g(u) = sq()\n         ^"},
		{"f(u) = u + w\nf(x)", nil, "1:12: undefined name \"w\" in function f\n  f(u) = u + w\n             ^"},
		{"f(value) = valeu\n1", nil, "1:12: undefined name \"valeu\" in function f (did you mean \"value\"?)\n  f(value) = valeu\n             ^"},
		{"f(u) = u * c\nc = 2\nf(x)", nil, "1:12: undefined name \"c\" in function f\n  f(u) = u * c\n             ^"},
		{"f(u) = u * x\nx + f(1)", nil, "1:12: undefined name \"x\" in function f\n  f(u) = u * x\n             ^"},
		{"f(u) = sinn(u)\n1", nil, "1:8: unknown function \"sinn\" (did you mean \"sin\"?)\n  f(u) = sinn(u)\n         ^"},
		{"f(u) = u(2)\n1", nil, "1:8: cannot call \"u\": it is not a function\n  f(u) = u(2)\n         ^"},
		{"f(u) = u[0]\nf(x)", nil, "1:9: cannot index a scalar (in f, called at 2:1)\n  f(u) = u[0]\n          ^"},
		{"f(u) = u[0]\nf(v) + f(1)", sized, "1:9: cannot index a scalar (in f, called at 2:8)\n  f(u) = u[0]\n          ^"},
		{"f(u, u) = u\nf(1, 2)", nil, "1:6: duplicate parameter \"u\"\n  f(u, u) = u\n       ^"},
		{"f(sin) = sin\nf(1)", nil, "1:3: cannot use \"sin\" as a parameter: it is a function\n  f(sin) = sin\n    ^"},
		{"f(pi) = pi\nf(1)", nil, "1:3: cannot use \"pi\" as a parameter: it is a constant\n  f(pi) = pi\n    ^"},
		{"f(2) = 1\nf(1)", nil, "1:3: a parameter must be a name\n  f(2) = 1\n    ^"},
		{"f(u) = u\nf(u) = 2*u\nf(1)", nil, "2:1: cannot redefine \"f\" (defined at 1:1)\n  f(u) = 2*u\n  ^"},
		{"sin(u) = u\nsin(1)", nil, "1:1: cannot define \"sin\": it is a function\n  sin(u) = u\n  ^"},
		{"grad(u) = u\n1", nil, "1:1: cannot define \"grad\": it is a function\n  grad(u) = u\n  ^"},
		{"f = 1\nf(u) = u\nf(1)", nil, "2:1: cannot define \"f\": it is bound at 1:1\n  f(u) = u\n  ^"},
		{"x + 1\nf(u) = u\nf(1)", nil, "1:1: unused expression (only the last statement is the result)\n  x + 1\n  ^"},
		{"sq(u) = u*u\nsq = 2\nsq(1)", nil, "2:1: cannot bind \"sq\": it is a function\n  sq = 2\n  ^"},
		{"sq(u) = u*u\nsq + 1", nil, "2:1: \"sq\" is a function, not a value\n  sq + 1\n  ^"},
		{"f(u) = {\n  a = u\n}\nf(1)", nil, "2:3: missing result: the last statement binds \"a\"\n    a = u\n    ^"},
		{"f(u) = {}\nf(1)", nil, "1:8: empty function body\n  f(u) = {}\n         ^"},
		{"f(u) = {\n  g(w) = w\n  u\n}\nf(1)", nil, "2:3: functions are defined only at the top level, not inside braces\n    g(w) = w\n    ^"},
		{"f(u) = {\n  a = u\n  a = 2\n  a\n}\nf(1)", nil, "3:3: cannot rebind \"a\" (bound at 2:3) (in f, called at 6:1)\n    a = 2\n    ^"},
		{"c = 1\nf(u) = {\n  c = u\n  c\n}\nf(1)", nil, "3:3: cannot bind \"c\" in a function: it is bound outside the function (at 1:1) (in f, called at 6:1)\n    c = u\n    ^"},
		{"f(u) = u", nil, "1:1: missing result: the last statement defines function \"f\"\n  f(u) = u\n  ^"},

		// Loops.
		{"for i in range(x) { }\nx", nil, "1:16: loop count must be a constant integer\n  for i in range(x) { }\n                 ^"},
		{"for i in range(2.5) { }\n1", nil, "1:16: loop count must be an integer, got 2.5\n  for i in range(2.5) { }\n                 ^"},
		{"for i in range(-1) { }\n1", nil, "1:16: loop count must be at least 0, got -1\n  for i in range(-1) { }\n                 ^"},
		{"for i in range(v) { }\n1", sized, "1:16: loop count must be a scalar, got vector(3)\n  for i in range(v) { }\n                 ^"},
		{"for i in range(1e9) { s = 1 }\n1", nil, "1:16: loop too large: 1000000000 passes over a body of 1 node exceed the unrolling limit of 1048576 nodes\n  for i in range(1e9) { s = 1 }\n                 ^"},
		{"for i in range(3) { k = i }\nk", nil, "2:1: \"k\" is bound only inside the loop at 1:1\n  k\n  ^"},
		{"for i in range(3) { k = i }\ni", nil, "2:1: \"i\" is bound only inside the loop at 1:1\n  i\n  ^"},
		{"for i in range(3) { for j in range(2) { k = j } }\nk", nil, "2:1: \"k\" is bound only inside the loop at 1:21\n  k\n  ^"},
		{"i = 1\nfor i in range(2) { }\ni", nil, "2:5: cannot use \"i\" as a loop index: it is bound at 1:1\n  for i in range(2) { }\n      ^"},
		{"for pi in range(2) { }\n1", nil, "1:5: cannot use \"pi\" as a loop index: it is a constant\n  for pi in range(2) { }\n      ^"},
		{"for i in range(2) { for j in range(2) { i = j } }\n1", nil, "1:41: cannot assign to \"i\": it is the index of an enclosing loop\n  for i in range(2) { for j in range(2) { i = j } }\n                                          ^"},
		{"for i in range(2) {\n  k = 1\n  k = 2\n}\n1", nil, "3:3: cannot rebind \"k\" (bound at 2:3)\n    k = 2\n    ^"},
		{"for i in range(2) { x = x + 1 }\nx", nil, "1:21: cannot bind \"x\": it is already used as a variable at 1:25\n  for i in range(2) { x = x + 1 }\n                      ^"},
		{"for i in range(2) { x }\n1", nil, "1:21: unused expression (a loop's body has no result)\n  for i in range(2) { x }\n                      ^"},
		{"for i in range(2) { }", nil, "1:1: missing result: the last statement is a loop\n  for i in range(2) { }\n  ^"},
		{"for i range(3) { }\n1", nil, "1:7: unexpected name \"range\", expected \"in\"\n  for i range(3) { }\n        ^"},
		{"for i in 3 { }\n1", nil, "1:10: a loop runs over range(n): write \"for i in range(n) { … }\"\n  for i in 3 { }\n           ^"},
		{"for i in range(1, 3) { }\n1", nil, "1:10: range takes 1 argument, got 2\n  for i in range(1, 3) { }\n           ^"},
		{"for i in range(3) x\n1", nil, "1:19: unexpected name \"x\", expected \"{\"\n  for i in range(3) x\n                    ^"},
		{"for i in range(3)\n\n1", nil, "1:18: unexpected newline, expected \"{\"\n  for i in range(3)\n                   ^"},
		{"for i in range(3) {\n  s = 1\n", nil, "1:19: unclosed \"{\"\n  for i in range(3) {\n                    ^"},
		{"x }", nil, "1:3: unmatched \"}\"\n  x }\n    ^"},
		{"s = 0\nfor i in range(3) {\n  s = s + q(i)\n}\ns", nil, "3:11: unknown function \"q\"\n    s = s + q(i)\n            ^"},

		// Derivatives.
		{"grad(x^2)", nil, "1:1: grad takes 2 arguments, got 1\n  grad(x^2)\n  ^"},
		{"jvp(x^2, x)", nil, "1:1: jvp takes 3 arguments, got 2\n  jvp(x^2, x)\n  ^"},
		{"grad(x^2, 2*x)", nil, "1:11: grad differentiates with respect to a name (a variable or a binding), not an expression\n  grad(x^2, 2*x)\n            ^"},
		{"grad(x^2, pi)", nil, "1:11: grad differentiates with respect to a variable or a binding; \"pi\" is a constant\n  grad(x^2, pi)\n            ^"},
		{"grad(x^2, sin)", nil, "1:11: \"sin\" is a function, not a value\n  grad(x^2, sin)\n            ^"},
		{"sum(grad(v, v))", sized, "1:10: grad takes a scalar expression, got vector(3)\n  sum(grad(v, v))\n           ^"},
		{"sum(hvp(v, v, v))", sized, "1:9: hvp takes a scalar expression, got vector(3)\n  sum(hvp(v, v, v))\n          ^"},
		{"jvp(x^2, x, [1, 2])", nil, "1:13: jvp direction must have the shape of x (scalar), got vector(2)\n  jvp(x^2, x, [1, 2])\n              ^"},
		{"grad(x^2, z)", &Options{Vars: []string{"x"}}, "1:11: unknown variable \"z\"\n  grad(x^2, z)\n            ^"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Compile(tt.src, tt.opts)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestLanguageWarnings(t *testing.T) {
	f, err := Compile("sq(u) = u*u\nf(u, w) = u\nfor i in range(2) { t = i }\nf(x, 1)", nil)
	require.NoError(t, err)
	var got []string
	for _, w := range f.Warnings() {
		got = append(got, strings.SplitN(w.Error(), "\n", 2)[0])
	}
	assert.Equal(t, []string{
		`1:1: function "sq" is never used`,
		`2:6: parameter "w" of f is never used`,
		`3:21: binding "t" is never used`,
	}, got)
}

// TestUnrollLimit checks that loops and calls are bounded by their
// unrolled size, checked as they are built.
func TestUnrollLimit(t *testing.T) {
	defer func(n int) { maxUnrolled = n }(maxUnrolled)
	maxUnrolled = 1000
	tests := []struct {
		src, want string
	}{
		{"s = 0\nfor i in range(30) {\n  for j in range(30) { s = s + j }\n}\ns",
			"2:1: unrolled size over the limit: loops, function calls and derivatives build more than 1000 nodes\n  for i in range(30) {\n  ^"},
		{"f1(u) = u*u + 1\nf2(u) = f1(f1(u))\nf3(u) = f2(f2(u))\nf4(u) = f3(f3(u))\nf5(u) = f4(f4(u))\nf6(u) = f5(f5(u))\nf7(u) = f6(f6(u))\nf8(u) = f7(f7(u))\nf9(u) = f8(f8(u))\nf9(x)",
			"10:1: unrolled size over the limit: loops, function calls and derivatives build more than 1000 nodes\n  f9(x)\n  ^"},
		{"p = x\nfor i in range(30) { p = p - 0.1*grad(p^4 + x^4, x) }\np",
			"2:1: unrolled size over the limit: loops, function calls and derivatives build more than 1000 nodes\n  for i in range(30) { p = p - 0.1*grad(p^4 + x^4, x) }\n  ^"},
		{"a = grad(grad(grad(exp(x^2), x), x), x)\nb = grad(grad(grad(a, x), x), x)\nc = grad(grad(grad(b, x), x), x)\nc",
			"3:5: unrolled size over the limit: loops, function calls and derivatives build more than 1000 nodes\n  c = grad(grad(grad(b, x), x), x)\n      ^"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Compile(tt.src, nil)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestInlineDepth checks that functions calling each other inside deep
// expressions cannot nest the lowering without bound.
func TestInlineDepth(t *testing.T) {
	var src strings.Builder
	src.WriteString("f0(u) = u\n")
	const deep = MaxDepth - 10
	for i := 1; i <= 20; i++ {
		src.WriteString("f" + strconv.Itoa(i) + "(u) = " + strings.Repeat("(", deep) + "f" + strconv.Itoa(i-1) + "(u)" + strings.Repeat(")", deep) + "\n")
	}
	src.WriteString("f20(x)")
	_, err := Compile(src.String(), nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "functions nested too deeply: inlining goes more than 10000 levels deep", e.Msg)
	assert.Equal(t, 22, e.Line)
}

// TestLanguageWithData runs a loop whose count is given as data, with a
// function that reads data: gradient descent on Σ(y - ysᵢ)², whose steps
// y ← 0.4y + 1.2 reach 2 + 0.4ⁿ(y₀ - 2).
func TestLanguageWithData(t *testing.T) {
	opts := &Options{Consts: map[string]Const{
		"n":  {Shape: ad.Scalar(), Values: []float64{4}},
		"ys": {Shape: ad.Vector(3), Values: []float64{1, 2, 3}},
	}}
	f, err := Compile("f(u) = sum((u - ys)^2)\ny = x\nfor i in range(n) { y = y - 0.1*grad(f(y), y) }\ny", opts)
	require.NoError(t, err)
	got, err := f.EvalAt(ad.Point{"x": {0}})
	require.NoError(t, err)
	assert.InDelta(t, 2-2*math.Pow(0.4, 4), got, 1e-15)
	assert.Equal(t, []string{"x"}, f.Names())

	_, err = Compile("for i in range(n) { ys = i }\n1", opts)
	assert.EqualError(t, err, "1:21: cannot bind \"ys\": it is a given constant (data)\n  for i in range(n) { ys = i }\n                      ^")
}
