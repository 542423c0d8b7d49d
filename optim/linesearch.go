package optim

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

type lsOutcome int

const (
	lsOK        lsOutcome = iota // the trial point is now the current iterate
	lsFailed                     // no acceptable step was found
	lsUnbounded                  // f reached −∞ along the direction
)

// trial evaluates f and ∇f·d at x + αd, into xt and gt.
func (r *run) trial(d []float64, alpha float64) (f, dg float64) {
	floats.AddScaledTo(r.xt, r.x, alpha, d)
	f = r.fg(r.xt, r.gt)
	return f, floats.Dot(r.gt, d)
}

// take makes the last trial point, reached by step α, the current
// iterate; xt and gt then hold the previous one.
func (r *run) take(f, alpha float64) {
	r.x, r.xt = r.xt, r.x
	r.g, r.gt = r.gt, r.g
	r.f, r.alpha = f, alpha
}

// wolfe searches along the descent direction d (dg = ∇f·d < 0) for a step α
// that satisfies the strong Wolfe conditions
//
//	f(x+αd) ≤ f(x) + c₁α∇f(x)·d,   |∇f(x+αd)·d| ≤ c₂|∇f(x)·d|,
//
// starting from alpha: Nocedal & Wright's Algorithm 3.5, which widens the
// step until it brackets an acceptable one, and 3.6, which zooms in on it by
// safeguarded cubic interpolation. A step where f is not finite is treated
// as too long. When the evaluations run out, the best step that satisfies
// the first condition is taken.
func (r *run) wolfe(d []float64, dg, alpha, c2 float64) lsOutcome {
	c1, f0 := r.s.Armijo, r.f
	prev, fPrev, dgPrev := 0.0, f0, dg
	for i := range r.s.MaxLineSearch {
		f, dga := r.trial(d, alpha)
		switch {
		case f == math.Inf(-1):
			return lsUnbounded
		case !isFinite(f) || !isFinite(dga) || f > f0+c1*alpha*dg || (i > 0 && f >= fPrev):
			return r.zoom(d, dg, c2, i+1, prev, fPrev, dgPrev, alpha, f, dga)
		case math.Abs(dga) <= -c2*dg:
			r.take(f, alpha)
			return lsOK
		case dga >= 0:
			return r.zoom(d, dg, c2, i+1, alpha, f, dga, prev, fPrev, dgPrev)
		}
		prev, fPrev, dgPrev, alpha = alpha, f, dga, extrapolate(prev, fPrev, dgPrev, alpha, f, dga)
	}
	// f decreased at every trial: the last is the best.
	r.take(fPrev, prev)
	return lsOK
}

// zoom narrows [lo, hi] (in either order), where lo satisfies the
// sufficient-decrease condition with the lowest f seen and hi does not or
// lies past a minimizer along d, until a step satisfies the strong Wolfe
// conditions. evals counts the evaluations the search has made.
func (r *run) zoom(d []float64, dg, c2 float64, evals int, lo, flo, dglo, hi, fhi, dghi float64) lsOutcome {
	c1, f0 := r.s.Armijo, r.f
	for ; evals < r.s.MaxLineSearch; evals++ {
		a := cubicMin(lo, flo, dglo, hi, fhi, dghi)
		if a == lo || a == hi {
			break // the interval is below the resolution of α
		}
		f, dga := r.trial(d, a)
		switch {
		case f == math.Inf(-1):
			return lsUnbounded
		case !isFinite(f) || !isFinite(dga) || f > f0+c1*a*dg || f >= flo:
			hi, fhi, dghi = a, f, dga
		case math.Abs(dga) <= -c2*dg:
			r.take(f, a)
			return lsOK
		default:
			if dga*(hi-lo) >= 0 {
				hi, fhi, dghi = lo, flo, dglo
			}
			lo, flo, dglo = a, f, dga
		}
	}
	if lo == 0 {
		return lsFailed
	}
	// No step satisfies the curvature condition within the budget, but lo
	// decreases f: take it rather than lose the progress.
	f, _ := r.trial(d, lo)
	if !(f < f0) {
		return lsFailed
	}
	r.take(f, lo)
	return lsOK
}

// cubicMin returns the minimizer of the cubic that interpolates the values
// and slopes at a and b, kept a tenth of the interval away from its ends;
// the midpoint when the cubic has no minimizer or b's values are not finite.
func cubicMin(a, fa, da, b, fb, db float64) float64 {
	lo, hi := math.Min(a, b), math.Max(a, b)
	w := hi - lo
	t := cubicStep(a, fa, da, b, fb, db)
	if math.IsNaN(t) {
		return lo + w/2
	}
	return math.Max(lo+0.1*w, math.Min(t, hi-0.1*w))
}

// extrapolate returns the next trial step beyond b > a when f still
// decreases at b: the cubic's minimizer when it lies beyond b, kept within
// [1.1b, 4b]; 4b when the cubic has none.
func extrapolate(a, fa, da, b, fb, db float64) float64 {
	t := cubicStep(a, fa, da, b, fb, db)
	if math.IsNaN(t) || t <= b {
		return 4 * b
	}
	return math.Max(1.1*b, math.Min(t, 4*b))
}

// cubicStep returns the minimizer of the cubic with the values and slopes
// at a and b (Nocedal & Wright, eq. 3.59), or NaN when it has none.
func cubicStep(a, fa, da, b, fb, db float64) float64 {
	if !isFinite(fb) || !isFinite(db) {
		return math.NaN()
	}
	d1 := da + db - 3*(fa-fb)/(a-b)
	disc := d1*d1 - da*db
	if disc < 0 {
		return math.NaN()
	}
	d2 := math.Copysign(math.Sqrt(disc), b-a)
	t := b - (b-a)*(db+d2-d1)/(db-da+2*d2)
	if !isFinite(t) {
		return math.NaN()
	}
	return t
}
