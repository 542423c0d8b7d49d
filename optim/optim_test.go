package optim

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/optimize/functions"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

func settings(change func(*Settings)) *Settings {
	s := DefaultSettings()
	if change != nil {
		change(s)
	}
	return s
}

// The textbook gradient ascent on f = −(x² + y²) + 4: each step is
// (x, y) ← (x, y) + 0.1·(−2x, −2y) = 0.8·(x, y).
func TestGradientAscentTextbook(t *testing.T) {
	f := expr.MustCompile("-(x^2 + y^2) + 4")
	res, err := maximizeP(context.Background(), problemOf(f), []float64{1, 1}, GradientDescent{LR: 0.1}, settings(func(s *Settings) {
		s.MaxIter, s.Trace = 10, true
	}))
	require.NoError(t, err)
	assert.Equal(t, IterationLimit, res.Status)
	assert.Equal(t, 10, res.Iterations)
	require.Len(t, res.Trajectory, 11)
	for k, st := range res.Trajectory {
		want := math.Pow(0.8, float64(k))
		assert.Equal(t, k, st.Iteration)
		assert.InDelta(t, want, st.X[0], 1e-15, "x at step %d", k)
		assert.InDelta(t, want, st.X[1], 1e-15, "y at step %d", k)
		assert.InDelta(t, 4-2*want*want, st.F, 1e-15, "f at step %d", k)
		assert.InDelta(t, 2*want, st.GradNorm, 1e-15, "‖∇f‖ at step %d", k)
	}
	assert.InDelta(t, 0.8*0.8*0.8, res.Trajectory[3].X[0], 1e-15) // 0.512
	assert.InDelta(t, 4-2*math.Pow(0.8, 20), res.F, 1e-15)
	assert.Equal(t, 11, res.FuncEvals)
}

func TestGradientDescentOneStep(t *testing.T) {
	f := expr.MustCompile("w1^2 + w2^2")
	res, err := minimizeP(context.Background(), problemOf(f), []float64{2, 1}, GradientDescent{LR: 0.25}, settings(func(s *Settings) {
		s.MaxIter = 1
	}))
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 0.5}, res.X)
	assert.Equal(t, 1.25, res.F)
}

// budget is what a method gets to reach a minimizer: its settings and how
// close it must come. The line-search and Newton methods must reach
// ‖∇f‖∞ ≤ 1e-6; the fixed-step ones run a stated number of iterations and
// must come within tol of the minimizer.
type budget struct {
	lr      float64
	maxIter int
	tol     float64 // on ‖x − x*‖∞
}

func TestRosenbrock(t *testing.T) {
	budgets := map[string]budget{
		"gd":        {1e-3, 40000, 1e-5},
		"gd-armijo": {1e-3, 20000, 1e-5},
		"momentum":  {1e-3, 4000, 1e-5},
		"nesterov":  {1e-3, 4000, 1e-5},
		"adagrad":   {0.5, 20000, 1e-3},
		"rmsprop":   {1e-4, 40000, 1e-3},
		"adam":      {1e-2, 6000, 1e-5},
	}
	for _, name := range MethodNames() {
		t.Run(name, func(t *testing.T) {
			b, fixed := budgets[name]
			m, err := NewMethod(name, Params{LR: b.lr})
			require.NoError(t, err)
			res, err := minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, m, settings(func(s *Settings) {
				if fixed {
					s.MaxIter = b.maxIter
				}
			}))
			require.NoError(t, err)
			tol := 1e-5
			if fixed {
				tol = b.tol
			}
			if !fixed || name != "adagrad" && name != "rmsprop" {
				assert.Equal(t, GradientTolerance, res.Status, res.Message)
				assert.LessOrEqual(t, res.GradNorm, 1e-6)
			}
			assert.InDelta(t, 1, res.X[0], tol)
			assert.InDelta(t, 1, res.X[1], tol)
			assert.Equal(t, res.FuncEvals, res.GradEvals)
		})
	}
}

// randomSPD returns a symmetric positive definite matrix with condition
// number about 10.
func randomSPD(rng *rand.Rand, n int) *mat.SymDense {
	q := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			q.Set(i, j, rng.NormFloat64())
		}
	}
	a := mat.NewSymDense(n, nil)
	a.SymOuterK(1, q)
	for i := range n {
		a.SetSym(i, i, a.At(i, i)+float64(n))
	}
	return a
}

