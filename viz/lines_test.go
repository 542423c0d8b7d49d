package viz

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/numdiff"
)

func TestLevels(t *testing.T) {
	// A bowl: linear levels at a round step.
	bowl, err := Sample(compile(t, "x^2 + y^2", "x", "y"), xyPlane(t), Interval{-2, 2}, Interval{-2, 2}, 41, 41)
	require.NoError(t, err)
	levels, scale, err := Levels(bowl, 8, AutoScale)
	require.NoError(t, err)
	assert.Equal(t, LinearScale, scale)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6, 7}, levels)

	// Rosenbrock: values crowd the valley, so the levels are log-spaced,
	// 1-2-5 from the low end of the grid's values.
	rb, err := Sample(compile(t, "100*(y - x^2)^2 + (1 - x)^2", "x", "y"), xyPlane(t), Interval{-2, 2}, Interval{-1, 3}, 101, 101)
	require.NoError(t, err)
	levels, scale, err = Levels(rb, DefaultLevels, AutoScale)
	require.NoError(t, err)
	assert.Equal(t, LogScale, scale)
	require.NotEmpty(t, levels)
	for k := 1; k < len(levels); k++ {
		r := levels[k] / levels[k-1]
		assert.True(t, math.Abs(r-2) < 1e-9 || math.Abs(r-2.5) < 1e-9, "ratio %g", r)
	}

	_, _, err = Levels(bowl, 0, AutoScale)
	assert.Error(t, err)
}

