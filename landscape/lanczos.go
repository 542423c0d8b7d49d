package landscape

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

// An HVP writes into dst the product of a symmetric n×n matrix, usually a
// Hessian ∇²f(x), with the vector v. It must not keep v or dst.
type HVP func(v, dst []float64) error

// HessianAt returns the HVP of the Hessian of f at x, exact by forward mode
// over reverse mode. The product fails when x does not have f.Dim
// elements, and with an *ad.NonFiniteError when it is not finite.
func HessianAt(f *ad.Func, x []float64) HVP {
	return func(v, dst []float64) error { return f.HVP(x, v, dst) }
}

// Which says which eigenvalues Lanczos looks for.
type Which int

const (
	// Largest asks for the most positive eigenvalues, in descending
	// order: the sharpest directions of a minimum.
	Largest Which = iota
	// Smallest asks for the most negative eigenvalues, in ascending
	// order: the directions of negative curvature at a saddle.
	Smallest
	// LargestMagnitude asks for the eigenvalues farthest from zero, in
	// descending order of magnitude, as power iteration finds them.
	LargestMagnitude
)

// LanczosOptions tune Lanczos. The zero value, or a nil pointer, is ready
// to use.
type LanczosOptions struct {
	Which Which
	// Tol is the tolerance of the residual ‖Hv − λv‖ of each eigenpair,
	// relative to the largest eigenvalue magnitude found. Zero means
	// 1e-10.
	Tol float64
	// MaxSteps bounds the Lanczos steps, each one HVP. Zero means ten
	// times the basis.
	MaxSteps int
	// Basis bounds the basis vectors kept for the reorthogonalization,
	// each of n numbers. When the basis is full, it is compressed to the
	// best half of its Ritz vectors and the steps go on (a thick
	// restart). Zero means min(n, max(20k, 300)); at least k+2 are kept.
	Basis int
	// Seed chooses the random starting vector.
	Seed uint64
}

// Eigen holds eigenvalues and eigenvectors found by Lanczos.
type Eigen struct {
	// Values are the eigenvalues in the order Which asks for.
	Values []float64
	// Vectors holds the unit eigenvectors, column i for Values[i].
	Vectors *mat.Dense
	// Residuals are the norms ‖Hv − λv‖ of the eigenpairs, as Lanczos
	// bounds them.
	Residuals []float64
	// HVPs is the number of matrix-vector products made: one per step.
	HVPs int
}

// ErrNotConverged is wrapped by the error of Lanczos when the eigenpairs do
// not meet the tolerance within the steps allowed; the Eigen returned with
// it holds the best approximations found.
var ErrNotConverged = errors.New("Lanczos did not converge")

// Lanczos returns k extreme eigenvalues and eigenvectors of the symmetric
// n×n matrix that hvp multiplies by, found in the Krylov space of a
// random vector. Every new basis vector is orthogonalized against all the
// earlier ones, twice, so that the basis stays orthogonal to rounding and
// no copies of converged eigenvalues appear; when the space becomes
// invariant, a new random vector continues it, which finds eigenvalues of
// multiplicity above one; when the basis is full, it restarts from its
// best Ritz vectors (Wu and Simon's thick restart). The error reports a k
// out of range, a failed or non-finite product, or, wrapping
// ErrNotConverged together with the best approximations, too few steps.
func Lanczos(hvp HVP, n, k int, opts *LanczosOptions) (*Eigen, error) {
	if opts == nil {
		opts = &LanczosOptions{}
	}
	switch {
	case n < 1:
		return nil, fmt.Errorf("the matrix has %d rows; want at least 1", n)
	case k < 1 || k > n:
		return nil, fmt.Errorf("cannot find %d eigenvalues of a %d×%[2]d matrix: k must be between 1 and %[2]d", k, n)
	case opts.Which < Largest || opts.Which > LargestMagnitude:
		return nil, fmt.Errorf("unknown Which %d", opts.Which)
	case opts.Tol < 0 || math.IsNaN(opts.Tol):
		return nil, fmt.Errorf("the tolerance %g is negative", opts.Tol)
	case opts.MaxSteps < 0:
		return nil, fmt.Errorf("MaxSteps %d is negative", opts.MaxSteps)
	case opts.Basis < 0:
		return nil, fmt.Errorf("Basis %d is negative", opts.Basis)
	}
	tol := opts.Tol
	if tol == 0 {
		tol = 1e-10
	}
	basis := opts.Basis
	if basis == 0 {
		basis = max(20*k, 300)
	}
	basis = min(max(basis, k+2), n)
	steps := opts.MaxSteps
	if steps == 0 {
		steps = 10 * basis
	}
	steps = max(steps, k)

	kr := newKrylov(hvp, n, rng(opts.Seed))
	for {
		invariant, err := kr.step()
		if err != nil {
			return nil, err
		}
		m := len(kr.q)
		full := kr.hvps == steps || kr.exhausted
		restart := m == basis && !full
		if m < k || !(invariant || full || restart || kr.checkDue()) {
			continue
		}
		cmp := which(opts.Which)
		order, s, err := kr.ritz(cmp)
		if err != nil {
			return nil, err
		}
		res := kr.residuals(order[:k], s)
		scale := max(math.Abs(kr.theta[0]), math.Abs(kr.theta[m-1]))
		converged := !slices.ContainsFunc(res, func(r float64) bool { return r > tol*scale })
		if converged && invariant && !full {
			// The Ritz values of an invariant space are exact, but its
			// complement may hold more copies of them. The block that
			// just ended, grown from a random vector orthogonal to the
			// blocks before it, holds every distinct eigenvalue left in
			// their complement; so the answer is complete when none of
			// its values ranks before the k-th wanted one.
			kth := kr.theta[order[k-1]]
			values, err := kr.blockValues()
			if err != nil {
				return nil, err
			}
			converged = !slices.ContainsFunc(values, func(v float64) bool {
				return cmp(v, kth) < 0 && math.Abs(v-kth) > tol*scale
			})
		}
		switch {
		case converged:
			return kr.eigen(order[:k], s), nil
		case full:
			return kr.eigen(order[:k], s), fmt.Errorf("%w in %d steps: the largest residual ‖Hv − λv‖ is %.3g, want at most %.3g", ErrNotConverged, kr.hvps, slices.Max(res), tol*scale)
		case restart:
			kr.compress(order[:k+(m-k)/2], s)
		}
	}
}