func TestQuadratic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 6
	a := randomSPD(rng, n)
	b := make([]float64, n)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	var chol mat.Cholesky
	require.True(t, chol.Factorize(a))
	var xs mat.VecDense
	require.NoError(t, chol.SolveVecTo(&xs, mat.NewVecDense(n, b)))
	lmax := mat.Norm(a, 2)
	for _, name := range MethodNames() {
		t.Run(name, func(t *testing.T) {
			var p Params
			switch name {
			case "gd", "momentum", "nesterov":
				p.LR = 0.1 / lmax
			case "adagrad":
				p.LR = 1
			case "rmsprop", "adam":
				p.LR = 1e-3
			}
			m, err := NewMethod(name, p)
			require.NoError(t, err)
			res, err := minimizeP(context.Background(), quadratic(a, b), make([]float64, n), m, settings(func(s *Settings) {
				s.MaxIter = 20000
			}))
			require.NoError(t, err)
			tol := 1e-6
			switch name {
			case "rmsprop":
				tol = 1e-3 // its steps stay near η in size
			default:
				assert.Equal(t, GradientTolerance, res.Status, res.Message)
			}
			for i := range n {
				assert.InDelta(t, xs.AtVec(i), res.X[i], tol, "x[%d]", i)
			}
			if name == "newton" {
				assert.Equal(t, 1, res.Iterations, "Newton solves a quadratic in one step")
			}
			if name == "cg" || name == "newton-cg" {
				assert.LessOrEqual(t, res.Iterations, 2*n)
			}
		})
	}
}

// Near the minimizer Newton's error squares. On f(x) = eˣ − x, minimized at
// 0, a Newton step from x lands on x − 1 + e⁻ˣ = x²/2 − x³/6 + …, so
// e_{k+1}/e_k² → 1/2.
func TestNewtonQuadraticConvergence(t *testing.T) {
	p := problem{
		funcGrad: func(x, g []float64) float64 {
			g[0] = math.Exp(x[0]) - 1
			return math.Exp(x[0]) - x[0]
		},
		hess: func(x []float64, h *mat.SymDense) { h.SetSym(0, 0, math.Exp(x[0])) },
	}
	res, err := minimizeP(context.Background(), p, []float64{1}, Newton{}, settings(func(s *Settings) {
		s.Trace, s.GradTol = true, 1e-300
	}))
	require.NoError(t, err)
	checked := 0
	for k := 0; k+1 < len(res.Trajectory); k++ {
		e0, e1 := math.Abs(res.Trajectory[k].X[0]), math.Abs(res.Trajectory[k+1].X[0])
		// Below 1e-5, rounding in x − 1 + e⁻ˣ blurs the ratio.
		if e0 < 0.1 && e0 > 1e-5 {
			assert.InDelta(t, 0.5, e1/(e0*e0), e0/5+1e-5, "step %d: e = %.3g → %.3g", k, e0, e1)
			checked++
		}
	}
	assert.GreaterOrEqual(t, checked, 2)

	// On Rosenbrock, from starts where the Hessian is indefinite too, f
	// decreases at every step, and once close the error squares with the
	// constant ‖∇²f(x*)⁻¹‖·(Lipschitz constant of ∇²f) ≈ 10³.
	for _, x0 := range [][]float64{{-1.2, 1}, {0, 1}, {2, -1}} {
		res, err := minimizeP(context.Background(), rosenbrock(), x0, Newton{}, settings(func(s *Settings) {
			s.Trace, s.GradTol = true, 1e-12
		}))
		require.NoError(t, err)
		require.True(t, res.Status.Converged(), res.Message)
		var errs []float64
		for _, st := range res.Trajectory {
			errs = append(errs, math.Hypot(st.X[0]-1, st.X[1]-1))
		}
		checked := 0
		for k := 0; k+1 < len(errs); k++ {
			if errs[k] < 1e-3 && errs[k+1] > 0 {
				assert.LessOrEqual(t, errs[k+1], 1e3*errs[k]*errs[k], "from %v, step %d: e = %.3g → %.3g", x0, k, errs[k], errs[k+1])
				checked++
			}
		}
		assert.GreaterOrEqual(t, checked, 2, "from %v: %v", x0, errs)
		for k := 1; k < len(res.Trajectory); k++ {
			assert.Less(t, res.Trajectory[k].F, res.Trajectory[k-1].F, "from %v, step %d", x0, k)
		}
	}
}

