package numdiff

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
)

// A Sweep is the error of numeric methods against the AD derivative over a
// range of steps: for forward and central differences, the textbook V on
// log-log axes, truncation error falling with h on its right and
// round-off rising as h shrinks on its left.
type Sweep struct {
	// Name is the derivative swept: a variable's name or "d" for a
	// direction.
	Name string `json:"name"`
	// AD is the derivative by automatic differentiation, the reference.
	AD     float64  `json:"ad"`
	Series []Series `json:"series"`
}

// A Series is one method's estimates over the steps of a Sweep.
type Series struct {
	Method Method    `json:"method"`
	Steps  []float64 `json:"steps"`
	Values []float64 `json:"values"`
	// Errors are |value − AD|; NaN where the method gave no value.
	Errors []float64 `json:"errors"`
	// BestStep is the step with the smallest error, averaged with its
	// neighbours' so that a lucky cancellation at one step does not count;
	// BestError is that average.
	BestStep  float64 `json:"best_step"`
	BestError float64 `json:"best_error"`
	// Problem is the first reason a step gave no value.
	Problem string `json:"problem,omitempty"`
}

// LogSteps returns the steps from hi down to lo, perDecade of them per
// power of ten, evenly spaced in log h.
func LogSteps(hi, lo float64, perDecade int) []float64 {
	if !(hi > 0 && lo > 0 && lo <= hi) || perDecade < 1 {
		return nil
	}
	n := int(math.Round(math.Log10(hi/lo)*float64(perDecade))) + 1
	steps := make([]float64, n)
	for k := range steps {
		steps[k] = hi * math.Pow(10, -float64(k)/float64(perDecade))
	}
	return steps
}

// SweepSettings control a sweep. The zero value sweeps forward and central
// differences over LogSteps(1e-1, 1e-15, 4).
type SweepSettings struct {
	Methods []Method
	Steps   []float64
}

// SweepDirection measures how the numeric estimates of the directional
// derivative ∇f(x)·d depend on the step; d = e_i sweeps the gradient
// component i. The reference is f.Grad·d. The steps are used as given, as
// a textbook computation does, so the error includes the rounding of
// x + h·d (the checks round h so that x + h·e_i is exact instead).
func SweepDirection(f Function, x, d []float64, s *SweepSettings) (*Sweep, error) {
	var set SweepSettings
	if s != nil {
		set = *s
	}
	if len(set.Methods) == 0 {
		set.Methods = []Method{Forward, Central}
	}
	if len(set.Steps) == 0 {
		set.Steps = LogSteps(1e-1, 1e-15, 4)
	}
	for _, h := range set.Steps {
		if !(h > 0) || math.IsInf(h, 0) {
			return nil, fmt.Errorf("numdiff: steps must be positive and finite, got %v", h)
		}
	}
	if len(d) != len(x) {
		return nil, fmt.Errorf("numdiff: direction has %d values, want %d", len(d), len(x))
	}
	if floats.Norm(d, math.Inf(1)) == 0 {
		return nil, errors.New("numdiff: zero direction")
	}
	c, err := newChecker(f, x, &Settings{Methods: set.Methods})
	if err != nil {
		return nil, err
	}
	g, err := c.gradient()
	if err != nil {
		return nil, err
	}
	l := c.valueLine(slices.Clone(d))
	sw := &Sweep{Name: "d", AD: floats.Dot(g.out, d)}
	if l.coord >= 0 {
		sw.Name = c.f.name(l.coord)
	}
	for _, m := range set.Methods {
		sr := Series{Method: m, BestStep: math.NaN(), BestError: math.Inf(1)}
		for _, h := range set.Steps {
			ms := l.measure(m, h, false)
			v, p := math.NaN(), ms.problem
			if p == "" {
				v, p = ms.value[0], ms.nonFinite(l, 0)
			}
			if p != "" && sr.Problem == "" {
				sr.Problem = fmt.Sprintf("h=%.3g: %s", h, p)
			}
			e := math.Abs(v - sw.AD)
			sr.Steps = append(sr.Steps, h)
			sr.Values = append(sr.Values, v)
			sr.Errors = append(sr.Errors, e)
		}
		for k := range sr.Errors {
			lo, hi := max(k-1, 0), min(k+2, len(sr.Errors))
			if e := floats.Sum(sr.Errors[lo:hi]) / float64(hi-lo); e < sr.BestError {
				sr.BestStep, sr.BestError = sr.Steps[k], e
			}
		}
		if math.IsInf(sr.BestError, 1) {
			sr.BestError = math.NaN()
		}
		sw.Series = append(sw.Series, sr)
	}
	return sw, nil
}

// SweepGradient sweeps the gradient component i.
func SweepGradient(f Function, x []float64, i int, s *SweepSettings) (*Sweep, error) {
	if i < 0 || i >= len(x) {
		return nil, fmt.Errorf("numdiff: component %d out of range [0, %d)", i, len(x))
	}
	return SweepDirection(f, x, unit(len(x), i), s)
}
