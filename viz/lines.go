package viz

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nabla-ad/nabla/internal/par"
	"github.com/nabla-ad/nabla/numdiff"
)

// SampleLine evaluates f at n evenly spaced points origin + t·dir, t in the
// interval (ends included), on all CPUs. Values where f is not finite are
// NaN and counted in nonFinite.
func SampleLine(f Function, origin, dir []float64, t Interval, n int) (ts, values []float64, nonFinite int, err error) {
	if f == nil {
		return nil, nil, 0, errors.New("no function to sample")
	}
	ts, err = lineNodes(origin, dir, t, n)
	if err != nil {
		return nil, nil, 0, err
	}
	values = make([]float64, n)
	bad := make([]bool, n)
	err = par.For(n, par.Floats(len(origin)), func(k int, pt []float64) error {
		linePoint(pt, origin, dir, ts[k])
		v, err := f.Eval(pt)
		ok, err := finite(v, err)
		if err != nil {
			return fmt.Errorf("at %v: %w", pt, err)
		}
		if !ok {
			v, bad[k] = math.NaN(), true
		}
		values[k] = v
		return nil
	})
	return ts, values, count(bad), err
}

// lineNodes checks a line and returns the n values of t its points are
// sampled at.
func lineNodes(origin, dir []float64, t Interval, n int) ([]float64, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	if len(origin) == 0 || len(dir) != len(origin) {
		return nil, fmt.Errorf("line: origin and direction have lengths %d and %d", len(origin), len(dir))
	}
	if n < 2 || n > MaxGridPoints {
		return nil, fmt.Errorf("%d points on a line: want 2 to %d", n, MaxGridPoints)
	}
	return t.nodes(n), nil
}

// linePoint writes origin + t·dir into pt.
func linePoint(pt, origin, dir []float64, t float64) {
	for i := range pt {
		pt[i] = origin[i] + t*dir[i]
	}
}

func count(bad []bool) int {
	n := 0
	for _, b := range bad {
		if b {
			n++
		}
	}
	return n
}

// PlotOptions label a line plot.
type PlotOptions struct {
	Title, XLabel, YLabel string
}

// NewSlicePlot draws a function sampled along a line, such as a 1-D slice
// of a loss landscape; the runs between non-finite values are drawn as
// separate lines, with a note.
func NewSlicePlot(ts, values []float64, opts PlotOptions) (*Figure, error) {
	if len(ts) != len(values) || len(ts) < 2 {
		return nil, errors.New("slice: want at least two (t, f) pairs")
	}
	f := newFigure(opts.Title, opts.XLabel, opts.YLabel)
	f.Plot.Add(plotter.NewGrid())
	gaps, _, err := f.addBrokenLine(ts, values, draw.LineStyle{Color: PathColor(0), Width: vg.Points(1.5)})
	if err != nil {
		return nil, err
	}
	if gaps == len(values) {
		return nil, errors.New("slice: the function is not finite anywhere on the line")
	}
	if gaps > 0 {
		f.note("gaps: f is not finite at %d of %d points", gaps, len(values))
	}
	return f, nil
}

// addBrokenLine draws the points (ts[k], values[k]) as lines broken at the
// non-finite values, and returns how many there were and the first line
// drawn, for a legend entry (nil if none).
func (f *Figure) addBrokenLine(ts, values []float64, style draw.LineStyle) (gaps int, first *plotter.Line, err error) {
	var run plotter.XYs
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		l, err := plotter.NewLine(run)
		if err != nil {
			return err
		}
		l.LineStyle = style
		f.Plot.Add(l)
		if first == nil {
			first = l
		}
		run = nil
		return nil
	}
	for k, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(ts[k]) {
			gaps++
			if err := flush(); err != nil {
				return 0, nil, err
			}
			continue
		}
		run = append(run, plotter.XY{X: ts[k], Y: v})
	}
	return gaps, first, flush()
}

// A StepError is the error of a numeric derivative taken with step H.
type StepError struct{ H, Err float64 }

// An ErrorCurve is the error of one numeric method against its step size,
// from a sweep of steps.
type ErrorCurve struct {
	Method string
	Points []StepError
}

// NewStepErrorPlot draws the error of numeric differentiation against the
// step size on log-log axes, one line per method, with the step of least
// error marked and named in the legend. This is the V of truncation error
// (falling with h) meeting rounding error (rising as h shrinks). Points with
// a zero or non-finite error cannot be drawn on a log axis and are left
// out, with a note.
func NewStepErrorPlot(curves []ErrorCurve, opts PlotOptions) (*Figure, error) {
	if len(curves) == 0 {
		return nil, errNoData
	}
	if opts.XLabel == "" {
		opts.XLabel = "step size h"
	}
	if opts.YLabel == "" {
		opts.YLabel = "absolute error"
	}
	f := newFigure(opts.Title, opts.XLabel, opts.YLabel)
	f.Plot.X.Scale, f.Plot.Y.Scale = plot.LogScale{}, plot.LogScale{}
	f.Plot.X.Tick.Marker, f.Plot.Y.Tick.Marker = logTicks, logTicks
	f.Plot.Add(plotter.NewGrid())
	dropped := 0
	for i, c := range curves {
		pts := make(plotter.XYs, 0, len(c.Points))
		for _, p := range c.Points {
			if !(p.H > 0) || math.IsInf(p.H, 0) {
				return nil, fmt.Errorf("%s: step size %g: want a positive finite step", c.Method, p.H)
			}
			if !(p.Err > 0) || math.IsInf(p.Err, 0) {
				dropped++
				continue
			}
			pts = append(pts, plotter.XY{X: p.H, Y: p.Err})
		}
		if len(pts) == 0 {
			return nil, fmt.Errorf("%s: no step with a positive finite error", c.Method)
		}
		slices.SortFunc(pts, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		best := pts[0]
		for _, p := range pts {
			if p.Y < best.Y {
				best = p
			}
		}
		col := PathColor(i)
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: PathDashes(i)}
		marks, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		marks.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
		star, err := plotter.NewScatter(plotter.XYs{best})
		if err != nil {
			return nil, err
		}
		star.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(5), Shape: draw.RingGlyph{}}
		f.Plot.Add(line, marks, star)
		f.AddLegend(fmt.Sprintf("%s (best h=%.2g, error %.2g)", c.Method, best.X, best.Y), line, star)
	}
	if dropped > 0 {
		f.note("%d points with zero error are not drawn", dropped)
	}
	return f, nil
}

// SweepCurves returns the error curves of a numeric-differentiation step
// sweep, one per method, for NewStepErrorPlot.
func SweepCurves(sw *numdiff.Sweep) []ErrorCurve {
	var curves []ErrorCurve
	for _, s := range sw.Series {
		c := ErrorCurve{Method: s.Method.String()}
		for k, h := range s.Steps {
			c.Points = append(c.Points, StepError{H: h, Err: s.Errors[k]})
		}
		curves = append(curves, c)
	}
	return curves
}
