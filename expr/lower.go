package expr

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/nabla-ad/nabla/ad"
)

// maxElems bounds the memory a short source can ask for. The elements of
// the constant vectors one source creates (with range, fill, vector
// literals of constants, and operations on them) may not exceed it
// together, and no vector the source builds (with fill, scatter, range or
// a vector literal) may be longer than maxElems plus the elements of the
// caller's variables, which the caller has already paid for.
//
// It is a variable so that tests can lower it.
var maxElems = 1 << 24

// lowerer builds the statements of a parsed source into an ad.Graph,
// resolving names and checking shapes, arities and constant parameters.
type lowerer struct {
	g        *ad.Graph
	src      string
	errs     ErrorList
	vars     map[string]ad.Node
	varAt    map[string]int      // where an undeclared variable first appeared
	declared bool                // names not in vars are errors, not new variables
	shapes   map[string]ad.Shape // the variables that are not scalars
	consts   map[string]Const
	constAt  map[string]ad.Node // the constants used so far
	budget   int                // vector constant elements the source may still create
	maxLen   int                // the longest vector the source may build
	known    int                // graph nodes already charged for or not made by this source

	top    *scope               // the bindings of the top level
	fr     frame                // where names are looked up now
	funcs  map[string]*userFunc // the functions defined so far
	later  map[string]int       // every function the source defines: where
	ctx    *gradCtx             // the innermost derivative taken with respect to a binding
	decls  map[*name]*decl      // what may be warned about as never used
	unroll unrolling
	nbind  int  // the bindings made so far
	depth  int  // the nesting of lower calls
	halted bool // a limit was hit: lower nothing more

	reported map[errKey]bool
}

// newLowerer returns a lowerer of src into g, whose caller's variables
// hold varElems elements together.
func newLowerer(g *ad.Graph, src string, varElems int) *lowerer {
	top := &scope{kind: scopeTop, names: map[string]*binding{}}
	return &lowerer{
		g:       g,
		src:     src,
		vars:    map[string]ad.Node{},
		varAt:   map[string]int{},
		budget:  maxElems,
		constAt: map[string]ad.Node{},
		maxLen:  maxElems + varElems,
		known:   g.Len(),
		top:     top,
		fr:      frame{sc: top},
		funcs:   map[string]*userFunc{},
		later:   map[string]int{},
		decls:   map[*name]*decl{},

		reported: map[errKey]bool{},
	}
}

// lowerStmts builds the top-level statements and returns the node of the
// result, the last statement. Errors are collected in l.errs.
func (l *lowerer) lowerStmts(stmts []stmt) (ad.Node, bool) {
	for _, s := range stmts {
		if s.fn != nil {
			if _, ok := l.later[s.fn.name.id]; !ok {
				l.later[s.fn.name.id] = s.fn.name.at
			}
		}
	}
	result, ok := l.lowerBlock(stmts, true)
	slices.SortStableFunc(l.errs, func(a, b *Error) int { return a.Offset - b.Offset })
	if len(l.errs) > maxErrors {
		l.errs = l.errs[:maxErrors]
	}
	return result, ok && len(l.errs) == 0
}

// lowerBlock builds statements in the current scope. When result is set
// (the top level, a function's body) the last statement is an expression
// whose node lowerBlock returns; otherwise (a loop's body) there is none.
func (l *lowerer) lowerBlock(stmts []stmt, result bool) (ad.Node, bool) {
	var out ad.Node
	outOK := false
	for i, s := range stmts {
		if l.full() {
			break
		}
		last := i == len(stmts)-1
		switch {
		case s.fn != nil:
			l.define(s.fn)
			if last && result {
				l.errorf(s.fn.name.at, "missing result: the last statement defines function %q", s.fn.name.id)
			}
		case s.loop != nil:
			l.lowerLoop(s.loop)
			if last && result {
				l.errorf(s.loop.at, "missing result: the last statement is a loop")
			}
		case s.bind != nil:
			l.bindStmt(s)
			if last && result {
				l.errorf(s.bind.at, "missing result: the last statement binds %q", s.bind.id)
			}
		default:
			n, ok := l.lower(s.x)
			if last && result {
				out, outOK = n, ok
				break
			}
			msg := "unused expression (only the last statement is the result)"
			if !result {
				msg = "unused expression (a loop's body has no result)"
			}
			if !last {
				if u, ok := stmts[i+1].x.(*unary); ok && stmts[i+1].bind == nil && startsLine(l.src, u.at) {
					msg = "unused expression: the line break after it ended the statement (to continue, end the line with the operator)"
				}
			}
			l.errorf(s.x.start(), "%s", msg)
		}
	}
	return out, outOK
}

