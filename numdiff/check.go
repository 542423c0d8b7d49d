package numdiff

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/ad"
)

// ErrNotAvailable is wrapped by the errors of checks that need a derivative
// the Function does not provide.
var ErrNotAvailable = errors.New("not available")

// The relative errors, in units of ε, that the error model allows in a
// computed value of f (valueUnits) and in a computed gradient or
// derivative (derivUnits): rounding in a long computation, and
// cancellation such as 1 − sigmoid(x) for large x, make them well above
// ε, and derivatives, which multiply many such factors, more so.
const (
	valueUnits = 32
	derivUnits = 256
)

// DefaultSafety is the factor between the modelled error of a method and
// the tolerance it is checked against.
const DefaultSafety = 10

// Settings control a check. The zero value (or nil) checks with central
// differences at their default steps in two random directions.
type Settings struct {
	// Methods are the numeric methods every derivative is compared with;
	// each must agree within its own tolerance. Default: Central.
	Methods []Method
	// Step, when positive, is the step of every method for every
	// component, instead of each method's default relative to |x|.
	Step float64
	// Safety multiplies the modelled error to give the tolerance.
	// Default: DefaultSafety.
	Safety float64
	// Directions is the number of random directions of CheckDirectional
	// and CheckHVP. Default: 2.
	Directions int
	// Seed seeds the random directions, so that a check can be repeated.
	Seed uint64
	// Order is 1 for first derivatives only, 2 to add the Hessian and
	// Hessian-vector products in Check. Default: 1.
	Order int
}

func (s *Settings) withDefaults() (Settings, error) {
	var out Settings
	if s != nil {
		out = *s
		out.Methods = slices.Clone(s.Methods)
	}
	if len(out.Methods) == 0 {
		out.Methods = []Method{Central}
	}
	for _, m := range out.Methods {
		if _, err := m.MarshalText(); err != nil {
			return out, err
		}
	}
	if out.Step < 0 || math.IsNaN(out.Step) || math.IsInf(out.Step, 0) {
		return out, fmt.Errorf("numdiff: step must be positive and finite, got %v", out.Step)
	}
	if out.Safety == 0 {
		out.Safety = DefaultSafety
	}
	if !(out.Safety >= 1) || math.IsInf(out.Safety, 0) {
		return out, fmt.Errorf("numdiff: safety factor must be at least 1, got %v", out.Safety)
	}
	if out.Directions == 0 {
		out.Directions = 2
	}
	if out.Directions < 0 {
		return out, fmt.Errorf("numdiff: number of directions must be positive, got %d", out.Directions)
	}
	if out.Order == 0 {
		out.Order = 1
	}
	if out.Order != 1 && out.Order != 2 {
		return out, fmt.Errorf("numdiff: order must be 1 or 2, got %d", out.Order)
	}
	return out, nil
}

// A Report is the result of a check: one Component per derivative compared,
// and the verdict.
type Report struct {
	// OK is true when every component agrees with every numeric method
	// that applies to it.
	OK bool `json:"ok"`
	// Failed counts the components that are not OK.
	Failed     int         `json:"failed"`
	Methods    []Method    `json:"methods"`
	Components []Component `json:"components"`
	// Evaluations counts the calls the check made.
	Evaluations Evaluations `json:"evaluations"`
}

// Evaluations counts the calls of each of a Function's methods: F counts
// Eval, Complex EvalComplex and ComplexGrad GradComplex.
type Evaluations struct {
	F           int `json:"f"`
	Grad        int `json:"grad"`
	JVP         int `json:"jvp"`
	HVP         int `json:"hvp"`
	Complex     int `json:"complex"`
	ComplexGrad int `json:"complex_grad"`
}

// A Component is one derivative compared with numeric estimates: a
// gradient component, a directional derivative, a Hessian entry or a
// component of a Hessian-vector product.
type Component struct {
	// Kind is gradient, jvp (forward mode), vjp (the reverse-mode gradient
	// dotted with the direction), hessian or hvp.
	Kind string `json:"kind"`
	// Name says which derivative: "x", "H[x,y]", "d1", "Hd1[x]" (d1 is the
	// first random direction).
	Name string `json:"name"`
	// Index is the component's position: [i] for a gradient, [i, j] for a
	// Hessian, [direction] or [direction, i] for products.
	Index []int `json:"index"`
	// AD is the derivative computed by automatic differentiation.
	AD float64 `json:"ad"`
	// Numeric has one estimate per method.
	Numeric []Estimate `json:"numeric"`
	// AbsError, RelError and Tolerance are those of the estimate that
	// decides the verdict: the one furthest out of (or closest to the edge
	// of) its tolerance.
	AbsError  float64 `json:"abs_error"`
	RelError  float64 `json:"rel_error"`
	Tolerance float64 `json:"tolerance"`
	OK        bool    `json:"ok"`
	// Problem says why the component is not OK when that is not a plain
	// disagreement: a non-finite value (with its provenance), a point
	// outside the domain, a vanishing step.
	Problem string `json:"problem,omitempty"`
}

