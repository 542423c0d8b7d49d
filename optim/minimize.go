package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/floats"
)

// Minimize runs method m on f from x0 and returns the best point it found.
// s may be nil for DefaultSettings; x0 is not modified.
//
// The Result is complete in every case, failures included: its Status and
// Message say why the run stopped. The error is non-nil only when the run
// could not start (Status InvalidInput: no method, bad parameters or
// settings, a starting point of the wrong length, a problem without the
// derivatives the method needs) or when ctx was canceled (Status Canceled,
// the error is ctx.Err()); even then the Result holds the best point found.
func Minimize(ctx context.Context, f Function, x0 []float64, m Method, s *Settings) (Result, error) {
	return minimize(ctx, problemOf(f), x0, m, s, 1)
}

// Maximize is Minimize for the maximum: the method runs on −f, and the
// Result reports f itself.
func Maximize(ctx context.Context, f Function, x0 []float64, m Method, s *Settings) (Result, error) {
	return minimize(ctx, problemOf(f), x0, m, s, -1)
}

func minimize(ctx context.Context, p problem, x0 []float64, m Method, s *Settings, sign float64) (Result, error) {
	if s == nil {
		s = DefaultSettings()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	r := &run{ctx: ctx, s: *s, sign: sign, start: time.Now()}
	r.eval = Evaluator{p: p, sign: sign, res: &r.res}
	r.res.X = slices.Clone(x0)
	r.res.F, r.res.GradNorm = math.NaN(), math.NaN()
	it, err := r.init(p, len(x0), m)
	if err != nil {
		r.res.Status, r.res.Message, r.res.Err = InvalidInput, err.Error(), err
		r.res.Time = time.Since(r.start)
		return r.res, fmt.Errorf("optim: %w", err)
	}
	r.iterate(x0, it)
	return r.finish()
}

// A run is the state of one call of Minimize. It works on the minimization
// of sign·f, so maximizing is minimizing −f.
type run struct {
	ctx   context.Context
	eval  Evaluator
	s     Settings
	sign  float64
	start time.Time
	res   Result

	// The current iterate and ‖∇f‖∞ there.
	loc   Location
	gnorm float64

	// The best iterate, for the methods whose f may increase.
	track            bool
	bestX            []float64
	bestF, bestGNorm float64

	done bool
}

// init checks the input and starts the method.
func (r *run) init(p problem, n int, m Method) (Iterator, error) {
	if m == nil {
		return nil, errors.New("no method")
	}
	r.res.Method = m.String()
	if err := p.check(n, m); err != nil {
		return nil, err
	}
	if err := r.s.check(); err != nil {
		return nil, err
	}
	it, err := m.Init(n, p.available())
	if err == nil && it == nil {
		err = fmt.Errorf("method %s started no run (Init returned a nil Iterator)", m)
	}
	return it, err
}

// iterate evaluates the start and runs the method's iterations until the
// run stops.
func (r *run) iterate(x0 []float64, it Iterator) {
	for i, v := range x0 {
		if !isFinite(v) {
			r.stop(NonFinite, fmt.Sprintf("the starting point is not finite: x[%d] = %v", i, v))
			return
		}
	}
	n := len(x0)
	r.loc = Location{X: slices.Clone(x0), Grad: make([]float64, n)}
	r.loc.F = r.eval.FuncGrad(r.loc.X, r.loc.Grad)
	r.gnorm = infNorm(r.loc.Grad)
	r.res.X, r.res.F, r.res.GradNorm = slices.Clone(r.loc.X), r.sign*r.loc.F, r.gnorm
	if !isFinite(r.loc.F) || !isFinite(r.gnorm) {
		r.nonFinite("f or its gradient is not finite at the starting point")
		return
	}
	_, descends := it.(descender)
	r.track = !descends
	if r.track {
		r.bestX, r.bestF, r.bestGNorm = slices.Clone(r.loc.X), r.loc.F, r.gnorm
	}
	if r.observe() || r.converged(math.NaN(), math.NaN()) {
		return
	}
	// The step test needs the previous iterate; without it, the step is
	// not worth a copy of x.
	var xPrev []float64
	if r.s.StepTol > 0 {
		xPrev = make([]float64, n)
	}
	for {
		fPrev, step := r.loc.F, math.NaN()
		copy(xPrev, r.loc.X)
		if err := it.Iterate(&r.loc, &r.eval); err != nil {
			r.fail(err)
			return
		}
		if xPrev != nil {
			step = floats.Distance(r.loc.X, xPrev, math.Inf(1))
		}
		if r.accept(fPrev, step) {
			return
		}
	}
}

// finish fills in the result.
func (r *run) finish() (Result, error) {
	if r.loc.X != nil {
		x, f, gn := r.loc.X, r.loc.F, r.gnorm
		if r.track {
			x, f, gn = r.bestX, r.bestF, r.bestGNorm
		}
		if isFinite(f) {
			r.res.X, r.res.F, r.res.GradNorm = slices.Clone(x), r.sign*f, gn
		}
	}
	r.res.Time = time.Since(r.start)
	if r.res.Status == Canceled {
		return r.res, r.res.Err
	}
	return r.res, nil
}

// stop ends the run with a status.
func (r *run) stop(s Status, msg string) {
	r.res.Status, r.res.Message = s, msg
	r.done = true
}

// fail ends the run with the status of an error from the method.
func (r *run) fail(err error) {
	switch {
	case errors.Is(err, ErrUnbounded):
		r.unbounded()
	case errors.Is(err, ErrLineSearch):
		r.stop(LineSearchFailure, fmt.Sprintf("the line search found no acceptable step at iteration %d (‖∇f‖∞ = %.3g)", r.res.Iterations+1, r.gnorm))
	case errors.Is(err, ErrNonFinite):
		r.nonFinite(fmt.Sprintf("%v at iteration %d", err, r.res.Iterations))
	default:
		r.stop(MethodFailure, fmt.Sprintf("%s failed at iteration %d: %v", r.res.Method, r.res.Iterations+1, err))
		r.res.Err = err
	}
}

// nonFinite ends the run at the current iterate, where something is not
// finite, with the problem's explanation when it has one.
func (r *run) nonFinite(msg string) {
	if err := r.eval.explain(r.loc.X); err != nil {
		r.res.Err = err
		msg += ": " + err.Error()
	}
	r.stop(NonFinite, msg)
}

// unbounded ends the run because f reached −∞ (in the sense minimized).
func (r *run) unbounded() {
	dir, inf := "below", "-Inf"
	if r.sign < 0 {
		dir, inf = "above", "+Inf"
	}
	r.stop(Unbounded, fmt.Sprintf("f reached %s at iteration %d: it is unbounded %s", inf, r.res.Iterations+1, dir))
}

// observe records the current iterate and calls the callback. It reports
// whether the callback stopped the run.
func (r *run) observe() bool {
	if !r.s.Trace && r.s.Callback == nil {
		return false
	}
	st := Step{Iteration: r.res.Iterations, X: r.loc.X, F: r.sign * r.loc.F, GradNorm: r.gnorm}
	if r.s.Trace {
		t := st
		t.X = slices.Clone(r.loc.X)
		r.res.Trajectory = append(r.res.Trajectory, t)
	}
	if r.s.Callback != nil && !r.s.Callback(st) {
		r.stop(Stopped, fmt.Sprintf("stopped by the callback at iteration %d", r.res.Iterations))
		return true
	}
	return false
}

// accept counts an iteration that moved to the current iterate from one
// with value fPrev by a step of ‖Δx‖∞ = step, and reports whether the run
// stops there.
func (r *run) accept(fPrev, step float64) bool {
	r.res.Iterations++
	r.gnorm = infNorm(r.loc.Grad)
	if !isFinite(r.loc.F) || !isFinite(r.gnorm) {
		if r.loc.F == math.Inf(-1) {
			r.unbounded()
		} else {
			r.nonFinite(fmt.Sprintf("f or its gradient is not finite at iteration %d", r.res.Iterations))
		}
		return true
	}
	if r.track && r.loc.F < r.bestF {
		copy(r.bestX, r.loc.X)
		r.bestF, r.bestGNorm = r.loc.F, r.gnorm
	}
	return r.observe() || r.converged(fPrev, step)
}

// converged applies the convergence tests and limits to the current
// iterate, reached from one with value fPrev by a step of ‖Δx‖∞ = step
// (both NaN at the start).
func (r *run) converged(fPrev, step float64) bool {
	s, it, f := &r.s, r.res.Iterations, r.loc.F
	switch {
	case r.gnorm <= s.GradTol:
		r.stop(GradientTolerance, fmt.Sprintf("‖∇f‖∞ = %.3g ≤ %.3g", r.gnorm, s.GradTol))
	case s.FuncTol > 0 && math.Abs(fPrev-f) <= s.FuncTol*math.Max(1, math.Abs(f)):
		r.stop(FunctionChange, fmt.Sprintf("f changed by %.3g ≤ %.3g·max(1, |f|)", math.Abs(fPrev-f), s.FuncTol))
	case s.StepTol > 0 && step <= s.StepTol*math.Max(1, infNorm(r.loc.X)):
		r.stop(StepTolerance, fmt.Sprintf("x moved by %.3g ≤ %.3g·max(1, ‖x‖∞)", step, s.StepTol))
	case s.MaxIter > 0 && it >= s.MaxIter:
		r.stop(IterationLimit, fmt.Sprintf("reached the iteration limit %d", s.MaxIter))
	case s.MaxEvals > 0 && r.res.FuncEvals >= s.MaxEvals:
		r.stop(EvaluationLimit, fmt.Sprintf("reached the evaluation limit %d (%d evaluations)", s.MaxEvals, r.res.FuncEvals))
	case s.MaxTime > 0 && time.Since(r.start) >= s.MaxTime:
		r.stop(TimeLimit, fmt.Sprintf("reached the time limit %v", s.MaxTime))
	case r.ctx.Err() != nil:
		r.stop(Canceled, fmt.Sprintf("canceled at iteration %d: %v", it, r.ctx.Err()))
		r.res.Err = r.ctx.Err()
	}
	return r.done
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// infNorm returns max |x[i]|, or NaN when an element is NaN.
func infNorm(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		if v != v {
			return math.NaN()
		}
		m = math.Max(m, math.Abs(v))
	}
	return m
}
