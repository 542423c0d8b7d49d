package expr

import (
	"fmt"
	"math"
	"slices"

	"github.com/nabla-ad/nabla/ad"
)

// Names. A binding gives a name a value; scopes hold bindings: the top
// level, a call of a function (its parameters and bindings), one pass of a
// loop's body (its index and bindings), and a function's view of the
// top-level bindings made before its definition. A binding never changes;
// a loop that assigns to a name bound before it gives the name a new
// binding, so that a value computed from the old one keeps it.

type scopeKind uint8

const (
	scopeTop scopeKind = iota
	scopeFunc
	scopeLoop
	scopeCapture
)

type scope struct {
	parent *scope
	kind   scopeKind
	names  map[string]*binding
	ended  map[string]int // names bound only in the body of a loop that has ended: the loop's "for"
}

// A binding is one value of a name. The nodes a derivative needs to build
// again (see gradCtx) come from x and the bindings it names.
type binding struct {
	seq   int // the order of creation: a binding uses only older ones
	name  string
	at    int
	index bool // a loop's index, which the loop's body cannot assign to
	n     ad.Node
	ok    bool
	decl  *decl
	x     node        // the definition of a name = x; nil for parameters and indices
	refs  []*binding  // the bindings x names
	fns   []*userFunc // the functions x calls
}

// newBinding returns a new binding like b, numbered in order of creation.
func (l *lowerer) newBinding(b binding) *binding {
	l.nbind++
	b.seq = l.nbind
	return &b
}

// refs collects what a definition names, for its binding.
type refs struct {
	bindings []*binding
	funcs    []*userFunc
}

// A frame is where names are looked up: a chain of scopes or, while a
// binding's definition is built again, the bindings it named. fn is the
// function whose body is being built, called at callAt; rec collects what
// the definition being built names.
type frame struct {
	sc     *scope
	fixed  []*binding
	fn     *userFunc
	callAt int
	rec    *refs
}

// A decl is a binding, parameter or function written in the source, which
// is warned about when it is never used.
type decl struct {
	at   int
	msg  string
	used bool
}

// declare returns the decl of id, the same for every pass of a loop and
// every call of a function that builds it. what is the kind of name it
// is ("binding"), and of is the function of a parameter.
func (l *lowerer) declare(id *name, what, of string) *decl {
	d := l.decls[id]
	if d == nil {
		msg := fmt.Sprintf("%s %q is never used", what, id.id)
		if of != "" {
			msg = fmt.Sprintf("%s %q of %s is never used", what, id.id, of)
		}
		d = &decl{at: id.at, msg: msg}
		l.decls[id] = d
	}
	return d
}

// warnings returns the bindings, parameters and functions that are never
// used, in source order.
func (l *lowerer) warnings() []Error {
	var ws []Error
	for _, d := range l.decls {
		if !d.used {
			ws = append(ws, *errorAt(l.src, d.at, d.msg))
		}
	}
	slices.SortFunc(ws, func(a, b Error) int { return a.Offset - b.Offset })
	return ws
}

// lookup returns the binding id names in the current frame, or nil.
func (l *lowerer) lookup(id string) *binding {
	b, _ := l.lookupScope(id)
	return b
}

// lookupScope is lookup that also returns the scope of the binding (nil
// when re-building a definition).
func (l *lowerer) lookupScope(id string) (*binding, *scope) {
	if l.fr.sc == nil {
		for _, b := range l.fr.fixed {
			if b.name == id {
				return b, nil
			}
		}
		return nil, nil
	}
	for sc := l.fr.sc; sc != nil; sc = sc.parent {
		if b := sc.names[id]; b != nil {
			return b, sc
		}
	}
	return nil, nil
}

// ended returns where the loop is whose body alone bound id.
func (l *lowerer) ended(id string) (int, bool) {
	for sc := l.fr.sc; sc != nil; sc = sc.parent {
		if at, ok := sc.ended[id]; ok {
			return at, true
		}
	}
	return 0, false
}

// use returns the value of binding b in the current derivative context and
// records that the definition being built names b.
func (l *lowerer) use(b *binding) (ad.Node, bool) {
	if b.decl != nil {
		b.decl.used = true
	}
	if r := l.fr.rec; r != nil {
		r.bindings = append(r.bindings, b)
	}
	return l.value(b)
}

