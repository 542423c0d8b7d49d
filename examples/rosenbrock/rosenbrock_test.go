package rosenbrock_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/optimize"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/examples/rosenbrock"
	"github.com/nabla-ad/nabla/expr"
)

const n = 100

func compile(t *testing.T) (*expr.Func, string) {
	src, err := os.ReadFile("rosenbrock.nabla")
	require.NoError(t, err)
	f, err := expr.Compile(string(src), &expr.Options{Sizes: map[string]int{"x": n}})
	require.NoError(t, err)
	return f, string(src)
}

// TestAgainstInterpreter compares the generated functions with nabla's
// interpreter at random points.
func TestAgainstInterpreter(t *testing.T) {
	f, _ := compile(t)
	rng := rand.New(rand.NewPCG(1, 2))
	x, v := make([]float64, n), make([]float64, n)
	want, got := make([]float64, n), make([]float64, n)
	for range 10 {
		for i := range x {
			x[i], v[i] = 2*rng.Float64()-1, rng.NormFloat64()
		}
		fx, err := f.Eval(x)
		require.NoError(t, err)
		assert.InEpsilon(t, fx, rosenbrock.Rosen(x), 1e-13)

		_, err = f.Grad(x, want)
		require.NoError(t, err)
		assert.InEpsilon(t, fx, rosenbrock.RosenGrad(x, got), 1e-13)
		assert.InEpsilonSlice(t, want, got, 1e-13)

		require.NoError(t, f.HVP(x, v, want))
		rosenbrock.RosenHVP(x, v, got)
		assert.InEpsilonSlice(t, want, got, 1e-13)
	}
}

// TestGenerated checks that rosen_gen.go is what the go:generate line of
// doc.go writes now.
func TestGenerated(t *testing.T) {
	f, src := compile(t)
	var want bytes.Buffer
	require.NoError(t, f.Generate(&want, ad.GenOptions{Package: "rosenbrock", Name: "Rosen", Source: src, HVP: true}))
	got, err := os.ReadFile("rosen_gen.go")
	require.NoError(t, err)
	require.Equal(t, want.String(), string(got), "rosen_gen.go is not what nabla gen writes: run go generate ./examples/rosenbrock")
}

// The generated gradient, as gonum's optimizers take it.
func Example() {
	p := optimize.Problem{
		Func: rosenbrock.Rosen,
		Grad: func(grad, x []float64) { rosenbrock.RosenGrad(x, grad) },
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = -1.2
		if i%2 == 1 {
			x[i] = 1
		}
	}
	res, err := optimize.Minimize(p, x, nil, &optimize.LBFGS{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("f < 1e-12: %t, at x[0] = %.6f, x[99] = %.6f\n", res.F < 1e-12, res.X[0], res.X[n-1])
	// Output:
	// f < 1e-12: true, at x[0] = 1.000000, x[99] = 1.000000
}
