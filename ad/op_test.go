package ad

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpCoverage fails when an entry of the op table lacks a facet: its
// names and documentation, its shape rule, a real kernel, a complex kernel
// or the mark that it has none, its derivative, its printer.
func TestOpCoverage(t *testing.T) {
	for op := OpNeg; op < numOps; op++ {
		d := &ops[op]
		t.Run(op.String(), func(t *testing.T) {
			require.Equal(t, op, d.op, "op %d has no entry", op)
			assert.NotEmpty(t, d.name, "name")
			assert.NotEmpty(t, d.goName, "Builder method")
			assert.NotEmpty(t, d.args, "parameters")
			assert.NotEmpty(t, d.doc, "doc line")
			assert.NotNil(t, d.shape, "shape rule")
			assert.Equal(t, len(d.ints) > 0, d.resolve != nil, "integer parameters come with the rule that resolves them")

			assert.True(t, d.kernel != nil || d.compile != nil, "kernel")
			if d.kind == kindElementwise {
				assert.True(t, len(d.args) == 1 && d.f1 != nil && d.f2 == nil || len(d.args) == 2 && d.f2 != nil && d.f1 == nil,
					"an elementwise op has the real function of its arity")
			}
			assert.True(t, (d.cplx != nil) != d.noComplex, "a complex kernel, or noComplex when the op has no analytic complex form")

			switch d.kind {
			case kindElementwise, kindReduce:
				assert.NotNil(t, d.partials, "partial derivatives")
			case kindLinear, kindBilinear:
				assert.NotNil(t, d.apply, "JVP (apply)")
				assert.NotNil(t, d.transpose, "VJP (transpose)")
			case kindGeneral:
				assert.NotNil(t, d.jvp, "JVP")
				assert.NotNil(t, d.vjp, "VJP")
			default:
				t.Errorf("no kind")
			}
			assert.NotNil(t, d.format, "printer")
			gen := &d.gen
			forms := 0
			for _, has := range []bool{gen.expr != "", gen.step != "", gen.code} {
				if has {
					forms++
				}
			}
			assert.Equal(t, 1, forms, "generated Go: an expression, an accumulator step, or code of the generator")
			assert.Equal(t, gen.step != "", gen.init != "", "an accumulator has a start and a step")
			assert.Equal(t, gen.expr != "", d.kind == kindElementwise, "an elementwise op's generated Go is an expression")
			assert.Equal(t, gen.code, genWrites(op), "the generator writes the Go of the ops marked code, and only those")
		})
	}
}

// rewriteCase shows one rewrite rule at work: the op and operands it is
// given, printed as they would be without simplification, and what the rule
// makes of them, or "" where the rule does not apply.
type rewriteCase struct {
	rule    string
	op      Op
	p       [3]int
	args    func(g *Graph, v testVars) []Node
	in, out string
}

// testVars are the variables of the rewrite cases: scalars x and y,
// vectors u and v of 3 elements, w of 6, a 2×3 matrix A, a 2×1 column c
// and a 3×3 matrix S.
type testVars struct{ x, y, u, v, w, A, c, S Node }

func newTestVars(g *Graph) testVars {
	return testVars{
		x: must(g.Var("x", Scalar())), y: must(g.Var("y", Scalar())),
		u: must(g.Var("u", Vector(3))), v: must(g.Var("v", Vector(3))), w: must(g.Var("w", Vector(6))),
		A: must(g.Var("A", Matrix(2, 3))), c: must(g.Var("c", Matrix(2, 1))), S: must(g.Var("S", Matrix(3, 3))),
	}
}

// m23 is the constant 2×3 matrix of the rewrite cases.
func m23(g *Graph) Node { return g.ConstMatrix(2, 3, []float64{1, 2, 3, 4, 5, 6}) }

func nodes(ns ...Node) []Node { return ns }

