package viz

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

func fmtSscan(s string, v *float64) (int, error) { return fmt.Sscan(s, v) }

// hexColor writes a colour as vgsvg does.
func hexColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)
}

func newTestCanvas(w, h vg.Length) draw.Canvas {
	return draw.NewCanvas(new(recorder.Canvas), w, h)
}
