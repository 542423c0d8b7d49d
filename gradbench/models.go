package gradbench

import (
	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// maxLen bounds the length of the vectors of an input, as expr bounds
// those a source makes.
const maxLen = 1 << 24

// llsq is GradBench's least-squares eval: llsq.nabla with the points t as
// a constant.
var llsq = scalarModule(func(in *object) func() (*ad.Func, []float64, error) {
	x := in.vector("x")
	n := in.integer("n", 2, maxLen)
	return func() (*ad.Func, []float64, error) {
		t := make([]float64, n)
		for i := range t {
			// In the order of the reference's arithmetic, so that the
			// middle point of an odd n is exactly 0 and its sign 0.
			t[i] = -1 + float64(i)*2/float64(n-1)
		}
		f, err := compile("llsq.nabla", &expr.Options{
			Sizes:  map[string]int{"x": len(x)},
			Consts: map[string]expr.Const{"t": {Shape: ad.Vector(n), Values: t}},
		})
		return f, x, err
	}
})

// lse is GradBench's log-sum-exp eval: lse.nabla.
var lse = scalarModule(func(in *object) func() (*ad.Func, []float64, error) {
	x := in.vector("x")
	return func() (*ad.Func, []float64, error) {
		f, err := compile("lse.nabla", &expr.Options{Sizes: map[string]int{"x": len(x)}})
		return f, x, err
	}
})

// scalarModule makes the functions primal (the value) and gradient of a
// model whose value is a scalar. decode reads the input and returns what
// compiles the model and gives the point to evaluate it at.
func scalarModule(decode func(in *object) func() (*ad.Func, []float64, error)) module {
	return scalarFunctions("primal", "gradient", decode)
}

// scalarFunctions is scalarModule with the functions' names value and
// gradient.
func scalarFunctions(value, gradient string, decode func(in *object) func() (*ad.Func, []float64, error)) module {
	return module{
		value: objectInput(func(in *object) func() (*task, error) {
			compile := decode(in)
			return func() (*task, error) {
				f, x, err := compile()
				if err != nil {
					return nil, err
				}
				var y float64
				return &task{
					run: func() (err error) {
						y, err = f.Eval(x)
						return err
					},
					output: func() any { return y },
				}, nil
			}
		}),
		gradient: objectInput(func(in *object) func() (*task, error) {
			compile := decode(in)
			return func() (*task, error) {
				f, x, err := compile()
				if err != nil {
					return nil, err
				}
				// The first gradient compiles the gradient program, and
				// only that, where Precompile would compile the JVP and
				// HVP too: for lstm's long graphs, four times the work.
				g := make([]float64, f.Dim())
				if _, err := f.Grad(x, g); err != nil {
					return nil, err
				}
				return &task{
					run: func() error {
						_, err := f.Grad(x, g)
						return err
					},
					output: func() any { return g },
				}, nil
			}
		}),
	}
}

// compile compiles a model of this package. Its derivative programs are
// compiled on first use.
func compile(file string, opts *expr.Options) (*ad.Func, error) {
	f, err := expr.Compile(source(file), opts)
	if err != nil {
		return nil, err
	}
	return f.Func, nil
}

// maxSteps bounds the Runge–Kutta steps of ode, which are unrolled.
const maxSteps = 10_000

// ode is GradBench's ordinary differential equation eval: ode.nabla with
// the number of steps s as a constant. Its primal is the solution y(2), a
// vector; its gradient is that of the last element of y(2), one
// reverse-mode pass with the cotangent that picks that element.
var ode = module{
	"primal": objectInput(func(in *object) func() (*task, error) {
		compile := decodeODE(in)
		return func() (*task, error) {
			f, x, err := compile()
			if err != nil {
				return nil, err
			}
			y := make([]float64, f.Len())
			return &task{
				run:    func() error { return f.Eval(x, y) },
				output: func() any { return y },
			}, nil
		}
	}),
	"gradient": objectInput(func(in *object) func() (*task, error) {
		compile := decodeODE(in)
		return func() (*task, error) {
			f, x, err := compile()
			if err != nil {
				return nil, err
			}
			y, g := make([]float64, f.Len()), make([]float64, f.Dim())
			last := make([]float64, f.Len())
			last[len(last)-1] = 1
			// The first pass compiles the VJP program, and only that, as
			// scalarFunctions does.
			if err := f.VJP(x, last, y, g); err != nil {
				return nil, err
			}
			return &task{
				run:    func() error { return f.VJP(x, last, y, g) },
				output: func() any { return g },
			}, nil
		}
	}),
}

// decodeODE reads the input of ode and returns what compiles the model and
// gives the point.
func decodeODE(in *object) func() (*expr.VectorFunc, []float64, error) {
	x := in.vector("x")
	s := in.integer("s", 1, maxSteps)
	if in.err == nil && len(x) < 2 {
		in.failf("x", "want at least 2 elements, got %d", len(x))
	}
	return func() (*expr.VectorFunc, []float64, error) {
		f, err := expr.CompileVector(source("ode.nabla"), &expr.Options{
			Vars:   []string{"x"},
			Sizes:  map[string]int{"x": len(x)},
			Consts: map[string]expr.Const{"s": {Shape: ad.Scalar(), Values: []float64{float64(s)}}},
		})
		return f, x, err
	}
}
