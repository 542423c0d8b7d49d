package gradbench

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// TestPrepareCompilesOnlyTheGradient checks that preparing a gradient does
// the work of preparing the value and of one first gradient, which
// compiles the gradient program, and no more: no other derivative's
// program, as Precompile would compile. The work is counted in
// allocations, which compiling makes many of.
func TestPrepareCompilesOnlyTheGradient(t *testing.T) {
	gmmInput := gmmPrimal{d: 3, k: 2, n: 6, gamma: 1.2, x: make([]float64, 6*3)}.input(make([]float64, 2+2*2*3+2*3))
	for _, c := range []struct {
		mod, value, gradient string
		input                any
		// model compiles the model as the functions do.
		model func(t *testing.T) (*ad.Func, []float64)
	}{
		{"hello", "square", "double", 1.5, func(t *testing.T) (*ad.Func, []float64) {
			f, err := expr.Compile(source("hello.nabla"), nil)
			require.NoError(t, err)
			return f.Func, []float64{1.5}
		}},
		{"gmm", "objective", "jacobian", gmmInput, func(t *testing.T) (*ad.Func, []float64) {
			raw, err := json.Marshal(gmmInput)
			require.NoError(t, err)
			in, err := decodeObject("input", raw)
			require.NoError(t, err)
			m, err := decodeGMM(in)()
			require.NoError(t, err)
			return m.f.Func, m.x
		}},
	} {
		compiled := testing.AllocsPerRun(3, func() { c.model(t) })
		firstGradient := testing.AllocsPerRun(3, func() {
			f, x := c.model(t)
			_, err := f.Grad(x, make([]float64, f.Dim()))
			require.NoError(t, err)
		}) - compiled
		value, gradient := prepareAllocs(t, c.mod, c.value, c.input), prepareAllocs(t, c.mod, c.gradient, c.input)
		assert.LessOrEqual(t, gradient, value+1.1*firstGradient, "%s: a gradient's preparation allocates %v times, its value's %v and a first gradient %v",
			c.mod, gradient, value, firstGradient)
	}
}

// prepareAllocs returns the allocations of decoding the input of a
// module's function and preparing its runs.
func prepareAllocs(t *testing.T, mod, fn string, input any) float64 {
	f, err := lookup(mod, fn)
	require.NoError(t, err)
	raw, err := json.Marshal(input)
	require.NoError(t, err)
	return testing.AllocsPerRun(3, func() {
		prepare, err := f.decode(raw)
		require.NoError(t, err)
		_, err = prepare()
		require.NoError(t, err)
	})
}
