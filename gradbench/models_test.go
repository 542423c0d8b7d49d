package gradbench

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/numdiff"
)

// call evaluates a function of a module once, as an evaluate message with
// input would, and returns its output.
func call(t testing.TB, mod, fn string, input any) any {
	t.Helper()
	out, err := tryCall(mod, fn, input)
	require.NoError(t, err)
	return out
}

func tryCall(mod, fn string, input any) (any, error) {
	f, err := lookup(mod, fn)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	prepare, err := f.decode(raw)
	if err != nil {
		return nil, err
	}
	tk, err := prepare()
	if err != nil {
		return nil, err
	}
	if _, err := tk.repeat(1, 0); err != nil {
		return nil, err
	}
	return tk.output(), nil
}

// valid is GradBench's test of an output against the reference, per
// number.
func valid(a, b float64) bool { return math.Abs(a-b)/max(1, math.Abs(a)+math.Abs(b)) <= 1e-4 }

// close is the tighter test of the small cases: agreement to rel relative
// to the numbers themselves, not to 1.
func close(a, b, rel float64) bool { return math.Abs(a-b) <= rel*(math.Abs(a)+math.Abs(b)) }

// assertClose checks two vectors by both tests.
func assertClose(t *testing.T, got, want []float64, rel float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		assert.True(t, valid(got[i], want[i]), "%s[%d]: %v, want %v (GradBench's test)", msg, i, got[i], want[i])
		assert.True(t, close(got[i], want[i], rel), "%s[%d]: %v, want %v to %g", msg, i, got[i], want[i], rel)
	}
}

// assertNumeric checks derivatives against numeric ones, which carry an
// absolute error of their own where the derivative is 0.
func assertNumeric(t *testing.T, got, numeric []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(numeric), msg)
	for i := range numeric {
		a, b := got[i], numeric[i]
		assert.True(t, valid(a, b), "%s[%d]: %v, numerically %v (GradBench's test)", msg, i, a, b)
		assert.True(t, math.Abs(a-b) <= 1e-8*(math.Abs(a)+math.Abs(b))+1e-10, "%s[%d]: %v, numerically %v", msg, i, a, b)
	}
}

// primal is a module's primal function of one vector input field, the
// other fields fixed, for numeric differentiation. A primal whose output
// is a vector gives its last element.
type primal struct {
	mod, field string
	fields     map[string]any
}

func (p primal) Eval(x []float64) (float64, error) {
	in := map[string]any{p.field: x}
	for k, v := range p.fields {
		in[k] = v
	}
	out, err := tryCall(p.mod, "primal", withRuns(in))
	if err != nil {
		return 0, err
	}
	if y, ok := out.([]float64); ok {
		return y[len(y)-1], nil
	}
	return out.(float64), nil
}

// withRuns adds the fields of one run to an input.
func withRuns(in map[string]any) map[string]any {
	in["min_runs"], in["min_seconds"] = 1, 0
	return in
}

// numericGradient differentiates a module's primal numerically by
// Richardson extrapolation.
func numericGradient(t *testing.T, p numdiff.Function, x []float64) []float64 {
	t.Helper()
	g := make([]float64, len(x))
	require.NoError(t, numdiff.Gradient(p, x, numdiff.Richardson, 0, g))
	return g
}

func randomVector(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.Float64()
	}
	return x
}

func TestLLSQ(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range []struct{ n, m int }{{2, 1}, {5, 3}, {16, 8}, {33, 12}} {
		x := randomVector(r, size.m)
		in := withRuns(map[string]any{"x": x, "n": size.n})
		// The reference's formula, term by term.
		var value float64
		grad := make([]float64, size.m)
		for i := range size.n {
			ti := -1 + float64(i)*2/float64(size.n-1)
			si := math.Copysign(1, ti)
			if ti == 0 {
				si = 0
			}
			res := si
			for j := range size.m {
				res -= x[j] * math.Pow(ti, float64(j))
			}
			value += res * res / 2
			for j := range size.m {
				grad[j] -= res * math.Pow(ti, float64(j))
			}
		}
		assertClose(t, []float64{call(t, "llsq", "primal", in).(float64)}, []float64{value}, 1e-12, "primal")
		got := call(t, "llsq", "gradient", in).([]float64)
		assertClose(t, got, grad, 1e-11, "gradient")
		assertNumeric(t, got, numericGradient(t, primal{"llsq", "x", map[string]any{"n": size.n}}, x), "gradient")
	}
}

func TestLSE(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 10, 100} {
		x := randomVector(r, n)
		in := withRuns(map[string]any{"x": x})
		got := call(t, "lse", "gradient", in).([]float64)
		assertNumeric(t, got, numericGradient(t, primal{"lse", "x", nil}, x), "gradient")

		// exp(700) is near the top of float64: the shift must work.
		x[0] = 700
		var s float64
		for _, xi := range x {
			s += math.Exp(xi - 700)
		}
		assertClose(t, []float64{call(t, "lse", "primal", in).(float64)}, []float64{700 + math.Log(s)}, 1e-15, "primal")
		softmax := make([]float64, n)
		for i, xi := range x {
			softmax[i] = math.Exp(xi-700) / s
		}
		assertClose(t, call(t, "lse", "gradient", in).([]float64), softmax, 1e-13, "gradient")
	}
}

func TestODE(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, size := range []struct{ n, s int }{{2, 10}, {3, 10}, {5, 100}, {8, 100}} {
		x := randomVector(r, size.n)
		in := withRuns(map[string]any{"x": x, "s": size.s})
		// The exact solution: y[i](t) = x[0]…x[i] tⁱ⁺¹/(i+1)!.
		exact := make([]float64, size.n)
		p := 1.0
		for i := range size.n {
			p *= x[i] * 2 / float64(i+1)
			exact[i] = p
		}
		// Runge–Kutta's error is O(h⁴) per unit of time.
		tol := 10 * math.Pow(2/float64(size.s), 4)
		assertClose(t, call(t, "ode", "primal", in).([]float64), exact, tol, "primal")
		got := call(t, "ode", "gradient", in).([]float64)
		grad := make([]float64, size.n)
		for i := range grad {
			grad[i] = exact[size.n-1] / x[i] // the reference's closed form
		}
		assertClose(t, got, grad, tol, "gradient")
		assertNumeric(t, got, numericGradient(t, primal{"ode", "x", map[string]any{"s": size.s}}, x), "gradient")
	}
}

func TestDet(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for ell := 1; ell <= 6; ell++ {
		a := randomVector(r, ell*ell)
		in := withRuns(map[string]any{"A": a, "ell": ell})
		m := mat.NewDense(ell, ell, slices.Clone(a))
		det := mat.Det(m)
		assertClose(t, []float64{call(t, "det", "primal", in).(float64)}, []float64{det}, 1e-12, "primal")
		// ∂det/∂A = det·A⁻ᵀ.
		var inv mat.Dense
		require.NoError(t, inv.Inverse(m))
		want := make([]float64, 0, ell*ell)
		for i := range ell {
			for j := range ell {
				want = append(want, det*inv.At(j, i))
			}
		}
		got := call(t, "det", "gradient", in).([]float64)
		assertClose(t, got, want, 1e-9, "gradient")
		p := primal{"det", "A", map[string]any{"ell": ell}}
		assertNumeric(t, got, numericGradient(t, p, a), "gradient")
	}
}
