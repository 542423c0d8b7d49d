package viz

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The default view of NewSurfacePlot, in degrees: from the front right,
// a little above, as most plotting programs show a surface first.
const (
	DefaultAzimuth   = -60
	DefaultElevation = 30
)

// SurfaceOptions say how NewSurfacePlot draws a surface.
type SurfaceOptions struct {
	// Title, XLabel and YLabel label the picture and the two horizontal
	// axes.
	Title, XLabel, YLabel string
	// ValueLabel names the vertical axis and the colour bar; "f" if
	// empty.
	ValueLabel string
	// Azimuth and Elevation are the direction the surface is seen from,
	// in degrees: the eye turned Azimuth about the vertical axis from the
	// x axis, and Elevation above the (x, y) plane, from −90 to 90. They
	// are used as given: start from DefaultAzimuth and DefaultElevation.
	Azimuth, Elevation float64
	// Scale says how heights are coloured, as the levels of a map.
	Scale Scale
}

// A projection maps the box of a surface to the page: the box is scaled to
// [−1, 1] × [−1, 1] × [−zHalf, zHalf] and seen along the direction of the
// eye, without perspective.
type projection struct {
	x, y, z                    Interval
	sinAz, cosAz, sinEl, cosEl float64
}

// zHalf is half the height of the box relative to its width, so that a
// surface looks neither flat nor spiky, whatever its units.
const zHalf = 0.7

func newProjection(x, y, z Interval, azimuth, elevation float64) projection {
	az, el := azimuth*math.Pi/180, elevation*math.Pi/180
	return projection{x: x, y: y, z: z, sinAz: math.Sin(az), cosAz: math.Cos(az), sinEl: math.Sin(el), cosEl: math.Cos(el)}
}

// unit maps a point of the box to the unit box.
func (p projection) unit(x, y, z float64) (X, Y, Z float64) {
	return 2*(x-p.x.Min)/(p.x.Max-p.x.Min) - 1,
		2*(y-p.y.Min)/(p.y.Max-p.y.Min) - 1,
		zHalf * (2*(z-p.z.Min)/(p.z.Max-p.z.Min) - 1)
}

// screen returns the page coordinates of a point of the unit box and its
// depth, larger nearer the eye.
func (p projection) screen(X, Y, Z float64) (sx, sy, depth float64) {
	sx = -p.sinAz*X + p.cosAz*Y
	sy = -p.sinEl*p.cosAz*X - p.sinEl*p.sinAz*Y + p.cosEl*Z
	depth = p.cosEl*p.cosAz*X + p.cosEl*p.sinAz*Y + p.sinEl*Z
	return sx, sy, depth
}

// at returns the page coordinates of the point (x, y, z) of the data.
func (p projection) at(x, y, z float64) (sx, sy float64) {
	sx, sy, _ = p.screen(p.unit(x, y, z))
	return sx, sy
}

// NewSurfacePlot draws a sampled function as a surface in three
// dimensions, its cells coloured by height, with a colour bar, seen from
// the direction opts gives in orthographic projection. Cells with a corner
// where the function is not finite are left out, with a note. Paths drawn
// over it (AddPaths) need the function's value at each point
// (Path.Values).
func NewSurfacePlot(s *Surface, opts SurfaceOptions) (*Figure, error) {
	if s == nil || len(s.Xs) < 2 || len(s.Ys) < 2 || len(s.Values) != len(s.Xs)*len(s.Ys) {
		return nil, errors.New("surface: want a grid of at least 2 × 2 values")
	}
	if !(opts.Elevation >= -90 && opts.Elevation <= 90) || math.IsNaN(opts.Azimuth) || math.IsInf(opts.Azimuth, 0) {
		return nil, fmt.Errorf("surface: view from azimuth %g°, elevation %g°: want a finite azimuth and an elevation from -90 to 90", opts.Azimuth, opts.Elevation)
	}
	levels, m, err := autoLevels(s, DefaultLevels, opts.Scale)
	if err != nil {
		return nil, fmt.Errorf("surface: %w", err)
	}
	lo, hi, _ := s.Range()
	label := opts.ValueLabel
	if label == "" {
		label = "f"
	}
	x := Interval{s.Xs[0], s.Xs[len(s.Xs)-1]}
	y := Interval{s.Ys[0], s.Ys[len(s.Ys)-1]}
	proj := newProjection(x, y, Interval{lo, hi}, opts.Azimuth, opts.Elevation)
	cmap := levelColors()
	cmap.SetMin(m.to(lo))
	cmap.SetMax(m.to(hi))

	// The box seen from the eye, with room around it for the tick labels.
	var sxs, sys []float64
	for _, X := range []float64{-1, 1} {
		for _, Y := range []float64{-1, 1} {
			for _, Z := range []float64{-zHalf, zHalf} {
				sx, sy, _ := proj.screen(X, Y, Z)
				sxs, sys = append(sxs, sx), append(sys, sy)
			}
		}
	}
	bx := Interval{slices.Min(sxs) - 0.25, slices.Max(sxs) + 0.25}
	by := Interval{slices.Min(sys) - 0.2, slices.Max(sys) + 0.1}
	f := newFigure(opts.Title, "", "")
	f.Plot.HideAxes()
	f.proj = &proj
	f.Plot.Add(&surfacePlotter{s: s, proj: proj, m: m, cmap: cmap, labels: [3]string{opts.XLabel, opts.YLabel, label}, box: [2]Interval{bx, by}})
	f.fixBox(bx, by)

	mapped := make([]float64, len(levels))
	for k, l := range levels {
		mapped[k] = m.to(l)
	}
	f.ColorBar = colorBar(cmap, levels, mapped, label)
	if s.NonFinite > 0 {
		f.note("gaps: f is not finite at %d of %d grid points", s.NonFinite, len(s.Values))
	}
	return f, nil
}

