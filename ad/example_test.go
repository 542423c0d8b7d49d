package ad_test

import (
	"fmt"

	"github.com/nabla-ad/nabla/ad"
)

// Build f(x, y) = x² + y², take its gradient and evaluate it at (1, 1).
func Example() {
	g := ad.NewGraph()
	x, _ := g.Var("x", ad.Scalar())
	y, _ := g.Var("y", ad.Scalar())
	x2, _ := g.Mul(x, x)
	y2, _ := g.Mul(y, y)
	f, _ := g.Add(x2, y2)
	grad, _ := g.Grad(f, x, y)
	fmt.Println("f =", g.Format(f))
	fmt.Println("∇f =", g.Format(grad[0]), ",", g.Format(grad[1]))

	p, _ := g.Compile(f, grad[0], grad[1])
	ws := p.NewWorkspace()
	if err := p.Run(ws, [][]float64{{1}, {1}}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ws.Scalar(0), ws.Scalar(1), ws.Scalar(2))
	// Output:
	// f = x * x + y * y
	// ∇f = 2 * x , 2 * y
	// 2 2 2
}
