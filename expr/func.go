package expr

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-ad/nabla/ad"
)

// Options control how Compile reads a source.
type Options struct {
	// Vars declares the variables, in the order of Func.Vars and of the
	// flat slices the Func's methods take. When Vars is set, a name that is
	// neither a variable, a binding, a constant nor a function is an error;
	// when it is nil, every such name is a variable, in order of first
	// appearance in the source.
	Vars []string
	// Sizes gives the length of each vector variable, and Shapes the
	// shape of variables of any shape, such as ad.Matrix(2, 3). A variable
	// in neither is a scalar.
	Sizes  map[string]int
	Shapes map[string]ad.Shape
	// Consts binds names to constant values, such as data a model is
	// fitted to: the function is not a function of them and has no
	// derivative with respect to them. A constant's name may not also be
	// a variable, nor be bound in the source.
	Consts map[string]Const
}

// A Const is the value of a named constant: a scalar, a vector, or a
// matrix given row by row, of Shape.Len() values.
type Const struct {
	Shape  ad.Shape
	Values []float64
}

// A Func is a compiled expression: an *ad.Func, whose methods evaluate
// and differentiate it, together with its source. A Func is safe for
// concurrent use by multiple goroutines.
type Func struct {
	*ad.Func
	source
}

// source is what a compiled function keeps of its compilation.
type source struct {
	src      string
	g        *ad.Graph
	out      ad.Node
	warnings []Error
}

// Compile parses src and builds it into a new graph. The result, the last
// statement of src, must be a scalar. opts may be nil. Compile returns an
// *Error when it finds one error and an ErrorList when it finds several.
func Compile(src string, opts *Options) (*Func, error) {
	g, out, warnings, err := build(src, opts, false)
	if err != nil {
		return nil, err
	}
	af, err := ad.NewFunc(g, out)
	if err != nil {
		return nil, &Error{Msg: "expr: " + err.Error()}
	}
	return &Func{Func: af, source: source{src, g, out, warnings}}, nil
}

