package optim

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/nabla-ad/nabla/ad"
)

// A Problem is an objective function f: ℝⁿ → ℝ given by the functions that
// evaluate it. Only FuncGrad is required by every method; newton needs Hess
// or HVP, and newton-cg needs HVP or Hess. None of the functions may modify
// x, and none may keep x, grad, v or hv after returning.
//
// A function that cannot evaluate f at x reports it with a NaN value; Explain,
// when set, says why.
type Problem struct {
	// Dim, when positive, is the number of variables; Minimize checks the
	// starting point against it.
	Dim int

	// Func returns f(x). When it is nil, FuncGrad is used instead.
	Func func(x []float64) float64

	// FuncGrad returns f(x) and stores ∇f(x) in grad, which has the length
	// of x.
	FuncGrad func(x, grad []float64) float64

	// HVP stores the Hessian-vector product ∇²f(x)·v in hv.
	HVP func(x, v, hv []float64)

	// Hess stores the Hessian ∇²f(x) in h, which is n×n.
	Hess func(x []float64, h *mat.SymDense)

	// Explain returns an error describing why f or its gradient is not
	// finite at x, or nil.
	Explain func(x []float64) error
}

// Available says which second derivatives a problem provides; every
// problem Minimize runs provides values and gradients.
type Available struct {
	HVP  bool // Hessian-vector products
	Hess bool // dense Hessians
}

func (p Problem) available() Available {
	return Available{HVP: p.HVP != nil, Hess: p.Hess != nil}
}

// check returns an error when m cannot run on p from a point of n
// elements.
func (p Problem) check(n int, m Method) error {
	switch {
	case n == 0:
		return errors.New("the starting point is empty")
	case p.Dim > 0 && n != p.Dim:
		return fmt.Errorf("the starting point has %d elements, the problem has %d variables", n, p.Dim)
	case p.FuncGrad == nil:
		return fmt.Errorf("method %s needs gradients (Problem.FuncGrad)", m)
	}
	return nil
}

// An Evaluator evaluates the function a Method minimizes: f, or −f when
// maximizing, counting the evaluations in the Result.
type Evaluator struct {
	p    Problem
	sign float64 // −1 when maximizing
	res  *Result
}

// FuncGrad returns the value at x and stores the gradient in grad.
func (e *Evaluator) FuncGrad(x, grad []float64) float64 {
	e.res.FuncEvals++
	e.res.GradEvals++
	v := e.p.FuncGrad(x, grad)
	if e.sign < 0 {
		floats.Scale(-1, grad)
		return -v
	}
	return v
}

// HVP stores the Hessian-vector product at x with v in hv: NaN when the
// problem has no Hessian-vector products (Available.HVP is false).
func (e *Evaluator) HVP(x, v, hv []float64) {
	if e.p.HVP == nil {
		fillNaN(hv)
		return
	}
	e.res.HVPEvals++
	e.p.HVP(x, v, hv)
	if e.sign < 0 {
		floats.Scale(-1, hv)
	}
}

// Hess stores the Hessian at x in h, which is n×n: from Hessian-vector
// products, one column each, when the problem has no dense Hessians, and
// NaN when it has neither.
func (e *Evaluator) Hess(x []float64, h *mat.SymDense) {
	switch {
	case e.p.Hess != nil:
		e.res.HessEvals++
		e.p.Hess(x, h)
	case e.p.HVP != nil:
		e.res.HVPEvals += hessFromHVP(e.p.HVP, x, h)
	default:
		fillNaN(h.RawSymmetric().Data)
		return
	}
	if e.sign < 0 {
		h.ScaleSym(-1, h)
	}
}

// explain returns the problem's account of why f or a derivative is not
// finite at x, or nil.
func (e *Evaluator) explain(x []float64) error {
	if e.p.Explain == nil {
		return nil
	}
	return e.p.Explain(x)
}

// FromFunc returns the Problem of an ad.Func: value and gradient from
// f.Eval and f.Grad, Hessian-vector products from f.HVP, the Hessian from
// f.Hessian (for at most ad.MaxDenseHessian variables), and Explain from
// f.Grad's error, which names the subexpression where a NaN or infinity
// first appeared (an *ad.NonFiniteError).
func FromFunc(f *ad.Func) Problem {
	p := Problem{
		Dim: f.Dim(),
		Func: func(x []float64) float64 {
			return valueOf(f.Eval(x))
		},
		FuncGrad: func(x, grad []float64) float64 {
			return valueOf(f.Grad(x, grad))
		},
		HVP: func(x, v, hv []float64) {
			if err := f.HVP(x, v, hv); err != nil && !ad.IsNonFinite(err) {
				fillNaN(hv)
			}
		},
		Explain: func(x []float64) error {
			_, err := f.Grad(x, make([]float64, f.Dim()))
			return err
		},
	}
	if f.Dim() <= ad.MaxDenseHessian {
		p.Hess = func(x []float64, h *mat.SymDense) {
			if err := f.Hessian(x, h); err != nil && !ad.IsNonFinite(err) {
				fillNaN(h.RawSymmetric().Data)
			}
		}
	}
	return p
}

// fillNaN marks a result that could not be computed, so Minimize stops with
// status NonFinite and the Problem's explanation.
func fillNaN(x []float64) {
	for i := range x {
		x[i] = math.NaN()
	}
}

// valueOf returns the value an expression evaluated to: itself when it is
// finite or the engine explains why not (an overflow to +Inf stays +Inf, so
// an unbounded objective is told from an undefined one), NaN for any other
// error.
func valueOf(v float64, err error) float64 {
	if err != nil && !ad.IsNonFinite(err) {
		return math.NaN()
	}
	return v
}

// GonumProblem returns p as a gonum optimize.Problem, so gonum's methods
// minimize p with its exact gradient and Hessian. Grad is set when p has
// FuncGrad, and Hess when p has Hess or HVP (from which the Hessian is built
// one column per product).
func GonumProblem(p Problem) optimize.Problem {
	var q optimize.Problem
	q.Func = p.Func
	if q.Func == nil && p.FuncGrad != nil {
		q.Func = func(x []float64) float64 {
			return p.FuncGrad(x, make([]float64, len(x)))
		}
	}
	if p.FuncGrad != nil {
		q.Grad = func(grad, x []float64) { p.FuncGrad(x, grad) }
	}
	switch {
	case p.Hess != nil:
		q.Hess = func(h *mat.SymDense, x []float64) { p.Hess(x, h) }
	case p.HVP != nil:
		q.Hess = func(h *mat.SymDense, x []float64) { hessFromHVP(p.HVP, x, h) }
	}
	return q
}

// hessFromHVP fills h with the Hessian at x, one column ∇²f·eⱼ per
// product, averaging the two triangles so that rounding cannot make it
// unsymmetric. It returns the number of products.
func hessFromHVP(hvp func(x, v, hv []float64), x []float64, h *mat.SymDense) int {
	n := len(x)
	e := make([]float64, n)
	cols := mat.NewDense(n, n, nil)
	for j := range n {
		e[j] = 1
		hvp(x, e, cols.RawRowView(j))
		e[j] = 0
	}
	for i := range n {
		for j := i; j < n; j++ {
			h.SetSym(i, j, (cols.At(j, i)+cols.At(i, j))/2)
		}
	}
	return n
}