type gonumFunc interface {
	Func(x []float64) float64
	Grad(grad, x []float64)
}

func fromGonum(f gonumFunc) problem {
	return problem{
		funcGrad: func(x, g []float64) float64 { f.Grad(g, x); return f.Func(x) },
	}
}

var gonumProblems = []struct {
	name string
	f    gonumFunc
	x0   []float64
}{
	{"rosenbrock", functions.ExtendedRosenbrock{}, []float64{-1.2, 1}},
	{"rosenbrock8", functions.ExtendedRosenbrock{}, []float64{-1.2, 1, -1.2, 1, -1.2, 1, -1.2, 1}},
	{"wood", functions.Wood{}, []float64{-3, -1, -3, -1}},
	{"powell-badly-scaled", functions.PowellBadlyScaled{}, []float64{0, 1}},
	{"helical-valley", functions.HelicalValley{}, []float64{-1, 0, 0}},
	{"watson", functions.Watson{}, make([]float64, 6)},
	{"beale", functions.Beale{}, []float64{1, 1}},
	{"trigonometric", functions.Trigonometric{}, []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}},
}

// BFGS and L-BFGS find the same minima as gonum's, with at most 1.5 times
// its evaluations.
func TestAgreesWithGonum(t *testing.T) {
	for _, pr := range gonumProblems {
		for _, m := range []Method{BFGS{}, LBFGS{}} {
			t.Run(pr.name+"/"+m.String(), func(t *testing.T) {
				p := fromGonum(pr.f)
				res, err := minimizeP(context.Background(), p, pr.x0, m, nil)
				require.NoError(t, err)
				require.Equal(t, GradientTolerance, res.Status, res.Message)
				var gm optimize.Method = &optimize.BFGS{}
				if _, ok := m.(LBFGS); ok {
					gm = &optimize.LBFGS{}
				}
				want, err := optimize.Minimize(p.gonum(), pr.x0, &optimize.Settings{
					GradientThreshold: 1e-6, Converger: optimize.NeverTerminate{}, MajorIterations: 10000,
				}, gm)
				require.NoError(t, err)
				require.Equal(t, optimize.GradientThreshold, want.Status)
				assert.InDelta(t, want.F, res.F, 1e-8*math.Max(1, math.Abs(want.F)))
				assert.LessOrEqual(t, float64(res.FuncEvals), 1.5*float64(want.FuncEvaluations))
				assert.LessOrEqual(t, float64(res.GradEvals), 1.5*float64(want.GradEvaluations))
			})
		}
	}
}

// Every step of the line-search methods satisfies the strong Wolfe
// conditions, checked from the trajectory with s = xₖ₊₁ − xₖ (the
// conditions do not depend on how s splits into αd).
func TestStrongWolfe(t *testing.T) {
	c1, c2 := defaultArmijo, defaultCurvature
	for _, pr := range append(gonumProblems, struct {
		name string
		f    gonumFunc
		x0   []float64
	}{"rosenbrock-far", functions.ExtendedRosenbrock{}, []float64{-5, 12, 3}}) {
		for _, m := range []Method{CG{}, BFGS{}, LBFGS{}, NewtonCG{}, Newton{}} {
			p := fromGonum(pr.f)
			p.hvp = func(x, v, hv []float64) {
				h := mat.NewSymDense(len(x), nil)
				pr.f.(interface {
					Hess(*mat.SymDense, []float64)
				}).Hess(h, x)
				mat.NewVecDense(len(hv), hv).MulVec(h, mat.NewVecDense(len(v), v))
			}
			if _, ok := pr.f.(interface {
				Hess(*mat.SymDense, []float64)
			}); !ok && (m == (Newton{}) || m == (NewtonCG{})) {
				continue
			}
			t.Run(pr.name+"/"+m.String(), func(t *testing.T) {
				res, err := minimizeP(context.Background(), p, pr.x0, m, settings(func(s *Settings) { s.Trace = true }))
				require.NoError(t, err)
				require.Greater(t, res.Iterations, 1, res.Message)
				curv := c2
				if m == (CG{}) {
					curv = 0.1
				}
				n := len(pr.x0)
				g0, g1, s := make([]float64, n), make([]float64, n), make([]float64, n)
				for k := 0; k+1 < len(res.Trajectory); k++ {
					a, b := res.Trajectory[k], res.Trajectory[k+1]
					p.funcGrad(a.X, g0)
					p.funcGrad(b.X, g1)
					floats.SubTo(s, b.X, a.X)
					slope0, slope1 := floats.Dot(g0, s), floats.Dot(g1, s)
					require.Less(t, slope0, 0.0, "step %d is not downhill", k)
					slack := 1e-12 * (math.Abs(a.F) + math.Abs(slope0))
					assert.LessOrEqual(t, b.F, a.F+c1*slope0+slack, "step %d: sufficient decrease", k)
					assert.LessOrEqual(t, math.Abs(slope1), curv*math.Abs(slope0)+slack, "step %d: curvature", k)
				}
			})
		}
	}
}

