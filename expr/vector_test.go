package expr

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

func TestVectorFuncJacobian(t *testing.T) {
	s1, c1 := math.Sin(1), math.Cos(1)
	for _, tc := range []struct {
		name  string
		src   string
		sizes map[string]int
		x     []float64
		value []float64
		jac   [][]float64
	}{
		// Two outputs of two variables: one forward pass per column.
		{"square", "[x*y, sin(x)]", nil, []float64{1, 2}, []float64{2, s1}, [][]float64{{2, 1}, {c1, 0}}},
		// More columns than rows: one reverse pass per row.
		{"wide", "[x*y*z, x + z]", nil, []float64{1, 2, 3}, []float64{6, 4}, [][]float64{{6, 3, 2}, {1, 0, 1}}},
		{"tall", "[x, x^2, x^3]", nil, []float64{2}, []float64{2, 4, 8}, [][]float64{{1}, {4}, {12}}},
		{"scalar result", "x^2 + y", nil, []float64{3, 1}, []float64{10}, [][]float64{{6, 1}}},
		{"vector variable", "x * [1, 2, 3] + sum(x)", map[string]int{"x": 3}, []float64{1, 1, 1},
			[]float64{4, 5, 6}, [][]float64{{2, 1, 1}, {1, 3, 1}, {1, 1, 4}}},
		{"differences", "x[1:] - x[:-1]", map[string]int{"x": 3}, []float64{1, 4, 9},
			[]float64{3, 5}, [][]float64{{-1, 1, 0}, {0, -1, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := CompileVector(tc.src, &Options{Sizes: tc.sizes})
			require.NoError(t, err)
			require.Equal(t, len(tc.value), f.Len())
			require.Equal(t, len(tc.x), f.Dim())
			y := make([]float64, f.Len())
			require.NoError(t, f.Eval(tc.x, y))
			assert.InDeltaSlice(t, tc.value, y, 1e-15)

			clear(y)
			var jac mat.Dense
			require.NoError(t, f.Jacobian(tc.x, y, &jac))
			assert.InDeltaSlice(t, tc.value, y, 1e-15)
			assert.True(t, mat.EqualApprox(mat.NewDense(len(tc.jac), len(tc.x), flat(tc.jac)), &jac, 1e-15), "got\n%v", mat.Formatted(&jac))

			// Every VJP and JVP agrees with the Jacobian: Jᵀ·c and J·t.
			c, tv := make([]float64, f.Len()), make([]float64, f.Dim())
			for i := range c {
				c[i] = float64(i + 2)
			}
			for j := range tv {
				tv[j] = float64(3 - j)
			}
			vjp := make([]float64, f.Dim())
			require.NoError(t, f.VJP(tc.x, c, y, vjp))
			var jtc, jt mat.VecDense
			jtc.MulVec(jac.T(), mat.NewVecDense(len(c), c))
			assert.InDeltaSlice(t, jtc.RawVector().Data, vjp, 1e-13)
			got := make([]float64, f.Len())
			require.NoError(t, f.JVP(tc.x, tv, y, got))
			jt.MulVec(&jac, mat.NewVecDense(len(tv), tv))
			assert.InDeltaSlice(t, jt.RawVector().Data, got, 1e-13)
		})
	}
}

func flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestVectorFuncErrors(t *testing.T) {
	_, err := Compile("[x, y]", nil)
	assert.ErrorContains(t, err, "result must be a scalar, got vector(2)")
	_, err = CompileVector("[x, sinn(y)]", nil)
	assert.ErrorContains(t, err, `unknown function "sinn"`)

	f, err := CompileVector("[log(x), x]", nil)
	require.NoError(t, err)
	y := make([]float64, 2)
	assert.EqualError(t, f.Eval([]float64{1}, y[:1]), "the value has room for 1 values, want 2")
	assert.EqualError(t, f.Eval([]float64{1, 2}, y), "the point has 2 values, want 1")
	assert.EqualError(t, f.VJP([]float64{1}, []float64{1}, y, []float64{0}), "the cotangent has 1 values, want 2")
	assert.EqualError(t, f.VJP([]float64{1}, []float64{1, 0}, y, nil), "the product has room for 0 values, want 1")
	assert.EqualError(t, f.Jacobian([]float64{1}, y, mat.NewDense(1, 1, nil)), "the Jacobian is 1×1, want 2×1")

	// A value that is not finite comes back with its explanation.
	err = f.Eval([]float64{-1}, y)
	var nf *ad.NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.True(t, math.IsNaN(y[0]))
	assert.Equal(t, -1.0, y[1])
	var jac mat.Dense
	require.ErrorAs(t, f.Jacobian([]float64{-1}, y, &jac), &nf)
	assert.Equal(t, []float64{-1, 1}, jac.RawMatrix().Data, "the Jacobian is still computed")

	// No variables, no Jacobian.
	c, err := CompileVector("[1, 2]", nil)
	require.NoError(t, err)
	var empty mat.Dense
	require.NoError(t, c.Jacobian(nil, y, &empty))
	assert.Equal(t, []float64{1, 2}, y)
	assert.True(t, empty.IsEmpty())
}
