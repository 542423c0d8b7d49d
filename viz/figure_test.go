package viz

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// svgOf draws a figure as SVG.
func svgOf(t *testing.T, fig *Figure) string {
	t.Helper()
	wt, err := fig.WriterTo("svg")
	require.NoError(t, err)
	var b bytes.Buffer
	_, err = wt.WriteTo(&b)
	require.NoError(t, err)
	return b.String()
}

type svgPath struct{ d, style string }

// A path's style is left out when it has only default values: a black fill.
var pathRE = regexp.MustCompile(`<path d="([^"]*)"\s*(?:style="([^"]*)")?`)

func svgPaths(svg string) []svgPath {
	var ps []svgPath
	for _, m := range pathRE.FindAllStringSubmatch(svg, -1) {
		ps = append(ps, svgPath{m[1], m[2]})
	}
	return ps
}

// contourPaths are the stroked paths that are neither axes (black) nor one
// of the path colours.
func contourPaths(svg string) int {
	n := 0
	for _, p := range svgPaths(svg) {
		if strings.Contains(p.style, "stroke:") && !strings.Contains(p.style, "stroke:#000000") &&
			!strings.Contains(p.style, "stroke:#D62728") && !strings.Contains(p.style, "fill:#") {
			n++
		}
	}
	return n
}

func countWithStyle(svg, style string) int {
	n := 0
	for _, p := range svgPaths(svg) {
		if strings.Contains(p.style, style) {
			n++
		}
	}
	return n
}

func bowlMap(t *testing.T, opts MapOptions) *Figure {
	t.Helper()
	f := compile(t, "x^2 + y^2", "x", "y")
	s, err := Sample(f, xyPlane(t), Interval{-2, 2}, Interval{-2, 2}, 41, 41)
	require.NoError(t, err)
	fig, err := NewMap(s, opts)
	require.NoError(t, err)
	return fig
}

func TestMapContours(t *testing.T) {
	// The levels 1, 2 and 3 of x² + y² are circles inside the box: one
	// closed path each.
	svg := svgOf(t, bowlMap(t, MapOptions{Levels: []float64{3, 1, 2}, XLabel: "x", YLabel: "y", Title: "x^2 + y^2"}))
	assert.Equal(t, 3, contourPaths(svg))
	for _, text := range []string{">x<", ">y<", ">x^2 + y^2<", ">f<"} {
		assert.Contains(t, svg, text)
	}
	// Automatic levels: round, linear for a bowl.
	svg = svgOf(t, bowlMap(t, MapOptions{}))
	assert.Greater(t, contourPaths(svg), 5)
	assert.Contains(t, svg, "<image", "the colour bar")
}

func TestFieldArrows(t *testing.T) {
	for _, scale := range []ArrowScale{TrueLengthArrows, NormalizedArrows} {
		fig := bowlMap(t, MapOptions{})
		f := compile(t, "x^2 + y^2", "x", "y")
		v, err := SampleGradient(f, xyPlane(t), Interval{-2, 2}, Interval{-2, 2}, 12, 9)
		require.NoError(t, err)
		require.NoError(t, fig.AddField(v, FieldOptions{Scale: scale}))
		svg := svgOf(t, fig)
		// Each arrow has one filled head.
		heads := 0
		for _, p := range svgPaths(svg) {
			if (p.style == "" || strings.HasPrefix(p.style, "fill:#")) && strings.Count(p.d, "L") == 2 && strings.HasSuffix(p.d, "Z") {
				heads++
			}
		}
		assert.Equal(t, 12*9, heads, "scale %d", scale)
	}
}

