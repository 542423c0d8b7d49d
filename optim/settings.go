package optim

import (
	"fmt"
	"math"
	"time"
)

// Settings say when a run of Minimize stops, and what it records on the
// way; the method's own parameters are on the Method. Their fields are used
// as given, so start from DefaultSettings and change what you need. A limit
// or tolerance that is zero is not checked.
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

	// Trace records the iterates in Result.Trajectory.
	Trace bool

	// Callback, when set, is called with every iterate, the starting point
	// first. Returning false stops the run with status Stopped. The slice
	// Step.X is reused: copy it to keep it.
	Callback func(Step) bool
}

// DefaultSettings returns the settings Minimize uses when given nil.
func DefaultSettings() *Settings {
	return &Settings{GradTol: 1e-6, MaxIter: 10000}
}

// check returns an error describing the first setting a run cannot use.
func (s *Settings) check() error {
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
	return nil
}
