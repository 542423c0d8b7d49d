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

// A Function is an objective f: ℝⁿ → ℝ with its gradient, on flat slices:
// what Minimize and Maximize run on. *ad.Func is a Function, with every
// derivative the methods use; GradFunc makes one of a Go function.
//
// Grad returns f(x) and stores ∇f(x) in grad, which has the length of x.
// A NaN or infinite value may come with an error explaining it (an
// *ad.NonFiniteError), which a run that stops there reports; any other
// error counts as a point where f is undefined. The methods that need more
// find it by type assertion: newton needs one of
//
//	Hessian(x []float64, h *mat.SymDense) error // ∇²f(x), n×n
//	HVP(x, v, hv []float64) error              // ∇²f(x)·v
//
// and newton-cg prefers HVP; a Function with a Dim() int method has the
// starting point's length checked against it. No method may modify x or
// keep x, grad, v, hv or h after returning.
type Function interface {
	Grad(x, grad []float64) (float64, error)
}

// GradFunc is a Function written in Go: it returns f(x) and stores ∇f(x)
// in grad. NaN marks a point where f is undefined.
type GradFunc func(x, grad []float64) float64

// Grad calls g.
func (g GradFunc) Grad(x, grad []float64) (float64, error) { return g(x, grad), nil }

// problem holds the methods of a Function as values, nil where it has
// none, with every failure turned into NaN.
type problem struct {
	dim      int // 0 when unknown
	funcGrad func(x, grad []float64) float64
	hvp      func(x, v, hv []float64)
	hess     func(x []float64, h *mat.SymDense)
	explain  func(x []float64) error
}

func problemOf(f Function) problem {
	if f == nil {
		return problem{}
	}
	p := problem{
		funcGrad: func(x, grad []float64) float64 { return valueOf(f.Grad(x, grad)) },
		explain: func(x []float64) error {
			_, err := f.Grad(x, make([]float64, len(x)))
			return err
		},
	}
	if d, ok := f.(interface{ Dim() int }); ok {
		p.dim = d.Dim()
	}
	if h, ok := f.(interface {
		HVP(x, v, hv []float64) error
	}); ok {
		p.hvp = func(x, v, hv []float64) {
			if err := h.HVP(x, v, hv); err != nil && !ad.IsNonFinite(err) {
				fillNaN(hv)
			}
		}
	}
	if h, ok := f.(interface {
		Hessian(x []float64, h *mat.SymDense) error
	}); ok && (p.dim == 0 || p.dim <= ad.MaxDenseHessian) {
		p.hess = func(x []float64, m *mat.SymDense) {
			if err := h.Hessian(x, m); err != nil && !ad.IsNonFinite(err) {
				fillNaN(m.RawSymmetric().Data)
			}
		}
	}
	return p
}

// Available says which second derivatives a problem provides; every
// problem Minimize runs provides values and gradients.
type Available struct {
	HVP  bool // Hessian-vector products
	Hess bool // dense Hessians
}

func (p problem) available() Available {
	return Available{HVP: p.hvp != nil, Hess: p.hess != nil}
}

// check returns an error when m cannot run on p from a point of n
// elements.
func (p problem) check(n int, m Method) error {
	switch {
	case p.funcGrad == nil:
		return errors.New("no function to minimize")
	case n == 0:
		return errors.New("the starting point is empty")
	case p.dim > 0 && n != p.dim:
		return fmt.Errorf("the starting point has %d elements, the function has %d variables", n, p.dim)
	}
	return nil
}

// An Evaluator evaluates the function a Method minimizes: f, or −f when
// maximizing, counting the evaluations in the Result.
type Evaluator struct {
	p    problem
	sign float64 // −1 when maximizing
	res  *Result
}

// FuncGrad returns the value at x and stores the gradient in grad.
func (e *Evaluator) FuncGrad(x, grad []float64) float64 {
	e.res.FuncEvals++
	e.res.GradEvals++
	v := e.p.funcGrad(x, grad)
	if e.sign < 0 {
		floats.Scale(-1, grad)
		return -v
	}
	return v
}

// HVP stores the Hessian-vector product at x with v in hv: NaN when the
// problem has no Hessian-vector products (Available.HVP is false).
func (e *Evaluator) HVP(x, v, hv []float64) {
	if e.p.hvp == nil {
		fillNaN(hv)
		return
	}
	e.res.HVPEvals++
	e.p.hvp(x, v, hv)
	if e.sign < 0 {
		floats.Scale(-1, hv)
	}
}

// Hess stores the Hessian at x in h, which is n×n: from Hessian-vector
// products, one column each, when the problem has no dense Hessians, and
// NaN when it has neither.
func (e *Evaluator) Hess(x []float64, h *mat.SymDense) {
	switch {
	case e.p.hess != nil:
		e.res.HessEvals++
		e.p.hess(x, h)
	case e.p.hvp != nil:
		e.res.HVPEvals += hessFromHVP(e.p.hvp, x, h)
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
	if e.p.explain == nil {
		return nil
	}
	return e.p.explain(x)
}

// fillNaN marks a result that could not be computed, so Minimize stops with
// status NonFinite and the function's explanation.
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

// GonumProblem returns f as a gonum optimize.Problem, so gonum's methods
// minimize f with its exact gradient, and its Hessian when f has Hessian or
// HVP (then the Hessian is built one column per product).
func GonumProblem(f Function) optimize.Problem {
	q := problemOf(f).gonum()
	if e, ok := f.(interface {
		Eval(x []float64) (float64, error)
	}); ok {
		q.Func = func(x []float64) float64 { return valueOf(e.Eval(x)) }
	}
	return q
}

func (p problem) gonum() optimize.Problem {
	q := optimize.Problem{
		Func: func(x []float64) float64 { return p.funcGrad(x, make([]float64, len(x))) },
		Grad: func(grad, x []float64) { p.funcGrad(x, grad) },
	}
	switch {
	case p.hess != nil:
		q.Hess = func(h *mat.SymDense, x []float64) { p.hess(x, h) }
	case p.hvp != nil:
		q.Hess = func(h *mat.SymDense, x []float64) { hessFromHVP(p.hvp, x, h) }
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
