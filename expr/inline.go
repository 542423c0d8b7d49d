package expr

import (
	"fmt"
	"maps"
	"slices"

	"github.com/nabla-ad/nabla/ad"
)

// Functions and loops are lowered by inlining: a call builds its
// function's body with the parameters bound to the arguments' nodes, and a
// loop builds its body once per pass. Hash-consing shares what the copies
// have in common.

// MaxUnrolled bounds the unrolled size of a source: the syntax nodes that
// loops and function calls build (each pass of a loop and each call build
// their body again), plus the graph nodes that grad, jvp and hvp walk and
// build. A source without loops, functions or derivatives has none.
const MaxUnrolled = 1 << 20

// maxUnrolled is MaxUnrolled, a variable so that tests can lower it.
var maxUnrolled = MaxUnrolled

// maxInlineDepth bounds the nesting of lower calls, which function calls
// and derivatives inside one another deepen beyond the parser's MaxDepth.
const maxInlineDepth = 10 * MaxDepth

// A userFunc is a function the source defines.
type userFunc struct {
	def     *funcDef
	capture *scope     // the top-level bindings before its definition
	known   int        // the graph's size at its definition: the variables it may use are older
	refs    []*binding // the bindings of capture its body reads, and those the functions it calls read
	decl    *decl
	bad     bool // its definition has an error already reported, such as a call of itself
}

// unrolling tracks the work of loops, calls and derivatives.
type unrolling struct {
	nest  int // loops, calls and derivatives being built, one inside another
	count int // those of them that are loops and calls
	at    int // the outermost of them, where a too-large unrolling is reported
	work  int // the unrolled size so far
}

// enterUnroll starts building a loop, a call or (counts false) a
// derivative at off. Syntax nodes built inside a loop or call count
// towards the unrolled size.
func (l *lowerer) enterUnroll(off int, counts bool) {
	if l.unroll.nest == 0 {
		l.unroll.at = off
	}
	l.unroll.nest++
	if counts {
		l.unroll.count++
	}
}

func (l *lowerer) leaveUnroll(counts bool) {
	l.unroll.nest--
	if counts {
		l.unroll.count--
	}
}

// step accounts for building syntax node n: inside a loop or a call it
// counts towards the unrolled size. It reports false, after reporting an
// error, when a limit is exceeded.
func (l *lowerer) step(n node) bool {
	if l.depth >= maxInlineDepth {
		l.halt(l.unroll.at, fmt.Sprintf("functions nested too deeply: inlining goes more than %d levels deep", maxInlineDepth))
		return false
	}
	if l.unroll.count == 0 {
		return true
	}
	return l.charge(n.start(), 1)
}

// charge adds n to the unrolled size and reports false, after reporting
// an error at the outermost loop, call or derivative (or at off outside
// them), when that exceeds the limit.
func (l *lowerer) charge(off, n int) bool {
	l.unroll.work += n
	if l.unroll.work <= maxUnrolled {
		return true
	}
	if l.unroll.nest > 0 {
		off = l.unroll.at
	}
	l.halt(off, fmt.Sprintf("unrolled size over the limit: loops, function calls and derivatives build more than %d nodes", maxUnrolled))
	return false
}

// halt reports an error at off and stops the lowering.
func (l *lowerer) halt(off int, msg string) {
	l.fr.fn = nil // a limit is about the whole source, not one call
	l.errorf(off, "%s", msg)
	l.halted = true
}

// funcNames lists the built-in functions and those the source defines so
// far.
func (l *lowerer) funcNames() []string {
	names := append(ad.FuncNames(), slices.Collect(maps.Keys(derivatives))...)
	names = append(names, slices.Collect(maps.Keys(l.funcs))...)
	slices.Sort(names)
	return names
}

// define checks the definition of a function and records it. Its body is
// built at each call; here its names and calls are checked, so that a
// function that is never called is checked too.
func (l *lowerer) define(fd *funcDef) {
	id := fd.name
	f := &userFunc{def: fd, known: l.g.Len(), decl: l.declare(id, "function", ""),
		capture: &scope{kind: scopeCapture, names: maps.Clone(l.top.names)}}
	switch {
	case l.funcs[id.id] != nil:
		l.errorf(id.at, "cannot redefine %q (defined at %s)", id.id, l.pos(l.funcs[id.id].def.name.at))
		return
	case l.lookup(id.id) != nil:
		l.errorf(id.at, "cannot define %q: it is bound at %s", id.id, l.pos(l.lookup(id.id).at))
		f.bad = true
	case !l.checkNewName(id, fmt.Sprintf("cannot define %q", id.id)):
		f.bad = true
	}
	seen := map[string]*name{}
	for _, p := range fd.params {
		switch {
		case seen[p.id] != nil:
			l.errorf(p.at, "duplicate parameter %q", p.id)
			f.bad = true
		case isFunc(p.id) || l.funcs[p.id] != nil:
			l.errorf(p.at, "cannot use %q as a parameter: it is a function", p.id)
			f.bad = true
		case isConst(p.id):
			l.errorf(p.at, "cannot use %q as a parameter: it is a constant", p.id)
			f.bad = true
		}
		seen[p.id] = p
	}
	body := fd.body.stmts
	switch last := len(body) - 1; {
	case last < 0:
		l.errorf(fd.body.at, "empty function body")
		f.bad = true
	case body[last].bind != nil:
		l.errorf(body[last].bind.at, "missing result: the last statement binds %q", body[last].bind.id)
		f.bad = true
	case body[last].loop != nil:
		l.errorf(body[last].loop.at, "missing result: the last statement is a loop")
		f.bad = true
	}
	if !l.checkBody(f) {
		f.bad = true
	}
	l.funcs[id.id] = f
}

