package numdiff

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

func TestGradientIsTheTextbookQuotient(t *testing.T) {
	f := mustFunction(t, "x^2 + y^2", nil)
	grad := make([]float64, 2)
	const h = 1e-7
	// 1 + h rounds to 1 + 1.0000000005838672e-07; the quotient divides by h
	// all the same, as a calculator does.
	a, b := 1+h, 1-h
	for _, tc := range []struct {
		m    Method
		want float64
	}{
		{Forward, ((a*a + 1) - 2) / h},
		{Backward, (2 - (b*b + 1)) / h},
		{Central, ((a*a + 1) - (b*b + 1)) / (2 * h)},
	} {
		require.NoError(t, Gradient(f, []float64{1, 1}, tc.m, h, grad), tc.m)
		assert.Equal(t, []float64{tc.want, tc.want}, grad, tc.m)
	}
	require.NoError(t, Gradient(f, []float64{1, 1}, Forward, h, grad))
	assert.InDelta(t, 2.0000001033082527, grad[0], 1e-15, "the textbook quotient, not the exact-step one (2.0000001021405183)")
}

func TestGradientMethods(t *testing.T) {
	f := mustFunction(t, "sin(x) * exp(y) + z[0]*z[1]", map[string]int{"z": 2})
	x := []float64{1, 0.5, 3, -2}
	want := []float64{math.Cos(1) * math.Exp(0.5), math.Sin(1) * math.Exp(0.5), -2, 3}
	for _, tc := range []struct {
		m   Method
		h   float64
		tol float64
	}{
		// At their default steps, each method's error is its truncation
		// and round-off balance: about √ε, ε^⅔, ε^⅘ and ε.
		{Forward, 0, 1e-7},
		{Backward, 0, 1e-7},
		{Central, 0, 1e-10},
		{Richardson, 0, 1e-11},
		{ComplexStep, 0, 1e-15},
		{ComplexStep, 1e-3, 1e-6}, // truncation h²|f'''|/6
		{Central, 1e-2, 1e-4},
	} {
		grad := make([]float64, len(x))
		require.NoError(t, Gradient(f, x, tc.m, tc.h, grad))
		assert.InDeltaSlice(t, want, grad, tc.tol, "%v h=%g", tc.m, tc.h)
	}
}

func TestGradientErrors(t *testing.T) {
	f := mustFunction(t, "log(x) + y^2", nil)
	grad := make([]float64, 2)
	// An evaluation that goes non-finite is explained, and the other
	// components are still computed.
	err := Gradient(f, []float64{1e-4, 2}, Central, 1e-3, grad)
	var nf *ad.NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.True(t, math.IsNaN(grad[0]))
	assert.InDelta(t, 4, grad[1], 1e-9)
	// abs has no complex form.
	g := mustFunction(t, "abs(x)", nil)
	assert.ErrorIs(t, Gradient(g, []float64{1}, ComplexStep, 0, grad[:1]), ad.ErrNoComplex)
	assert.ErrorContains(t, Gradient(f, []float64{1, 2}, Forward, -1, grad), "want a positive step")
	assert.ErrorContains(t, Gradient(f, []float64{1, 2}, Forward, 0, grad[:1]), "room for 1 values, want 2")
	assert.ErrorIs(t, Gradient(nil, []float64{1}, Forward, 0, grad[:1]), ErrNotAvailable)
	assert.ErrorIs(t, Gradient(evalOnly{f}, []float64{1, 2}, ComplexStep, 0, grad), ErrNotAvailable)
}

// evalOnly hides every method of a Function but Eval.
type evalOnly struct{ Function }
