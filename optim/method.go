package optim

import "errors"

// A Method is an optimization method. Its value holds the method's
// parameters, a zero field meaning the documented default, so that
// LBFGS{} is L-BFGS as usually run and LBFGS{Memory: 5} changes one thing.
// A Method value is not changed by a run: one value may run many problems,
// at the same time too.
//
// Minimize calls Init once, before it evaluates anything, and then the
// returned Iterator's Iterate until a stopping test of the Settings is met
// or Iterate returns an error. It owns everything else: the evaluation
// counts, maximization, the tests, the trajectory and the callback.
type Method interface {
	// String returns the method's name, such as "lbfgs", which
	// Result.Method reports.
	String() string

	// Init checks the method's parameters, and that a problem with the
	// second derivatives has can run it, and returns the state of one run
	// in dim variables. An error ends the run with status InvalidInput.
	Init(dim int, has Available) (Iterator, error)
}

// An Iterator is the state of one run of a Method.
type Iterator interface {
	// Iterate moves loc from the current iterate to the next: it sets
	// loc.X and evaluates loc.F and loc.Grad there with e.FuncGrad. It may
	// keep the slices of loc for the next call and give loc others of
	// the same length. loc is in the sense minimized: when maximizing, F
	// and Grad are those of −f.
	//
	// An error ends the run: ErrLineSearch with status LineSearchFailure,
	// ErrUnbounded with Unbounded, ErrNonFinite with NonFinite, and any
	// other error with MethodFailure. loc must then be the current
	// iterate still, or a point where F and Grad are those of loc.X.
	Iterate(loc *Location, e *Evaluator) error
}

// A Location is an iterate of a run: the point X, the value F of the
// function minimized there and its gradient Grad.
type Location struct {
	X    []float64
	F    float64
	Grad []float64
}

// The errors an Iterator ends a run with to give it a status of its own.
var (
	// ErrLineSearch: no step along a descent direction decreased f enough.
	ErrLineSearch = errors.New("optim: the line search found no acceptable step")
	// ErrUnbounded: f reached −∞ along a direction (+∞ when maximizing).
	ErrUnbounded = errors.New("optim: f is unbounded")
	// ErrNonFinite: a derivative the method needs, such as the Hessian,
	// is NaN or infinite at the current iterate. Wrap it to say which.
	ErrNonFinite = errors.New("not finite")
)

// A descender is an Iterator whose every iteration decreases f (a line
// search makes sure), so that its current iterate is the best one seen.
// Minimize keeps a copy of the best point for the methods that are not.
type descender interface {
	descends()
}
