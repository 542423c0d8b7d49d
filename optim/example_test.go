package optim_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/optimize"

	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/optim"
)

// The textbook gradient ascent: on f = −(x² + y²) + 4 with η = 0.1 each
// step is (x, y) ← (x, y) + η∇f = 0.8·(x, y).
func ExampleMaximize() {
	f := expr.MustCompile("-(x^2 + y^2) + 4")
	s := optim.DefaultSettings()
	s.MaxIter, s.Trace = 4, true
	res, err := optim.Maximize(context.Background(), f, []float64{1, 1}, optim.GradientDescent{LR: 0.1}, s)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range res.Trajectory {
		fmt.Printf("%d: x = %.4f, y = %.4f, f = %.4f\n", st.Iteration, st.X[0], st.X[1], st.F)
	}
	fmt.Println(res.Status)
	// Output:
	// 0: x = 1.0000, y = 1.0000, f = 2.0000
	// 1: x = 0.8000, y = 0.8000, f = 2.7200
	// 2: x = 0.6400, y = 0.6400, f = 3.1808
	// 3: x = 0.5120, y = 0.5120, f = 3.4757
	// 4: x = 0.4096, y = 0.4096, f = 3.6645
	// iteration-limit
}

// Newton's method with the exact Hessian of a compiled expression.
func ExampleMinimize_newton() {
	f, err := expr.Compile("100*(y - x^2)^2 + (1 - x)^2", &expr.Options{Vars: []string{"x", "y"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := optim.Minimize(context.Background(), f, []float64{-1.2, 1}, optim.Newton{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s after %d iterations: x = %.6f, f = %.2g\n", res.Status, res.Iterations, res.X, res.F)
	// Output:
	// gradient-tolerance after 21 iterations: x = [1.000000 1.000000], f = 5.3e-17
}

// A NaN stops the run with the engine's account of where it came from, and
// the best point so far.
func ExampleMinimize_nonFinite() {
	f := expr.MustCompile("sqrt(x) + (x - 2)^2")
	res, _ := optim.Minimize(context.Background(), f, []float64{1}, optim.GradientDescent{LR: 3}, nil)
	fmt.Println(res.Status)
	fmt.Println(res.X)
	// Output:
	// non-finite
	// [1]
}

// The nabla command's names for the methods, with the parameters its flags
// set; the fields a method does not have are ignored, and a zero field is
// the method's default.
func ExampleNewMethod() {
	m, err := optim.NewMethod("adam", optim.Params{LR: 0.1, Beta1: 0.5, Memory: 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %#v\n", m, m)
	// Output:
	// adam: optim.Adam{LR:0.1, Beta1:0.5, Beta2:0, Eps:0}
}

// gonum's methods run on a nabla function with its exact derivatives.
func ExampleGonumProblem() {
	f := expr.MustCompile("(x - 1)^2 + 10*(y + 2)^4")
	p := optim.GonumProblem(f)
	res, err := optimize.Minimize(p, []float64{0, 0}, nil, &optimize.Newton{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x = %.3f, y = %.3f\n", res.X[0], res.X[1])
	// Output:
	// x = 1.000, y = -2.000
}
