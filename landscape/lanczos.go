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
	// MaxSteps bounds the Lanczos steps, each one HVP and one basis
	// vector of n numbers kept for the reorthogonalization. Zero means
	// min(n, max(10k, 100)).
	MaxSteps int
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
// multiplicity above one. The error reports a k out of range, a failed or
// non-finite product, or, wrapping ErrNotConverged together with the best
// approximations, too few steps.
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
	}
	tol := opts.Tol
	if tol == 0 {
		tol = 1e-10
	}
	steps := opts.MaxSteps
	if steps == 0 {
		steps = max(10*k, 100)
	}
	steps = max(min(steps, n), k)

	kr := newKrylov(hvp, n, rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)))
	for {
		invariant, err := kr.step()
		if err != nil {
			return nil, err
		}
		m := len(kr.alpha)
		full := m == steps || kr.exhausted
		// At an invariant subspace the Ritz values are exact but may miss
		// eigenvalues outside it, so convergence is judged only once a
		// new vector has continued the space.
		if m < k || (invariant && !full) || !(full || kr.checkDue()) {
			continue
		}
		e, err := kr.ritz(k, opts.Which)
		if err != nil {
			return nil, err
		}
		scale := max(math.Abs(kr.theta[0]), math.Abs(kr.theta[m-1]))
		if slices.ContainsFunc(e.Residuals, func(r float64) bool { return r > tol*scale }) {
			if full {
				return e, fmt.Errorf("%w in %d steps: the largest residual ‖Hv − λv‖ is %.3g, want at most %.3g", ErrNotConverged, m, slices.Max(e.Residuals), tol*scale)
			}
			continue
		}
		return e, nil
	}
}

// A krylov is the orthonormal basis of a Krylov space and the symmetric
// tridiagonal matrix T that the operator becomes in it.
type krylov struct {
	hvp  HVP
	n    int
	rnd  *rand.Rand
	q    [][]float64 // the basis
	next []float64   // the unit vector that continues it
	// alpha is the diagonal of T and beta its subdiagonal, beta[j]
	// coupling q[j] and q[j+1]; beta has one more element, the coupling
	// to next, which bounds the residuals of the Ritz pairs.
	alpha, beta []float64
	w           []float64
	// norm is a lower bound on the operator's norm, from the rows of T.
	norm float64
	// theta are the Ritz values at the last ritz call.
	theta []float64
	// exhausted says the basis spans the whole space.
	exhausted bool
	lastCheck int
	// before counts the products made before this space, to number
	// the products in errors.
	before int
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
	for range 3 { // a second try only if the first lay in the span, to rounding
		for i := range v {
			v[i] = kr.rnd.NormFloat64()
		}
		kr.orthogonalize(v)
		if nv := floats.Norm(v, 2); nv > 1e-8*math.Sqrt(float64(kr.n)) {
			floats.Scale(1/nv, v)
			return v
		}
	}
	return nil
}

// orthogonalize removes from v its components along the basis, by
// classical Gram–Schmidt twice, which leaves it orthogonal to rounding.
func (kr *krylov) orthogonalize(v []float64) {
	for range 2 {
		for _, q := range kr.q {
			floats.AddScaled(v, -floats.Dot(q, v), q)
		}
	}
}

// step adds next to the basis, and reports whether the space it spans has
// become invariant. Then, if the random generator is set, a random vector
// orthogonal to the space continues it; otherwise the space is complete.
func (kr *krylov) step() (invariant bool, err error) {
	q := kr.next
	j := len(kr.q)
	if err := product(kr.hvp, q, kr.w, kr.before+j); err != nil {
		return false, err
	}
	a := floats.Dot(q, kr.w)
	kr.q = append(kr.q, q)
	kr.alpha = append(kr.alpha, a)
	kr.orthogonalize(kr.w)
	b := floats.Norm(kr.w, 2)
	prev := 0.0
	if j > 0 {
		prev = kr.beta[j-1]
	}
	kr.norm = max(kr.norm, math.Abs(a)+prev+b)
	if b <= 1e-12*kr.norm || len(kr.q) == kr.n {
		kr.beta = append(kr.beta, 0)
		if kr.rnd != nil {
			kr.next = kr.random()
		} else {
			kr.next = nil
		}
		kr.exhausted = kr.next == nil
		return true, nil
	}
	kr.beta = append(kr.beta, b)
	kr.next = slices.Clone(kr.w)
	floats.Scale(1/b, kr.next)
	return false, nil
}

// checkDue says whether enough steps have passed since the last ritz call:
// every step at first, then about every tenth, as T's eigenproblem grows.
func (kr *krylov) checkDue() bool {
	return len(kr.alpha)-kr.lastCheck >= max(1, len(kr.alpha)/10)
}

// tridiagonal returns the eigenvalues, ascending, and eigenvectors of T.
func (kr *krylov) tridiagonal() ([]float64, *mat.Dense, error) {
	m := len(kr.alpha)
	t := mat.NewSymDense(m, nil)
	for i, a := range kr.alpha {
		t.SetSym(i, i, a)
		if i+1 < m {
			t.SetSym(i, i+1, kr.beta[i])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(t, true) {
		return nil, nil, errors.New("the eigenvalues of the Lanczos tridiagonal matrix did not converge")
	}
	var s mat.Dense
	eig.VectorsTo(&s)
	return eig.Values(nil), &s, nil
}

// ritz returns the k Ritz pairs that which asks for.
func (kr *krylov) ritz(k int, which Which) (*Eigen, error) {
	m := len(kr.alpha)
	kr.lastCheck = m
	theta, s, err := kr.tridiagonal()
	if err != nil {
		return nil, err
	}
	kr.theta = theta
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	switch which {
	case Largest:
		slices.Reverse(order)
	case LargestMagnitude:
		slices.SortStableFunc(order, func(a, b int) int {
			return cmpDesc(math.Abs(theta[a]), math.Abs(theta[b]))
		})
	}
	order = order[:k]
	e := &Eigen{Vectors: mat.NewDense(kr.n, k, nil), HVPs: m}
	last := kr.beta[m-1]
	col := make([]float64, kr.n)
	for c, i := range order {
		e.Values = append(e.Values, theta[i])
		e.Residuals = append(e.Residuals, math.Abs(last*s.At(m-1, i)))
		clear(col)
		for j, q := range kr.q {
			floats.AddScaled(col, s.At(j, i), q)
		}
		floats.Scale(1/floats.Norm(col, 2), col)
		e.Vectors.SetCol(c, col)
	}
	return e, nil
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
