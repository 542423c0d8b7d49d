package viz

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/nabla-ad/nabla/internal/atomicfile"
)

// Pixel is the length of one pixel of a PNG drawn at plot's default 96 dots
// per inch; sizes given in pixels (as the nabla command takes them) are
// multiples of it.
const Pixel = vg.Inch / 96

// The default size of a figure: 640 pixels wide and, unless the figure
// keeps its axes to one scale, 480 high.
const (
	DefaultWidth  = 640 * Pixel
	DefaultHeight = 480 * Pixel
)

// Formats are the file formats Figure.Save writes, by file extension.
var Formats = []string{"svg", "png", "pdf"}

// A Figure is a plot with, optionally, a colour bar at its right and a
// legend below it. Its fields may be changed before it is drawn.
type Figure struct {
	Plot *plot.Plot
	// ColorBar, when not nil, is drawn at the right of Plot, level with its
	// data area.
	ColorBar *plot.Plot
	// Legend is drawn below Plot when entries have been added to it
	// (AddLegend), so that it never hides the data.
	Legend plot.Legend
	// Notes say what the picture leaves out, such as points where the
	// function is not finite. They are also shown under the title.
	Notes []string
	// Width and Height are the size of the picture; zero means
	// DefaultWidth and a height that gives both axes one scale when the
	// figure asks for that (maps), DefaultHeight otherwise.
	Width, Height vg.Length

	box     *[2]Interval // when set, the axes are fixed to it
	aspect  float64      // > 0: keep the data area this high per unit width
	entries int          // legend entries
	paths   int          // paths drawn, for their colours
	title   string       // the title before fitTitle wrapped it
	shown   string       // the title fitTitle set
	proj    *projection  // of a surface: paths are drawn through it
}

func newFigure(title, xlabel, ylabel string) *Figure {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Title.Padding = vg.Points(6)
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks, linearTicks
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	return &Figure{Plot: p, Legend: legend}
}

// AddLegend adds an entry to the figure's legend.
func (f *Figure) AddLegend(name string, thumbs ...plot.Thumbnailer) {
	f.Legend.Add(name, thumbs...)
	f.entries++
}

func (f *Figure) note(format string, args ...any) {
	f.Notes = append(f.Notes, fmt.Sprintf(format, args...))
}

// Size returns the size the figure is drawn at.
func (f *Figure) Size() (w, h vg.Length) {
	w, h = f.Width, f.Height
	if w <= 0 {
		w = DefaultWidth
	}
	f.fitTitle(w)
	if h > 0 {
		return w, h
	}
	h = w * 3 / 4
	if f.Height <= 0 && f.Width <= 0 {
		h = DefaultHeight
	}
	if f.aspect <= 0 {
		return w, h
	}
	// The axes and labels take room that does not grow with the height, so
	// measure the data area and correct the height; twice, since the
	// tick labels change with the height.
	for range 2 {
		c := draw.NewCanvas(new(recorder.Canvas), w, h)
		da := f.Plot.DataCanvas(f.layout(c).main)
		dw, dh := da.Max.X-da.Min.X, da.Max.Y-da.Min.Y
		h += vg.Length(f.aspect)*dw - dh
		h = max(w/2, min(h, 2*w))
	}
	return w, h
}

type layout struct {
	main, bar, legend draw.Canvas
	hasBar, hasLegend bool
}

// colorBarWidth is the room at the right of a figure for its colour bar
// and the bar's tick labels.
const colorBarWidth = 78

func (f *Figure) layout(c draw.Canvas) layout {
	l := layout{main: c}
	if f.entries > 0 {
		r := f.Legend.Rectangle(c)
		lh := r.Max.Y - r.Min.Y + vg.Points(8)
		l.legend = draw.Crop(c, 0, 0, 0, -(c.Max.Y - c.Min.Y - lh))
		l.main = draw.Crop(c, 0, 0, lh, 0)
		l.hasLegend = true
	}
	if f.ColorBar != nil {
		full := l.main
		l.main = draw.Crop(full, 0, -colorBarWidth, 0, 0)
		da := f.Plot.DataCanvas(l.main)
		l.bar = draw.Crop(full, full.Max.X-full.Min.X-colorBarWidth+vg.Points(14), -vg.Points(18),
			da.Min.Y-full.Min.Y, da.Max.Y-full.Max.Y)
		l.hasBar = true
	}
	return l
}

