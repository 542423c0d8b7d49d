package expr

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

// MaxDenseHessian is the largest number of variable elements for which
// Hessian and HessianVec form a dense matrix; beyond it the matrix would
// take more than 3.2 GB, and HVP products are the way.
const MaxDenseHessian = 20000

// symbolicHessianLimit is the size up to which the dense Hessian is built
// as nodes (reverse over reverse) rather than by one HVP per column: for
// small functions the single program is faster.
const symbolicHessianLimit = 16

// forward holds the programs of the forward-mode methods, compiled on
// first use.
type forward struct {
	tangentsOnce sync.Once
	tangents     []ad.Node // one tangent variable per variable
	jvp          program   // value, ∇f·v
	hvp          program   // gradient, then ∇²f·v, per variable
	hess         program   // the upper triangle of the Hessian, row by row
}

// tangentVars returns the tangent variables, made on first use; their names
// cannot clash with the language's identifiers.
func (f *Func) tangentVars() []ad.Node {
	f.fwd.tangentsOnce.Do(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, v := range f.vars {
			t, err := f.g.Var("tangent:"+v.Name, v.Shape)
			if err != nil {
				panic("expr: " + err.Error()) // the names are fresh
			}
			f.fwd.tangents = append(f.fwd.tangents, t)
		}
	})
	return f.fwd.tangents
}

func (f *Func) jvpProgram() (*program, error) {
	ts := f.tangentVars()
	return f.programWith(&f.fwd.jvp, func() ([]ad.Node, []ad.Node, error) {
		t, err := f.g.JVP([]ad.Node{f.out}, f.nodes, ts)
		if err != nil {
			return nil, nil, err
		}
		return append(f.nodes[:len(f.nodes):len(f.nodes)], ts...), []ad.Node{f.out, t[0]}, nil
	})
}

func (f *Func) hvpProgram() (*program, error) {
	ts := f.tangentVars()
	return f.programWith(&f.fwd.hvp, func() ([]ad.Node, []ad.Node, error) {
		hv, err := f.g.HVP(f.out, f.nodes, ts)
		if err != nil {
			return nil, nil, err
		}
		return append(f.nodes[:len(f.nodes):len(f.nodes)], ts...), hv, nil
	})
}

func (f *Func) hessProgram() (*program, error) {
	return f.program(&f.fwd.hess, func() ([]ad.Node, error) {
		h, err := f.g.Hessian(f.out, f.nodes...)
		if err != nil {
			return nil, err
		}
		var outs []ad.Node
		for i, row := range h {
			outs = append(outs, row[i:]...)
		}
		return outs, nil
	})
}

// flatPair sets the inputs of a tangent program: x then v, both flat.
func (f *Func) flatPair(st *runState, x, v []float64) error {
	if len(v) != f.dim {
		return fmt.Errorf("expr: direction has %d values, want %d", len(v), f.dim)
	}
	if err := f.flatInputs(st, x); err != nil {
		return err
	}
	for i, vr := range f.vars {
		st.in[len(f.vars)+i] = v[f.offsets[i] : f.offsets[i]+vr.Shape.Len()]
	}
	return nil
}

// JVPVec returns the value of f at x and the Jacobian-vector product
// ∇f(x)·v, by one forward-mode pass; x and v are flat, in Vars order.
func (f *Func) JVPVec(x, v []float64) (value, jvp float64, err error) {
	p, err := f.jvpProgram()
	if err != nil {
		return 0, 0, err
	}
	value, err = f.run(p, func(st *runState) error { return f.flatPair(st, x, v) }, func(ws *ad.Workspace) {
		jvp = ws.Scalar(1)
	})
	return value, jvp, err
}

// JVP is JVPVec with the point and the direction given by name. Every
// variable needs a value; a variable missing from dir has a zero tangent.
func (f *Func) JVP(at, dir Point) (value, jvp float64, err error) {
	x, err := f.Flatten(at)
	if err != nil {
		return 0, 0, err
	}
	v, err := f.flattenDirection(dir)
	if err != nil {
		return 0, 0, err
	}
	return f.JVPVec(x, v)
}

// ErrZeroDirection is returned for a directional derivative along the zero
// vector, which has no unit direction.
var ErrZeroDirection = errors.New("expr: the direction is the zero vector")

// DirectionalDerivative returns D_u f = ∇f·u at a point, for the unit
// vector u = dir/‖dir‖: the textbook directional derivative, the rate of
// change of f per unit of distance along dir.
func (f *Func) DirectionalDerivative(at, dir Point) (float64, error) {
	v, err := f.flattenDirection(dir)
	if err != nil {
		return 0, err
	}
	n := floats.Norm(v, 2)
	if n == 0 {
		return 0, ErrZeroDirection
	}
	x, err := f.Flatten(at)
	if err != nil {
		return 0, err
	}
	_, jvp, err := f.JVPVec(x, v)
	return jvp / n, err
}

// HVPVec writes the Hessian-vector product ∇²f(x)·v into hv: forward mode
// over the reverse-mode gradient, at a small multiple of a gradient's cost
// and without forming the Hessian.
func (f *Func) HVPVec(x, v, hv []float64) error {
	if len(hv) != f.dim {
		return fmt.Errorf("expr: product has room for %d values, want %d", len(hv), f.dim)
	}
	p, err := f.hvpProgram()
	if err != nil {
		return err
	}
	st := p.pool.Get().(*runState)
	defer func() {
		clear(st.in)
		p.pool.Put(st)
	}()
	if err := f.flatPair(st, x, v); err != nil {
		return err
	}
	err = p.prog.RunChecked(st.ws, st.in)
	for i := range f.vars {
		copy(hv[f.offsets[i]:], st.ws.Output(i))
	}
	return err
}

