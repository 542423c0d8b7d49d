package optim

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Newton is Newton's method with the exact Hessian H. When H is not
// positive definite it solves with H + τI instead, τ doubled from a small
// start until the Cholesky factorization succeeds (Nocedal & Wright,
// Algorithm 3.3), so the direction always descends. It needs Hessians or
// Hessian-vector products, and stores n×n matrices, so it takes at most
// 10⁴ variables.
type Newton struct {
	// LineSearch sets the line search.
	LineSearch StrongWolfe
}

// String returns "newton".
func (Newton) String() string { return "newton" }

// Init checks the problem and the line search.
func (m Newton) Init(dim int, has Available) (Iterator, error) {
	if !has.Hess && !has.HVP {
		return nil, errors.New("method newton needs Hessians or Hessian-vector products")
	}
	if err := checkDense(m, dim); err != nil {
		return nil, err
	}
	ls, err := m.LineSearch.lineSearch("Newton", dim, defaultCurvature)
	if err != nil {
		return nil, err
	}
	return &newton{lineSearch: ls, h: mat.NewSymDense(dim, nil), shifted: mat.NewSymDense(dim, nil)}, nil
}

type newton struct {
	*lineSearch
	h, shifted *mat.SymDense
	chol       mat.Cholesky
}

func (nt *newton) Iterate(loc *Location, e *Evaluator) error {
	n := len(loc.X)
	e.Hess(loc.X, nt.h)
	minDiag := math.Inf(1)
	for i := range n {
		v := nt.h.At(i, i)
		if !isFinite(v) {
			return fmt.Errorf("the Hessian is %w", ErrNonFinite)
		}
		minDiag = math.Min(minDiag, v)
	}
	const beta = 1e-3
	tau := 0.0
	if minDiag <= 0 {
		tau = beta - minDiag
	}
	for {
		nt.shifted.CopySym(nt.h)
		for i := range n {
			nt.shifted.SetSym(i, i, nt.h.At(i, i)+tau)
		}
		if nt.chol.Factorize(nt.shifted) {
			break
		}
		tau = math.Max(2*tau, beta)
		if math.IsInf(tau, 0) {
			return fmt.Errorf("the Hessian is %w", ErrNonFinite)
		}
	}
	// An ill-conditioned factor still gives a usable direction, and the
	// line search checks it; only a non-finite one is replaced.
	d := nt.d
	if err := nt.chol.SolveVecTo(mat.NewVecDense(n, d), mat.NewVecDense(n, loc.Grad)); err != nil && !isFinite(infNorm(d)) {
		copy(d, loc.Grad)
	}
	floats.Scale(-1, d)
	return nt.along(loc, e, 1)
}

// NewtonCG is truncated Newton (Nocedal & Wright, Algorithm 7.1):
// conjugate gradients on (∇²f + τI)p = −∇f from p = 0, stopped once the
// residual is below ηₖ‖∇f‖ with the forcing term ηₖ = min(1/100, √‖∇f‖),
// which gives superlinear convergence. It needs only Hessian-vector
// products and O(n) memory; on a problem with Hessians only, it stores the
// n×n Hessian.
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
type NewtonCG struct {
	// LineSearch sets the line search.
	LineSearch StrongWolfe
}

// String returns "newton-cg".
func (NewtonCG) String() string { return "newton-cg" }

// Init checks the problem and the line search.
func (m NewtonCG) Init(dim int, has Available) (Iterator, error) {
	switch {
	case !has.HVP && !has.Hess:
		return nil, errors.New("method newton-cg needs Hessian-vector products or Hessians")
	case !has.HVP && dim > maxDenseDim:
		return nil, fmt.Errorf("method newton-cg without Hessian-vector products stores the %d×%d Hessian; above n = %d it needs them", dim, dim, maxDenseDim)
	}
	ls, err := m.LineSearch.lineSearch("NewtonCG", dim, defaultCurvature)
	if err != nil {
		return nil, err
	}
	it := &newtonCG{lineSearch: ls, res: make([]float64, dim), p: make([]float64, dim), hp: make([]float64, dim)}
	if !has.HVP {
		it.hessian = mat.NewSymDense(dim, nil)
	}
	return it, nil
}

type newtonCG struct {
	*lineSearch
	res, p, hp []float64 // CG's residual, direction and ∇²f·p
	tau        float64
	// The Hessian at the current iterate, for a problem without
	// Hessian-vector products.
	hessian *mat.SymDense
}

func (nc *newtonCG) Iterate(loc *Location, e *Evaluator) error {
	if nc.hessian != nil {
		e.Hess(loc.X, nc.hessian)
	}
	gnorm := floats.Norm(loc.Grad, 2)
	tol := math.Min(0.01, math.Sqrt(gnorm)) * gnorm
	solved := false
	for range 64 {
		ok, need := nc.solve(loc, e, gnorm, tol)
		if ok {
			nc.tau /= 4
			solved = true
			break
		}
		if !isFinite(need) {
			break
		}
		// Past the need by a margin, so the next solve rarely fails.
		nc.tau = math.Max(2*nc.tau, 2*need+1e-3)
	}
	if !solved {
		// The products are not finite: steepest descent, which the line
		// search will judge.
		for i, gi := range loc.Grad {
			nc.d[i] = -gi
		}
	}
	return nc.along(loc, e, 1)
}

// solve runs CG on (∇²f + τI)d = −∇f. When it meets non-positive curvature
// it returns false and the shift that would make that direction's
// curvature positive.
func (nc *newtonCG) solve(loc *Location, e *Evaluator, gnorm, tol float64) (bool, float64) {
	d, res, p, hp := nc.d, nc.res, nc.p, nc.hp
	clear(d)
	copy(res, loc.Grad)
	for i, gi := range loc.Grad {
		p[i] = -gi
	}
	rr := gnorm * gnorm
	for range len(d) {
		if nc.hessian != nil {
			mat.NewVecDense(len(hp), hp).MulVec(nc.hessian, mat.NewVecDense(len(p), p))
		} else {
			e.HVP(loc.X, p, hp)
		}
		if nc.tau > 0 {
			floats.AddScaled(hp, nc.tau, p)
		}
		curv := floats.Dot(p, hp)
		if !(curv > 0) {
			return false, nc.tau - curv/floats.Dot(p, p)
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