var rewriteCases = []rewriteCase{
	// Every elementwise op. A row against a matrix is left implicit where
	// it prints; a column against a row is not.
	{"f(row, matrix) → f(broadcast(row), matrix)", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.c, v.u) },
		"c + u", "broadcast(c, 2, 3) + u"},
	{"f(row, matrix) → f(broadcast(row), matrix)", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, v.x) },
		"A * x", ""},
	{"f(c) → constant", OpSin, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(0)) }, "sin(0)", "0"},
	{"f(c) → constant", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(g.Const(2), 3)), g.Const(1)) },
		"fill(2, 3) + 1", "fill(3, 3)"},
	{"f(c) → constant", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.Const(1)) }, "x + 1", ""},
	{"f(constant vector) → constant vector", OpNeg, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2})) },
		"-[1, 2]", "[-1, -2]"},
	{"f(constant vector) → constant vector", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2}), g.Const(3)) },
		"[1, 2] * 3", "[3, 6]"},
	{"f(fill(s), x) → f(s, x)", OpMax, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(v.x, 3)), v.u) },
		"max(fill(x, 3), u)", "max(x, u)"},
	{"f(fill(s), x) → f(s, x)", OpMax, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, must(g.Fill(v.x, 3))) },
		"max(u, fill(x, 3))", "max(u, x)"},

	// Negation.
	{"-(-x) → x", OpNeg, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.neg(v.x)) }, "-(-x)", "x"},
	{"-(c*x) → (-c)*x", OpNeg, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.mul(g.Const(2), v.x)) }, "-(2 * x)", "-2 * x"},

	// Sums and differences.
	{"0 + x → x", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(0), v.x) }, "0 + x", "x"},
	{"0 + x → x", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(g.Const(0), 3)), v.x) },
		"fill(0, 3) + x", "fill(x, 3)"},
	{"x + 0 → x", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, g.Const(0)) }, "u + 0", "u"},
	{"x + x → 2*x", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, v.x) }, "x + x", "2 * x"},
	{"x + (-y) → x - y", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.neg(v.y)) }, "x + (-y)", "x - y"},
	{"(-x) + y → y - x", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.neg(v.x), v.y) }, "-x + y", "y - x"},
	{"x + (-c)*y → x - c*y", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.mul(g.Const(-3), v.y)) },
		"x + -3 * y", "x - 3 * y"},
	{"x + (-c)*y → x - c*y", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.mul(g.Const(3), v.y)) },
		"x + 3 * y", ""},
	{"x + scatter(v) → scatteradd(x, v)", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.w, g.scatter(v.u, 6, 1, 2)) },
		"w + scatter(u, 6, 1, 2)", "w + scatter(u, 6, 1, 2)"},
	{"x + scatter(v) → scatteradd(x, v)", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.scatter(v.u, 6, 1, 2)) },
		"x + scatter(u, 6, 1, 2)", ""},
	{"x + addat(0, a, v) → addat(x, a, v)", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, g.addAt(g.zeros(Matrix(2, 3)), v.x, v.u)) },
		"A + addat(fill(0, 2, 3), x, u)", "addat(A, x, u)"},
	{"x + addat(0, a, v) → addat(x, a, v)", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.addAt(g.zeros(Vector(3)), v.x, v.y), v.u) },
		"addat(fill(0, 3), x, y) + u", "addat(u, x, y)"},
	{"x + addat(0, a, v) → addat(x, a, v)", OpAdd, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.v, g.addAt(v.u, v.x, v.y)) },
		"v + addat(u, x, y)", ""},
	{"x - 0 → x", OpSub, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.Const(0)) }, "x - 0", "x"},
	{"0 - x → -x", OpSub, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(0), v.u) }, "0 - u", "-u"},
	{"x - (-y) → x + y", OpSub, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.neg(v.y)) }, "x - (-y)", "x + y"},
	{"x - (-c)*y → x + c*y", OpSub, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.mul(g.Const(-3), v.y)) },
		"x - -3 * y", "x + 3 * y"},

	// Products: constants go first, and signs and constant factors move
	// outward, where they merge.
	{"x*c → c*x", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.Const(3)) }, "x * 3", "3 * x"},
	{"x*(-y) → -(x*y)", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.neg(v.y)) }, "x * (-y)", "-(x * y)"},
	{"x*(-y) → -(x*y)", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(2), g.neg(v.y)) }, "2 * (-y)", ""},
	{"(-x)*y → -(x*y)", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.neg(v.x), v.y) }, "-x * y", "-(x * y)"},
	{"x*(c*y) → c*(x*y)", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.mul(g.Const(2), v.y)) },
		"x * (2 * y)", "2 * (x * y)"},
	{"x*(c*y) → c*(x*y)", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(2), g.mul(g.Const(3), v.y)) },
		"2 * (3 * y)", ""},
	{"(c*x)*y → c*(x*y)", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.mul(g.Const(2), v.x), v.y) },
		"2 * x * y", "2 * (x * y)"},
	{"0*x → 0", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(0), v.u) }, "0 * u", "fill(0, 3)"},
	{"1*x → x", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(1), v.x) }, "1 * x", "x"},
	{"-1*x → -x", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(-1), v.x) }, "-1 * x", "-x"},
	{"c₁*(c₂*x) → (c₁c₂)*x", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(2), g.mul(g.Const(3), v.x)) },
		"2 * (3 * x)", "6 * x"},
	{"c*(-x) → (-c)*x", OpMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(2), g.neg(v.x)) }, "2 * (-x)", "-2 * x"},

	// Quotients and powers.
	{"x/1 → x", OpDiv, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.Const(1)) }, "x / 1", "x"},
	{"0/x → 0", OpDiv, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(0), v.x) }, "0 / x", "0"},
	{"x^1 → x", OpPow, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, g.Const(1)) }, "x^1", "x"},
	{"x^0 → 1", OpPow, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, g.Const(0)) }, "u^0", "fill(1, 3)"},

	// Reductions.
	{"r(s) → s for a scalar s", OpSum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x) }, "sum(x)", "x"},
	{"r(s) → s for a scalar s", OpMaxOf, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x) }, "max(x)", "x"},
	{"sum(fill(c, n)) → n*c", OpSum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(g.Const(2), 3))) },
		"sum(fill(2, 3))", "6"},
	{"sum((1/sum(v))*v) → 1", OpSum, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(must(g.Mul(must(g.Div(g.Const(1), must(g.Call("sum", v.u)))), v.u)))
	}, "sum(1 / sum(u) * u)", "1"},
	{"sum((1/sum(v))*v) → 1", OpSum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Div(v.u, must(g.Call("sum", v.u))))) },
		"sum(u / sum(u))", "1"},
	{"sum((1/sum(v))*v) → 1", OpSum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Div(v.u, must(g.Call("sum", v.v))))) },
		"sum(u / sum(v))", ""},
	{"sum(constant vector) → constant", OpSum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2, 4})) },
		"sum([1, 2, 4])", "7"},
	{"r(v, 0) → r(v) for a vector v", OpSumAxis, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(v.u) }, "sum(u, 0)", "sum(u)"},
	{"r(v, 0) → r(v) for a vector v", OpMaxAxis, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(v.u) }, "max(u, axis=0)", "max(u)"},
	{"r(x, axis) → x along an axis of one element", OpSumAxis, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(v.c) }, "sum(c, 1)", "flatten(c)"},
	{"r(x, axis) → x along an axis of one element", OpMaxAxis, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(v.c) }, "max(c, axis=0)", ""},
	{"r(v, 0) → r(v) for a vector v", OpLogSumExpAxis, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(v.A) }, "logsumexp(A, 1)", ""},
	{"sum(fill(c), axis) → fill(n*c)", OpSumAxis, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(g.fill(g.Const(2), Matrix(2, 3))) },
		"sum(fill(2, 2, 3), 1)", "fill(6, 2)"},
	{"argmin/argmax(x, axis) → 0 along an axis of one element", OpArgMin, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(v.c) },
		"argmin(c, axis=1)", "fill(0, 2)"},
	{"argmin/argmax(x, axis) → 0 along an axis of one element", OpArgMax, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(v.c) },
		"argmax(c, axis=0)", ""},
	{"argmin/argmax(constant, axis) → constant", OpArgMin, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"argmin([[1, 2, 3], [4, 5, 6]], axis=0)", "[0, 0, 0]"},
	{"argmin/argmax(constant, axis) → constant", OpArgMax, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"argmax([[1, 2, 3], [4, 5, 6]], axis=1)", "[2, 2]"},
	{"argmin/argmax(constant, axis) → constant", OpArgMin, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{3, 1, 1})) },
		"argmin([3, 1, 1])", "1"},
	{"argmin/argmax(constant, axis) → constant", OpArgMax, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(v.u) },
		"argmax(u)", ""},
	{"x[a] → x[i] for a constant integer a in range", OpTake, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, g.Const(1)) },
		"A[1]", "A[1]"},
	{"x[a] → x[i] for a constant integer a in range", OpTake, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, g.Const(3)) },
		"u[3]", ""},
	{"x[a] → x[i] for a constant integer a in range", OpTake, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, g.Const(0.5)) },
		"u[0.5]", ""},
	{"x[a] → x[i] for a constant integer a in range", OpTake, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, v.x) },
		"u[x]", ""},
	{"sum(constant, axis) → constant", OpSumAxis, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"sum([[1, 2, 3], [4, 5, 6]], 0)", "[5, 7, 9]"},
	{"sum(constant, axis) → constant", OpSumAxis, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"sum([[1, 2, 3], [4, 5, 6]], 1)", "[6, 15]"},
	{"dot(x, y) → x*y for scalars", OpDot, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, v.y) }, "dot(x, y)", "x * y"},
	{"dot(0, y) → 0", OpDot, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.zeros(Vector(3)), v.u) }, "dot(fill(0, 3), u)", "0"},
	{"dot(x, 0) → 0", OpDot, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, g.zeros(Vector(3))) }, "dot(u, fill(0, 3))", "0"},
	{"dot(fill(c), y) → c*sum(y)", OpDot, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(g.Const(2), 3)), v.u) },
		"dot(fill(2, 3), u)", "2 * sum(u)"},
	{"dot(x, fill(c)) → c*sum(x)", OpDot, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, must(g.Fill(g.Const(2), 3))) },
		"dot(u, fill(2, 3))", "2 * sum(u)"},

	// Indexing.
	{"fill(s, n)[i] → s", OpIndex, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(v.x, 3))) }, "fill(x, 3)[1]", "x"},
	{"constant[i] → constant", OpIndex, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{4, 5, 6})) },
		"[4, 5, 6][1]", "5"},
	{"[x, y, …][i] → the element", OpIndex, [3]int{2}, func(g *Graph, v testVars) []Node { return nodes(must(g.Concat(v.x, v.u))) },
		"[x, u][2]", "u[1]"},
	{"[x, y, …][i] → the element", OpIndex, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(must(g.Concat(v.x, v.u))) },
		"[x, u][0]", "x"},
	{"x[start::step][i] → x[start+i*step]", OpIndex, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(g.slice(v.w, 1, 2, 3)) },
		"w[1::2][1]", "w[3]"},
	{"scatter(v, …)[i] → the element of v, or 0", OpIndex, [3]int{2}, func(g *Graph, v testVars) []Node { return nodes(g.scatter(v.u, 6, 0, 2)) },
		"scatter(u, 6, 0, 2)[2]", "u[1]"},
	{"scatter(v, …)[i] → the element of v, or 0", OpIndex, [3]int{3}, func(g *Graph, v testVars) []Node { return nodes(g.scatter(v.u, 6, 0, 2)) },
		"scatter(u, 6, 0, 2)[3]", "0"},
	{"(x + scatter(v, …))[i] → x[i] + the element of v", OpIndex, [3]int{2}, func(g *Graph, v testVars) []Node {
		return nodes(g.add2(v.w, g.scatter(v.u, 6, 0, 2)))
	}, "(w + scatter(u, 6, 0, 2))[2]", "w[2] + u[1]"},
	{"(x + scatter(v, …))[i] → x[i] + the element of v", OpIndex, [3]int{1}, func(g *Graph, v testVars) []Node {
		return nodes(g.add2(v.w, g.scatter(v.u, 6, 0, 2)))
	}, "(w + scatter(u, 6, 0, 2))[1]", "w[1]"},

	{"fill(s, n)[i] → s", OpIndex, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(g.fill(v.x, Matrix(2, 3))) },
		"fill(x, 2, 3)[1]", "fill(x, 3)"},
	{"constant[i] → constant", OpIndex, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"[[1, 2, 3], [4, 5, 6]][1]", "[4, 5, 6]"},
	{"[x, y, …][i] → the element", OpIndex, [3]int{2}, func(g *Graph, v testVars) []Node { return nodes(g.vstack(v.A, v.u)) },
		"vstack(A, u)[2]", "u"},
	{"[x, y, …][i] → the element", OpIndex, [3]int{1}, func(g *Graph, v testVars) []Node { return nodes(g.vstack(v.A, v.u)) },
		"vstack(A, u)[1]", "A[1]"},
	{"scatter(v, …)[i] → the element of v, or 0", OpIndex, [3]int{3}, func(g *Graph, v testVars) []Node { return nodes(g.scatter(v.A, 4, 1, 2)) },
		"scatter(A, 4, 1, 2)[3]", "A[1]"},
	{"scatter(v, …)[i] → the element of v, or 0", OpIndex, [3]int{0}, func(g *Graph, v testVars) []Node { return nodes(g.scatter(v.A, 4, 1, 2)) },
		"scatter(A, 4, 1, 2)[0]", "fill(0, 3)"},

	// Slicing.
	{"x[i:i+1] → [x[i]]", OpSlice, [3]int{1, 1, 1}, func(g *Graph, v testVars) []Node { return nodes(v.u) }, "u[1:-1]", "[u[1]]"},
	{"x[:] → x", OpSlice, [3]int{0, 1, 3}, func(g *Graph, v testVars) []Node { return nodes(v.u) }, "u[:]", "u"},
	{"fill(s, n)[a:b:c] → fill(s, m)", OpSlice, [3]int{0, 2, 3}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(v.x, 6))) },
		"fill(x, 6)[::2]", "fill(x, 3)"},
	{"constant[a:b:c] → constant", OpSlice, [3]int{1, 2, 3}, func(g *Graph, v testVars) []Node { return nodes(must(g.Range(6))) },
		"range(6)[1::2]", "[1, 3, 5]"},
	{"x[i:i+1] → [x[i]]", OpSlice, [3]int{1, 1, 1}, func(g *Graph, v testVars) []Node { return nodes(v.A) }, "A[1:]", ""},
	{"x[:] → x", OpSlice, [3]int{0, 1, 2}, func(g *Graph, v testVars) []Node { return nodes(v.A) }, "A[:]", "A"},
	{"fill(s, n)[a:b:c] → fill(s, m)", OpSlice, [3]int{1, 1, 2}, func(g *Graph, v testVars) []Node { return nodes(g.fill(v.x, Matrix(3, 2))) },
		"fill(x, 3, 2)[1:]", "fill(x, 2, 2)"},
	{"constant[a:b:c] → constant", OpSlice, [3]int{1, -1, 2}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"[[1, 2, 3], [4, 5, 6]][::-1]", "[[4, 5, 6], [1, 2, 3]]"},
	{"x[a::b][c::d] → x[a+c*b::b*d]", OpSlice, [3]int{0, 2, 3}, func(g *Graph, v testVars) []Node { return nodes(g.slice(v.w, 0, 1, 5)) },
		"w[:-1][::2]", "w[::2]"},
	{"x[a::b][c::d] → x[a+c*b::b*d]", OpSlice, [3]int{2, -1, 2}, func(g *Graph, v testVars) []Node { return nodes(g.slice(v.w, 1, 1, 5)) },
		"w[1:][2:0:-1]", "w[3:1:-1]"},

	// Vectors made of parts.
	{"[v] → v for a vector v", OpConcat, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u) }, "[u]", "u"},
	{"[v] → v for a vector v", OpConcat, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x) }, "[x]", ""},
	{"[x, [y, z]] → [x, y, z]", OpConcat, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x, must(g.Concat(v.y, v.u))) },
		"[x, [y, u]]", "[x, y, u]"},
	{"[x, [y, z]] → [x, y, z]", OpConcat, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(must(g.Concat(v.x, v.y)), must(g.Concat(v.y, v.x)))
	}, "[[x, y], [y, x]]", "[x, y, y, x]"},
	{"[constants] → constant", OpConcat, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.Const(1), must(g.Fill(g.Const(2), 2))) },
		"[1, fill(2, 2)]", "[1, 2, 2]"},
	// Shapes.
	{"reshape(x) → x for x of the shape", OpReshape, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(v.A) },
		"reshape(A, 2, 3)", "A"},
	{"reshape(reshape(x)) → reshape(x)", OpReshape, [3]int{3, 2}, func(g *Graph, v testVars) []Node { return nodes(g.reshape(v.A, Vector(6))) },
		"reshape(flatten(A), 3, 2)", "reshape(A, 3, 2)"},
	{"reshape(fill(s)) → fill(s)", OpReshape, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(v.x, 6))) },
		"reshape(fill(x, 6), 2, 3)", "fill(x, 2, 3)"},
	{"reshape(constant) → constant", OpReshape, [3]int{6}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"flatten([[1, 2, 3], [4, 5, 6]])", "[1, 2, 3, 4, 5, 6]"},
	{"broadcast(x) → x for x of the shape", OpBroadcast, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(v.A) },
		"broadcast(A, 2, 3)", "A"},
	{"broadcast(x) → fill(x) for x of one element", OpBroadcast, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(must(g.Concat(v.x))) },
		"broadcast([x], 2, 3)", "fill(x, 2, 3)"},
	{"broadcast(x) → fill(x) for x of one element", OpBroadcast, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(v.u) },
		"broadcast(u, 2, 3)", ""},
	{"broadcast(fill(s)) → fill(s)", OpBroadcast, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(v.x, 3))) },
		"broadcast(fill(x, 3), 2, 3)", "fill(x, 2, 3)"},
	{"broadcast(constant) → constant", OpBroadcast, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2, 3})) },
		"broadcast([1, 2, 3], 2, 3)", "[[1, 2, 3], [1, 2, 3]]"},
	{"broadcast(constant) → constant", OpBroadcast, [3]int{2, 3}, func(g *Graph, v testVars) []Node { return nodes(g.ConstMatrix(2, 1, []float64{1, 2})) },
		"broadcast([[1], [2]], 2, 3)", "[[1, 1, 1], [2, 2, 2]]"},

	{"transpose(v) → v for a vector or a scalar", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u) }, "transpose(u)", "u"},
	{"transpose(v) → v for a vector or a scalar", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A) }, "transpose(A)", ""},
	{"transpose(transpose(x)) → x", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.transpose(v.A)) },
		"transpose(transpose(A))", "A"},
	{"transpose(fill(s)) → fill(s)", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.fill(v.x, Matrix(2, 3))) },
		"transpose(fill(x, 2, 3))", "fill(x, 3, 2)"},
	{"transpose(constant) → constant", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(m23(g)) },
		"transpose([[1, 2, 3], [4, 5, 6]])", "[[1, 4], [2, 5], [3, 6]]"},
	{"transpose(broadcast(x)) → broadcast(transpose(x))", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(g.broadcastTo(v.u, Matrix(2, 3)))
	}, "transpose(broadcast(u, 2, 3))", "broadcast(reshape(u, 3, 1), 3, 2)"},
	{"transpose(broadcast(x)) → broadcast(transpose(x))", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(g.broadcastTo(v.c, Matrix(2, 3)))
	}, "transpose(broadcast(c, 2, 3))", "broadcast(reshape(c, 1, 2), 3, 2)"},
	{"transpose(a @ b) → transpose(b) @ transpose(a)", OpTranspose, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(g.matmul(v.A, v.S))
	}, "transpose(A @ S)", "transpose(S) @ transpose(A)"},

	// Products.
	{"transpose(a) @ b → a @ b with a transposed in place", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(g.transpose(v.A), v.c)
	}, "transpose(A) @ c", "transpose(A) @ c"},
	{"transpose(a) @ b → a @ b with a transposed in place", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, v.u) }, "A @ u", ""},
	{"u @ v → dot(u, v) for vectors", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u, v.v) }, "u @ v", "dot(u, v)"},
	{"0 @ y → 0", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.zeros(Matrix(2, 2)), v.A) }, "fill(0, 2, 2) @ A", "fill(0, 2, 3)"},
	{"0 @ y → 0", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, g.zeros(Vector(3))) }, "A @ fill(0, 3)", "fill(0, 2)"},
	{"fill(c) @ x → c * the sums of x", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.fill(g.Const(2), Matrix(3, 2)), v.A) },
		"fill(2, 3, 2) @ A", "broadcast(2 * sum(A, 0), 3, 3)"},
	{"fill(c) @ x → c * the sums of x", OpMatMul, [3]int{0, 1}, func(g *Graph, v testVars) []Node { return nodes(g.fill(g.Const(2), Vector(3)), v.A) },
		"fill(2, 3) @ transpose(A)", "2 * sum(A, 1)"},
	{"fill(c) @ x → c * the sums of x", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, g.fill(g.Const(2), Matrix(3, 4))) },
		"A @ fill(2, 3, 4)", "broadcast(reshape(2 * sum(A, 1), 2, 1), 2, 4)"},
	{"fill(c) @ x → c * the sums of x", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, g.fill(g.Const(2), Vector(3))) },
		"A @ fill(2, 3)", "2 * sum(A, 1)"},
	{"fill(c) @ x → c * the sums of x", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.fill(g.Const(2), Matrix(3, 6)), v.w) },
		"fill(2, 3, 6) @ w", "fill(2 * sum(w), 3)"},
	{"constant @ constant → constant", OpMatMul, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(m23(g), g.ConstVec([]float64{1, 1, 2}))
	}, "[[1, 2, 3], [4, 5, 6]] @ [1, 1, 2]", "[9, 21]"},
	{"constant @ constant → constant", OpMatMul, [3]int{0, 1}, func(g *Graph, v testVars) []Node { return nodes(m23(g), m23(g)) },
		"[[1, 2, 3], [4, 5, 6]] @ transpose([[1, 2, 3], [4, 5, 6]])", "[[14, 32], [32, 77]]"},

	// Linear algebra.
	{"trace(fill(s, n, n)) → n*s", OpTrace, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.fill(v.x, Matrix(3, 3))) },
		"trace(fill(x, 3, 3))", "3 * x"},
	{"trace(fill(s, n, n)) → n*s", OpTrace, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.S) }, "trace(S)", ""},
	{"solve(transpose(A), B) → solve with A transposed in place", OpSolve, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(g.transpose(v.S), v.u)
	}, "solve(transpose(S), u)", "solve(transpose(S), u)"},
	{"solve(transpose(A), B) → solve with A transposed in place", OpSolve, [3]int{1}, func(g *Graph, v testVars) []Node {
		return nodes(g.transpose(v.S), g.transpose(v.A))
	}, "solve(transpose(transpose(S)), transpose(A))", "solve(S, transpose(A))"},
	{"solve(transpose(A), B) → solve with A transposed in place", OpSolve, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.S, v.u) },
		"solve(S, u)", ""},

	{"vstack(A) → A for a matrix A", OpVStack, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A) }, "vstack(A)", "A"},
	{"vstack(A) → A for a matrix A", OpVStack, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.u) }, "vstack(u)", ""},
	{"vstack(vstack(a, b), c) → vstack(a, b, c)", OpVStack, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(g.vstack(v.A, v.u), v.v)
	}, "vstack(vstack(A, u), v)", "vstack(A, u, v)"},
	{"vstack(vstack(a, b), c) → vstack(a, b, c)", OpVStack, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(v.u, g.vstack(v.v, v.A), g.vstack(v.A, v.u))
	}, "vstack(u, vstack(v, A), vstack(A, u))", "vstack(u, v, A, A, u)"},
	{"vstack(vstack(a, b), c) → vstack(a, b, c)", OpVStack, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.A, v.u) },
		"vstack(A, u)", ""},
	{"vstack(constants) → constant", OpVStack, [3]int{}, func(g *Graph, v testVars) []Node {
		return nodes(g.ConstVec([]float64{1, 2, 3}), m23(g), g.fill(g.Const(7), Vector(3)))
	}, "vstack([1, 2, 3], [[1, 2, 3], [4, 5, 6]], fill(7, 3))", "[[1, 2, 3], [1, 2, 3], [4, 5, 6], [7, 7, 7]]"},
	{"diag(diag(v)) → v for a vector v", OpDiag, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.diag(v.u)) }, "diag(diag(u))", "u"},
	{"diag(diag(v)) → v for a vector v", OpDiag, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.diag(v.S)) }, "diag(diag(S))", ""},
	{"diag(fill(s, n, n)) → fill(s, n)", OpDiag, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.fill(v.x, Matrix(3, 3))) },
		"diag(fill(x, 3, 3))", "fill(x, 3)"},
	{"diag(constant) → constant", OpDiag, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2})) },
		"diag([1, 2])", "[[1, 0], [0, 2]]"},
	{"diag(constant) → constant", OpDiag, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.ConstMatrix(2, 2, []float64{1, 2, 3, 4})) },
		"diag([[1, 2], [3, 4]])", "[1, 4]"},
	{"tril(constant) → constant", OpTril, [3]int{3, 0}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2, 3, 4, 5, 6})) },
		"tril([1, 2, 3, 4, 5, 6], 3)", "[[1, 0, 0], [2, 3, 0], [4, 5, 6]]"},
	{"tril(constant) → constant", OpTril, [3]int{3, -1}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2, 3})) },
		"tril([1, 2, 3], 3, -1)", "[[0, 0, 0], [1, 0, 0], [2, 3, 0]]"},
	{"tril(constant) → constant", OpTril, [3]int{2, 1}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2, 3, 4})) },
		"tril([1, 2, 3, 4], 2, 1)", "[[1, 2], [3, 4]]"},
	{"trilvec(tril(v, n, k), k) → v", OpTrilVec, [3]int{-1, 3}, func(g *Graph, v testVars) []Node { return nodes(g.tril(v.u, 3, -1)) },
		"trilvec(tril(u, 3, -1), -1)", "u"},
	{"trilvec(tril(v, n, k), k) → v", OpTrilVec, [3]int{0, 3}, func(g *Graph, v testVars) []Node { return nodes(g.tril(v.u, 3, -1)) },
		"trilvec(tril(u, 3, -1))", ""},
	{"trilvec(fill(s)) → fill(s)", OpTrilVec, [3]int{0, 3}, func(g *Graph, v testVars) []Node { return nodes(g.fill(v.x, Matrix(3, 3))) },
		"trilvec(fill(x, 3, 3))", "fill(x, 6)"},
	{"trilvec(constant) → constant", OpTrilVec, [3]int{-1, 3}, func(g *Graph, v testVars) []Node {
		return nodes(g.ConstMatrix(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}))
	}, "trilvec([[1, 2, 3], [4, 5, 6], [7, 8, 9]], -1)", "[4, 7, 8]"},

	{"scatter(0, n, …) → fill(0, n)", OpScatter, [3]int{1, 1, 3}, func(g *Graph, v testVars) []Node { return nodes(g.Const(0)) },
		"scatter(0, 3, 1, 1)", "fill(0, 3)"},
	{"scatter(v, len(v), 0, 1) → v", OpScatter, [3]int{0, 1, 3}, func(g *Graph, v testVars) []Node { return nodes(v.u) },
		"scatter(u, 3, 0, 1)", "u"},
	{"scatter(v, len(v), 0, 1) → v", OpScatter, [3]int{0, 1, 2}, func(g *Graph, v testVars) []Node { return nodes(v.A) },
		"scatter(A, 2, 0, 1)", "A"},
	{"scatter(s, n, i, step) → scatter(s, n, i, 1)", OpScatter, [3]int{1, 2, 3}, func(g *Graph, v testVars) []Node { return nodes(g.reshape(v.u, Matrix(1, 3))) },
		"scatter(reshape(u, 1, 3), 3, 1, 2)", "scatter(reshape(u, 1, 3), 3, 1, 1)"},
	{"scatter(s, n, i, step) → scatter(s, n, i, 1)", OpScatter, [3]int{1, 2, 3}, func(g *Graph, v testVars) []Node { return nodes(v.x) },
		"scatter(x, 3, 1, 2)", "scatter(x, 3, 1, 1)"},
	{"r(s) → s for a scalar s", OpCumsum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(v.x) }, "cumsum(x)", "x"},
	{"cumsum(constant) → constant", OpCumsum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(g.ConstVec([]float64{1, 2, 3})) },
		"cumsum([1, 2, 3])", "[1, 3, 6]"},
	{"cumsum(constant) → constant", OpCumsum, [3]int{}, func(g *Graph, v testVars) []Node { return nodes(must(g.Fill(g.Const(2), 3))) },
		"cumsum(fill(2, 3))", "[2, 4, 6]"},
}