// An Estimate is one numeric method's value for a Component, and how it
// compares.
type Estimate struct {
	Method   Method  `json:"method"`
	Step     float64 `json:"step"`
	Value    float64 `json:"value"`
	AbsError float64 `json:"abs_error"`
	// RelError is AbsError/max(|AD|, |Value|), 0 when both are 0.
	RelError float64 `json:"rel_error"`
	// Truncation and RoundOff are the modelled errors (RoundOff includes
	// that of the AD value); Tolerance is Safety times their sum.
	Truncation float64 `json:"truncation"`
	RoundOff   float64 `json:"round_off"`
	Tolerance  float64 `json:"tolerance"`
	// Why states the error model with its numbers.
	Why string `json:"why"`
	OK  bool   `json:"ok"`
	// Unsupported is true when the method does not apply to the function
	// (the complex step through abs, min, max, sign or step); such an
	// estimate does not count towards the verdict.
	Unsupported bool   `json:"unsupported,omitempty"`
	Problem     string `json:"problem,omitempty"`
}

// A checker runs the checks of one Function at one point.
type checker struct {
	f     funcs
	x     []float64
	s     Settings
	evals Evaluations
	rng   *rand.Rand
	value point // f(x)
}

func newChecker(f Function, x []float64, s *Settings) (*checker, error) {
	set, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("numdiff: no function: %w", ErrNotAvailable)
	}
	if len(x) == 0 {
		return nil, errors.New("numdiff: no variables")
	}
	c := &checker{x: slices.Clone(x), s: set, rng: rand.New(rand.NewPCG(set.Seed, 0x9e3779b97f4a7c15))}
	c.f = c.counted(methodsOf(f))
	c.value = point{out: make([]float64, 1)}
	c.value.out[0], c.value.err = c.f.F(c.x)
	if c.value.err != nil && !ad.IsNonFinite(c.value.err) {
		return nil, c.value.err
	}
	return c, nil
}

// counted returns f with each call counted in c.evals.
func (c *checker) counted(f funcs) funcs {
	g := f
	g.F = func(x []float64) (float64, error) { c.evals.F++; return f.F(x) }
	if f.Grad != nil {
		g.Grad = func(x, gr []float64) (float64, error) { c.evals.Grad++; return f.Grad(x, gr) }
	}
	if f.JVP != nil {
		g.JVP = func(x, v []float64) (float64, float64, error) { c.evals.JVP++; return f.JVP(x, v) }
	}
	if f.HVP != nil {
		g.HVP = func(x, v, hv []float64) error { c.evals.HVP++; return f.HVP(x, v, hv) }
	}
	if f.Complex != nil {
		g.Complex = func(z []complex128) (complex128, error) { c.evals.Complex++; return f.Complex(z) }
	}
	if f.ComplexGrad != nil {
		g.ComplexGrad = func(z, gr []complex128) error { c.evals.ComplexGrad++; return f.ComplexGrad(z, gr) }
	}
	return g
}

// valueLine is f along x + t·d.
func (c *checker) valueLine(d []float64) *line {
	l := newLine("f", c.x, d, c.value, func(x, out []float64) (err error) {
		out[0], err = c.f.F(x)
		return err
	})
	l.resolution = math.Abs(c.value.out[0]) / l.scale
	if c.f.Complex != nil {
		l.evalC = func(z, out []complex128) (err error) {
			out[0], err = c.f.Complex(z)
			return err
		}
	} else {
		l.noComplex = "complex-step not available: the function has no complex form"
	}
	return l
}

// gradLine is ∇f along x + t·d; origin is ∇f(x).
func (c *checker) gradLine(d []float64, origin point) *line {
	l := newLine("∇f", c.x, d, origin, func(x, out []float64) error {
		_, err := c.f.Grad(x, out)
		return err
	})
	l.resolution = math.Abs(c.value.out[0])/(l.scale*l.scale) + floats.Norm(origin.out, math.Inf(1))/l.scale
	if c.f.ComplexGrad != nil {
		l.evalC = c.f.ComplexGrad
	} else {
		l.noComplex = "complex-step not available: the function has no complex gradient"
	}
	return l
}

