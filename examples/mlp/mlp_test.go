package mlp_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/examples/internal/exampletest"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/internal/gentest"
	"github.com/nabla-ad/nabla/numdiff"
	"github.com/nabla-ad/nabla/optim"
)

// hidden is the number of hidden units, the columns of W1 in init.json.
const hidden = 10

// decay is the weight of the penalty in mlp.nabla.
const decay = 1e-3

// TestMLP checks the perceptron's gradient at its starting weights against
// numeric differences, trains it from them by L-BFGS as nabla optimize
// does, and checks the trained network with a forward pass written with
// gonum: the loss the model file computes, its cross-entropy and its
// accuracy on the points it was trained on.
func TestMLP(t *testing.T) {
	moons := exampletest.Read(t, "moons.csv")
	X, err := moons.Columns(0, 2)
	require.NoError(t, err)
	Y, err := moons.Columns(2, 4)
	require.NoError(t, err)
	f := exampletest.Compile(t, "mlp.nabla", &expr.Options{
		Shapes: map[string]ad.Shape{
			"W1": ad.Matrix(2, hidden), "b1": ad.Vector(hidden),
			"W2": ad.Matrix(hidden, 2), "b2": ad.Vector(2),
		},
		Consts: map[string]expr.Const{"X": exampletest.Const(X), "Y": exampletest.Const(Y)},
	})
	x0, err := f.Flatten(exampletest.Point(t, "init.json"))
	require.NoError(t, err)

	t.Run("gradient", func(t *testing.T) {
		rep, err := numdiff.CheckGradient(f, x0, nil)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%d of %d components disagree", rep.Failed, len(rep.Components))
		assert.Len(t, rep.Components, f.Dim())
	})

	// The Go that nabla gen writes for the network, its data constants of
	// the code and its products calls of blas64, computes what nabla does.
	t.Run("generated", func(t *testing.T) {
		near, v, w := make([]float64, len(x0)), make([]float64, len(x0)), make([]float64, len(x0))
		for i, x := range x0 {
			near[i] = x + 0.1*math.Sin(float64(i))
			v[i], w[i] = math.Cos(float64(i)), math.Sin(float64(3*i))
		}
		gentest.Check(t, []gentest.Case{{Name: "mlp", F: f.Func, Points: [][]float64{x0, near}, Dirs: [][]float64{v, w}}})
	})

	t.Run("train", func(t *testing.T) {
		res, err := optim.Minimize(context.Background(), f, x0, optim.LBFGS{}, &optim.Settings{GradTol: 1e-6, MaxIter: 10000})
		require.NoError(t, err)
		require.Equal(t, optim.GradientTolerance, res.Status, res.Message)
		loss, crossEntropy, accuracy := forward(exampletest.Dense(X), exampletest.Dense(Y), f.Unflatten(res.X))
		t.Logf("after %d iterations: loss %.4f, cross-entropy %.4f, accuracy %.3f", res.Iterations, loss, crossEntropy, accuracy)
		assert.InEpsilon(t, loss, res.F, 1e-12)
		// Bounds with room for another local minimum, should a change
		// of the optimizer lead to one.
		assert.Less(t, loss, 0.11)
		assert.Less(t, crossEntropy, 0.05)
		assert.GreaterOrEqual(t, accuracy, 0.98)
		exampletest.InReadme(t, fmt.Sprintf("the trained network gets %.0f of the 200", accuracy*200))
	})
}

// forward runs the perceptron with the weights w on the points X and
// returns mlp.nabla's loss, its cross-entropy part and the fraction of
// points whose largest logit is that of their class in Y.
func forward(X, Y *mat.Dense, w ad.Point) (loss, crossEntropy, accuracy float64) {
	n, _ := X.Dims()
	W1 := mat.NewDense(2, hidden, w["W1"])
	W2 := mat.NewDense(hidden, 2, w["W2"])
	var H, Z mat.Dense
	H.Mul(X, W1)
	H.Apply(func(_, j int, v float64) float64 { return math.Tanh(v + w["b1"][j]) }, &H)
	Z.Mul(&H, W2)
	Z.Apply(func(_, j int, v float64) float64 { return v + w["b2"][j] }, &Z)
	correct := 0
	for i := range n {
		z, y := Z.RawRowView(i), Y.RawRowView(i)
		crossEntropy += (floats.LogSumExp(z) - floats.Dot(y, z)) / float64(n)
		if y[floats.MaxIdx(z)] == 1 {
			correct++
		}
	}
	loss = crossEntropy + decay*(floats.Dot(w["W1"], w["W1"])+floats.Dot(w["W2"], w["W2"]))
	return loss, crossEntropy, float64(correct) / float64(n)
}
