package ad_test

import (
	"fmt"
	"log"

	"github.com/nabla-ad/nabla/ad"
)

// Build f(x, y) = sin(x)·eʸ + x²·y and take its value and gradient at (1, 0).
func ExampleBuilder() {
	b := ad.NewBuilder()
	x, y := b.Var("x", ad.Scalar()), b.Var("y", ad.Scalar())
	f, err := b.Func(b.Add(b.Mul(b.Sin(x), b.Exp(y)), b.Mul(b.Pow(x, b.Const(2)), y)))
	if err != nil {
		log.Fatal(err)
	}
	grad := make([]float64, 2)
	v, err := f.Grad([]float64{1, 0}, grad)
	fmt.Println(v, grad, err)
	// Output:
	// 0.8414709848078965 [0.5403023058681398 1.8414709848078965] <nil>
}

// A misuse is reported once, by Func, naming the method and its operands.
func ExampleBuilder_error() {
	b := ad.NewBuilder()
	u, v := b.Var("u", ad.Vector(3)), b.Var("v", ad.Vector(4))
	_, err := b.Func(b.Sum(b.Exp(b.Mul(u, v))))
	fmt.Println(err)
	// Output:
	// Builder.Mul(vector(3), vector(4)): shape mismatch in mul: vector(3) and vector(4)
}

// The extended Rosenbrock function of three variables, written as a Go
// function of the vector x.
func ExampleFuncOfVector() {
	f, err := ad.FuncOfVector(3, func(b *ad.Builder, x ad.Node) ad.Node {
		sq := func(z ad.Node) ad.Node { return b.Pow(z, b.Const(2)) }
		hi, lo := b.Slice(x, 1, ad.None, ad.None), b.Slice(x, ad.None, -1, ad.None)
		return b.Sum(b.Add(b.Mul(b.Const(100), sq(b.Sub(hi, sq(lo)))), sq(b.Sub(b.Const(1), lo))))
	})
	if err != nil {
		log.Fatal(err)
	}
	grad := make([]float64, 3)
	v, err := f.Grad([]float64{0, 0, 0}, grad)
	fmt.Println(f)
	fmt.Println(v, grad, err)
	// Output:
	// sum(100 * (x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)
	// 2 [-2 -2 0] <nil>
}
