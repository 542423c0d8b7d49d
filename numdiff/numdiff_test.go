package numdiff

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

func mustFunction(t testing.TB, src string, sizes map[string]int) *expr.Func {
	t.Helper()
	f, err := expr.Compile(src, &expr.Options{Sizes: sizes})
	require.NoError(t, err)
	return f
}

func estimate(t *testing.T, c Component, m Method) Estimate {
	t.Helper()
	for _, e := range c.Numeric {
		if e.Method == m {
			return e
		}
	}
	t.Fatalf("no %v estimate in %+v", m, c)
	return Estimate{}
}

// The textbook example: f = x² + y² at (1, 1), gradient (2, 2).
func TestTextbook(t *testing.T) {
	f := mustFunction(t, "x^2 + y^2", nil)
	x := []float64{1, 1}

	// The forward difference at h = 1e-7 errs by its truncation error
	// h·f''/2 = 1e-7, within a factor of 10.
	r, err := CheckGradient(f, x, &Settings{Methods: []Method{Forward}, Step: 1e-7})
	require.NoError(t, err)
	require.True(t, r.OK, "%+v", r)
	for _, c := range r.Components {
		e := estimate(t, c, Forward)
		want := 1e-7 * 2 / 2
		assert.Equal(t, 2.0, c.AD)
		assert.Greater(t, e.AbsError, want/10, c.Name)
		assert.Less(t, e.AbsError, want*10, c.Name)
	}

	// Central differences beat forward differences by orders of
	// magnitude at their best steps, which are their default steps; on a
	// quadratic they are exact up to round-off.
	for i := range x {
		sw, err := SweepGradient(f, x, i, nil)
		require.NoError(t, err)
		fwd, cen := sw.Series[0], sw.Series[1]
		require.Equal(t, Forward, fwd.Method)
		require.Equal(t, Central, cen.Method)
		assert.Greater(t, fwd.BestError, 1e-10)
		assert.Less(t, cen.BestError, fwd.BestError*1e-3)
	}

	// The complex step agrees with AD to 1e-15, relative.
	r, err = CheckGradient(f, x, &Settings{Methods: []Method{ComplexStep}})
	require.NoError(t, err)
	require.True(t, r.OK)
	for _, c := range r.Components {
		assert.LessOrEqual(t, estimate(t, c, ComplexStep).RelError, 1e-15)
	}
}

// Away from a quadratic, central differences still beat forward ones by
// orders of magnitude, and Richardson and the complex step beat both.
func TestMethodsRank(t *testing.T) {
	f := mustFunction(t, "sin(x) * exp(y) + log(x + y)", nil)
	x := []float64{0.7, 0.3}
	sw, err := SweepGradient(f, x, 0, &SweepSettings{Methods: []Method{Forward, Central, Richardson, ComplexStep}})
	require.NoError(t, err)
	best := map[Method]float64{}
	for _, s := range sw.Series {
		best[s.Method] = s.BestError
	}
	t.Logf("best errors: %v", best)
	assert.Less(t, best[Central], best[Forward]*1e-2)
	assert.Less(t, best[Richardson], best[Central])
	assert.LessOrEqual(t, best[ComplexStep], 4e-16*math.Abs(sw.AD))

	// The forward series is the textbook V: the error falls with h down to
	// about √ε and rises again below.
	fwd := sw.Series[0]
	assert.InDelta(t, math.Log10(math.Sqrt(eps)), math.Log10(fwd.BestStep), 1.5)
	assert.Greater(t, fwd.Errors[0], fwd.BestError*1e3)
	assert.Greater(t, fwd.Errors[len(fwd.Errors)-1], fwd.BestError*1e3)
	// Central differences are best near ε^(1/3).
	assert.InDelta(t, math.Log10(math.Cbrt(eps)), math.Log10(sw.Series[1].BestStep), 1.5)
}

