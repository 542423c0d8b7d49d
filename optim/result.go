package optim

import (
	"encoding/json"
	"fmt"
	"time"
)

// A Status says why a run stopped.
type Status int

// The statuses. GradientTolerance, FunctionChange and StepTolerance are
// convergence; the others are not.
const (
	// GradientTolerance: ‖∇f‖∞ ≤ Settings.GradTol.
	GradientTolerance Status = iota + 1
	// FunctionChange: an iteration changed f by at most Settings.FuncTol
	// relative to |f|.
	FunctionChange
	// StepTolerance: an iteration moved x by at most Settings.StepTol
	// relative to ‖x‖∞.
	StepTolerance
	// IterationLimit, EvaluationLimit, TimeLimit: Settings.MaxIter,
	// MaxEvals or MaxTime was reached.
	IterationLimit
	EvaluationLimit
	TimeLimit
	// LineSearchFailure: no step along a descent direction decreased f
	// enough, usually because rounding hides further progress.
	LineSearchFailure
	// NonFinite: f or its gradient was NaN or infinite at the start or at
	// a point a fixed-step method moved to.
	NonFinite
	// Unbounded: f reached −∞ (+∞ when maximizing).
	Unbounded
	// Stopped: the callback asked to stop.
	Stopped
	// Canceled: the context was canceled or its deadline passed.
	Canceled
	// InvalidInput: the run could not start (bad parameters or settings, a
	// starting point of the wrong length, a problem without what the
	// method needs).
	InvalidInput
	// MethodFailure: the method ended the run with an error of its own,
	// in Result.Err.
	MethodFailure
)

var statusNames = [...]string{
	GradientTolerance: "gradient-tolerance",
	FunctionChange:    "function-change",
	StepTolerance:     "step-tolerance",
	IterationLimit:    "iteration-limit",
	EvaluationLimit:   "evaluation-limit",
	TimeLimit:         "time-limit",
	LineSearchFailure: "line-search-failure",
	NonFinite:         "non-finite",
	Unbounded:         "unbounded",
	Stopped:           "stopped",
	Canceled:          "canceled",
	InvalidInput:      "invalid-input",
	MethodFailure:     "method-failure",
}

// String returns the status's name, such as "gradient-tolerance".
func (s Status) String() string {
	if s > 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Converged reports whether s is one of the convergence tests.
func (s Status) Converged() bool {
	return s == GradientTolerance || s == FunctionChange || s == StepTolerance
}

// MarshalText returns the status's name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText sets s from a status's name.
func (s *Status) UnmarshalText(b []byte) error {
	for i, name := range statusNames {
		if name != "" && name == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("optim: unknown status %q", b)
}

// A Step is one iterate of a run: iteration 0 is the starting point.
type Step struct {
	Iteration int       `json:"iteration"`
	X         []float64 `json:"x"`
	F         float64   `json:"f"`
	GradNorm  float64   `json:"gradient_norm"`
}

// A Result is the outcome of a run of Minimize.
type Result struct {
	// X is the best point found, F the value of f there (f itself when
	// maximizing) and GradNorm ‖∇f(X)‖∞.
	X        []float64 `json:"x"`
	F        float64   `json:"f"`
	GradNorm float64   `json:"gradient_norm"`

	// Status says why the run stopped, and Message says it in words.
	Status  Status `json:"status"`
	Message string `json:"message"`
	// Err is the error behind an InvalidInput, NonFinite, Canceled or
	// MethodFailure status when there is one, such as the
	// *ad.NonFiniteError a compiled expression explains a NaN with.
	Err error `json:"-"`

	// Method is the name of the method that ran, such as "lbfgs".
	Method string `json:"method"`
	// Iterations counts the iterations. FuncEvals counts evaluations of f,
	// whether by Func or FuncGrad; GradEvals counts evaluations of the
	// gradient; HessEvals and HVPEvals count Hessians and Hessian-vector
	// products.
	Iterations int `json:"iterations"`
	FuncEvals  int `json:"evaluations"`
	GradEvals  int `json:"gradient_evaluations"`
	HessEvals  int `json:"hessian_evaluations,omitempty"`
	HVPEvals   int `json:"hvp_evaluations,omitempty"`
	// Time is the wall time of the run.
	Time time.Duration `json:"-"`

	// Trajectory holds every iterate when Settings.Trace is set.
	Trajectory []Step `json:"trajectory,omitempty"`
}

// MarshalJSON writes the result with Time as time_seconds. A NaN or
// infinite number (a value that overflowed, or a start that was not finite)
// is written as null, since JSON has no such numbers.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	type step struct {
		Iteration int      `json:"iteration"`
		X         []any    `json:"x"`
		F         *float64 `json:"f"`
		GradNorm  *float64 `json:"gradient_norm"`
	}
	var steps []step
	for _, s := range r.Trajectory {
		steps = append(steps, step{s.Iteration, floatsOrNil(s.X), finiteOrNil(s.F), finiteOrNil(s.GradNorm)})
	}
	return json.Marshal(struct {
		plain
		X           []any    `json:"x"`
		F           *float64 `json:"f"`
		GradNorm    *float64 `json:"gradient_norm"`
		TimeSeconds float64  `json:"time_seconds"`
		Trajectory  []step   `json:"trajectory,omitempty"`
	}{plain(r), floatsOrNil(r.X), finiteOrNil(r.F), finiteOrNil(r.GradNorm), r.Time.Seconds(), steps})
}

func finiteOrNil(v float64) *float64 {
	if !isFinite(v) {
		return nil
	}
	return &v
}

// floatsOrNil returns x with its non-finite elements as nil.
func floatsOrNil(x []float64) []any {
	out := make([]any, len(x))
	for i, v := range x {
		if isFinite(v) {
			out[i] = v
		}
	}
	return out
}
