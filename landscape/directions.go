package landscape

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

// A Kind says how a direction was chosen.
type Kind string

// The kinds of directions.
const (
	RandomKind  Kind = "random"
	PCAKind     Kind = "pca"
	HessianKind Kind = "hessian"
)

// A Direction is a direction in the space of a function's variables,
// flattened as ad.Func flattens them, with how it was chosen.
type Direction struct {
	Kind   Kind
	Vector []float64
	// Seed is the seed a random direction was drawn from, and Normalized
	// whether it was filter-normalized.
	Seed       uint64
	Normalized bool
	// ExplainedVariance is the fraction of a trajectory's squared
	// distance from the point that lies along a PCA direction.
	ExplainedVariance float64
	// Eigenvalue is the Hessian's eigenvalue for a Hessian direction.
	Eigenvalue float64
}

// Norm returns the Euclidean length of the direction.
func (d Direction) Norm() float64 { return floats.Norm(d.Vector, 2) }

// checkPoint reports whether x is a point of the variables vars.
func checkPoint(vars []ad.Var, x []float64, what string) error {
	n := 0
	for _, v := range vars {
		n += v.Shape.Len()
	}
	if len(x) != n {
		return fmt.Errorf("%s has %d values; the variables %s hold %d", what, len(x), varList(vars), n)
	}
	if floats.HasNaN(x) || math.IsInf(floats.Sum(x), 0) {
		return fmt.Errorf("%s is not finite", what)
	}
	return nil
}

// varList names variables with their shapes: "W1 (2×10), b1 (10)".
func varList(vars []ad.Var) string {
	s := ""
	for i, v := range vars {
		if i > 0 {
			s += ", "
		}
		s += v.Name
		if dims := v.Shape.Dims(); len(dims) > 0 {
			s += " (" + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(dims)), "×"), "[]") + ")"
		}
	}
	return s
}

// filters calls fn with the bounds [lo, hi) of each filter of vars in a
// flat vector: each row of a matrix, each vector or scalar whole.
func filters(vars []ad.Var, fn func(lo, hi int)) {
	off := 0
	for _, v := range vars {
		n := v.Shape.Len()
		step := n
		if v.Shape.Rank() == 2 {
			step = v.Shape.Dim(1)
		}
		for lo := off; lo < off+n && step > 0; lo += step {
			fn(lo, lo+step)
		}
		off += n
	}
}

// FilterNormalize rescales the direction d in place so that each of its
// filters has the norm of the same filter of the point x: each row of a
// matrix variable, and each vector or scalar variable as a whole. A filter
// of d that is zero stays zero, and one whose weights are all zero
// becomes zero.
func FilterNormalize(vars []ad.Var, x, d []float64) error {
	if err := checkPoint(vars, x, "the point"); err != nil {
		return err
	}
	if err := checkPoint(vars, d, "the direction"); err != nil {
		return err
	}
	filters(vars, func(lo, hi int) {
		if nd := floats.Norm(d[lo:hi], 2); nd > 0 {
			floats.Scale(floats.Norm(x[lo:hi], 2)/nd, d[lo:hi])
		}
	})
	return nil
}

// Random returns a direction of independent standard normal components
// drawn from seed, filter-normalized to the point x when normalize is
// set. The direction depends only on the seed and the number of
// variables, so a landscape can be drawn again.
func Random(vars []ad.Var, x []float64, seed uint64, normalize bool) (Direction, error) {
	if err := checkPoint(vars, x, "the point"); err != nil {
		return Direction{}, err
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	d := make([]float64, len(x))
	for i := range d {
		d[i] = r.NormFloat64()
	}
	if normalize {
		if err := FilterNormalize(vars, x, d); err != nil {
			return Direction{}, err
		}
		if floats.Norm(d, 2) == 0 {
			return Direction{}, errors.New("filter normalization leaves nothing of the direction: every weight of the point is zero")
		}
	}
	return Direction{Kind: RandomKind, Vector: d, Seed: seed, Normalized: normalize}, nil
}

// PCA returns the top k principal directions of a trajectory about the
// point origin, as Li et al. take them: the right singular vectors of the
// matrix whose rows are the trajectory's points minus the origin (the
// origin is usually the trajectory's end, and the matrix is not centred).
// The directions are orthonormal; each comes with the fraction of the
// rows' squared norm it explains.
func PCA(origin []float64, trajectory [][]float64, k int) ([]Direction, error) {
	n := len(origin)
	switch {
	case k < 1 || k > n:
		return nil, fmt.Errorf("PCA: want 1 to %d directions, not %d", n, k)
	case len(trajectory) < k:
		return nil, fmt.Errorf("PCA: %d directions need a trajectory of at least %d points, have %d", k, k, len(trajectory))
	}
	m := mat.NewDense(len(trajectory), n, nil)
	for i, x := range trajectory {
		if len(x) != n {
			return nil, fmt.Errorf("PCA: point %d of the trajectory has %d values, the origin %d", i, len(x), n)
		}
		row := m.RawRowView(i)
		floats.SubTo(row, x, origin)
		if floats.HasNaN(row) || math.IsInf(floats.Sum(row), 0) {
			return nil, fmt.Errorf("PCA: point %d of the trajectory is not finite", i)
		}
	}
	// The eigenvectors of the smaller Gram matrix give the singular
	// vectors at the cost of one matrix product, where an SVD of a long
	// trajectory of a large model would take minutes.
	var g mat.SymDense
	rows, _ := m.Dims()
	if rows <= n {
		g.SymOuterK(1, m)
	} else {
		g.SymOuterK(1, m.T())
	}
	var eig mat.EigenSym
	if !eig.Factorize(&g, true) {
		return nil, errors.New("PCA: the eigendecomposition did not converge")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	total := floats.Sum(vals)
	dirs := make([]Direction, k)
	for j := range k {
		col := len(vals) - 1 - j
		if !(vals[col] > 1e-12*total) {
			return nil, fmt.Errorf("PCA: the trajectory spans %d dimensions about the point, fewer than the %d directions asked for", j, k)
		}
		v := make([]float64, n)
		if rows <= n {
			// v = Mᵀu / σ for the eigenvector u of M·Mᵀ.
			mat.NewVecDense(n, v).MulVec(m.T(), vecs.ColView(col))
		} else {
			mat.Col(v, col, &vecs)
		}
		// Gram–Schmidt against the directions before, so that they are
		// orthonormal to rounding error whatever the Gram matrix lost.
		for _, d := range dirs[:j] {
			floats.AddScaled(v, -floats.Dot(v, d.Vector), d.Vector)
		}
		floats.Scale(1/floats.Norm(v, 2), v)
		dirs[j] = Direction{Kind: PCAKind, Vector: v, ExplainedVariance: vals[col] / total}
	}
	return dirs, nil
}
