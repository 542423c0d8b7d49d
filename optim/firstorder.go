package optim

import (
	"cmp"
	"fmt"
	"math"
)

// The defaults of the first-order methods' parameters.
const (
	defaultLR    = 1e-3
	defaultBeta  = 0.9   // momentum, and Adam's β1
	defaultBeta2 = 0.999 // Adam's β2 and RMSProp's decay
	defaultEps   = 1e-8
)

// GradientDescent is gradient descent with a fixed step:
// x ← x − LR·∇f (x ← x + LR·∇f when maximizing).
type GradientDescent struct {
	// LR is the learning rate η; 0 means 10⁻³.
	LR float64
}

// String returns "gd".
func (GradientDescent) String() string { return "gd" }

// Init checks the learning rate.
func (m GradientDescent) Init(dim int, _ Available) (Iterator, error) {
	lr := cmp.Or(m.LR, defaultLR)
	if err := checkLR("GradientDescent", lr); err != nil {
		return nil, err
	}
	return iterateFunc(func(loc *Location, e *Evaluator) error {
		for i, gi := range loc.Grad {
			loc.X[i] -= lr * gi
		}
		loc.F = e.FuncGrad(loc.X, loc.Grad)
		return nil
	}), nil
}

// Momentum is gradient descent with heavy-ball momentum:
// v ← Beta·v + ∇f, x ← x − LR·v.
type Momentum struct {
	// LR is the learning rate η; 0 means 10⁻³.
	LR float64
	// Beta is the momentum β, in (0, 1); 0 means 0.9.
	Beta float64
}

// String returns "momentum".
func (Momentum) String() string { return "momentum" }

// Init checks the parameters.
func (m Momentum) Init(dim int, _ Available) (Iterator, error) {
	lr, beta := cmp.Or(m.LR, defaultLR), cmp.Or(m.Beta, defaultBeta)
	if err := checkLR("Momentum", lr); err != nil {
		return nil, err
	}
	if err := checkUnit("Momentum.Beta", beta); err != nil {
		return nil, err
	}
	v := make([]float64, dim)
	return iterateFunc(func(loc *Location, e *Evaluator) error {
		for i, gi := range loc.Grad {
			v[i] = beta*v[i] + gi
			loc.X[i] -= lr * v[i]
		}
		loc.F = e.FuncGrad(loc.X, loc.Grad)
		return nil
	}), nil
}

// Nesterov is Nesterov's accelerated gradient:
// v ← Beta·v + ∇f, x ← x − LR·(∇f + Beta·v).
type Nesterov struct {
	// LR is the learning rate η; 0 means 10⁻³.
	LR float64
	// Beta is the momentum β, in (0, 1); 0 means 0.9.
	Beta float64
}

// String returns "nesterov".
func (Nesterov) String() string { return "nesterov" }

// Init checks the parameters.
func (m Nesterov) Init(dim int, _ Available) (Iterator, error) {
	lr, beta := cmp.Or(m.LR, defaultLR), cmp.Or(m.Beta, defaultBeta)
	if err := checkLR("Nesterov", lr); err != nil {
		return nil, err
	}
	if err := checkUnit("Nesterov.Beta", beta); err != nil {
		return nil, err
	}
	v := make([]float64, dim)
	return iterateFunc(func(loc *Location, e *Evaluator) error {
		for i, gi := range loc.Grad {
			v[i] = beta*v[i] + gi
			loc.X[i] -= lr * (gi + beta*v[i])
		}
		loc.F = e.FuncGrad(loc.X, loc.Grad)
		return nil
	}), nil
}

// AdaGrad scales each component's step by the root of the sum of its
// squared gradients: w ← w + ∇f², x ← x − LR·∇f/(√w + Eps).
type AdaGrad struct {
	// LR is the learning rate η; 0 means 10⁻³.
	LR float64
	// Eps keeps the division away from zero; 0 means 10⁻⁸.
	Eps float64
}

// String returns "adagrad".
func (AdaGrad) String() string { return "adagrad" }

// Init checks the parameters.
func (m AdaGrad) Init(dim int, _ Available) (Iterator, error) {
	lr, eps := cmp.Or(m.LR, defaultLR), cmp.Or(m.Eps, defaultEps)
	if err := checkLR("AdaGrad", lr); err != nil {
		return nil, err
	}
	if err := checkPositive("AdaGrad.Eps", eps); err != nil {
		return nil, err
	}
	w := make([]float64, dim)
	return iterateFunc(func(loc *Location, e *Evaluator) error {
		for i, gi := range loc.Grad {
			w[i] += gi * gi
			loc.X[i] -= lr * gi / (math.Sqrt(w[i]) + eps)
		}
		loc.F = e.FuncGrad(loc.X, loc.Grad)
		return nil
	}), nil
}

// RMSProp scales each component's step by the root of a moving average of
// its squared gradients: w ← Decay·w + (1 − Decay)·∇f²,
// x ← x − LR·∇f/(√w + Eps).
type RMSProp struct {
	// LR is the learning rate η; 0 means 10⁻³.
	LR float64
	// Decay is the decay rate of the average, in (0, 1); 0 means 0.999,
	// Adam's β2.
	Decay float64
	// Eps keeps the division away from zero; 0 means 10⁻⁸.
	Eps float64
}

// String returns "rmsprop".
func (RMSProp) String() string { return "rmsprop" }

