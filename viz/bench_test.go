package viz

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkContour draws Rosenbrock's function over [-2, 2] × [-1, 3]: the
// rosenbrock400 case samples a 400 × 400 grid, its gradient on a 40 × 40
// grid of arrows, and renders the map with arrows and colour bar to SVG and
// PNG. The sample400 and gradient400 cases measure the concurrent
// evaluation alone: values, and gradients, at all 160 000 points.
func BenchmarkContour(b *testing.B) {
	f := compile(b, "100*(y - x^2)^2 + (1 - x)^2", "x", "y")
	p := xyPlane(b)
	x, y := Interval{-2, 2}, Interval{-1, 3}
	for _, format := range []string{"svg", "png"} {
		b.Run("rosenbrock400/"+format, func(b *testing.B) {
			for b.Loop() {
				s, err := Sample(f, p, x, y, 400, 400)
				require.NoError(b, err)
				fig, err := NewMap(s, MapOptions{Title: "rosenbrock", XLabel: "x", YLabel: "y"})
				require.NoError(b, err)
				v, err := SampleGradient(f, p, x, y, 40, 40)
				require.NoError(b, err)
				v.Negate()
				require.NoError(b, fig.AddField(v, FieldOptions{Label: "−grad f"}))
				wt, err := fig.WriterTo(format)
				require.NoError(b, err)
				_, err = wt.WriteTo(io.Discard)
				require.NoError(b, err)
			}
		})
	}
	b.Run("sample400", func(b *testing.B) {
		for b.Loop() {
			_, err := Sample(f, p, x, y, 400, 400)
			require.NoError(b, err)
		}
	})
	b.Run("gradient400", func(b *testing.B) {
		for b.Loop() {
			_, err := SampleGradient(f, p, x, y, 400, 400)
			require.NoError(b, err)
		}
	})
}
