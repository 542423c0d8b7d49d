package ad

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// MaxDenseHessian is the largest number of variable elements for which
// Func.Hessian forms a dense matrix; beyond it the matrix would take more
// than 3.2 GB, and HVP products are the way.
const MaxDenseHessian = 20000

// symbolicHessianLimit is the size up to which the dense Hessian is built
// as nodes (reverse over reverse) rather than by one HVP per column: for
// small functions the single program is faster.
const symbolicHessianLimit = 16

// A Var is a variable of a Func: its name and shape.
type Var struct {
	Name  string
	Shape Shape
}

// A Point gives a value to each variable of a Func, by name. A scalar
// variable has a one-element slice, a matrix its elements row by row.
type Point map[string][]float64

// A Func is a compiled scalar function of named variables, with its
// derivatives: the one differentiable-function type of nabla. Its methods
// take the variables' values flattened into one slice, in Vars order (a
// vector variable contributes each of its elements, a matrix variable its
// elements row by row), write results into
// slices the caller owns, and allocate nothing in steady state. The By-name
// forms (EvalAt, GradAt, …) take Points instead.
//
// A NaN or infinite result is returned together with a *NonFiniteError
// naming the node where it first appeared, and any result at a point where
// a variable is NaN or infinite with one naming that variable. A Func is
// safe for concurrent use by multiple goroutines. Its derivative programs
// are built on first use, into a private copy of the graph it was made
// from, so the caller's graph never changes.
type Func struct {
	g       *Graph // private: derivative nodes are built here
	out     Node
	vars    []Var
	nodes   []Node // the variables' nodes in g, in vars order
	offsets []int  // where each variable starts in a flat vector
	dim     int

	mu       sync.Mutex // serializes building nodes into g
	grads    []Node     // ∇f per variable, built on first use
	tangents []Node     // one tangent variable per variable, for JVP and HVP

	value, grad, jvp, hvp, hess program
	// hessIdle holds the scratch of a Hessian by HVPs that is not running,
	// so that calls on one goroutine allocate it once, as program.idle
	// keeps a workspace: Dim floats for a unit vector, all zeros between
	// calls, and Dim for a column.
	hessIdle atomic.Pointer[[]float64]
}

// program is a lazily compiled Program with a pool of workspaces.
type program struct {
	once sync.Once
	done atomic.Bool // once has run: prog and err are set
	prog *Program
	err  error
	// idle and free hold idle workspaces. Unlike a sync.Pool's, they
	// survive garbage collections: a workspace can be as large as the
	// function's vectors, and a long optimizer run would otherwise allocate
	// it anew after every collection. idle holds the last one put back,
	// which is all a caller on one goroutine needs, at the cost of one
	// atomic swap where a channel takes a lock.
	idle atomic.Pointer[runState]
	free chan *runState
	nin  int // the program's number of inputs
	// The program's last outputs, from first on, are the parts of a flat
	// result, one per variable; direct holds their slots when the program
	// can write them straight into the caller's slice (Program.ownedOutput).
	first  int
	direct []slotInit
	// regs, when the program's inputs and outputs all live in registers, is
	// where they are, so that a run needs neither input slices nor copies.
	regs *flatRegs
}

// flatRegs places the flat slices of a Func in the register file of a
// program whose inputs and outputs all live there (Func.runRegisters).
type flatRegs struct {
	in  []uint32 // the register of each element of the point, then of the direction
	out []uint32 // the register of each element of the flat result, or nil
	all []uint32 // the registers of every output, to check for NaN and infinities
}

// get returns an idle workspace, or a new one when all are in use.
func (p *program) get() *runState {
	if st := p.idle.Swap(nil); st != nil {
		return st
	}
	select {
	case st := <-p.free:
		return st
	default:
		return &runState{ws: p.prog.NewWorkspace(), in: make([][]float64, p.nin)}
	}
}

// put returns a workspace to the idle ones, or drops it when as many as
// could run at once are idle already.
func (p *program) put(st *runState) {
	// st.in is left as it is: every run sets all of it, and the workspace
	// holds on to the inputs' slices as much.
	if p.idle.CompareAndSwap(nil, st) {
		return
	}
	select {
	case p.free <- st:
	default:
	}
}

