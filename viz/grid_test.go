package viz

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/expr"
)

func compile(t testing.TB, src string, vars ...string) *expr.Func {
	t.Helper()
	f, err := expr.Compile(src, &expr.Options{Vars: vars})
	require.NoError(t, err)
	return f
}

func xyPlane(t testing.TB) Plane {
	t.Helper()
	p, err := CoordinatePlane([]float64{0, 0}, 0, 1)
	require.NoError(t, err)
	return p
}

func TestParseInterval(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Interval
		err  string
	}{
		{in: "-3:3", want: Interval{-3, 3}},
		{in: " 0.5 : 2e1", want: Interval{0.5, 20}},
		{in: "3:3", err: "empty"},
		{in: "4:-1", err: "empty"},
		{in: "1", err: "want min:max"},
		{in: "a:1", err: "bad minimum"},
		{in: "0:inf", err: "not finite"},
	} {
		got, err := ParseInterval(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestSampleExact(t *testing.T) {
	f := compile(t, "x^2 + 3*y", "x", "y")
	s, err := Sample(f, xyPlane(t), Interval{-1, 1}, Interval{0, 2}, 3, 5)
	require.NoError(t, err)
	assert.Equal(t, []float64{-1, 0, 1}, s.Xs)
	assert.Equal(t, []float64{0, 0.5, 1, 1.5, 2}, s.Ys)
	for j, y := range s.Ys {
		for i, x := range s.Xs {
			assert.InDelta(t, x*x+3*y, s.Z(i, j), 1e-15)
		}
	}
	assert.Zero(t, s.NonFinite)
	lo, hi, ok := s.Range()
	assert.True(t, ok)
	assert.Equal(t, 0.0, lo)
	assert.Equal(t, 7.0, hi)
}

// A large grid evaluated concurrently agrees with the formula everywhere.
func TestSampleConcurrentAgrees(t *testing.T) {
	f := compile(t, "sin(x)*exp(y/2) + x*y", "x", "y")
	s, err := Sample(f, xyPlane(t), Interval{-3, 3}, Interval{-2, 2}, 97, 103)
	require.NoError(t, err)
	for j, y := range s.Ys {
		for i, x := range s.Xs {
			require.InDelta(t, math.Sin(x)*math.Exp(y/2)+x*y, s.Z(i, j), 1e-12)
		}
	}
}

func TestSampleGradientExact(t *testing.T) {
	f := compile(t, "x^2 + x*y", "x", "y")
	v, err := SampleGradient(f, xyPlane(t), Interval{0, 4}, Interval{-2, 2}, 4, 2)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.5, 1.5, 2.5, 3.5}, v.Xs) // cell centres
	assert.Equal(t, []float64{-1, 1}, v.Ys)
	for j, y := range v.Ys {
		for i, x := range v.Xs {
			k := j*len(v.Xs) + i
			assert.InDelta(t, 2*x+y, v.U[k], 1e-14)
			assert.InDelta(t, x, v.V[k], 1e-14)
		}
	}
	v.Negate()
	assert.InDelta(t, -(2*0.5 - 1), v.U[0], 1e-14)
}

// On a plane other than a coordinate plane the field holds the directional
// derivatives along its directions.
func TestSampleGradientProjected(t *testing.T) {
	f := compile(t, "x^2 + 2*y^2 + z", "x", "y", "z")
	p := Plane{Origin: []float64{1, 0, 0}, D1: []float64{1, 1, 0}, D2: []float64{0, 0, 1}}
	v, err := SampleGradient(f, p, Interval{-1, 1}, Interval{-1, 1}, 2, 2)
	require.NoError(t, err)
	for j := range v.Ys { // z does not enter the gradient's value
		for i, a := range v.Xs {
			x, y := 1+a, a
			k := j*2 + i
			assert.InDelta(t, 2*x+4*y, v.U[k], 1e-14)
			assert.InDelta(t, 1, v.V[k], 1e-14)
		}
	}
}

