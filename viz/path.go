package viz

import (
	"errors"
	"fmt"
	"image/color"
	"math"

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

// maxMarkers bounds the markers of one path; a longer path gets a marker at
// every k-th point.
const maxMarkers = 60

// AddPaths draws optimizer paths over the figure: a polyline through the
// iterates with a marker at each, a ring at the start, and a legend entry
// "name (k steps, f=…)". A path is cut at its first non-finite point, with
// a note.
func (f *Figure) AddPaths(paths ...Path) error {
	for _, pa := range paths {
		pts := make(plotter.XYs, 0, len(pa.Points))
		for _, q := range pa.Points {
			if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
				break
			}
			pts = append(pts, plotter.XY{X: q[0], Y: q[1]})
		}
		if len(pts) == 0 {
			return fmt.Errorf("path %q has no finite points", pa.Name)
		}
		if len(pts) < len(pa.Points) {
			f.note("%s left the finite numbers after %d steps", pa.Name, len(pts)-1)
		}
		col := PathColor(f.paths)
		f.paths++
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.6)}
		every := (len(pts) + maxMarkers - 1) / maxMarkers
		var marked plotter.XYs
		for k := 0; k < len(pts); k += every {
			marked = append(marked, pts[k])
		}
		marks, err := plotter.NewScatter(marked)
		if err != nil {
			return err
		}
		marks.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		start, err := plotter.NewScatter(pts[:1])
		if err != nil {
			return err
		}
		start.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.RingGlyph{}}
		f.Plot.Add(line, marks, start)
		f.AddLegend(pathLabel(pa.Name, len(pts)-1, pa.Value), line, marks)
	}
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
