package optim_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/optim"
)

// SignDescent moves each component a fixed Step against the sign of its
// derivative.
type SignDescent struct {
	Step float64
}

func (SignDescent) String() string { return "sign-descent" }

// Init checks the step; the method needs no second derivatives.
func (m SignDescent) Init(dim int, has optim.Available) (optim.Iterator, error) {
	if !(m.Step > 0) {
		return nil, errors.New("SignDescent.Step must be positive")
	}
	return signDescent{m.Step}, nil
}

type signDescent struct{ step float64 }

func (s signDescent) Iterate(loc *optim.Location, e *optim.Evaluator) error {
	for i, g := range loc.Grad {
		switch {
		case g > 0:
			loc.X[i] -= s.step
		case g < 0:
			loc.X[i] += s.step
		}
	}
	loc.F = e.FuncGrad(loc.X, loc.Grad)
	return nil
}

// A method of one's own runs under Minimize like the built-in ones, with
// its settings, trace and statuses.
func ExampleMethod() {
	f := expr.MustCompile("x^2 + (y - 1)^2")
	s := optim.DefaultSettings()
	s.Trace = true
	res, err := optim.Minimize(context.Background(), f, []float64{1, -1}, SignDescent{Step: 0.5}, s)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range res.Trajectory {
		fmt.Printf("%d: x = %v, f = %g\n", st.Iteration, st.X, st.F)
	}
	fmt.Println(res.Method, res.Status)
	// Output:
	// 0: x = [1 -1], f = 5
	// 1: x = [0.5 -0.5], f = 2.5
	// 2: x = [0 0], f = 1
	// 3: x = [0 0.5], f = 0.25
	// 4: x = [0 1], f = 0
	// sign-descent gradient-tolerance
}