// runState is what one run of a program needs besides its inputs.
type runState struct {
	ws *Workspace
	in [][]float64
}

// NewFunc returns y, a scalar node of g, as a function of vars (all of g's
// variables, in creation order, when vars is empty). It compiles the value
// at once; derivatives are compiled on first use. g is copied, so building
// more nodes in g afterwards is allowed and does not affect the Func.
func NewFunc(g *Graph, y Node, vars ...Node) (*Func, error) {
	if err := g.check(y); err != nil {
		return nil, err
	}
	if s := g.at(y).shape; !s.IsScalar() {
		return nil, &ShapeError{Op: "Func", Shapes: []Shape{s}, Msg: "the function's value must be a scalar"}
	}
	return newFunc(g, y, vars)
}

// newFunc is NewFunc for a value of any shape.
func newFunc(g *Graph, y Node, vars []Node) (*Func, error) {
	if err := g.check(y); err != nil {
		return nil, err
	}
	if err := g.check(vars...); err != nil {
		return nil, err
	}
	if len(vars) == 0 {
		vars = g.Vars()
	}
	priv := g.clone()
	f := &Func{g: priv, out: priv.handle(y.id - 1)}
	seen := make(map[Node]bool, len(vars))
	for _, v := range vars {
		nd := g.at(v)
		if nd.op != OpVar {
			return nil, fmt.Errorf("Func: %s is not a variable", g.Format(v))
		}
		if seen[v] {
			return nil, fmt.Errorf("Func: variable %q given twice", nd.name)
		}
		seen[v] = true
		f.vars = append(f.vars, Var{Name: nd.name, Shape: nd.shape})
		f.nodes = append(f.nodes, priv.handle(v.id-1))
		f.offsets = append(f.offsets, f.dim)
		f.dim += nd.shape.Len()
	}
	if _, err := f.program(&f.value, func() ([]Node, error) { return []Node{f.out}, nil }); err != nil {
		return nil, err
	}
	return f, nil
}

// clone returns a copy of g with a serial of its own. Nodes are immutable
// once built, so the copy shares their argument and constant slices; the
// slices either graph appends to are clipped so that appends reallocate.
func (g *Graph) clone() *Graph {
	c := &Graph{
		serial:   graphSerial.Add(1),
		nodes:    slices.Clip(slices.Clone(g.nodes)),
		interned: maps.Clone(g.interned),
		vectors:  make(map[uint64][]int32, len(g.vectors)),
		vars:     slices.Clone(g.vars),
		argPool:  slices.Clip(g.argPool),
		byName:   maps.Clone(g.byName),
	}
	for h, is := range g.vectors {
		c.vectors[h] = slices.Clone(is)
	}
	return c
}

// Vars returns the function's variables, in the order of its flat slices.
func (f *Func) Vars() []Var { return slices.Clone(f.vars) }

// Names names each element of the flat slices: x for a scalar variable x,
// v[0], v[1], … for a vector v, W[0,0], W[0,1], … for a matrix W, whose
// elements come row by row.
func (f *Func) Names() []string {
	names := make([]string, 0, f.dim)
	for _, v := range f.vars {
		for k := range v.Shape.Len() {
			names = append(names, ElementName(v.Name, v.Shape, k))
		}
	}
	return names
}

// Dim returns the number of scalar inputs: the sum of the lengths of the
// variables.
func (f *Func) Dim() int { return f.dim }

// String returns the function's value printed as source of nabla's
// expression language.
func (f *Func) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.g.Format(f.out)
}

// program compiles p on first use with the outputs build returns; the
// inputs are the function's variables.
func (f *Func) program(p *program, build func() ([]Node, error)) (*program, error) {
	if p.done.Load() { // every call but the first: no closures to make
		return p, p.err
	}
	return f.programWith(p, func() ([]Node, []Node, error) {
		outs, err := build()
		return f.nodes, outs, err
	})
}

