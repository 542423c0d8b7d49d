package landscape

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/integrate"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/data"
	"github.com/nabla-ad/nabla/expr"
)

// mlpModel compiles the perceptron of examples/mlp, on its two moons, with
// a hidden layer of the given width, and returns it with random weights
// drawn as for training: W1 standard normal, W2 scaled by 1/√hidden, the
// biases zero.
func mlpModel(tb testing.TB, hidden int) (*expr.Func, []float64) {
	tb.Helper()
	src, err := os.ReadFile("../examples/mlp/mlp.nabla")
	require.NoError(tb, err)
	moons, err := data.ReadFile("../examples/mlp/moons.csv")
	require.NoError(tb, err)
	consts := map[string]expr.Const{}
	for name, cols := range map[string][2]int{"X": {0, 2}, "Y": {2, 4}} {
		a, err := moons.Columns(cols[0], cols[1])
		require.NoError(tb, err)
		consts[name] = expr.Const{Shape: a.Shape(), Values: a.Values}
	}
	f, err := expr.Compile(string(src), &expr.Options{
		Vars: []string{"W1", "b1", "W2", "b2"},
		Shapes: map[string]ad.Shape{
			"W1": ad.Matrix(2, hidden), "b1": ad.Vector(hidden),
			"W2": ad.Matrix(hidden, 2), "b2": ad.Vector(2),
		},
		Consts: consts,
	})
	require.NoError(tb, err)
	r := rand.New(rand.NewPCG(uint64(hidden), 1))
	w := ad.Point{"W1": make([]float64, 2*hidden), "b1": make([]float64, hidden), "W2": make([]float64, 2*hidden), "b2": make([]float64, 2)}
	for i := range w["W1"] {
		w["W1"][i] = r.NormFloat64()
		w["W2"][i] = r.NormFloat64() / math.Sqrt(float64(hidden))
	}
	x, err := f.Flatten(w)
	require.NoError(tb, err)
	return f, x
}

// exactHessian forms the Hessian of f at x.
func exactHessian(t *testing.T, f *expr.Func, x []float64) *mat.SymDense {
	var h mat.SymDense
	require.NoError(t, f.Hessian(x, &h))
	return &h
}

func TestLanczosModel(t *testing.T) {
	f, x := mlpModel(t, 4)
	require.Equal(t, 4*5+2, f.Dim())
	h := exactHessian(t, f, x)
	for _, which := range []Which{Largest, Smallest, LargestMagnitude} {
		e, err := Lanczos(HessianAt(f.Func, x), f.Dim(), 4, &LanczosOptions{Which: which, Seed: 1})
		require.NoError(t, err)
		want := wantEigen(t, h, 4, which)
		assert.InDeltaSlice(t, want, e.Values, 1e-8, "Which %d", which)
		checkPairs(t, h, e, 1e-7)
	}
}

func TestHutchinsonModel(t *testing.T) {
	f, x := mlpModel(t, 4)
	want := mat.Trace(exactHessian(t, f, x))
	for seed := range uint64(5) {
		tr, err := Hutchinson(HessianAt(f.Func, x), f.Dim(), 200, seed)
		require.NoError(t, err)
		assert.Equal(t, 200, tr.Probes)
		assert.Positive(t, tr.StdErr)
		assert.InDelta(t, want, tr.Value, 3*tr.StdErr, "seed %d: trace %g ± %g, want %g", seed, tr.Value, tr.StdErr, want)
	}
}

// TestHutchinsonDiagonal: every probe of random signs gives the trace of a
// diagonal matrix exactly, so the standard error is zero.
func TestHutchinsonDiagonal(t *testing.T) {
	d := []float64{4, -1, 2.5, 0, 7}
	hvp := func(v, dst []float64) error {
		floats.MulTo(dst, d, v)
		return nil
	}
	tr, err := Hutchinson(hvp, len(d), 0, 9)
	require.NoError(t, err)
	assert.Equal(t, Trace{Value: 12.5, StdErr: 0, Probes: DefaultProbes}, *tr)
}

func TestHutchinsonErrors(t *testing.T) {
	f, x := mlpModel(t, 2)
	_, err := Hutchinson(HessianAt(f.Func, x), f.Dim(), 1, 0)
	assert.EqualError(t, err, "1 probes give no standard error; want at least 2")
	_, err = Hutchinson(HessianAt(f.Func, x[1:]), f.Dim(), 10, 0)
	assert.ErrorContains(t, err, "Hessian-vector product 1: ")

	g, err := expr.Compile("sum(sqrt(x))", &expr.Options{Sizes: map[string]int{"x": 3}})
	require.NoError(t, err)
	_, err = Hutchinson(HessianAt(g.Func, []float64{1, -1, 2}), 3, 10, 0)
	assert.True(t, ad.IsNonFinite(err), "%v", err)
	assert.ErrorContains(t, err, "Hessian-vector product 1: ")
}