func TestMaximize(t *testing.T) {
	f := expr.MustCompile("5 - (x - 3)^2 - 2*(y + 1)^2")
	for _, name := range []string{"gd", "gd-armijo", "momentum", "adam", "cg", "bfgs", "lbfgs", "newton", "newton-cg"} {
		t.Run(name, func(t *testing.T) {
			m, err := NewMethod(name, Params{LR: 0.1})
			require.NoError(t, err)
			res, err := maximizeP(context.Background(), problemOf(f), []float64{0, 0}, m, nil)
			require.NoError(t, err)
			require.Equal(t, GradientTolerance, res.Status, res.Message)
			assert.InDelta(t, 3, res.X[0], 1e-6)
			assert.InDelta(t, -1, res.X[1], 1e-6)
			assert.InDelta(t, 5, res.F, 1e-12)
		})
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	logf := expr.MustCompile("log(x) + x^2")
	firstOrderOnly := rosenbrock()
	firstOrderOnly.hess, firstOrderOnly.hvp = nil, nil
	tests := []struct {
		name   string
		p      problem
		x0     []float64
		m      Method
		change func(*Settings)
		status Status
		msg    string // in the message
		x      []float64
	}{
		{"nan start", rosenbrock(), []float64{math.NaN(), 1}, LBFGS{}, nil, NonFinite, "x[0] = NaN", []float64{math.NaN(), 1}},
		{"inf start", rosenbrock(), []float64{1, math.Inf(1)}, GradientDescent{}, nil, NonFinite, "x[1] = +Inf", []float64{1, math.Inf(1)}},
		{"non-finite f at start", problemOf(logf), []float64{-1}, BFGS{}, nil, NonFinite, "log", []float64{-1}},
		{"infinite learning rate", rosenbrock(), []float64{-1.2, 1}, GradientDescent{LR: math.Inf(1)}, nil, InvalidInput, "positive learning rate", []float64{-1.2, 1}},
		{"negative learning rate", rosenbrock(), []float64{-1.2, 1}, Adam{LR: -1}, nil, InvalidInput, "positive learning rate", []float64{-1.2, 1}},
		{"NaN learning rate", rosenbrock(), []float64{-1.2, 1}, Momentum{LR: math.NaN()}, nil, InvalidInput, "positive learning rate", []float64{-1.2, 1}},
		{"negative first step", rosenbrock(), []float64{-1.2, 1}, GradientDescentArmijo{LR: -1}, nil, InvalidInput, "positive learning rate", []float64{-1.2, 1}},
		{"wrong length", rosenbrock(), []float64{1, 2, 3}, BFGS{}, nil, InvalidInput, "3 elements", []float64{1, 2, 3}},
		{"empty", rosenbrock(), nil, BFGS{}, nil, InvalidInput, "empty", nil},
		{"no method", rosenbrock(), []float64{1, 2}, nil, nil, InvalidInput, "no method", []float64{1, 2}},
		{"no function", problem{}, []float64{1}, GradientDescent{}, nil, InvalidInput, "no function to minimize", []float64{1}},
		{"newton without Hessian", firstOrderOnly, []float64{1, 1}, Newton{}, nil, InvalidInput, "method newton needs Hessians", []float64{1, 1}},
		{"newton-cg without HVP", firstOrderOnly, []float64{1, 1}, NewtonCG{}, nil, InvalidInput, "needs Hessian-vector products", []float64{1, 1}},
		{"unbounded below", problemOf(logf), []float64{1}, Newton{}, nil, Unbounded, "unbounded below", nil},
		{"bad momentum", rosenbrock(), []float64{1, 2}, Momentum{Beta: 1}, nil, InvalidInput, "Momentum.Beta must be in (0, 1), got 1", []float64{1, 2}},
		{"bad nesterov", rosenbrock(), []float64{1, 2}, Nesterov{Beta: -0.5}, nil, InvalidInput, "Nesterov.Beta must be in (0, 1), got -0.5", []float64{1, 2}},
		{"bad adagrad eps", rosenbrock(), []float64{1, 2}, AdaGrad{Eps: -1}, nil, InvalidInput, "AdaGrad.Eps must be positive", []float64{1, 2}},
		{"bad rmsprop decay", rosenbrock(), []float64{1, 2}, RMSProp{Decay: 1}, nil, InvalidInput, "RMSProp.Decay must be in (0, 1)", []float64{1, 2}},
		{"bad adam beta1", rosenbrock(), []float64{1, 2}, Adam{Beta1: 1.5}, nil, InvalidInput, "Adam.Beta1 must be in (0, 1)", []float64{1, 2}},
		{"bad adam beta2", rosenbrock(), []float64{1, 2}, Adam{Beta2: math.NaN()}, nil, InvalidInput, "Adam.Beta2 must be in (0, 1)", []float64{1, 2}},
		{"bad adam eps", rosenbrock(), []float64{1, 2}, Adam{Eps: math.Inf(1)}, nil, InvalidInput, "Adam.Eps must be positive", []float64{1, 2}},
		{"bad memory", rosenbrock(), []float64{1, 2}, LBFGS{Memory: -1}, nil, InvalidInput, "Memory", []float64{1, 2}},
		{"bad curvature", rosenbrock(), []float64{1, 2}, BFGS{LineSearch: StrongWolfe{Curvature: 1e-5}}, nil, InvalidInput, "curvature", []float64{1, 2}},
		{"bad armijo", rosenbrock(), []float64{1, 2}, GradientDescentArmijo{Armijo: 0.5}, nil, InvalidInput, "GradientDescentArmijo.Armijo must be in (0, 1/2)", []float64{1, 2}},
		{"bad line search budget", rosenbrock(), []float64{1, 2}, CG{LineSearch: StrongWolfe{MaxEvals: -1}}, nil, InvalidInput, "CG.LineSearch.MaxEvals must be positive", []float64{1, 2}},
		{"negative tolerance", rosenbrock(), []float64{1, 2}, BFGS{}, func(s *Settings) { s.GradTol = -1 }, InvalidInput, "GradTol", []float64{1, 2}},
		{"dense too large", problem{funcGrad: func(x, g []float64) float64 { return 0 }}, make([]float64, maxDenseDim+1), BFGS{}, nil, InvalidInput, "use lbfgs", nil},
		{"newton-cg dense too large", problem{funcGrad: rosenbrock().funcGrad, hess: rosenbrock().hess}, make([]float64, maxDenseDim+1), NewtonCG{}, nil, InvalidInput, "it needs them", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := minimizeP(ctx, tt.p, tt.x0, tt.m, settings(tt.change))
			assert.Equal(t, tt.status, res.Status)
			assert.Contains(t, res.Message, tt.msg)
			if tt.status == InvalidInput {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.msg)
			} else {
				assert.NoError(t, err)
			}
			if tt.x != nil {
				assert.Equal(t, len(tt.x), len(res.X))
				for i := range tt.x {
					assert.True(t, tt.x[i] == res.X[i] || math.IsNaN(tt.x[i]) && math.IsNaN(res.X[i]), "X = %v", res.X)
				}
			}
		})
	}
}

