package numdiff

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// interval is where an argument is sampled: [lo, hi], or ±[lo, hi] when
// symmetric (to keep away from a kink or a branch cut at 0).
type interval struct {
	lo, hi    float64
	symmetric bool
}

func (iv interval) sample(r *rand.Rand) float64 {
	v := iv.lo + (iv.hi-iv.lo)*r.Float64()
	if iv.symmetric && r.IntN(2) == 0 {
		v = -v
	}
	return v
}

// opCase is the domain of an op and the expressions that exercise it in
// scalar, vector and matrix form. x is sampled from dom[0], y from dom[1].
// In matrix form, x and y are m×n matrices, written {m} and {n} in the
// expression, which is checked on one row, one column, one element and a
// larger matrix. (Maxima and minima along an axis are taken of values
// offset so that no two come near a tie, where numeric derivatives would
// step across the kink.)
type opCase struct {
	dom                    [2]interval
	scalar, vector, matrix string
}

var (
	wide  = interval{lo: -2, hi: 2}
	pos   = interval{lo: 0.1, hi: 3}
	apart = interval{lo: 0.2, hi: 2, symmetric: true}
)

func unary(d interval, name string) opCase {
	return opCase{dom: [2]interval{d, wide},
		scalar: fmt.Sprintf("%s(x) * y", name),
		vector: fmt.Sprintf("sum([1, -2, 3] * %s(x)) + dot(%s(x), y)", name, name)}
}

func binary(dx, dy interval, call string) opCase {
	return opCase{dom: [2]interval{dx, dy},
		scalar: fmt.Sprintf(call, "x", "y") + " * x",
		vector: fmt.Sprintf("sum([1, -2, 3] * %s) + sum(%s)", fmt.Sprintf(call, "x", "y"), fmt.Sprintf(call, "x", "y[0]"))}
}

