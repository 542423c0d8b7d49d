package rk4_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/optimize"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/examples/internal/exampletest"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/optim"
)

// The observation times of obs.csv, t = 0.2, 0.4, …, 2.
func times(n int) []float64 {
	ts := make([]float64, n)
	for j := range ts {
		ts[j] = 0.2 * float64(j+1)
	}
	return ts
}

// exact returns the solution of y′ = r·y·(1 − y), y(0) = y0 at t,
// y = y0·eʳᵗ / (1 − y0 + y0·eʳᵗ), and its derivatives with respect to r
// and y0: ∂y/∂r = t·y·(1 − y) and ∂y/∂y0 = eʳᵗ / (1 − y0 + y0·eʳᵗ)².
func exact(r, y0, t float64) (y, dr, dy0 float64) {
	e := math.Exp(r * t)
	d := 1 - y0 + y0*e
	y = y0 * e / d
	return y, t * y * (1 - y), e / (d * d)
}

// misfit returns the exact solution's squared misfit to obs and its
// gradient with respect to (r, y0).
func misfit(r, y0 float64, obs []float64) (v, dr, dy0 float64) {
	for j, t := range times(len(obs)) {
		y, yr, yy0 := exact(r, y0, t)
		v += (y - obs[j]) * (y - obs[j])
		dr += 2 * (y - obs[j]) * yr
		dy0 += 2 * (y - obs[j]) * yy0
	}
	return v, dr, dy0
}

// TestGrowth checks the Runge–Kutta solution of growth.nabla against the
// exact solution of the logistic equation, its derivatives with respect to
// the growth rate r and the start y0 against the exact derivatives, and its
// fit to obs.csv against the least-squares fit of the exact solution.
func TestGrowth(t *testing.T) {
	obs, err := exampletest.Read(t, "obs.csv").Columns(1, 2)
	require.NoError(t, err)
	model := func(obs []float64) *expr.Func {
		return exampletest.Compile(t, "growth.nabla", &expr.Options{
			Vars:   []string{"r", "y0"},
			Consts: map[string]expr.Const{"obs": {Shape: ad.Vector(len(obs)), Values: obs}},
		})
	}
	f := model(obs.Values)

	t.Run("solution", func(t *testing.T) {
		// Observations that are the exact solution at r = 3, y0 = 0.1
		// leave only the error of Runge–Kutta, of order h⁴: about 1e-8 at
		// each time.
		want := make([]float64, len(obs.Values))
		for j, tj := range times(len(want)) {
			want[j], _, _ = exact(3, 0.1, tj)
		}
		v, err := model(want).Eval([]float64{3, 0.1})
		require.NoError(t, err)
		assert.Less(t, math.Sqrt(v), 1e-7)
	})

	t.Run("gradient", func(t *testing.T) {
		// Runge–Kutta's relative error, of order (rh)⁴, is up to 1e-5 for
		// the derivatives at r = 4.
		for _, at := range [][2]float64{{2, 0.3}, {4, 0.05}, {1, 0.5}} {
			v, dr, dy0 := misfit(at[0], at[1], obs.Values)
			grad := make([]float64, 2)
			got, err := f.Grad(at[:], grad)
			require.NoError(t, err)
			assert.InEpsilon(t, v, got, 2e-5, "misfit at %v", at)
			assert.InEpsilonSlice(t, []float64{dr, dy0}, grad, 2e-5, "gradient at %v", at)
		}
	})

	t.Run("fit", func(t *testing.T) {
		start := []float64{1, 0.5}
		res, err := optim.Minimize(context.Background(), f, start, optim.LBFGS{}, &optim.Settings{GradTol: 1e-8, MaxIter: 10000})
		require.NoError(t, err)
		assert.Equal(t, optim.GradientTolerance, res.Status, res.Message)

		// The same fit of the exact solution, by gonum's BFGS.
		exactFit, err := optimize.Minimize(optimize.Problem{
			Func: func(x []float64) float64 {
				v, _, _ := misfit(x[0], x[1], obs.Values)
				return v
			},
			Grad: func(grad, x []float64) {
				_, grad[0], grad[1] = misfit(x[0], x[1], obs.Values)
			},
		}, start, &optimize.Settings{GradientThreshold: 1e-12}, &optimize.BFGS{})
		require.NoError(t, err)
		assert.InDeltaSlice(t, exactFit.X, res.X, 1e-6)
		exampletest.InReadme(t, fmt.Sprintf("r = %.10f, y0 = %.10f", exactFit.X[0], exactFit.X[1]))
	})
}
