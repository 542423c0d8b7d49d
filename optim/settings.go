package optim

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// A Method names an optimization method.
type Method string

// The methods. See the package documentation for what each does.
const (
	GD       Method = "gd"
	GDArmijo Method = "gd-armijo"
	Momentum Method = "momentum"
	Nesterov Method = "nesterov"
	AdaGrad  Method = "adagrad"
	RMSProp  Method = "rmsprop"
	Adam     Method = "adam"
	CG       Method = "cg"
	BFGS     Method = "bfgs"
	LBFGS    Method = "lbfgs"
	Newton   Method = "newton"
	NewtonCG Method = "newton-cg"
)

var methods = []Method{GD, GDArmijo, Momentum, Nesterov, AdaGrad, RMSProp, Adam, CG, BFGS, LBFGS, Newton, NewtonCG}

// Methods returns every method, first-order ones first.
func Methods() []Method { return append([]Method(nil), methods...) }

// ParseMethod returns the method called name.
func ParseMethod(name string) (Method, error) {
	if err := checkMethod(name); err != nil {
		return "", fmt.Errorf("optim: %w", err)
	}
	return Method(name), nil
}

func checkMethod(name string) error {
	if slices.Contains(methods, Method(name)) {
		return nil
	}
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = string(m)
	}
	return fmt.Errorf("unknown method %q (want one of %s)", name, strings.Join(names, ", "))
}

// fixedStep reports whether m moves by a learning rate instead of a line
// search, so that f may increase from one iteration to the next.
func (m Method) fixedStep() bool {
	switch m {
	case GD, Momentum, Nesterov, AdaGrad, RMSProp, Adam:
		return true
	}
	return false
}

// Settings control a run of Minimize. Their fields are used as given, so
// start from DefaultSettings and change what you need. A limit or tolerance
// that is zero is not checked.
type Settings struct {
	// GradTol stops the run when the largest component of the gradient,
	// ‖∇f‖∞, is at most GradTol.
	GradTol float64
	// FuncTol stops the run when an iteration changes f by at most
	// FuncTol·max(1, |f|).
	FuncTol float64
	// StepTol stops the run when an iteration moves x by at most
	// StepTol·max(1, ‖x‖∞) in every component.
	StepTol float64

	// MaxIter, MaxEvals and MaxTime limit the iterations, the evaluations of
	// f (counted as in Result.FuncEvals) and the wall time. They are checked
	// between iterations.
	MaxIter  int
	MaxEvals int
	MaxTime  time.Duration

	// Maximize makes the run maximize f instead: every method works on −f,
	// and the Result reports f itself.
	Maximize bool

	// Trace records the iterates in Result.Trajectory.
	Trace bool

	// Callback, when set, is called with every iterate, the starting point
	// first. Returning false stops the run with status Stopped. The slice
	// Step.X is reused: copy it to keep it.
	Callback func(Step) bool

	// LearningRate is η, the step of the first-order methods (gd, momentum,
	// nesterov, adagrad, rmsprop, adam) and the first trial step of
	// gd-armijo. It must be positive for them.
	LearningRate float64
	// Momentum is β of momentum and nesterov, in [0, 1).
	Momentum float64
	// Beta1 and Beta2 are Adam's decay rates of the average gradient and
	// the average squared gradient; Beta2 is also RMSProp's decay rate.
	// Both are in [0, 1).
	Beta1, Beta2 float64
	// Epsilon keeps the adaptive methods' divisions (adagrad, rmsprop,
	// adam) away from zero.
	Epsilon float64

	// Memory is the number of correction pairs lbfgs keeps.
	Memory int

	// Armijo is c₁ of the sufficient-decrease condition
	// f(x+αd) ≤ f(x) + c₁α∇f·d, in (0, 1/2).
	Armijo float64
	// Curvature is c₂ of the strong Wolfe curvature condition
	// |∇f(x+αd)·d| ≤ c₂|∇f(x)·d|, in (Armijo, 1), for bfgs, lbfgs, newton
	// and newton-cg. cg uses CGCurvature instead, since conjugate
	// directions need a more exact line search.
	Curvature   float64
	CGCurvature float64
	// MaxLineSearch limits the evaluations of one line search.
	MaxLineSearch int
}

// DefaultSettings returns the settings Minimize uses when given nil.
func DefaultSettings() *Settings {
	return &Settings{
		GradTol:       1e-6,
		MaxIter:       10000,
		LearningRate:  1e-3,
		Momentum:      0.9,
		Beta1:         0.9,
		Beta2:         0.999,
		Epsilon:       1e-8,
		Memory:        10,
		Armijo:        1e-4,
		Curvature:     0.9,
		CGCurvature:   0.1,
		MaxLineSearch: 40,
	}
}

// check returns an error describing the first setting m cannot run with.
func (s *Settings) check(m Method) error {
	nonneg := []struct {
		name string
		v    float64
	}{{"GradTol", s.GradTol}, {"FuncTol", s.FuncTol}, {"StepTol", s.StepTol}}
	for _, t := range nonneg {
		if !(t.v >= 0) || math.IsInf(t.v, 1) {
			return fmt.Errorf("%s must be a finite non-negative number, got %v", t.name, t.v)
		}
	}
	if s.MaxIter < 0 || s.MaxEvals < 0 || s.MaxTime < 0 {
		return fmt.Errorf("limits must not be negative (MaxIter %d, MaxEvals %d, MaxTime %v)", s.MaxIter, s.MaxEvals, s.MaxTime)
	}
	unit := func(name string, v float64) error {
		if !(v >= 0 && v < 1) {
			return fmt.Errorf("%s must be in [0, 1), got %v", name, v)
		}
		return nil
	}
	if m.fixedStep() || m == GDArmijo {
		if !(s.LearningRate > 0) || math.IsInf(s.LearningRate, 1) {
			return fmt.Errorf("method %s needs a positive learning rate, got %v", m, s.LearningRate)
		}
	}
	switch m {
	case Momentum, Nesterov:
		return unit("Momentum", s.Momentum)
	case RMSProp, AdaGrad, Adam:
		if !(s.Epsilon > 0) {
			return fmt.Errorf("Epsilon must be positive, got %v", s.Epsilon)
		}
		if m == AdaGrad {
			return nil
		}
		if err := unit("Beta2", s.Beta2); err != nil {
			return err
		}
		if m == Adam {
			return unit("Beta1", s.Beta1)
		}
	case LBFGS:
		if s.Memory < 1 {
			return fmt.Errorf("lbfgs needs Memory ≥ 1, got %d", s.Memory)
		}
	}
	if !m.fixedStep() {
		c2 := s.Curvature
		if m == CG {
			c2 = s.CGCurvature
		}
		if !(s.Armijo > 0 && s.Armijo < 0.5) {
			return fmt.Errorf("Armijo must be in (0, 1/2), got %v", s.Armijo)
		}
		if m != GDArmijo && !(c2 > s.Armijo && c2 < 1) {
			return fmt.Errorf("the curvature constant must be in (Armijo, 1), got %v", c2)
		}
		if s.MaxLineSearch < 1 {
			return fmt.Errorf("MaxLineSearch must be positive, got %d", s.MaxLineSearch)
		}
	}
	return nil
}
