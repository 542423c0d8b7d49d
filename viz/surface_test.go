package viz

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Seen from the front (azimuth −90°, elevation 0) the page shows x across
// and f up; seen from above (elevation 90°) with azimuth 0, y across and
// −x up. The box is scaled to [−1, 1]² × [−zHalf, zHalf].
func TestProjection(t *testing.T) {
	box := [3]Interval{{0, 4}, {-1, 1}, {10, 20}}
	front := newProjection(box[0], box[1], box[2], -90, 0)
	sx, sy := front.at(3, 0.5, 12)
	assert.InDelta(t, 0.5, sx, 1e-15)
	assert.InDelta(t, -0.6*zHalf, sy, 1e-15)
	_, _, near := front.screen(0, -1, 0)
	_, _, far := front.screen(0, 1, 0)
	assert.Greater(t, near, far, "y = −1 faces the eye")

	top := newProjection(box[0], box[1], box[2], 0, 90)
	sx, sy = top.at(3, 0.5, 12)
	assert.InDelta(t, 0.5, sx, 1e-15)
	assert.InDelta(t, -0.5, sy, 1e-15)
}

func bowlSurface(t *testing.T, src string, n int) *Surface {
	t.Helper()
	s, err := Sample(compile(t, src, "x", "y"), xyPlane(t), Interval{-2, 2}, Interval{-2, 2}, n, n)
	require.NoError(t, err)
	return s
}

// filledQuads counts the cells of a surface in an SVG: filled paths with
// four corners, other than the white backgrounds.
func filledQuads(svg string) int {
	n := 0
	for _, p := range svgPaths(svg) {
		if strings.Contains(p.style, "fill:#") && !strings.Contains(p.style, "fill:#FFFFFF") && strings.Count(p.d, "L") == 3 && strings.HasSuffix(p.d, "Z") {
			n++
		}
	}
	return n
}

func TestSurfacePlot(t *testing.T) {
	opts := SurfaceOptions{Title: "bowl", XLabel: "x", YLabel: "y", Azimuth: DefaultAzimuth, Elevation: DefaultElevation}
	fig, err := NewSurfacePlot(bowlSurface(t, "x^2 + y^2", 11), opts)
	require.NoError(t, err)
	path := Path{Name: "gd", Points: [][2]float64{{1, 1}, {0.5, 0.5}, {0, 0}}, Values: []float64{2, 0.5, 0}, Value: 0}
	require.NoError(t, fig.AddPaths(path))
	svg := svgOf(t, fig)
	assert.Equal(t, 10*10, filledQuads(svg), "one cell per grid square")
	for _, text := range []string{">bowl<", ">x<", ">y<", ">f<", ">gd (2 steps, f=0)<"} {
		assert.Contains(t, svg, text)
	}
	// The path's last point, f = 0 at the origin, is drawn where the
	// projection puts the bottom of the bowl.
	require.NotNil(t, fig.proj)
	sx, sy := fig.proj.at(0, 0, 0)
	fx, fy, _ := fig.proj.screen(0, 0, -zHalf)
	assert.Equal(t, [2]float64{fx, fy}, [2]float64{sx, sy}, "f = 0 is the floor of the box")

	path.Values = path.Values[:2]
	assert.ErrorContains(t, fig.AddPaths(path), "needs f at every point")

	opts.Elevation = 100
	_, err = NewSurfacePlot(bowlSurface(t, "x^2 + y^2", 5), opts)
	assert.ErrorContains(t, err, "elevation")
}

func TestSurfaceGaps(t *testing.T) {
	// log(x) is not finite on the columns x = −2, −1, 0 of 5 × 5 points:
	// the cells between the last two columns are left.
	s := bowlSurface(t, "log(x) + y^2", 5)
	require.Equal(t, 15, s.NonFinite)
	fig, err := NewSurfacePlot(s, SurfaceOptions{Azimuth: DefaultAzimuth, Elevation: DefaultElevation})
	require.NoError(t, err)
	assert.Equal(t, 4, filledQuads(svgOf(t, fig)))
	assert.Equal(t, []string{"gaps: f is not finite at 15 of 25 grid points"}, fig.Notes)
	_, err = NewSurfacePlot(bowlSurface(t, "0*x + 0*y", 3), SurfaceOptions{})
	assert.ErrorContains(t, err, "constant")
}
