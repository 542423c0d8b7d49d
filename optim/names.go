package optim

import (
	"fmt"
	"strings"
)

// Params are the method parameters the nabla command sets by flag, for
// NewMethod. Each applies to the methods that have it and is ignored by the
// others; a zero field means the method's default, as on the Method
// values.
type Params struct {
	// LR is the learning rate of the fixed-step methods, and the first
	// trial step of gd-armijo.
	LR float64
	// Beta is the momentum of momentum and nesterov.
	Beta float64
	// Beta1 and Beta2 are Adam's decay rates; Beta2 is also RMSProp's.
	Beta1, Beta2 float64
	// Eps keeps the adaptive methods' divisions away from zero.
	Eps float64
	// Memory is the number of pairs lbfgs keeps.
	Memory int
}

// DefaultParams returns the parameters the methods take for zero fields.
func DefaultParams() Params {
	return Params{LR: defaultLR, Beta: defaultBeta, Beta1: defaultBeta, Beta2: defaultBeta2, Eps: defaultEps, Memory: defaultMemory}
}

// methods are the methods by name, first-order ones first.
var methods = []struct {
	name string
	// fixedStep: the method moves by the learning rate instead of a line
	// search, so f may increase from one iteration to the next.
	fixedStep bool
	new       func(Params) Method
}{
	{"gd", true, func(p Params) Method { return GradientDescent{LR: p.LR} }},
	{"gd-armijo", false, func(p Params) Method { return GradientDescentArmijo{LR: p.LR} }},
	{"momentum", true, func(p Params) Method { return Momentum{LR: p.LR, Beta: p.Beta} }},
	{"nesterov", true, func(p Params) Method { return Nesterov{LR: p.LR, Beta: p.Beta} }},
	{"adagrad", true, func(p Params) Method { return AdaGrad{LR: p.LR, Eps: p.Eps} }},
	{"rmsprop", true, func(p Params) Method { return RMSProp{LR: p.LR, Decay: p.Beta2, Eps: p.Eps} }},
	{"adam", true, func(p Params) Method { return Adam{LR: p.LR, Beta1: p.Beta1, Beta2: p.Beta2, Eps: p.Eps} }},
	{"cg", false, func(Params) Method { return CG{} }},
	{"bfgs", false, func(Params) Method { return BFGS{} }},
	{"lbfgs", false, func(p Params) Method { return LBFGS{Memory: p.Memory} }},
	{"newton", false, func(Params) Method { return Newton{} }},
	{"newton-cg", false, func(Params) Method { return NewtonCG{} }},
}

// MethodNames returns the names NewMethod knows, first-order methods first.
func MethodNames() []string {
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.name
	}
	return names
}

// NewMethod returns the method called name, such as "lbfgs", with the
// parameters of p that apply to it.
func NewMethod(name string, p Params) (Method, error) {
	for _, m := range methods {
		if m.name == name {
			return m.new(p), nil
		}
	}
	return nil, fmt.Errorf("optim: unknown method %q (want one of %s)", name, strings.Join(MethodNames(), ", "))
}

// FixedStep reports whether the method called name moves by the learning
// rate Params.LR instead of by a line search, so that f may increase from
// one iteration to the next.
func FixedStep(name string) bool {
	for _, m := range methods {
		if m.name == name {
			return m.fixedStep
		}
	}
	return false
}