// programWith compiles p on first use with the inputs and outputs build
// returns.
func (f *Func) programWith(p *program, build func() (inputs, outputs []Node, err error)) (*program, error) {
	if p.done.Load() {
		return p, p.err
	}
	p.once.Do(func() {
		defer p.done.Store(true)
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
		p.prog, p.nin = prog, len(ins)
		p.free = make(chan *runState, runtime.GOMAXPROCS(0))
		p.first = len(outs) - len(f.vars)
		p.direct = f.directOutputs(prog, p.first)
		p.regs = f.flatRegisters(prog, p.first)
	})
	return p, p.err
}

// gradNodes returns ∇f, built on first use; f.mu must be held.
func (f *Func) gradNodes() ([]Node, error) {
	if f.grads != nil {
		return f.grads, nil
	}
	grads, err := f.g.Grad(f.out, f.nodes...)
	if err != nil {
		return nil, err
	}
	f.grads = grads
	return grads, nil
}

// tangentVars returns one tangent variable per variable, made on first
// use; f.mu must be held. Their names cannot clash with a variable of the
// language.
func (f *Func) tangentVars() ([]Node, error) {
	if f.tangents != nil {
		return f.tangents, nil
	}
	ts := make([]Node, len(f.vars))
	for i, v := range f.vars {
		t, err := f.g.Var("tangent:"+v.Name, v.Shape)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	f.tangents = ts
	return ts, nil
}

func (f *Func) gradProgram() (*program, error) {
	return f.program(&f.grad, func() ([]Node, error) {
		grads, err := f.gradNodes()
		return append([]Node{f.out}, grads...), err
	})
}

// tangentProgram compiles p with the variables and their tangents as
// inputs and the outputs outs builds from the tangents.
func (f *Func) tangentProgram(p *program, outs func(ts []Node) ([]Node, error)) (*program, error) {
	return f.programWith(p, func() ([]Node, []Node, error) {
		ts, err := f.tangentVars()
		if err != nil {
			return nil, nil, err
		}
		o, err := outs(ts)
		return append(slices.Clip(f.nodes), ts...), o, err
	})
}

func (f *Func) jvpProgram() (*program, error) {
	return f.tangentProgram(&f.jvp, func(ts []Node) ([]Node, error) {
		t, err := f.g.JVP([]Node{f.out}, f.nodes, ts)
		if err != nil {
			return nil, err
		}
		return []Node{f.out, t[0]}, nil
	})
}

func (f *Func) hvpProgram() (*program, error) {
	return f.tangentProgram(&f.hvp, func(ts []Node) ([]Node, error) {
		grads, err := f.gradNodes()
		if err != nil {
			return nil, err
		}
		return f.g.JVP(grads, f.nodes, ts)
	})
}

func (f *Func) hessProgram() (*program, error) {
	return f.program(&f.hess, func() ([]Node, error) {
		h, err := f.g.Hessian(f.out, f.nodes...)
		if err != nil {
			return nil, err
		}
		var outs []Node
		for i, row := range h {
			outs = append(outs, row[i:]...)
		}
		return outs, nil
	})
}

// Precompile compiles now the programs that the derivative methods
// otherwise compile on first use: the gradient, JVP, HVP and, for
// functions of few variables, the dense Hessian. A caller timing those
// methods calls it first, so that the first call costs what the others do.
func (f *Func) Precompile() error {
	progs := []func() (*program, error){f.gradProgram, f.jvpProgram, f.hvpProgram}
	if f.dim <= symbolicHessianLimit {
		progs = append(progs, f.hessProgram)
	}
	for _, compile := range progs {
		if _, err := compile(); err != nil {
			return err
		}
	}
	return nil
}

// split sets in[first:] to the parts of the flat x that belong to each
// variable.
func (f *Func) split(in [][]float64, first int, x []float64, what string) error {
	if len(x) != f.dim {
		return fmt.Errorf("%s has %d values, want %d", what, len(x), f.dim)
	}
	// Each part ends where the next begins, without a shape's length to
	// work out per call.
	in = in[first : first+len(f.offsets)]
	for i, start := range f.offsets {
		end := f.dim
		if i+1 < len(f.offsets) {
			end = f.offsets[i+1]
		}
		in[i] = x[start:end]
	}
	return nil
}

// gather copies outputs first, first+1, … of ws, one per variable, into the
// flat dst.
func (f *Func) gather(dst []float64, ws *Workspace, first int) {
	for i := range f.vars {
		copy(dst[f.offsets[i]:], ws.Output(first+i))
	}
}

// directOutputs returns the slots of prog's outputs first, first+1, …, one
// per variable, if each is a buffer of the workspace's own that a run can
// write into the caller's flat result instead, or nil.
func (f *Func) directOutputs(prog *Program, first int) []slotInit {
	if first < 0 {
		return nil
	}
	direct := make([]slotInit, len(f.vars))
	for i, v := range f.vars {
		si, ok := prog.ownedOutput(first + i)
		if !ok || si.len != v.Shape.Len() {
			return nil
		}
		direct[i] = si
	}
	return direct
}

// run runs p on x (and, for tangent programs, v), writes its flat result
// into out (unless out is nil), then passes the workspace to read (unless
// read is nil). Non-finite outputs are read too, and explained by the
// returned *NonFiniteError.
func (f *Func) run(p *program, x, v, out []float64, read func(*Workspace)) error {
	if r := p.regs; r != nil && len(x) == f.dim && len(v) == len(r.in)-len(x) && (out == nil || r.out != nil) {
		st := p.get()
		ok := runRegisters(p.prog, st.ws, r, x, v, out)
		if ok && read != nil {
			read(st.ws)
		}
		p.put(st)
		if ok {
			return nil
		}
	}
	return f.exec(p, func(in [][]float64) error {
		if err := f.split(in, 0, x, "the point"); err != nil {
			return err
		}
		if v != nil {
			return f.split(in, len(f.vars), v, "the direction")
		}
		return nil
	}, out, read)
}

// exec runs p on the inputs set writes, as run does. The flat result goes
// straight into out when the program can write it there and out shares no
// memory with an input, so that there is nothing to copy.
func (f *Func) exec(p *program, set func(in [][]float64) error, out []float64, read func(*Workspace)) error {
	st := p.get()
	defer p.put(st)
	if err := set(st.in); err != nil {
		return err
	}
	direct := out != nil && p.direct != nil
	for i := 0; direct && i < len(st.in); i++ {
		direct = !overlap(st.in[i], out)
	}
	if direct {
		for i, si := range p.direct {
			st.ws.v[si.slot] = out[f.offsets[i] : f.offsets[i]+si.len : f.offsets[i]+si.len]
		}
		defer st.ws.presetSlots(p.direct)
	}
	err := p.prog.RunChecked(st.ws, st.in)
	if out != nil && !direct {
		f.gather(out, st.ws, p.first)
	}
	if read != nil {
		read(st.ws)
	}
	return err
}

// flatRegisters returns where prog's inputs, the variables and for a
// tangent program their directions, and its outputs live in the register
// file, with outputs first, first+1, … the flat result, if all live there
// and a run of prog can be checked by its outputs alone, or nil.
func (f *Func) flatRegisters(prog *Program, first int) *flatRegs {
	if prog.regIn == nil || prog.folded != nil || !prog.tracksInputs() {
		return nil
	}
	for i := range prog.code {
		if prog.code[i].fused != nil {
			return nil
		}
	}
	r := &flatRegs{}
	for _, t := range prog.regIn {
		for i := range t.n {
			r.in = append(r.in, uint32(t.reg+i))
		}
	}
	// outRegs returns the registers of output k, or nil.
	outRegs := func(k int) []uint32 {
		l := prog.outLoc[k]
		if !l.vec {
			return []uint32{uint32(l.i)}
		}
		for _, si := range prog.slotInit {
			if si.slot == l.i && si.reg {
				regs := make([]uint32, si.len)
				for i := range regs {
					regs[i] = uint32(si.off + i)
				}
				return regs
			}
		}
		return nil
	}
	for k := range prog.outLoc {
		regs := outRegs(k)
		if regs == nil {
			return nil
		}
		r.all = append(r.all, regs...)
		if k >= first && first >= 0 {
			r.out = append(r.out, regs...)
		}
	}
	if len(r.out) != f.dim {
		r.out = nil
	}
	return r
}

// runRegisters is Func.run for a program whose inputs and outputs all live
// in registers (r): x and v go straight into the register file, the flat
// result comes straight out of it. It reports false, leaving out as it
// may, when an output is NaN or infinite: then the run must be explained
// by the general path.
func runRegisters(prog *Program, ws *Workspace, r *flatRegs, x, v, out []float64) bool {
	s := ws.s
	regs := unsafe.Pointer(unsafe.SliceData(s))
	in := r.in[:len(x)]
	for i, xi := range x {
		*regAt(regs, in[i]) = xi
	}
	in = r.in[len(x):]
	in = in[:len(v)]
	for i, vi := range v {
		*regAt(regs, in[i]) = vi
	}
	prog.runSteps(ws)
	for _, k := range r.all {
		if y := *regAt(regs, k); y-y != 0 { // NaN for NaN and ±Inf
			return false
		}
	}
	if out != nil {
		out = out[:len(r.out)]
		for i, k := range r.out {
			out[i] = *regAt(regs, k)
		}
	}
	return true
}

// overlap reports whether a and b share memory.
func overlap(a, b []float64) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0, b0 := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return a0 < b0+uintptr(len(b))*8 && b0 < a0+uintptr(len(a))*8
}

