package numdiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/expr"
)

// randExpr returns a random smooth expression of x, y and z of the given
// depth, defined everywhere: logarithms, roots, quotients and powers get
// positive arguments.
func randExpr(r *rand.Rand, depth int) string {
	if depth == 0 || r.IntN(5) == 0 {
		if r.IntN(4) == 0 {
			return fmt.Sprintf("%.3g", 0.5+1.5*r.Float64())
		}
		return []string{"x", "y", "z"}[r.IntN(3)]
	}
	a := randExpr(r, depth-1)
	switch k := r.IntN(16); k {
	case 0, 1, 2, 3, 4, 5:
		b := randExpr(r, depth-1)
		return fmt.Sprintf("(%s %s %s)", a, []string{"+", "-", "*", "*", "+", "-"}[k], b)
	case 6:
		return fmt.Sprintf("(%s / (1 + %s^2))", a, randExpr(r, depth-1))
	case 7:
		return fmt.Sprintf("(1 + %s^2)^%s", a, []string{"0.5", "-1", "1.5", "3"}[r.IntN(4)])
	case 8:
		return fmt.Sprintf("log(1 + %s^2)", a)
	case 9:
		return fmt.Sprintf("sqrt(1 + %s^2)", a)
	case 10:
		return fmt.Sprintf("hypot(%s, %s)", a, "1")
	case 11:
		return fmt.Sprintf("exp(tanh(%s))", a)
	default:
		return fmt.Sprintf("%s(%s)", []string{"sin", "cos", "sigmoid", "softplus", "tanh"}[k-12:][0], a)
	}
}

// The check raises no false alarm on random expressions, for any method.
func TestRandomNoFalseAlarm(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	r := rand.New(rand.NewPCG(7, 11))
	methods := []Method{Forward, Backward, Central, Richardson, ComplexStep}
	falseAlarms := 0
	var ratios []float64
	for i := range n {
		src := randExpr(r, 5)
		f, err := expr.Compile(src, &expr.Options{Vars: []string{"x", "y", "z"}})
		require.NoError(t, err, src)
		x := []float64{3*r.Float64() - 1.5, 3*r.Float64() - 1.5, 3*r.Float64() - 1.5}
		order := 1 + i%2
		rep, err := Check(f, x, &Settings{Methods: methods, Order: order, Seed: uint64(i)})
		require.NoError(t, err)
		if !rep.OK {
			falseAlarms++
			for _, c := range rep.Components {
				for _, e := range c.Numeric {
					if !e.OK {
						t.Logf("%s at %v: %s %s: ad=%v num=%v %s %s", src, x, c.Kind, c.Name, c.AD, e.Value, e.Problem, e.Why)
					}
				}
			}
		}
		for _, c := range rep.Components {
			for _, e := range c.Numeric {
				if e.Tolerance > 0 {
					ratios = append(ratios, e.AbsError/e.Tolerance)
				}
			}
		}
	}
	slices.Sort(ratios)
	q := func(p float64) float64 { return ratios[int(p*float64(len(ratios)-1))] }
	t.Logf("%d random expressions, %d false alarms; error/tolerance quantiles 50%% %.2g, 99%% %.2g, 99.9%% %.2g, max %.2g",
		n, falseAlarms, q(0.5), q(0.99), q(0.999), q(1))
	assert.Zero(t, falseAlarms)
	assert.Less(t, q(1), 1.0)
	_ = math.Abs
}
