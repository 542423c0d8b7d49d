package landscape

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/internal/par"
	"github.com/nabla-ad/nabla/viz"
)

// MaxPoints bounds the points of one landscape, a line's or a plane's:
// 512 × 512.
const MaxPoints = 512 * 512

// A Line is a function sampled along a line: Values[k] is f at the node
// Ts[k]; NaN where f is not finite, which NonFinite counts.
type Line struct {
	Ts, Values []float64
	NonFinite  int
}

// SampleLine evaluates f at n evenly spaced points origin + t·d, t in the
// interval (ends included).
func SampleLine(f viz.Function, origin []float64, d Direction, t viz.Interval, n int) (*Line, error) {
	if n > MaxPoints {
		return nil, fmt.Errorf("%d points on a line: at most %d", n, MaxPoints)
	}
	ts, vs, bad, err := viz.SampleLine(f, origin, d.Vector, t, n)
	if err != nil {
		return nil, err
	}
	return &Line{Ts: ts, Values: vs, NonFinite: bad}, nil
}

// Between evaluates f at n points (1−t)·from + t·to, t evenly spaced in
// the interval (ends included). The nodes nearest to 0 and 1 are moved
// onto them when the interval holds them, so that the line's values there
// are exactly f(from) and f(to).
func Between(f viz.Function, from, to []float64, t viz.Interval, n int) (*Line, error) {
	switch {
	case f == nil:
		return nil, fmt.Errorf("no function to sample")
	case len(from) == 0 || len(from) != len(to):
		return nil, fmt.Errorf("the line's ends have %d and %d values; want one positive number", len(from), len(to))
	case n < 2 || n > MaxPoints:
		return nil, fmt.Errorf("%d points on a line: want 2 to %d", n, MaxPoints)
	}
	if err := t.Check(); err != nil {
		return nil, err
	}
	ts := floats.Span(make([]float64, n), t.Min, t.Max)
	h := (t.Max - t.Min) / float64(n-1)
	for _, end := range []float64{0, 1} {
		if k := int(math.Round((end - t.Min) / h)); k >= 0 && k < n && math.Abs(ts[k]-end) <= h/2 {
			ts[k] = end
		}
	}
	l := &Line{Ts: ts, Values: make([]float64, n)}
	bad := make([]bool, n)
	err := par.For(n, par.Floats(len(from)), func(k int, pt []float64) error {
		s := ts[k]
		for i := range pt {
			pt[i] = (1-s)*from[i] + s*to[i]
		}
		v, err := f.Eval(pt)
		if err != nil && !ad.IsNonFinite(err) {
			return fmt.Errorf("at t = %g: %w", s, err)
		}
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			v, bad[k] = math.NaN(), true
		}
		l.Values[k] = v
		return nil
	})
	for _, b := range bad {
		if b {
			l.NonFinite++
		}
	}
	return l, err
}

// SamplePlane evaluates f at nx × ny points origin + a·d1 + b·d2, (a, b)
// evenly spaced over the box x × y with its edges included.
func SamplePlane(f viz.Function, origin []float64, d1, d2 Direction, x, y viz.Interval, nx, ny int) (*viz.Surface, error) {
	if nx > 0 && ny > MaxPoints/nx {
		return nil, fmt.Errorf("a grid of %d × %d points: at most %d points", nx, ny, MaxPoints)
	}
	return viz.Sample(f, Plane(origin, d1, d2), x, y, nx, ny)
}

// Plane returns the plane through origin spanned by two directions, in
// which a landscape is drawn and trajectories are projected.
func Plane(origin []float64, d1, d2 Direction) viz.Plane {
	return viz.Plane{Origin: origin, D1: d1.Vector, D2: d2.Vector}
}

// NonFiniteRange returns the smallest interval of t that holds the nodes
// of the line where f is not finite; ok is false when there are none.
func NonFiniteRange(l *Line) (t viz.Interval, ok bool) {
	t = viz.Interval{Min: math.Inf(1), Max: math.Inf(-1)}
	for k, v := range l.Values {
		if math.IsNaN(v) {
			t.Min, t.Max = math.Min(t.Min, l.Ts[k]), math.Max(t.Max, l.Ts[k])
		}
	}
	return t, t.Min <= t.Max
}

// NonFiniteBox returns the smallest box of the plane that holds the grid
// points where f is not finite; ok is false when there are none.
func NonFiniteBox(s *viz.Surface) (x, y viz.Interval, ok bool) {
	x = viz.Interval{Min: math.Inf(1), Max: math.Inf(-1)}
	y = x
	for j, b := range s.Ys {
		for i, a := range s.Xs {
			if math.IsNaN(s.Values[j*len(s.Xs)+i]) {
				x.Min, x.Max = math.Min(x.Min, a), math.Max(x.Max, a)
				y.Min, y.Max = math.Min(y.Min, b), math.Max(y.Max, b)
			}
		}
	}
	return x, y, x.Min <= x.Max
}
