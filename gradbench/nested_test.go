package gradbench

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/numdiff"
)

var modes = []string{"ff", "fr", "rf", "rr"}

// TestSaddle checks the four modes against GradBench's expected output.
func TestSaddle(t *testing.T) {
	const want = 8.246324826140356e-06
	for _, mode := range modes {
		got := call(t, "saddle", mode, withRuns(map[string]any{"start": []float64{1, 1}})).([]float64)
		assertClose(t, got, []float64{want, want, want, want}, 1e-12, "saddle "+mode)
	}
}

// objective is one of the solvers' objectives with its gradient, for
// numeric differentiation.
type objective struct {
	f    func(x []float64) (float64, error)
	grad func(x, g []float64) error
}

func (o objective) Eval(x []float64) (float64, error) { return o.f(x) }

// TestSaddleGradient checks the gradient of the outer objective, through
// the replayed inner search, against numeric differentiation of the
// objective, which runs the search.
func TestSaddleGradient(t *testing.T) {
	for _, mode := range modes {
		s, err := newSaddleSolver(mode[0] == 'f', mode[1] == 'f', []float64{1, 1})
		require.NoError(t, err)
		for _, p := range [][]float64{{1, 1}, {0.3, -2}, {-1e-3, 5}} {
			g := make([]float64, 2)
			require.NoError(t, s.maxGrad(p, g))
			assertClose(t, g, []float64{2 * p[0], 2 * p[1]}, 1e-12, "gradient "+mode)
			num := make([]float64, 2)
			require.NoError(t, numdiff.Gradient(objective{s.max, s.maxGrad}, p, numdiff.Central, 1e-4, num))
			assertClose(t, g, num, 1e-6, "numeric gradient "+mode)
		}
	}
}

// TestParticle checks the four modes against GradBench's expected output,
// and the derivative of the crossing in w, through the particle's path,
// against numeric differentiation of the simulation and the modes against
// each other.
func TestParticle(t *testing.T) {
	const want = 0.2071918746486116
	ws := []float64{0, 0.1, want, 0.3}
	ff := make([]float64, len(ws))
	for _, mode := range modes {
		s, err := newParticleSolver(mode[0] == 'f', mode[1] == 'f')
		require.NoError(t, err)
		got, err := s.solve(0)
		require.NoError(t, err)
		assertClose(t, []float64{got}, []float64{want}, 1e-13, "particle "+mode)

		for i, w := range ws {
			g := make([]float64, 1)
			require.NoError(t, s.gradient([]float64{w}, g))
			num := make([]float64, 1)
			require.NoError(t, numdiff.Gradient(objective{s.objective, s.gradient}, []float64{w}, numdiff.Central, 1e-7, num))
			assert.True(t, close(g[0], num[0], 1e-5), "w = %v, %s: %v, numerically %v", w, mode, g[0], num[0])
			if mode == "ff" {
				ff[i] = g[0]
			}
			assert.True(t, close(g[0], ff[i], 1e-9), "w = %v: %s gives %v, ff %v", w, mode, g[0], ff[i])
		}

		// A particle that never comes down is an error, not an endless loop.
		_, err = s.objective([]float64{-0.5})
		assert.ErrorContains(t, err, "with w = -0.5 the particle does not cross the x axis within 10000 steps")
	}
}

// TestDescentRates checks the solver's schedule on f(x) = x² from 1: the
// rate doubles after every 10 steps taken and halves on a step that does
// not decrease f, and the search stops when a step would move x by at
// most 1e-5.
func TestDescentRates(t *testing.T) {
	f := func(x []float64) (float64, error) { return x[0] * x[0], nil }
	grad := func(x, g []float64) error { g[0] = 2 * x[0]; return nil }
	d, err := argmin([]float64{1}, f, grad)
	require.NoError(t, err)
	require.Greater(t, len(d.etas), 30)
	for i, eta := range d.etas[:30] {
		assert.Equal(t, 1e-5*math.Pow(2, float64(i/10)), eta, "step %d", i)
	}
	// Replaying the rates gives the point.
	x := 1.0
	for _, eta := range d.etas {
		x -= eta * 2 * x
	}
	assert.Equal(t, d.x[0], x)
	// A rate of 1 or more overshoots x² (x - 2ηx = (1-2η)x), so the
	// rates stay below 1, and the last step moved x by little.
	for _, eta := range d.etas {
		assert.Less(t, eta, 1.0)
	}
	assert.LessOrEqual(t, 2*math.Abs(d.x[0])*d.etas[len(d.etas)-1], 1e-5*4)
}

// TestDescentStops checks the stopping rules and that an error of the
// function stops the search.
func TestDescentStops(t *testing.T) {
	f := func(x []float64) (float64, error) { return x[0] * x[0], nil }
	grad := func(x, g []float64) error { g[0] = 2 * x[0]; return nil }
	d, err := argmin([]float64{1e-6}, f, grad)
	require.NoError(t, err)
	assert.Equal(t, []float64{1e-6}, d.x, "‖∇f‖ ≤ 1e-5 at the start")
	assert.Empty(t, d.etas)

	bad := func(x, g []float64) error { return assert.AnError }
	_, err = argmin([]float64{1}, f, bad)
	assert.ErrorIs(t, err, assert.AnError)

	// A function that always grows in the direction of descent halves
	// the rate until the step is too short.
	up := func(x []float64) (float64, error) { return -x[0], nil }
	d, err = argmin([]float64{0}, up, func(x, g []float64) error { g[0] = -1; return nil })
	require.NoError(t, err)
	assert.Empty(t, d.etas)
	assert.Equal(t, []float64{0}, d.x)
}