// In the teaching picture each arrow is perpendicular to the contour
// through its point: on a circle's tangent the gradient of x² + y² is
// radial. Check it on the drawn SVG: the arrows' shafts point away from
// the centre of the map.
func TestFieldRadial(t *testing.T) {
	fig := bowlMap(t, MapOptions{})
	f := compile(t, "x^2 + y^2", "x", "y")
	v, err := SampleGradient(f, xyPlane(t), Interval{-2, 2}, Interval{-2, 2}, 4, 4)
	require.NoError(t, err)
	require.NoError(t, fig.AddField(v, FieldOptions{Scale: NormalizedArrows}))
	// The arrows are drawn in rotated groups; the rotation angles of the
	// four arrows nearest each corner are ±45° and ±135°.
	svg := svgOf(t, fig)
	rot := regexp.MustCompile(`rotate\(([-0-9.e]+)\)`)
	var angles []float64
	for _, m := range rot.FindAllStringSubmatch(svg, -1) {
		var a float64
		_, err := fmtSscan(m[1], &a)
		require.NoError(t, err)
		angles = append(angles, a)
	}
	require.Len(t, angles, 16)
	for k, a := range angles {
		i, j := k/4, k%4 // Field walks columns, then rows
		want := math.Atan2(v.Ys[j], v.Xs[i]) * 180 / math.Pi
		assert.InDelta(t, 0, math.Remainder(a-want, 360), 1.5, "arrow %d", k)
	}
}

func TestPaths(t *testing.T) {
	fig := bowlMap(t, MapOptions{})
	gd := Path{Name: "gd", Points: [][2]float64{{1, 1}, {0.8, 0.8}, {0.64, 0.64}, {0.512, 0.512}}, Value: 0.524288}
	mom := Path{Name: "momentum", Points: [][2]float64{{-1, 1}, {-0.5, 0.2}, {0, 0}}, Value: math.NaN()}
	require.NoError(t, fig.AddPaths(gd, mom))
	svg := svgOf(t, fig)
	assert.Contains(t, svg, ">gd (3 steps, f=0.5243)<")
	assert.Contains(t, svg, ">momentum (2 steps)<")
	// The legend keeps the order given; the longer path, momentum's, is
	// drawn first, wider and dashed, so that gd's lies on top of it.
	assert.Less(t, strings.Index(svg, ">gd ("), strings.Index(svg, ">momentum ("))
	first := [2]int{-1, -1} // where each path's first line is in the SVG
	for i, tc := range []struct {
		style  string
		points int
	}{
		{"stroke:" + hexColor(PathColor(0)) + ";stroke-width:1.6", 4},
		{"stroke:" + hexColor(PathColor(1)) + ";stroke-width:2.8;stroke-dasharray:7,3", 3},
	} {
		var lines []int
		for k, p := range svgPaths(svg) {
			if strings.HasSuffix(p.style, tc.style) {
				lines = append(lines, strings.Count(p.d, "L")+1)
				if first[i] < 0 {
					first[i] = k
				}
			}
		}
		// The polyline over the map and the legend's sample line.
		assert.ElementsMatch(t, []int{tc.points, 2}, lines, "path %d", i)
	}
	assert.Greater(t, first[0], first[1], "momentum is drawn before gd")
}

// A title too long for the picture is broken into lines that fit, with
// the notes under it.
func TestLongTitleFits(t *testing.T) {
	title := "f(x0 + a·d1 + b·d2) for sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2) (random directions, seed 1)"
	fig := bowlMap(t, MapOptions{Title: title})
	fig.Notes = append(fig.Notes, "a note")
	w, _ := fig.Size()
	lines := strings.Split(fig.Plot.Title.Text, "\n")
	require.Len(t, lines, 3, "%q", fig.Plot.Title.Text)
	for _, l := range lines {
		assert.LessOrEqual(t, fig.Plot.Title.TextStyle.Width(l), w-colorBarWidth, l)
	}
	assert.Equal(t, title, lines[0]+" "+lines[1])
	assert.Equal(t, "a note", lines[2])
	svg := svgOf(t, fig)
	assert.Equal(t, 1, strings.Count(svg, ">a note<"), "drawing again fits the same title")

	fig.Plot.Title.Text = "short"
	svgOf(t, fig)
	assert.Equal(t, "short\na note", fig.Plot.Title.Text)
}

func TestPathCutAtNonFinite(t *testing.T) {
	fig := bowlMap(t, MapOptions{})
	require.NoError(t, fig.AddPaths(Path{Name: "gd", Points: [][2]float64{{1, 1}, {5, 5}, {math.Inf(1), 0}}, Value: math.Inf(1)}))
	assert.Equal(t, []string{"gd left the finite numbers after 1 steps"}, fig.Notes)
	assert.Error(t, fig.AddPaths(Path{Name: "nan", Points: [][2]float64{{math.NaN(), 0}}}))
}