// opCases covers every operation of the language. A function added to the
// language without an entry here fails TestOpCoverage.
var opCases = map[string]opCase{
	"neg":   {dom: [2]interval{wide, wide}, scalar: "-x * y", vector: "sum(-x * y) + sum(-(x^2))"},
	"+":     binary(wide, wide, "(%s + %s)"),
	"-":     binary(wide, wide, "(%s - %s)"),
	"*":     binary(wide, wide, "(%s * %s)"),
	"/":     binary(wide, apart, "(%s / %s)"),
	"^":     binary(interval{lo: 0.2, hi: 3}, wide, "(%s ^ %s)"),
	"pow":   binary(interval{lo: 0.2, hi: 3}, wide, "pow(%s, %s)"),
	"atan2": binary(apart, apart, "atan2(%s, %s)"),
	"hypot": binary(apart, apart, "hypot(%s, %s)"),
	"min": {dom: [2]interval{{lo: 0.1, hi: 1}, {lo: 1.2, hi: 2}}, scalar: "min(x, y) * max(y, x) * x", vector: "sum(min(x, y) * max(y, x)) + min(x)^2 + min(y)*max(x)",
		matrix: "sum(min(x, y) * max(y, x)) + dot(min(x + 3 * reshape(range({m} * {n}), {m}, {n}), axis=0), sum(y, 0)) + dot(min(y - 3 * reshape(range({m} * {n}), {m}, {n}), axis=1), sum(x * x, 1))"},
	"max": {dom: [2]interval{{lo: 1.2, hi: 2}, {lo: 0.1, hi: 1}}, scalar: "max(x, y) * min(y, x) * y", vector: "sum(max(x, y) * x) + max(x)^2 * max(y)",
		matrix: "sum(max(x, y) * x) + dot(max(x - 3 * reshape(range({m} * {n}), {m}, {n}), axis=0), sum(y, 0)) + dot(max(y + 3 * reshape(range({m} * {n}), {m}, {n}), axis=1), sum(x * x, 1))"},
	// Indices are piecewise constant: their derivative is zero, and the
	// elements they pick or add to carry it. Offsets keep the compared
	// values apart, so that no step of the numeric derivatives changes an
	// index; R is a matrix of them.
	"argmin": {dom: [2]interval{wide, wide}, scalar: "[x, y, x*y][argmin([x, y + 5, 3 + x*y])] * y + x",
		vector: "sum(x[argmin(y - 9*range(3))] * y) + sum(y[[argmin(x + 9*range(3)), argmin(x - 9*range(3))]]^2)",
		matrix: "R = 9 * reshape(range({m} * {n}), {m}, {n}); sum(x[argmin(y + R, axis=0)]^2 * y[argmin(x - R, axis=0)]) + dot(sum(x * y, 1), argmin(x + R, axis=1) + 1)"},
	"argmax": {dom: [2]interval{wide, wide}, scalar: "[x, y, x*y][argmax([x, y + 5, 3 + x*y])] * x",
		vector: "sum(x[argmax(y - 9*range(3))] * y) + sum(y[[argmax(x + 9*range(3)), argmax(x - 9*range(3))]]^2)",
		matrix: "R = 9 * reshape(range({m} * {n}), {m}, {n}); sum(x[argmax(y + R, axis=0)]^2 * y[argmax(x - R, axis=0)]) + dot(sum(x * y, 1), argmax(x + R, axis=1) + 1)"},
	"addat": {dom: [2]interval{wide, wide}, scalar: "dot(addat([x, y, 1], 1, x*y), [y, x, 2])",
		vector: "dot(addat(x, [2, 0, 2], y^2), y) + sum(addat(y, argmax(x + 9*range(3)), x[0]) * x)",
		matrix: "R = 9 * reshape(range({m} * {n}), {m}, {n}); sum(addat(x, argmin(y - R, axis=0), y[argmin(x + R, axis=0)] * 2) * y) + sum(addat(y, 0, x[0]) * x)"},
	"sin":      unary(wide, "sin"),
	"cos":      unary(wide, "cos"),
	"tan":      unary(interval{lo: -1.2, hi: 1.2}, "tan"),
	"asin":     unary(interval{lo: -0.9, hi: 0.9}, "asin"),
	"acos":     unary(interval{lo: -0.9, hi: 0.9}, "acos"),
	"atan":     unary(wide, "atan"),
	"sinh":     unary(wide, "sinh"),
	"cosh":     unary(wide, "cosh"),
	"tanh":     unary(wide, "tanh"),
	"exp":      unary(wide, "exp"),
	"log":      unary(pos, "log"),
	"log1p":    unary(interval{lo: -0.9, hi: 3}, "log1p"),
	"expm1":    unary(wide, "expm1"),
	"sqrt":     unary(pos, "sqrt"),
	"abs":      unary(apart, "abs"),
	"sigmoid":  unary(interval{lo: -6, hi: 6}, "sigmoid"),
	"softplus": unary(interval{lo: -6, hi: 6}, "softplus"),
	"sign":     unary(apart, "sign"),
	"step":     unary(apart, "step"),
	"sum": {dom: [2]interval{wide, wide}, scalar: "sum([x, y, x*y])^2", vector: "sum(x * y)^2 + sum(x)",
		matrix: "sum(x * y)^2 + sum(x) + dot(sum(sin(x), 0), sum(y, 0)) + dot(sum(x * y, 1), sum(x, 1))"},
	"broadcast": {dom: [2]interval{wide, wide},
		scalar: "sum(broadcast([x, y], 3, 2) * broadcast(reshape([y, x*y, 1], 3, 1), 3, 2))",
		vector: "sum(broadcast(x, 2, 3) * broadcast(reshape(y, 1, 3), 2, 3)^2)",
		matrix: "sum(broadcast(sum(x, 0), {m}, {n}) * y) + sum(sin(broadcast(reshape(sum(y, 1), {m}, 1), {m}, {n})) * x)"},
	"@": {dom: [2]interval{wide, wide},
		scalar: "[x, y] @ [[1, x], [y, 2]] @ [x*y, 1]",
		vector: "sum(sin(outer(x, y) @ x)) + (x @ y)^2",
		matrix: "sum(sin(x @ transpose(y))) + sum(exp(transpose(x) @ y)) + sum(x @ sum(y, 0)) + sum(sum(x, 1) @ y)"},
	"transpose": {dom: [2]interval{wide, wide},
		scalar: "sum(transpose(outer([x, y], [1, x*y])) * outer([y, 1], [x, 2]))",
		vector: "sum(transpose(outer(x, y)) * outer(y, x)^2) + sum(transpose(x) * y)",
		matrix: "sum(transpose(x) @ (y * x)) + sum(exp(transpose(x)) * transpose(y))"},
	"outer": {dom: [2]interval{wide, wide},
		scalar: "sum(outer([x, y], [y, 1, x]) * outer([1, 2], [x, y, x*y]))",
		vector: "sum(exp(outer(x, y)) * outer(y, x))",
		matrix: "sum(outer(sum(x, 1), sum(y, 0)) * y * x)"},
	"vstack": {dom: [2]interval{wide, wide},
		scalar: "sum(vstack([x, y], [y, 1], [x*y, x]) * vstack([1, x], [y, 2], [x, x]))",
		vector: "sum(vstack(x, y, x * y)^2 * vstack(y, sin(x), x))",
		matrix: "sum(vstack(x, sum(y, 0), y) * vstack(y, sum(x, 0), exp(x)))"},
	"hstack": {dom: [2]interval{wide, wide},
		scalar: "dot(hstack([x, y], [x*y]), [y, 1, x])",
		vector: "dot(hstack(x, y), hstack(y, sin(x)))",
		matrix: "sum(hstack(x, y, reshape(sum(x, 1), {m}, 1)) * hstack(sin(y), x, reshape(sum(y, 1), {m}, 1)))"},
	"diag": {dom: [2]interval{wide, wide},
		scalar: "sum(diag([x, y]) * outer([y, x], [1, x*y])) + dot(diag(outer([x, y], [y, 1])), [x, 2])",
		vector: "sum(diag(x * y) * outer(x, y)) + dot(diag(outer(x, y)), sin(x))",
		matrix: "sum(diag(sum(x, 1)) * (x @ transpose(y))) + dot(diag(x @ transpose(y)), sum(exp(x), 1))"},
	"tril": {dom: [2]interval{wide, wide},
		scalar: "sum(tril([x, y, x*y], 2) * outer([1, y], [x, 2])) + sum(tril([x*y], 2, -1) * outer([y, x], [x, 1]))",
		vector: "sum(tril(hstack(x, y), 3) * outer(x, y)) + sum(exp(tril(x * y, 3, -1)))",
		matrix: "sum(tril(trilvec(x @ transpose(y)), {m}) * (y @ transpose(x)))"},
	"trilvec": {dom: [2]interval{wide, wide},
		scalar: "dot(trilvec(outer([x, y], [y, 1])), [x, 1, y]) + dot(trilvec(outer([x, y], [1, x]), -1), [y])",
		vector: "dot(trilvec(outer(x, y)), hstack(x, y)) + dot(trilvec(outer(x, exp(y)), -1), x)",
		matrix: "sum(exp(trilvec(x @ transpose(y)))) + sum(trilvec(x @ transpose(x), {m} - 1))"},
	// Square matrices far from singular: the diagonal outweighs the rest of
	// its row, or the matrix is x xᵀ + I. cholesky factors the symmetric
	// part of a matrix that is not symmetric.
	"trace": {dom: [2]interval{wide, wide},
		scalar: "trace([[x, y], [x*y, y*y]]) * x",
		vector: "trace(outer(x, y)) * sum(y) + trace(diag(exp(x)))",
		matrix: "trace(x @ transpose(y)) * trace(sin(x) @ transpose(x))"},
	"det": {dom: [2]interval{wide, wide},
		scalar: "det([[x + 5, y], [1, y - 5]]) * x",
		vector: "det(sin(outer(x, y)) + diag(fill(4, 3)))",
		matrix: "det(sin(x @ transpose(y)) + diag(fill({m} + 1, {m})))"},
	"logdet": {dom: [2]interval{wide, wide},
		scalar: "logdet([[x + 5, y], [1, y - 5]]) * y",
		vector: "logdet(sin(outer(x, y)) + diag(fill(4, 3))) + logdet(outer(x, x) + diag(fill(1, 3)))",
		matrix: "logdet(sin(x @ transpose(y)) + diag(fill({m} + 1, {m}))) + logdet(x @ transpose(x) + diag(fill(1, {m})))"},
	"inv": {dom: [2]interval{wide, wide},
		scalar: "sum(inv([[x + 5, y], [1, y - 5]]) * [[1, x], [y, 2]])",
		vector: "dot(inv(sin(outer(x, y)) + diag(fill(4, 3))) @ x, y)",
		matrix: "sum(inv(sin(x @ transpose(y)) + diag(fill({m} + 1, {m}))) @ y * x)"},
	"solve": {dom: [2]interval{wide, wide},
		scalar: "dot(solve([[x + 5, y], [1, y - 5]], [x, x*y]), [1, y])",
		vector: "dot(solve(sin(outer(x, y)) + diag(fill(4, 3)), x), y) + sum(solve(transpose(sin(outer(x, y)) + diag(fill(4, 3))), outer(y, x)))",
		matrix: "sum(solve(sin(x @ transpose(y)) + diag(fill({m} + 1, {m})), y) * x) + dot(solve(x @ transpose(x) + diag(fill(1, {m})), sum(y, 1)), sum(x, 1))"},
	"cholesky": {dom: [2]interval{wide, wide},
		scalar: "sum(cholesky([[x*x + 1, x*y], [x*y, y*y + 2]]) * [[1, 2], [x, y]])",
		vector: "sum(cholesky(outer(x, x) + sin(outer(x, y)) + diag(fill(4, 3))) * outer(y, x))",
		matrix: "sum(cholesky(x @ transpose(x) + sin(x @ transpose(y)) + diag(fill({m} + 1, {m}))) * sin(y @ transpose(x)))"},
	"reshape": {dom: [2]interval{wide, wide},
		scalar: "sum(reshape([x, y, x*y, x], 2, 2) * reshape([1, y, 2, 3], 2, 2))",
		vector: "sum(reshape(x * y, 3, 1) * reshape(x, 1, 3))",
		matrix: "sum(reshape(x, {n}, {m}) * reshape(y * x, {n}, {m})) + sum(exp(reshape(x, 1, {m} * {n})))"},
	"mean": {dom: [2]interval{wide, wide}, scalar: "mean([x, y, x*y])^2", vector: "mean(x * y)^2 + mean(x)",
		matrix: "mean(x * y)^2 + dot(mean(x, 0), mean(y, axis=0)) + dot(mean(x * y, 1), mean(x, 1))"},
	"dot":  {dom: [2]interval{wide, wide}, scalar: "dot([x, y], [y, x*x])", vector: "dot(x, y)^2 + dot(x, x)"},
	"norm": {dom: [2]interval{apart, wide}, scalar: "norm([x, y, 1]) * x", vector: "norm(x) * sum(y)"},
	"logsumexp": {dom: [2]interval{wide, wide}, scalar: "logsumexp([x, y, x*y])", vector: "logsumexp(x * y) + logsumexp(x)",
		matrix: "logsumexp(x * y) + dot(logsumexp(x, 0), logsumexp(y, axis=0)) + dot(logsumexp(3 * x * y, 1), sum(x, 1))"},
	"fill": {dom: [2]interval{wide, wide}, scalar: "dot(fill(x, 3), [y, y^2, 1])", vector: "dot(fill(sum(x), 3), y * x)",
		matrix: "sum(fill(sum(x), {m}, {n}) * y) + sum(fill(sum(y * y), {m}, {n}) * x)"},
	"flatten": {dom: [2]interval{wide, wide},
		scalar: "dot(flatten(reshape([x, y, x*y, 1], 2, 2)), [1, x, y, 2])",
		vector: "dot(flatten(reshape(x * y, 1, 3)), x)",
		matrix: "dot(flatten(x * y), flatten(exp(x)))"},
	"cumsum": {dom: [2]interval{wide, wide}, scalar: "dot(cumsum([x, y, x*y]), [1, y, x^2])", vector: "dot(cumsum(x * y)^2, y) + sum(cumsum(x))"},
	"len": {dom: [2]interval{wide, wide}, scalar: "x * y * len([x, y, 1])", vector: "len(x) * sum(x * y)",
		matrix: "len(x) * sum(x * y) + len(x, 1) * sum(x) + len(y, axis=0) * sum(y)"},
	"range":   {dom: [2]interval{wide, wide}, scalar: "dot(range(3), [x, y, x*y])", vector: "dot(range(3), x * y) + sum(range(3) * x)"},
	"scatter": {dom: [2]interval{wide, wide}, scalar: "dot(scatter(x, 5, 1, 2), scatter(y^2, 5, 1, 3))", vector: "dot(scatter(x, 7, 1, 2), scatter(y, 7, 1, 2) + 1) * sum(x)"},
}