// checkLen reports a result slice of the wrong length.
func (f *Func) checkLen(dst []float64, what string) error {
	if len(dst) != f.dim {
		return fmt.Errorf("%s has room for %d values, want %d", what, len(dst), f.dim)
	}
	return nil
}

// Eval returns f(x).
func (f *Func) Eval(x []float64) (float64, error) {
	var y float64
	err := f.run(&f.value, x, nil, nil, func(ws *Workspace) { y = ws.Scalar(0) })
	return y, err
}

// Grad returns f(x) and writes the gradient ∇f(x) into grad, in one
// reverse-mode pass.
func (f *Func) Grad(x, grad []float64) (float64, error) {
	if err := f.checkLen(grad, "the gradient"); err != nil {
		return 0, err
	}
	p, err := f.gradProgram()
	if err != nil {
		return 0, err
	}
	var y float64
	err = f.run(p, x, nil, grad, func(ws *Workspace) { y = ws.Scalar(0) })
	return y, err
}

// VJP returns f(x) and writes the vector-Jacobian product ct·∇f(x) into
// out: the reverse-mode pull-back of the cotangent ct of the value.
func (f *Func) VJP(x []float64, ct float64, out []float64) (float64, error) {
	y, err := f.Grad(x, out)
	floats.Scale(ct, out)
	return y, err
}

