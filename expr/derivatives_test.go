package expr

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

func TestDirectionalDerivative(t *testing.T) {
	f := MustCompile("x^2 + y^2")
	at := ad.Point{"x": {1}, "y": {1}}
	cases := []struct {
		dir  ad.Point
		want float64
	}{
		{ad.Point{"x": {1}, "y": {0}}, 2},
		{ad.Point{"x": {0}, "y": {3}}, 2}, // the direction is normalized
		{ad.Point{"x": {1}, "y": {1}}, 2 * math.Sqrt2},
		{ad.Point{"x": {-1}, "y": {1}}, 0}, // along the contour
		{ad.Point{"x": {-1}, "y": {-1}}, -2 * math.Sqrt2},
		{ad.Point{"x": {3}, "y": {4}}, (2*3 + 2*4) / 5.0},
	}
	for _, c := range cases {
		d, err := f.DirectionalDerivativeAt(at, c.dir)
		require.NoError(t, err)
		assert.InDelta(t, c.want, d, 1e-15, "%v", c.dir)
	}
	_, jvp, err := f.JVPAt(at, ad.Point{"x": {3}, "y": {4}})
	require.NoError(t, err)
	assert.Equal(t, 14.0, jvp, "the raw JVP is not normalized")
	_, err = f.DirectionalDerivativeAt(at, ad.Point{"x": {0}, "y": {0}})
	assert.ErrorIs(t, err, ad.ErrZeroDirection)
	_, err = f.DirectionalDerivativeAt(at, ad.Point{"z": {1}})
	assert.EqualError(t, err, `"z" is not a variable of the function`)
}

func TestHessianClosedForms(t *testing.T) {
	cases := []struct {
		src  string
		at   []float64
		want [][]float64
	}{
		{"(1-x)^2 + 100*(y-x^2)^2", []float64{-1.2, 1}, [][]float64{{1200*1.44 - 400 + 2, 480}, {480, 200}}},
		// Himmelblau.
		{"(x^2 + y - 11)^2 + (x + y^2 - 7)^2", []float64{1, 2}, [][]float64{
			{12*1 + 4*2 - 42, 4*1 + 4*2}, {4*1 + 4*2, 4*1 + 12*4 - 26}}},
		{"exp(x*y) + log(x) * sin(y)", []float64{0.5, 2}, [][]float64{
			{4*math.Exp(1) - math.Sin(2)/0.25, math.Exp(1)*(1+1) + math.Cos(2)/0.5},
			{math.Exp(1)*(1+1) + math.Cos(2)/0.5, 0.25*math.Exp(1) - math.Log(0.5)*math.Sin(2)}}},
	}
	for _, c := range cases {
		f := MustCompile(c.src)
		var h mat.SymDense
		require.NoError(t, f.Hessian(c.at, &h))
		for i := range c.want {
			for j := range c.want[i] {
				assert.InDelta(t, c.want[i][j], h.At(i, j), 1e-9*(1+math.Abs(c.want[i][j])), "%s H[%d][%d]", c.src, i, j)
			}
		}
	}
}

// TestVectorHessianByHVP compares the dense Hessian of the extended
// Rosenbrock function, built from one HVP per column, with its closed form.
func TestVectorHessianByHVP(t *testing.T) {
	const n = 40
	f, err := Compile("sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)", &Options{Sizes: map[string]int{"x": n}})
	require.NoError(t, err)
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	var h mat.SymDense
	require.NoError(t, f.Hessian(x, &h))
	for i := range n {
		for j := range n {
			want := 0.0
			switch {
			case i == j:
				if i+1 < n {
					want += 1200*x[i]*x[i] - 400*x[i+1] + 2
				}
				if i > 0 {
					want += 200
				}
			case j == i+1:
				want = -400 * x[i]
			case i == j+1:
				want = -400 * x[j]
			}
			assert.InDelta(t, want, h.At(i, j), 1e-9, "H[%d][%d]", i, j)
		}
	}
	hv := make([]float64, n)
	v := make([]float64, n)
	v[3] = 1
	require.NoError(t, f.HVP(x, v, hv))
	for i := range n {
		assert.InDelta(t, h.At(i, 3), hv[i], 1e-12)
	}
}

func TestHessianRefusesHugeSizes(t *testing.T) {
	f, err := Compile("sum(x^2)", &Options{Sizes: map[string]int{"x": 100000}})
	require.NoError(t, err)
	err = f.Hessian(make([]float64, 100000), &mat.SymDense{})
	assert.EqualError(t, err, "a dense Hessian of 100000 variables needs 80 GB; use HVP products instead")
}

func TestExplainNonFinite(t *testing.T) {
	f := MustCompile("x * log(y - 1)")
	grad := make([]float64, 2)
	_, err := f.Grad([]float64{2, 0.7}, grad)
	var nf *ad.NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, err.Error(), "log(y - 1) is NaN: log got -0.3")
	_, err = f.Grad([]float64{2, 3}, grad)
	assert.NoError(t, err)
}

func ExampleFunc_directionalDerivative() {
	f := MustCompile("x^2 + y^2")
	d, _ := f.DirectionalDerivativeAt(ad.Point{"x": {1}, "y": {1}}, ad.Point{"x": {1}, "y": {1}})
	fmt.Printf("%.6f\n", d) // 2√2: the steepest slope, along the gradient
	// Output: 2.828427
}
