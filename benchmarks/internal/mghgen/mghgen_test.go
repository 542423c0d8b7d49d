package mghgen_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/benchmarks"
	"github.com/nabla-ad/nabla/benchmarks/internal/mghgen"
	"github.com/nabla-ad/nabla/expr"
)

// TestGenerated checks that every MGH problem of the catalogue has
// generated functions, that the files are what nabla gen writes now with
// the options of doc.go's go:generate lines (go generate
// ./benchmarks/internal/mghgen updates them), and that Problems files
// each problem's functions under its name.
func TestGenerated(t *testing.T) {
	ps, err := benchmarks.Select("mgh")
	require.NoError(t, err)
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	assert.Len(t, mghgen.Problems, len(ps), "a problem in Problems is not in the catalogue")
	for _, p := range ps {
		t.Run(p.Name, func(t *testing.T) {
			name := funcName(p.Name)
			file := p.Name + "_gen.go"
			line := fmt.Sprintf("//go:generate go run ../../../cmd/nabla gen -f ../../problems/%s.nabla --sizes x=%d --package mghgen --func %s --flat --hvp --hessian -o %s\n", p.Name, p.N, name, file)
			assert.Contains(t, string(doc), line)

			// Compiled as nabla gen compiles it, so that the nodes, which
			// name the constants, are numbered alike.
			f, err := expr.Compile(p.Expr, &expr.Options{Sizes: map[string]int{"x": p.N}})
			require.NoError(t, err)
			var want bytes.Buffer
			require.NoError(t, f.Generate(&want, ad.GenOptions{Package: "mghgen", Name: name, Source: f.String(), HVP: true, Hessian: true, Flat: true}))
			got, err := os.ReadFile(file)
			require.NoError(t, err)
			require.Equal(t, want.String(), string(got), "%s is not what nabla gen writes: run go generate ./benchmarks/internal/mghgen", file)

			gen, ok := mghgen.Problems[p.Name]
			require.True(t, ok, "Problems has no %s", p.Name)
			require.Equal(t, p.N, gen.N)
			interp, x0, err := p.Func(p.N)
			require.NoError(t, err)
			wantG, gotG := make([]float64, p.N), make([]float64, p.N)
			wantF, err := interp.Grad(x0, wantG)
			require.NoError(t, err)
			assert.InDelta(t, wantF, gen.Value(x0), 1e-13*(1+abs(wantF)))
			assert.InDelta(t, wantF, gen.Grad(x0, gotG), 1e-13*(1+abs(wantF)))
			assert.InDeltaSlice(t, wantG, gotG, 1e-12*(1+abs(wantF)))
		})
	}
}

// funcName is the Go name of a problem's functions: chained_rosenbrock
// becomes ChainedRosenbrock.
func funcName(problem string) string {
	var b strings.Builder
	for w := range strings.SplitSeq(problem, "_") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func abs(x float64) float64 { return max(x, -x) }
