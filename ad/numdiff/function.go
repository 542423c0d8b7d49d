package numdiff

import (
	"fmt"
	"sync"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// A Function is a scalar function of n variables together with the
// derivatives to be checked, all on flat slices of length n. Only F is
// required: the checks that need a missing field report it as not
// available. FromGraph and FromExpr make Functions from ad graphs and
// expressions; any Go code with these signatures plugs in as well.
//
// Each function returns a non-nil error for bad input, and may return one
// for a NaN or infinite result to explain where it came from (an
// *ad.NonFiniteError); checks report such errors per component.
type Function struct {
	// Names names the n variables for reports; nil names them x[0], x[1], ….
	Names []string
	// F returns f(x).
	F func(x []float64) (float64, error)
	// Grad writes ∇f(x) into grad and returns f(x) (reverse mode).
	Grad func(x, grad []float64) (float64, error)
	// JVP returns f(x) and ∇f(x)·v (forward mode).
	JVP func(x, v []float64) (value, jvp float64, err error)
	// HVP writes ∇²f(x)·v into hv.
	HVP func(x, v, hv []float64) error
	// Complex returns f(z) for complex z, for the complex step. An error
	// wrapping ad.ErrNoComplex says that f has no analytic complex form.
	Complex func(z []complex128) (complex128, error)
	// ComplexGrad writes ∇f(z) into grad, for complex steps on the gradient
	// (second derivatives).
	ComplexGrad func(z, grad []complex128) error
}

// name returns the name of variable i.
func (f *Function) name(i int) string {
	if i < len(f.Names) {
		return f.Names[i]
	}
	return fmt.Sprintf("x[%d]", i)
}

// FromGraph returns the Function computing y, a scalar node of g, and its
// derivatives with respect to the variables xs (all of g's variables when
// xs is empty), flattened in order. It builds the derivative nodes into g,
// including one tangent variable per variable for the forward-mode
// products, so g must not be built concurrently. The Function's fields are
// safe for concurrent use.
func FromGraph(g *ad.Graph, y ad.Node, xs ...ad.Node) (Function, error) {
	if len(xs) == 0 {
		xs = g.Vars()
	}
	if s := g.Shape(y); !s.IsScalar() {
		return Function{}, fmt.Errorf("numdiff: the function's value is a %v, not a scalar", s)
	}
	var names []string
	sizes := make([]int, len(xs))
	for k, x := range xs {
		if g.Name(x) == "" {
			return Function{}, fmt.Errorf("numdiff: input %d is not a variable", k)
		}
		s := g.Shape(x)
		sizes[k] = s.Len()
		if s.IsScalar() {
			names = append(names, g.Name(x))
			continue
		}
		for i := range s.Len() {
			names = append(names, fmt.Sprintf("%s[%d]", g.Name(x), i))
		}
	}
	grads, err := g.Grad(y, xs...)
	if err != nil {
		return Function{}, err
	}
	vs := make([]ad.Node, len(xs))
	for k, x := range xs {
		if vs[k], err = g.Var("tangent:"+g.Name(x), g.Shape(x)); err != nil {
			return Function{}, err
		}
	}
	jvp, err := g.JVP([]ad.Node{y}, xs, vs)
	if err != nil {
		return Function{}, err
	}
	hvp, err := g.HVP(y, xs, vs)
	if err != nil {
		return Function{}, err
	}
	xvs := append(xs[:len(xs):len(xs)], vs...)
	value, err := newRunner(g, xs, y)
	if err != nil {
		return Function{}, err
	}
	grad, err := newRunner(g, xs, append([]ad.Node{y}, grads...)...)
	if err != nil {
		return Function{}, err
	}
	fwd, err := newRunner(g, xvs, y, jvp[0])
	if err != nil {
		return Function{}, err
	}
	hv, err := newRunner(g, xvs, hvp...)
	if err != nil {
		return Function{}, err
	}
	c := newComplexEval(g, xs, sizes)
	return Function{
		Names: names,
		F: func(x []float64) (float64, error) {
			var v float64
			err := value.run(func(ws *ad.Workspace) { v = ws.Scalar(0) }, sizes, x)
			return v, err
		},
		Grad: func(x, gr []float64) (float64, error) {
			if len(gr) != len(names) {
				return 0, fmt.Errorf("numdiff: gradient has room for %d values, want %d", len(gr), len(names))
			}
			var v float64
			err := grad.run(func(ws *ad.Workspace) {
				v = ws.Scalar(0)
				gather(gr, ws, 1, len(xs))
			}, sizes, x)
			return v, err
		},
		JVP: func(x, v []float64) (float64, float64, error) {
			var val, d float64
			err := fwd.run(func(ws *ad.Workspace) { val, d = ws.Scalar(0), ws.Scalar(1) }, sizes, x, v)
			return val, d, err
		},
		HVP: func(x, v, out []float64) error {
			if len(out) != len(names) {
				return fmt.Errorf("numdiff: product has room for %d values, want %d", len(out), len(names))
			}
			return hv.run(func(ws *ad.Workspace) { gather(out, ws, 0, len(xs)) }, sizes, x, v)
		},
		Complex: func(z []complex128) (complex128, error) {
			out, err := c.eval(z, y)
			if err != nil {
				return 0, err
			}
			return out[0][0], nil
		},
		ComplexGrad: func(z, gr []complex128) error {
			if len(gr) != len(names) {
				return fmt.Errorf("numdiff: gradient has room for %d values, want %d", len(gr), len(names))
			}
			out, err := c.eval(z, grads...)
			if err != nil {
				return err
			}
			off := 0
			for _, o := range out {
				off += copy(gr[off:], o)
			}
			return nil
		},
	}, nil
}

// gather copies the outputs first, first+1, … of ws, one per variable,
// into the flat dst.
func gather(dst []float64, ws *ad.Workspace, first, n int) {
	off := 0
	for k := range n {
		off += copy(dst[off:], ws.Output(first+k))
	}
}

// A runner is a compiled program with a pool of workspaces, so that it can
// run in several goroutines at once.
type runner struct {
	prog *ad.Program
	pool sync.Pool
}

func newRunner(g *ad.Graph, inputs []ad.Node, outputs ...ad.Node) (*runner, error) {
	p, err := g.CompileWith(inputs, outputs...)
	if err != nil {
		return nil, err
	}
	r := &runner{prog: p}
	r.pool.New = func() any { return p.NewWorkspace() }
	return r, nil
}

// run splits each flat slice of flats into variables of the given sizes,
// runs the program on them and passes the workspace to read. Non-finite
// outputs are explained by an *ad.NonFiniteError, after read has seen them.
func (r *runner) run(read func(*ad.Workspace), sizes []int, flats ...[]float64) error {
	n := 0
	for _, s := range sizes {
		n += s
	}
	in := make([][]float64, 0, len(sizes)*len(flats))
	for _, x := range flats {
		if len(x) != n {
			return fmt.Errorf("numdiff: got %d values, want %d", len(x), n)
		}
		off := 0
		for _, s := range sizes {
			in = append(in, x[off:off+s])
			off += s
		}
	}
	ws := r.pool.Get().(*ad.Workspace)
	defer r.pool.Put(ws)
	err := r.prog.RunChecked(ws, in)
	read(ws)
	return err
}

// complexEval evaluates nodes of a graph in complex arithmetic with the
// variables xs set from a flat slice and every other variable zero.
type complexEval struct {
	g     *ad.Graph
	pos   []int // where each of xs is in g.Vars()
	sizes []int
	vars  []ad.Node
}

func newComplexEval(g *ad.Graph, xs []ad.Node, sizes []int) *complexEval {
	c := &complexEval{g: g, sizes: sizes, vars: g.Vars()}
	for _, x := range xs {
		for i, v := range c.vars {
			if v == x {
				c.pos = append(c.pos, i)
			}
		}
	}
	return c
}

func (c *complexEval) eval(z []complex128, outs ...ad.Node) ([][]complex128, error) {
	in := make([][]complex128, len(c.vars))
	for i, v := range c.vars {
		in[i] = make([]complex128, c.g.Shape(v).Len())
	}
	off := 0
	for k, p := range c.pos {
		if off+c.sizes[k] > len(z) {
			return nil, fmt.Errorf("numdiff: got %d values, want more", len(z))
		}
		copy(in[p], z[off:off+c.sizes[k]])
		off += c.sizes[k]
	}
	if off != len(z) {
		return nil, fmt.Errorf("numdiff: got %d values, want %d", len(z), off)
	}
	return c.g.EvalComplex(outs, in)
}

// FromExpr returns the Function of a compiled expression, its variables
// flattened in f.Vars order. Values, gradients and forward-mode products
// come from f itself (EvalVec, GradVec, JVPVec, HVPVec); the complex
// evaluations come from a private compilation of the same source, so that
// f's graph is left alone.
func FromExpr(f *expr.Func) (Function, error) {
	opts := &expr.Options{Sizes: map[string]int{}}
	for _, v := range f.Vars() {
		opts.Vars = append(opts.Vars, v.Name)
		if !v.Shape.IsScalar() {
			opts.Sizes[v.Name] = v.Shape.Len()
		}
	}
	priv, err := expr.Compile(f.String(), opts)
	if err != nil {
		return Function{}, fmt.Errorf("numdiff: recompiling %q: %w", f.String(), err)
	}
	fn, err := FromGraph(priv.Graph(), priv.Output(), priv.Graph().Vars()...)
	if err != nil {
		return Function{}, err
	}
	fn.F = f.EvalVec
	fn.Grad = f.GradVec
	fn.JVP = f.JVPVec
	fn.HVP = f.HVPVec
	return fn, nil
}
