package numdiff

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

// A line is what a numeric method differentiates: the function (m = 1) or
// its gradient (m = n) along the line through x in the direction d,
// φ(t) = f(x + t·d) or ∇f(x + t·d), so that φ'(0) is a component of the
// gradient, a directional derivative, a Hessian column or a
// Hessian-vector product.
type line struct {
	what  string // "f" or "∇f", for messages
	m     int
	x, d  []float64
	coord int     // i when d is the coordinate vector e_i, else -1
	scale float64 // the size of x along d in units of t: max(1, ‖x‖∞)/‖d‖∞
	// resolution is the size below which derivatives along the line are
	// round-off of f (see judge).
	resolution float64
	eval       func(x, out []float64) error
	// evalC writes φ(z) for complex z into out; nil when f has no complex
	// form. noComplex says why.
	evalC     func(z, out []complex128) error
	noComplex string
	origin    point // φ(0)
}

// A point is one evaluation of φ.
type point struct {
	t   float64
	out []float64
	err error
}

// newLine returns the line through x in the direction d; origin is φ(0),
// evaluated once for all the lines through x.
func newLine(what string, x, d []float64, origin point, eval func(x, out []float64) error) *line {
	l := &line{what: what, m: len(origin.out), x: x, d: d, coord: -1, eval: eval, origin: origin}
	nz := 0
	for i, di := range d {
		if di != 0 {
			nz++
			l.coord = i
		}
	}
	if nz != 1 || d[l.coord] != 1 {
		l.coord = -1
	}
	if l.coord >= 0 {
		l.scale = math.Max(1, math.Abs(x[l.coord]))
	} else {
		l.scale = math.Max(1, floats.Norm(x, math.Inf(1))) / floats.Norm(d, math.Inf(1))
	}
	return l
}

// at evaluates φ(t).
func (l *line) at(t float64) point {
	xt := slices.Clone(l.x)
	if l.coord >= 0 {
		xt[l.coord] += t
	} else if t != 0 {
		floats.AddScaled(xt, t, l.d)
	}
	p := point{t: t, out: make([]float64, l.m)}
	p.err = l.eval(xt, p.out)
	return p
}

// exactStep rounds h so that x + h·d is exactly representable when d is a
// coordinate vector: then the step the function sees is the step divided
// by, which removes one source of error. It returns 0 when h vanishes
// against x.
func (l *line) exactStep(h float64) float64 {
	if l.coord < 0 {
		return h
	}
	xi := l.x[l.coord]
	return (xi + h) - xi
}

// A measurement is one method's estimate of φ'(0), with what is needed to
// judge it: the points it used.
type measurement struct {
	method      Method
	step        float64
	value       []float64
	points      []point
	problem     string // when there is no value at all
	unsupported bool   // the method does not apply to this function
}

// measure estimates φ'(0) by method m with step h (0 for the default),
// made exact (see exactStep) when exact is set.
func (l *line) measure(m Method, h float64, exact bool) measurement {
	ms := measurement{method: m}
	if h == 0 {
		h = m.Step(l.scale)
	}
	if m == ComplexStep {
		return l.complexStep(h)
	}
	ms.step = h
	if exact {
		ms.step = l.exactStep(h)
	}
	if ms.step == 0 {
		ms.problem = fmt.Sprintf("step %.3g vanishes against x = %.17g: x + h == x", h, l.x[l.coord])
		return ms
	}
	ms.points = []point{l.origin}
	f := func(y, t []float64) {
		p := l.at(t[0])
		ms.points = append(ms.points, p)
		copy(y, p.out)
	}
	// fd.Jacobian with one column applies the stencil to all m outputs
	// at once; the origin is already known.
	jac := mat.NewDense(l.m, 1, nil)
	fd.Jacobian(jac, f, []float64{0}, &fd.JacobianSettings{
		Formula:     m.formula(),
		Step:        ms.step,
		OriginValue: l.origin.out,
	})
	ms.value = mat.Col(nil, 0, jac)
	return ms
}

