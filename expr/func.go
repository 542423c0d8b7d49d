package expr

import (
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/nabla-ad/nabla/ad"
)

// Options control how Compile reads a source.
type Options struct {
	// Vars declares the variables, in the order Func.Vars and the flat
	// vectors of EvalVec and GradVec use. When Vars is set, a name that is
	// neither a variable, a binding, a constant nor a function is an error;
	// when it is nil, every such name is a variable, in order of first
	// appearance in the source.
	Vars []string
	// Sizes gives the length of each vector variable. A variable not in
	// Sizes is a scalar.
	Sizes map[string]int
}

// A Var is a variable of a Func: its name and shape.
type Var struct {
	Name  string
	Shape ad.Shape
}

// A Point gives a value to each variable of a Func, by name. A scalar
// variable has a one-element slice.
type Point map[string][]float64

// A Func is a compiled expression: a differentiable function of its
// variables. A Func is safe for concurrent use by multiple goroutines.
type Func struct {
	src      string
	g        *ad.Graph
	out      ad.Node
	vars     []Var
	nodes    []ad.Node // the variables' nodes, in vars order
	offsets  []int     // where each variable starts in a flat vector
	dim      int
	warnings []Error

	mu    sync.Mutex // serializes building nodes into g
	value program    // the value
	grad  program    // the value and then the gradient of each variable
	fwd   forward    // programs for directional derivatives and Hessians
}

// program is a lazily compiled ad.Program with a pool of workspaces.
type program struct {
	once sync.Once
	prog *ad.Program
	err  error
	pool sync.Pool // of *runState
}

// runState is what one run of a program needs besides its inputs.
type runState struct {
	ws *ad.Workspace
	in [][]float64
}

// Compile parses src and builds it into a new graph. The result, the last
// statement of src, must be a scalar. opts may be nil. Compile returns an
// *Error when it finds one error and an ErrorList when it finds several.
func Compile(src string, opts *Options) (*Func, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if len(src) > MaxSourceLen {
		return nil, &Error{Msg: fmt.Sprintf("source too long: %d bytes (limit %d)", len(src), MaxSourceLen)}
	}
	stmts, errs := parse(src)
	if err := errs.err(); err != nil {
		return nil, err
	}
	g := ad.NewGraph()
	l := newLowerer(g, src)
	l.sizes = opts.Sizes
	if opts.Vars != nil {
		l.declared = true
		for _, name := range opts.Vars {
			shape := ad.Scalar()
			if n, ok := opts.Sizes[name]; ok {
				shape = ad.Vector(n)
			}
			v, err := g.Var(name, shape)
			if err != nil {
				return nil, &Error{Msg: "expr: " + err.Error()}
			}
			l.vars[name] = v
		}
	}
	out, ok := l.lowerStmts(stmts)
	if ok {
		if s := g.Shape(out); !s.IsScalar() {
			last := stmts[len(stmts)-1].x
			l.errorf(last.start(), "result must be a scalar, got %v", s)
		}
	}
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	f := &Func{src: src, g: g, out: out, warnings: l.warnings()}
	for _, v := range g.Vars() {
		s := g.Shape(v)
		f.vars = append(f.vars, Var{Name: g.Name(v), Shape: s})
		f.nodes = append(f.nodes, v)
		f.offsets = append(f.offsets, f.dim)
		f.dim += s.Len()
	}
	if _, err := f.program(&f.value, func() ([]ad.Node, error) { return []ad.Node{f.out}, nil }); err != nil {
		return nil, err
	}
	return f, nil
}

// MustCompile is like Compile with no options but panics if the source
// cannot be compiled. It simplifies safe initialization of global variables
// holding compiled expressions.
func MustCompile(src string) *Func {
	f, err := Compile(src, nil)
	if err != nil {
		panic("expr: Compile(" + strconv.Quote(src) + "): " + err.Error())
	}
	return f
}

