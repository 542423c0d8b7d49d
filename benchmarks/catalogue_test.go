package benchmarks

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/functions"

	"github.com/nabla-ad/nabla/expr"
)

// TestCatalogueValues checks every built-in problem against the reference
// values in problems/expected.json, computed independently from the
// papers' formulas: f at the standard start, gradients against central
// differences there, and f* at the known minimizer.
func TestCatalogueValues(t *testing.T) {
	raw, err := os.ReadFile("problems/expected.json")
	require.NoError(t, err)
	var expected []struct {
		Name  string  `json:"name"`
		N     int     `json:"n"`
		F0    float64 `json:"f0"`
		FStar float64 `json:"f_star"`
	}
	require.NoError(t, json.Unmarshal(raw, &expected))
	names, err := Names()
	require.NoError(t, err)
	require.Len(t, expected, len(names), "every problem has reference values")
	for _, e := range expected {
		t.Run(e.Name, func(t *testing.T) {
			p, err := Load(e.Name)
			require.NoError(t, err)
			assert.Equal(t, e.N, p.N)
			f, x0, err := p.Func(p.N)
			require.NoError(t, err)
			f0, err := f.Eval(x0)
			require.NoError(t, err)
			assert.InDelta(t, e.F0, f0, 1e-10*math.Abs(e.F0), "f(x0)")

			// The printed objective parses back to the same node.
			g := f.Graph()
			back, err := expr.Parse(g, g.Format(f.Output()))
			require.NoError(t, err)
			assert.Equal(t, f.Output(), back, "round trip of the printed form")

			grad := make([]float64, len(x0))
			_, err = f.Grad(x0, grad)
			require.NoError(t, err)
			num := fd.Gradient(nil, func(x []float64) float64 { v, _ := f.Eval(x); return v }, x0,
				&fd.Settings{Formula: fd.Central})
			for i := range grad {
				assert.InDelta(t, num[i], grad[i], 1e-6*(1+math.Abs(num[i]))+1e-9*math.Abs(f0), "∂f/∂x[%d]", i)
			}

			if p.FStarKnown {
				assert.Equal(t, e.FStar, p.FStar)
			}
			xs, err := p.XStar(p.N)
			require.NoError(t, err)
			if xs != nil && p.FStarKnown {
				fs, err := f.Eval(xs)
				require.NoError(t, err)
				assert.InDelta(t, p.FStar, fs, 1e-9*(1+math.Abs(p.FStar)), "f(x*)")
			}
		})
	}
}

// TestAgainstGonum compares nabla's problems with gonum's hand-coded ones,
// the gonum engine's: values, gradients and Hessians at the start and at
// random points, and nabla's f* with gonum's recorded minima.
func TestAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, name := range GonumProblems() {
		peer := gonumPeers[name]
		t.Run(name, func(t *testing.T) {
			p, err := Load(name)
			require.NoError(t, err)
			f, x0, err := p.Func(p.N)
			require.NoError(t, err)
			points := [][]float64{x0}
			for range 3 {
				x := make([]float64, len(x0))
				for i := range x {
					x[i] = x0[i] + rng.NormFloat64()*0.5
				}
				points = append(points, x)
			}
			for _, x := range points {
				want := peer.fn.Func(x)
				got, err := f.Eval(x)
				require.NoError(t, err)
				assert.InDelta(t, want, got, 1e-10*(1+math.Abs(want)), "f at %v", x)
				wg := make([]float64, len(x))
				peer.fn.Grad(wg, x)
				gg := make([]float64, len(x))
				_, err = f.Grad(x, gg)
				require.NoError(t, err)
				for i := range wg {
					assert.InDelta(t, wg[i], gg[i], 1e-9*(1+math.Abs(wg[i])), "∂f/∂x[%d] at %v", i, x)
				}
				h, ok := peer.fn.(gonumHessian)
				if !ok || peer.wrongHess {
					continue
				}
				wh := mat.NewSymDense(len(x), nil)
				h.Hess(wh, x)
				gh := mat.NewSymDense(len(x), nil)
				require.NoError(t, f.Hessian(x, gh))
				for i := range len(x) {
					for j := range len(x) {
						assert.InDelta(t, wh.At(i, j), gh.At(i, j), 1e-8*(1+math.Abs(wh.At(i, j))), "H[%d][%d]", i, j)
					}
				}
			}
			if m, ok := peer.fn.(interface{ Minima() []functions.Minimum }); ok && p.FStarKnown {
				for _, min := range m.Minima() {
					if len(min.X) != p.N || !min.Global {
						continue
					}
					v, err := f.Eval(min.X)
					require.NoError(t, err)
					assert.InDelta(t, min.F, v, 1e-9*(1+math.Abs(min.F)), "f at gonum's minimizer")
					assert.InDelta(t, min.F, p.FStar, 1e-9*(1+math.Abs(min.F)), "recorded f*")
				}
			}
		})
	}
}

func TestProblemFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		file := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
		return file
	}
	_, err := LoadFile(write("bad.nabla", "# name: bad\n# n: 2\n# start: 1, 2\n\nsum(x^2) +\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.nabla")
	assert.Contains(t, err.Error(), "bad.nabla:5:11: unexpected end of input")
	_, err = LoadFile(write("key.nabla", "# name: k\n# colour: blue\n\nsum(x)\n"))
	assert.ErrorContains(t, err, "key.nabla:2: unknown header key \"colour\"")
	_, err = Load("nosuch")
	assert.ErrorContains(t, err, `unknown problem "nosuch"; the problems are ackley, bard`)
	_, err = Select("mgh,rosenbrock,bogus")
	assert.ErrorContains(t, err, `unknown problem or tag "bogus"`)

	ok, err := LoadFile(write("mine.nabla", "# name: mine\n# n: 3 scalable\n# start_pattern: 1\n# f_star: 0\n\nsum(x^4)\n"))
	require.NoError(t, err)
	_, x0, err := ok.Func(5)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 1, 1, 1, 1}, x0)
	ps, err := Select("mgh")
	require.NoError(t, err)
	assert.Len(t, ps, 35)
}