// pos formats offset off as "line:col".
func (l *lowerer) pos(off int) string {
	e := errorAt(l.src, off, "")
	return fmt.Sprintf("%d:%d", e.Line, e.Col)
}

func (l *lowerer) full() bool { return l.halted || len(l.errs) >= maxErrors }

// errorf records an error at off. An error in the body of a function
// says which call it was found in; an error found again (in another pass
// of a loop, another call of a function) is recorded once.
func (l *lowerer) errorf(off int, format string, args ...any) {
	if l.full() {
		return
	}
	msg := fmt.Sprintf(format, args...)
	k := errKey{off, msg}
	if l.reported[k] {
		return
	}
	l.reported[k] = true
	if f := l.fr.fn; f != nil {
		msg += fmt.Sprintf(" (in %s, called at %s)", f.def.name.id, l.pos(l.fr.callAt))
	}
	l.errs = append(l.errs, errorAt(l.src, off, msg))
}

// errKey identifies an error by its position and message without the call
// it was found in.
type errKey struct {
	off int
	msg string
}

// adError reports an error of the graph builder at off.
func (l *lowerer) adError(off int, err error) {
	l.errorf(off, "%s", err.Error())
}

// lower builds n into the graph. It reports false, after recording an
// error, when n or a part of it is faulty.
func (l *lowerer) lower(n node) (ad.Node, bool) {
	if l.full() || !l.step(n) {
		return ad.Node{}, false
	}
	l.depth++
	defer func() { l.depth-- }()
	switch n := n.(type) {
	case *number:
		return l.g.Const(n.val), true
	case *name:
		return l.lowerName(n)
	case *paren:
		return l.lower(n.x)
	case *unary:
		x, ok := l.lower(n.x)
		if !ok || n.op == tPlus {
			return x, ok
		}
		return l.check(n.at)(l.g.Neg(x))
	case *binary:
		return l.lowerBinary(n)
	case *call:
		return l.lowerCall(n)
	case *index:
		return l.lowerIndex(n)
	case *slice:
		return l.lowerSlice(n)
	case *vector:
		return l.lowerVector(n)
	case *subscripts:
		return l.lowerSubscripts(n)
	}
	// *bad: the parser has reported it.
	return ad.Node{}, false
}

// check returns a function that passes on a graph builder's result,
// reporting its error at off.
func (l *lowerer) check(off int) func(ad.Node, error) (ad.Node, bool) {
	return func(n ad.Node, err error) (ad.Node, bool) {
		if err != nil {
			l.adError(off, err)
			return ad.Node{}, false
		}
		// A new vector takes memory when the program runs, and a new
		// vector constant (range(n), or an operation on constants folded
		// by the graph) holds its elements already: charge them.
		if n.ID() >= l.known {
			l.known = l.g.Len()
			s := l.g.Shape(n)
			if !s.IsScalar() && (!l.fits(off, float64(s.Len())) || l.g.Op(n) == ad.OpConst && !l.spend(off, s.Len())) {
				return ad.Node{}, false
			}
		}
		return n, true
	}
}

