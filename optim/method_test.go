package optim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/nabla-ad/nabla/expr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// The first steps of the methods on w1² + w2² (∇f = 2w), where they are
// known in closed form. A negligible Eps makes the adaptive steps exact.
func TestFirstSteps(t *testing.T) {
	p := problemOf(expr.MustCompile("w1^2 + w2^2"))
	tests := []struct {
		name  string
		m     Method
		x0    []float64
		steps int
		want  []float64
		tol   float64 // 0 for exact
	}{
		// w ← w − η∇f = (2, 1) − 0.25·(4, 2).
		{"gd", GradientDescent{LR: 0.25}, []float64{2, 1}, 1, []float64{1, 0.5}, 0},
		// The first trial step, η, decreases f enough.
		{"gd-armijo", GradientDescentArmijo{LR: 0.25}, []float64{2, 1}, 1, []float64{1, 0.5}, 0},
		// v = (4, 2) moves to (1, 0.5); v = 0.5·(4, 2) + (2, 1) = (4, 2)
		// moves to 0.
		{"momentum", Momentum{LR: 0.25, Beta: 0.5}, []float64{2, 1}, 2, []float64{0, 0}, 0},
		// (2, 1) − 0.25·((4, 2) + 0.5·(4, 2)).
		{"nesterov", Nesterov{LR: 0.25, Beta: 0.5}, []float64{2, 1}, 1, []float64{0.5, 0.25}, 0},
		// √w = |∇f|: a step of η against the sign.
		{"adagrad", AdaGrad{LR: 0.25, Eps: 1e-300}, []float64{2, -1}, 1, []float64{1.75, -0.75}, 0},
		// √w = √(1 − 0.75)·|∇f| = |∇f|/2: a step of 2η.
		{"rmsprop", RMSProp{LR: 0.25, Decay: 0.75, Eps: 1e-300}, []float64{2, 1}, 1, []float64{1.5, 0.5}, 0},
		// The corrected moments are ∇f and ∇f²: a step of η, whatever β.
		{"adam", Adam{LR: 0.25, Eps: 1e-300}, []float64{2, -1}, 1, []float64{1.75, -0.75}, 0},
		{"adam betas", Adam{LR: 0.25, Beta1: 0.5, Beta2: 0.75, Eps: 1e-300}, []float64{2, -1}, 1, []float64{1.75, -0.75}, 0},
		// The second step by hand: v = 0.5·2 + 0.5·3.5, w = 0.75·4 +
		// 0.25·3.5², x = 1.75 − 0.25·(v/0.75)/√(w/0.4375).
		{"adam second step", Adam{LR: 0.25, Beta1: 0.5, Beta2: 0.75, Eps: 1e-300}, []float64{2, 0}, 2, []float64{1.5037509339712214, 0}, 0},
		// Newton's step −H⁻¹∇f = −(2, 1) solves the quadratic, up to the
		// rounding of the solve.
		{"newton", Newton{}, []float64{2, 1}, 1, []float64{0, 0}, 1e-15},
		// CG on 2I converges in one iteration, to the Newton step.
		{"newton-cg", NewtonCG{}, []float64{2, 1}, 1, []float64{0, 0}, 1e-15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := minimizeP(context.Background(), p, tt.x0, tt.m, settings(func(s *Settings) {
				s.MaxIter, s.Trace = tt.steps, true
			}))
			require.NoError(t, err)
			require.Len(t, res.Trajectory, tt.steps+1, res.Message)
			if tt.tol == 0 {
				assert.Equal(t, tt.want, res.Trajectory[tt.steps].X)
			} else {
				assert.InDeltaSlice(t, tt.want, res.Trajectory[tt.steps].X, tt.tol)
			}
		})
	}

	// With the default ε, Adam's first step is η = 10⁻³ up to ε/|∇f|.
	res, err := minimizeP(context.Background(), p, []float64{2, -1}, Adam{}, settings(func(s *Settings) { s.MaxIter = 1 }))
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{2 - 1e-3, -1 + 1e-3}, res.X, 1e-11)
}