// complexStep estimates φ'(0) as Im φ(ih)/h.
func (l *line) complexStep(h float64) measurement {
	ms := measurement{method: ComplexStep, step: h}
	if l.evalC == nil {
		ms.unsupported = true
		ms.problem = l.noComplex
		return ms
	}
	z := make([]complex128, len(l.x))
	for i, xi := range l.x {
		z[i] = complex(xi, h*l.d[i])
	}
	out := make([]complex128, l.m)
	if err := l.evalC(z, out); err != nil {
		ms.problem = err.Error()
		if errors.Is(err, ad.ErrNoComplex) {
			ms.unsupported = true
			ms.problem = "unsupported for complex-step: " + err.Error()
		}
		return ms
	}
	ms.value = make([]float64, l.m)
	re := make([]float64, l.m)
	for k, v := range out {
		ms.value[k] = imag(v) / h
		re[k] = real(v)
	}
	ms.points = []point{l.origin, {t: 0, out: re}}
	return ms
}

// nonFinite says why output k of the measurement is not usable, or "".
func (ms *measurement) nonFinite(l *line, k int) string {
	for _, p := range ms.points {
		if v := p.out[k]; math.IsNaN(v) || math.IsInf(v, 0) || p.err != nil {
			if !(math.IsNaN(v) || math.IsInf(v, 0)) && !ad.IsNonFinite(p.err) {
				// Another output of the same evaluation went wrong.
				continue
			}
			msg := fmt.Sprintf("%s(x%s) = %v", l.what, l.offset(p.t), v)
			if p.err != nil {
				msg += ": " + p.err.Error()
			}
			return msg
		}
	}
	if v := ms.value[k]; math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("the %s estimate is %v", ms.method, v)
	}
	return ""
}

// offset prints t·d for messages: " + 1e-08·e[3]" or " − 6e-06·d".
func (l *line) offset(t float64) string {
	if t == 0 {
		return ""
	}
	sign := "+"
	if t < 0 {
		sign, t = "−", -t
	}
	if l.coord >= 0 {
		return fmt.Sprintf(" %s %.3g·e%d", sign, t, l.coord)
	}
	return fmt.Sprintf(" %s %.3g·d", sign, t)
}

// maxAbs is the largest |φ_k| at the points of the measurement.
func (ms *measurement) maxAbs(k int) float64 {
	var m float64
	for _, p := range ms.points {
		m = math.Max(m, math.Abs(p.out[k]))
	}
	return m
}

// bounds estimates |φ”|, |φ”'| and |φ⁽⁵⁾| near 0 for every output, the
// factors of the methods' truncation errors. Only magnitudes are needed,
// so the stencils use coarse steps at which round-off is small: δ and δ/4,
// keeping the larger estimate, because a coarse stencil underestimates the
// derivatives of a function that oscillates on its scale. When f is not
// finite somewhere on the stencil (x is near the edge of f's domain) δ
// shrinks. Outputs with no finite estimate get NaN.
type bounds struct {
	delta      float64
	d2, d3, d5 []float64
}

func (l *line) bounds(order int) bounds {
	reach := map[int]int{2: 1, 3: 2, 5: 3}[order]
	var b bounds
	delta := math.Pow(eps, 1.0/7) * l.scale
	for try := 0; try < 4; try, delta = try+1, delta/10 {
		b = bounds{delta: delta, d2: make([]float64, l.m), d3: make([]float64, l.m), d5: make([]float64, l.m)}
		finite := true
		for _, dt := range []float64{delta, delta / 4} {
			pts := map[float64][]float64{0: l.origin.out}
			for k := 1; k <= reach; k++ {
				for _, s := range []float64{-1, 1} {
					p := l.at(s * float64(k) * dt)
					pts[s*float64(k)] = p.out
					finite = finite && allFinite(p.out)
				}
			}
			larger := func(dst []float64, f fd.Formula) {
				d := make([]float64, l.m)
				scale := math.Pow(dt, float64(f.Derivative))
				for _, pt := range f.Stencil {
					floats.AddScaled(d, pt.Coeff/scale, pts[pt.Loc])
				}
				for k := range d {
					// NaN wins, so that a non-finite stencil is seen.
					if v := math.Abs(d[k]); v > dst[k] || math.IsNaN(v) {
						dst[k] = v
					}
				}
			}
			larger(b.d2, fd.Central2nd)
			if reach >= 2 {
				larger(b.d3, third)
			}
			if reach >= 3 {
				larger(b.d5, fifth)
			}
		}
		if finite {
			break
		}
	}
	return b
}

func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
