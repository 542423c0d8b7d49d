package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// maxDenseDim bounds n for the methods that store n×n matrices (bfgs and
// newton), so a large problem gets an error instead of exhausting memory.
const maxDenseDim = 10000

// Minimize runs method m on p from x0 and returns the best point it found.
// It maximizes instead when s.Maximize is set. s may be nil for
// DefaultSettings; x0 is not modified.
//
// The Result is complete in every case, failures included: its Status and
// Message say why the run stopped. The error is non-nil only when the run
// could not start (Status InvalidInput: an unknown method, bad settings, a
// starting point of the wrong length, a problem without the derivatives the
// method needs) or when ctx was canceled (Status Canceled, the error is
// ctx.Err()); even then the Result holds the best point found.
func Minimize(ctx context.Context, p Problem, x0 []float64, m Method, s *Settings) (Result, error) {
	if s == nil {
		s = DefaultSettings()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	r := &run{ctx: ctx, p: p, s: *s, m: m, sign: 1, start: time.Now()}
	if s.Maximize {
		r.sign = -1
	}
	r.res.Method = m
	r.res.X = slices.Clone(x0)
	r.res.F, r.res.GradNorm = math.NaN(), math.NaN()
	if err := r.validate(x0); err != nil {
		r.res.Status, r.res.Message, r.res.Err = InvalidInput, err.Error(), err
		r.res.Time = time.Since(r.start)
		return r.res, fmt.Errorf("optim: %w", err)
	}
	r.begin(x0)
	return r.finish()
}

// A run is the state of one call of Minimize. Its methods work on the
// minimization of sign·f, so maximizing is minimizing −f.
type run struct {
	ctx   context.Context
	p     Problem
	s     Settings
	m     Method
	sign  float64
	start time.Time
	res   Result

	// The current iterate: x, f(x) (times sign), ∇f(x) (times sign) and
	// ‖∇f(x)‖∞.
	x, g  []float64
	f     float64
	gnorm float64
	// A trial point of a line search, and the previous iterate once the
	// trial is taken.
	xt, gt []float64

	// The best iterate, for the methods whose f may increase.
	track            bool
	bestX            []float64
	bestF, bestGNorm float64

	done    bool
	alpha   float64 // the step of the last line search
	stepLen float64 // ‖xₖ₊₁ − xₖ‖₂ of the last line search
	fPrev   float64 // f at the previous iterate of a line-search method
	// The Hessian at x, for newton-cg on a problem without HVP.
	hessian *mat.SymDense
}

func (r *run) validate(x0 []float64) error {
	if err := checkMethod(string(r.m)); err != nil {
		return err
	}
	n := len(x0)
	switch {
	case n == 0:
		return errors.New("the starting point is empty")
	case r.p.Dim > 0 && n != r.p.Dim:
		return fmt.Errorf("the starting point has %d elements, the problem has %d variables", n, r.p.Dim)
	case r.p.FuncGrad == nil:
		return fmt.Errorf("method %s needs gradients (Problem.FuncGrad)", r.m)
	case r.m == Newton && r.p.Hess == nil && r.p.HVP == nil:
		return errors.New("method newton needs Hessians (Problem.Hess or Problem.HVP)")
	case r.m == NewtonCG && r.p.HVP == nil && r.p.Hess == nil:
		return errors.New("method newton-cg needs Hessian-vector products (Problem.HVP or Problem.Hess)")
	case (r.m == BFGS || r.m == Newton) && n > maxDenseDim:
		return fmt.Errorf("method %s stores %d×%d matrices; above n = %d use lbfgs or newton-cg", r.m, n, n, maxDenseDim)
	case r.m == NewtonCG && r.p.HVP == nil && n > maxDenseDim:
		return fmt.Errorf("newton-cg without Problem.HVP stores the %d×%d Hessian; above n = %d it needs HVP", n, n, maxDenseDim)
	}
	return r.s.check(r.m)
}

// begin evaluates the start and runs the method.
func (r *run) begin(x0 []float64) {
	for i, v := range x0 {
		if !isFinite(v) {
			r.stop(NonFinite, fmt.Sprintf("the starting point is not finite: x[%d] = %v", i, v))
			return
		}
	}
	n := len(x0)
	r.x, r.g = slices.Clone(x0), make([]float64, n)
	r.f = r.fg(r.x, r.g)
	r.gnorm = infNorm(r.g)
	r.res.X, r.res.F, r.res.GradNorm = slices.Clone(r.x), r.sign*r.f, r.gnorm
	if !isFinite(r.f) || !isFinite(r.gnorm) {
		r.nonFinite(r.x, "at the starting point")
		return
	}
	r.track = r.m.fixedStep()
	if r.track {
		r.bestX, r.bestF, r.bestGNorm = slices.Clone(r.x), r.f, r.gnorm
	}
	if r.observe() || r.converged(math.NaN(), math.NaN()) {
		return
	}
	r.xt, r.gt = make([]float64, n), make([]float64, n)
	switch r.m {
	case GD, Momentum, Nesterov, AdaGrad, RMSProp, Adam:
		r.firstOrder()
	case GDArmijo:
		r.gdArmijo()
	case CG:
		r.cg()
	case BFGS:
		r.bfgs()
	case LBFGS:
		r.lbfgs()
	case Newton:
		r.newton()
	case NewtonCG:
		r.newtonCG()
	}
}

// finish fills in the result.
func (r *run) finish() (Result, error) {
	if r.x != nil {
		x, f, gn := r.x, r.f, r.gnorm
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

// nonFinite ends the run at x, where f or its gradient is not finite,
// with the problem's explanation when it has one.
func (r *run) nonFinite(x []float64, where string) {
	msg := "f or its gradient is not finite " + where
	if r.p.Explain != nil {
		if err := r.p.Explain(x); err != nil {
			r.res.Err = err
			msg += ": " + err.Error()
		}
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

// fg evaluates sign·f and sign·∇f.
func (r *run) fg(x, g []float64) float64 {
	r.res.FuncEvals++
	r.res.GradEvals++
	v := r.p.FuncGrad(x, g)
	if r.sign < 0 {
		floats.Scale(-1, g)
		return -v
	}
	return v
}

// hvp evaluates sign·∇²f(x)·v.
func (r *run) hvp(x, v, hv []float64) {
	if r.p.HVP == nil {
		// r.hessian was set at x by the caller.
		mat.NewVecDense(len(hv), hv).MulVec(r.hessian, mat.NewVecDense(len(v), v))
		return
	}
	r.res.HVPEvals++
	r.p.HVP(x, v, hv)
	if r.sign < 0 {
		floats.Scale(-1, hv)
	}
}

// hess evaluates sign·∇²f(x) into h.
func (r *run) hess(x []float64, h *mat.SymDense) {
	if r.p.Hess != nil {
		r.res.HessEvals++
		r.p.Hess(x, h)
	} else {
		r.res.HVPEvals += hessFromHVP(r.p.HVP, x, h)
	}
	if r.sign < 0 {
		h.ScaleSym(-1, h)
	}
}

// observe records the current iterate and calls the callback. It reports
// whether the callback stopped the run.
func (r *run) observe() bool {
	if !r.s.Trace && r.s.Callback == nil {
		return false
	}
	st := Step{Iteration: r.res.Iterations, X: r.x, F: r.sign * r.f, GradNorm: r.gnorm}
	if r.s.Trace {
		t := st
		t.X = slices.Clone(r.x)
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
	r.gnorm = infNorm(r.g)
	if !isFinite(r.f) || !isFinite(r.gnorm) {
		if r.f == math.Inf(-1) {
			r.unbounded()
		} else {
			r.nonFinite(r.x, fmt.Sprintf("at iteration %d", r.res.Iterations))
		}
		return true
	}
	if r.track && r.f < r.bestF {
		copy(r.bestX, r.x)
		r.bestF, r.bestGNorm = r.f, r.gnorm
	}
	return r.observe() || r.converged(fPrev, step)
}

// converged applies the convergence tests and limits to the current
// iterate, reached from one with value fPrev by a step of ‖Δx‖∞ = step
// (both NaN at the start).
func (r *run) converged(fPrev, step float64) bool {
	s, it := &r.s, r.res.Iterations
	switch {
	case r.gnorm <= s.GradTol:
		r.stop(GradientTolerance, fmt.Sprintf("‖∇f‖∞ = %.3g ≤ %.3g", r.gnorm, s.GradTol))
	case s.FuncTol > 0 && math.Abs(fPrev-r.f) <= s.FuncTol*math.Max(1, math.Abs(r.f)):
		r.stop(FunctionChange, fmt.Sprintf("f changed by %.3g ≤ %.3g·max(1, |f|)", math.Abs(fPrev-r.f), s.FuncTol))
	case s.StepTol > 0 && step <= s.StepTol*math.Max(1, infNorm(r.x)):
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
