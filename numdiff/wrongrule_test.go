package numdiff

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/expr"
)

// testOp is an operation that exists only in this test: its value and its
// derivative rule, which the chain rule applies.
type testOp struct {
	name  string
	value func(u float64) float64
	deriv func(u float64) float64
}

// compose returns the Function u·op(v) for expressions u and v of x, y, z,
// with a gradient by the chain rule through op's rule, as an engine would
// compute it.
func compose(t *testing.T, op testOp, u, v string) withGrad {
	t.Helper()
	opts := &expr.Options{Vars: []string{"x", "y", "z"}}
	fu, err := expr.Compile(u, opts)
	require.NoError(t, err)
	fv, err := expr.Compile(v, opts)
	require.NoError(t, err)
	gu, gv := make([]float64, 3), make([]float64, 3)
	return withGrad{
		func(x []float64) (float64, error) {
			a, err := fu.Eval(x)
			if err != nil {
				return a, err
			}
			b, err := fv.Eval(x)
			return a * op.value(b), err
		},
		func(x, g []float64) (float64, error) {
			a, err := fu.Grad(x, gu)
			if err != nil {
				return a, err
			}
			b, err := fv.Grad(x, gv)
			for i := range g {
				g[i] = gu[i]*op.value(b) + a*op.deriv(b)*gv[i]
			}
			return a * op.value(b), err
		},
	}
}

// A wrong derivative rule is caught with a clear report; the right one
// passes on random expressions.
func TestInjectedOp(t *testing.T) {
	right := testOp{"gauss", func(u float64) float64 { return math.Exp(-u * u) }, func(u float64) float64 { return -2 * u * math.Exp(-u*u) }}
	wrong := right
	wrong.deriv = func(u float64) float64 { return -u * math.Exp(-u*u) } // lost the factor 2

	r := rand.New(rand.NewPCG(3, 4))
	n := 200
	if testing.Short() {
		n = 20
	}
	caught, visible, falseAlarms := 0, 0, 0
	for range n {
		u, v := randExpr(r, 3), randExpr(r, 3)
		x := []float64{3*r.Float64() - 1.5, 3*r.Float64() - 1.5, 3*r.Float64() - 1.5}
		rep, err := Check(compose(t, right, u, v), x, &Settings{Methods: []Method{Central, Richardson}, Seed: r.Uint64()})
		require.NoError(t, err)
		if !rep.OK {
			falseAlarms++
		}
		// The wrong rule shows only where it changes the gradient: not
		// where u is 0 or v does not depend on x.
		gr, gw := make([]float64, 3), make([]float64, 3)
		_, err = compose(t, right, u, v).Grad(x, gr)
		require.NoError(t, err)
		_, err = compose(t, wrong, u, v).Grad(x, gw)
		require.NoError(t, err)
		if floats.EqualApprox(gr, gw, 1e-6*floats.Norm(gr, math.Inf(1))) {
			continue
		}
		visible++
		rep, err = Check(compose(t, wrong, u, v), x, &Settings{Methods: []Method{Central, Richardson}, Seed: r.Uint64()})
		require.NoError(t, err)
		if !rep.OK {
			caught++
			for _, c := range rep.Components {
				if !c.OK {
					assert.Greater(t, c.AbsError, c.Tolerance)
					assert.Empty(t, c.Problem)
				}
			}
		}
	}
	t.Logf("wrong rule caught in %d of the %d random compositions where it changes the gradient (of %d); %d false alarms with the right rule",
		caught, visible, n, falseAlarms)
	assert.Zero(t, falseAlarms)
	assert.Equal(t, visible, caught)
	assert.Greater(t, visible, n/2)
}
