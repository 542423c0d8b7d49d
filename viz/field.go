package viz

import (
	"errors"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// An ArrowScale says how long the arrows of a vector field are drawn.
type ArrowScale int

const (
	// AutoArrows chooses NormalizedArrows when the magnitudes span more
	// than a factor of ten around their median, TrueLengthArrows otherwise.
	AutoArrows ArrowScale = iota
	// NormalizedArrows draws every arrow with the same length and shows the
	// magnitude by its shade, darker for larger (on a log scale when the
	// magnitudes span more than two orders of magnitude).
	NormalizedArrows
	// TrueLengthArrows draws arrows with lengths proportional to the
	// magnitudes, the longest filling its grid cell.
	TrueLengthArrows
)

// FieldOptions say how AddField draws a vector field.
type FieldOptions struct {
	Scale ArrowScale
	// Label is the field's legend entry; none if empty.
	Label string
}

// arrowColor is the colour of true-length arrows and of the darkest
// normalized ones.
var arrowColor = color.NRGBA{0x20, 0x20, 0x20, 0xff}

// AddField draws a vector field as arrows over the figure, one at each grid
// point with a finite non-zero vector. The arrows are drawn in the
// directions the vectors have in the data coordinates, so on a map drawn to
// one scale a gradient is perpendicular to the contours.
func (f *Figure) AddField(v *VectorField, opts FieldOptions) error {
	nx, ny := len(v.Xs), len(v.Ys)
	if nx < 2 || ny < 2 || len(v.U) != nx*ny || len(v.V) != nx*ny {
		return errors.New("field: want a grid of at least 2 × 2 vectors")
	}
	mags := make([]float64, 0, nx*ny)
	for k := range v.U {
		if m := math.Hypot(v.U[k], v.V[k]); m > 0 && !math.IsInf(m, 0) && !math.IsNaN(m) {
			mags = append(mags, m)
		}
	}
	if len(mags) == 0 {
		return errors.New("field: every vector is zero or not finite")
	}
	slices.Sort(mags)
	lo, hi := mags[0], mags[len(mags)-1]
	scale := opts.Scale
	if scale == AutoArrows {
		scale = TrueLengthArrows
		if median := stat.Quantile(0.5, stat.Empirical, mags, nil); hi > 10*median || median > 10*lo {
			scale = NormalizedArrows
		}
	}
	a := &arrows{field: v, normalized: scale == NormalizedArrows}
	if a.normalized {
		// tone in [0, 1] orders the magnitudes, for the shade.
		a.tone = make([]float64, len(v.U))
		logScale := hi > 100*lo
		for k := range v.U {
			m := math.Hypot(v.U[k], v.V[k])
			switch {
			case hi == lo:
				a.tone[k] = 1
			case logScale:
				a.tone[k] = math.Log(m/lo) / math.Log(hi/lo)
			default:
				a.tone[k] = (m - lo) / (hi - lo)
			}
		}
	}
	f.Plot.Add(a)
	if opts.Label != "" {
		f.AddLegend(opts.Label, arrowThumb{})
	}
	if v.NonFinite > 0 {
		f.note("no arrow where the gradient is not finite (%d of %d points)", v.NonFinite, nx*ny)
	}
	return nil
}

// arrows draws a VectorField with plotter.Field. Field turns each glyph by
// the angle of its vector on the canvas, so arrows gives it the vectors in
// canvas units, which keeps their directions right when the axes have
// different scales.
type arrows struct {
	field      *VectorField
	normalized bool
	tone       []float64
	sx, sy     float64 // canvas length per data unit along each axis
}

func (a *arrows) Dims() (c, r int) { return len(a.field.Xs), len(a.field.Ys) }
func (a *arrows) X(c int) float64  { return a.field.Xs[c] }
func (a *arrows) Y(r int) float64  { return a.field.Ys[r] }
func (a *arrows) at(c, r int) int  { return r*len(a.field.Xs) + c }
func (a *arrows) DataRange() (xmin, xmax, ymin, ymax float64) {
	return (&plotter.Field{FieldXY: a}).DataRange()
}

func (a *arrows) Vector(c, r int) plotter.XY {
	k := a.at(c, r)
	u, v := a.field.U[k]*a.sx, a.field.V[k]*a.sy
	if math.IsNaN(u) || math.IsNaN(v) {
		return plotter.XY{}
	}
	if a.normalized {
		// Field scales each glyph by the vector's length; the glyph undoes
		// that and draws a fixed length, so the length can carry the tone.
		n := math.Hypot(u, v)
		if n == 0 {
			return plotter.XY{}
		}
		s := (0.5 + 0.5*a.tone[k]) / n
		return plotter.XY{X: u * s, Y: v * s}
	}
	return plotter.XY{X: u, Y: v}
}

func (a *arrows) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	x0, x1, y0, y1 := a.field.Xs[0], a.field.Xs[1], a.field.Ys[0], a.field.Ys[1]
	cellW, cellH := trX(x1)-trX(x0), trY(y1)-trY(y0)
	a.sx, a.sy = float64(cellW)/(x1-x0), float64(cellH)/(y1-y0)
	fld := plotter.NewField(a)
	cell := min(cellW, cellH)
	fld.DrawGlyph = func(c vg.Canvas, _ draw.LineStyle, v plotter.XY) {
		m := math.Hypot(v.X, v.Y) // in (0, 1], relative to the longest
		if m < 1e-6 {
			return
		}
		// Field has scaled the unit glyph by m/2 of the cell; go back to
		// points, keeping its rotation.
		c.Scale(2/(m*float64(cellW)), 2/(m*float64(cellH)))
		length, col := 0.8*cell, arrowColor
		if a.normalized {
			g := uint8(190 * (1 - max(0, min(2*m-1, 1))))
			col = color.NRGBA{g, g, g, 0xff}
		} else {
			length = vg.Length(m) * 0.95 * cell
		}
		drawArrow(c, col, length)
	}
	fld.Plot(c, p)
}

// drawArrow draws an arrow of the given length along the x axis, centred on
// the origin.
func drawArrow(c vg.Canvas, col color.Color, length vg.Length) {
	head := min(0.35*length, vg.Points(5))
	c.SetColor(col)
	c.SetLineWidth(vg.Points(0.9))
	c.SetLineDash(nil, 0)
	var shaft vg.Path
	shaft.Move(vg.Point{X: -length / 2})
	shaft.Line(vg.Point{X: length/2 - head/2})
	c.Stroke(shaft)
	var tip vg.Path
	tip.Move(vg.Point{X: length / 2})
	tip.Line(vg.Point{X: length/2 - head, Y: head * 0.45})
	tip.Line(vg.Point{X: length/2 - head, Y: -head * 0.45})
	tip.Close()
	c.Fill(tip)
}

// arrowThumb is the legend entry of a vector field.
type arrowThumb struct{}

func (arrowThumb) Thumbnail(c *draw.Canvas) {
	c.Push()
	defer c.Pop()
	mid := (c.Min.Y + c.Max.Y) / 2
	c.Translate(vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: mid})
	drawArrow(c, arrowColor, c.Max.X-c.Min.X)
}