// surfacePlotter draws a Surface through a projection: the floor of its
// box, the cells from the farthest to the nearest, and the axes' ticks.
type surfacePlotter struct {
	s      *Surface
	proj   projection
	m      levelMap
	cmap   palette.ColorMap
	labels [3]string
	box    [2]Interval
}

// A cell is a quadrilateral of the grid on the page.
type cell struct {
	corners [4]vg.Point
	depth   float64
	col     color.Color
}

// light is the direction light falls from, in the unit box: from above,
// a little from the front left.
var light = func() [3]float64 {
	v := [3]float64{-0.3, -0.4, 1}
	n := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
	return [3]float64{v[0] / n, v[1] / n, v[2] / n}
}()

func (sp *surfacePlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	page := func(X, Y, Z float64) vg.Point {
		sx, sy, _ := sp.proj.screen(X, Y, Z)
		return vg.Point{X: trX(sx), Y: trY(sy)}
	}
	sp.drawFloor(c, page)

	s := sp.s
	nx, ny := len(s.Xs), len(s.Ys)
	cells := make([]cell, 0, (nx-1)*(ny-1))
	for j := range ny - 1 {
		for i := range nx - 1 {
			idx := [4][2]int{{i, j}, {i + 1, j}, {i + 1, j + 1}, {i, j + 1}}
			var (
				ce     cell
				unit   [4][3]float64
				zsum   float64
				finite = true
			)
			for k, ij := range idx {
				z := s.Values[ij[1]*nx+ij[0]]
				if math.IsNaN(z) {
					finite = false
					break
				}
				X, Y, Z := sp.proj.unit(s.Xs[ij[0]], s.Ys[ij[1]], z)
				unit[k] = [3]float64{X, Y, Z}
				_, _, d := sp.proj.screen(X, Y, Z)
				ce.corners[k] = page(X, Y, Z)
				ce.depth += d / 4
				zsum += z
			}
			if !finite {
				continue
			}
			ce.col = shade(sp.cmap, sp.m.to(zsum/4), unit)
			cells = append(cells, ce)
		}
	}
	slices.SortFunc(cells, func(a, b cell) int { return cmpFloat(a.depth, b.depth) })
	for _, ce := range cells {
		var path vg.Path
		path.Move(ce.corners[0])
		for _, pt := range ce.corners[1:] {
			path.Line(pt)
		}
		path.Close()
		c.SetColor(ce.col)
		c.Fill(path)
		// An edge a little darker than the cell draws the mesh and
		// hides the seams between cells.
		c.SetLineStyle(draw.LineStyle{Color: darken(ce.col, 0.85), Width: vg.Points(0.3)})
		c.Stroke(path)
	}
	sp.drawTicks(c, p, page)
}

// shade returns the colour of a cell: its height's colour, darker the more
// the cell turns away from the light.
func shade(cmap palette.ColorMap, v float64, u [4][3]float64) color.Color {
	col, err := cmap.At(v)
	if err != nil {
		// Only values beyond the map's range fail, by rounding at its ends.
		col, _ = cmap.At(math.Max(cmap.Min(), math.Min(v, cmap.Max())))
	}
	// The normal is the cross product of the cell's diagonals.
	d1 := [3]float64{u[2][0] - u[0][0], u[2][1] - u[0][1], u[2][2] - u[0][2]}
	d2 := [3]float64{u[3][0] - u[1][0], u[3][1] - u[1][1], u[3][2] - u[1][2]}
	n := [3]float64{d1[1]*d2[2] - d1[2]*d2[1], d1[2]*d2[0] - d1[0]*d2[2], d1[0]*d2[1] - d1[1]*d2[0]}
	nn := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
	if nn == 0 {
		return col
	}
	cos := math.Abs(n[0]*light[0]+n[1]*light[1]+n[2]*light[2]) / nn
	return darken(col, 0.55+0.45*cos)
}