func TestSampleNonFinite(t *testing.T) {
	f := compile(t, "log(x) + y", "x", "y")
	// x takes the values -1, -0.5, 0, 0.5, 1: three of five are outside the domain.
	s, err := Sample(f, xyPlane(t), Interval{-1, 1}, Interval{0, 1}, 5, 4)
	require.NoError(t, err)
	assert.Equal(t, 3*4, s.NonFinite)
	for j := range s.Ys {
		for i, x := range s.Xs {
			assert.Equal(t, x <= 0, math.IsNaN(s.Z(i, j)))
		}
	}
	v, err := SampleGradient(f, xyPlane(t), Interval{-1, 1}, Interval{0, 1}, 4, 2)
	require.NoError(t, err)
	assert.Equal(t, 2*2, v.NonFinite)
}

type failing struct{}

var errBroken = errors.New("broken")

func (failing) Eval([]float64) (float64, error)            { return 0, errBroken }
func (failing) Grad([]float64, []float64) (float64, error) { return 0, errBroken }

func TestSampleErrors(t *testing.T) {
	f := compile(t, "x + y", "x", "y")
	p := xyPlane(t)
	box := Interval{-1, 1}
	_, err := Sample(f, p, Interval{1, 1}, box, 10, 10)
	assert.ErrorContains(t, err, "horizontal axis")
	_, err = Sample(f, p, box, Interval{2, -2}, 10, 10)
	assert.ErrorContains(t, err, "vertical axis")
	_, err = Sample(f, p, box, box, 1, 10)
	assert.ErrorContains(t, err, "at least 2 × 2")
	_, err = Sample(f, Plane{Origin: []float64{0, 0}, D1: []float64{1, 0}, D2: []float64{2, 0}}, box, box, 3, 3)
	assert.ErrorContains(t, err, "parallel")
	_, err = Sample(failing{}, p, box, box, 30, 30)
	assert.ErrorIs(t, err, errBroken)
	_, err = SampleGradient(failing{}, p, box, box, 30, 30)
	assert.ErrorIs(t, err, errBroken)
	_, err = CoordinatePlane([]float64{0, 0}, 1, 1)
	assert.Error(t, err)
	_, err = RandomPlane([]float64{1}, 0)
	assert.Error(t, err)
}

func TestRandomPlane(t *testing.T) {
	origin := []float64{1, 2, 3, 4, 5, 6, 7}
	p, err := RandomPlane(origin, 42)
	require.NoError(t, err)
	assert.InDelta(t, 1, floats.Norm(p.D1, 2), 1e-14)
	assert.InDelta(t, 1, floats.Norm(p.D2, 2), 1e-14)
	assert.InDelta(t, 0, floats.Dot(p.D1, p.D2), 1e-14)
	q, err := RandomPlane(origin, 42)
	require.NoError(t, err)
	assert.Equal(t, p, q, "the same seed gives the same plane")
	r, err := RandomPlane(origin, 43)
	require.NoError(t, err)
	assert.NotEqual(t, p.D1, r.D1)
	origin[0] = 100
	assert.Equal(t, 1.0, p.Origin[0], "the plane keeps its own copy of the origin")
}

// Project inverts At, also for directions that are neither unit nor
// orthogonal.
func TestPlaneProjectInvertsAt(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		n := 2 + r.IntN(6)
		p := Plane{Origin: make([]float64, n), D1: make([]float64, n), D2: make([]float64, n)}
		for i := range n {
			p.Origin[i], p.D1[i], p.D2[i] = r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
		}
		a, b := 4*r.Float64()-2, 4*r.Float64()-2
		x := make([]float64, n)
		p.At(a, b, x)
		ga, gb := p.Project(x)
		assert.InDelta(t, a, ga, 1e-9)
		assert.InDelta(t, b, gb, 1e-9)
	}
}
