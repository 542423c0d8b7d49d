package expr_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// The example of nabla's README: a gradient, a directional derivative and a
// Hessian.
func Example() {
	f := expr.MustCompile("x^2 + y^2")
	at := ad.Point{"x": {1}, "y": {1}}
	v, grad, _ := f.GradAt(at)
	fmt.Println(v, grad)
	d, _ := f.DirectionalDerivativeAt(at, ad.Point{"x": {1}, "y": {1}}) // along (1, 1)/√2
	fmt.Println(d)
	h, _ := f.HessianAt(at)
	fmt.Printf("%v\n", mat.Formatted(h))
	// Output:
	// 2 map[x:[2] y:[2]]
	// 2.82842712474619
	// ⎡2  0⎤
	// ⎣0  2⎦
}

func ExampleCompile() {
	f, err := expr.Compile("x^2 + y^2", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, grad, err := f.GradAt(ad.Point{"x": {1}, "y": {1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v, grad["x"][0], grad["y"][0])
	// Output: 2 2 2
}

func ExampleCompile_vector() {
	// The extended Rosenbrock function of a vector x of length 4.
	f, err := expr.Compile("sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)",
		&expr.Options{Sizes: map[string]int{"x": 4}})
	if err != nil {
		fmt.Println(err)
		return
	}
	grad := make([]float64, f.Dim())
	v, err := f.Grad([]float64{-1.2, 1, -1.2, 1}, grad)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6g %.6g\n", v, grad)
	// Output:
	// 532.4 [-215.6 792 -655.6 -88]
}

func ExampleCompile_bindings() {
	f := expr.MustCompile(`
		# the sinc of the distance from the origin
		r = sqrt(x^2 + y^2 + 1)
		sin(r) / r
	`)
	for _, v := range f.Vars() {
		fmt.Println(v.Name, v.Shape)
	}
	// Output:
	// x scalar
	// y scalar
}

func ExampleError() {
	_, err := expr.Compile("x + sinn(y)", nil)
	fmt.Println(err)
	// Output:
	// 1:5: unknown function "sinn" (did you mean "sin"?)
	//   x + sinn(y)
	//       ^
}

func ExampleErrorList() {
	_, err := expr.Compile("a = (x +\nb = 2 y\nb", nil)
	fmt.Println(err)
	// Output:
	// 2:3: unexpected "=", expected ")"
	//   b = 2 y
	//     ^
}

func ExampleParse() {
	f := expr.MustCompile("x^3 + 2*y")
	g := f.Graph()
	grads, err := g.Grad(f.Output(), g.Vars()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range grads {
		fmt.Println(g.Format(d))
	}
	// Printing and parsing back gives the same node.
	back, err := expr.Parse(g, g.Format(grads[0]))
	fmt.Println(back == grads[0], err)
	// Output:
	// 3 * x^2
	// 2
	// true <nil>
}

func ExampleOptions_consts() {
	// A least-squares line through data: xs and ys are constants, so the
	// function is a function of a and b only.
	xs, ys := []float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}
	f, err := expr.Compile("0.5*sum((a*xs + b - ys)^2)", &expr.Options{Consts: map[string]expr.Const{
		"xs": {Shape: ad.Vector(len(xs)), Values: xs},
		"ys": {Shape: ad.Vector(len(ys)), Values: ys},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, grad, err := f.GradAt(ad.Point{"a": {1}, "b": {0}})
	fmt.Println(f.Names(), v, grad["a"], grad["b"], err)
	// Output: [a b] 15 [-20] [-10] <nil>
}

func ExampleCompile_functionsAndLoops() {
	// Ten steps of gradient descent on (p - 1)², from p = x, then the
	// second derivative of p³ in x: derivatives of derivatives.
	f := expr.MustCompile(`
		sq(u) = u * u
		p = x
		for i in range(10) {
			p = p - 0.1*grad(sq(p - 1), p)
		}
		grad(grad(p^3, x), x)
	`)
	v, err := f.EvalAt(ad.Point{"x": {2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// p = 1 + 0.8¹⁰(x - 1), so the result is 6p·0.8²⁰.
	fmt.Printf("%.6f\n", v)
	// Output:
	// 0.076603
}
