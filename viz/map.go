package viz

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// MapOptions say how NewMap draws a contour map.
type MapOptions struct {
	// Title, XLabel and YLabel label the picture and its axes.
	Title, XLabel, YLabel string
	// ValueLabel names the function's values on the colour bar; "f" if
	// empty.
	ValueLabel string
	// Levels are the contour levels. When nil, NumLevels levels
	// (DefaultLevels if zero) are chosen, spaced as Scale says.
	Levels    []float64
	NumLevels int
	Scale     Scale
}

// levelColors is the colour map of contour lines: dark violet through blue
// and green (the lower four fifths of viridis), with luminance rising
// evenly, and no colour too pale to see on white.
func levelColors() palette.ColorMap {
	cm, err := moreland.NewLuminance([]color.Color{
		color.NRGBA{0x44, 0x01, 0x54, 0xff},
		color.NRGBA{0x3b, 0x52, 0x8b, 0xff},
		color.NRGBA{0x21, 0x91, 0x8c, 0xff},
		color.NRGBA{0x5e, 0xc9, 0x62, 0xff},
		color.NRGBA{0xa0, 0xda, 0x39, 0xff},
	})
	if err != nil {
		panic(err) // the control colours above are fixed and valid
	}
	return cm
}

// gapColor covers the points where the function is not finite.
var gapColor = color.NRGBA{0xc8, 0xc8, 0xc8, 0xff}

// NewMap returns a contour map of a sampled function, with a colour bar
// that shows the levels. The axes are fixed to the sampled box and, when the
// box is not far from square, drawn to one scale so that gradients look
// perpendicular to the contours.
func NewMap(s *Surface, opts MapOptions) (*Figure, error) {
	if s == nil || len(s.Xs) < 2 || len(s.Ys) < 2 || len(s.Values) != len(s.Xs)*len(s.Ys) {
		return nil, errors.New("map: the surface must be a grid of at least 2 × 2 values")
	}
	var (
		levels []float64
		m      levelMap
		err    error
	)
	if len(opts.Levels) > 0 {
		levels, m, err = userLevels(s, opts.Levels, opts.Scale)
	} else {
		n := opts.NumLevels
		if n == 0 {
			n = DefaultLevels
		}
		levels, m, err = autoLevels(s, n, opts.Scale)
	}
	if err != nil {
		return nil, fmt.Errorf("map: %w", err)
	}
	// Round levels on a grid of round coordinates often pass exactly
	// through grid points, where plot's contour tracing can fail; a nudge
	// far below what can be seen avoids the ties.
	mapped := make([]float64, len(levels))
	for k, l := range levels {
		mapped[k] = m.to(l)
	}
	nudge := 1e-9 * (math.Abs(mapped[len(mapped)-1]-mapped[0]) + math.Abs(mapped[0]) + 1e-300)
	for k := range mapped {
		mapped[k] += nudge
	}

	f := newFigure(opts.Title, opts.XLabel, opts.YLabel)
	cmap := levelColors()
	grid := &levelGrid{Surface: s, values: fillGaps(s), m: m}
	cont := plotter.NewContour(grid, mapped, cmap.Palette(max(len(levels), 2)))
	cont.LineStyles[0].Width = vg.Points(1)
	if len(levels) == 1 {
		// A lone level takes the colour contour lines have without a palette.
		cont.Palette = nil
		cont.LineStyles[0].Color = color.NRGBA{0x3b, 0x52, 0x8b, 0xff}
	}
	f.Plot.Add(noGlyphs{cont})
	if s.NonFinite > 0 {
		gaps := plotter.NewHeatMap(s, palette.Palette(transparent{}))
		gaps.NaN = gapColor
		gaps.Rasterized = true
		f.Plot.Add(noGlyphs{gaps})
		f.note("grey: f is not finite at %d of %d grid points", s.NonFinite, len(s.Values))
	}
	f.fixBox(Interval{s.Xs[0], s.Xs[len(s.Xs)-1]}, Interval{s.Ys[0], s.Ys[len(s.Ys)-1]})

	if len(levels) > 1 {
		cmap.SetMin(mapped[0])
		cmap.SetMax(mapped[len(mapped)-1])
		f.ColorBar = colorBar(cmap, levels, mapped, opts.ValueLabel)
	}
	return f, nil
}

// colorBar returns a vertical colour bar of cmap over its range, labelled
// label ("f" if empty), with ticks at the levels, which are at mapped in
// the colour map's coordinate.
func colorBar(cmap palette.ColorMap, levels, mapped []float64, label string) *plot.Plot {
	bar := plot.New()
	bar.Add(&plotter.ColorBar{ColorMap: cmap, Vertical: true})
	bar.HideX()
	bar.Y.Padding = 0
	if label == "" {
		label = "f"
	}
	bar.Title.Text = label
	var ticks []plot.Tick
	every := (len(levels) + 11) / 12 // at most a dozen labels
	for k, l := range levels {
		t := plot.Tick{Value: mapped[k]}
		if k%every == 0 || k == len(levels)-1 {
			t.Label = formatValue(l)
		}
		ticks = append(ticks, t)
	}
	bar.Y.Tick.Marker = plot.ConstantTicks(ticks)
	return bar
}

// A levelGrid is what the contour plotter sees: the values with their gaps
// filled, mapped so that the levels are evenly spaced.
type levelGrid struct {
	*Surface
	values []float64
	m      levelMap
}

func (g *levelGrid) Z(c, r int) float64 { return g.m.to(g.values[r*len(g.Surface.Xs)+c]) }

// fillGaps returns the values with each non-finite one replaced by the mean
// of its neighbours, filled outwards from the finite points. The contour
// algorithm cannot skip a cell, and a cell with a NaN corner gives lines
// with NaN ends; filled values give lines that run on under the grey cover
// drawn over the gaps.
func fillGaps(s *Surface) []float64 {
	if s.NonFinite == 0 {
		return s.Values
	}
	nx, ny := len(s.Xs), len(s.Ys)
	v := append([]float64(nil), s.Values...)
	done := make([]bool, len(v))
	var queue []int
	for k, z := range v {
		done[k] = !math.IsNaN(z)
	}
	neighbours := func(k int, visit func(int)) {
		i, j := k%nx, k/nx
		if i > 0 {
			visit(k - 1)
		}
		if i < nx-1 {
			visit(k + 1)
		}
		if j > 0 {
			visit(k - nx)
		}
		if j < ny-1 {
			visit(k + nx)
		}
	}
	queued := make([]bool, len(v))
	for k := range v {
		if done[k] {
			neighbours(k, func(n int) {
				if !done[n] && !queued[n] {
					queued[n] = true
					queue = append(queue, n)
				}
			})
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		var sum float64
		var cnt int
		neighbours(k, func(n int) {
			if done[n] {
				sum += v[n]
				cnt++
			} else if !queued[n] {
				queued[n] = true
				queue = append(queue, n)
			}
		})
		v[k] = sum / float64(cnt)
		done[k] = true
	}
	return v
}

// transparent is the one-colour palette of the gap cover: every finite
// value is see-through, and the heat map paints NaN cells in gapColor.
type transparent struct{}

func (transparent) Colors() []color.Color { return []color.Color{color.Transparent} }

// noGlyphs hides the glyph boxes of a grid plotter. Contour and HeatMap
// report one empty box per grid point, which the plot lays out again each
// time it measures its data area: 160 000 boxes for a 400 × 400 grid.
type noGlyphs struct {
	plot.Plotter
}

func (g noGlyphs) DataRange() (xmin, xmax, ymin, ymax float64) {
	return g.Plotter.(plot.DataRanger).DataRange()
}
