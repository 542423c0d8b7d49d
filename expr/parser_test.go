package expr

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sexpr prints a syntax tree fully parenthesized, to check its shape.
func sexpr(n node) string {
	opText := map[tokenKind]string{tPlus: "+", tMinus: "-", tStar: "*", tSlash: "/", tPow: "^"}
	switch n := n.(type) {
	case *number:
		return strconv.FormatFloat(n.val, 'g', -1, 64)
	case *name:
		return n.id
	case *paren:
		return sexpr(n.x)
	case *unary:
		return "(" + opText[n.op] + " " + sexpr(n.x) + ")"
	case *binary:
		return "(" + sexpr(n.x) + " " + opText[n.op] + " " + sexpr(n.y) + ")"
	case *call:
		args := make([]string, len(n.args))
		for i, a := range n.args {
			args[i] = sexpr(a)
		}
		return n.fn + "(" + strings.Join(args, ", ") + ")"
	case *index:
		return sexpr(n.x) + "[" + sexpr(n.i) + "]"
	case *slice:
		opt := func(n node) string {
			if n == nil {
				return "_"
			}
			return sexpr(n)
		}
		return sexpr(n.x) + "[" + opt(n.lo) + ":" + opt(n.hi) + ":" + opt(n.step) + "]"
	case *vector:
		elems := make([]string, len(n.elems))
		for i, e := range n.elems {
			elems[i] = sexpr(e)
		}
		return "[" + strings.Join(elems, ", ") + "]"
	}
	return fmt.Sprintf("?%T", n)
}

func TestParsePrecedence(t *testing.T) {
	tests := []struct{ src, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"1 - 2 - 3", "((1 - 2) - 3)"},
		{"1 / 2 / 3", "((1 / 2) / 3)"},
		{"1 / 2 * 3", "((1 / 2) * 3)"},
		{"-x^2", "(- (x ^ 2))"},
		{"-x**2", "(- (x ^ 2))"},
		{"2^3^2", "(2 ^ (3 ^ 2))"},
		{"2**3**2", "(2 ^ (3 ^ 2))"},
		{"2^3**2", "(2 ^ (3 ^ 2))"},
		{"2^-x", "(2 ^ (- x))"},
		{"2^-x^2", "(2 ^ (- (x ^ 2)))"},
		{"2^-x*3", "((2 ^ (- x)) * 3)"},
		{"-x*y", "((- x) * y)"},
		{"--x", "(- (- x))"},
		{"+x", "(+ x)"},
		{"a - -b", "(a - (- b))"},
		{"(a + b) * c", "((a + b) * c)"},
		{"a * (b + c)", "(a * (b + c))"},
		{"x[0]^2", "(x[0] ^ 2)"},
		{"-x[0]", "(- x[0])"},
		{"x[1:]", "x[1:_:_]"},
		{"x[:-1]", "x[_:(- 1):_]"},
		{"x[::2]", "x[_:_:2]"},
		{"x[1:n:2]", "x[1:n:2]"},
		{"x[:]", "x[_:_:_]"},
		{"x[1:][0]", "x[1:_:_][0]"},
		{"[a, b, 1][2]", "[a, b, 1][2]"},
		{"(x+y)[0]", "(x + y)[0]"},
		{"f(a, b + 1)", "f(a, (b + 1))"},
		{"atan2(y, x) * 2", "(atan2(y, x) * 2)"},
		{"pow(x)", "pow(x)"},
		{"f()", "f()"},
		{".5 + 2.5e-3 + 1. + 1E3", "(((0.5 + 0.0025) + 1) + 1000)"},
		{"1e-400", "0"},
		{"x +\n y", "(x + y)"},
		{"(x\n + y)", "(x + y)"},
		{"f(x,\n y)", "f(x, y)"},
		{"x # comment\n", "x"},
		{"\uFEFFθ^2", "(θ ^ 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			stmts, errs := parse(tt.src)
			require.Empty(t, errs)
			require.Len(t, stmts, 1)
			assert.Equal(t, tt.want, sexpr(stmts[0].x))
		})
	}
}

func TestParseStatements(t *testing.T) {
	stmts, errs := parse("# comment\nr = sqrt(x^2 + y^2 + 1);  # binding\n\n a = r;b=a\nsin(r) / r\n")
	require.Empty(t, errs)
	var got []string
	for _, s := range stmts {
		x := sexpr(s.x)
		if s.bind != nil {
			x = s.bind.id + " = " + x
		}
		got = append(got, x)
	}
	assert.Equal(t, []string{
		"r = sqrt((((x ^ 2) + (y ^ 2)) + 1))",
		"a = r",
		"b = a",
		"(sin(r) / r)",
	}, got)
}

