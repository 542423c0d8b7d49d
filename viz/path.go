package viz

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A Path is the trajectory of an optimizer in the coordinates of a picture.
type Path struct {
	// Name is the method's name, shown in the legend.
	Name string
	// Points are the iterates, the starting point first.
	Points [][2]float64
	// Value is f at the last point, shown in the legend; NaN if unknown.
	Value float64
	// Values are f at each point. A path is drawn on a surface
	// (NewSurfacePlot) at these heights; other pictures do not need them.
	Values []float64
}

// ProjectPath returns the coordinates in the plane p of the points of a
// trajectory in the full space.
func ProjectPath(p Plane, xs [][]float64) ([][2]float64, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	out := make([][2]float64, len(xs))
	for k, x := range xs {
		if len(x) != p.Dim() {
			return nil, fmt.Errorf("point %d has %d coordinates, the plane lies in %d dimensions", k, len(x), p.Dim())
		}
		out[k][0], out[k][1] = p.Project(x)
	}
	return out, nil
}

// pathColors are strong colours that stand out against the contour colours.
var pathColors = []color.Color{
	color.NRGBA{0xd6, 0x27, 0x28, 0xff}, // red
	color.NRGBA{0xff, 0x7f, 0x0e, 0xff}, // orange
	color.NRGBA{0x00, 0x00, 0x00, 0xff}, // black
	color.NRGBA{0xe3, 0x77, 0xc2, 0xff}, // pink
	color.NRGBA{0x8c, 0x56, 0x4b, 0xff}, // brown
	color.NRGBA{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

// PathColor returns the colour of the i-th path of a figure.
func PathColor(i int) color.Color { return pathColors[i%len(pathColors)] }

// pathDashes are the dash patterns of lines that may lie on top of each
// other, so that each stays visible: solid, dashed, dotted, dash-dotted.
var pathDashes = [][]vg.Length{
	nil,
	{vg.Points(7), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(7), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
}

// PathDashes returns the dash pattern of the i-th path of a figure.
func PathDashes(i int) []vg.Length { return pathDashes[i%len(pathDashes)] }

// pathWidth is the width of the line drawn on top; each line under it is
// pathWidthStep wider, so that it shows on both sides of those above.
const (
	pathWidth     = 1.6
	pathWidthStep = 1.2
)

// maxMarkers bounds the markers of one path; a longer path gets a marker at
// every k-th point.
const maxMarkers = 60

// AddPaths draws optimizer paths over the figure: a polyline through the
// iterates with a marker at each, a ring at the start, and a legend entry
// "name (k steps, f=…)", in the order given. Paths often run along the same
// valley, so each has its own colour and dash pattern, and the longest is
// drawn first and widest: shorter paths lie on top of longer ones. A path
// is cut at its first non-finite point, with a note. On a surface the
// points are drawn at the heights Path.Values.
func (f *Figure) AddPaths(paths ...Path) error {
	type drawn struct {
		pts          plotter.XYs
		length       float64
		line         *plotter.Line
		marks, start *plotter.Scatter
	}
	ds := make([]drawn, len(paths))
	for i, pa := range paths {
		if f.proj != nil && len(pa.Values) != len(pa.Points) {
			return fmt.Errorf("path %q: %d values for %d points: a path on a surface needs f at every point", pa.Name, len(pa.Values), len(pa.Points))
		}
		d := &ds[i]
		for k, q := range pa.Points {
			if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
				break
			}
			if f.proj != nil {
				if z := pa.Values[k]; math.IsNaN(z) || math.IsInf(z, 0) {
					break
				}
				q[0], q[1] = f.proj.at(q[0], q[1], pa.Values[k])
			}
			d.pts = append(d.pts, plotter.XY{X: q[0], Y: q[1]})
		}
		if len(d.pts) == 0 {
			return fmt.Errorf("path %q has no finite points", pa.Name)
		}
		if len(d.pts) < len(pa.Points) {
			f.note("%s left the finite numbers after %d steps", pa.Name, len(d.pts)-1)
		}
		for k := 1; k < len(d.pts); k++ {
			d.length += math.Hypot(d.pts[k].X-d.pts[k-1].X, d.pts[k].Y-d.pts[k-1].Y)
		}
	}
	// Drawing order: the longest path first.
	order := make([]int, len(ds))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ds[b].length, ds[a].length) })
	for rank, i := range order {
		d, n := &ds[i], f.paths+i
		col := PathColor(n)
		var err error
		if d.line, err = plotter.NewLine(d.pts); err != nil {
			return err
		}
		width := pathWidth + pathWidthStep*float64(len(order)-1-rank)
		d.line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(width), Dashes: PathDashes(n)}
		every := (len(d.pts) + maxMarkers - 1) / maxMarkers
		var marked plotter.XYs
		for k := 0; k < len(d.pts); k += every {
			marked = append(marked, d.pts[k])
		}
		if d.marks, err = plotter.NewScatter(marked); err != nil {
			return err
		}
		d.marks.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		if d.start, err = plotter.NewScatter(d.pts[:1]); err != nil {
			return err
		}
		d.start.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.RingGlyph{}}
		f.Plot.Add(d.line, d.marks, d.start)
	}
	for i, pa := range paths {
		f.AddLegend(pathLabel(pa.Name, len(ds[i].pts)-1, pa.Value), ds[i].line, ds[i].marks)
	}
	f.paths += len(paths)
	return nil
}

func pathLabel(name string, steps int, value float64) string {
	unit := "steps"
	if steps == 1 {
		unit = "step"
	}
	if math.IsNaN(value) {
		return fmt.Sprintf("%s (%d %s)", name, steps, unit)
	}
	return fmt.Sprintf("%s (%d %s, f=%s)", name, steps, unit, formatValue(value))
}

var errNoData = errors.New("no data to draw")