func TestMapGaps(t *testing.T) {
	f := compile(t, "log(x) + y^2", "x", "y")
	s, err := Sample(f, xyPlane(t), Interval{-1, 3}, Interval{-2, 2}, 41, 41)
	require.NoError(t, err)
	require.Equal(t, 11*41, s.NonFinite)
	fig, err := NewMap(s, MapOptions{})
	require.NoError(t, err)
	require.Len(t, fig.Notes, 1)
	assert.Contains(t, fig.Notes[0], "not finite at 451 of 1681 grid points")
	svg := svgOf(t, fig)
	assert.Greater(t, contourPaths(svg), 0)
	assert.NotContains(t, svg, "NaN")
	assert.Equal(t, 2, strings.Count(svg, "<image"), "the gap cover and the colour bar")
}

func TestMapErrors(t *testing.T) {
	f := compile(t, "0*x + 0*y + 1", "x", "y")
	s, err := Sample(f, xyPlane(t), Interval{-1, 1}, Interval{-1, 1}, 5, 5)
	require.NoError(t, err)
	_, err = NewMap(s, MapOptions{})
	assert.ErrorContains(t, err, "constant")
	g := compile(t, "log(-x^2-1) + y", "x", "y")
	s, err = Sample(g, xyPlane(t), Interval{-1, 1}, Interval{-1, 1}, 5, 5)
	require.NoError(t, err)
	_, err = NewMap(s, MapOptions{})
	assert.ErrorContains(t, err, "not finite anywhere")
	_, err = NewMap(&Surface{}, MapOptions{})
	assert.Error(t, err)
}

func TestSavePNGSize(t *testing.T) {
	fig := bowlMap(t, MapOptions{})
	fig.Width, fig.Height = 300*Pixel, 200*Pixel
	name := filepath.Join(t.TempDir(), "map.png")
	require.NoError(t, fig.Save(name))
	r, err := os.Open(name)
	require.NoError(t, err)
	defer r.Close()
	img, err := png.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, 300, img.Bounds().Dx())
	assert.Equal(t, 200, img.Bounds().Dy())
}

// Without a size a map keeps one scale on both axes: for a square box the
// data area is square.
func TestMapEqualAspect(t *testing.T) {
	fig := bowlMap(t, MapOptions{Title: "t", XLabel: "x", YLabel: "y"})
	require.NoError(t, fig.AddPaths(Path{Name: "a", Points: [][2]float64{{0, 0}}}))
	w, h := fig.Size()
	assert.Equal(t, DefaultWidth, w)
	c := newTestCanvas(w, h)
	da := fig.Plot.DataCanvas(fig.layout(c).main)
	assert.InDelta(t, float64(da.Max.X-da.Min.X), float64(da.Max.Y-da.Min.Y), 1)
}

func TestSaveFormatsAndErrors(t *testing.T) {
	fig := bowlMap(t, MapOptions{})
	dir := t.TempDir()
	for _, ext := range []string{"svg", "pdf"} {
		name := filepath.Join(dir, "map."+ext)
		require.NoError(t, fig.Save(name))
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		prefix := map[string]string{"svg": "<?xml", "pdf": "%PDF"}[ext]
		assert.True(t, bytes.HasPrefix(b, []byte(prefix)), ext)
	}
	assert.ErrorContains(t, fig.Save(filepath.Join(dir, "map.gif")), "want .svg, .png, .pdf")
	assert.ErrorContains(t, fig.Save(filepath.Join(dir, "map")), "cannot tell the picture format")
	err := fig.Save(filepath.Join(dir, "no", "such", "dir.svg"))
	assert.ErrorContains(t, err, "no such file or directory")
}

// Round levels of a linear function pass exactly through grid points and
// along cell diagonals; the map is still drawn.
func TestMapLevelsThroughGridPoints(t *testing.T) {
	for _, src := range []string{"x + y", "x*y", "x + 0*y", "max(x, y)"} {
		f := compile(t, src, "x", "y")
		s, err := Sample(f, xyPlane(t), Interval{-3, 3}, Interval{-3, 3}, 7, 7)
		require.NoError(t, err)
		fig, err := NewMap(s, MapOptions{})
		require.NoError(t, err, src)
		assert.Greater(t, contourPaths(svgOf(t, fig)), 0, src)
	}
}