func TestParseDepth(t *testing.T) {
	nest := func(open, mid, close string, n int) string {
		return strings.Repeat(open, n) + mid + strings.Repeat(close, n)
	}
	for _, src := range []string{
		nest("(", "x", ")", MaxDepth),
		nest("-", "x", "", MaxDepth),
		nest("sin(", "x", ")", MaxDepth),
		nest("[", "x", "]", MaxDepth),
		nest("2^", "x", "", MaxDepth),
		"x" + strings.Repeat("[:]", MaxDepth),
	} {
		_, errs := parse(src)
		assert.Empty(t, errs, "%.20s", src)
	}
	for _, src := range []string{
		nest("(", "x", ")", MaxDepth+1),
		nest("-", "x", "", MaxDepth+1),
		nest("sin(", "x", ")", MaxDepth+1),
		nest("[", "x", "]", MaxDepth+1),
		nest("2^", "x", "", MaxDepth+1),
		"x" + strings.Repeat("[:]", MaxDepth+1),
		nest("(", "x", ")", 1e5),
		nest("(", "", "", 1e6),
	} {
		_, errs := parse(src)
		require.Len(t, errs, 1, "%.20s", src)
		assert.Equal(t, "expression nested too deeply (more than 1000 levels)", errs[0].Msg)
	}
}

// sstmts prints statements, with the blocks of definitions and loops in
// braces, to check their shape.
func sstmts(stmts []stmt) string {
	var parts []string
	for _, s := range stmts {
		switch {
		case s.fn != nil:
			params := make([]string, len(s.fn.params))
			for i, p := range s.fn.params {
				params[i] = p.id
			}
			parts = append(parts, s.fn.name.id+"("+strings.Join(params, ", ")+") = {"+sstmts(s.fn.body.stmts)+"}")
		case s.loop != nil:
			parts = append(parts, "for "+s.loop.index.id+" < "+sexpr(s.loop.count)+" {"+sstmts(s.loop.body.stmts)+"}")
		case s.bind != nil:
			parts = append(parts, s.bind.id+" = "+sexpr(s.x))
		default:
			parts = append(parts, sexpr(s.x))
		}
	}
	return strings.Join(parts, "; ")
}

func TestParseFunctionsAndLoops(t *testing.T) {
	tests := []struct{ src, want string }{
		{"sq(u) = u * u\nsq(x)", "sq(u) = {(u * u)}; sq(x)"},
		{"f(a, b) =\n  a + b\nf(1, 2)", "f(a, b) = {(a + b)}; f(1, 2)"},
		{"one() = 1; one()", "one() = {1}; one()"},
		{"f(u) = {\n  a = u^2\n\n  a + 1\n}\nf(x)", "f(u) = {a = (u ^ 2); (a + 1)}; f(x)"},
		{"f(u) = { a = u; a }; f(x)", "f(u) = {a = u; a}; f(x)"},
		{"f(u) = {\n  a = (u +\n    1)\n  a\n}\nf(x)", "f(u) = {a = (u + 1); a}; f(x)"},
		{"for i in range(3) { s = s + i }\ns", "for i < 3 {s = (s + i)}; s"},
		{"for i in range(n - 1) {\n  y = f(y)\n  t = t + h\n}\ny", "for i < (n - 1) {y = f(y); t = (t + h)}; y"},
		{"for i in range(3)\n{\n  y = y\n}\ny", "for i < 3 {y = y}; y"},
		{"for i in range(2) { for j in range(3) { s = s + i*j } }; s", "for i < 2 {for j < 3 {s = (s + (i * j))}}; s"},
		{"for i in range(2) {}\n1", "for i < 2 {}; 1"},
		{"f(u) = {\n  for i in range(2) { u = 2*u }\n  u\n}\nf(x)", "f(u) = {for i < 2 {u = (2 * u)}; u}; f(x)"},
		{"grad(grad(f(x), x), x)", "grad(grad(f(x), x), x)"},
		{"for + 1", "(for + 1)"},
		{"for(1)", "for(1)"},
		{"in = 1; for i in range(in) { s = in }; s", "in = 1; for i < in {s = in}; s"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			stmts, errs := parse(tt.src)
			require.Empty(t, errs)
			assert.Equal(t, tt.want, sstmts(stmts))
		})
	}
}

func TestParseBlockDepth(t *testing.T) {
	loops := func(n int) string {
		return strings.Repeat("for i in range(1) {\n", n) + "s = 1\n" + strings.Repeat("}\n", n) + "1"
	}
	_, errs := parse(loops(MaxDepth / 2))
	assert.Empty(t, errs)
	_, errs = parse(loops(MaxDepth + 1))
	require.Len(t, errs, 1)
	assert.Equal(t, "expression nested too deeply (more than 1000 levels)", errs[0].Msg)
}

// TestParseRecovery checks that an error inside braces is recovered from
// at the end of its statement, so that the next one is checked too.
func TestParseRecovery(t *testing.T) {
	_, errs := parse("f(u) = {\n  a = u +\n  b = (u\n  a\n}\nfor i in range(2) {\n  s = * 2\n}\ng(u) = )\n1")
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg))
	}
	assert.Equal(t, []string{
		`3:5: unexpected "=" after expression`,
		`7:7: unexpected "*", expected expression`,
		`9:8: unexpected ")", expected expression`,
	}, got)
}