// TestRewrites applies each rewrite rule on its own to the cases above, and
// checks that building the node, with all the op's rules, gives the same.
// Every rule of the op table has a case.
func TestRewrites(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range rewriteCases {
		t.Run(c.rule, func(t *testing.T) {
			g := NewGraph()
			args := c.args(g, newTestVars(g))
			var r *rewrite
			for k := range ops[c.op].rewrites {
				if ops[c.op].rewrites[k].name == c.rule {
					r = &ops[c.op].rewrites[k]
				}
			}
			require.NotNil(t, r, "%s has no rule %q", c.op, c.rule)
			tested[c.rule] = true

			s, err := ops[c.op].shape(c.op, g.shapes(args), c.p)
			require.NoError(t, err)
			tm := term{op: c.op, p: c.p, shape: s}
			for _, a := range args {
				tm.args = append(tm.args, a.id-1)
			}
			raw := g.add(node{op: c.op, shape: s, p: c.p}, tm.args...)
			assert.Equal(t, c.in, g.Format(raw), "the operands")

			n, ok := r.apply(g, &tm)
			if c.out == "" {
				assert.False(t, ok, "the rule does not apply, but gave %s", g.Format(n))
				return
			}
			require.True(t, ok, "the rule applies")
			assert.Equal(t, c.out, g.Format(n), "the rule's result")
			built := must(g.build(c.op, c.p, args...))
			assert.Equal(t, c.out, g.Format(built), "building the node")
		})
	}
	for op := range numOps {
		for _, r := range ops[op].rewrites {
			assert.True(t, tested[r.name], "%s: rule %q has no case", op, r.name)
		}
	}
}