// build parses src and builds it into a new graph, returning the node of
// its result; a result that is not a scalar is an error unless vector is
// set.
func build(src string, opts *Options, vector bool) (*ad.Graph, ad.Node, []Error, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.check(); err != nil {
		return nil, ad.Node{}, nil, err
	}
	if len(src) > MaxSourceLen {
		return nil, ad.Node{}, nil, &Error{Msg: fmt.Sprintf("source too long: %d bytes (limit %d)", len(src), MaxSourceLen)}
	}
	stmts, errs := parse(src)
	if err := errs.err(); err != nil {
		return nil, ad.Node{}, nil, err
	}
	g := ad.NewGraph()
	shapes := opts.shapes()
	// The caller has paid for its variables and constants.
	given := 0
	for _, s := range shapes {
		if !s.IsScalar() {
			given += s.Len()
		}
	}
	for _, c := range opts.Consts {
		given += len(c.Values)
	}
	l := newLowerer(g, src, given)
	l.shapes = shapes
	l.consts = opts.Consts
	if opts.Vars != nil {
		l.declared = true
		for _, name := range opts.Vars {
			v, err := g.Var(name, shapes[name])
			if err != nil {
				return nil, ad.Node{}, nil, &Error{Msg: "expr: " + err.Error()}
			}
			l.vars[name] = v
		}
	}
	out, ok := l.lowerStmts(stmts)
	if ok && !vector {
		if s := g.Shape(out); !s.IsScalar() {
			last := stmts[len(stmts)-1].x
			l.errorf(last.start(), "result must be a scalar, got %v", s)
		}
	}
	if err := l.errs.err(); err != nil {
		return nil, ad.Node{}, nil, err
	}
	return g, out, l.warnings(), nil
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

// shapes returns the shapes of the variables that are not scalars.
func (o *Options) shapes() map[string]ad.Shape {
	m := make(map[string]ad.Shape, len(o.Sizes)+len(o.Shapes))
	for name, n := range o.Sizes {
		m[name] = ad.Vector(n)
	}
	for name, s := range o.Shapes {
		m[name] = s
	}
	return m
}

// check validates the options.
func (o *Options) check() error {
	seen := map[string]bool{}
	for _, name := range o.Vars {
		if err := CheckVarName(name); err != nil {
			return &Error{Msg: "expr: " + err.Error()}
		}
		if seen[name] {
			return &Error{Msg: fmt.Sprintf("expr: variable %q declared twice", name)}
		}
		seen[name] = true
	}
	for name, n := range o.Sizes {
		if err := CheckVarName(name); err != nil {
			return &Error{Msg: "expr: " + err.Error()}
		}
		if o.Vars != nil && !seen[name] {
			return &Error{Msg: fmt.Sprintf("expr: size given for %q, which is not a declared variable", name)}
		}
		if n < 1 {
			return &Error{Msg: fmt.Sprintf("expr: size of %q must be at least 1, got %d", name, n)}
		}
	}
	for name, s := range o.Shapes {
		if err := CheckVarName(name); err != nil {
			return &Error{Msg: "expr: " + err.Error()}
		}
		if o.Vars != nil && !seen[name] {
			return &Error{Msg: fmt.Sprintf("expr: shape given for %q, which is not a declared variable", name)}
		}
		if _, ok := o.Sizes[name]; ok {
			return &Error{Msg: fmt.Sprintf("expr: both a size and a shape given for %q", name)}
		}
		if slices.ContainsFunc(s.Dims(), func(d int) bool { return d < 1 }) {
			return &Error{Msg: fmt.Sprintf("expr: shape of %q must have sizes of at least 1, got %v", name, s)}
		}
	}
	for name, c := range o.Consts {
		if err := CheckVarName(name); err != nil {
			return &Error{Msg: "expr: " + strings.Replace(err.Error(), "variable", "constant", 1)}
		}
		_, sized := o.Sizes[name]
		_, shaped := o.Shapes[name]
		switch {
		case seen[name] || sized || shaped:
			return &Error{Msg: fmt.Sprintf("expr: %q is both a variable and a constant", name)}
		case c.Shape.Rank() == 1 && c.Shape.Len() < 1:
			return &Error{Msg: fmt.Sprintf("expr: constant %q is an empty vector", name)}
		case slices.ContainsFunc(c.Shape.Dims(), func(d int) bool { return d < 1 }):
			return &Error{Msg: fmt.Sprintf("expr: constant %q is an empty %v", name, c.Shape)}
		case len(c.Values) != c.Shape.Len():
			return &Error{Msg: fmt.Sprintf("expr: constant %q is a %v but has %d values", name, c.Shape, len(c.Values))}
		}
	}
	return nil
}

// CheckVarName returns an error unless name can be a variable: a name of
// the language (a letter or underscore, then letters, digits and
// underscores, of any script) that is not one of its functions or
// constants.
func CheckVarName(name string) error {
	lx := newLexer(name)
	if t := lx.next(); t.kind != tName || t.pos != 0 || t.end != len(name) {
		return fmt.Errorf("%q is not a valid variable name", name)
	}
	switch {
	case isFunc(name):
		return fmt.Errorf("%s is a function of the language, not a variable", name)
	case isConst(name):
		return fmt.Errorf("%s is a constant of the language, not a variable", name)
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
	varElems := 0
	for _, v := range g.Vars() {
		varElems += g.Shape(v).Len()
	}
	l := newLowerer(g, src, varElems)
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

// Graph returns the graph the function was built into. The Func's
// derivatives are built elsewhere, so the graph holds only what the source
// says; building more nodes in it does not affect the Func.
func (f *source) Graph() *ad.Graph { return f.g }

// Output returns the node of the function's value.
func (f *source) Output() ad.Node { return f.out }

// String returns the source text the function was compiled from. The
// printed form of the built graph is f.Graph().Format(f.Output()).
func (f *Func) String() string { return f.src }

// Warnings returns problems that did not stop the compilation, such as
// bindings that are never used.
func (f *source) Warnings() []Error { return slices.Clone(f.warnings) }
