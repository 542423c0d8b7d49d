package ad

import (
	"fmt"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// A VectorFunc is a compiled function of named variables whose value is a
// vector of Len elements, such as [x*y, sin(x)] (a scalar value is one
// element). It computes the value, Jacobian-vector and vector-Jacobian
// products and the dense Jacobian on flat slices in Vars order, as Func
// does for scalar functions, and is safe for concurrent use.
type VectorFunc struct {
	f   *Func // the variables and programs; its scalar methods do not apply
	m   int
	vjp program // the value, then Jᵀ·c for each variable, with c an input
	// idle holds the scratch of a Jacobian call that is not running, so
	// that calls on one goroutine allocate it once, as program.idle keeps a
	// workspace: Len+Dim floats for a unit vector, all zeros between calls,
	// and a column or row.
	idle atomic.Pointer[[]float64]
}

// NewVectorFunc returns y, a node of g of any shape, as a function of vars
// (all of g's variables when vars is empty). Like NewFunc, it copies g.
func NewVectorFunc(g *Graph, y Node, vars ...Node) (*VectorFunc, error) {
	f, err := newFunc(g, y, vars)
	if err != nil {
		return nil, err
	}
	return &VectorFunc{f: f, m: f.g.at(f.out).shape.Len()}, nil
}

// Vars returns the function's variables, in the order of its flat slices.
func (v *VectorFunc) Vars() []Var { return v.f.Vars() }

// Names names each element of the flat slices, as Func.Names does.
func (v *VectorFunc) Names() []string { return v.f.Names() }

// Dim returns the number of scalar inputs.
func (v *VectorFunc) Dim() int { return v.f.dim }

// Len returns the number of elements of the value.
func (v *VectorFunc) Len() int { return v.m }

// String returns the function's value printed as source of nabla's
// expression language.
func (v *VectorFunc) String() string { return v.f.String() }

// checkOut reports a value slice of the wrong length.
func (v *VectorFunc) checkOut(y []float64, what string) error {
	if len(y) != v.m {
		return fmt.Errorf("%s has room for %d values, want %d", what, len(y), v.m)
	}
	return nil
}

// Eval writes the value at x into y.
func (v *VectorFunc) Eval(x, y []float64) error {
	if err := v.checkOut(y, "the value"); err != nil {
		return err
	}
	return v.f.run(&v.f.value, x, nil, nil, func(ws *Workspace) { copy(y, ws.Output(0)) })
}

// JVP writes the value at x into y and the Jacobian-vector product J·t,
// the derivative along t, into jt: one forward-mode pass.
func (v *VectorFunc) JVP(x, t, y, jt []float64) error {
	if err := v.checkOut(y, "the value"); err != nil {
		return err
	}
	if err := v.checkOut(jt, "the product"); err != nil {
		return err
	}
	p, err := v.f.jvpProgram()
	if err != nil {
		return err
	}
	return v.f.run(p, x, t, nil, func(ws *Workspace) {
		copy(y, ws.Output(0))
		copy(jt, ws.Output(1))
	})
}

// VJP writes the value at x into y and the vector-Jacobian product Jᵀ·c,
// the gradient of c·f, into out: one reverse-mode pass.
func (v *VectorFunc) VJP(x, c, y, out []float64) error {
	if err := v.checkOut(y, "the value"); err != nil {
		return err
	}
	if len(c) != v.m {
		return fmt.Errorf("the cotangent has %d values, want %d", len(c), v.m)
	}
	f := v.f
	if err := f.checkLen(out, "the product"); err != nil {
		return err
	}
	p, err := v.vjpProgram()
	if err != nil {
		return err
	}
	return f.exec(p, func(in [][]float64) error {
		in[len(f.vars)] = c
		return f.split(in, 0, x, "the point")
	}, out, func(ws *Workspace) { copy(y, ws.Output(0)) })
}

// vjpProgram compiles on first use the program of the value and Jᵀ·c, with
// the cotangent c an input after the variables.
func (v *VectorFunc) vjpProgram() (*program, error) {
	f := v.f
	return f.programWith(&v.vjp, func() ([]Node, []Node, error) {
		// The name cannot clash with a variable of the language.
		cot, err := f.g.Var("cotangent:", f.g.at(f.out).shape)
		if err != nil {
			return nil, nil, err
		}
		prods, err := f.g.VJP([]Node{f.out}, []Node{cot}, f.nodes)
		if err != nil {
			return nil, nil, err
		}
		return append(f.nodes[:len(f.nodes):len(f.nodes)], cot), append([]Node{f.out}, prods...), nil
	})
}

// Precompile compiles now the programs that JVP and VJP otherwise compile
// on first use, as Func.Precompile does for a scalar function.
func (v *VectorFunc) Precompile() error {
	if _, err := v.f.jvpProgram(); err != nil {
		return err
	}
	_, err := v.vjpProgram()
	return err
}

// Jacobian writes the value at x into y and the Len×Dim Jacobian into jac,
// which must be of that size or empty (then it is sized): row i is the
// gradient of element i of the value. It takes one forward pass per column
// when there are no more columns than rows, one reverse pass per row
// otherwise. Every entry is computed; the first error, such as a
// *NonFiniteError, is returned after them. A function of no variables has
// no Jacobian to write. Calls after the first allocate nothing, unless
// another goroutine is computing a Jacobian of v at the same time.
func (v *VectorFunc) Jacobian(x, y []float64, jac *mat.Dense) error {
	m, n := v.m, v.f.dim
	if float64(m)*float64(n) > MaxDenseHessian*MaxDenseHessian {
		return fmt.Errorf("a dense %d×%d Jacobian needs %.3g GB; use JVP or VJP products instead", m, n, float64(m)*float64(n)*8/1e9)
	}
	if n == 0 {
		return v.Eval(x, y)
	}
	if jac.IsEmpty() {
		jac.ReuseAs(m, n)
	}
	if r, c := jac.Dims(); r != m || c != n {
		return fmt.Errorf("the Jacobian is %d×%d, want %d×%d", r, c, m, n)
	}
	buf := v.idle.Swap(nil)
	if buf == nil {
		b := make([]float64, m+n)
		buf = &b
	}
	err := v.jacobian(x, y, jac, *buf)
	v.idle.Store(buf)
	return err
}

// jacobian fills jac by passes with the unit vectors, in buf, the scratch
// that VectorFunc.idle describes.
func (v *VectorFunc) jacobian(x, y []float64, jac *mat.Dense, buf []float64) error {
	m, n := v.m, v.f.dim
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	if n <= m {
		e, col := buf[:n], buf[n:]
		for j := range n {
			e[j] = 1
			keep(v.JVP(x, e, y, col))
			e[j] = 0
			jac.SetCol(j, col)
		}
		return first
	}
	e, row := buf[:m], buf[m:]
	for i := range m {
		e[i] = 1
		keep(v.VJP(x, e, y, row))
		e[i] = 0
		jac.SetRow(i, row)
	}
	return first
}