// JVP returns f(x) and the Jacobian-vector product ∇f(x)·v, by one
// forward-mode pass.
func (f *Func) JVP(x, v []float64) (value, jvp float64, err error) {
	p, err := f.jvpProgram()
	if err != nil {
		return 0, 0, err
	}
	err = f.run(p, x, v, nil, func(ws *Workspace) { value, jvp = ws.Scalar(0), ws.Scalar(1) })
	return value, jvp, err
}

// HVP writes the Hessian-vector product ∇²f(x)·v into hv: forward mode
// over the reverse-mode gradient, at a small multiple of a gradient's cost
// and without forming the Hessian.
func (f *Func) HVP(x, v, hv []float64) error {
	if err := f.checkLen(hv, "the product"); err != nil {
		return err
	}
	p, err := f.hvpProgram()
	if err != nil {
		return err
	}
	return f.run(p, x, v, hv, nil)
}

// Hessian writes the dense Hessian ∇²f(x) into h, which must be Dim×Dim or
// empty (then it is sized). Small functions get it from one compiled
// program of the Hessian's upper triangle, larger ones from one HVP per
// column, so the graph never holds n² nodes. Functions of more than
// MaxDenseHessian elements are refused: use HVP. Calls after the first
// allocate nothing, unless another goroutine is computing a Hessian of f
// at the same time.
func (f *Func) Hessian(x []float64, h *mat.SymDense) error {
	n := f.dim
	if n > MaxDenseHessian {
		return fmt.Errorf("a dense Hessian of %d variables needs %.3g GB; use HVP products instead", n, float64(n)*float64(n)*8/1e9)
	}
	if h.IsEmpty() {
		h.ReuseAsSym(n)
	}
	if r := h.SymmetricDim(); r != n {
		return fmt.Errorf("the Hessian is %d×%d, want %d×%d", r, r, n, n)
	}
	if n <= symbolicHessianLimit {
		return f.hessianSymbolic(x, h)
	}
	buf := f.hessIdle.Swap(nil)
	if buf == nil {
		b := make([]float64, 2*n)
		buf = &b
	}
	err := f.hessianByHVP(x, h, *buf)
	f.hessIdle.Store(buf)
	return err
}