// A NaN met during the run ends it with the engine's explanation, and the
// result is the best point visited.
func TestNonFiniteMidRun(t *testing.T) {
	f := expr.MustCompile("sqrt(x) + (x - 2)^2")
	// From x = 1 the gradient is 1/2 − 2 = −1.5; a step of η = 3 jumps
	// to x = 5.5, then to 5.5 − 3·(0.21 + 7) < 0, where sqrt is NaN.
	res, err := minimizeP(context.Background(), problemOf(f), []float64{1}, GradientDescent{LR: 3}, nil)
	require.NoError(t, err)
	assert.Equal(t, NonFinite, res.Status)
	assert.Contains(t, res.Message, "iteration 2")
	assert.Contains(t, res.Message, "sqrt")
	var nf *ad.NonFiniteError
	require.True(t, errors.As(res.Err, &nf), "Err = %v", res.Err)
	assert.Equal(t, []float64{1}, res.X, "x = 1 is better than x = 5.5")
	assert.Equal(t, 2.0, res.F)
	assert.Equal(t, 2, res.Iterations)
}

// The line-search methods treat a trial step where f is NaN as too long,
// and go on from the last good point. On f = x − log x from x = 3, the
// Newton step −f′/f″ = −6 lands on x = −3.
func TestLineSearchStepsBackFromNaN(t *testing.T) {
	f := expr.MustCompile("x - log(x)")
	for _, m := range []Method{GradientDescentArmijo{LR: 10}, CG{}, BFGS{}, LBFGS{}, Newton{}, NewtonCG{}} {
		p := problemOf(f)
		nans, fg := 0, p.funcGrad
		p.funcGrad = func(x, g []float64) float64 {
			v := fg(x, g)
			if math.IsNaN(v) {
				nans++
			}
			return v
		}
		res, err := minimizeP(context.Background(), p, []float64{3}, m, nil)
		require.NoError(t, err)
		require.Equal(t, GradientTolerance, res.Status, "%s: %s", m, res.Message)
		assert.InDelta(t, 1, res.X[0], 1e-6, "%s", m)
		if m == (Newton{}) || m == (GradientDescentArmijo{LR: 10}) {
			assert.Positive(t, nans, "%s never tried x < 0", m)
		}
	}
}

