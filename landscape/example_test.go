package landscape_test

import (
	"fmt"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/landscape"
	"github.com/nabla-ad/nabla/viz"
)

// A filter-normalized random direction has, row by row of each weight
// matrix and variable by variable otherwise, the norms of the weights.
func ExampleRandom() {
	f, err := expr.Compile("sum((x @ W + b)^2)", &expr.Options{
		Shapes: map[string]ad.Shape{"W": ad.Matrix(2, 3), "b": ad.Vector(3)},
		Consts: map[string]expr.Const{"x": {Shape: ad.Matrix(1, 2), Values: []float64{1, 2}}},
	})
	if err != nil {
		panic(err)
	}
	// W = [[3, 4, 0], [0, 0, 1]], b = [1, 2, 2]
	x := []float64{3, 4, 0, 0, 0, 1, 1, 2, 2}
	d, err := landscape.Random(f.Vars(), x, 1, true)
	if err != nil {
		panic(err)
	}
	for _, part := range [][2]int{{0, 3}, {3, 6}, {6, 9}} {
		fmt.Printf("%.12f\n", floats.Norm(d.Vector[part[0]:part[1]], 2))
	}
	// Output:
	// 5.000000000000
	// 1.000000000000
	// 3.000000000000
}

// The line between two points passes through both, at t = 0 and t = 1.
func ExampleBetween() {
	f, err := expr.Compile("(x - 1)^2 + y^2", nil)
	if err != nil {
		panic(err)
	}
	l, err := landscape.Between(f, []float64{0, 0}, []float64{2, 1}, viz.Interval{Min: -0.5, Max: 1.5}, 5)
	if err != nil {
		panic(err)
	}
	for k, t := range l.Ts {
		fmt.Printf("f at t = %4.1f: %g\n", t, l.Values[k])
	}
	// Output:
	// f at t = -0.5: 4.25
	// f at t =  0.0: 1
	// f at t =  0.5: 0.25
	// f at t =  1.0: 2
	// f at t =  1.5: 6.25
}