// hessianSymbolic runs one program of the Hessian's upper triangle.
func (f *Func) hessianSymbolic(x []float64, h *mat.SymDense) error {
	p, err := f.hessProgram()
	if err != nil {
		return err
	}
	return f.run(p, x, nil, nil, func(ws *Workspace) {
		k := 0
		for i := range f.dim {
			for j := i; j < f.dim; j++ {
				h.SetSym(i, j, ws.Scalar(k))
				k++
			}
		}
	})
}

// hessianByHVP fills h one column at a time, by HVPs with the unit vectors,
// averaging the two computed triangles so that rounding cannot make it
// unsymmetric. buf is the scratch that Func.hessIdle describes.
func (f *Func) hessianByHVP(x []float64, h *mat.SymDense, buf []float64) error {
	n := f.dim
	e, col := buf[:n], buf[n:]
	var first error
	for j := range n {
		e[j] = 1
		if err := f.HVP(x, e, col); err != nil && first == nil {
			first = err
		}
		e[j] = 0
		for i := 0; i < j; i++ {
			h.SetSym(i, j, (h.At(i, j)+col[i])/2)
		}
		h.SetSym(j, j, col[j])
		for i := j + 1; i < n; i++ {
			h.SetSym(j, i, col[i])
		}
	}
	return first
}

// EvalComplex returns f(z) evaluated in complex arithmetic, for
// complex-step differentiation. It walks the graph and is meant for
// checking, not speed. A function through an operation with no analytic
// complex form gives an error wrapping ErrNoComplex.
func (f *Func) EvalComplex(z []complex128) (complex128, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out, err := f.evalComplex(z, f.out)
	if err != nil {
		return 0, err
	}
	return out[0][0], nil
}

// GradComplex writes ∇f(z), evaluated in complex arithmetic, into grad:
// complex steps on the gradient give second derivatives.
func (f *Func) GradComplex(z, grad []complex128) error {
	if len(grad) != f.dim {
		return fmt.Errorf("the gradient has room for %d values, want %d", len(grad), f.dim)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	grads, err := f.gradNodes()
	if err != nil {
		return err
	}
	out, err := f.evalComplex(z, grads...)
	if err != nil {
		return err
	}
	for i, o := range out {
		copy(grad[f.offsets[i]:], o)
	}
	return nil
}

// evalComplex evaluates outs at z, with every variable of the graph that
// is not one of f's (the tangents) zero; f.mu must be held.
func (f *Func) evalComplex(z []complex128, outs ...Node) ([][]complex128, error) {
	if len(z) != f.dim {
		return nil, fmt.Errorf("the point has %d values, want %d", len(z), f.dim)
	}
	in := make([][]complex128, len(f.g.vars))
	for k, v := range f.g.vars {
		in[k] = make([]complex128, f.g.nodes[v].shape.Len())
	}
	for i, n := range f.nodes {
		k := slices.Index(f.g.vars, n.id-1)
		copy(in[k], z[f.offsets[i]:f.offsets[i]+f.vars[i].Shape.Len()])
	}
	return f.g.EvalComplex(outs, in)
}

// ErrZeroDirection is returned for a directional derivative along the zero
// vector, which has no unit direction.
var ErrZeroDirection = errors.New("the direction is the zero vector")

// DirectionalDerivative returns D_u f = ∇f·u at x for the unit vector
// u = v/‖v‖: the textbook directional derivative, the rate of change of f
// per unit of distance along v.
func (f *Func) DirectionalDerivative(x, v []float64) (float64, error) {
	n := floats.Norm(v, 2)
	if n == 0 {
		return 0, ErrZeroDirection
	}
	if math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, errors.New("the direction is not finite")
	}
	_, jvp, err := f.JVP(x, v)
	return jvp / n, err
}

