package numdiff_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/numdiff"
)

func ExampleCheckGradient() {
	f := expr.MustCompile("x^2 + y^2")
	r, err := numdiff.CheckGradient(f, []float64{1, 1}, &numdiff.Settings{
		Methods: []numdiff.Method{numdiff.Forward, numdiff.ComplexStep},
		Step:    1e-7,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range r.Components {
		fmt.Printf("∂f/∂%s: AD %g\n", c.Name, c.AD)
		for _, e := range c.Numeric {
			fmt.Printf("  %-12s error %.0e  tolerance %.0e  ok %v\n", e.Method, e.AbsError, e.Tolerance, e.OK)
		}
	}
	fmt.Println("ok:", r.OK)
	// Output:
	// ∂f/∂x: AD 2
	//   forward      error 1e-07  tolerance 1e-05  ok true
	//   complex-step error 0e+00  tolerance 7e-12  ok true
	// ∂f/∂y: AD 2
	//   forward      error 1e-07  tolerance 1e-05  ok true
	//   complex-step error 0e+00  tolerance 7e-12  ok true
	// ok: true
}

func ExampleCheckDirectional() {
	f := expr.MustCompile("log(x) + y")
	// x = -1 is outside the domain of log: the report says so.
	r, err := numdiff.CheckDirectional(f, []float64{-1, 2}, &numdiff.Settings{Directions: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ok:", r.OK)
	fmt.Println(r.Components[0].Kind, r.Components[0].Numeric[0].Problem)
	// Output:
	// ok: false
	// jvp f(x) = NaN: log(x) is NaN: log got -1
}

func ExampleSweepGradient() {
	f := expr.MustCompile("sin(x) * exp(y)")
	sw, err := numdiff.SweepGradient(f, []float64{0.7, 0.3}, 0, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range sw.Series {
		fmt.Printf("%s: best step ~1e%.0f, error ~1e%.0f\n", s.Method, log10(s.BestStep), log10(s.BestError))
	}
	// Output:
	// forward: best step ~1e-8, error ~1e-8
	// central: best step ~1e-6, error ~1e-11
}

func log10(v float64) float64 { return math.Round(math.Log10(v)) }