// gradient returns ∇f(x) as a point, with any error explaining non-finite
// entries; other errors are returned.
func (c *checker) gradient() (point, error) {
	if c.f.Grad == nil {
		return point{}, fmt.Errorf("numdiff: the function has no gradient: %w", ErrNotAvailable)
	}
	p := point{out: make([]float64, len(c.x))}
	_, p.err = c.f.Grad(c.x, p.out)
	if p.err != nil && !ad.IsNonFinite(p.err) {
		return p, p.err
	}
	return p, nil
}

// measured is a line with every method's measurement.
type measured struct {
	l  *line
	b  bounds
	ms []measurement
}

func (c *checker) measure(l *line) measured {
	order := 2
	for _, m := range c.s.Methods {
		switch m {
		case Central, ComplexStep:
			order = max(order, 3)
		case Richardson:
			order = 5
		}
	}
	r := measured{l: l, b: l.bounds(order)}
	for _, m := range c.s.Methods {
		r.ms = append(r.ms, l.measure(m, c.s.Step, true))
	}
	return r
}

// component compares output k of a measured line with the AD value ad;
// adErr explains a non-finite ad.
func (c *checker) component(r measured, k int, ad float64, adErr error, kind, name string, index ...int) Component {
	comp := Component{Kind: kind, Name: name, Index: index, AD: ad,
		AbsError: math.NaN(), RelError: math.NaN(), Tolerance: math.NaN()}
	worst := -1.0
	supported := 0
	for i := range r.ms {
		e := c.judge(r, &r.ms[i], k, ad)
		comp.Numeric = append(comp.Numeric, e)
		if e.Unsupported {
			continue
		}
		supported++
		if e.Problem != "" && comp.Problem == "" {
			comp.Problem = fmt.Sprintf("%s: %s", e.Method, e.Problem)
		}
		if ratio := e.AbsError / e.Tolerance; ratio > worst || math.IsNaN(ratio) && worst >= 0 {
			worst = ratio
			if math.IsNaN(ratio) {
				worst = math.Inf(1)
			}
			comp.AbsError, comp.RelError, comp.Tolerance = e.AbsError, e.RelError, e.Tolerance
		}
	}
	if !isFinite(ad) {
		msg := fmt.Sprintf("the AD value is %v", ad)
		if adErr != nil {
			msg += ": " + adErr.Error()
		}
		comp.Problem = msg
	}
	if supported == 0 && comp.Problem == "" {
		comp.Problem = "no numeric method applies: " + comp.Numeric[0].Problem
	}
	comp.OK = comp.Problem == "" && !slices.ContainsFunc(comp.Numeric, func(e Estimate) bool { return !e.OK && !e.Unsupported })
	return comp
}