// A zero parameter is the documented default, and a parameter that is set
// is used.
func TestZeroMeansDefault(t *testing.T) {
	wolfe := func(c2 float64) StrongWolfe { return StrongWolfe{Armijo: 1e-4, Curvature: c2, MaxEvals: 40} }
	tests := []struct {
		zero, explicit, other Method
	}{
		{GradientDescent{}, GradientDescent{LR: 1e-3}, GradientDescent{LR: 2e-3}},
		{GradientDescentArmijo{}, GradientDescentArmijo{LR: 1e-3, Armijo: 1e-4, MaxEvals: 40}, GradientDescentArmijo{Armijo: 0.4}},
		{Momentum{}, Momentum{LR: 1e-3, Beta: 0.9}, Momentum{Beta: 0.5}},
		{Nesterov{}, Nesterov{LR: 1e-3, Beta: 0.9}, Nesterov{Beta: 0.5}},
		{AdaGrad{}, AdaGrad{LR: 1e-3, Eps: 1e-8}, AdaGrad{Eps: 1}},
		{RMSProp{}, RMSProp{LR: 1e-3, Decay: 0.999, Eps: 1e-8}, RMSProp{Decay: 0.9}},
		{Adam{}, Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, Adam{Beta1: 0.5}},
		{CG{}, CG{LineSearch: wolfe(0.1)}, CG{LineSearch: StrongWolfe{Curvature: 0.9}}},
		{BFGS{}, BFGS{LineSearch: wolfe(0.9)}, BFGS{LineSearch: StrongWolfe{Curvature: 0.1}}},
		{LBFGS{}, LBFGS{Memory: 10, LineSearch: wolfe(0.9)}, LBFGS{Memory: 1}},
		{Newton{}, Newton{LineSearch: wolfe(0.9)}, Newton{LineSearch: StrongWolfe{MaxEvals: 1}}},
		{NewtonCG{}, NewtonCG{LineSearch: wolfe(0.9)}, NewtonCG{LineSearch: StrongWolfe{Curvature: 0.01}}},
	}
	s := settings(func(s *Settings) { s.MaxIter = 300 })
	for _, tt := range tests {
		t.Run(tt.zero.String(), func(t *testing.T) {
			var res [3]Result
			for i, m := range []Method{tt.zero, tt.explicit, tt.other} {
				var err error
				res[i], err = minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, m, s)
				require.NoError(t, err)
			}
			assert.Equal(t, res[0].X, res[1].X)
			assert.Equal(t, res[0].FuncEvals, res[1].FuncEvals)
			assert.NotEqual(t, res[0].X, res[2].X, "%#v is the default", tt.other)
		})
	}
}

