package gradbench

import (
	"errors"
	"slices"

	"gonum.org/v1/gonum/floats"
)

// maxIterations bounds the iterations of the gradient-descent solver, so
// that a function it cannot minimize gets an error, not an endless loop.
const maxIterations = 1_000_000

// A descent is the path of the gradient-descent solver: where it stopped,
// and the rate of each step it took, in order, with which the program of
// its path can be replayed.
type descent struct {
	x    []float64
	etas []float64
}

// argmin minimizes f from x0 by the gradient-descent solver that GradBench
// prescribes for saddle and particle: the rate η starts at 1e-5, doubles
// after 10 steps in a row that decreased f and halves on a step that did
// not (which is not taken); the search stops when ‖∇f‖ ≤ 1e-5 or when a
// step would move x by at most 1e-5.
func argmin(x0 []float64, f func(x []float64) (float64, error), grad func(x, g []float64) error) (descent, error) {
	x, next := slices.Clone(x0), make([]float64, len(x0))
	g := make([]float64, len(x0))
	fx, err := f(x)
	if err == nil {
		err = grad(x, g)
	}
	if err != nil {
		return descent{}, err
	}
	var etas []float64
	eta, taken := 1e-5, 0
	for range maxIterations {
		if floats.Norm(g, 2) <= 1e-5 {
			return descent{x, etas}, nil
		}
		if taken == 10 {
			eta, taken = 2*eta, 0
			continue
		}
		floats.AddScaledTo(next, x, -eta, g)
		if floats.Distance(x, next, 2) <= 1e-5 {
			return descent{x, etas}, nil
		}
		fnext, err := f(next)
		if err != nil {
			return descent{}, err
		}
		if !(fnext < fx) { // a NaN is no decrease either
			eta, taken = eta/2, 0
			continue
		}
		x, next, fx = next, x, fnext
		if err := grad(x, g); err != nil {
			return descent{}, err
		}
		etas = append(etas, eta)
		taken++
	}
	return descent{}, errors.New("the gradient descent did not stop within a million iterations")
}

// argmax maximizes f from x0 by argmin of -f: its steps go up the
// gradient, x + η∇f.
func argmax(x0 []float64, f func(x []float64) (float64, error), grad func(x, g []float64) error) (descent, error) {
	return argmin(x0,
		func(x []float64) (float64, error) {
			y, err := f(x)
			return -y, err
		},
		func(x, g []float64) error {
			err := grad(x, g)
			floats.Scale(-1, g)
			return err
		})
}
