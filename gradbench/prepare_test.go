package gradbench

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// TestPrepareCompilesOnlyTheGradient checks that preparing a derivative
// does the work of preparing the value and of one first pass of each
// derivative the runs take, which compiles their programs, and no more: no
// other derivative's program, as Precompile would compile. The work is
// counted in allocations, which compiling makes many of.
func TestPrepareCompilesOnlyTheGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gmmInput := gmmPrimal{d: 3, k: 2, n: 6, gamma: 1.2, x: make([]float64, 6*3)}.input(make([]float64, 2+2*2*3+2*3))
	odeInput := map[string]any{"x": randomVector(r, 4), "s": 3}
	baIn := baInput(r, 2, 3, 5)
	htSimple, htComplicated := newHT(r, 8, 5, false).input(), newHT(r, 8, 5, true).input()
	// decoded decodes input as the module's functions do.
	decoded := func(t *testing.T, input any) *object {
		raw, err := json.Marshal(input)
		require.NoError(t, err)
		in, err := decodeObject("input", raw)
		require.NoError(t, err)
		return in
	}
	// grad returns the first gradient of f at x.
	grad := func(t *testing.T, f *ad.Func, x []float64) func() {
		return func() {
			_, err := f.Grad(x, make([]float64, f.Dim()))
			require.NoError(t, err)
		}
	}
	// jvp returns the first forward pass of ht's model.
	jvp := func(t *testing.T, input any) func() {
		h, err := decodeHT(decoded(t, input))()
		require.NoError(t, err)
		return func() {
			y := make([]float64, h.f.Len())
			require.NoError(t, h.f.JVP(h.x, make([]float64, h.f.Dim()), y, make([]float64, len(y))))
		}
	}
	for _, c := range []struct {
		mod, value, derivative string
		input                  any
		// model compiles the model as the functions do and returns the
		// first passes of the derivatives their runs take.
		model func(t *testing.T) func()
	}{
		{"hello", "square", "double", 1.5, func(t *testing.T) func() {
			f, err := expr.Compile(source("hello.nabla"), nil)
			require.NoError(t, err)
			return grad(t, f.Func, []float64{1.5})
		}},
		{"gmm", "objective", "jacobian", gmmInput, func(t *testing.T) func() {
			m, err := decodeGMM(decoded(t, gmmInput))()
			require.NoError(t, err)
			return grad(t, m.f.Func, m.x)
		}},
		{"ode", "primal", "gradient", odeInput, func(t *testing.T) func() {
			f, x, err := decodeODE(decoded(t, odeInput))()
			require.NoError(t, err)
			return func() {
				last := make([]float64, f.Len())
				last[len(last)-1] = 1
				require.NoError(t, f.VJP(x, last, make([]float64, f.Len()), make([]float64, f.Dim())))
			}
		}},
		{"ba", "objective", "jacobian", baIn, func(t *testing.T) func() {
			m, err := decodeBA(decoded(t, baIn))()
			require.NoError(t, err)
			return func() {
				x, g := make([]float64, baDim), make([]float64, baDim)
				require.NoError(t, m.observation(0, x).VJP(x, []float64{1, 0}, make([]float64, 2), g))
				require.NoError(t, m.werr.VJP(m.w, m.w, make([]float64, m.p), make([]float64, m.p)))
			}
		}},
		{"ht", "objective", "jacobian", htSimple, func(t *testing.T) func() { return jvp(t, htSimple) }},
		{"ht", "objective", "jacobian", htComplicated, func(t *testing.T) func() { return jvp(t, htComplicated) }},
	} {
		compiled := testing.AllocsPerRun(3, func() { c.model(t) })
		first := testing.AllocsPerRun(3, func() { c.model(t)() }) - compiled
		value, derivative := prepareAllocs(t, c.mod, c.value, c.input), prepareAllocs(t, c.mod, c.derivative, c.input)
		assert.LessOrEqual(t, derivative, value+1.1*first, "%s %s: its preparation allocates %v times, its value's %v and a first pass %v",
			c.mod, c.derivative, derivative, value, first)
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
