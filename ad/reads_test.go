package ad

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReads(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(6))
	z, _ := g.Var("z", Scalar())
	unused, _ := g.Var("unused", Vector(2))
	x0 := must(g.Index(x, 0))
	x1 := must(g.Index(x, -5))
	evens := must(g.Slice(x, 0, None, 2))
	tail := must(g.Slice(x, 3, None, 1))
	for _, tc := range []struct {
		name string
		y    Node
		x    Node
		want []bool
	}{
		// 2-D Rosenbrock of a longer vector reads two elements.
		{"two elements", must(g.Add(must(g.Mul(x0, x0)), must(g.Sub(x1, g.Const(1))))), x, []bool{true, true, false, false, false, false}},
		{"strided slice", must(g.Call("sum", evens)), x, []bool{true, false, true, false, true, false}},
		{"slice of a slice", must(g.Index(tail, 1)), x, []bool{false, false, false, false, true, false}},
		{"whole vector", must(g.Call("sum", must(g.Mul(x, z)))), x, []bool{true, true, true, true, true, true}},
		{"through a whole use", must(g.Add(must(g.Call("sum", x)), x0)), x, []bool{true, true, true, true, true, true}},
		{"scalar", must(g.Mul(x0, z)), z, []bool{true}},
		{"the variable itself", x, x, []bool{true, true, true, true, true, true}},
		{"not reached", must(g.Mul(x0, z)), unused, []bool{false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := g.Reads(tc.y, tc.x)
			require.NoError(t, err)
			assert.Equal(t, [][]bool{tc.want}, got)
		})
	}
	// Several variables in one pass.
	got, err := g.Reads(must(g.Mul(x1, z)), x, z, unused)
	require.NoError(t, err)
	assert.Equal(t, [][]bool{{false, true, false, false, false, false}, {true}, {false, false}}, got)

	_, err = g.Reads(x0, x0)
	assert.ErrorContains(t, err, "not a variable")
	_, err = g.Reads(x0, NewGraph().Const(1))
	assert.ErrorIs(t, err, ErrForeignNode)
}