func TestUnbounded(t *testing.T) {
	for _, tt := range []struct {
		src string
		m   Method
	}{
		{"x^2 + y^2", GradientDescent{LR: 0.1}},
		{"x^2 + y^2", LBFGS{}},
		{"x + y", BFGS{}},
		{"x + y", CG{}},
		{"x^2 - y", GradientDescentArmijo{LR: 0.1}},
	} {
		t.Run(tt.src+"/"+tt.m.String(), func(t *testing.T) {
			res, err := maximizeP(context.Background(), problemOf(expr.MustCompile(tt.src)), []float64{1, 1}, tt.m, nil)
			require.NoError(t, err)
			assert.Equal(t, Unbounded, res.Status, res.Message)
			assert.Contains(t, res.Message, "unbounded above")
			assert.True(t, isFinite(res.F) && res.F > 1e10, "F = %v", res.F)
		})
	}
}

func TestCallbackAndCancel(t *testing.T) {
	var seen []int
	res, err := minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, LBFGS{}, settings(func(s *Settings) {
		s.Callback = func(st Step) bool {
			seen = append(seen, st.Iteration)
			return st.Iteration < 3
		}
	}))
	require.NoError(t, err)
	assert.Equal(t, Stopped, res.Status)
	assert.Equal(t, []int{0, 1, 2, 3}, seen)
	assert.Equal(t, 3, res.Iterations)

	ctx, cancel := context.WithCancel(context.Background())
	res, err = minimizeP(ctx, rosenbrock(), []float64{-1.2, 1}, GradientDescent{}, settings(func(s *Settings) {
		s.MaxIter = 0
		s.Callback = func(st Step) bool {
			if st.Iteration == 5 {
				cancel()
			}
			return true
		}
	}))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, Canceled, res.Status)
	assert.Equal(t, 5, res.Iterations)
	assert.Len(t, res.X, 2)
}

func TestLimitsAndTolerances(t *testing.T) {
	ctx, x0 := context.Background(), []float64{-1.2, 1}
	res, _ := minimizeP(ctx, rosenbrock(), x0, LBFGS{}, settings(func(s *Settings) { s.MaxEvals = 10 }))
	assert.Equal(t, EvaluationLimit, res.Status)
	assert.GreaterOrEqual(t, res.FuncEvals, 10)
	res, _ = minimizeP(ctx, rosenbrock(), x0, GradientDescent{}, settings(func(s *Settings) { s.MaxIter, s.MaxTime = 0, time.Millisecond }))
	assert.Equal(t, TimeLimit, res.Status)
	res, _ = minimizeP(ctx, rosenbrock(), x0, BFGS{}, settings(func(s *Settings) { s.GradTol, s.FuncTol = 0, 1e-3 }))
	assert.Equal(t, FunctionChange, res.Status)
	assert.Less(t, res.F, 24.2) // f(x0)
	res, _ = minimizeP(ctx, rosenbrock(), x0, GradientDescent{}, settings(func(s *Settings) { s.GradTol, s.StepTol = 0, 1e-4 }))
	assert.Equal(t, StepTolerance, res.Status)
	// Already at the minimizer: no iterations.
	res, _ = minimizeP(ctx, rosenbrock(), []float64{1, 1}, Newton{}, nil)
	assert.Equal(t, GradientTolerance, res.Status)
	assert.Equal(t, 0, res.Iterations)
}

