package optim

import (
	"cmp"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// The defaults of the line searches' parameters.
const (
	defaultArmijo    = 1e-4
	defaultCurvature = 0.9
	defaultMaxEvals  = 40
)

// StrongWolfe is the line search of CG, BFGS, LBFGS, Newton and NewtonCG.
// Along a descent direction d it finds a step α that satisfies the strong
// Wolfe conditions
//
//	f(x+αd) ≤ f(x) + c₁α∇f(x)·d,   |∇f(x+αd)·d| ≤ c₂|∇f(x)·d|
//
// by Nocedal & Wright's Algorithm 3.5, which widens the step until it
// brackets an acceptable one, and 3.6, which zooms in on it by safeguarded
// cubic interpolation. A step where f is not finite is treated as too long.
// When the evaluations run out, the best step that satisfies the first
// condition is taken. A zero field means its default.
type StrongWolfe struct {
	// Armijo is c₁, in (0, 1/2); 0 means 10⁻⁴.
	Armijo float64
	// Curvature is c₂, in (Armijo, 1); 0 means 0.9, and 0.1 for CG,
	// whose conjugate directions need a more exact line search.
	Curvature float64
	// MaxEvals limits the evaluations of one line search; 0 means 40.
	MaxEvals int
}

// lineSearch returns the line search of a run of method in dim variables,
// with c₂ = curvature unless w sets it.
func (w StrongWolfe) lineSearch(method string, dim int, curvature float64) (*lineSearch, error) {
	c1, c2, evals := cmp.Or(w.Armijo, defaultArmijo), cmp.Or(w.Curvature, curvature), cmp.Or(w.MaxEvals, defaultMaxEvals)
	if err := checkArmijo(method+".LineSearch.Armijo", c1); err != nil {
		return nil, err
	}
	if !(c2 > c1 && c2 < 1) {
		return nil, fmt.Errorf("%s: the curvature constant LineSearch.Curvature must be in (Armijo, 1) = (%v, 1), got %v", method, c1, c2)
	}
	if err := checkMaxEvals(method+".LineSearch.MaxEvals", evals); err != nil {
		return nil, err
	}
	return newLineSearch(dim, c1, c2, evals), nil
}

func checkArmijo(field string, c1 float64) error {
	if !(c1 > 0 && c1 < 0.5) {
		return fmt.Errorf("%s must be in (0, 1/2), got %v", field, c1)
	}
	return nil
}

func checkMaxEvals(field string, n int) error {
	if n < 1 {
		return fmt.Errorf("%s must be positive, got %d", field, n)
	}
	return nil
}

// A lineSearch is the state the line-search methods share: the direction,
// the trial point, and what the last search found.
type lineSearch struct {
	c1, c2   float64
	maxEvals int

	d      []float64
	xt, gt []float64 // the trial point; once it is taken, the previous iterate

	alpha   float64 // the step of the last search
	stepLen float64 // ‖xₖ₊₁ − xₖ‖₂ of the last search
	fPrev   float64 // f at the previous iterate
	moved   bool    // whether a search has moved x
}

func newLineSearch(dim int, c1, c2 float64, maxEvals int) *lineSearch {
	return &lineSearch{c1: c1, c2: c2, maxEvals: maxEvals,
		d: make([]float64, dim), xt: make([]float64, dim), gt: make([]float64, dim)}
}

// descends marks the line-search methods as descent methods.
func (*lineSearch) descends() {}

// along searches along ls.d from loc, starting at step alpha, and moves loc
// to the point it finds. When d does not descend (rounding, or a curvature
// model gone bad) it searches along −∇f instead; when alpha is not a usable
// first step (f did not change), it repeats the last step's length.
func (ls *lineSearch) along(loc *Location, e *Evaluator, alpha float64) error {
	d := ls.d
	dg := floats.Dot(loc.Grad, d)
	if !(dg < 0) {
		for i, gi := range loc.Grad {
			d[i] = -gi
		}
		dg = -floats.Dot(loc.Grad, loc.Grad)
		alpha = ls.restartStep(loc)
	} else if !(alpha > 0) || math.IsInf(alpha, 1) {
		alpha = math.Max(1, ls.stepLen) / floats.Norm(d, 2)
	}
	ls.fPrev = loc.F
	if err := ls.wolfe(loc, e, dg, alpha); err != nil {
		return err
	}
	ls.stepLen = ls.alpha * floats.Norm(d, 2)
	ls.moved = true
	return nil
}

// steepest sets d to −∇f and returns a first step along it.
func (ls *lineSearch) steepest(loc *Location) float64 {
	for i, gi := range loc.Grad {
		ls.d[i] = -gi
	}
	return ls.restartStep(loc)
}

// restartStep returns the first trial step along −∇f: a step of unit
// length at the start (as gonum's quasi-Newton methods take), and as long as
// the last step after that, so that a restart far from the origin (or on an
// unbounded f) does not fall below the resolution of x.
func (ls *lineSearch) restartStep(loc *Location) float64 {
	return math.Max(1, ls.stepLen) / floats.Norm(loc.Grad, 2)
}

// trial evaluates f and ∇f·d at x + αd, into xt and gt.
func (ls *lineSearch) trial(loc *Location, e *Evaluator, alpha float64) (f, dg float64) {
	floats.AddScaledTo(ls.xt, loc.X, alpha, ls.d)
	f = e.FuncGrad(ls.xt, ls.gt)
	return f, floats.Dot(ls.gt, ls.d)
}

// take makes the last trial point, reached by step α, the current
// iterate; xt and gt then hold the previous one.
func (ls *lineSearch) take(loc *Location, f, alpha float64) {
	loc.X, ls.xt = ls.xt, loc.X
	loc.Grad, ls.gt = ls.gt, loc.Grad
	loc.F, ls.alpha = f, alpha
}

// backtrack finds a step α ≤ alpha along d that satisfies the Armijo
// condition, halving it from alpha.
func (ls *lineSearch) backtrack(loc *Location, e *Evaluator, dg, alpha float64) error {
	for range ls.maxEvals {
		f, _ := ls.trial(loc, e, alpha)
		if f == math.Inf(-1) {
			return ErrUnbounded
		}
		if isFinite(f) && f <= loc.F+ls.c1*alpha*dg {
			ls.take(loc, f, alpha)
			return nil
		}
		alpha /= 2
	}
	return ErrLineSearch
}

// wolfe searches along d (dg = ∇f·d < 0) for a step that satisfies the
// strong Wolfe conditions, starting from alpha.
func (ls *lineSearch) wolfe(loc *Location, e *Evaluator, dg, alpha float64) error {
	c1, c2, f0 := ls.c1, ls.c2, loc.F
	prev, fPrev, dgPrev := 0.0, f0, dg
	for i := range ls.maxEvals {
		f, dga := ls.trial(loc, e, alpha)
		switch {
		case f == math.Inf(-1):
			return ErrUnbounded
		case !isFinite(f) || !isFinite(dga) || f > f0+c1*alpha*dg || (i > 0 && f >= fPrev):
			return ls.zoom(loc, e, dg, i+1, prev, fPrev, dgPrev, alpha, f, dga)
		case math.Abs(dga) <= -c2*dg:
			ls.take(loc, f, alpha)
			return nil
		case dga >= 0:
			return ls.zoom(loc, e, dg, i+1, alpha, f, dga, prev, fPrev, dgPrev)
		}
		prev, fPrev, dgPrev, alpha = alpha, f, dga, extrapolate(prev, fPrev, dgPrev, alpha, f, dga)
	}
	// f decreased at every trial: the last is the best.
	ls.take(loc, fPrev, prev)
	return nil
}

// zoom narrows [lo, hi] (in either order), where lo satisfies the
// sufficient-decrease condition with the lowest f seen and hi does not or
// lies past a minimizer along d, until a step satisfies the strong Wolfe
// conditions. evals counts the evaluations the search has made.
func (ls *lineSearch) zoom(loc *Location, e *Evaluator, dg float64, evals int, lo, flo, dglo, hi, fhi, dghi float64) error {
	c1, c2, f0 := ls.c1, ls.c2, loc.F
	for ; evals < ls.maxEvals; evals++ {
		a := cubicMin(lo, flo, dglo, hi, fhi, dghi)
		if a == lo || a == hi {
			break // the interval is below the resolution of α
		}
		f, dga := ls.trial(loc, e, a)
		switch {
		case f == math.Inf(-1):
			return ErrUnbounded
		case !isFinite(f) || !isFinite(dga) || f > f0+c1*a*dg || f >= flo:
			hi, fhi, dghi = a, f, dga
		case math.Abs(dga) <= -c2*dg:
			ls.take(loc, f, a)
			return nil
		default:
			if dga*(hi-lo) >= 0 {
				hi, fhi, dghi = lo, flo, dglo
			}
			lo, flo, dglo = a, f, dga
		}
	}
	if lo == 0 {
		return ErrLineSearch
	}
	// No step satisfies the curvature condition within the budget, but lo
	// decreases f: take it rather than lose the progress.
	f, _ := ls.trial(loc, e, lo)
	if !(f < f0) {
		return ErrLineSearch
	}
	ls.take(loc, f, lo)
	return nil
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
