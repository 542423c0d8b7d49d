package logistic_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/examples/internal/exampletest"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/internal/gentest"
	"github.com/nabla-ad/nabla/optim"
)

// TestLogistic checks the model's value and gradient against their closed
// forms, mean(log(1 + e^z) − y·z) and Xᵀ(σ(Xw) − y)/n, and its fit, by
// L-BFGS as nabla optimize runs it, against Newton's method on the same
// loss written with gonum (iteratively reweighted least squares).
func TestLogistic(t *testing.T) {
	X, y := exampletest.Read(t, "X.csv"), exampletest.Read(t, "y.csv")
	Xd, yv := exampletest.Dense(X), exampletest.Vec(y)
	n, p := Xd.Dims()
	f := exampletest.Compile(t, "logistic.nabla", &expr.Options{
		Sizes:  map[string]int{"w": p},
		Consts: map[string]expr.Const{"X": exampletest.Const(X), "y": exampletest.Const(y)},
	})

	// loss returns the mean log-loss at w and its gradient, and the
	// weights σ(z)(1 − σ(z)) of the Hessian XᵀWX/n.
	loss := func(w *mat.VecDense) (v float64, grad, weight *mat.VecDense) {
		var z mat.VecDense
		z.MulVec(Xd, w)
		r, weight := mat.NewVecDense(n, nil), mat.NewVecDense(n, nil)
		for i := range n {
			zi, yi := z.AtVec(i), yv.AtVec(i)
			s := 1 / (1 + math.Exp(-zi))
			v += (math.Log1p(math.Exp(zi)) - yi*zi) / float64(n)
			r.SetVec(i, s-yi)
			weight.SetVec(i, s*(1-s))
		}
		grad = mat.NewVecDense(p, nil)
		grad.MulVec(Xd.T(), r)
		grad.ScaleVec(1/float64(n), grad)
		return v, grad, weight
	}

	t.Run("gradient", func(t *testing.T) {
		w := mat.NewVecDense(p, []float64{0.3, -1, 2})
		want, wantGrad, _ := loss(w)
		grad := make([]float64, p)
		v, err := f.Grad(w.RawVector().Data, grad)
		require.NoError(t, err)
		assert.InEpsilon(t, want, v, 1e-13)
		assert.InEpsilonSlice(t, wantGrad.RawVector().Data, grad, 1e-12)
	})

	t.Run("fit", func(t *testing.T) {
		// Newton: w ← w − (XᵀWX/n)⁻¹ ∇f, from w = 0, until the step is
		// below 1e-13.
		w := mat.NewVecDense(p, nil)
		for iter := 0; ; iter++ {
			require.Less(t, iter, 50, "Newton's method did not converge")
			_, grad, weight := loss(w)
			var WX, H mat.Dense
			WX.Apply(func(i, _ int, v float64) float64 { return weight.AtVec(i) * v }, Xd)
			H.Mul(Xd.T(), &WX)
			H.Scale(1/float64(n), &H)
			var step mat.VecDense
			require.NoError(t, step.SolveVec(&H, grad))
			w.SubVec(w, &step)
			if mat.Norm(&step, math.Inf(1)) < 1e-13 {
				break
			}
		}
		_, grad, _ := loss(w)
		require.Less(t, mat.Norm(grad, math.Inf(1)), 1e-13, "Newton's optimum")

		res, err := optim.Minimize(context.Background(), f, make([]float64, p), optim.LBFGS{}, &optim.Settings{GradTol: 1e-9, MaxIter: 10000})
		require.NoError(t, err)
		assert.Equal(t, optim.GradientTolerance, res.Status, res.Message)
		assert.InDeltaSlice(t, w.RawVector().Data, res.X, 1e-8)
		exampletest.InReadme(t, fmt.Sprintf("w = (%.10f, %.10f, %.10f)", w.AtVec(0), w.AtVec(1), w.AtVec(2)))
	})

	// The Go that nabla gen writes for the model, its data constants of
	// the code and X·w a call of blas64.Gemv, computes what nabla does.
	t.Run("generated", func(t *testing.T) {
		gentest.Check(t, []gentest.Case{{Name: "logistic", F: f.Func,
			Points: [][]float64{{0.3, -1, 2}, {-0.5, 0.2, 0.1}}, Dirs: [][]float64{{1, 2, -1}, {0.5, -0.3, 0.7}}}})
	})
}
