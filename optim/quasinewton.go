package optim

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// lineSearchMethod runs the loop shared by the line-search methods: search
// along d from the current iterate starting at step alpha, accept the
// point, then let next compute the next direction into d and return its
// first trial step. next finds the previous iterate in xt and gt; it may
// end the run.
func (r *run) lineSearchMethod(d []float64, alpha, c2 float64, next func() float64) {
	for {
		dg := floats.Dot(r.g, d)
		if !(dg < 0) {
			// Not a descent direction (rounding, or a curvature model
			// gone bad): fall back to steepest descent.
			for i, gi := range r.g {
				d[i] = -gi
			}
			dg = -floats.Dot(r.g, r.g)
			alpha = r.restartStep()
		} else if !(alpha > 0) || math.IsInf(alpha, 1) {
			// A first-step estimate that failed (f did not change):
			// repeat the last step's length.
			alpha = math.Max(1, r.stepLen) / floats.Norm(d, 2)
		}
		fPrev := r.f
		r.fPrev = fPrev
		if !r.lineSearchDone(r.wolfe(d, dg, alpha, c2)) {
			return
		}
		step := math.NaN()
		if r.s.StepTol > 0 {
			step = r.alpha * infNorm(d)
		}
		r.stepLen = r.alpha * floats.Norm(d, 2)
		if r.accept(fPrev, step) {
			return
		}
		if alpha = next(); r.done {
			return
		}
	}
}

// steepest sets d to −∇f and returns a first step along it.
func (r *run) steepest(d []float64) float64 {
	for i, gi := range r.g {
		d[i] = -gi
	}
	return r.restartStep()
}

// restartStep returns the first trial step along −∇f: a step of unit
// length at the start (as gonum's quasi-Newton methods take), and as long as
// the last step after that, so that a restart far from the origin (or on an
// unbounded f) does not fall below the resolution of x.
func (r *run) restartStep() float64 {
	return math.Max(1, r.stepLen) / floats.Norm(r.g, 2)
}

// cg runs nonlinear conjugate gradients with the Polak–Ribière+ choice
// β = max(0, ∇fₖ₊₁·(∇fₖ₊₁ − ∇fₖ)/‖∇fₖ‖²), which restarts along −∇f by
// itself when β would be negative, and restarted every 6n iterations as
// gonum's CG is. (Powell's restart test, |∇fₖ₊₁·∇fₖ| ≥ 0.2‖∇fₖ₊₁‖², cost
// 50% more evaluations on the Moré, Garbow and Hillstrom problems.)
func (r *run) cg() {
	n := len(r.x)
	d := make([]float64, n)
	r.steepest(d)
	sinceRestart := 0
	// The first step is gonum's for CG, 1/‖∇f‖∞.
	r.lineSearchMethod(d, 1/r.gnorm, r.s.CGCurvature, func() float64 {
		gg, ggPrev := floats.Dot(r.g, r.g), floats.Dot(r.gt, r.gt)
		gPrev := floats.Dot(r.g, r.gt)
		beta := math.Max(0, (gg-gPrev)/ggPrev)
		sinceRestart++
		if sinceRestart >= 6*n {
			beta, sinceRestart = 0, 0
		}
		for i, gi := range r.g {
			d[i] = beta*d[i] - gi
		}
		// The minimizer of the quadratic through f(xₖ), its slope along d
		// and the last decrease, f(xₖ₋₁) − f(xₖ) (Nocedal & Wright, eq. 3.60).
		return 1.01 * 2 * (r.f - r.fPrev) / floats.Dot(r.g, d)
	})
}

// bfgs runs BFGS on a dense approximation of the inverse Hessian, scaled
// after the first step by sᵀy/yᵀy (Nocedal & Wright, eq. 6.20).
func (r *run) bfgs() {
	n := len(r.x)
	d := make([]float64, n)
	h := mat.NewSymDense(n, nil)
	s, y, hy := mat.NewVecDense(n, nil), mat.NewVecDense(n, nil), mat.NewVecDense(n, nil)
	first := true
	r.lineSearchMethod(d, r.steepest(d), r.s.Curvature, func() float64 {
		for i := range n {
			s.SetVec(i, r.x[i]-r.xt[i])
			y.SetVec(i, r.g[i]-r.gt[i])
		}
		sy := mat.Dot(s, y)
		if first && sy > 0 {
			first = false
			scale := sy / mat.Dot(y, y)
			for i := range n {
				h.SetSym(i, i, scale)
			}
		}
		if sy > 0 {
			// H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ with ρ = 1/sᵀy, as a
			// rank-one and a rank-two update.
			hy.MulVec(h, y)
			yhy := mat.Dot(y, hy)
			h.SymRankOne(h, (1+yhy/sy)/sy, s)
			h.RankTwo(h, -1/sy, hy, s)
		}
		dv := mat.NewVecDense(n, d)
		dv.MulVec(h, mat.NewVecDense(n, r.g))
		dv.ScaleVec(-1, dv)
		return 1
	})
}

// lbfgs runs limited-memory BFGS: the direction is the two-loop recursion
// over the last Memory pairs (s, y), with H₀ = (sᵀy/yᵀy)I.
func (r *run) lbfgs() {
	n, m := len(r.x), r.s.Memory
	d := make([]float64, n)
	s, y := make([][]float64, m), make([][]float64, m)
	rho, a := make([]float64, m), make([]float64, m)
	stored, newest := 0, -1
	r.lineSearchMethod(d, r.steepest(d), r.s.Curvature, func() float64 {
		k := (newest + 1) % m
		if s[k] == nil {
			s[k], y[k] = make([]float64, n), make([]float64, n)
		}
		floats.SubTo(s[k], r.x, r.xt)
		floats.SubTo(y[k], r.g, r.gt)
		if sy := floats.Dot(s[k], y[k]); sy > 0 {
			rho[k] = 1 / sy
			newest, stored = k, min(stored+1, m)
		} else if stored == m {
			stored-- // the pair skipped overwrote the oldest
		}
		if stored == 0 {
			return r.steepest(d)
		}
		copy(d, r.g)
		for j := range stored {
			i := (newest - j + m) % m
			a[i] = rho[i] * floats.Dot(s[i], d)
			floats.AddScaled(d, -a[i], y[i])
		}
		floats.Scale(1/(rho[newest]*floats.Dot(y[newest], y[newest])), d)
		for j := stored - 1; j >= 0; j-- {
			i := (newest - j + m) % m
			b := rho[i] * floats.Dot(y[i], d)
			floats.AddScaled(d, a[i]-b, s[i])
		}
		floats.Scale(-1, d)
		return 1
	})
}