// lowerBinary builds a chain of binary operators. A long left-associative
// chain (a sum of 100,000 terms) is walked iteratively, so that its depth
// does not become recursion depth.
func (l *lowerer) lowerBinary(n *binary) (ad.Node, bool) {
	var chain []*binary
	var x node = n
	for {
		b, ok := x.(*binary)
		if !ok {
			break
		}
		chain = append(chain, b)
		x = b.x
	}
	acc, ok := l.lower(x)
	for i := len(chain) - 1; i >= 0; i-- {
		b := chain[i]
		y, yok := l.lower(b.y)
		if !ok || !yok {
			ok = false
			continue
		}
		acc, ok = l.binop(b, acc, y)
	}
	return acc, ok
}

func (l *lowerer) binop(b *binary, x, y ad.Node) (ad.Node, bool) {
	if b.op == tAt {
		return l.matmul(b, x, y)
	}
	sx, sy := l.g.Shape(x), l.g.Shape(y)
	if _, err := ad.Broadcast(sx, sy); err != nil {
		l.errorf(b.opAt, "shape mismatch: %v %s %v", sx, b.text, sy)
		return ad.Node{}, false
	}
	var op func(a, b ad.Node) (ad.Node, error)
	switch b.op {
	case tPlus:
		op = l.g.Add
	case tMinus:
		op = l.g.Sub
	case tStar:
		op = l.g.Mul
	case tSlash:
		op = l.g.Div
	default:
		op = l.g.Pow
	}
	return l.check(b.opAt)(op(x, y))
}

// lowerArgs builds the arguments of a call, all of them, so that errors in
// several arguments are all reported.
func (l *lowerer) lowerArgs(c *call) ([]ad.Node, bool) {
	args := make([]ad.Node, len(c.args))
	ok := true
	for i, a := range c.args {
		var aok bool
		args[i], aok = l.lower(a)
		ok = ok && aok
	}
	return args, ok
}

func (l *lowerer) lowerCall(c *call) (ad.Node, bool) {
	if c.axis != nil {
		return l.lowerAxisCall(c)
	}
	if f := l.funcs[c.fn]; f != nil {
		return l.callFunc(f, c)
	}
	if d := derivatives[c.fn]; d != nil {
		return l.lowerDeriv(c, d)
	}
	lo, hi, known := ad.FuncArity(c.fn)
	if !known {
		if l.lookup(c.fn) != nil || l.vars[c.fn].IsValid() || isConst(c.fn) {
			l.errorf(c.at, "cannot call %q: it is not a function", c.fn)
		} else {
			l.errorf(c.at, "unknown function %q%s", c.fn, didYouMean(c.fn, l.funcNames()))
		}
		l.lowerArgs(c)
		return ad.Node{}, false
	}
	if len(c.args) < lo || len(c.args) > hi {
		want := strconv.Itoa(lo)
		if hi > lo {
			want += " or " + strconv.Itoa(hi)
		}
		plural := "s"
		if hi == 1 {
			plural = ""
		}
		l.errorf(c.at, "%s takes %s argument%s, got %d", c.fn, want, plural, len(c.args))
		l.lowerArgs(c)
		return ad.Node{}, false
	}
	// len and range are lowered here, so that their errors have positions
	// and range's vector is charged to the budget before it is made.
	switch {
	case c.fn == "len" && len(c.args) == 1:
		x, ok := l.lower(c.args[0])
		if !ok {
			return x, ok
		}
		s := l.g.Shape(x)
		if s.IsScalar() {
			l.errorf(c.args[0].start(), "len of a scalar (len takes a vector or a matrix)")
			return ad.Node{}, false
		}
		return l.g.Const(float64(s.Dim(0))), true
	case c.fn == "range":
		size, ok := l.constInt(c.args[0], "range argument")
		if !ok || !l.afford(c.args[0].start(), size) {
			return ad.Node{}, false
		}
		return l.check(c.at)(l.g.Range(size))
	}
	args, ok := l.lowerArgs(c)
	if !ok {
		return ad.Node{}, false
	}
	switch c.fn {
	case "fill", "scatter", "broadcast":
		// Bound the size at the arguments that ask for it (the length, or
		// a matrix's rows and columns), before the graph builds the value;
		// of a constant, these fold into constants later.
		sizes := args[1:2]
		if c.fn == "broadcast" || c.fn == "fill" && len(args) == 3 {
			sizes = args[1:3]
		}
		v := 1.0
		for _, a := range sizes {
			n, isConst := l.g.ConstValue(a)
			if !isConst || n != math.Trunc(n) {
				v = 0 // not a size: the graph says why
			}
			v *= n
		}
		at := c.args[1].start()
		if l.g.Op(args[0]) == ad.OpConst && !l.afford(at, int(min(max(v, 0), float64(maxElems+1)))) || !l.fits(at, v) {
			return ad.Node{}, false
		}
	}
	return l.check(c.at)(l.g.Call(c.fn, args...))
}

