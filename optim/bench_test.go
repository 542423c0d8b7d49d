package optim

import (
	"context"
	"testing"
	"time"

	"github.com/nabla-ad/nabla/expr"
)

// timed wraps p's FuncGrad and HVP to add the time spent in them to *in.
func timed(p problem, in *time.Duration) problem {
	fg, hvp := p.funcGrad, p.hvp
	p.funcGrad = func(x, g []float64) float64 {
		t := time.Now()
		v := fg(x, g)
		*in += time.Since(t)
		return v
	}
	if hvp != nil {
		p.hvp = func(x, v, hv []float64) {
			t := time.Now()
			hvp(x, v, hv)
			*in += time.Since(t)
		}
	}
	return p
}

// BenchmarkMinimize solves extended Rosenbrock with n = 10⁶ from
// (−1.2, 1.5, −1.2, 1.5, …) to ‖∇f‖∞ ≤ 10⁻⁶. The plain names take the
// gradient and Hessian-vector products from the compiled expression; the
// "-go" ones take hand-written ones, which leaves more of the time to the
// method.
// outside-% is the share of the time spent outside the gradient and HVP
// evaluations: the optimizer's own linear algebra.
func BenchmarkMinimize(b *testing.B) {
	const n = 1_000_000
	f, err := expr.Compile(extRosenbrockSrc, &expr.Options{Sizes: map[string]int{"x": n}})
	if err != nil {
		b.Fatal(err)
	}
	compiled := problemOf(f)
	x0 := alternating(n)
	for _, bm := range []struct {
		name string
		p    problem
		m    Method
	}{
		{"lbfgs", compiled, LBFGS{}},
		{"newtoncg", compiled, NewtonCG{}},
		{"lbfgs-go", extRosenbrock(), LBFGS{}},
		{"newtoncg-go", extRosenbrock(), NewtonCG{}},
	} {
		b.Run("extrosen1e6/"+bm.name, func(b *testing.B) {
			var in time.Duration
			p := timed(bm.p, &in)
			var res Result
			start := time.Now()
			for b.Loop() {
				res, err = minimizeP(context.Background(), p, x0, bm.m, nil)
				if err != nil || res.Status != GradientTolerance {
					b.Fatalf("%v: %s", res.Status, res.Message)
				}
			}
			total := time.Since(start)
			b.ReportMetric(float64(res.Iterations), "iters/op")
			b.ReportMetric(float64(res.FuncEvals), "evals/op")
			b.ReportMetric(float64(res.HVPEvals), "hvps/op")
			b.ReportMetric(100*(1-float64(in)/float64(total)), "outside-%")
		})
	}
}
