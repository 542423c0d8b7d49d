package numdiff

import (
	"fmt"
)

// A Function is a scalar function of a flat vector of n variables: what
// numdiff differentiates numerically and checks. *ad.Func is a Function
// with every derivative; any Go type with an Eval method plugs in as well.
//
// The checks use the derivatives a Function also has, found by type
// assertion, and report those it lacks as not available:
//
//	Grad(x, grad []float64) (float64, error)       // ∇f(x), reverse mode
//	JVP(x, v []float64) (value, jvp float64, err error) // ∇f(x)·v, forward mode
//	HVP(x, v, hv []float64) error                  // ∇²f(x)·v
//	EvalComplex(z []complex128) (complex128, error) // f(z), for the complex step
//	GradComplex(z, grad []complex128) error        // ∇f(z), for complex steps on the gradient
//	Names() []string                               // names for reports (else x[0], x[1], …)
//
// Each method returns a non-nil error for bad input, and may return one for
// a NaN or infinite result to explain where it came from (an
// *ad.NonFiniteError); checks report such errors per component. An
// EvalComplex error wrapping ad.ErrNoComplex says that f has no analytic
// complex form.
type Function interface {
	Eval(x []float64) (float64, error)
}

// funcs are the methods of a Function as values, nil where it lacks one,
// so that a checker can count the calls.
type funcs struct {
	names       []string
	F           func(x []float64) (float64, error)
	Grad        func(x, grad []float64) (float64, error)
	JVP         func(x, v []float64) (value, jvp float64, err error)
	HVP         func(x, v, hv []float64) error
	Complex     func(z []complex128) (complex128, error)
	ComplexGrad func(z, grad []complex128) error
}

func methodsOf(f Function) funcs {
	m := funcs{F: f.Eval}
	if g, ok := f.(interface {
		Grad(x, grad []float64) (float64, error)
	}); ok {
		m.Grad = g.Grad
	}
	if g, ok := f.(interface {
		JVP(x, v []float64) (float64, float64, error)
	}); ok {
		m.JVP = g.JVP
	}
	if g, ok := f.(interface {
		HVP(x, v, hv []float64) error
	}); ok {
		m.HVP = g.HVP
	}
	if g, ok := f.(interface {
		EvalComplex(z []complex128) (complex128, error)
	}); ok {
		m.Complex = g.EvalComplex
	}
	if g, ok := f.(interface {
		GradComplex(z, grad []complex128) error
	}); ok {
		m.ComplexGrad = g.GradComplex
	}
	if g, ok := f.(interface{ Names() []string }); ok {
		m.names = g.Names()
	}
	return m
}

// name returns the name of variable i.
func (f *funcs) name(i int) string {
	if i < len(f.names) {
		return f.names[i]
	}
	return fmt.Sprintf("x[%d]", i)
}
