package landscape

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/nabla-ad/nabla/viz"
)

// DensityPlotOptions tune NewDensityPlot. The zero value is ready to use.
type DensityPlotOptions struct {
	// Title is the picture's title; empty means "Hessian eigenvalue
	// density".
	Title string
	// Sigma is the width of the Gaussian at each node; zero means
	// Density.Width.
	Sigma float64
	// Points is the number of points the curve is drawn through; zero
	// means 400.
	Points int
	// Marks are eigenvalues to mark with vertical lines, such as those
	// Lanczos found, under the legend entry MarksLabel ("eigenvalues"
	// when empty).
	Marks      []float64
	MarksLabel string
}

// densityFloor is how far below its peak the density's axis reaches: the
// few outlying eigenvalues of a Hessian, which matter most, carry a mass
// of about 1/n each.
const densityFloor = 1e-8

// NewDensityPlot draws the smoothed density on a logarithmic axis, as
// PyHessian does, so that a few outlying eigenvalues show beside the bulk
// near zero; the density is cut off at a hundred-millionth of its peak.
func NewDensityPlot(d *Density, opts DensityPlotOptions) (*viz.Figure, error) {
	if d == nil || len(d.Nodes) == 0 {
		return nil, errors.New("no density to draw")
	}
	title := opts.Title
	if title == "" {
		title = "Hessian eigenvalue density"
	}
	sigma, points := opts.Sigma, opts.Points
	if sigma == 0 {
		sigma = d.Width()
	}
	if points == 0 {
		points = 400
	}
	lo, hi := d.Range()
	for _, m := range opts.Marks {
		lo, hi = min(lo, m), max(hi, m)
	}
	ts, phi, err := d.Curve(lo-5*sigma, hi+5*sigma, points, sigma)
	if err != nil {
		return nil, err
	}
	floor := slices.Max(phi) * densityFloor
	for i := range phi {
		phi[i] = max(phi[i], floor)
	}
	f, err := viz.NewSlicePlot(ts, phi, viz.PlotOptions{Title: title, XLabel: "eigenvalue λ", YLabel: "density (log scale)"})
	if err != nil {
		return nil, err
	}
	f.Plot.Y.Scale = plot.LogScale{}
	f.Plot.Y.Tick.Marker = plot.LogTicks{Prec: 1}
	f.Plot.Y.Min = floor
	if len(opts.Marks) > 0 {
		label := opts.MarksLabel
		if label == "" {
			label = "eigenvalues"
		}
		style := draw.LineStyle{Color: viz.PathColor(1), Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
		var first *plotter.Line
		for _, m := range opts.Marks {
			if math.IsNaN(m) || math.IsInf(m, 0) {
				return nil, fmt.Errorf("cannot mark the eigenvalue %g", m)
			}
			l, err := plotter.NewLine(plotter.XYs{{X: m, Y: floor}, {X: m, Y: slices.Max(phi)}})
			if err != nil {
				return nil, err
			}
			l.LineStyle = style
			f.Plot.Add(l)
			if first == nil {
				first = l
			}
		}
		f.AddLegend(label, first)
	}
	return f, nil
}
