package numdiff

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/diff/fd"
)

// A Method is a way of estimating a derivative numerically.
type Method int

// The methods. Their default steps balance truncation against round-off:
// a method whose truncation error is of order h^p and whose round-off
// error is of order ε/h is most accurate near h = ε^(1/(p+1)).
const (
	// Forward is the forward difference (f(x+h) − f(x))/h: truncation
	// error h|f''|/2, default step √ε·max(1,|x|).
	Forward Method = iota
	// Backward is the backward difference (f(x) − f(x−h))/h, with the
	// same errors and step as Forward.
	Backward
	// Central is the central difference (f(x+h) − f(x−h))/2h: truncation
	// error h²|f'''|/6, default step ε^(1/3)·max(1,|x|).
	Central
	// Richardson extrapolates the central differences with steps h and
	// h/2 to (4·C(h/2) − C(h))/3, cancelling their h² terms: truncation
	// error h⁴|f⁽⁵⁾|/480, default step ε^(1/5)·max(1,|x|).
	Richardson
	// ComplexStep is Im f(x+ih)/h, which needs f evaluated in complex
	// arithmetic. It subtracts nothing, so it has no cancellation and h can
	// be tiny: truncation error h²|f'''|/6, default step 1e-20·max(1,|x|).
	ComplexStep
)

var methodNames = [...]string{
	Forward:     "forward",
	Backward:    "backward",
	Central:     "central",
	Richardson:  "richardson",
	ComplexStep: "complex-step",
}

// Methods returns every method, in the order of their declaration.
func Methods() []Method { return []Method{Forward, Backward, Central, Richardson, ComplexStep} }

// String returns the method's name: forward, backward, central, richardson
// or complex-step.
func (m Method) String() string {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Sprintf("Method(%d)", int(m))
	}
	return methodNames[m]
}

// ParseMethod returns the method called name, as String writes it; "complex"
// is accepted for complex-step.
func ParseMethod(name string) (Method, error) {
	if name == "complex" {
		return ComplexStep, nil
	}
	for m, s := range methodNames {
		if s == name {
			return Method(m), nil
		}
	}
	return 0, fmt.Errorf("numdiff: unknown method %q (want forward, backward, central, richardson or complex-step)", name)
}

// MarshalText writes the method's name, so that JSON shows "central", not 2.
func (m Method) MarshalText() ([]byte, error) {
	if m < 0 || int(m) >= len(methodNames) {
		return nil, fmt.Errorf("numdiff: invalid method %d", int(m))
	}
	return []byte(methodNames[m]), nil
}

// UnmarshalText reads a method's name.
func (m *Method) UnmarshalText(b []byte) error {
	v, err := ParseMethod(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

const eps = 0x1p-52 // the machine epsilon of float64

// relStep is the default step of each method at |x| ≤ 1.
var relStep = [...]float64{
	Forward:     math.Sqrt(eps),
	Backward:    math.Sqrt(eps),
	Central:     math.Cbrt(eps),
	Richardson:  math.Pow(eps, 1.0/5),
	ComplexStep: 1e-20,
}

// Step returns the method's default step at a point of size scale
// (|x| for a coordinate): relStep·max(1, scale). A step relative to |x|
// keeps x+h distinct from x for large x; the floor of 1 keeps it from
// vanishing near zero. The complex step is scaled too, although it has no
// cancellation to fear, so that h/|x| does not underflow inside functions
// such as pow that work with the argument of x+ih.
func (m Method) Step(scale float64) float64 {
	if m < 0 || int(m) >= len(relStep) {
		return math.NaN()
	}
	return relStep[m] * math.Max(1, math.Abs(scale))
}

// richardson is one Richardson step on central differences written as a
// single stencil: (4·C(h/2) − C(h))/3 with C(h) = (f(h) − f(−h))/2h.
var richardson = fd.Formula{
	Stencil: []fd.Point{
		{Loc: -1, Coeff: 1.0 / 6}, {Loc: -0.5, Coeff: -4.0 / 3},
		{Loc: 0.5, Coeff: 4.0 / 3}, {Loc: 1, Coeff: -1.0 / 6},
	},
	Derivative: 1,
	Step:       relStep[Richardson],
}

// formula returns the finite difference stencil of a real method.
func (m Method) formula() fd.Formula {
	switch m {
	case Forward:
		return fd.Forward
	case Backward:
		return fd.Backward
	case Central:
		return fd.Central
	case Richardson:
		return richardson
	}
	panic("numdiff: no stencil for " + m.String())
}

// Stencils that estimate the higher derivatives the error model needs
// (f” is gonum's fd.Central2nd). They are applied at a coarse step,
// where round-off is small, because only the magnitude matters.
var (
	third = fd.Formula{
		Stencil: []fd.Point{
			{Loc: -2, Coeff: -0.5}, {Loc: -1, Coeff: 1},
			{Loc: 1, Coeff: -1}, {Loc: 2, Coeff: 0.5},
		},
		Derivative: 3,
		Step:       1e-3,
	}
	fifth = fd.Formula{
		Stencil: []fd.Point{
			{Loc: -3, Coeff: -0.5}, {Loc: -2, Coeff: 2}, {Loc: -1, Coeff: -2.5},
			{Loc: 1, Coeff: 2.5}, {Loc: 2, Coeff: -2}, {Loc: 3, Coeff: 0.5},
		},
		Derivative: 5,
		Step:       1e-2,
	}
)