func TestNewMethod(t *testing.T) {
	p := Params{LR: 0.1, Beta: 0.2, Beta1: 0.3, Beta2: 0.4, Eps: 1e-4, Memory: 5}
	tests := []struct {
		name      string
		want      Method
		fixedStep bool
	}{
		{"gd", GradientDescent{LR: 0.1}, true},
		{"gd-armijo", GradientDescentArmijo{LR: 0.1}, false},
		{"momentum", Momentum{LR: 0.1, Beta: 0.2}, true},
		{"nesterov", Nesterov{LR: 0.1, Beta: 0.2}, true},
		{"adagrad", AdaGrad{LR: 0.1, Eps: 1e-4}, true},
		{"rmsprop", RMSProp{LR: 0.1, Decay: 0.4, Eps: 1e-4}, true},
		{"adam", Adam{LR: 0.1, Beta1: 0.3, Beta2: 0.4, Eps: 1e-4}, true},
		{"cg", CG{}, false},
		{"bfgs", BFGS{}, false},
		{"lbfgs", LBFGS{Memory: 5}, false},
		{"newton", Newton{}, false},
		{"newton-cg", NewtonCG{}, false},
	}
	var names []string
	for _, tt := range tests {
		names = append(names, tt.name)
		m, err := NewMethod(tt.name, p)
		require.NoError(t, err)
		assert.Equal(t, tt.want, m)
		assert.Equal(t, tt.name, m.String())
		assert.Equal(t, tt.fixedStep, FixedStep(tt.name), tt.name)
		// Minimize keeps the best point of exactly the fixed-step methods.
		it, err := m.Init(2, Available{HVP: true, Hess: true})
		require.NoError(t, err)
		_, descends := it.(descender)
		assert.Equal(t, !tt.fixedStep, descends, tt.name)

		// DefaultParams are the defaults of the methods' zero values.
		def, err := NewMethod(tt.name, DefaultParams())
		require.NoError(t, err)
		zero, err := NewMethod(tt.name, Params{})
		require.NoError(t, err)
		s := settings(func(s *Settings) { s.MaxIter = 50 })
		a, err := minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, def, s)
		require.NoError(t, err)
		b, err := minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, zero, s)
		require.NoError(t, err)
		assert.Equal(t, a.X, b.X, tt.name)
	}
	assert.Equal(t, names, MethodNames())

	_, err := NewMethod("simplex", p)
	assert.ErrorContains(t, err, `unknown method "simplex"`)
	assert.ErrorContains(t, err, "want one of gd, gd-armijo")
	assert.False(t, FixedStep("simplex"))
}

// L-BFGS keeps only the pairs a run makes, so a huge Memory is a memory as
// long as the run.
func TestLBFGSLargeMemory(t *testing.T) {
	huge, err := minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, LBFGS{Memory: math.MaxInt}, nil)
	require.NoError(t, err)
	long, err := minimizeP(context.Background(), rosenbrock(), []float64{-1.2, 1}, LBFGS{Memory: 1000}, nil)
	require.NoError(t, err)
	require.Equal(t, GradientTolerance, huge.Status, huge.Message)
	assert.Equal(t, long.X, huge.X)
	assert.Equal(t, long.Iterations, huge.Iterations)
}

// signDescent is a Method of the kind a user of the package writes: it
// moves each component by step against the sign of its derivative, so f
// may increase, and it fails on purpose with err at iteration failAt.
type signDescent struct {
	step   float64
	failAt int
	err    error
}

func (signDescent) String() string { return "sign-descent" }

func (m signDescent) Init(dim int, has Available) (Iterator, error) {
	if !(m.step > 0) {
		return nil, errors.New("the step must be positive")
	}
	return &signRun{m: m}, nil
}

type signRun struct {
	m signDescent
	k int
}

func (r *signRun) Iterate(loc *Location, e *Evaluator) error {
	if r.k++; r.k == r.m.failAt {
		return r.m.err
	}
	for i, g := range loc.Grad {
		loc.X[i] -= math.Copysign(r.m.step, g)
	}
	loc.F = e.FuncGrad(loc.X, loc.Grad)
	return nil
}

// noIterator is a Method with a bug: it starts no run.
type noIterator struct{}

func (noIterator) String() string                        { return "no-iterator" }
func (noIterator) Init(int, Available) (Iterator, error) { return nil, nil }