// visibleIn reports whether id is a value the body of f can use without
// binding it: a constant, given or not, or a variable known before f.
func (l *lowerer) visibleIn(f *userFunc, id string) bool {
	return isConst(id) || l.isGiven(id) || l.vars[id].IsValid() && l.vars[id].ID() < f.known
}

// checkBody checks that the body of f uses only names it can see (its
// parameters and bindings, constants, the bindings and variables before
// its definition) and calls only functions defined before it, with the
// right number of arguments. It collects the top-level bindings the body
// reads, and those the functions it calls read, in f.refs.
func (l *lowerer) checkBody(f *userFunc) bool {
	bound := map[string]bool{}
	for _, p := range f.def.params {
		bound[p.id] = true
	}
	var bindNames func(b *block)
	bindNames = func(b *block) {
		for _, s := range b.stmts {
			switch {
			case s.bind != nil:
				bound[s.bind.id] = true
			case s.loop != nil:
				bound[s.loop.index.id] = true
				bindNames(s.loop.body)
			}
		}
	}
	bindNames(f.def.body)
	ok := true
	seen := map[*binding]bool{}
	use := func(b *binding) {
		if !seen[b] {
			seen[b] = true
			f.refs = append(f.refs, b)
		}
	}
	candidates := func() []string {
		names := slices.Collect(maps.Keys(bound))
		for name := range f.capture.names {
			names = append(names, name)
		}
		return names
	}
	var visit func(n node)
	visit = func(n node) {
		switch n := n.(type) {
		case *name:
			switch {
			case bound[n.id] || isFunc(n.id) || l.funcs[n.id] != nil || l.visibleIn(f, n.id):
			case f.capture.names[n.id] != nil:
				use(f.capture.names[n.id])
			default:
				l.errorf(n.at, "%s", undefinedIn(n.id, f, candidates()))
				ok = false
			}
		case *call:
			if !l.checkCall(f, n, bound[n.fn] || f.capture.names[n.fn] != nil || l.visibleIn(f, n.fn)) {
				ok = false
			} else if g := l.funcs[n.fn]; g != nil {
				for _, b := range g.refs {
					use(b)
				}
			}
			for _, a := range n.args {
				visit(a)
			}
			if n.axisVal != nil {
				visit(n.axisVal)
			}
		case *paren:
			visit(n.x)
		case *unary:
			visit(n.x)
		case *binary:
			for {
				visit(n.y)
				x, ok := n.x.(*binary)
				if !ok {
					visit(n.x)
					break
				}
				n = x
			}
		case *index:
			visit(n.x)
			visit(n.i)
		case *slice:
			for _, x := range []node{n.x, n.lo, n.hi, n.step} {
				if x != nil {
					visit(x)
				}
			}
		case *vector:
			for _, x := range n.elems {
				visit(x)
			}
		case *subscripts:
			for _, x := range []node{n.x, n.rows, n.cols} {
				visit(x)
			}
		}
	}
	var visitBlock func(b *block)
	visitBlock = func(b *block) {
		for _, s := range b.stmts {
			if s.loop != nil {
				visit(s.loop.count)
				visitBlock(s.loop.body)
				continue
			}
			visit(s.x)
		}
	}
	visitBlock(f.def.body)
	return ok
}

// checkCall checks a call in the body of f: of a function defined before
// f with the right number of arguments, or of a built-in function. value
// tells whether the name called is a value in the body.
func (l *lowerer) checkCall(f *userFunc, c *call, value bool) bool {
	name := f.def.name.id
	switch g := l.funcs[c.fn]; {
	case value:
		l.errorf(c.at, "cannot call %q: it is not a function", c.fn)
	case c.fn == name:
		l.errorf(c.at, "%s calls itself: a function cannot be recursive", name)
	case g != nil:
		return l.checkArity(c, len(g.def.params))
	case l.later[c.fn] > f.def.name.at:
		l.errorf(c.at, "%s calls %s, which is defined after it (at %s): a function calls only functions defined before it", name, c.fn, l.pos(l.later[c.fn]))
	case isFunc(c.fn):
		return true
	default:
		l.errorf(c.at, "unknown function %q%s", c.fn, didYouMean(c.fn, l.funcNames()))
	}
	return false
}

// checkArity reports whether c has n arguments, and an error if not.
func (l *lowerer) checkArity(c *call, n int) bool {
	if len(c.args) == n {
		return true
	}
	l.errorf(c.at, "%s takes %d argument%s, got %d", c.fn, n, plural(n), len(c.args))
	return false
}

