package leastsquares_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/examples/internal/exampletest"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/optim"
)

// TestLeastSquares checks the model's gradient against its closed form
// Xᵀ(Xw − y) and its fit, by L-BFGS as nabla optimize runs it, against
// gonum's least-squares solve (QR).
func TestLeastSquares(t *testing.T) {
	X, y := exampletest.Read(t, "X.csv"), exampletest.Read(t, "y.csv")
	Xd, yv := exampletest.Dense(X), exampletest.Vec(y)
	_, p := Xd.Dims()
	f := exampletest.Compile(t, "leastsquares.nabla", &expr.Options{
		Sizes:  map[string]int{"w": p},
		Consts: map[string]expr.Const{"X": exampletest.Const(X), "y": exampletest.Const(y)},
	})

	t.Run("gradient", func(t *testing.T) {
		w := mat.NewVecDense(p, []float64{0.5, -1, 2})
		var r, want mat.VecDense
		r.MulVec(Xd, w)
		r.SubVec(&r, yv)
		want.MulVec(Xd.T(), &r)
		grad := make([]float64, p)
		v, err := f.Grad(w.RawVector().Data, grad)
		require.NoError(t, err)
		assert.InEpsilon(t, 0.5*mat.Dot(&r, &r), v, 1e-12)
		assert.InEpsilonSlice(t, want.RawVector().Data, grad, 1e-12)
	})

	t.Run("fit", func(t *testing.T) {
		var want mat.VecDense
		require.NoError(t, want.SolveVec(Xd, yv))
		res, err := optim.Minimize(context.Background(), f, make([]float64, p), optim.LBFGS{}, &optim.Settings{GradTol: 1e-10, MaxIter: 10000})
		require.NoError(t, err)
		assert.Equal(t, optim.GradientTolerance, res.Status, res.Message)
		assert.InDeltaSlice(t, want.RawVector().Data, res.X, 1e-10)
		w := want.RawVector().Data
		exampletest.InReadme(t, fmt.Sprintf("w = (%.10f, %.10f, %.10f)", w[0], w[1], w[2]))
	})
}