// judge compares the AD value with one measurement for output k under the
// method's error model. With φ the line, s its scale and ε the machine
// epsilon, a method with step h errs by its truncation error (h|φ”|/2
// for one-sided differences, h²|φ”'|/6 for central differences and the
// complex step, h⁴|φ⁽⁵⁾|/480 for Richardson) plus round-off. Each value of
// φ is taken to carry an error of up to u·M, where u = valueUnits·ε (or
// derivUnits·ε when φ is the gradient) allows for cancellation inside f and M = max|φ| + s(|φ'| + R) covers
// the value, the rounding of x, and R, the resolution of derivatives of f
// at its own scale: |f|/s for first derivatives, |f|/s² + ‖∇f‖∞/s for
// second ones (a derivative far below R, such as the slope of a saturated
// sigmoid, is round-off of f, and neither AD nor numeric methods resolve
// it). The difference divides the error by h: 2uM/h one-sided, uM/h
// central, 3uM/h Richardson, nothing for the complex step. Both the AD
// value and the complex step err by up to u(|φ'| + s|φ”| + R) on top.
func (c *checker) judge(r measured, ms *measurement, k int, ad float64) Estimate {
	e := Estimate{Method: ms.method, Step: ms.step, Value: math.NaN(), AbsError: math.NaN(),
		RelError: math.NaN(), Truncation: math.NaN(), RoundOff: math.NaN(), Tolerance: math.NaN(),
		Unsupported: ms.unsupported, Problem: ms.problem}
	if e.Problem != "" {
		return e
	}
	e.Value = ms.value[k]
	if p := ms.nonFinite(r.l, k); p != "" {
		e.Problem = p
		return e
	}
	e.AbsError = math.Abs(ad - e.Value)
	e.RelError = 0
	if e.AbsError != 0 {
		e.RelError = e.AbsError / math.Max(math.Abs(ad), math.Abs(e.Value))
	}
	h, s := ms.step, r.l.scale
	d1 := math.Abs(e.Value)
	if isFinite(ad) {
		d1 = math.Max(d1, math.Abs(ad))
	}
	d2 := r.b.d2[k]
	m := ms.maxAbs(k) + s*(d1+r.l.resolution)
	units := float64(valueUnits)
	if r.l.m > 1 {
		units = derivUnits // φ is the gradient
	}
	u := units * eps
	adRound := derivUnits * eps * (d1 + s*d2 + r.l.resolution)
	var trunc, round float64
	var tm, rm string
	switch ms.method {
	case Forward, Backward:
		trunc, tm = h*d2/2, fmt.Sprintf("h|φ''|/2 with |φ''| ≈ %.3g", d2)
		round, rm = 2*u*m/h, "2uM/h"
	case Central:
		trunc, tm = h*h*r.b.d3[k]/6, fmt.Sprintf("h²|φ'''|/6 with |φ'''| ≈ %.3g", r.b.d3[k])
		round, rm = u*m/h, "uM/h"
	case Richardson:
		trunc, tm = math.Pow(h, 4)*r.b.d5[k]/480, fmt.Sprintf("h⁴|φ⁽⁵⁾|/480 with |φ⁽⁵⁾| ≈ %.3g", r.b.d5[k])
		round, rm = 3*u*m/h, "3uM/h"
	case ComplexStep:
		trunc, tm = h*h*r.b.d3[k]/6, fmt.Sprintf("h²|φ'''|/6 with |φ'''| ≈ %.3g", r.b.d3[k])
		round, rm = adRound, "u'(|φ'|+s|φ''|+R)"
	}
	e.Truncation, e.RoundOff = trunc, round+adRound
	e.Tolerance = c.s.Safety * (e.Truncation + e.RoundOff)
	e.Why = fmt.Sprintf("%s h=%.3g: truncation %s = %.2g; round-off %s = %.2g with M = max|φ| + s(|φ'|+R) = %.3g, s = %.3g; AD round-off u'(|φ'|+s|φ''|+R) = %.2g with R = %.3g, u = %gε, u' = %gε; tolerance %g × (%.2g)",
		ms.method, h, tm, trunc, rm, round, m, s, adRound, r.l.resolution, units, float64(derivUnits), c.s.Safety, e.Truncation+e.RoundOff)
	if math.IsNaN(e.Tolerance) {
		e.Problem = fmt.Sprintf("cannot bound the truncation error: %s is not finite near x (within %.3g along the line)", r.l.what, 3*r.b.delta)
		return e
	}
	e.OK = e.AbsError <= e.Tolerance
	return e
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// report gathers components into a report.
func (c *checker) report(comps []Component) *Report {
	r := &Report{OK: true, Methods: c.s.Methods, Components: comps, Evaluations: c.evals}
	for _, comp := range comps {
		if !comp.OK {
			r.OK = false
			r.Failed++
		}
	}
	return r
}

func unit(n, i int) []float64 {
	e := make([]float64, n)
	e[i] = 1
	return e
}

// direction returns a random direction with standard normal entries.
func (c *checker) direction() []float64 {
	d := make([]float64, len(c.x))
	for i := range d {
		d[i] = c.rng.NormFloat64()
	}
	return d
}

// CheckGradient compares every component of f's gradient at x with
// numeric differences of f. It costs a few evaluations of f per component
// (its methods' stencils and the coarse stencil that estimates the higher
// derivatives of the error model); CheckDirectional is cheaper for many
// variables.
func CheckGradient(f Function, x []float64, s *Settings) (*Report, error) {
	return check(f, x, s, (*checker).gradientComponents)
}

func (c *checker) gradientComponents() ([]Component, error) {
	g, err := c.gradient()
	if err != nil {
		return nil, err
	}
	var comps []Component
	for i := range c.x {
		r := c.measure(c.valueLine(unit(len(c.x), i)))
		comps = append(comps, c.component(r, 0, g.out[i], g.err, "gradient", c.f.name(i), i))
	}
	return comps, nil
}

// CheckDirectional compares directional derivatives ∇f(x)·d in random
// directions d (Settings.Directions of them, seeded by Settings.Seed) with
// numeric differences of f along d, as JAX's check_grads does: the cost
// per direction is a few evaluations whatever the number of variables.
// Each direction is checked in forward mode (f.JVP, kind "jvp") and in
// reverse mode (f.Grad dotted with d, kind "vjp"), whichever f provides.
func CheckDirectional(f Function, x []float64, s *Settings) (*Report, error) {
	return check(f, x, s, (*checker).directionalComponents)
}

func (c *checker) directionalComponents() ([]Component, error) {
	if c.f.JVP == nil && c.f.Grad == nil {
		return nil, fmt.Errorf("numdiff: the function has neither JVP nor gradient: %w", ErrNotAvailable)
	}
	var g point
	if c.f.Grad != nil {
		var err error
		if g, err = c.gradient(); err != nil {
			return nil, err
		}
	}
	var comps []Component
	for k := range c.s.Directions {
		d := c.direction()
		name := fmt.Sprintf("d%d", k+1)
		r := c.measure(c.valueLine(d))
		if c.f.JVP != nil {
			_, jvp, err := c.f.JVP(c.x, d)
			if err != nil && !ad.IsNonFinite(err) {
				return nil, err
			}
			comps = append(comps, c.component(r, 0, jvp, err, "jvp", name, k))
		}
		if c.f.Grad != nil {
			comps = append(comps, c.component(r, 0, floats.Dot(g.out, d), g.err, "vjp", name, k))
		}
	}
	return comps, nil
}

// CheckHessian compares every entry of f's Hessian at x, column j computed
// by f.HVP in the direction e_j, with numeric differences of the AD
// gradient along e_j (the complex step needs f.ComplexGrad). Its cost is
// a few gradients per variable.
func CheckHessian(f Function, x []float64, s *Settings) (*Report, error) {
	return check(f, x, s, (*checker).hessianComponents)
}

func (c *checker) hessianComponents() ([]Component, error) {
	n := len(c.x)
	return c.products("hessian", n, func(j int) []float64 { return unit(n, j) },
		func(j, i int) (string, []int) {
			return fmt.Sprintf("H[%s,%s]", c.f.name(i), c.f.name(j)), []int{i, j}
		})
}

// products compares the Hessian-vector products ∇²f·d from f.HVP, for
// count directions d, with numeric differences of the AD gradient along d;
// label names component i of product k.
func (c *checker) products(kind string, count int, dir func(k int) []float64, label func(k, i int) (string, []int)) ([]Component, error) {
	if c.f.HVP == nil {
		return nil, fmt.Errorf("numdiff: the function has no Hessian-vector product: %w", ErrNotAvailable)
	}
	g, err := c.gradient()
	if err != nil {
		return nil, err
	}
	n := len(c.x)
	hv := make([]float64, n)
	var comps []Component
	for k := range count {
		d := dir(k)
		err := c.f.HVP(c.x, d, hv)
		if err != nil && !ad.IsNonFinite(err) {
			return nil, err
		}
		r := c.measure(c.gradLine(d, g))
		for i := range n {
			name, index := label(k, i)
			comps = append(comps, c.component(r, i, hv[i], err, kind, name, index...))
		}
	}
	return comps, nil
}

// CheckHVP compares Hessian-vector products ∇²f(x)·d in random directions
// with numeric differences of the AD gradient along d: a few gradients per
// direction whatever the number of variables.
func CheckHVP(f Function, x []float64, s *Settings) (*Report, error) {
	return check(f, x, s, (*checker).hvpComponents)
}

func (c *checker) hvpComponents() ([]Component, error) {
	return c.products("hvp", c.s.Directions, func(int) []float64 { return c.direction() },
		func(k, i int) (string, []int) {
			return fmt.Sprintf("Hd%d[%s]", k+1, c.f.name(i)), []int{k, i}
		})
}

// Check runs CheckGradient and CheckDirectional, and with Settings.Order 2
// also CheckHessian and CheckHVP, into one report.
func Check(f Function, x []float64, s *Settings) (*Report, error) {
	return check(f, x, s, (*checker).gradientComponents, (*checker).directionalComponents,
		secondOrder((*checker).hessianComponents), secondOrder((*checker).hvpComponents))
}

// A part computes some of the components of a check.
type part func(*checker) ([]Component, error)

// secondOrder returns p when Settings.Order is 2, and no components
// otherwise.
func secondOrder(p part) part {
	return func(c *checker) ([]Component, error) {
		if c.s.Order != 2 {
			return nil, nil
		}
		return p(c)
	}
}

// check runs the parts of a check with one checker of f at x, in turn,
// into one report.
func check(f Function, x []float64, s *Settings, parts ...part) (*Report, error) {
	c, err := newChecker(f, x, s)
	if err != nil {
		return nil, err
	}
	var comps []Component
	for _, p := range parts {
		cs, err := p(c)
		if err != nil {
			return nil, err
		}
		comps = append(comps, cs...)
	}
	return c.report(comps), nil
}