func TestCustomMethod(t *testing.T) {
	ctx, p := context.Background(), problemOf(expr.MustCompile("x^2"))
	fourSteps := settings(func(s *Settings) { s.MaxIter = 4 })

	// 1 → 0.25 → −0.5 → 0.25 → −0.5: the result is the best point seen,
	// found at iteration 1.
	res, err := minimizeP(ctx, p, []float64{1}, signDescent{step: 0.75}, fourSteps)
	require.NoError(t, err)
	assert.Equal(t, IterationLimit, res.Status)
	assert.Equal(t, "sign-descent", res.Method)
	assert.Equal(t, []float64{0.25}, res.X)
	assert.Equal(t, 0.0625, res.F)
	assert.Equal(t, 0.5, res.GradNorm)
	assert.Equal(t, 4, res.Iterations)
	assert.Equal(t, 5, res.FuncEvals)

	// Maximizing −x² takes the same path; F is f itself.
	res, err = maximizeP(ctx, problemOf(expr.MustCompile("-x^2")), []float64{1}, signDescent{step: 0.75}, fourSteps)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.25}, res.X)
	assert.Equal(t, -0.0625, res.F)

	// Parameters are checked before anything is evaluated.
	res, err = minimizeP(ctx, p, []float64{1}, signDescent{}, nil)
	assert.ErrorContains(t, err, "the step must be positive")
	assert.Equal(t, InvalidInput, res.Status)
	assert.Zero(t, res.FuncEvals)

	res, err = minimizeP(ctx, p, []float64{1}, noIterator{}, nil)
	assert.ErrorContains(t, err, "method no-iterator started no run")
	assert.Equal(t, InvalidInput, res.Status)

	// The errors of Iterate end the run with their status, at the best
	// point so far.
	boom := errors.New("boom")
	for _, tt := range []struct {
		err    error
		status Status
		msg    string
	}{
		{boom, MethodFailure, "sign-descent failed at iteration 3: boom"},
		{fmt.Errorf("no good step: %w", ErrLineSearch), LineSearchFailure, "the line search found no acceptable step at iteration 3 (‖∇f‖∞ = 1)"},
		{ErrUnbounded, Unbounded, "f reached -Inf at iteration 3: it is unbounded below"},
		{fmt.Errorf("the Hessian is %w", ErrNonFinite), NonFinite, "the Hessian is not finite at iteration 2"},
	} {
		t.Run(tt.status.String(), func(t *testing.T) {
			res, err := minimizeP(ctx, p, []float64{1}, signDescent{step: 0.75, failAt: 3, err: tt.err}, fourSteps)
			require.NoError(t, err)
			assert.Equal(t, tt.status, res.Status)
			assert.Equal(t, tt.msg, res.Message)
			assert.Equal(t, 2, res.Iterations)
			assert.Equal(t, []float64{0.25}, res.X)
			if tt.status == MethodFailure {
				assert.ErrorIs(t, res.Err, boom)
			}
		})
	}
}

// The Evaluator counts what it evaluates, negates when maximizing, and
// gives NaN for what the problem cannot evaluate rather than panic.
func TestEvaluator(t *testing.T) {
	hvpOnly := rosenbrock()
	hvpOnly.hess = nil
	var res Result
	e := &Evaluator{p: hvpOnly, sign: -1, res: &res}
	x, g := []float64{0.3, -0.7}, make([]float64, 2)
	want := rosenbrock()
	wg := make([]float64, 2)
	assert.Equal(t, -want.funcGrad(x, wg), e.FuncGrad(x, g))
	assert.Equal(t, []float64{-wg[0], -wg[1]}, g)
	h, wh := mat.NewSymDense(2, nil), mat.NewSymDense(2, nil)
	e.Hess(x, h)
	want.hess(x, wh)
	wh.ScaleSym(-1, wh)
	assert.True(t, mat.EqualApprox(wh, h, 1e-12))
	assert.Equal(t, Result{FuncEvals: 1, GradEvals: 1, HVPEvals: 2}, res)

	e = &Evaluator{p: problem{funcGrad: want.funcGrad}, sign: 1, res: &res}
	hv := make([]float64, 2)
	e.HVP(x, []float64{1, 0}, hv)
	assert.True(t, math.IsNaN(hv[0]) && math.IsNaN(hv[1]), "%v", hv)
	e.Hess(x, h)
	assert.True(t, math.IsNaN(h.At(0, 1)), "%v", h)
}