// callFunc builds a call of the user function f: its body, with the
// parameters bound to the arguments. A function that calls itself or a
// later one is bad, so that building a call always ends.
func (l *lowerer) callFunc(f *userFunc, c *call) (ad.Node, bool) {
	f.decl.used = true
	if !l.checkArity(c, len(f.def.params)) {
		l.lowerArgs(c)
		return ad.Node{}, false
	}
	args, ok := l.lowerArgs(c)
	if r := l.fr.rec; r != nil {
		r.funcs = append(r.funcs, f)
	}
	if !ok || f.bad {
		return ad.Node{}, false
	}
	sc := &scope{parent: f.capture, kind: scopeFunc, names: make(map[string]*binding, len(args))}
	for i, p := range f.def.params {
		sc.names[p.id] = l.newBinding(binding{name: p.id, at: p.at, n: args[i], ok: true,
			decl: l.declare(p, "parameter", f.def.name.id)})
	}
	l.enterUnroll(c.at, true)
	defer l.leaveUnroll(true)
	fr := l.fr
	l.fr = frame{sc: sc, fn: f, callAt: c.at}
	defer func() { l.fr = fr }()
	return l.lowerBlock(f.def.body.stmts, true)
}

// lowerLoop unrolls a loop: it builds the body once per pass, in a scope
// of its own holding the index, so that a name bound before the loop and
// assigned in the body carries its value from one pass to the next.
func (l *lowerer) lowerLoop(lp *loop) {
	count, ok := l.constInt(lp.count, "loop count")
	if ok && count < 0 {
		l.errorf(lp.count.start(), "loop count must be at least 0, got %d", count)
		ok = false
	}
	if b := l.lookup(lp.index.id); b != nil {
		l.errorf(lp.index.at, "cannot use %q as a loop index: it is bound at %s", lp.index.id, l.pos(b.at))
		ok = false
	} else if !l.checkNewName(lp.index, fmt.Sprintf("cannot use %q as a loop index", lp.index.id)) {
		ok = false
	}
	// A loop too large to build is refused before it is built: at its
	// count, or as the loop or call it is part of.
	if size := bodySize(lp.body); ok && count > 0 && size > (maxUnrolled-l.unroll.work)/count {
		if l.unroll.nest > 0 {
			l.charge(lp.at, maxUnrolled+1)
		} else {
			l.halt(lp.count.start(), fmt.Sprintf("loop too large: %d passes over a body of %d node%s exceed the unrolling limit of %d nodes",
				count, size, plural(size), maxUnrolled))
		}
		ok = false
	}
	sc := l.fr.sc
	defer func() {
		// The names the body binds for itself are gone after the loop; a
		// later use is an error rather than a new variable.
		if sc.ended == nil {
			sc.ended = map[string]int{}
		}
		var end func(lp *loop)
		end = func(lp *loop) {
			sc.ended[lp.index.id] = lp.at
			for _, s := range lp.body.stmts {
				switch {
				case s.bind != nil && l.lookup(s.bind.id) == nil:
					sc.ended[s.bind.id] = lp.at
				case s.loop != nil:
					end(s.loop)
				}
			}
		}
		end(lp)
	}()
	if !ok {
		return
	}
	l.enterUnroll(lp.at, true)
	defer l.leaveUnroll(true)
	defer func() { l.fr.sc = sc }()
	for i := range count {
		index := l.newBinding(binding{name: lp.index.id, at: lp.index.at, index: true, n: l.g.Const(float64(i)), ok: true})
		l.fr.sc = &scope{parent: sc, kind: scopeLoop, names: map[string]*binding{lp.index.id: index}}
		errs := len(l.errs)
		l.lowerBlock(lp.body.stmts, false)
		if len(l.errs) > errs || l.full() {
			return
		}
	}
}

// bodySize counts the syntax nodes of a loop's body, each inner loop's
// body once.
func bodySize(b *block) int {
	n := 0
	var count func(x node)
	count = func(x node) {
		if x == nil {
			return
		}
		n++
		switch x := x.(type) {
		case *paren:
			count(x.x)
		case *unary:
			count(x.x)
		case *binary:
			for {
				count(x.y)
				y, ok := x.x.(*binary)
				if !ok {
					count(x.x)
					break
				}
				n++
				x = y
			}
		case *call:
			for _, a := range x.args {
				count(a)
			}
			count(x.axisVal)
		case *index:
			count(x.x)
			count(x.i)
		case *slice:
			count(x.x)
			count(x.lo)
			count(x.hi)
			count(x.step)
		case *vector:
			for _, e := range x.elems {
				count(e)
			}
		case *subscripts:
			count(x.x)
			count(x.rows)
			count(x.cols)
		}
	}
	var walk func(b *block)
	walk = func(b *block) {
		for _, s := range b.stmts {
			if s.loop != nil {
				count(s.loop.count)
				walk(s.loop.body)
				continue
			}
			count(s.x)
		}
	}
	walk(b)
	return max(n, 1)
}

// plural returns "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