// afford reports whether the budget of constant vector elements has room
// for n more, and reports an error at off if not. It is checked before
// building something that may allocate n elements.
func (l *lowerer) afford(off, n int) bool {
	if n > l.budget {
		l.errorf(off, "vector too large: the expression would create more than %d constant elements", maxElems)
		return false
	}
	return true
}

// fits reports whether a vector of n elements is within the length limit,
// and reports an error at off if not. n is a float64 so that a count too
// large for an int is reported as written.
func (l *lowerer) fits(off int, n float64) bool {
	if n > float64(l.maxLen) {
		l.errorf(off, "vector too large: %s elements (the limit is %d)", strconv.FormatFloat(n, 'f', -1, 64), l.maxLen)
		return false
	}
	return true
}

// spend takes n elements from the budget, or reports at off that the
// source asks for too many.
func (l *lowerer) spend(off, n int) bool {
	if !l.afford(off, n) {
		return false
	}
	l.budget -= n
	return true
}

// constInt builds n, which must be a constant integer, and returns its value.
func (l *lowerer) constInt(n node, what string) (int, bool) {
	x, ok := l.lower(n)
	if !ok {
		return 0, false
	}
	return l.intOf(x, n.start(), what)
}

// intOf returns the value of x, which must be a constant integer, and
// reports an error at off if it is not.
func (l *lowerer) intOf(x ad.Node, off int, what string) (int, bool) {
	if s := l.g.Shape(x); !s.IsScalar() {
		l.errorf(off, "%s must be a scalar, got %v", what, s)
		return 0, false
	}
	v, isConst := l.g.ConstValue(x)
	if !isConst {
		l.errorf(off, "%s must be a constant integer", what)
		return 0, false
	}
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		l.errorf(off, "%s must be an integer, got %s", what, strconv.FormatFloat(v, 'g', -1, 64))
		return 0, false
	}
	return int(v), true
}

func (l *lowerer) lowerIndex(n *index) (ad.Node, bool) {
	x, ok := l.lower(n.x)
	return l.indexOf(x, ok, n, true)
}

// indexOf builds x[i], the element of a vector or the row of a matrix, for
// the index n of x, which is faulty when ok is false. Where computed is
// set, an index that is not a constant scalar, computed at run time, a
// scalar or a vector, takes the elements or rows at its values; elsewhere
// an index is a constant integer.
func (l *lowerer) indexOf(x ad.Node, ok bool, n *index, computed bool) (ad.Node, bool) {
	at, iok := l.lower(n.i)
	if !iok {
		return ad.Node{}, false
	}
	if _, isConst := l.g.ConstValue(at); computed && !isConst {
		if s := l.g.Shape(at); s.Rank() > 1 {
			l.errorf(n.i.start(), "index must be a scalar or a vector, got %v", s)
			return ad.Node{}, false
		}
		if !ok {
			return ad.Node{}, false
		}
		if l.g.Shape(x).IsScalar() {
			l.errorf(n.brack, "cannot index a scalar")
			return ad.Node{}, false
		}
		return l.check(n.brack)(l.g.Take(x, at))
	}
	i, iok := l.intOf(at, n.i.start(), "index")
	if !ok || !iok {
		return ad.Node{}, false
	}
	s := l.g.Shape(x)
	if s.IsScalar() {
		l.errorf(n.brack, "cannot index a scalar")
		return ad.Node{}, false
	}
	if i < -s.Dim(0) || i >= s.Dim(0) {
		l.errorf(n.i.start(), "index %d out of range for %v", i, s)
		return ad.Node{}, false
	}
	return l.check(n.brack)(l.g.Index(x, i))
}

