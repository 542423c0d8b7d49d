package numdiff

import (
	"testing"
)

// BenchmarkCheck measures checks of the extended Rosenbrock function. The
// random-direction check at n = 1000 costs a few evaluations of f and
// one gradient, not n; the full gradient check costs a few evaluations of f
// per component.
func BenchmarkCheck(b *testing.B) {
	for _, bc := range []struct {
		name  string
		n     int
		check func(Function, []float64, *Settings) (*Report, error)
	}{
		{"extrosen1e3", 1000, CheckDirectional},
		{"extrosen1e3/hvp", 1000, CheckHVP},
		{"extrosen1e2/gradient", 100, CheckGradient},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := mustFunction(b, "sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)", map[string]int{"x": bc.n})
			x := make([]float64, bc.n)
			for i := range x {
				x[i] = []float64{-1.2, 1}[i%2]
			}
			var r *Report
			for b.Loop() {
				var err error
				if r, err = bc.check(f, x, &Settings{Directions: 1}); err != nil {
					b.Fatal(err)
				}
			}
			if !r.OK {
				b.Fatal("check failed")
			}
			e := r.Evaluations
			b.ReportMetric(float64(e.F), "f-evals/op")
			b.ReportMetric(float64(e.Grad+e.JVP+e.HVP), "derivative-evals/op")
		})
	}
}