// which returns the order in which w ranks eigenvalues, as a comparison of
// two of them.
func which(w Which) func(a, b float64) int {
	switch w {
	case Smallest:
		return func(a, b float64) int { return cmpDesc(b, a) }
	case LargestMagnitude:
		return func(a, b float64) int { return cmpDesc(math.Abs(a), math.Abs(b)) }
	}
	return cmpDesc
}

// A krylov is an orthonormal basis Q of a Krylov space, or of the space
// kept at a thick restart and its continuation, with the matrix T = QᵀHQ
// that the operator becomes in it: tridiagonal, until a restart makes the
// kept part diagonal with a coupling row. HQ = QT + r·e_mᵀ, where the
// residual r of the last step is orthogonal to Q, so that a Ritz pair
// (θ, Qs) has the residual ‖r‖·|s_m|.
type krylov struct {
	hvp  HVP
	n    int
	rnd  *rand.Rand  // continues an invariant space; nil to end there
	q    [][]float64 // the basis
	next []float64   // the unit vector that continues it, r/‖r‖
	// h holds T's upper triangle by columns: h[j][i] = q[i]·Hq[j] for
	// i ≤ j, the coefficients of the orthogonalization of Hq[j].
	h     [][]float64
	resid float64 // ‖r‖, zero at an invariant space
	w     []float64
	// norm is a lower bound on the operator's norm, from the products.
	norm float64
	// theta are the Ritz values at the last ritz call, ascending.
	theta []float64
	// exhausted says the basis spans the whole space.
	exhausted bool
	// block is where the current block of the basis starts: the vector
	// that continued an invariant space, or 0. ended is where the block
	// that ended at the last invariant space started.
	block, ended int
	// hvps counts the products, lastCheck their number at the last ritz
	// call, and before those made for other spaces, to number the
	// products in errors.
	hvps, lastCheck, before int
}

// newKrylov starts a Krylov space from a random unit vector.
func newKrylov(hvp HVP, n int, rnd *rand.Rand) *krylov {
	kr := &krylov{hvp: hvp, n: n, rnd: rnd, w: make([]float64, n)}
	kr.next = kr.random()
	return kr
}

// startKrylov starts a Krylov space from the vector v, which it keeps,
// after before products made for other spaces.
func startKrylov(hvp HVP, v []float64, before int) *krylov {
	floats.Scale(1/floats.Norm(v, 2), v)
	return &krylov{hvp: hvp, n: len(v), w: make([]float64, len(v)), next: v, before: before}
}

// random returns a random unit vector orthogonal to the basis, or nil when
// the basis spans the space.
func (kr *krylov) random() []float64 {
	if len(kr.q) == kr.n {
		return nil
	}
	v := make([]float64, kr.n)
	for range 3 { // another try only if one lay in the span, to rounding
		for i := range v {
			v[i] = kr.rnd.NormFloat64()
		}
		kr.orthogonalize(v, nil)
		if nv := floats.Norm(v, 2); nv > 1e-8*math.Sqrt(float64(kr.n)) {
			floats.Scale(1/nv, v)
			return v
		}
	}
	return nil
}

// orthogonalize removes from v its components along the basis, by
// modified Gram–Schmidt twice, which leaves it orthogonal to rounding, and
// adds them to coef when it is not nil.
func (kr *krylov) orthogonalize(v, coef []float64) {
	for range 2 {
		for i, q := range kr.q {
			c := floats.Dot(q, v)
			floats.AddScaled(v, -c, q)
			if coef != nil {
				coef[i] += c
			}
		}
	}
}

