package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/nabla-ad/nabla/expr"
)

// hello is the eval that checks a tool speaks the protocol: square x → x²
// and double x → 2x, the derivative of square. Its input is x itself.
var hello = module{
	"square": helloFunction(false, func(f *expr.Func, x []float64) (float64, error) {
		return f.Eval(x)
	}),
	"double": helloFunction(true, func(f *expr.Func, x []float64) (float64, error) {
		var d [1]float64
		_, err := f.Grad(x, d[:])
		return d[0], err
	}),
}

// helloFunction makes a function of hello from what it computes with the
// model at x, which needs the model's derivatives or not.
func helloFunction(derivative bool, compute func(f *expr.Func, x []float64) (float64, error)) function {
	return function{bare: true, decode: func(raw json.RawMessage) (func() (*task, error), error) {
		x, err := decodeNumber(raw)
		if err != nil {
			return nil, fmt.Errorf("input: %v", err)
		}
		return func() (*task, error) {
			f, err := expr.Compile(source("hello.nabla"), nil)
			if err != nil {
				return nil, err
			}
			at, y := []float64{x}, 0.0
			if derivative { // to compile the derivative, and only that
				if _, err := compute(f, at); err != nil {
					return nil, err
				}
			}
			return &task{
				run: func() (err error) {
					y, err = compute(f, at)
					return err
				},
				output: func() any { return y },
			}, nil
		}, nil
	}}
}
