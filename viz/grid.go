package viz

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/internal/par"
)

// A Function is a scalar function of a flat vector of variables, safe for
// concurrent use by multiple goroutines. *ad.Func is a Function.
//
// A non-finite value, or an *ad.NonFiniteError, marks a point where the
// function is undefined; any other error stops the sampling.
type Function interface {
	Eval(x []float64) (float64, error)
}

// A Differentiable function also has a gradient. *ad.Func is
// Differentiable.
type Differentiable interface {
	Function
	Grad(x, grad []float64) (float64, error)
}

// An Interval is the closed range [Min, Max] of one plot axis.
type Interval struct{ Min, Max float64 }

// ParseInterval parses an interval written "min:max", such as "-3:3".
func ParseInterval(s string) (Interval, error) {
	lo, hi, ok := strings.Cut(s, ":")
	if !ok {
		return Interval{}, fmt.Errorf("interval %q: want min:max", s)
	}
	a, err := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	if err != nil {
		return Interval{}, fmt.Errorf("interval %q: bad minimum %q", s, lo)
	}
	b, err := strconv.ParseFloat(strings.TrimSpace(hi), 64)
	if err != nil {
		return Interval{}, fmt.Errorf("interval %q: bad maximum %q", s, hi)
	}
	iv := Interval{a, b}
	return iv, iv.Check()
}

// Check reports whether the interval can be an axis: finite, with Min < Max.
func (iv Interval) Check() error {
	if math.IsNaN(iv.Min) || math.IsNaN(iv.Max) || math.IsInf(iv.Min, 0) || math.IsInf(iv.Max, 0) {
		return fmt.Errorf("interval %g:%g is not finite", iv.Min, iv.Max)
	}
	if iv.Min >= iv.Max {
		return fmt.Errorf("interval %g:%g is empty: the minimum must be less than the maximum", iv.Min, iv.Max)
	}
	return nil
}

func (iv Interval) String() string { return fmt.Sprintf("%g:%g", iv.Min, iv.Max) }

// nodes returns n evenly spaced points spanning the interval, ends included.
func (iv Interval) nodes(n int) []float64 {
	if n == 1 {
		return []float64{(iv.Min + iv.Max) / 2}
	}
	return floats.Span(make([]float64, n), iv.Min, iv.Max)
}

// centres returns the centres of n equal cells tiling the interval.
func (iv Interval) centres(n int) []float64 {
	h := (iv.Max - iv.Min) / float64(n)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = iv.Min + (float64(i)+0.5)*h
	}
	return xs
}

// A Plane is the set of points Origin + a·D1 + b·D2 of a function's domain;
// a and b are the coordinates a picture is drawn in. The three vectors have
// the function's dimension.
type Plane struct {
	Origin, D1, D2 []float64
}

// CoordinatePlane returns the plane in which coordinates i and j vary and the
// others keep their values in at: the point (a, b) of the plane is at with
// at[i] = a and at[j] = b.
func CoordinatePlane(at []float64, i, j int) (Plane, error) {
	n := len(at)
	if i < 0 || i >= n || j < 0 || j >= n || i == j {
		return Plane{}, fmt.Errorf("coordinates %d and %d: want two different coordinates of %d", i, j, n)
	}
	p := Plane{Origin: append([]float64(nil), at...), D1: make([]float64, n), D2: make([]float64, n)}
	p.Origin[i], p.Origin[j] = 0, 0
	p.D1[i], p.D2[j] = 1, 1
	return p, nil
}