// DirectionalDerivativeAt is DirectionalDerivative with the point and the
// direction given by name; a variable missing from dir has a zero tangent.
func (f *Func) DirectionalDerivativeAt(at, dir Point) (float64, error) {
	x, err := f.Flatten(at)
	if err != nil {
		return 0, err
	}
	v, err := f.FlattenDirection(dir)
	if err != nil {
		return 0, err
	}
	return f.DirectionalDerivative(x, v)
}

// Flatten returns the values of a point in Vars order, as the flat methods
// take them. Every variable needs a value, and nothing else may have one.
func (f *Func) Flatten(at Point) ([]float64, error) {
	return f.flatten(at, "variable", false)
}

// FlattenDirection is Flatten for a direction: a variable it does not
// name has a zero tangent.
func (f *Func) FlattenDirection(dir Point) ([]float64, error) {
	return f.flatten(dir, "direction for", true)
}

func (f *Func) flatten(at Point, what string, zeroMissing bool) ([]float64, error) {
	x := make([]float64, f.dim)
	found := 0
	for i, v := range f.vars {
		val, ok := at[v.Name]
		if !ok {
			if zeroMissing {
				continue
			}
			return nil, fmt.Errorf("no value for variable %q", v.Name)
		}
		if len(val) != v.Shape.Len() {
			return nil, fmt.Errorf("%s %q is a %v but has %d values", what, v.Name, v.Shape, len(val))
		}
		copy(x[f.offsets[i]:], val)
		found++
	}
	if found < len(at) {
		var extra []string
		for name := range at {
			if !slices.ContainsFunc(f.vars, func(v Var) bool { return v.Name == name }) {
				extra = append(extra, name)
			}
		}
		return nil, fmt.Errorf("%q is not a variable of the function", slices.Min(extra))
	}
	return x, nil
}

// Unflatten splits a flat slice in Vars order into a Point.
func (f *Func) Unflatten(x []float64) Point {
	p := make(Point, len(f.vars))
	for i, v := range f.vars {
		p[v.Name] = slices.Clone(x[f.offsets[i] : f.offsets[i]+v.Shape.Len()])
	}
	return p
}

// EvalAt is Eval at a point given by name.
func (f *Func) EvalAt(at Point) (float64, error) {
	x, err := f.Flatten(at)
	if err != nil {
		return 0, err
	}
	return f.Eval(x)
}

// GradAt is Grad at a point given by name; the gradient has an entry for
// each variable, shaped like it.
func (f *Func) GradAt(at Point) (float64, Point, error) {
	x, err := f.Flatten(at)
	if err != nil {
		return 0, nil, err
	}
	grad := make([]float64, f.dim)
	y, err := f.Grad(x, grad)
	return y, f.Unflatten(grad), err
}

// JVPAt is JVP with the point and the direction given by name; a variable
// missing from dir has a zero tangent.
func (f *Func) JVPAt(at, dir Point) (value, jvp float64, err error) {
	x, err := f.Flatten(at)
	if err != nil {
		return 0, 0, err
	}
	v, err := f.FlattenDirection(dir)
	if err != nil {
		return 0, 0, err
	}
	return f.JVP(x, v)
}

// HVPAt is HVP with the point and the vector given by name.
func (f *Func) HVPAt(at, v Point) (Point, error) {
	x, err := f.Flatten(at)
	if err != nil {
		return nil, err
	}
	vv, err := f.FlattenDirection(v)
	if err != nil {
		return nil, err
	}
	hv := make([]float64, f.dim)
	err = f.HVP(x, vv, hv)
	return f.Unflatten(hv), err
}

// HessianAt returns the dense Hessian at a point given by name, its rows
// and columns in the order of the flat slices.
func (f *Func) HessianAt(at Point) (*mat.SymDense, error) {
	x, err := f.Flatten(at)
	if err != nil {
		return nil, err
	}
	var h mat.SymDense
	if err := f.Hessian(x, &h); err != nil {
		return &h, err
	}
	return &h, nil
}