func (l *lowerer) lowerSlice(n *slice) (ad.Node, bool) {
	x, ok := l.lower(n.x)
	return l.sliceOf(x, ok, n)
}

// sliceOf builds x[lo:hi:step], elements of a vector or rows of a matrix,
// for the slice n of x, which is faulty when ok is false.
func (l *lowerer) sliceOf(x ad.Node, ok bool, n *slice) (ad.Node, bool) {
	bound := func(b node, what string) int {
		if b == nil {
			return ad.None
		}
		v, bok := l.constInt(b, what)
		ok = ok && bok
		return v
	}
	lo := bound(n.lo, "slice bound")
	hi := bound(n.hi, "slice bound")
	step := bound(n.step, "slice step")
	if !ok {
		return ad.Node{}, false
	}
	if n.step != nil && step == 0 {
		l.errorf(n.step.start(), "slice step cannot be zero")
		return ad.Node{}, false
	}
	if l.g.Shape(x).IsScalar() {
		l.errorf(n.brack, "cannot slice a scalar")
		return ad.Node{}, false
	}
	return l.check(n.brack)(l.g.Slice(x, lo, hi, step))
}

func (l *lowerer) lowerVector(n *vector) (ad.Node, bool) {
	if isMatrixLiteral(n) {
		return l.lowerMatrix(n)
	}
	elems := make([]ad.Node, len(n.elems))
	ok, allConst := true, true
	size := 0
	for i, e := range n.elems {
		var eok bool
		elems[i], eok = l.lower(e)
		if eok {
			size += l.g.Shape(elems[i]).Len()
			allConst = allConst && l.g.Op(elems[i]) == ad.OpConst
		}
		ok = ok && eok
	}
	if !ok {
		return ad.Node{}, false
	}
	// A literal of constants is folded into a constant vector: bound its
	// size before the graph allocates it.
	if allConst && !l.afford(n.at, size) {
		return ad.Node{}, false
	}
	return l.check(n.at)(l.g.Concat(elems...))
}

// startsLine reports whether only spaces stand between the start of the
// line and offset off of src.
func startsLine(src string, off int) bool {
	i := off
	for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
		i--
	}
	return i == 0 || src[i-1] == '\n'
}

func isConst(name string) bool { return name == "pi" || name == "e" }

func isFunc(name string) bool {
	if derivatives[name] != nil {
		return true
	}
	_, _, ok := ad.FuncArity(name)
	return ok
}

// isGiven reports whether name is one of the caller's constants.
func (l *lowerer) isGiven(name string) bool {
	_, ok := l.consts[name]
	return ok
}

// given returns the node of the caller's constant name, building it on
// first use, so that data the source does not use costs nothing.
func (l *lowerer) given(name string) ad.Node {
	if n, ok := l.constAt[name]; ok {
		return n
	}
	var n ad.Node
	switch c := l.consts[name]; c.Shape.Rank() {
	case 0:
		n = l.g.Const(c.Values[0])
	case 1:
		n = l.g.ConstVec(c.Values)
	case 2:
		n = l.g.ConstMatrix(c.Shape.Dim(0), c.Shape.Dim(1), c.Values)
	}
	l.constAt[name] = n
	return n
}
