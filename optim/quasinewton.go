package optim

import (
	"cmp"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// defaultMemory is the number of pairs LBFGS keeps by default.
const defaultMemory = 10

// maxDenseDim bounds n for the methods that store n×n matrices (BFGS and
// Newton), so a large problem gets an error instead of exhausting memory.
const maxDenseDim = 10000

// checkDense returns an error when method cannot store n×n matrices.
func checkDense(method Method, n int) error {
	if n > maxDenseDim {
		return fmt.Errorf("method %s stores %d×%d matrices; above n = %d use lbfgs or newton-cg", method, n, n, maxDenseDim)
	}
	return nil
}

// CG is nonlinear conjugate gradients with the Polak–Ribière+ choice
// β = max(0, ∇fₖ₊₁·(∇fₖ₊₁ − ∇fₖ)/‖∇fₖ‖²), which restarts along −∇f by
// itself when β would be negative, and restarted every 6n iterations as
// gonum's CG is. (Powell's restart test, |∇fₖ₊₁·∇fₖ| ≥ 0.2‖∇fₖ₊₁‖², cost
// 50% more evaluations on the Moré, Garbow and Hillstrom problems.)
type CG struct {
	// LineSearch sets the line search; its Curvature defaults to 0.1.
	LineSearch StrongWolfe
}

// String returns "cg".
func (CG) String() string { return "cg" }

// Init checks the line search.
func (m CG) Init(dim int, _ Available) (Iterator, error) {
	ls, err := m.LineSearch.lineSearch("CG", dim, 0.1)
	if err != nil {
		return nil, err
	}
	return &cg{lineSearch: ls}, nil
}

type cg struct {
	*lineSearch
	sinceRestart int
}

func (c *cg) Iterate(loc *Location, e *Evaluator) error {
	if !c.moved {
		c.steepest(loc)
		// The first step is gonum's for CG, 1/‖∇f‖∞.
		return c.along(loc, e, 1/infNorm(loc.Grad))
	}
	g, gPrev := loc.Grad, c.gt
	gg, ggPrev := floats.Dot(g, g), floats.Dot(gPrev, gPrev)
	beta := math.Max(0, (gg-floats.Dot(g, gPrev))/ggPrev)
	c.sinceRestart++
	if c.sinceRestart >= 6*len(g) {
		beta, c.sinceRestart = 0, 0
	}
	for i, gi := range g {
		c.d[i] = beta*c.d[i] - gi
	}
	// The minimizer of the quadratic through f(xₖ), its slope along d
	// and the last decrease, f(xₖ₋₁) − f(xₖ) (Nocedal & Wright, eq. 3.60).
	return c.along(loc, e, 1.01*2*(loc.F-c.fPrev)/floats.Dot(g, c.d))
}

// BFGS is the BFGS method on a dense approximation of the inverse Hessian,
// scaled after the first step by sᵀy/yᵀy (Nocedal & Wright, eq. 6.20). It
// stores n×n matrices, so it takes at most 10⁴ variables.
type BFGS struct {
	// LineSearch sets the line search.
	LineSearch StrongWolfe
}

// String returns "bfgs".
func (BFGS) String() string { return "bfgs" }

// Init checks the size and the line search.
func (m BFGS) Init(dim int, _ Available) (Iterator, error) {
	if err := checkDense(m, dim); err != nil {
		return nil, err
	}
	ls, err := m.LineSearch.lineSearch("BFGS", dim, defaultCurvature)
	if err != nil {
		return nil, err
	}
	return &bfgs{lineSearch: ls, h: mat.NewSymDense(dim, nil),
		s: mat.NewVecDense(dim, nil), y: mat.NewVecDense(dim, nil), hy: mat.NewVecDense(dim, nil)}, nil
}

type bfgs struct {
	*lineSearch
	h         *mat.SymDense // the inverse Hessian approximation
	s, y, hy  *mat.VecDense
	hasScaled bool
}

func (b *bfgs) Iterate(loc *Location, e *Evaluator) error {
	if !b.moved {
		return b.along(loc, e, b.steepest(loc))
	}
	n := len(loc.X)
	for i := range n {
		b.s.SetVec(i, loc.X[i]-b.xt[i])
		b.y.SetVec(i, loc.Grad[i]-b.gt[i])
	}
	sy := mat.Dot(b.s, b.y)
	if !b.hasScaled && sy > 0 {
		b.hasScaled = true
		scale := sy / mat.Dot(b.y, b.y)
		for i := range n {
			b.h.SetSym(i, i, scale)
		}
	}
	if sy > 0 {
		// H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ with ρ = 1/sᵀy, as a
		// rank-one and a rank-two update.
		b.hy.MulVec(b.h, b.y)
		yhy := mat.Dot(b.y, b.hy)
		b.h.SymRankOne(b.h, (1+yhy/sy)/sy, b.s)
		b.h.RankTwo(b.h, -1/sy, b.hy, b.s)
	}
	dv := mat.NewVecDense(n, b.d)
	dv.MulVec(b.h, mat.NewVecDense(n, loc.Grad))
	dv.ScaleVec(-1, dv)
	return b.along(loc, e, 1)
}

// LBFGS is limited-memory BFGS: the direction is the two-loop recursion
// over the last Memory pairs (s, y) of steps and gradient changes, with
// H₀ = (sᵀy/yᵀy)I. It needs O(Memory·n) memory.
type LBFGS struct {
	// Memory is the number of pairs kept; 0 means 10.
	Memory int
	// LineSearch sets the line search.
	LineSearch StrongWolfe
}

// String returns "lbfgs".
func (LBFGS) String() string { return "lbfgs" }

// Init checks the memory and the line search.
func (m LBFGS) Init(dim int, _ Available) (Iterator, error) {
	memory := cmp.Or(m.Memory, defaultMemory)
	if memory < 1 {
		return nil, fmt.Errorf("LBFGS.Memory must be positive, got %d", m.Memory)
	}
	ls, err := m.LineSearch.lineSearch("LBFGS", dim, defaultCurvature)
	if err != nil {
		return nil, err
	}
	return &lbfgs{lineSearch: ls, memory: memory, newest: -1}, nil
}

type lbfgs struct {
	*lineSearch
	memory int
	// The pairs, a ring that grows to memory entries as they come, so a
	// large Memory costs only what the run uses.
	s, y           [][]float64
	rho, a         []float64
	stored, newest int
}

func (l *lbfgs) Iterate(loc *Location, e *Evaluator) error {
	if !l.moved {
		return l.along(loc, e, l.steepest(loc))
	}
	m, d := l.memory, l.d
	k := (l.newest + 1) % m
	if k == len(l.s) {
		n := len(loc.X)
		l.s, l.y = append(l.s, make([]float64, n)), append(l.y, make([]float64, n))
		l.rho, l.a = append(l.rho, 0), append(l.a, 0)
	}
	floats.SubTo(l.s[k], loc.X, l.xt)
	floats.SubTo(l.y[k], loc.Grad, l.gt)
	if sy := floats.Dot(l.s[k], l.y[k]); sy > 0 {
		l.rho[k] = 1 / sy
		l.newest, l.stored = k, min(l.stored+1, m)
	} else if l.stored == m {
		l.stored-- // the pair skipped overwrote the oldest
	}
	if l.stored == 0 {
		return l.along(loc, e, l.steepest(loc))
	}
	s, y, rho, a, newest := l.s, l.y, l.rho, l.a, l.newest
	// slot returns the index of the jth pair back from the newest.
	slot := func(j int) int {
		if i := newest - j; i >= 0 {
			return i
		}
		return newest - j + m
	}
	copy(d, loc.Grad)
	for j := range l.stored {
		i := slot(j)
		a[i] = rho[i] * floats.Dot(s[i], d)
		floats.AddScaled(d, -a[i], y[i])
	}
	floats.Scale(1/(rho[newest]*floats.Dot(y[newest], y[newest])), d)
	for j := l.stored - 1; j >= 0; j-- {
		i := slot(j)
		b := rho[i] * floats.Dot(y[i], d)
		floats.AddScaled(d, a[i]-b, s[i])
	}
	floats.Scale(-1, d)
	return l.along(loc, e, 1)
}
