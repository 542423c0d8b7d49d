// Command genimg draws the example pictures of nabla's documentation into a
// directory (docs/img). It runs from viz with go generate.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/numdiff"
	"github.com/nabla-ad/nabla/optim"
	"github.com/nabla-ad/nabla/viz"
)

func main() {
	out := flag.String("o", ".", "directory to write the pictures to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genimg:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	for _, pic := range []struct {
		name string
		draw func() (*viz.Figure, error)
	}{
		{"ascent.png", ascent},
		{"rosenbrock.png", rosenbrock},
		{"landscape.png", landscape},
		{"step-error.png", stepError},
	} {
		fig, err := pic.draw()
		if err != nil {
			return fmt.Errorf("%s: %w", pic.name, err)
		}
		if err := fig.Save(filepath.Join(dir, pic.name)); err != nil {
			return err
		}
	}
	return nil
}

// trajectory runs an optimizer from x0, up or down, and returns its
// iterates and the value at the last one.
func trajectory(f *expr.Func, x0 []float64, m optim.Method, s optim.Settings, maximize bool) ([][]float64, float64, error) {
	s.Trace = true
	run := optim.Minimize
	if maximize {
		run = optim.Maximize
	}
	res, err := run(context.Background(), f, x0, m, &s)
	if err != nil {
		return nil, 0, err
	}
	xs := make([][]float64, len(res.Trajectory))
	for k, st := range res.Trajectory {
		xs[k] = st.X
	}
	return xs, res.Trajectory[len(res.Trajectory)-1].F, nil
}

// contourMap samples f over a box of the plane of its two variables and
// draws contours, the gradient field and the paths of methods from x0,
// climbing when maximize is set.
func contourMap(src string, x, y viz.Interval, x0 []float64, s optim.Settings, maximize bool, scale viz.ArrowScale, methods ...optim.Method) (*viz.Figure, error) {
	f, err := expr.Compile(src, &expr.Options{Vars: []string{"x", "y"}})
	if err != nil {
		return nil, err
	}
	plane, err := viz.CoordinatePlane([]float64{0, 0}, 0, 1)
	if err != nil {
		return nil, err
	}
	surf, err := viz.Sample(f, plane, x, y, 200, 200)
	if err != nil {
		return nil, err
	}
	names := f.Vars()
	fig, err := viz.NewMap(surf, viz.MapOptions{Title: "f = " + src, XLabel: names[0].Name, YLabel: names[1].Name})
	if err != nil {
		return nil, err
	}
	grad, err := viz.SampleGradient(f, plane, x, y, 20, 20)
	if err != nil {
		return nil, err
	}
	label := "grad f"
	if !maximize {
		grad.Negate()
		label = "−grad f"
	}
	if err := fig.AddField(grad, viz.FieldOptions{Scale: scale, Label: label}); err != nil {
		return nil, err
	}
	for _, m := range methods {
		xs, fv, err := trajectory(f, x0, m, s, maximize)
		if err != nil {
			return nil, err
		}
		pts, err := viz.ProjectPath(plane, xs)
		if err != nil {
			return nil, err
		}
		if err := fig.AddPaths(viz.Path{Name: m.String(), Points: pts, Value: fv}); err != nil {
			return nil, err
		}
	}
	return fig, nil
}

// ascent is the teaching picture: gradient ascent on a paraboloid.
func ascent() (*viz.Figure, error) {
	s := *optim.DefaultSettings()
	s.MaxIter = 10
	s.GradTol, s.FuncTol, s.StepTol = 0, 0, 0
	return contourMap("-(x^2 + y^2) + 4", viz.Interval{Min: -2, Max: 2}, viz.Interval{Min: -2, Max: 2},
		[]float64{1, 1}, s, true, viz.TrueLengthArrows, optim.GradientDescent{LR: 0.1})
}

func rosenbrock() (*viz.Figure, error) {
	s := *optim.DefaultSettings()
	s.MaxIter = 300
	return contourMap("100*(y - x^2)^2 + (1 - x)^2", viz.Interval{Min: -2, Max: 2}, viz.Interval{Min: -1, Max: 3},
		[]float64{-1.5, 2}, s, false, viz.AutoArrows, optim.GradientDescent{LR: 0.001}, optim.Momentum{LR: 0.001}, optim.BFGS{})
}

// landscape slices the 20-variable extended Rosenbrock function through its
// minimum along two random directions, with an L-BFGS path projected.
func landscape() (*viz.Figure, error) {
	const n = 20
	src := "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)"
	f, err := expr.Compile(src, &expr.Options{Sizes: map[string]int{"x": n}})
	if err != nil {
		return nil, err
	}
	origin := make([]float64, n)
	x0 := make([]float64, n)
	for i := range origin {
		origin[i] = 1
		x0[i] = 1 + 0.6*math.Cos(float64(3*i))
	}
	plane, err := viz.RandomPlane(origin, 1)
	if err != nil {
		return nil, err
	}
	box := viz.Interval{Min: -1.5, Max: 1.5}
	surf, err := viz.Sample(f, plane, box, box, 200, 200)
	if err != nil {
		return nil, err
	}
	fig, err := viz.NewMap(surf, viz.MapOptions{
		Title:  fmt.Sprintf("extended Rosenbrock, n = %d: f(x* + a·d₁ + b·d₂), random directions (seed 1)", n),
		XLabel: "a (along d₁)", YLabel: "b (along d₂)",
	})
	if err != nil {
		return nil, err
	}
	xs, fv, err := trajectory(f, x0, optim.LBFGS{}, *optim.DefaultSettings(), false)
	if err != nil {
		return nil, err
	}
	pts, err := viz.ProjectPath(plane, xs)
	if err != nil {
		return nil, err
	}
	return fig, fig.AddPaths(viz.Path{Name: "lbfgs, projected", Points: pts, Value: fv})
}

// stepError sweeps the step of forward and central differences of sin at
// x = 1 and measures their error against the exact derivative.
func stepError() (*viz.Figure, error) {
	f, err := expr.Compile("sin(x)", nil)
	if err != nil {
		return nil, err
	}
	sw, err := numdiff.SweepGradient(f, []float64{1}, 0, &numdiff.SweepSettings{
		Methods: []numdiff.Method{numdiff.Forward, numdiff.Central},
		Steps:   numdiff.LogSteps(1, 1e-16, 4),
	})
	if err != nil {
		return nil, err
	}
	curves := viz.SweepCurves(sw)
	return viz.NewStepErrorPlot(curves, viz.PlotOptions{Title: "d/dx sin(x) at x = 1: error of finite differences"})
}
