package numdiff

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/diff/fd"
)

// Gradient estimates the gradient of f at x by method m alone, one
// coordinate at a time, into grad. It computes each component as the
// textbook writes the formula: f is evaluated at x + t·h·eᵢ, where t runs
// over the method's stencil (0 and 1 for Forward, −1 and 1 for Central),
// as floating point rounds those points, and the weighted sum of the
// values is divided by h itself; ComplexStep takes Im f(x + ih·eᵢ)/h. So
// Forward with h = 1e-7 at x = 1 gives (f(1 + 1e-7) − f(1))/1e-7, although
// 1 + 1e-7 is 1 + 1.0000000005838672e-07 in floating point (Check instead
// rounds h so that x + h is exact). A step of 0 takes the method's default
// step at each coordinate, m.Step(xᵢ).
//
// Every component is computed; the first error of an evaluation, such as
// an *ad.NonFiniteError, is returned after them. ComplexStep needs the
// EvalComplex method of an *ad.Func.
func Gradient(f Function, x []float64, m Method, h float64, grad []float64) error {
	if len(grad) != len(x) {
		return fmt.Errorf("numdiff: gradient has room for %d values, want %d", len(grad), len(x))
	}
	if !(h >= 0) {
		return fmt.Errorf("numdiff: step %v: want a positive step, or 0 for the default", h)
	}
	if f == nil {
		return fmt.Errorf("numdiff: no function: %w", ErrNotAvailable)
	}
	if m == ComplexStep {
		return complexGradient(methodsOf(f), x, h, grad)
	}
	if m < 0 || m > ComplexStep {
		return fmt.Errorf("numdiff: invalid method %d", int(m))
	}
	var first error
	xt := slices.Clone(x)
	for i, xi := range x {
		hi := h
		if hi == 0 {
			hi = m.Step(xi)
		}
		grad[i] = fd.Derivative(func(t float64) float64 {
			xt[i] = xi + t
			v, err := f.Eval(xt)
			if err != nil && first == nil {
				first = err
			}
			return v
		}, 0, &fd.Settings{Formula: m.formula(), Step: hi})
		xt[i] = xi
	}
	return first
}

// complexGradient is Gradient by complex steps.
func complexGradient(f funcs, x []float64, h float64, grad []float64) error {
	if f.Complex == nil {
		return fmt.Errorf("numdiff: the function has no complex form for the complex step: %w", ErrNotAvailable)
	}
	z := make([]complex128, len(x))
	for i, xi := range x {
		z[i] = complex(xi, 0)
	}
	var first error
	for i, xi := range x {
		hi := h
		if hi == 0 {
			hi = ComplexStep.Step(xi)
		}
		z[i] = complex(xi, hi)
		v, err := f.Complex(z)
		z[i] = complex(xi, 0)
		if err != nil && first == nil {
			first = err
		}
		grad[i] = imag(v) / hi
	}
	return first
}