func TestOpCoverage(t *testing.T) {
	names := append(ad.FuncNames(), "+", "-", "*", "/", "^", "@", "neg")
	for _, name := range names {
		c, ok := opCases[name]
		if !assert.True(t, ok, "function %q has no entry in opCases: give it a domain and expressions", name) {
			continue
		}
		if name != "neg" {
			assert.Contains(t, c.scalar+c.vector, name, "the expressions of %q do not use it", name)
		}
	}
	for name := range opCases {
		assert.Contains(t, names, name, "opCases has an entry for %q, which is not in the language", name)
	}

	r := rand.New(rand.NewPCG(1, 2))
	points := 3
	if testing.Short() {
		points = 1
	}
	type form struct {
		src    string
		shapes map[string]ad.Shape
	}
	for _, name := range slices.Sorted(maps.Keys(opCases)) {
		c := opCases[name]
		forms := []form{{c.scalar, nil}, {c.vector, map[string]ad.Shape{"x": ad.Vector(3), "y": ad.Vector(3)}}}
		if c.matrix != "" {
			for _, mn := range [][2]int{{1, 1}, {1, 3}, {3, 1}, {2 + r.IntN(3), 2 + r.IntN(3)}} {
				s := ad.Matrix(mn[0], mn[1])
				src := strings.NewReplacer("{m}", fmt.Sprint(mn[0]), "{n}", fmt.Sprint(mn[1])).Replace(c.matrix)
				forms = append(forms, form{src, map[string]ad.Shape{"x": s, "y": s}})
			}
		}
		for _, form := range forms {
			src := form.src
			f, err := expr.Compile(src, &expr.Options{Vars: []string{"x", "y"}, Shapes: form.shapes})
			require.NoError(t, err, "%s: %s", name, src)
			for range points {
				x := make([]float64, f.Dim())
				for i := range x {
					x[i] = c.dom[i*2/len(x)].sample(r)
				}
				rep, err := Check(f, x, &Settings{Methods: []Method{Central, Richardson, ComplexStep}, Order: 2, Seed: r.Uint64()})
				require.NoError(t, err)
				for _, comp := range rep.Components {
					for _, e := range comp.Numeric {
						assert.True(t, e.OK || e.Unsupported, "%s: %s with %v at %v: %s %s %s: ad=%v num=%v %s %s", name, src, form.shapes, x, comp.Kind, comp.Name, e.Method, comp.AD, e.Value, e.Problem, e.Why)
					}
				}
			}
		}
	}
}
