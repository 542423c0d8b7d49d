package optim

import (
	"fmt"
	"math"
)

// firstOrder runs the fixed-step methods: each iteration moves x by the
// method's update of the gradient at x, then evaluates the new point.
func (r *run) firstOrder() {
	n := len(r.x)
	eta, beta, eps := r.s.LearningRate, r.s.Momentum, r.s.Epsilon
	b1, b2 := r.s.Beta1, r.s.Beta2
	var v, w []float64 // first and second moment, as each method needs
	switch r.m {
	case Momentum, Nesterov, Adam:
		v = make([]float64, n)
	}
	switch r.m {
	case AdaGrad, RMSProp, Adam:
		w = make([]float64, n)
	}
	for t := 1; ; t++ {
		// b1t and b2t correct Adam's moments for their zero start.
		b1t, b2t := 1-math.Pow(b1, float64(t)), 1-math.Pow(b2, float64(t))
		step := 0.0
		for i, gi := range r.g {
			var dx float64
			switch r.m {
			case GD:
				dx = eta * gi
			case Momentum:
				v[i] = beta*v[i] + gi
				dx = eta * v[i]
			case Nesterov:
				v[i] = beta*v[i] + gi
				dx = eta * (gi + beta*v[i])
			case AdaGrad:
				w[i] += gi * gi
				dx = eta * gi / (math.Sqrt(w[i]) + eps)
			case RMSProp:
				w[i] = b2*w[i] + (1-b2)*gi*gi
				dx = eta * gi / (math.Sqrt(w[i]) + eps)
			case Adam:
				v[i] = b1*v[i] + (1-b1)*gi
				w[i] = b2*w[i] + (1-b2)*gi*gi
				dx = eta * (v[i] / b1t) / (math.Sqrt(w[i]/b2t) + eps)
			}
			r.x[i] -= dx
			step = math.Max(step, math.Abs(dx))
		}
		fPrev := r.f
		r.f = r.fg(r.x, r.g)
		if r.accept(fPrev, step) {
			return
		}
	}
}

// gdArmijo runs gradient descent with backtracking: the step starts at
// twice the last accepted one (at the learning rate first) and halves until
// f decreases by at least Armijo·α‖∇f‖².
func (r *run) gdArmijo() {
	n := len(r.x)
	d := make([]float64, n)
	alpha := r.s.LearningRate
	for {
		dg := 0.0
		for i, gi := range r.g {
			d[i] = -gi
			dg -= gi * gi
		}
		fPrev := r.f
		if !r.lineSearchDone(r.backtrack(d, dg, alpha)) {
			return
		}
		if r.accept(fPrev, r.alpha*r.gnorm) {
			return
		}
		alpha = 2 * r.alpha
	}
}

// backtrack finds a step α ≤ alpha along d that satisfies the Armijo
// condition, halving it from alpha.
func (r *run) backtrack(d []float64, dg, alpha float64) lsOutcome {
	for range r.s.MaxLineSearch {
		f, _ := r.trial(d, alpha)
		if f == math.Inf(-1) {
			return lsUnbounded
		}
		if isFinite(f) && f <= r.f+r.s.Armijo*alpha*dg {
			r.take(f, alpha)
			return lsOK
		}
		alpha /= 2
	}
	return lsFailed
}

// lineSearchDone handles the outcome of a line search, and reports whether
// the run goes on.
func (r *run) lineSearchDone(out lsOutcome) bool {
	switch out {
	case lsUnbounded:
		r.unbounded()
	case lsFailed:
		r.stop(LineSearchFailure, fmt.Sprintf("the line search found no acceptable step at iteration %d (‖∇f‖∞ = %.3g)", r.res.Iterations+1, r.gnorm))
	}
	return out == lsOK
}
