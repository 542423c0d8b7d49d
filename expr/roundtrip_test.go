package expr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// exprGen writes random well-shaped sources over the scalars x and y and
// the vector v of length 3.
type exprGen struct {
	r *rand.Rand
	b strings.Builder
}

var (
	genUnary  = []string{"sin", "cos", "tan", "atan", "sinh", "tanh", "exp", "log", "log1p", "expm1", "sqrt", "abs", "sigmoid", "softplus", "sign", "step", "asin", "acos", "cosh"}
	genBinary = []string{"pow", "atan2", "hypot", "min", "max"}
	genReduce = []string{"sum", "mean", "norm", "logsumexp", "max", "min"}
	genOps    = []string{" + ", " - ", " * ", " / ", "^", "**"}
)

func (g *exprGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *exprGen) w(parts ...string) {
	for _, p := range parts {
		g.b.WriteString(p)
	}
}

// scalar writes a scalar expression; depth bounds the nesting.
func (g *exprGen) scalar(depth int) {
	if depth <= 0 {
		switch g.r.IntN(6) {
		case 0:
			g.w(fmt.Sprint(g.r.IntN(5)))
		case 1:
			g.w(fmt.Sprint(float64(g.r.IntN(100)) / 8))
		case 2:
			g.w("x")
		case 3:
			g.w("y")
		case 4:
			g.w("pi")
		default:
			g.w(fmt.Sprintf("v[%d]", g.r.IntN(6)-3))
		}
		return
	}
	switch g.r.IntN(9) {
	case 0:
		g.w("-")
		g.scalar(depth - 1)
	case 1, 2:
		g.w("(")
		g.scalar(depth - 1)
		g.w(g.pick(genOps))
		g.scalar(depth - 1)
		g.w(")")
	case 3:
		g.w(g.pick(genUnary), "(")
		g.scalar(depth - 1)
		g.w(")")
	case 4:
		g.w(g.pick(genBinary), "(")
		g.scalar(depth - 1)
		g.w(", ")
		g.scalar(depth - 1)
		g.w(")")
	case 5:
		g.w(g.pick(genReduce), "(")
		g.vector(depth - 1)
		g.w(")")
	case 6:
		g.w("dot(")
		g.vector(depth - 1)
		g.w(", ")
		g.vector(depth - 1)
		g.w(")")
	case 7:
		g.w("(")
		g.vector(depth - 1)
		g.w(fmt.Sprintf(")[%d]", g.r.IntN(3)))
	default:
		g.scalar(0)
	}
}

// vector writes an expression whose value is a vector of length 3.
func (g *exprGen) vector(depth int) {
	if depth <= 0 {
		switch g.r.IntN(4) {
		case 0:
			g.w("range(3)")
		case 1:
			g.w("v[::-1]")
		default:
			g.w("v")
		}
		return
	}
	switch g.r.IntN(8) {
	case 0:
		g.w("-")
		g.vector(depth - 1)
	case 1:
		g.w("(")
		g.vector(depth - 1)
		g.w(g.pick(genOps))
		g.vector(depth - 1)
		g.w(")")
	case 2:
		g.w("(")
		g.scalar(depth - 1)
		g.w(g.pick(genOps))
		g.vector(depth - 1)
		g.w(")")
	case 3:
		g.w(g.pick(genUnary), "(")
		g.vector(depth - 1)
		g.w(")")
	case 4:
		g.w("[")
		g.scalar(depth - 1)
		g.w(", ")
		g.scalar(depth - 1)
		g.w(", ")
		g.scalar(depth - 1)
		g.w("]")
	case 5:
		g.w("[")
		g.scalar(depth - 1)
		g.w(", (")
		g.vector(depth - 1)
		g.w(")[1:]]")
	case 6:
		g.w(g.pick(genBinary), "(")
		g.vector(depth - 1)
		g.w(", ")
		g.scalar(depth - 1)
		g.w(")")
	default:
		g.vector(0)
	}
}

// sameFloat reports whether a and b are the same value, NaN equal to NaN.
func sameFloat(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

// requireParsesBack prints each of nodes of g, a graph compiled from src,
// and parses the printed form back into g, which must give the same node.
func requireParsesBack(t *testing.T, g *ad.Graph, src string, nodes ...ad.Node) {
	t.Helper()
	for _, n := range nodes {
		printed := g.Format(n)
		back, err := Parse(g, printed)
		require.NoError(t, err, "%s\nprinted as\n%s", src, printed)
		require.Equal(t, n, back, "%s\nprinted as\n%s\nparses back as\n%s", src, printed, g.Format(back))
	}
}

// assertPrintedEvaluates compiles the printed form of f, compiled from src
// with opts, afresh and checks that it has f's values at random points of
// the variables x, y and v.
func assertPrintedEvaluates(t *testing.T, f *Func, src string, opts *Options, r *rand.Rand) {
	t.Helper()
	printed := f.Graph().Format(f.Output())
	f2, err := Compile(printed, opts)
	require.NoError(t, err, "%s\nprinted as\n%s", src, printed)
	for range 3 {
		x := []float64{r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}
		want, _ := f.Eval(x)
		got, _ := f2.Eval(x)
		assert.True(t, sameFloat(want, got), "%s = %v\nprinted as\n%s = %v", src, want, printed, got)
	}
}

// TestRoundTrip prints random expressions (and their gradients) and parses
// the printed form back: into the same graph it must give the same node,
// and compiled afresh it must give the same values.
func TestRoundTrip(t *testing.T) {
	opts := &Options{Vars: []string{"x", "y", "v"}, Sizes: map[string]int{"v": 3}}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		gen := &exprGen{r: r}
		gen.scalar(1 + i%5)
		src := gen.b.String()
		f, err := Compile(src, opts)
		require.NoError(t, err, src)
		g := f.Graph()
		nodes := append(f.Graph().Vars(), f.Output())
		grads, err := g.Grad(f.Output(), f.Graph().Vars()...)
		require.NoError(t, err, src)
		nodes = append(nodes, grads...)
		requireParsesBack(t, g, src, nodes...)
		assertPrintedEvaluates(t, f, src, opts, r)
	}
}

// TestRoundTripLanguage checks the round trip for graphs built with
// functions, loops and derivatives in the language: they print as plain
// expressions, which parse back to the same nodes.
func TestRoundTripLanguage(t *testing.T) {
	opts := &Options{Vars: []string{"x", "y", "v"}, Sizes: map[string]int{"v": 3}}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		gen := &exprGen{r: r}
		gen.scalar(1 + i%3)
		body := gen.b.String()
		gen.b.Reset()
		gen.scalar(1 + i%2)
		src := "f(x, y) = " + body + "\n" +
			"g(u) = grad(f(u, y), u)\n" +
			"p = x\n" +
			"for i in range(2) { p = p - 0.01*g(p) * i }\n" +
			gen.b.String() + " + f(p, x) + hvp(f(x, y), y, 1) + jvp(f(y, x), x, y)"
		f, err := Compile(src, opts)
		require.NoError(t, err, src)
		g := f.Graph()
		grads, err := g.Grad(f.Output(), g.Vars()...)
		require.NoError(t, err, src)
		requireParsesBack(t, g, src, append(grads, f.Output())...)
		assertPrintedEvaluates(t, f, src, opts, r)
	}
}