func TestResultJSON(t *testing.T) {
	res, err := minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, LBFGS{}, settings(func(s *Settings) { s.Trace = true }))
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	for _, key := range []string{"x", "f", "gradient_norm", "status", "message", "iterations", "evaluations", "gradient_evaluations", "time_seconds", "trajectory", "method"} {
		assert.Contains(t, got, key)
	}
	assert.Equal(t, "gradient-tolerance", got["status"])
	assert.Equal(t, "lbfgs", got["method"])
	assert.Equal(t, float64(res.FuncEvals), got["evaluations"])
	assert.Len(t, got["trajectory"], res.Iterations+1)
	assert.NotContains(t, got, "Err")

	res, _ = minimizeP(context.Background(), rosenbrock(), []float64{math.NaN(), 1}, LBFGS{}, nil)
	b, err = json.Marshal(res)
	require.NoError(t, err, "NaN must not break the encoding")
	assert.True(t, strings.Contains(string(b), `"x":[null,1]`), string(b))

	var s Status
	require.NoError(t, s.UnmarshalText([]byte("line-search-failure")))
	assert.Equal(t, LineSearchFailure, s)
	assert.Error(t, s.UnmarshalText([]byte("done")))
}

func TestGonumProblem(t *testing.T) {
	// gonum's Newton runs on the exact Hessian, here built from HVPs.
	p := rosenbrock()
	p.hess = nil
	q := p.gonum()
	want := mat.NewSymDense(2, nil)
	rosenbrock().hess([]float64{0.3, -0.7}, want)
	got := mat.NewSymDense(2, nil)
	q.Hess(got, []float64{0.3, -0.7})
	assert.True(t, mat.EqualApprox(want, got, 1e-12))
	res, err := optimize.Minimize(q, []float64{-1.2, 1}, &optimize.Settings{GradientThreshold: 1e-10}, &optimize.Newton{})
	require.NoError(t, err)
	assert.InDelta(t, 1, res.X[0], 1e-8)
	assert.InDelta(t, 1, res.X[1], 1e-8)

	// FuncGrad alone gives gonum both Func and Grad.
	p = problem{funcGrad: rosenbrock().funcGrad}
	q = p.gonum()
	assert.InDelta(t, 24.2, q.Func([]float64{-1.2, 1}), 1e-14)
	assert.Nil(t, q.Hess)
}

// Newton and Newton-CG use whichever second derivative the problem has.
func TestSecondDerivativeFallbacks(t *testing.T) {
	withHVP, withHess := rosenbrock(), rosenbrock()
	withHVP.hess, withHess.hvp = nil, nil
	for _, tt := range []struct {
		name string
		p    problem
		m    Method
	}{
		{"newton from HVPs", withHVP, Newton{}},
		{"newton-cg from the Hessian", withHess, NewtonCG{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := minimizeP(context.Background(), tt.p, []float64{-1.2, 1}, tt.m, nil)
			require.NoError(t, err)
			assert.Equal(t, GradientTolerance, res.Status)
			assert.InDelta(t, 1, res.X[0], 1e-6)
			if tt.m == (Newton{}) {
				assert.Equal(t, 0, res.HessEvals)
				assert.Equal(t, 2*res.Iterations, res.HVPEvals, "one Hessian, of two products, per iteration")
			} else {
				assert.Equal(t, 0, res.HVPEvals)
				assert.Positive(t, res.HessEvals)
			}
		})
	}
}