// check validates the options.
func (o *Options) check() error {
	seen := map[string]bool{}
	for _, name := range o.Vars {
		if err := checkVarName(name); err != nil {
			return err
		}
		if seen[name] {
			return &Error{Msg: fmt.Sprintf("expr: variable %q declared twice", name)}
		}
		seen[name] = true
	}
	for name, n := range o.Sizes {
		if err := checkVarName(name); err != nil {
			return err
		}
		if o.Vars != nil && !seen[name] {
			return &Error{Msg: fmt.Sprintf("expr: size given for %q, which is not a declared variable", name)}
		}
		if n < 1 {
			return &Error{Msg: fmt.Sprintf("expr: size of %q must be at least 1, got %d", name, n)}
		}
	}
	return nil
}

func checkVarName(name string) error {
	lx := newLexer(name)
	if t := lx.next(); t.kind != tName || t.end != len(name) {
		return &Error{Msg: fmt.Sprintf("expr: %q is not a valid variable name", name)}
	}
	if isFunc(name) || isConst(name) {
		return &Error{Msg: fmt.Sprintf("expr: %q cannot be a variable: it is a function or constant of the language", name)}
	}
	return nil
}

// err returns nil, the only error, or the list.
func (l ErrorList) err() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return l
}

// Parse parses src and builds it into g, returning the node of its result,
// the last statement. Names resolve to g's variables; any other name that
// is not a binding, constant or function is an error. Unlike Compile, Parse
// accepts a vector result. Parse is the inverse of g.Format: parsing the
// printed form of a node gives back the same node.
func Parse(g *ad.Graph, src string) (ad.Node, error) {
	if len(src) > MaxSourceLen {
		return ad.Node{}, &Error{Msg: fmt.Sprintf("source too long: %d bytes (limit %d)", len(src), MaxSourceLen)}
	}
	stmts, errs := parse(src)
	if err := errs.err(); err != nil {
		return ad.Node{}, err
	}
	l := newLowerer(g, src)
	l.declared = true
	for _, v := range g.Vars() {
		l.vars[g.Name(v)] = v
	}
	out, _ := l.lowerStmts(stmts)
	if err := l.errs.err(); err != nil {
		return ad.Node{}, err
	}
	return out, nil
}

// Vars returns the function's variables, in the order of the flat vectors
// of EvalVec and GradVec.
func (f *Func) Vars() []Var { return slices.Clone(f.vars) }

// Dim returns the total number of scalar inputs: the sum of the lengths of
// the variables.
func (f *Func) Dim() int { return f.dim }

// Graph returns the graph the function was built into. Building more nodes
// in it is allowed but not concurrently with the Func's own methods.
func (f *Func) Graph() *ad.Graph { return f.g }

// Output returns the node of the function's value.
func (f *Func) Output() ad.Node { return f.out }

// String returns the source text the function was compiled from. The
// printed form of the built graph is f.Graph().Format(f.Output()).
func (f *Func) String() string { return f.src }

// Warnings returns problems that did not stop the compilation, such as
// bindings that are never used.
func (f *Func) Warnings() []Error { return slices.Clone(f.warnings) }

// program compiles p on first use with the outputs build returns; the
// inputs are the function's variables.
func (f *Func) program(p *program, build func() ([]ad.Node, error)) (*program, error) {
	return f.programWith(p, func() ([]ad.Node, []ad.Node, error) {
		outs, err := build()
		return f.nodes, outs, err
	})
}

// programWith compiles p on first use with the inputs and outputs build
// returns.
func (f *Func) programWith(p *program, build func() (inputs, outputs []ad.Node, err error)) (*program, error) {
	p.once.Do(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		ins, outs, err := build()
		if err != nil {
			p.err = err
			return
		}
		prog, err := f.g.CompileWith(ins, outs...)
		if err != nil {
			p.err = err
			return
		}
		p.prog = prog
		p.pool.New = func() any {
			return &runState{ws: prog.NewWorkspace(), in: make([][]float64, len(ins))}
		}
	})
	return p, p.err
}

