package viz

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ProfileRatios returns the performance ratios of Dolan and Moré: for
// problem p and method m, cost[p][m] divided by the least cost any method
// had on p. A cost that is not positive and finite marks a failure and has
// ratio +Inf, as has every method on a problem no method solved.
func ProfileRatios(cost [][]float64) ([][]float64, error) {
	if len(cost) == 0 {
		return nil, errNoData
	}
	nm := len(cost[0])
	ratios := make([][]float64, len(cost))
	for p, row := range cost {
		if len(row) != nm || nm == 0 {
			return nil, fmt.Errorf("profile: problem %d has %d costs, want one per method (%d)", p, len(row), nm)
		}
		best := math.Inf(1)
		for _, c := range row {
			if solved(c) {
				best = math.Min(best, c)
			}
		}
		ratios[p] = make([]float64, nm)
		for m, c := range row {
			ratios[p][m] = math.Inf(1)
			if solved(c) {
				ratios[p][m] = c / best
			}
		}
	}
	return ratios, nil
}

func solved(c float64) bool { return c > 0 && !math.IsInf(c, 0) }

// ProfileCurve returns the performance profile of method m as the corners
// of a step function: rho[k] is the fraction of problems that m solved
// within a factor alpha[k] of the best method's cost, and it holds from
// alpha[k] up to alpha[k+1]. The curve starts at alpha = 1. (The factor is
// α, as Moré and Wild write it, because τ is the accuracy level at which
// a problem counts as solved.)
func ProfileCurve(ratios [][]float64, m int) (alpha, rho []float64) {
	return stepCurve(ratios, m, 1)
}

// stepCurve returns the fraction of rows whose column m is at most t, as
// the corners of a step function starting at t = start.
func stepCurve(values [][]float64, m int, start float64) (ts, rho []float64) {
	rs := make([]float64, 0, len(values))
	for _, row := range values {
		if r := row[m]; !math.IsInf(r, 1) {
			rs = append(rs, r)
		}
	}
	slices.Sort(rs)
	np := float64(len(values))
	ts, rho = []float64{start}, []float64{0}
	for k, r := range rs {
		if r == ts[len(ts)-1] {
			rho[len(rho)-1] = float64(k+1) / np
			continue
		}
		ts = append(ts, r)
		rho = append(rho, float64(k+1)/np)
	}
	return ts, rho
}

// NewProfilePlot draws the Dolan–Moré performance profiles of methods from
// their costs (time, evaluations, …) on problems: cost[p][m] is the cost of
// methods[m] on problem p, and a cost that is not positive and finite is a
// failure. Each method's curve is the fraction of problems it solved within
// a factor α of the best, on a logarithmic α axis; a curve high on the left
// wins often, one high on the right is robust.
func NewProfilePlot(methods []string, cost [][]float64, opts PlotOptions) (*Figure, error) {
	ratios, err := ProfileRatios(cost)
	if err != nil {
		return nil, err
	}
	if opts.XLabel == "" {
		opts.XLabel = "α (cost within a factor α of the best)"
	}
	return profileFigure(methods, ratios, 1, opts)
}

// NewDataProfilePlot draws the Moré–Wild data profiles of methods: the
// fraction of problems each solved within κ·(n+1) evaluations, n being the
// problem's dimension, dims[p]. cost[p][m] counts evaluations, and a cost
// that is not positive and finite is a failure.
func NewDataProfilePlot(methods []string, cost [][]float64, dims []int, opts PlotOptions) (*Figure, error) {
	if len(cost) == 0 {
		return nil, errNoData
	}
	if len(dims) != len(cost) {
		return nil, fmt.Errorf("data profile: %d dimensions for %d problems", len(dims), len(cost))
	}
	budgets := make([][]float64, len(cost))
	lowest := 1.0
	for p, row := range cost {
		budgets[p] = make([]float64, len(row))
		for m, c := range row {
			budgets[p][m] = math.Inf(1)
			if solved(c) {
				budgets[p][m] = c / float64(dims[p]+1)
				lowest = math.Min(lowest, budgets[p][m])
			}
		}
	}
	if opts.XLabel == "" {
		opts.XLabel = "κ (evaluations / (n+1))"
	}
	return profileFigure(methods, budgets, lowest, opts)
}

// profileFigure draws step curves, one per method, of the fraction of rows
// (problems) whose value is at most x, on a logarithmic x axis from start.
func profileFigure(methods []string, values [][]float64, start float64, opts PlotOptions) (*Figure, error) {
	if len(methods) == 0 {
		return nil, errors.New("profile: no methods")
	}
	if len(methods) != len(values[0]) {
		return nil, fmt.Errorf("profile: %d method names for %d columns of costs", len(methods), len(values[0]))
	}
	xMax := 2 * start
	for _, row := range values {
		for _, r := range row {
			if !math.IsInf(r, 1) {
				xMax = math.Max(xMax, 1.25*r)
			}
		}
	}
	if opts.YLabel == "" {
		opts.YLabel = "fraction of problems solved"
	}
	f := newFigure(opts.Title, opts.XLabel, opts.YLabel)
	f.Plot.X.Scale = plot.LogScale{}
	f.Plot.X.Tick.Marker = logTicks
	f.Plot.Add(plotter.NewGrid())
	for m, name := range methods {
		ts, rho := stepCurve(values, m, start)
		pts := make(plotter.XYs, len(ts), len(ts)+1)
		for k := range ts {
			pts[k] = plotter.XY{X: ts[k], Y: rho[k]}
		}
		pts = append(pts, plotter.XY{X: xMax, Y: rho[len(rho)-1]})
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.StepStyle = plotter.PostStep
		line.LineStyle = draw.LineStyle{Color: PathColor(m), Width: vg.Points(1.6), Dashes: PathDashes(m)}
		f.Plot.Add(line)
		f.AddLegend(fmt.Sprintf("%s (solved %d of %d)", name, solvedCount(values, m), len(values)), line)
	}
	f.box = &[2]Interval{{start, xMax}, {0, 1.02}}
	return f, nil
}

func solvedCount(ratios [][]float64, m int) int {
	n := 0
	for _, row := range ratios {
		if !math.IsInf(row[m], 1) {
			n++
		}
	}
	return n
}
