package optim

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// newton runs Newton's method with the exact Hessian H. When H is not
// positive definite it solves with H + τI instead, τ doubled from a small
// start until the Cholesky factorization succeeds (Nocedal & Wright,
// Algorithm 3.3), so the direction always descends.
func (r *run) newton() {
	n := len(r.x)
	d := make([]float64, n)
	h, shifted := mat.NewSymDense(n, nil), mat.NewSymDense(n, nil)
	var chol mat.Cholesky
	dv := mat.NewVecDense(n, d)
	direction := func() bool {
		r.hess(r.x, h)
		minDiag := math.Inf(1)
		for i := range n {
			v := h.At(i, i)
			if !isFinite(v) {
				r.nonFinite(r.x, fmt.Sprintf("in the Hessian at iteration %d", r.res.Iterations))
				return false
			}
			minDiag = math.Min(minDiag, v)
		}
		const beta = 1e-3
		tau := 0.0
		if minDiag <= 0 {
			tau = beta - minDiag
		}
		for {
			shifted.CopySym(h)
			for i := range n {
				shifted.SetSym(i, i, h.At(i, i)+tau)
			}
			if chol.Factorize(shifted) {
				break
			}
			tau = math.Max(2*tau, beta)
			if math.IsInf(tau, 0) {
				r.nonFinite(r.x, fmt.Sprintf("in the Hessian at iteration %d", r.res.Iterations))
				return false
			}
		}
		// An ill-conditioned factor still gives a usable direction, and
		// the line search checks it; only a non-finite one is replaced.
		if err := chol.SolveVecTo(dv, mat.NewVecDense(n, r.g)); err != nil && !isFinite(infNorm(d)) {
			copy(d, r.g)
		}
		floats.Scale(-1, d)
		return true
	}
	if !direction() {
		return
	}
	r.lineSearchMethod(d, 1, r.s.Curvature, func() float64 {
		if !direction() {
			return math.NaN()
		}
		return 1
	})
}

// newtonCG runs truncated Newton (Nocedal & Wright, Algorithm 7.1):
// conjugate gradients on (∇²f + τI)p = −∇f from p = 0, stopped once the
// residual is below ηₖ‖∇f‖ with the forcing term ηₖ = min(1/100, √‖∇f‖),
// which gives superlinear convergence. It needs only Hessian-vector products
// and O(n) memory.
//
// Where the Hessian is not positive definite, CG meets a direction p of
// non-positive curvature; rather than stop there with a step little better
// than steepest descent, the solve restarts with the shift τ raised past
// −pᵀ(∇²f + τI)p/‖p‖², as Newton's method raises τ until Cholesky succeeds.
// τ shrinks fourfold at each iteration that needs no raise, so it vanishes
// near a minimizer and the convergence is Newton's.
//
// The cap 1/100 on ηₖ is tighter than Nocedal & Wright's 1/2: on the Moré,
// Garbow and Hillstrom problems with curved valleys (Rosenbrock, Wood,
// Beale) the looser solves take two to four times the iterations and
// evaluations, and so did Eisenstat and Walker's adaptive forcing terms.
func (r *run) newtonCG() {
	n := len(r.x)
	d, res, p, hp := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	if r.p.HVP == nil {
		r.hessian = mat.NewSymDense(n, nil)
	}
	tau := 0.0
	// solve runs CG on (∇²f + τI)d = −∇f. When it meets non-positive
	// curvature it returns false and the shift that would make that
	// direction's curvature positive.
	solve := func(gnorm, tol float64) (bool, float64) {
		clear(d)
		copy(res, r.g)
		for i, gi := range r.g {
			p[i] = -gi
		}
		rr := gnorm * gnorm
		for range n {
			r.hvp(r.x, p, hp)
			if tau > 0 {
				floats.AddScaled(hp, tau, p)
			}
			curv := floats.Dot(p, hp)
			if !(curv > 0) {
				return false, tau - curv/floats.Dot(p, p)
			}
			alpha := rr / curv
			floats.AddScaled(d, alpha, p)
			floats.AddScaled(res, alpha, hp)
			rrNext := floats.Dot(res, res)
			if math.Sqrt(rrNext) <= tol {
				break
			}
			beta := rrNext / rr
			rr = rrNext
			for i, ri := range res {
				p[i] = beta*p[i] - ri
			}
		}
		return true, 0
	}
	direction := func() {
		if r.p.HVP == nil {
			r.hess(r.x, r.hessian)
		}
		gnorm := floats.Norm(r.g, 2)
		tol := math.Min(0.01, math.Sqrt(gnorm)) * gnorm
		for range 64 {
			ok, need := solve(gnorm, tol)
			if ok {
				tau /= 4
				return
			}
			if !isFinite(need) {
				break
			}
			// Past the need by a margin, so the next solve rarely fails.
			tau = math.Max(2*tau, 2*need+1e-3)
		}
		// The products are not finite: steepest descent, which the line
		// search will judge.
		for i, gi := range r.g {
			d[i] = -gi
		}
	}
	direction()
	r.lineSearchMethod(d, 1, r.s.Curvature, func() float64 {
		direction()
		return 1
	})
}
