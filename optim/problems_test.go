package optim

import (
	"context"

	"gonum.org/v1/gonum/mat"
)

// rosenbrock is f(x, y) = 100(y − x²)² + (1 − x)², with its derivatives in
// closed form; its minimizer is (1, 1).
func rosenbrock() problem {
	return problem{
		dim: 2,
		funcGrad: func(x, g []float64) float64 {
			a, b := x[1]-x[0]*x[0], 1-x[0]
			g[0] = -400*a*x[0] - 2*b
			g[1] = 200 * a
			return 100*a*a + b*b
		},
		hess: func(x []float64, h *mat.SymDense) {
			h.SetSym(0, 0, 1200*x[0]*x[0]-400*x[1]+2)
			h.SetSym(0, 1, -400*x[0])
			h.SetSym(1, 1, 200)
		},
		hvp: func(x, v, hv []float64) {
			hv[0] = (1200*x[0]*x[0]-400*x[1]+2)*v[0] - 400*x[0]*v[1]
			hv[1] = -400*x[0]*v[0] + 200*v[1]
		},
	}
}

// quadratic is f(x) = ½xᵀAx − bᵀx for a symmetric positive definite A; its
// minimizer solves Ax = b.
func quadratic(a *mat.SymDense, b []float64) problem {
	n := len(b)
	av := func(x, out []float64) {
		mat.NewVecDense(n, out).MulVec(a, mat.NewVecDense(n, x))
	}
	return problem{
		dim: n,
		funcGrad: func(x, g []float64) float64 {
			av(x, g)
			f := 0.0
			for i := range x {
				f += x[i] * (g[i]/2 - b[i])
				g[i] -= b[i]
			}
			return f
		},
		hvp:  func(_, v, hv []float64) { av(v, hv) },
		hess: func(_ []float64, h *mat.SymDense) { h.CopySym(a) },
	}
}

// extRosenbrock is the extended Rosenbrock function of Moré, Garbow and
// Hillstrom (problem 21), Rosenbrock on each pair (x[2i], x[2i+1]):
// Σ 100(x[2i+1] − x[2i]²)² + (1 − x[2i])², minimized at (1, …, 1). Its
// source in the expression language is extRosenbrockSrc.
func extRosenbrock() problem {
	return problem{
		funcGrad: func(x, g []float64) float64 {
			f := 0.0
			for i := 0; i+1 < len(x); i += 2 {
				a, b := x[i+1]-x[i]*x[i], 1-x[i]
				f += 100*a*a + b*b
				g[i] = -400*a*x[i] - 2*b
				g[i+1] = 200 * a
			}
			return f
		},
		hvp: func(x, v, hv []float64) {
			for i := 0; i+1 < len(x); i += 2 {
				hii := 1200*x[i]*x[i] - 400*x[i+1] + 2
				hij := -400 * x[i]
				hv[i] = hii*v[i] + hij*v[i+1]
				hv[i+1] = hij*v[i] + 200*v[i+1]
			}
		},
	}
}

const extRosenbrockSrc = "sum(100*(x[1::2] - x[::2]^2)^2 + (1 - x[::2])^2)"

// alternating returns the n-vector −1.2, 1.5, −1.2, 1.5, ….
func alternating(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = -1.2
		if i%2 == 1 {
			x[i] = 1.5
		}
	}
	return x
}

// minimizeP and maximizeP run Minimize and Maximize on a problem given by
// its parts, so that tests can leave some out.
func minimizeP(ctx context.Context, p problem, x0 []float64, m Method, s *Settings) (Result, error) {
	return minimize(ctx, p, x0, m, s, 1)
}

func maximizeP(ctx context.Context, p problem, x0 []float64, m Method, s *Settings) (Result, error) {
	return minimize(ctx, p, x0, m, s, -1)
}
