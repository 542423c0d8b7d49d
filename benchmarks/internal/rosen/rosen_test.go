package rosen

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// TestGenerated checks that the files are what the go:generate lines of
// doc.go write now: go generate ./benchmarks/internal/rosen updates them.
func TestGenerated(t *testing.T) {
	chained, err := os.ReadFile("../../problems/chained_rosenbrock.nabla")
	require.NoError(t, err)
	for _, c := range []struct {
		file, src string
		n         int
		opts      ad.GenOptions
	}{
		{"rosenbrock2_gen.go", "(1 - x)^2 + 100*(y - x^2)^2", 0, ad.GenOptions{Name: "Rosenbrock2", HVP: true}},
		{"chained1e3_gen.go", string(chained), 1000, ad.GenOptions{Name: "Chained1e3"}},
		{"chained1e6_gen.go", string(chained), 1000000, ad.GenOptions{Name: "Chained1e6", HVP: true}},
	} {
		var sizes map[string]int
		if c.n > 0 {
			sizes = map[string]int{"x": c.n}
		}
		f, err := expr.Compile(c.src, &expr.Options{Sizes: sizes})
		require.NoError(t, err)
		c.opts.Package, c.opts.Source = "rosen", c.src
		var want bytes.Buffer
		require.NoError(t, f.Generate(&want, c.opts))
		got, err := os.ReadFile(c.file)
		require.NoError(t, err)
		require.Equal(t, want.String(), string(got), "%s is not what nabla gen writes: run go generate ./benchmarks/internal/rosen", c.file)
	}
}
