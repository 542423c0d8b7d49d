package ad

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

// softmaxOf is the gradient of logsumexp in closed form.
func softmaxOf(v []float64) []float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	p := make([]float64, len(v))
	t := 0.0
	for i, x := range v {
		p[i] = math.Exp(x - m)
		t += p[i]
	}
	for i := range p {
		p[i] /= t
	}
	return p
}

func TestLogSumExpDerivatives(t *testing.T) {
	for _, v := range [][]float64{
		{1e15, 1e15},
		{1e15, 1e15 - 1},
		{1e300, 1e300, 1e300},
		{-1e15, -1e15, -1e15 + 2},
		{0.5, -1, 2, 3, -0.25},
	} {
		g := NewGraph()
		x, _ := g.Var("x", Vector(len(v)))
		y, _ := g.Call("logsumexp", x)
		d, err := g.Grad(y, x)
		require.NoError(t, err)
		h, err := g.Hessian(y, x)
		require.NoError(t, err)
		// Forward over reverse as well: the product with e₀ is column 0.
		u, _ := g.Var("u", Vector(len(v)))
		hv, err := g.HVP(y, []Node{x}, []Node{u})
		require.NoError(t, err)
		outs := []Node{d[0], hv[0]}
		for _, row := range h {
			outs = append(outs, row...)
		}
		e0 := make([]float64, len(v))
		e0[0] = 1
		out := eval(t, g, [][]float64{v, e0}, outs...)
		p := softmaxOf(v)
		assert.InDeltaSlice(t, p, out[0], 1e-15, "gradient at %v", v)
		// The Hessian is diag(p) - p pᵀ.
		for i := range v {
			for j := range v {
				want := -p[i] * p[j]
				if i == j {
					want += p[i]
				}
				assert.InDelta(t, want, out[2+i*len(v)+j][0], 1e-15, "Hessian entry %d,%d at %v", i, j, v)
				if j == 0 {
					assert.InDelta(t, want, out[1][i], 1e-15, "Hessian-vector product entry %d at %v", i, v)
				}
			}
		}
	}
}

func TestLogSumExpGradientIsExactAtLargeInputs(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(2))
	y, _ := g.Call("logsumexp", x)
	d, _ := g.Grad(y, x)
	out := eval(t, g, [][]float64{{1e15, 1e15}}, d[0])
	assert.Equal(t, []float64{0.5, 0.5}, out[0])
}

func TestLogSumExpGradientAgreesWithCentralDifferences(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(4))
	y, _ := g.Call("logsumexp", x)
	d, _ := g.Grad(y, x)
	p, err := g.Compile(y, d[0])
	require.NoError(t, err)
	ws := p.NewWorkspace()
	f := func(v []float64) float64 {
		require.NoError(t, p.Run(ws, [][]float64{v}))
		return ws.Scalar(0)
	}
	for _, v := range [][]float64{{0.5, -1, 2, 3}, {30, 31, 29, -40}, {-700, -701, -699.5, -702}} {
		num := fd.Gradient(nil, f, v, &fd.Settings{Formula: fd.Central, Step: 1e-5})
		require.NoError(t, p.Run(ws, [][]float64{v}))
		// Rounding in f, about 1e-13 at |f| = 700, over the step 1e-5.
		assert.InDeltaSlice(t, num, ws.Output(1), 1e-7, "at %v", v)
	}
}