// step adds next to the basis, and reports whether the space it spans has
// become invariant. Then, if the random generator is set, a random vector
// orthogonal to the space continues it; otherwise the space is complete.
func (kr *krylov) step() (invariant bool, err error) {
	q := kr.next
	if err := product(kr.hvp, q, kr.w, kr.before+kr.hvps); err != nil {
		return false, err
	}
	kr.hvps++
	kr.q = append(kr.q, q)
	col := make([]float64, len(kr.q))
	kr.orthogonalize(kr.w, col)
	kr.h = append(kr.h, col)
	b := floats.Norm(kr.w, 2)
	kr.norm = max(kr.norm, math.Hypot(floats.Norm(col, 2), b))
	if b <= 1e-12*kr.norm || len(kr.q) == kr.n {
		kr.resid = 0
		kr.ended, kr.block = kr.block, len(kr.q)
		if kr.rnd != nil {
			kr.next = kr.random()
		} else {
			kr.next = nil
		}
		kr.exhausted = kr.next == nil
		return true, nil
	}
	kr.resid = b
	kr.next = slices.Clone(kr.w)
	floats.Scale(1/b, kr.next)
	return false, nil
}

// checkDue says whether enough steps have passed since the last ritz call:
// every step at first, then about every tenth, as T's eigenproblem grows.
func (kr *krylov) checkDue() bool {
	return kr.hvps-kr.lastCheck >= max(1, len(kr.q)/10)
}

// projected returns the eigenvalues, ascending, and eigenvectors of T.
func (kr *krylov) projected() ([]float64, *mat.Dense, error) {
	eig, err := kr.eigenSym(0, true)
	if err != nil {
		return nil, nil, err
	}
	var s mat.Dense
	eig.VectorsTo(&s)
	return eig.Values(nil), &s, nil
}

// blockValues returns the eigenvalues of the diagonal block of T that
// belongs to the block of the basis that ended last.
func (kr *krylov) blockValues() ([]float64, error) {
	eig, err := kr.eigenSym(kr.ended, false)
	if err != nil {
		return nil, err
	}
	return eig.Values(nil), nil
}

// eigenSym factorizes the trailing part of T from row and column first.
func (kr *krylov) eigenSym(first int, vectors bool) (*mat.EigenSym, error) {
	m := len(kr.q)
	t := mat.NewSymDense(m-first, nil)
	for j := first; j < m; j++ {
		for i := first; i <= j; i++ {
			t.SetSym(i-first, j-first, kr.h[j][i])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(t, vectors) {
		return nil, errors.New("the eigenvalues of the Lanczos matrix did not converge")
	}
	return &eig, nil
}

// ritz computes the Ritz values and vectors of the basis, and returns the
// indices of the values in the order cmp ranks them, and T's eigenvectors.
func (kr *krylov) ritz(cmp func(a, b float64) int) ([]int, *mat.Dense, error) {
	kr.lastCheck = kr.hvps
	theta, s, err := kr.projected()
	if err != nil {
		return nil, nil, err
	}
	kr.theta = theta
	order := make([]int, len(theta))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp(theta[a], theta[b]) })
	return order, s, nil
}

// ritzVector returns the Ritz vector Qs of column i of s.
func (kr *krylov) ritzVector(s *mat.Dense, i int) []float64 {
	v := make([]float64, kr.n)
	for j, q := range kr.q {
		floats.AddScaled(v, s.At(j, i), q)
	}
	return v
}

// residuals returns the residual norms of the Ritz pairs of the columns
// keep of s.
func (kr *krylov) residuals(keep []int, s *mat.Dense) []float64 {
	r := make([]float64, len(keep))
	for c, i := range keep {
		r[c] = math.Abs(kr.resid * s.At(len(kr.q)-1, i))
	}
	return r
}

// eigen returns the Ritz pairs of the columns keep of s.
func (kr *krylov) eigen(keep []int, s *mat.Dense) *Eigen {
	e := &Eigen{Vectors: mat.NewDense(kr.n, len(keep), nil), Residuals: kr.residuals(keep, s), HVPs: kr.hvps}
	for c, i := range keep {
		e.Values = append(e.Values, kr.theta[i])
		v := kr.ritzVector(s, i)
		floats.Scale(1/floats.Norm(v, 2), v)
		e.Vectors.SetCol(c, v)
	}
	return e
}

// compress replaces the basis with the Ritz vectors of the columns keep of
// s, and T with the diagonal matrix of their Ritz values: a thick
// restart. The next step's orthogonalization finds next's coupling to
// them, ‖r‖·s_m.
func (kr *krylov) compress(keep []int, s *mat.Dense) {
	q := make([][]float64, len(keep))
	h := make([][]float64, len(keep))
	for c, i := range keep {
		q[c] = kr.ritzVector(s, i)
		h[c] = make([]float64, c+1)
		h[c][c] = kr.theta[i]
	}
	kr.q, kr.h = q, h
	kr.block, kr.ended = 0, 0
}

// cmpDesc orders numbers from the largest down.
func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