// TestTransposeInPlace checks what the printed form of the product's
// transpose rules cannot show: that no transpose node is left.
func TestTransposeInPlace(t *testing.T) {
	g := NewGraph()
	v := newTestVars(g)
	n := g.matmul(g.transpose(v.A), v.A)
	assert.Equal(t, OpMatMul, g.Op(n))
	assert.Equal(t, []Node{v.A, v.A}, g.Args(n))
	assert.Equal(t, [3]int{1, 0}, g.at(n).p)
	n = g.transpose(g.matmul(v.A, v.S))
	assert.Equal(t, OpMatMul, g.Op(n))
	assert.Equal(t, []Node{v.S, v.A}, g.Args(n))
	assert.Equal(t, [3]int{1, 1}, g.at(n).p)
}

// TestTransposeKernel transposes matrices of one block and of several,
// with blocks cut short at the edges, and rows and columns.
func TestTransposeKernel(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {1, 7}, {7, 1}, {3, 5}, {20, 20}, {33, 70}, {70, 33}} {
		m, n := sz[0], sz[1]
		a := make([]float64, m*n)
		for k := range a {
			a[k] = float64(k)
		}
		ws := &Workspace{v: [][]float64{make([]float64, m*n), a}}
		transposeK(ws, &instr{dst: 0, a: 1, p0: m})
		for i := range m {
			for j := range n {
				require.Equal(t, a[i*n+j], ws.v[0][j*m+i], "%d×%d: element %d, %d", m, n, i, j)
			}
		}
	}
}

// TestScatterAddRewrite checks what the printed form of the scatter rule
// cannot show: that the sum became one scatteradd node.
func TestScatterAddRewrite(t *testing.T) {
	g := NewGraph()
	v := newTestVars(g)
	n := g.add2(v.w, g.scatter(v.u, 6, 1, 2))
	assert.Equal(t, OpScatterAdd, g.Op(n))
	assert.Equal(t, []Node{v.w, v.u}, g.Args(n))
}

// Building a function of a long vector and its gradient costs what its
// nodes cost, whatever the vector's length: no rule may expand a uniform
// constant to the vector's length unless it then folds.
func TestBuildCostIndependentOfLength(t *testing.T) {
	const n = 1 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b := NewBuilder()
	x := b.Var("x", Vector(n))
	head, tail := b.Slice(x, None, -1, None), b.Slice(x, 1, None, None)
	d, e := b.Sub(tail, b.Mul(head, head)), b.Sub(b.Const(1), head)
	out := b.Sum(b.Add(b.Mul(b.Const(100), b.Mul(d, d)), b.Mul(e, e)))
	_, err := b.Graph().Grad(out, x)
	require.NoError(t, err)
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(n), "bytes allocated building a function of %d elements and its gradient", n)
}