// L-BFGS and Newton-CG take about as many iterations on extended Rosenbrock
// whatever n, and the compiled expression gives the same path as the
// hand-written gradient.
func TestExtendedRosenbrockLarge(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 1000
	}
	f, err := expr.Compile(extRosenbrockSrc, &expr.Options{Sizes: map[string]int{"x": n}})
	require.NoError(t, err)
	fromExpr := problemOf(f)
	small := map[Method]int{}
	for _, m := range []Method{LBFGS{}, NewtonCG{}} {
		res, err := minimizeP(context.Background(), extRosenbrock(), alternating(10), m, nil)
		require.NoError(t, err)
		small[m] = res.Iterations
	}
	for _, p := range []problem{extRosenbrock(), fromExpr} {
		for _, m := range []Method{LBFGS{}, NewtonCG{}} {
			res, err := minimizeP(context.Background(), p, alternating(n), m, nil)
			require.NoError(t, err)
			require.Equal(t, GradientTolerance, res.Status, res.Message)
			// ‖∇f‖∞ ≤ 1e-6 leaves each pair within about 1e-13 of 0.
			assert.Less(t, res.F, float64(n)*1e-12)
			// Rounding in sums over n elements may change a step or two.
			assert.InDelta(t, small[m], res.Iterations, 0.25*float64(small[m]), "%s: n = %d against n = 10", m, n)
		}
	}
}

// The compiled expression's derivatives drive every method, and agree with
// the closed forms.
func TestAdFunc(t *testing.T) {
	f, err := expr.Compile("100*(y - x^2)^2 + (1 - x)^2", &expr.Options{Vars: []string{"x", "y"}})
	require.NoError(t, err)
	p, want := problemOf(f), rosenbrock()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		x := []float64{rng.NormFloat64(), rng.NormFloat64()}
		v := []float64{rng.NormFloat64(), rng.NormFloat64()}
		g, gw := make([]float64, 2), make([]float64, 2)
		assert.InDelta(t, want.funcGrad(x, gw), p.funcGrad(x, g), 1e-9)
		assert.InDeltaSlice(t, gw, g, 1e-9)
		want.hvp(x, v, gw)
		p.hvp(x, v, g)
		assert.InDeltaSlice(t, gw, g, 1e-9)
		h, hw := mat.NewSymDense(2, nil), mat.NewSymDense(2, nil)
		want.hess(x, hw)
		p.hess(x, h)
		assert.True(t, mat.EqualApprox(hw, h, 1e-9))
	}
	for _, m := range []Method{Newton{}, NewtonCG{}, LBFGS{}} {
		res, err := minimizeP(context.Background(), p, []float64{-1.2, 1}, m, nil)
		require.NoError(t, err)
		require.Equal(t, GradientTolerance, res.Status, res.Message)
		ref, err := minimizeP(context.Background(), want, []float64{-1.2, 1}, m, nil)
		require.NoError(t, err)
		assert.Equal(t, ref.Iterations, res.Iterations, "%s takes the same path on either", m)
		assert.InDeltaSlice(t, ref.X, res.X, 1e-9)
	}
	big := expr.MustCompile("sum(x^2)")
	q := problemOf(big)
	assert.Equal(t, 1, q.dim)
	q = problemOf(mustCompileSized(t, "sum(x^2)", ad.MaxDenseHessian+1))
	assert.Nil(t, q.hess, "no dense Hessian beyond ad.MaxDenseHessian")
	assert.NotNil(t, q.hvp)
}

func mustCompileSized(t *testing.T, src string, n int) *expr.Func {
	f, err := expr.Compile(src, &expr.Options{Sizes: map[string]int{"x": n}})
	require.NoError(t, err)
	return f
}

// A Go function plugs in as a GradFunc: first-order and quasi-Newton
// methods run on it, and the Newton methods, which need what it lacks, say
// so.
func TestGradFunc(t *testing.T) {
	f := GradFunc(rosenbrock().funcGrad)
	res, err := Minimize(context.Background(), f, []float64{-1.2, 1}, LBFGS{}, nil)
	require.NoError(t, err)
	assert.Equal(t, GradientTolerance, res.Status)
	assert.InDeltaSlice(t, []float64{1, 1}, res.X, 1e-6)
	_, err = Minimize(context.Background(), f, []float64{-1.2, 1}, Newton{}, nil)
	assert.ErrorContains(t, err, "needs Hessians")
	_, err = Minimize(context.Background(), nil, []float64{1}, LBFGS{}, nil)
	assert.ErrorContains(t, err, "no function to minimize")
}
