package viz

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSampleCurve(t *testing.T) {
	// f(x, y) = x³ + y along x through (0, 2): t³ + 2 and 3t².
	c, err := SampleCurve(compile(t, "x^3 + y", "x", "y"), []float64{0, 2}, []float64{1, 0}, Interval{-1, 1}, 5)
	require.NoError(t, err)
	assert.Equal(t, []float64{-1, -0.5, 0, 0.5, 1}, c.Ts)
	assert.Equal(t, []float64{1, 1.875, 2, 2.125, 3}, c.Values)
	assert.Equal(t, []float64{3, 0.75, 0, 0.75, 3}, c.Derivs)
	assert.Zero(t, c.NonFinite)

	// sqrt is not finite at −1, and its derivative is not at 0.
	c, err = SampleCurve(compile(t, "sqrt(x)", "x"), []float64{0}, []float64{1}, Interval{-1, 1}, 3)
	require.NoError(t, err)
	assert.Equal(t, 2, c.NonFinite)
	assert.Equal(t, []float64{1, 0.5}, []float64{c.Values[2], c.Derivs[2]})
	assert.True(t, math.IsNaN(c.Values[1]) && math.IsNaN(c.Derivs[1]))
	_, err = SampleCurve(compile(t, "x", "x"), []float64{0}, []float64{1, 0}, Interval{0, 1}, 3)
	assert.Error(t, err)
}

func TestCurvePlot(t *testing.T) {
	c, err := SampleCurve(compile(t, "x^3 - 3*x", "x"), []float64{0}, []float64{1}, Interval{-2, 2}, 41)
	require.NoError(t, err)
	fig, err := NewCurvePlot(c, PlotOptions{Title: "cubic", XLabel: "x"})
	require.NoError(t, err)
	// f runs from −2 to 2 and f′ = 3x² − 3 from −3 to 9.
	assert.Equal(t, [4]float64{-2, 2, -3, 9}, [4]float64{fig.Plot.X.Min, fig.Plot.X.Max, fig.Plot.Y.Min, fig.Plot.Y.Max})
	// The tangent at x = 1.5, f = −1.125, slope 3.75 would reach 8.25 at
	// x = −2 and below: the vertical axis keeps to the curves.
	require.NoError(t, fig.AddTangent(1.5, -1.125, 3.75))
	assert.Equal(t, [2]float64{-3, 9}, [2]float64{fig.Plot.Y.Min, fig.Plot.Y.Max})
	require.NoError(t, fig.AddPaths(Path{Name: "gd", Points: [][2]float64{{1.5, -1.125}, {1.2, -1.872}}, Value: -1.872}))
	svg := svgOf(t, fig)
	for _, text := range []string{">cubic<", ">x<", ">f<", ">f′ (derivative)<", ">tangent at 1.5, slope 3.75<", ">gd (1 step, f=-1.872)<"} {
		assert.Contains(t, svg, text)
	}
	assert.ErrorContains(t, fig.AddTangent(0, math.NaN(), 1), "finite")

	_, err = NewCurvePlot(&Curve{Ts: []float64{0, 1}, Values: []float64{math.NaN(), math.NaN()}, Derivs: []float64{0, 0}}, PlotOptions{})
	assert.ErrorContains(t, err, "not finite anywhere")
}