// Init checks the parameters.
func (m RMSProp) Init(dim int, _ Available) (Iterator, error) {
	lr, decay, eps := cmp.Or(m.LR, defaultLR), cmp.Or(m.Decay, defaultBeta2), cmp.Or(m.Eps, defaultEps)
	if err := checkLR("RMSProp", lr); err != nil {
		return nil, err
	}
	if err := checkUnit("RMSProp.Decay", decay); err != nil {
		return nil, err
	}
	if err := checkPositive("RMSProp.Eps", eps); err != nil {
		return nil, err
	}
	w := make([]float64, dim)
	return iterateFunc(func(loc *Location, e *Evaluator) error {
		for i, gi := range loc.Grad {
			w[i] = decay*w[i] + (1-decay)*gi*gi
			loc.X[i] -= lr * gi / (math.Sqrt(w[i]) + eps)
		}
		loc.F = e.FuncGrad(loc.X, loc.Grad)
		return nil
	}), nil
}

// Adam moves by moving averages of the gradient and of its square,
// corrected for their start at zero (Kingma and Ba):
// v ← Beta1·v + (1 − Beta1)·∇f, w ← Beta2·w + (1 − Beta2)·∇f²,
// x ← x − LR·v̂/(√ŵ + Eps) with v̂ = v/(1 − Beta1ᵗ), ŵ = w/(1 − Beta2ᵗ) at
// iteration t. Its first step is LR in every component the gradient moves.
type Adam struct {
	// LR is the learning rate η; 0 means 10⁻³.
	LR float64
	// Beta1 and Beta2 are the decay rates of the averages, in (0, 1); 0
	// means 0.9 and 0.999.
	Beta1, Beta2 float64
	// Eps keeps the division away from zero; 0 means 10⁻⁸.
	Eps float64
}

// String returns "adam".
func (Adam) String() string { return "adam" }

// Init checks the parameters.
func (m Adam) Init(dim int, _ Available) (Iterator, error) {
	lr, eps := cmp.Or(m.LR, defaultLR), cmp.Or(m.Eps, defaultEps)
	b1, b2 := cmp.Or(m.Beta1, defaultBeta), cmp.Or(m.Beta2, defaultBeta2)
	if err := checkLR("Adam", lr); err != nil {
		return nil, err
	}
	if err := checkUnit("Adam.Beta1", b1); err != nil {
		return nil, err
	}
	if err := checkUnit("Adam.Beta2", b2); err != nil {
		return nil, err
	}
	if err := checkPositive("Adam.Eps", eps); err != nil {
		return nil, err
	}
	v, w := make([]float64, dim), make([]float64, dim)
	t := 0
	return iterateFunc(func(loc *Location, e *Evaluator) error {
		t++
		b1t, b2t := 1-math.Pow(b1, float64(t)), 1-math.Pow(b2, float64(t))
		for i, gi := range loc.Grad {
			v[i] = b1*v[i] + (1-b1)*gi
			w[i] = b2*w[i] + (1-b2)*gi*gi
			loc.X[i] -= lr * (v[i] / b1t) / (math.Sqrt(w[i]/b2t) + eps)
		}
		loc.F = e.FuncGrad(loc.X, loc.Grad)
		return nil
	}), nil
}

// GradientDescentArmijo is gradient descent with backtracking: the step
// starts at twice the last accepted one (at LR first) and halves until f
// decreases by at least Armijo·step·‖∇f‖².
type GradientDescentArmijo struct {
	// LR is the first trial step; 0 means 10⁻³.
	LR float64
	// Armijo is c₁ of the sufficient-decrease condition, in (0, 1/2); 0
	// means 10⁻⁴.
	Armijo float64
	// MaxEvals limits the evaluations of one line search; 0 means 40.
	MaxEvals int
}

// String returns "gd-armijo".
func (GradientDescentArmijo) String() string { return "gd-armijo" }

// Init checks the parameters.
func (m GradientDescentArmijo) Init(dim int, _ Available) (Iterator, error) {
	lr := cmp.Or(m.LR, defaultLR)
	c1, evals := cmp.Or(m.Armijo, defaultArmijo), cmp.Or(m.MaxEvals, defaultMaxEvals)
	if err := checkLR("GradientDescentArmijo", lr); err != nil {
		return nil, err
	}
	if err := checkArmijo("GradientDescentArmijo.Armijo", c1); err != nil {
		return nil, err
	}
	if err := checkMaxEvals("GradientDescentArmijo.MaxEvals", evals); err != nil {
		return nil, err
	}
	return &armijo{lineSearch: newLineSearch(dim, c1, 0, evals), next: lr}, nil
}

type armijo struct {
	*lineSearch
	next float64 // the first trial step of the next search
}

func (a *armijo) Iterate(loc *Location, e *Evaluator) error {
	dg := 0.0
	for i, gi := range loc.Grad {
		a.d[i] = -gi
		dg -= gi * gi
	}
	if err := a.backtrack(loc, e, dg, a.next); err != nil {
		return err
	}
	a.next = 2 * a.alpha
	return nil
}

// iterateFunc is an Iterator that moves without a line search, by a
// learning rate, so that f may increase.
type iterateFunc func(loc *Location, e *Evaluator) error

func (f iterateFunc) Iterate(loc *Location, e *Evaluator) error { return f(loc, e) }

func checkLR(method string, lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("%s needs a positive learning rate LR, got %v", method, lr)
	}
	return nil
}

func checkUnit(field string, v float64) error {
	if !(v > 0 && v < 1) {
		return fmt.Errorf("%s must be in (0, 1), got %v", field, v)
	}
	return nil
}

func checkPositive(field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 1) {
		return fmt.Errorf("%s must be positive and finite, got %v", field, v)
	}
	return nil
}