func TestLogSteps(t *testing.T) {
	s := LogSteps(1e-1, 1e-15, 4)
	require.Len(t, s, 57)
	assert.Equal(t, 1e-1, s[0])
	assert.InEpsilon(t, 1e-15, s[56], 1e-12)
	assert.InEpsilon(t, math.Pow(10, -1.25), s[1], 1e-12)
	assert.Nil(t, LogSteps(1, 2, 4))
	assert.Nil(t, LogSteps(1, 0, 4))
}

func TestDefaultSteps(t *testing.T) {
	for _, tc := range []struct {
		m    Method
		x    float64
		want float64
	}{
		{Forward, 0, math.Sqrt(eps)},
		{Forward, -1e4, math.Sqrt(eps) * 1e4},
		{Backward, 0.5, math.Sqrt(eps)},
		{Central, 8, 8 * math.Cbrt(eps)},
		{Richardson, 1, math.Pow(eps, 0.2)},
		{ComplexStep, 1e3, 1e-17},
	} {
		assert.InEpsilon(t, tc.want, tc.m.Step(tc.x), 1e-15, "%v at %v", tc.m, tc.x)
	}
}

func TestParseMethod(t *testing.T) {
	for _, m := range Methods() {
		got, err := ParseMethod(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	m, err := ParseMethod("complex")
	require.NoError(t, err)
	assert.Equal(t, ComplexStep, m)
	_, err = ParseMethod("secant")
	assert.ErrorContains(t, err, `unknown method "secant"`)
	assert.Equal(t, "Method(9)", Method(9).String())
}

// Every method passes on smooth functions at ordinary points, in every
// kind of check, first and second order.
func TestCheckAllMethods(t *testing.T) {
	for _, tc := range []struct {
		src   string
		sizes map[string]int
		x     []float64
	}{
		{"x^2 + y^2", nil, []float64{1, 1}},
		{"sin(x) * exp(y) + log(x + y)", nil, []float64{0.7, 0.3}},
		{"sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)", map[string]int{"x": 4}, []float64{-1.2, 1, -1.2, 1}},
		{"logsumexp(x) + norm(x)^3 / (1 + dot(x, x))", map[string]int{"x": 3}, []float64{0.5, -2, 3}},
		{"hypot(x, y) * x^y", nil, []float64{1.5, 2.5}},
		{"1e6 * x^2 + y / 1e6", nil, []float64{1e3, -1e-3}},
	} {
		f := mustFunction(t, tc.src, tc.sizes)
		r, err := Check(f, tc.x, &Settings{Methods: Methods(), Order: 2, Seed: 3})
		require.NoError(t, err)
		for _, c := range r.Components {
			assert.True(t, c.OK, "%s: %s %s: %+v", tc.src, c.Kind, c.Name, c)
		}
		assert.True(t, r.OK, tc.src)
		assert.Zero(t, r.Failed)
	}
}

// A wrong derivative is caught, with a report that says by how much.
func TestWrongGradientCaught(t *testing.T) {
	f := slipped{mustFunction(t, "sin(x) * y", nil)}
	r, err := CheckGradient(f, []float64{0.4, 2}, &Settings{Methods: []Method{Central, ComplexStep}})
	require.NoError(t, err)
	assert.False(t, r.OK)
	assert.Equal(t, 1, r.Failed)
	c := r.Components[0]
	assert.False(t, c.OK)
	assert.Equal(t, "x", c.Name)
	assert.InEpsilon(t, 1e-6, c.RelError, 1e-3)
	assert.Greater(t, c.AbsError, c.Tolerance)
	assert.True(t, r.Components[1].OK)
	for _, e := range c.Numeric {
		assert.False(t, e.OK, e.Method.String())
		assert.Contains(t, e.Why, e.Method.String()+" h=")
	}
}

// The complex step is reported as unsupported through functions with no
// analytic complex form, and does not decide the verdict.
func TestComplexStepUnsupported(t *testing.T) {
	f := mustFunction(t, "abs(x) * y + max(x, y)", nil)
	r, err := CheckGradient(f, []float64{-1, 2}, &Settings{Methods: []Method{Central, ComplexStep}})
	require.NoError(t, err)
	assert.True(t, r.OK)
	for _, c := range r.Components {
		e := estimate(t, c, ComplexStep)
		assert.True(t, e.Unsupported)
		assert.Contains(t, e.Problem, "unsupported for complex-step")
		assert.True(t, estimate(t, c, Central).OK)
	}

	// With the complex step alone nothing can be checked: not OK.
	r, err = CheckGradient(f, []float64{-1, 2}, &Settings{Methods: []Method{ComplexStep}})
	require.NoError(t, err)
	assert.False(t, r.OK)
	assert.Contains(t, r.Components[0].Problem, "no numeric method applies")

	// A plain Go function has no complex form at all.
	g := withGrad{func(x []float64) (float64, error) { return x[0] * x[0], nil },
		func(x, g []float64) (float64, error) { g[0] = 2 * x[0]; return x[0] * x[0], nil }}
	r, err = CheckGradient(g, []float64{3}, &Settings{Methods: []Method{ComplexStep, Forward}})
	require.NoError(t, err)
	assert.True(t, r.OK)
	assert.Contains(t, r.Components[0].Numeric[0].Problem, "complex-step not available")
}

// Hand-written complex functions plug in as well.
func TestComplexStepHandWritten(t *testing.T) {
	f := withComplex{
		withGrad{
			func(x []float64) (float64, error) { return math.Exp(x[0]) / math.Sqrt(x[1]), nil },
			func(x, g []float64) (float64, error) { return 0, errors.New("unused") },
		},
		func(z []complex128) (complex128, error) { return cexp(z[0]) / csqrt(z[1]), nil },
	}
	c, err := newChecker(f, []float64{1.5, 4}, &Settings{Methods: []Method{ComplexStep}})
	require.NoError(t, err)
	l := c.valueLine(unit(2, 1))
	ms := l.measure(ComplexStep, 0, true)
	require.Empty(t, ms.problem)
	want := -0.5 * math.Exp(1.5) / math.Pow(4, 1.5)
	assert.InEpsilon(t, want, ms.value[0], 1e-15)
}

// Points outside the domain, non-finite derivatives and vanishing steps are
// reported per component, with the engine's explanation.
func TestBadPoints(t *testing.T) {
	f := mustFunction(t, "log(x) + y^2", nil)
	r, err := Check(f, []float64{-1, 2}, &Settings{Methods: []Method{Central, ComplexStep}, Order: 2})
	require.NoError(t, err)
	assert.False(t, r.OK)
	c := r.Components[0]
	assert.False(t, c.OK)
	assert.Contains(t, c.Problem, "log(x)")
	_, err = json.Marshal(r)
	require.NoError(t, err)

	// sqrt at 0: the value is finite, its derivative is not.
	f = mustFunction(t, "sqrt(x) + y", nil)
	r, err = CheckGradient(f, []float64{0, 1}, nil)
	require.NoError(t, err)
	assert.False(t, r.Components[0].OK)
	assert.Contains(t, r.Components[0].Problem, "AD value is +Inf")
	assert.True(t, r.Components[1].OK, "%+v", r.Components[1])

	// A step that vanishes against a large x.
	f = mustFunction(t, "x + y", nil)
	r, err = CheckGradient(f, []float64{1e20, 1}, &Settings{Step: 1e-8})
	require.NoError(t, err)
	assert.False(t, r.Components[0].OK)
	assert.Contains(t, r.Components[0].Problem, "vanishes")
	assert.True(t, r.Components[1].OK)
	// The default step scales with |x| and does not vanish.
	r, err = CheckGradient(f, []float64{1e20, 1}, nil)
	require.NoError(t, err)
	assert.True(t, r.OK, "%+v", r)
}

func TestBadInput(t *testing.T) {
	f := mustFunction(t, "x*y", nil)
	for _, s := range []*Settings{
		{Step: -1}, {Step: math.NaN()}, {Step: math.Inf(1)}, {Safety: 0.5},
		{Directions: -1}, {Order: 3}, {Methods: []Method{Method(7)}},
	} {
		_, err := Check(f, []float64{1, 2}, s)
		assert.Error(t, err, "%+v", s)
	}
	_, err := Check(f, []float64{1, 2, 3}, nil)
	assert.ErrorContains(t, err, "has 3 values, want 2")
	_, err = Check(f, nil, nil)
	assert.Error(t, err)
	_, err = CheckHVP(withGrad{plain(f.Eval), f.Grad}, []float64{1, 2}, nil)
	assert.ErrorIs(t, err, ErrNotAvailable)
	_, err = CheckGradient(plain(f.Eval), []float64{1, 2}, nil)
	assert.ErrorIs(t, err, ErrNotAvailable)
	_, err = CheckGradient(nil, []float64{1, 2}, nil)
	assert.ErrorIs(t, err, ErrNotAvailable)
	_, err = SweepGradient(f, []float64{1, 2}, 2, nil)
	assert.Error(t, err)
	_, err = SweepDirection(f, []float64{1, 2}, []float64{0, 0}, nil)
	assert.Error(t, err)
	_, err = SweepDirection(f, []float64{1, 2}, []float64{1, 0}, &SweepSettings{Steps: []float64{0}})
	assert.Error(t, err)
}

// Reports print as JSON with the documented keys, non-finite numbers as
// strings, and read back.
func TestReportJSON(t *testing.T) {
	f := mustFunction(t, "log(x) * y", nil)
	r, err := CheckGradient(f, []float64{-1, 2}, &Settings{Methods: []Method{Forward, Central}})
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	comp := m["components"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "ad", "numeric", "abs_error", "rel_error", "tolerance", "ok"} {
		assert.Contains(t, comp, k)
	}
	assert.Equal(t, -2.0, comp["ad"])
	est := comp["numeric"].([]any)[1].(map[string]any)
	assert.Equal(t, "central", est["method"])
	assert.Equal(t, "NaN", est["value"])
	assert.Contains(t, est["problem"], "log(x)")

	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, math.IsNaN(back.Components[0].Numeric[1].Value))
	assert.Equal(t, r.Components[0].Numeric[1].Step, back.Components[0].Numeric[1].Step)
	assert.Equal(t, r.Components[0].AD, back.Components[0].AD)
	assert.Equal(t, Central, back.Components[1].Numeric[1].Method)
}

// A sweep whose AD derivative is infinite (sqrt at 0) marshals, with its
// NaN errors, and reads back the same.
func TestSweepJSON(t *testing.T) {
	f := mustFunction(t, "sqrt(x)", nil)
	sw, err := SweepGradient(f, []float64{0}, 0, &SweepSettings{Steps: []float64{1e-2, 1e-4}})
	require.NoError(t, err)
	require.True(t, math.IsInf(sw.AD, 1))
	b, err := json.Marshal(sw)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"ad":"+Inf"`)
	var back Sweep
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, sw.Name, back.Name)
	assert.True(t, math.IsInf(back.AD, 1))
	require.Len(t, back.Series, len(sw.Series))
	for i, s := range sw.Series {
		got := back.Series[i]
		assert.Equal(t, s.Method, got.Method)
		assert.Equal(t, s.Steps, got.Steps)
		for _, pair := range [][2][]float64{{s.Values, got.Values}, {s.Errors, got.Errors}} {
			want, have := pair[0], pair[1]
			require.Len(t, have, len(want))
			for k := range want {
				assert.True(t, want[k] == have[k] || math.IsNaN(want[k]) && math.IsNaN(have[k]), "%v read back as %v", want, have)
			}
		}
	}
}

// A random-direction check costs a few evaluations whatever n is.
func TestDirectionalCost(t *testing.T) {
	for _, n := range []int{10, 1000} {
		f := mustFunction(t, "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)", map[string]int{"x": n})
		x := make([]float64, n)
		for i := range x {
			x[i] = []float64{-1.2, 1}[i%2]
		}
		r, err := CheckDirectional(f, x, &Settings{Directions: 1})
		require.NoError(t, err)
		assert.True(t, r.OK)
		// f(x), f(x±h), and f at ±δ, ±2δ, ±δ/4, ±δ/2 for the error model.
		assert.Equal(t, Evaluations{F: 11, Grad: 1, JVP: 1}, r.Evaluations, "n=%d", n)
	}
}

// An ad.Func made from a graph is a Function with every derivative, and
// reports name the elements of its vector variables.
func TestAdFunc(t *testing.T) {
	g := ad.NewGraph()
	x, _ := g.Var("x", ad.Vector(2))
	y, _ := g.Var("y", ad.Scalar())
	p, _ := g.Mul(x, y)
	s, _ := g.Call("sum", p)
	out, _ := g.Call("sin", s) // sin(y·(x0+x1))
	f, err := ad.NewFunc(g, out)
	require.NoError(t, err)
	at := []float64{0.1, 0.2, 3}
	r, err := Check(f, at, &Settings{Methods: []Method{Central, ComplexStep}, Order: 2})
	require.NoError(t, err)
	assert.True(t, r.OK)
	var names []string
	for _, c := range r.Components[:3] {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"x[0]", "x[1]", "y"}, names)
	for _, c := range r.Components {
		for _, e := range c.Numeric {
			assert.False(t, e.Unsupported, "%s %s: %s", c.Name, e.Method, e.Problem)
		}
	}
}

// plain is a Function written in Go with no derivatives.
type plain func(x []float64) (float64, error)

func (f plain) Eval(x []float64) (float64, error) { return f(x) }

// withGrad is a Function written in Go with its gradient.
type withGrad struct {
	plain
	grad func(x, g []float64) (float64, error)
}

func (f withGrad) Grad(x, g []float64) (float64, error) { return f.grad(x, g) }

// withComplex adds a complex form.
type withComplex struct {
	withGrad
	complex func(z []complex128) (complex128, error)
}

func (f withComplex) EvalComplex(z []complex128) (complex128, error) { return f.complex(z) }

// slipped is a function whose gradient has a small slip in ∂f/∂x[0];
// everything else is right.
type slipped struct{ *expr.Func }

func (f slipped) Grad(x, g []float64) (float64, error) {
	v, err := f.Func.Grad(x, g)
	g[0] *= 1 + 1e-6
	return v, err
}

// TestCheckIsItsParts checks that Check reports the components of
// CheckGradient, CheckDirectional and, at order 2, CheckHessian and
// CheckHVP, in that order, and that each part alone reports its own.
func TestCheckIsItsParts(t *testing.T) {
	f := mustFunction(t, "sin(x) * exp(y) + log(x + y)", nil)
	x := []float64{0.7, 0.3}
	kinds := func(r *Report) []string {
		var ks []string
		for _, c := range r.Components {
			ks = append(ks, c.Kind+" "+c.Name)
		}
		return ks
	}
	for _, order := range []int{1, 2} {
		s := &Settings{Methods: []Method{Central, ComplexStep}, Order: order, Seed: 5}
		all, err := Check(f, x, s)
		require.NoError(t, err)
		var want []string
		for _, c := range []struct {
			check  func(Function, []float64, *Settings) (*Report, error)
			second bool
			kinds  []string
		}{
			{CheckGradient, false, []string{"gradient x", "gradient y"}},
			{CheckDirectional, false, []string{"jvp d1", "vjp d1", "jvp d2", "vjp d2"}},
			{CheckHessian, true, []string{"hessian H[x,x]", "hessian H[y,x]", "hessian H[x,y]", "hessian H[y,y]"}},
			{CheckHVP, true, []string{"hvp Hd1[x]", "hvp Hd1[y]", "hvp Hd2[x]", "hvp Hd2[y]"}},
		} {
			part, err := c.check(f, x, s)
			require.NoError(t, err)
			assert.Equal(t, c.kinds, kinds(part), "order %d", order)
			assert.True(t, part.OK, "order %d: %v", order, c.kinds)
			if !c.second || order == 2 {
				want = append(want, c.kinds...)
			}
		}
		assert.Equal(t, want, kinds(all), "order %d", order)
		assert.True(t, all.OK, "order %d", order)
	}
}