func TestParseScale(t *testing.T) {
	for _, s := range []Scale{AutoScale, LinearScale, LogScale} {
		got, err := ParseScale(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := ParseScale("cubic")
	assert.Error(t, err)
}

func TestSampleLineAndSlicePlot(t *testing.T) {
	f := compile(t, "log(x) + y", "x", "y")
	ts, vs, bad, err := SampleLine(f, []float64{0, 1}, []float64{1, 0}, Interval{-1, 1}, 5)
	require.NoError(t, err)
	assert.Equal(t, []float64{-1, -0.5, 0, 0.5, 1}, ts)
	assert.Equal(t, 3, bad)
	assert.InDelta(t, math.Log(0.5)+1, vs[3], 1e-15)
	assert.Equal(t, 1.0, vs[4])

	// Two finite runs around a gap are two lines.
	fig, err := NewSlicePlot([]float64{0, 1, 2, 3, 4}, []float64{1, 2, math.NaN(), 3, 4}, PlotOptions{XLabel: "t"})
	require.NoError(t, err)
	svg := svgOf(t, fig)
	assert.Equal(t, 2, countWithStyle(svg, "stroke:"+hexColor(PathColor(0))))
	assert.Equal(t, []string{"gaps: f is not finite at 1 of 5 points"}, fig.Notes)
	_, err = NewSlicePlot([]float64{0, 1}, []float64{math.NaN(), math.NaN()}, PlotOptions{})
	assert.Error(t, err)
}

func TestStepErrorPlot(t *testing.T) {
	var fwd, ctr ErrorCurve
	fwd.Method, ctr.Method = "forward", "central"
	// Model errors: truncation ch^p plus rounding eps/h.
	for e := -12; e <= -1; e++ {
		h := math.Pow(10, float64(e))
		fwd.Points = append(fwd.Points, StepError{H: h, Err: h + 1e-16/h})
		ctr.Points = append(ctr.Points, StepError{H: h, Err: h*h + 1e-16/h})
	}
	ctr.Points = append(ctr.Points, StepError{H: 0.5, Err: 0})
	fig, err := NewStepErrorPlot([]ErrorCurve{fwd, ctr}, PlotOptions{Title: "sweep"})
	require.NoError(t, err)
	svg := svgOf(t, fig)
	assert.Contains(t, svg, ">forward (best h=1e-08, error 2e-08)<")
	assert.Contains(t, svg, ">central (best h=1e-06, error 1e-10)<")
	assert.Contains(t, svg, ">step size h<")
	assert.Equal(t, []string{"1 points with zero error are not drawn"}, fig.Notes)
	for i := range 2 {
		var verts []int
		for _, p := range svgPaths(svg) {
			if strings.Contains(p.style, "stroke:"+hexColor(PathColor(i))+";stroke-width:1.5") {
				verts = append(verts, strings.Count(p.d, "L")+1)
			}
		}
		assert.ElementsMatch(t, []int{12, 2}, verts, "curve %d and its legend line", i)
	}
	_, err = NewStepErrorPlot([]ErrorCurve{{Method: "x", Points: []StepError{{H: -1, Err: 1}}}}, PlotOptions{})
	assert.Error(t, err)
	_, err = NewStepErrorPlot(nil, PlotOptions{})
	assert.Error(t, err)
}

func TestProfile(t *testing.T) {
	// Three problems, two methods; a fails problem 2, nobody solves problem 3.
	cost := [][]float64{
		{10, 20},
		{math.Inf(1), 5},
		{math.NaN(), 0},
	}
	ratios, err := ProfileRatios(cost)
	require.NoError(t, err)
	inf := math.Inf(1)
	assert.Equal(t, [][]float64{{1, 2}, {inf, 1}, {inf, inf}}, ratios)
	alpha, rho := ProfileCurve(ratios, 0)
	assert.Equal(t, []float64{1}, alpha)
	assert.Equal(t, []float64{1.0 / 3}, rho)
	alpha, rho = ProfileCurve(ratios, 1)
	assert.Equal(t, []float64{1, 2}, alpha)
	assert.Equal(t, []float64{1.0 / 3, 2.0 / 3}, rho)

	fig, err := NewProfilePlot([]string{"a", "b"}, cost, PlotOptions{Title: "profile"})
	require.NoError(t, err)
	svg := svgOf(t, fig)
	assert.Contains(t, svg, ">a (solved 1 of 3)<")
	assert.Contains(t, svg, ">b (solved 2 of 3)<")
	// τ is the accuracy level of the benchmarks; the factor is α.
	assert.Contains(t, svg, ">α (cost within a factor α of the best)<")
	_, err = NewProfilePlot([]string{"a"}, cost, PlotOptions{})
	assert.Error(t, err)
	_, err = ProfileRatios([][]float64{{1, 2}, {1}})
	assert.Error(t, err)
}

func TestDataProfile(t *testing.T) {
	// Evaluations of two methods on problems of dimensions 2 and 9: a
	// solves the first in 6 = 2(n+1) evaluations and the second in 50 =
	// 5(n+1); b fails the second.
	cost := [][]float64{{6, 3}, {50, math.Inf(1)}}
	fig, err := NewDataProfilePlot([]string{"a", "b"}, cost, []int{2, 9}, PlotOptions{})
	require.NoError(t, err)
	svg := svgOf(t, fig)
	assert.Contains(t, svg, ">a (solved 2 of 2)<")
	assert.Contains(t, svg, ">b (solved 1 of 2)<")
	assert.Contains(t, svg, "κ (evaluations / (n+1))")
	ts, rho := stepCurve([][]float64{{2, 1}, {5, math.Inf(1)}}, 0, 1)
	assert.Equal(t, []float64{1, 2, 5}, ts)
	assert.Equal(t, []float64{0, 0.5, 1}, rho)
	_, err = NewDataProfilePlot([]string{"a", "b"}, cost, []int{2}, PlotOptions{})
	assert.EqualError(t, err, "data profile: 1 dimensions for 2 problems")
}

func ExampleProfileCurve() {
	// Costs of two methods on four problems; 0 marks a failure.
	ratios, _ := ProfileRatios([][]float64{
		{1, 2},
		{4, 2},
		{3, 3},
		{5, 0},
	})
	for m, name := range []string{"a", "b"} {
		alpha, rho := ProfileCurve(ratios, m)
		fmt.Println(name, alpha, rho)
	}
	// Output:
	// a [1 2] [0.75 1]
	// b [1 2] [0.5 0.75]
}

func ExampleLevels() {
	f, _ := expr.Compile("100*(y - x^2)^2 + (1 - x)^2", &expr.Options{Vars: []string{"x", "y"}})
	plane, _ := CoordinatePlane([]float64{0, 0}, 0, 1)
	s, _ := Sample(f, plane, Interval{-2, 2}, Interval{-1, 3}, 201, 201)
	levels, scale, _ := Levels(s, DefaultLevels, AutoScale)
	fmt.Println(scale, levels)
	// Output:
	// log [0.5 1 2 5 10 20 50 100 200 500 1000 2000]
}

func ExamplePlane_Project() {
	plane, _ := RandomPlane([]float64{1, 1, 1, 1}, 7)
	x := make([]float64, 4)
	plane.At(0.25, -0.5, x)
	a, b := plane.Project(x)
	fmt.Printf("%.3f %.3f\n", a, b)
	// Output:
	// 0.250 -0.500
}

func TestSweepCurves(t *testing.T) {
	f, err := expr.Compile("exp(x)", nil)
	require.NoError(t, err)
	sw, err := numdiff.SweepGradient(f, []float64{0}, 0, &numdiff.SweepSettings{Steps: []float64{1e-1, 1e-2}})
	require.NoError(t, err)
	curves := SweepCurves(sw)
	require.Len(t, curves, 2)
	assert.Equal(t, "forward", curves[0].Method)
	// The forward difference of exp at 0 with h = 0.1 is (e^0.1 - 1)/0.1.
	assert.InDelta(t, (math.Exp(0.1)-1)/0.1-1, curves[0].Points[0].Err, 1e-15)
	assert.Equal(t, 1e-2, curves[1].Points[1].H)
}