func darken(c color.Color, k float64) color.Color {
	r, g, b, a := c.RGBA()
	scale := func(v uint32) uint8 { return uint8(float64(v>>8) * k) }
	return color.NRGBA{scale(r), scale(g), scale(b), uint8(a >> 8)}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// nearSide returns the side, −1 or 1, of the unit box that faces the eye
// along an axis whose component of the eye's direction is v.
func nearSide(v float64) float64 {
	if v > 0 {
		return 1
	}
	return -1
}

// edge is the style of the box's edges and ticks.
var edge = draw.LineStyle{Color: color.NRGBA{0x90, 0x90, 0x90, 0xff}, Width: vg.Points(0.6)}

// drawFloor draws the floor of the box and the vertical edge at its
// back corner, which the surface is drawn over.
func (sp *surfacePlotter) drawFloor(c draw.Canvas, page func(X, Y, Z float64) vg.Point) {
	c.SetLineStyle(edge)
	var floor vg.Path
	for k, xy := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		pt := page(xy[0], xy[1], -zHalf)
		if k == 0 {
			floor.Move(pt)
		} else {
			floor.Line(pt)
		}
	}
	floor.Close()
	c.Stroke(floor)
	bx, by := -nearSide(sp.proj.cosAz), -nearSide(sp.proj.sinAz)
	c.StrokeLines(edge, []vg.Point{page(bx, by, -zHalf), page(bx, by, zHalf)})
}

// drawTicks labels the axes: x along the floor's near edge parallel to it,
// y along the other near edge, and f up the vertical edge at the floor's
// leftmost corner.
func (sp *surfacePlotter) drawTicks(c draw.Canvas, p *plot.Plot, page func(X, Y, Z float64) vg.Point) {
	pr := sp.proj
	nearX, nearY := nearSide(pr.cosAz), nearSide(pr.sinAz)
	tickStyle, nameStyle := p.X.Tick.Label, p.X.Label.TextStyle
	tickStyle.XAlign, tickStyle.YAlign = draw.XCenter, draw.YCenter
	nameStyle.XAlign, nameStyle.YAlign = draw.XCenter, draw.YCenter
	centre := page(0, 0, -zHalf)
	// outward returns the unit normal on the page of the floor's edge
	// along which at runs that points away from the floor's centre, so
	// that labels sit outside the box and the two edges meeting at a
	// corner put their labels on either side of it.
	outward := func(at func(u float64) vg.Point) func(vg.Point) vg.Point {
		d := at(1).Sub(at(-1))
		n := unitVector(vg.Point{X: -d.Y, Y: d.X})
		if mid := at(0).Sub(centre); n.Dot(mid) < 0 {
			n = n.Scale(-1)
		}
		return func(vg.Point) vg.Point { return n }
	}
	// axis writes the ticks of iv at the points at(u) of an edge of the
	// unit box, u from −1 to 1, each moved out along out(pt), and the
	// axis's name beyond the edge's middle.
	axis := func(iv Interval, name string, at func(u float64) vg.Point, out func(vg.Point) vg.Point) {
		for _, t := range (plot.DefaultTicks{}).Ticks(iv.Min, iv.Max) {
			if t.Label == "" || t.Value < iv.Min || t.Value > iv.Max {
				continue
			}
			pt := at(2*(t.Value-iv.Min)/(iv.Max-iv.Min) - 1)
			d := out(pt)
			c.StrokeLines(edge, []vg.Point{pt, pt.Add(d.Scale(vg.Points(3)))})
			c.FillText(tickStyle, pt.Add(d.Scale(vg.Points(16))), t.Label)
		}
		if name != "" {
			mid := at(0)
			c.FillText(nameStyle, mid.Add(out(mid).Scale(vg.Points(30))), name)
		}
	}
	xAt := func(u float64) vg.Point { return page(u, nearY, -zHalf) }
	yAt := func(u float64) vg.Point { return page(nearX, u, -zHalf) }
	axis(pr.x, sp.labels[0], xAt, outward(xAt))
	axis(pr.y, sp.labels[1], yAt, outward(yAt))

	// The vertical axis stands at the floor's leftmost corner on the page,
	// labelled on its left.
	corner, left := [2]float64{}, vg.Length(math.Inf(1))
	for _, xy := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		if pt := page(xy[0], xy[1], -zHalf); pt.X < left {
			corner, left = xy, pt.X
		}
	}
	zAt := func(u float64) vg.Point { return page(corner[0], corner[1], u*zHalf) }
	c.StrokeLines(edge, []vg.Point{zAt(-1), zAt(1)})
	axis(pr.z, sp.labels[2], zAt, func(vg.Point) vg.Point { return vg.Point{X: -1} })
}

// unitVector returns d scaled to length 1, or d if it is zero.
func unitVector(d vg.Point) vg.Point {
	n := vg.Length(math.Hypot(float64(d.X), float64(d.Y)))
	if n == 0 {
		return d
	}
	return d.Scale(1 / n)
}

// DataRange returns the box the figure shows: the unit box on the page,
// with room around it for the labels.
func (sp *surfacePlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return sp.box[0].Min, sp.box[0].Max, sp.box[1].Min, sp.box[1].Max
}