// TestDensityDiagonal: with as many steps as rows, the quadrature of a
// diagonal matrix of distinct entries puts mass 1/n at each entry, since
// a probe of random signs has the squared components 1/n.
func TestDensityDiagonal(t *testing.T) {
	d := []float64{-2, 0.5, 1, 3, 8, 13}
	hvp := func(v, dst []float64) error {
		floats.MulTo(dst, d, v)
		return nil
	}
	dens, err := SpectralDensity(hvp, len(d), &DensityOptions{Probes: 3, Seed: 4})
	require.NoError(t, err)
	require.Len(t, dens.Nodes, 3)
	assert.Equal(t, 3*len(d), dens.HVPs)
	for p := range dens.Nodes {
		assert.InDeltaSlice(t, d, dens.Nodes[p], 1e-12)
		for _, w := range dens.Weights[p] {
			assert.InDelta(t, 1.0/6, w, 1e-12)
		}
	}
	lo, hi := dens.Range()
	assert.InDelta(t, -2, lo, 1e-12)
	assert.InDelta(t, 13, hi, 1e-12)
	assert.InDelta(t, 0.15, dens.Width(), 1e-12)
	// Smoothed narrowly, the density is 1/n times a unit Gaussian's peak
	// at each entry.
	sigma := 0.01
	for _, x := range d {
		assert.InEpsilon(t, 1/(6*sigma*math.Sqrt(2*math.Pi)), dens.At(x, sigma), 1e-9)
	}
	assert.Zero(t, dens.At(5, sigma))
}

func TestDensityIntegratesToOne(t *testing.T) {
	a := randomSym(120, false, 5)
	calls := 0
	dens, err := SpectralDensity(matrixHVP(a, &calls), 120, &DensityOptions{Steps: 30, Probes: 4})
	require.NoError(t, err)
	assert.Equal(t, 4*30, calls)
	assert.Equal(t, calls, dens.HVPs)
	for p := range dens.Weights {
		assert.InDelta(t, 1, floats.Sum(dens.Weights[p]), 1e-12)
	}
	sigma := dens.Width()
	lo, hi := dens.Range()
	ts, phi, err := dens.Curve(lo-10*sigma, hi+10*sigma, 4001, sigma)
	require.NoError(t, err)
	assert.InDelta(t, 1, integrate.Trapezoidal(ts, phi), 1e-9)
	// The extreme Ritz values of 30 steps are close to the extreme
	// eigenvalues.
	want := wantEigen(t, a, 120, Largest)
	assert.InDelta(t, want[0], hi, 1e-3*math.Abs(want[0]))
	assert.InDelta(t, want[119], lo, 1e-3*math.Abs(want[119]))
}

func TestDensityErrors(t *testing.T) {
	calls := 0
	hvp := matrixHVP(randomSym(4, true, 1), &calls)
	for _, o := range []DensityOptions{{Probes: -1}, {Steps: -2}} {
		_, err := SpectralDensity(hvp, 4, &o)
		assert.Error(t, err)
	}
	_, err := SpectralDensity(hvp, 0, nil)
	assert.Error(t, err)
	d, err := SpectralDensity(hvp, 4, nil)
	require.NoError(t, err)
	_, _, err = d.Curve(1, 1, 10, 0.1)
	assert.Error(t, err)
	_, _, err = d.Curve(0, 1, 10, 0)
	assert.Error(t, err)
	_, _, err = d.Curve(0, 1, 1, 0.1)
	assert.Error(t, err)

	calls = 0
	bad := func(v, dst []float64) error {
		hvp(v, dst)
		if calls > 6 {
			dst[2] = math.Inf(1)
		}
		return nil
	}
	_, err = SpectralDensity(bad, 4, &DensityOptions{Probes: 3})
	assert.EqualError(t, err, "Hessian-vector product 7 is not finite: element 2 is +Inf")
}

func TestDensityPlot(t *testing.T) {
	a := randomSym(50, false, 8)
	calls := 0
	hvp := matrixHVP(a, &calls)
	dens, err := SpectralDensity(hvp, 50, &DensityOptions{Steps: 20, Probes: 2})
	require.NoError(t, err)
	e, err := Lanczos(hvp, 50, 3, nil)
	require.NoError(t, err)
	f, err := NewDensityPlot(dens, DensityPlotOptions{Marks: e.Values, MarksLabel: "top 3 eigenvalues"})
	require.NoError(t, err)
	assert.Equal(t, "Hessian eigenvalue density", f.Plot.Title.Text)
	assert.Equal(t, "eigenvalue λ", f.Plot.X.Label.Text)
	assert.Equal(t, "density (log scale)", f.Plot.Y.Label.Text)
	dir := t.TempDir()
	for _, name := range []string{"d.svg", "d.png"} {
		require.NoError(t, f.Save(dir+"/"+name))
		info, err := os.Stat(dir + "/" + name)
		require.NoError(t, err)
		assert.Greater(t, info.Size(), int64(1000))
	}
	_, err = NewDensityPlot(&Density{}, DensityPlotOptions{})
	assert.Error(t, err)
	_, err = NewDensityPlot(dens, DensityPlotOptions{Marks: []float64{math.NaN()}})
	assert.Error(t, err)
}
