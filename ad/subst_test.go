package ad

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSubstitute replaces the vector variable of random expressions by an
// expression and compares with evaluating at that expression's value, so
// that every op is built again.
func TestSubstitute(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		g := NewGraph()
		gen := newRandomExpr(g, rng, 3)
		a, v := gen.vars[0], gen.vars[2]
		y := gen.scalar(1 + i%4)
		w := g.mul(g.un(OpSin, v), a) // v := sin(v)·a
		s, err := g.Substitute(y, v, w)
		require.NoError(t, err)
		x := gen.point(rng)
		in := gen.split(x)
		wv := eval(t, g, in, w)[0]
		want := eval(t, g, [][]float64{in[0], in[1], wv}, y)[0][0]
		got := eval(t, g, in, s)[0][0]
		assert.InDelta(t, want, got, 1e-12*max(1, abs(want)), g.Format(y))
	}
}

func abs(x float64) float64 { return max(x, -x) }

// TestPlaceholder takes gradients with respect to a placeholder and
// substitutes a variable for it: the same nodes as the gradient with
// respect to the variable.
func TestPlaceholder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		g := NewGraph()
		gen := newRandomExpr(g, rng, 3)
		v := gen.vars[2]
		p, err := g.Placeholder(Vector(3))
		require.NoError(t, err)
		q, err := g.Placeholder(Vector(3))
		require.NoError(t, err)
		require.NotEqual(t, p, q)
		assert.Equal(t, gen.vars, g.Vars(), "placeholders are not variables of the graph")

		seed := rng.Uint64()
		gen.rng = rand.New(rand.NewPCG(seed, 0))
		yv := gen.scalar(1 + i%4)
		gen.vars[2], gen.rng = p, rand.New(rand.NewPCG(seed, 0))
		yp := gen.scalar(1 + i%4)

		gv, err := g.Grad(yv, v)
		require.NoError(t, err)
		gp, err := g.Grad(yp, p)
		require.NoError(t, err)
		s, err := g.Substitute(gp[0], p, v)
		require.NoError(t, err)
		assert.Equal(t, gv[0], s, g.Format(yv))
	}
}

func TestSubstituteErrors(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Scalar())
	v, _ := g.Var("v", Vector(2))
	y := g.mul(x, x)
	_, err := g.Substitute(y, y, x)
	assert.EqualError(t, err, "substitute: x * x is not a variable")
	_, err = g.Substitute(y, x, v)
	assert.EqualError(t, err, "shape mismatch in substitute: scalar and vector(2)")
	_, err = g.Substitute(y, x, NewGraph().Const(1))
	assert.ErrorIs(t, err, ErrForeignNode)
	_, err = g.Placeholder(Vector(0))
	assert.EqualError(t, err, "placeholder: vector length 0 must be at least 1")
	// A node built before the variable does not depend on it.
	z, _ := g.Var("z", Scalar())
	s, err := g.Substitute(y, z, x)
	require.NoError(t, err)
	assert.Equal(t, y, s)
}