// Draw draws the figure on a canvas.
func (f *Figure) Draw(c draw.Canvas) {
	if f.box != nil {
		f.Plot.X.Min, f.Plot.X.Max = f.box[0].Min, f.box[0].Max
		f.Plot.Y.Min, f.Plot.Y.Max = f.box[1].Min, f.box[1].Max
	}
	f.fitTitle(c.Max.X - c.Min.X)
	l := f.layout(c)
	f.Plot.Draw(l.main)
	if l.hasBar {
		f.ColorBar.Draw(l.bar)
	}
	if l.hasLegend {
		da := f.Plot.DataCanvas(l.main)
		f.Legend.XOffs = da.Min.X - c.Min.X
		f.Legend.Draw(l.legend)
	}
}

// fitTitle sets the plot's title to the title and the notes under it,
// each broken into lines that fit the width of a figure drawn width wide,
// so that a long expression in a title is not cut off at the edges.
func (f *Figure) fitTitle(width vg.Length) {
	if f.Plot.Title.Text != f.shown {
		f.title = f.Plot.Title.Text // set since the title was last fitted
	}
	if f.ColorBar != nil {
		width -= colorBarWidth // the title is centred over the plot alone
	}
	width -= 2 * f.Plot.Title.Padding
	var lines []string
	for _, l := range append(strings.Split(f.title, "\n"), f.Notes...) {
		lines = append(lines, wrapText(l, width, f.Plot.Title.TextStyle)...)
	}
	f.shown = strings.TrimSpace(strings.Join(lines, "\n"))
	f.Plot.Title.Text = f.shown
}

// wrapText breaks a line of text at spaces into lines no wider than width,
// as far as its words allow.
func wrapText(line string, width vg.Length, style text.Style) []string {
	if style.Width(line) <= width {
		return []string{line}
	}
	var lines []string
	cur := ""
	for _, w := range strings.Split(line, " ") {
		switch {
		case cur == "":
			cur = w
		case style.Width(cur+" "+w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	return append(lines, cur)
}

// WriterTo draws the figure in a format of Formats ("svg", "png", "pdf").
func (f *Figure) WriterTo(format string) (io.WriterTo, error) {
	if !knownFormat(format) {
		return nil, fmt.Errorf("unknown picture format %q: want %s", format, strings.Join(Formats, ", "))
	}
	w, h := f.Size()
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	if err := f.safeDraw(draw.New(c)); err != nil {
		return nil, err
	}
	return c, nil
}

// safeDraw draws the figure, turning a panic of the plotting library on
// unusual data into an error.
func (f *Figure) safeDraw(c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing the picture failed: %v", r)
		}
	}()
	f.Draw(c)
	return nil
}

func knownFormat(format string) bool {
	for _, k := range Formats {
		if format == k {
			return true
		}
	}
	return false
}

// FormatOf returns the picture format of a file name: its extension, which
// must be one of Formats.
func FormatOf(name string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if !knownFormat(ext) {
		return "", fmt.Errorf("%s: cannot tell the picture format from the extension %q: want .%s", name, filepath.Ext(name), strings.Join(Formats, ", ."))
	}
	return ext, nil
}

// Save writes the figure to a file, in the format its extension names
// (.svg, .png or .pdf). The file is replaced only once the picture is
// written completely, so a failure, such as a full disk, leaves any old file
// as it was and no partial file behind.
func (f *Figure) Save(name string) error {
	format, err := FormatOf(name)
	if err != nil {
		return err
	}
	wt, err := f.WriterTo(format)
	if err != nil {
		return err
	}
	return atomicfile.Write(name, 0o644, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// fixBox fixes the axes to a box and asks for one scale on both axes when
// the box is not too far from square.
func (f *Figure) fixBox(x, y Interval) {
	f.box = &[2]Interval{x, y}
	if r := (y.Max - y.Min) / (x.Max - x.Min); r >= 0.5 && r <= 2 {
		f.aspect = r
	}
}

// formatValue writes a function value compactly for a legend or a tick.
func formatValue(v float64) string {
	if v == 0 || math.Abs(v) >= 1e-3 && math.Abs(v) < 1e5 {
		return fmt.Sprintf("%.4g", v)
	}
	return fmt.Sprintf("%.3g", v)
}