// HVP is HVPVec with the point and the vector given by name.
func (f *Func) HVP(at, v Point) (Point, error) {
	x, err := f.Flatten(at)
	if err != nil {
		return nil, err
	}
	vv, err := f.flattenDirection(v)
	if err != nil {
		return nil, err
	}
	hv := make([]float64, f.dim)
	err = f.HVPVec(x, vv, hv)
	return f.Unflatten(hv), err
}

// HessianVec returns the dense Hessian of f at x (flat, Vars order; a
// vector variable contributes each element). Small functions get it from
// one compiled program of the Hessian's upper triangle, larger ones from
// one HVP per column, so the graph never holds n² nodes. Functions of more
// than MaxDenseHessian elements are refused: use HVPVec.
func (f *Func) HessianVec(x []float64) (*mat.SymDense, error) {
	n := f.dim
	if n > MaxDenseHessian {
		return nil, fmt.Errorf("expr: a dense Hessian of %d variables needs %.3g GB; use HVP products instead", n, float64(n)*float64(n)*8/1e9)
	}
	if len(x) != n {
		return nil, fmt.Errorf("expr: got %d values, want %d", len(x), n)
	}
	if n <= symbolicHessianLimit {
		return f.hessianSymbolic(x)
	}
	return f.hessianByHVP(x)
}

// hessianSymbolic runs one program of the Hessian's upper triangle.
func (f *Func) hessianSymbolic(x []float64) (*mat.SymDense, error) {
	n := f.dim
	h := mat.NewSymDense(n, nil)
	p, err := f.hessProgram()
	if err != nil {
		return nil, err
	}
	_, err = f.run(p, func(st *runState) error { return f.flatInputs(st, x) }, func(ws *ad.Workspace) {
		k := 0
		for i := range n {
			for j := i; j < n; j++ {
				h.SetSym(i, j, ws.Scalar(k))
				k++
			}
		}
	})
	return h, err
}

// hessianByHVP fills the Hessian one column at a time, by HVPs with the
// unit vectors.
func (f *Func) hessianByHVP(x []float64) (*mat.SymDense, error) {
	n := f.dim
	h := mat.NewSymDense(n, nil)
	e := make([]float64, n)
	col := make([]float64, n)
	var first error
	for j := range n {
		e[j] = 1
		if err := f.HVPVec(x, e, col); err != nil && first == nil {
			first = err
		}
		e[j] = 0
		// Average the two computed halves: symmetric to rounding.
		for i := 0; i <= j; i++ {
			if i == j {
				h.SetSym(i, j, col[i])
			} else {
				h.SetSym(i, j, (h.At(i, j)+col[i])/2)
			}
		}
		for i := j + 1; i < n; i++ {
			h.SetSym(j, i, col[i])
		}
	}
	return h, first
}

// Hessian is HessianVec at a point given by name.
func (f *Func) Hessian(at Point) (*mat.SymDense, error) {
	x, err := f.Flatten(at)
	if err != nil {
		return nil, err
	}
	return f.HessianVec(x)
}

// Explain evaluates f and its gradient at x and, if either is not finite,
// returns an *ad.NonFiniteError naming the subexpression that first went
// NaN or infinite.
func (f *Func) Explain(x []float64) error {
	grad := make([]float64, f.dim)
	_, err := f.GradVec(x, grad)
	return err
}

// Flatten returns the values of a point in Vars order, as EvalVec takes
// them. Every variable needs a value, and nothing else may have one.
func (f *Func) Flatten(at Point) ([]float64, error) {
	x := make([]float64, 0, f.dim)
	for _, v := range f.vars {
		val, ok := at[v.Name]
		if !ok {
			return nil, fmt.Errorf("expr: no value for variable %q", v.Name)
		}
		if len(val) != v.Shape.Len() {
			return nil, fmt.Errorf("expr: variable %q is a %v but has %d values", v.Name, v.Shape, len(val))
		}
		x = append(x, val...)
	}
	if err := f.checkNames(at); err != nil {
		return nil, err
	}
	return x, nil
}

// flattenDirection is Flatten with missing variables taken as zero.
func (f *Func) flattenDirection(dir Point) ([]float64, error) {
	v := make([]float64, f.dim)
	for i, vr := range f.vars {
		d, ok := dir[vr.Name]
		if !ok {
			continue
		}
		if len(d) != vr.Shape.Len() {
			return nil, fmt.Errorf("expr: direction for %q is a %v but has %d values", vr.Name, vr.Shape, len(d))
		}
		copy(v[f.offsets[i]:], d)
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errors.New("expr: the direction is not finite")
		}
	}
	return v, f.checkNames(dir)
}

func (f *Func) checkNames(at Point) error {
	for name := range at {
		if f.varIndex(name) < 0 {
			return fmt.Errorf("expr: %q is not a variable of the function", name)
		}
	}
	return nil
}

func (f *Func) varIndex(name string) int {
	for i, v := range f.vars {
		if v.Name == name {
			return i
		}
	}
	return -1
}

// Unflatten splits a flat vector in Vars order into a Point.
func (f *Func) Unflatten(x []float64) Point {
	p := make(Point, len(f.vars))
	for i, v := range f.vars {
		p[v.Name] = append([]float64(nil), x[f.offsets[i]:f.offsets[i]+v.Shape.Len()]...)
	}
	return p
}