// bindStmt builds "name = x" and binds name in the current scope.
func (l *lowerer) bindStmt(s stmt) {
	var r refs
	rec := l.fr.rec
	l.fr.rec = &r
	n, ok := l.lower(s.x)
	l.fr.rec = rec
	l.assign(s.bind, l.newBinding(binding{name: s.bind.id, at: s.bind.at, n: n, ok: ok, decl: l.declare(s.bind, "binding", ""),
		x: s.x, refs: r.bindings, fns: r.funcs}))
}

// assign binds id to b in the current scope or, in the body of a loop,
// gives a name bound before the loop the new binding b.
func (l *lowerer) assign(id *name, b *binding) {
	sc := l.fr.sc
	prev, where := l.lookupScope(id.id)
	switch {
	case prev != nil && where.kind == scopeCapture:
		l.errorf(id.at, "cannot bind %q in a function: it is bound outside the function (at %s)", id.id, l.pos(prev.at))
		return
	case prev != nil && where != sc && sc.kind == scopeLoop:
		if prev.index {
			l.errorf(id.at, "cannot assign to %q: it is the index of an enclosing loop", id.id)
			return
		}
		where.names[id.id] = b
		return
	case prev != nil:
		l.errorf(id.at, "cannot rebind %q (bound at %s)", id.id, l.pos(prev.at))
		return
	}
	l.checkNewName(id, fmt.Sprintf("cannot bind %q", id.id))
	// Even a faulty binding is recorded, so that its uses do not cascade
	// into unknown-name errors.
	sc.names[id.id] = b
}

// checkNewName reports an error, starting with prefix ("cannot bind
// \"x\""), when id cannot be given a value because it names a function, a
// constant or a variable.
func (l *lowerer) checkNewName(id *name, prefix string) bool {
	switch {
	case isFunc(id.id) || l.funcs[id.id] != nil:
		l.errorf(id.at, "%s: it is a function", prefix)
	case isConst(id.id):
		l.errorf(id.at, "%s: it is a constant", prefix)
	case l.isGiven(id.id):
		l.errorf(id.at, "%s: it is a given constant (data)", prefix)
	case l.declared && l.vars[id.id].IsValid():
		l.errorf(id.at, "%s: it is a variable", prefix)
	case l.vars[id.id].IsValid():
		l.errorf(id.at, "%s: it is already used as a variable at %s", prefix, l.pos(l.varAt[id.id]))
	default:
		return true
	}
	return false
}

func (l *lowerer) lowerName(n *name) (ad.Node, bool) {
	if b := l.lookup(n.id); b != nil {
		return l.use(b)
	}
	switch n.id {
	case "pi":
		return l.g.Const(math.Pi), true
	case "e":
		return l.g.Const(math.E), true
	}
	if isFunc(n.id) || l.funcs[n.id] != nil {
		l.errorf(n.at, "%q is a function, not a value", n.id)
		return ad.Node{}, false
	}
	if l.isGiven(n.id) {
		return l.given(n.id), true
	}
	f := l.fr.fn
	if v, ok := l.vars[n.id]; ok && (f == nil || l.visibleIn(f, n.id)) {
		return v, true
	}
	if at, ok := l.ended(n.id); ok {
		l.errorf(n.at, "%q is bound only inside the loop at %s", n.id, l.pos(at))
		return ad.Node{}, false
	}
	if f != nil {
		l.errorf(n.at, "%s", undefinedIn(n.id, f, l.valueNames()))
		return ad.Node{}, false
	}
	if l.declared {
		l.errorf(n.at, "unknown variable %q%s", n.id, didYouMean(n.id, l.valueNames()))
		return ad.Node{}, false
	}
	v, ok := l.check(n.at)(l.g.Var(n.id, l.shapes[n.id]))
	if ok {
		l.vars[n.id] = v
		l.varAt[n.id] = n.at
	}
	return v, ok
}

// undefinedIn is the error for a name the body of function f uses but
// does not define.
func undefinedIn(id string, f *userFunc, candidates []string) string {
	return fmt.Sprintf("undefined name %q in function %s%s", id, f.def.name.id, didYouMean(id, candidates))
}

// valueNames lists the names a value could have been meant by.
func (l *lowerer) valueNames() []string {
	names := []string{"pi", "e"}
	for name := range l.vars {
		if f := l.fr.fn; f == nil || l.visibleIn(f, name) {
			names = append(names, name)
		}
	}
	for name := range l.consts {
		names = append(names, name)
	}
	for _, b := range l.fr.fixed {
		names = append(names, b.name)
	}
	for sc := l.fr.sc; sc != nil; sc = sc.parent {
		for name := range sc.names {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