// RandomPlane returns the plane through origin spanned by two random
// orthonormal directions. The directions depend only on seed and the
// dimension, so a picture can be drawn again.
func RandomPlane(origin []float64, seed uint64) (Plane, error) {
	n := len(origin)
	if n < 2 {
		return Plane{}, fmt.Errorf("a random plane needs at least two dimensions, have %d", n)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	d1, d2 := make([]float64, n), make([]float64, n)
	for {
		for i := range n {
			d1[i], d2[i] = r.NormFloat64(), r.NormFloat64()
		}
		// Gram–Schmidt, so that (a, b) are distances along the plane and
		// projecting a path onto it is a pair of dot products.
		floats.Scale(1/floats.Norm(d1, 2), d1)
		floats.AddScaled(d2, -floats.Dot(d1, d2), d1)
		if nrm := floats.Norm(d2, 2); nrm > 1e-8 {
			floats.Scale(1/nrm, d2)
			break
		}
	}
	return Plane{Origin: append([]float64(nil), origin...), D1: d1, D2: d2}, nil
}

// Dim returns the dimension of the space the plane lies in.
func (p Plane) Dim() int { return len(p.Origin) }

// Check reports whether the plane is well formed: three vectors of one
// length, finite, with independent directions.
func (p Plane) Check() error {
	n := len(p.Origin)
	if n == 0 || len(p.D1) != n || len(p.D2) != n {
		return fmt.Errorf("plane: origin and directions have lengths %d, %d, %d; want one positive length", n, len(p.D1), len(p.D2))
	}
	for _, v := range [][]float64{p.Origin, p.D1, p.D2} {
		if floats.HasNaN(v) || math.IsInf(floats.Sum(v), 0) {
			return errors.New("plane: origin and directions must be finite")
		}
	}
	g11, g12, g22 := floats.Dot(p.D1, p.D1), floats.Dot(p.D1, p.D2), floats.Dot(p.D2, p.D2)
	if det := g11*g22 - g12*g12; !(det > 1e-12*g11*g22) {
		return errors.New("plane: the two directions are zero or parallel")
	}
	return nil
}

// At writes the point (a, b) of the plane into x.
func (p Plane) At(a, b float64, x []float64) {
	for i := range x {
		x[i] = p.Origin[i] + a*p.D1[i] + b*p.D2[i]
	}
}

// Project returns the coordinates (a, b) of the point of the plane nearest
// to x.
func (p Plane) Project(x []float64) (a, b float64) {
	var g11, g12, g22, r1, r2 float64
	for i, xi := range x {
		d := xi - p.Origin[i]
		g11 += p.D1[i] * p.D1[i]
		g12 += p.D1[i] * p.D2[i]
		g22 += p.D2[i] * p.D2[i]
		r1 += p.D1[i] * d
		r2 += p.D2[i] * d
	}
	det := g11*g22 - g12*g12
	return (g22*r1 - g12*r2) / det, (g11*r2 - g12*r1) / det
}

// A Surface is a function sampled on a rectangular grid of a plane. It
// implements plotter.GridXYZ.
type Surface struct {
	Xs, Ys []float64
	// Values holds f(Xs[i], Ys[j]) at Values[j*len(X)+i]; NaN where the
	// function is not finite.
	Values []float64
	// NonFinite counts the grid points where the function is not finite.
	NonFinite int
}

// Dims returns the number of columns and rows of the grid.
func (s *Surface) Dims() (c, r int) { return len(s.Xs), len(s.Ys) }

// Z returns the value at column c and row r.
func (s *Surface) Z(c, r int) float64 { return s.Values[r*len(s.Xs)+c] }

// X returns the coordinate of column c.
func (s *Surface) X(c int) float64 { return s.Xs[c] }

// Y returns the coordinate of row r.
func (s *Surface) Y(r int) float64 { return s.Ys[r] }

// Range returns the smallest and largest finite values; ok is false when
// there are none.
func (s *Surface) Range() (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range s.Values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi, lo <= hi
}

// A VectorField is a vector field sampled on a rectangular grid. It is the
// gradient projected onto a plane: the components are the derivatives along
// D1 and D2, so on a CoordinatePlane they are the two partial derivatives.
type VectorField struct {
	Xs, Ys []float64
	// U and V hold the components at (Xs[i], Ys[j]), at index j*len(X)+i;
	// both are NaN where the gradient is not finite.
	U, V []float64
	// NonFinite counts the grid points where the gradient is not finite.
	NonFinite int
}

// Negate turns the field into its opposite, the direction of steepest
// descent when the field is a gradient.
func (v *VectorField) Negate() {
	floats.Scale(-1, v.U)
	floats.Scale(-1, v.V)
}

// Sample evaluates f at nx × ny points of the plane p, evenly spaced over
// the box x × y with its edges included, on all CPUs.
func Sample(f Function, p Plane, x, y Interval, nx, ny int) (*Surface, error) {
	if err := checkGrid(f, p, x, y, nx, ny); err != nil {
		return nil, err
	}
	s := &Surface{Xs: x.nodes(nx), Ys: y.nodes(ny), Values: make([]float64, nx*ny)}
	var bad atomic.Int64
	err := par.For(ny, par.Floats(p.Dim()), func(j int, pt []float64) error {
		for i, a := range s.Xs {
			p.At(a, s.Ys[j], pt)
			v, err := f.Eval(pt)
			if ok, err := finite(v, err); err != nil {
				return fmt.Errorf("at %v: %w", pt, err)
			} else if !ok {
				v = math.NaN()
				bad.Add(1)
			}
			s.Values[j*nx+i] = v
		}
		return nil
	})
	s.NonFinite = int(bad.Load())
	return s, err
}

// SampleGradient evaluates the gradient of f at the centres of nx × ny
// equal cells tiling the box x × y of the plane p, on all CPUs, and projects
// it onto the plane.
func SampleGradient(f Differentiable, p Plane, x, y Interval, nx, ny int) (*VectorField, error) {
	if err := checkGrid(f, p, x, y, nx, ny); err != nil {
		return nil, err
	}
	v := &VectorField{Xs: x.centres(nx), Ys: y.centres(ny), U: make([]float64, nx*ny), V: make([]float64, nx*ny)}
	var bad atomic.Int64
	err := par.For(ny, newBuffers(p.Dim()), func(j int, b buffers) error {
		pt, grad := b.pt, b.grad
		for i, a := range v.Xs {
			p.At(a, v.Ys[j], pt)
			val, err := f.Grad(pt, grad)
			ok, err := finite(val, err)
			if err != nil {
				return fmt.Errorf("at %v: %w", pt, err)
			}
			u, w := floats.Dot(grad, p.D1), floats.Dot(grad, p.D2)
			if !ok || math.IsNaN(u+w) || math.IsInf(u+w, 0) {
				u, w = math.NaN(), math.NaN()
				bad.Add(1)
			}
			v.U[j*nx+i], v.V[j*nx+i] = u, w
		}
		return nil
	})
	v.NonFinite = int(bad.Load())
	return v, err
}

// MaxGridPoints bounds the number of points of one sampled grid.
const MaxGridPoints = 1 << 24

func checkGrid(f Function, p Plane, x, y Interval, nx, ny int) error {
	if f == nil {
		return errors.New("no function to sample")
	}
	if err := p.Check(); err != nil {
		return err
	}
	if err := x.Check(); err != nil {
		return fmt.Errorf("horizontal axis: %w", err)
	}
	if err := y.Check(); err != nil {
		return fmt.Errorf("vertical axis: %w", err)
	}
	if nx < 2 || ny < 2 || nx > MaxGridPoints/ny {
		return fmt.Errorf("grid of %d × %d points: want at least 2 × 2 and at most %d points", nx, ny, MaxGridPoints)
	}
	return nil
}

// finite sorts the result of an evaluation: a finite value, a point where
// the function is undefined, or a failure.
func finite(v float64, err error) (ok bool, _ error) {
	if err == nil {
		return !math.IsNaN(v) && !math.IsInf(v, 0), nil
	}
	if ad.IsNonFinite(err) {
		return false, nil
	}
	return false, err
}

// buffers are one goroutine's point and gradient, for par.For.
type buffers struct{ pt, grad []float64 }

func newBuffers(dim int) func() buffers {
	return func() buffers { return buffers{make([]float64, dim), make([]float64, dim)} }
}