// gradProgram returns the program computing the value and the gradient.
func (f *Func) gradProgram() (*program, error) {
	return f.program(&f.grad, func() ([]ad.Node, error) {
		grads, err := f.g.Grad(f.out, f.nodes...)
		if err != nil {
			return nil, err
		}
		return append([]ad.Node{f.out}, grads...), nil
	})
}

// pointInputs sets st.in to the values at gives the variables.
func (f *Func) pointInputs(st *runState, at Point) error {
	for i, v := range f.vars {
		x, ok := at[v.Name]
		if !ok {
			return fmt.Errorf("expr: no value for variable %q", v.Name)
		}
		if len(x) != v.Shape.Len() {
			return fmt.Errorf("expr: variable %q is a %v but has %d values", v.Name, v.Shape, len(x))
		}
		st.in[i] = x
	}
	if len(at) > len(f.vars) {
		var extra []string
		for name := range at {
			if !slices.ContainsFunc(f.vars, func(v Var) bool { return v.Name == name }) {
				extra = append(extra, name)
			}
		}
		slices.Sort(extra)
		return fmt.Errorf("expr: %q is not a variable of the function", extra[0])
	}
	return nil
}

// flatInputs sets st.in to the slices of x that belong to each variable.
func (f *Func) flatInputs(st *runState, x []float64) error {
	if len(x) != f.dim {
		return fmt.Errorf("expr: got %d values, want %d", len(x), f.dim)
	}
	for i, v := range f.vars {
		st.in[i] = x[f.offsets[i] : f.offsets[i]+v.Shape.Len()]
	}
	return nil
}

// run runs p with inputs set by set, then passes the workspace to read.
// The value is returned even when it is not finite, together with an
// *ad.NonFiniteError saying where that came from.
func (f *Func) run(p *program, set func(*runState) error, read func(*ad.Workspace)) (float64, error) {
	st := p.pool.Get().(*runState)
	defer func() {
		clear(st.in)
		p.pool.Put(st)
	}()
	if err := set(st); err != nil {
		return 0, err
	}
	err := p.prog.RunChecked(st.ws, st.in)
	if read != nil {
		read(st.ws)
	}
	return st.ws.Scalar(0), err
}

// Eval returns the value of f at a point, which must give a value to every
// variable and to nothing else. A NaN or infinite value is returned
// together with an *ad.NonFiniteError naming the subexpression where it
// first appeared.
func (f *Func) Eval(at Point) (float64, error) {
	return f.run(&f.value, func(st *runState) error { return f.pointInputs(st, at) }, nil)
}

// EvalVec is like Eval with the variables' values flattened into x in
// Vars order.
func (f *Func) EvalVec(x []float64) (float64, error) {
	return f.run(&f.value, func(st *runState) error { return f.flatInputs(st, x) }, nil)
}

// Grad returns the value and the gradient of f at a point; the gradient
// has an entry for each variable, shaped like it.
func (f *Func) Grad(at Point) (float64, Point, error) {
	p, err := f.gradProgram()
	if err != nil {
		return 0, nil, err
	}
	var grad Point
	v, err := f.run(p, func(st *runState) error { return f.pointInputs(st, at) }, func(ws *ad.Workspace) {
		grad = make(Point, len(f.vars))
		for i, v := range f.vars {
			grad[v.Name] = slices.Clone(ws.Output(i + 1))
		}
	})
	return v, grad, err
}

// GradVec is like Grad with the variables' values flattened into x and the
// gradient written into grad, both in Vars order. It allocates nothing in
// steady state.
func (f *Func) GradVec(x, grad []float64) (float64, error) {
	if len(grad) != f.dim {
		return 0, fmt.Errorf("expr: gradient has room for %d values, want %d", len(grad), f.dim)
	}
	p, err := f.gradProgram()
	if err != nil {
		return 0, err
	}
	return f.run(p, func(st *runState) error { return f.flatInputs(st, x) }, func(ws *ad.Workspace) {
		for i := range f.vars {
			copy(grad[f.offsets[i]:], ws.Output(i+1))
		}
	})
}
