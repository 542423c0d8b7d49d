package viz

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nabla-ad/nabla/internal/par"
)

// A Curve is a function sampled along a line origin + t·dir with its
// derivative along the line: for a function of one variable and dir = 1,
// f(t) and f′(t).
type Curve struct {
	Ts []float64
	// Values and Derivs hold f and its derivative along the line, ∇f·dir,
	// at Ts; both are NaN where either is not finite.
	Values, Derivs []float64
	// NonFinite counts the points where f or its derivative is not finite.
	NonFinite int
}

// SampleCurve evaluates f and its derivative along dir at n evenly spaced
// points origin + t·dir, t in the interval (ends included), on all CPUs.
func SampleCurve(f Differentiable, origin, dir []float64, t Interval, n int) (*Curve, error) {
	if f == nil {
		return nil, errors.New("no function to sample")
	}
	ts, err := lineNodes(origin, dir, t, n)
	if err != nil {
		return nil, err
	}
	c := &Curve{Ts: ts, Values: make([]float64, n), Derivs: make([]float64, n)}
	bad := make([]bool, n)
	err = par.For(n, newBuffers(len(origin)), func(k int, b buffers) error {
		pt, grad := b.pt, b.grad
		linePoint(pt, origin, dir, ts[k])
		v, err := f.Grad(pt, grad)
		ok, err := finite(v, err)
		if err != nil {
			return fmt.Errorf("at %v: %w", pt, err)
		}
		d := floats.Dot(grad, dir)
		if !ok || math.IsNaN(d) || math.IsInf(d, 0) {
			v, d, bad[k] = math.NaN(), math.NaN(), true
		}
		c.Values[k], c.Derivs[k] = v, d
		return nil
	})
	c.NonFinite = count(bad)
	return c, err
}

// The colours of a curve plot: f in the contours' dark blue, f′ in their
// green, and the tangent in grey, so that the paths' strong colours stand
// out.
var (
	curveColor      = color.NRGBA{0x3b, 0x52, 0x8b, 0xff}
	derivativeColor = color.NRGBA{0x21, 0x91, 0x8c, 0xff}
	tangentColor    = color.NRGBA{0x70, 0x70, 0x70, 0xff}
)

// NewCurvePlot draws a function of one variable and its derivative, f and
// f′, as two lines on one pair of axes with a legend; the runs between
// non-finite values are drawn as separate lines, with a note. opts.YLabel
// names f ("f" if empty). Paths drawn over it (AddPaths) take the
// coordinates (t, f(t)).
func NewCurvePlot(c *Curve, opts PlotOptions) (*Figure, error) {
	n := len(c.Ts)
	if n < 2 || len(c.Values) != n || len(c.Derivs) != n {
		return nil, errors.New("curve: want at least two points with a value and a derivative each")
	}
	name := opts.YLabel
	if name == "" {
		name = "f"
	}
	f := newFigure(opts.Title, opts.XLabel, "")
	f.Plot.Add(plotter.NewGrid())
	gaps, line, err := f.addBrokenLine(c.Ts, c.Values, draw.LineStyle{Color: curveColor, Width: vg.Points(1.8)})
	if err != nil {
		return nil, err
	}
	if gaps == n {
		return nil, errors.New("curve: the function is not finite anywhere on the line")
	}
	f.AddLegend(name, line)
	_, line, err = f.addBrokenLine(c.Ts, c.Derivs, draw.LineStyle{Color: derivativeColor, Width: vg.Points(1.3), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}})
	if err != nil {
		return nil, err
	}
	f.AddLegend(name+"′ (derivative)", line)
	if gaps > 0 {
		f.note("gaps: f is not finite at %d of %d points", gaps, n)
	}
	return f, nil
}

// AddTangent draws the tangent line f(t0) + f′(t0)·(t − t0) across the
// plot's horizontal range and marks the point (t0, f(t0)), with a legend
// entry.
func (f *Figure) AddTangent(t0, f0, slope float64) error {
	for _, v := range []float64{t0, f0, slope} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("tangent at t = %g: f = %g and f′ = %g must be finite", t0, f0, slope)
		}
	}
	// The axes span the lines drawn so far.
	xmin, xmax, ymin, ymax := f.Plot.X.Min, f.Plot.X.Max, f.Plot.Y.Min, f.Plot.Y.Max
	if !(xmin < xmax) {
		xmin, xmax = t0-1, t0+1
	}
	at := func(t float64) plotter.XY { return plotter.XY{X: t, Y: f0 + slope*(t-t0)} }
	line, err := plotter.NewLine(plotter.XYs{at(xmin), at(xmax)})
	if err != nil {
		return err
	}
	line.LineStyle = draw.LineStyle{Color: tangentColor, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	point, err := plotter.NewScatter(plotter.XYs{at(t0)})
	if err != nil {
		return err
	}
	point.GlyphStyle = draw.GlyphStyle{Color: tangentColor, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	f.Plot.Add(line, point)
	// The tangent of a steep curve would stretch the vertical axis far
	// beyond the curve; keep the axis to the curve.
	if ymin < ymax {
		f.Plot.Y.Min, f.Plot.Y.Max = math.Min(ymin, f0), math.Max(ymax, f0)
	}
	f.AddLegend(fmt.Sprintf("tangent at %s, slope %s", formatValue(t0), formatValue(slope)), line)
	return nil
}
