package ad

import (
	"bytes"
	"errors"
	"fmt"
	gofmt "go/format"
	"go/token"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GenOptions says what Func.Generate writes.
type GenOptions struct {
	// Package is the package clause of the generated file.
	Package string
	// Name names the value function; its derivatives are Name+"Grad",
	// Name+"JVP", Name+"HVP" and Name+"Hessian".
	Name string
	// Source is the function's source, written in a comment; the Func's
	// own printed form when empty.
	Source string
	// JVP, HVP and Hessian ask for those functions besides the value and
	// the gradient.
	JVP, HVP, Hessian bool
	// Flat makes every function take the variables as one slice in Vars
	// order, as Func's methods do, and write every derivative into slices.
	Flat bool
}

// Generate writes Go source for the function and its derivatives: one
// gofmt'd file of package opts.Package that needs only the standard library
// (math, and sync for functions that need working memory) at run time, and
// gonum's blas, blas64 and lapack64 for the products and the linear algebra
// of matrices. Its functions compute what the function's compiled programs compute,
// instruction by instruction: scalars as straight-line code, vectors as
// loops over their elements, one loop body for a run of elementwise
// operations and the sums of their results, adjoints of slices added
// directly into the gradient. None allocates in steady state.
//
// Without opts.Flat the functions take each variable as a parameter of its
// own, float64 or []float64 (a matrix's elements row by row):
//
//	func Name(x, y float64, v []float64) float64
//	func NameGrad(x, y float64, v, gradV []float64) (f, gradX, gradY float64)
//	func NameJVP(x, y float64, v []float64, dirX, dirY float64, dirV []float64) (f, df float64)
//	func NameHVP(x, y float64, v []float64, dirX, dirY float64, dirV, hvV []float64) (hvX, hvY float64)
//	func NameHessian(x, y float64, v []float64, h []float64)
//
// The gradient, direction and product of a variable are named after it
// (gradV, dirV, hvV); the Hessian h is row-major over the flat variables,
// as Func.Hessian's. With opts.Flat:
//
//	func Name(x []float64) float64
//	func NameGrad(x, grad []float64) float64
//	func NameJVP(x, v []float64) (f, df float64)
//	func NameHVP(x, v, hv []float64)
//	func NameHessian(x, h []float64)
//
// Vector lengths are those of the Func's variables, fixed in the code; a
// function given a slice of another length panics, as gonum's do.
// GenerateSymbolic writes code that takes them from the slices instead. A
// variable whose name is a Go keyword or a predeclared identifier, or
// math, sync, blas, blas64 or lapack64, is renamed with an underscore
// after it (type becomes type_). A name that is not a Go identifier, and
// one that begins with the prefix of the file's package-level names (Name
// with its first letter in lower case) followed by an upper-case letter, is
// an error.
func (f *Func) Generate(w io.Writer, opts GenOptions) error {
	src, _, err := f.generate(opts, false)
	if err != nil {
		return err
	}
	_, err = w.Write(src)
	return err
}

// genFile is what the functions of a generated file share: the prefix of
// its package-level names, its helpers and its constant vectors.
type genFile struct {
	prefix  string
	helpers map[Op]bool
	consts  map[int32][]float64
	decls   strings.Builder // work types and pools
	// symbolic is set while writing a file for GenerateSymbolic: every
	// integer in it is a length or an index.
	symbolic bool
}

// float writes v as genFloat does, and, when the file's lengths are
// symbolic, an integral v as a floating-point literal (2.0), so that
// integers in the code are lengths and indices only.
func (f *genFile) float(v float64) string {
	s := genFloat(v)
	if f.symbolic && v == math.Trunc(v) && !strings.ContainsAny(s, "e(") {
		s += ".0"
	} else if f.symbolic && v == math.Trunc(v) && strings.HasPrefix(s, "(-") && !strings.Contains(s, "e") {
		s = strings.TrimSuffix(s, ")") + ".0)"
	}
	return s
}

// helper records that the file needs op's helper function.
func (f *genFile) helper(op Op) { f.helpers[op] = true }

// constant returns the name of the package-level array of constant vector
// node i.
func (f *genFile) constant(i int32, v []float64) string {
	f.consts[i] = v
	return fmt.Sprintf("%sC%d", f.prefix, i)
}

// genNames gives the local names of generated code, avoiding the names of
// parameters.
type genNames struct{ taken map[string]bool }

func (n *genNames) local(base string) string {
	for n.taken[base] {
		base += "_"
	}
	return base
}

// genReserved are the names generated code uses besides its own: Go's
// predeclared identifiers and the packages it imports.
var genReserved = map[string]bool{"math": true, "sync": true, "blas": true, "blas64": true, "lapack64": true, "_": true}

func init() {
	for _, s := range strings.Fields(`any bool byte comparable complex64 complex128 error float32 float64
		int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil
		append cap clear close complex copy delete imag len make max min new panic print println real recover`) {
		genReserved[s] = true
	}
}

// genIdent returns the Go name of a variable: its own, or renamed.
func genIdent(name, prefix string) (string, error) {
	if !token.IsIdentifier(name) && !token.IsKeyword(name) {
		return "", fmt.Errorf("gen: variable %q: not a Go identifier", name)
	}
	if rest, ok := strings.CutPrefix(name, prefix); ok {
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) {
			return "", fmt.Errorf("gen: variable %q: generated names begin with %s and a capital letter; choose another function name", name, prefix)
		}
	}
	if token.IsKeyword(name) || genReserved[name] {
		name += "_"
	}
	return name, nil
}

// genSig is what the generator knows of one generated function's
// parameters: their declarations and the checks of their lengths.
type genSig struct {
	name   string
	params [][2]string // name and type
	checks strings.Builder
	unpack strings.Builder
	// n is the length of the vectors when it is symbolic: len(x) of the
	// first vector variable x.
	n string
}

func (s *genSig) scalar(name string) { s.params = append(s.params, [2]string{name, "float64"}) }

func (s *genSig) vector(name string, n int) {
	s.params = append(s.params, [2]string{name, "[]float64"})
	if s.n == "" {
		fmt.Fprintf(&s.checks, "if len(%s) != %d {\npanic(%q)\n}\n", name, n, fmt.Sprintf("%s: %s must have %d elements", s.name, name, n))
		return
	}
	if s.n == "len("+name+")" {
		return
	}
	fmt.Fprintf(&s.checks, "if len(%s) != %d {\npanic(%q)\n}\n", name, n, fmt.Sprintf("%s: %s and the other vectors must have one length", s.name, name))
}

// list returns the parameter list, with the type written once for a run of
// parameters of one type: x, y float64, v []float64.
func (s *genSig) list() string {
	var parts []string
	for i, p := range s.params {
		if i+1 < len(s.params) && s.params[i+1][1] == p[1] {
			parts = append(parts, p[0])
		} else {
			parts = append(parts, p[0]+" "+p[1])
		}
	}
	return strings.Join(parts, ", ")
}

// generate writes the file, and, when lengths are symbolic, returns the Go
// expression of the length too.
func (f *Func) generate(opts GenOptions, symbolic bool) (src []byte, length string, err error) {
	if !token.IsIdentifier(opts.Package) {
		return nil, "", fmt.Errorf("gen: package name %q is not a Go identifier", opts.Package)
	}
	if !token.IsIdentifier(opts.Name) {
		return nil, "", fmt.Errorf("gen: function name %q is not a Go identifier", opts.Name)
	}
	r, size := utf8.DecodeRuneInString(opts.Name)
	file := &genFile{prefix: string(unicode.ToLower(r)) + opts.Name[size:], helpers: map[Op]bool{}, consts: map[int32][]float64{}}
	if token.IsKeyword(file.prefix) || genReserved[file.prefix] {
		return nil, "", fmt.Errorf("gen: function name %q: %s is a Go keyword or predeclared name", opts.Name, file.prefix)
	}
	file.symbolic = symbolic
	g := &generator{f: f, opts: opts, file: file, taken: map[string]bool{}}
	for _, v := range f.vars {
		id, err := genIdent(v.Name, file.prefix)
		if err != nil {
			return nil, "", err
		}
		if g.taken[id] {
			return nil, "", fmt.Errorf("gen: variables %q and another one both become %s in Go", v.Name, id)
		}
		g.taken[id] = true
		g.ids = append(g.ids, id)
	}
	if symbolic {
		if err := g.symbolic(); err != nil {
			return nil, "", err
		}
	}
	// The names derived from the variables' must be free too.
	derived := map[string]bool{}
	for _, id := range g.ids {
		for _, d := range []string{"grad", "dir", "hv"} {
			name := d + upperFirst(id)
			if g.taken[name] || derived[name] {
				return nil, "", fmt.Errorf("gen: variable %s: its derivative's name %s is taken by another variable", id, name)
			}
			derived[name] = true
		}
	}
	for name := range derived {
		g.taken[name] = true
	}

	var funcs bytes.Buffer
	kinds := []genKind{genValue, genGrad}
	if opts.JVP {
		kinds = append(kinds, genJVP)
	}
	if opts.HVP {
		kinds = append(kinds, genHVP)
	}
	if opts.Hessian {
		kinds = append(kinds, genHessian)
	}
	for _, k := range kinds {
		if err := g.function(&funcs, k); err != nil {
			return nil, "", err
		}
	}

	var out bytes.Buffer
	out.WriteString("// Code generated by nabla gen; DO NOT EDIT.\n\n")
	fmt.Fprintf(&out, "package %s\n\n", opts.Package)
	body := funcs.String() + file.decls.String()
	var helpers strings.Builder
	for op := range numOps {
		if file.helpers[op] {
			fmt.Fprintf(&helpers, "\n%s\n", fmt.Sprintf(ops[op].gen.helper, file.prefix))
		}
	}
	var consts strings.Builder
	for _, i := range slices.Sorted(maps.Keys(file.consts)) {
		v := file.consts[i]
		fmt.Fprintf(&consts, "\nvar %sC%d = [%d]float64{", file.prefix, i, len(v))
		for j, x := range v {
			if j%8 == 0 {
				consts.WriteString("\n")
			}
			fmt.Fprintf(&consts, "%s, ", file.float(x))
		}
		consts.WriteString("\n}\n")
	}
	all := body + helpers.String() + consts.String()
	var imports []string
	if usesPackage("math", all) {
		imports = append(imports, `"math"`)
	}
	if usesPackage("sync", all) {
		imports = append(imports, `"sync"`)
	}
	// gonum's packages in a group of their own, after the standard
	// library's.
	var gonum []string
	if usesPackage("blas", all) {
		gonum = append(gonum, `"gonum.org/v1/gonum/blas"`)
	}
	if usesPackage("blas64", all) {
		gonum = append(gonum, `"gonum.org/v1/gonum/blas/blas64"`)
	}
	if usesPackage("lapack64", all) {
		gonum = append(gonum, `"gonum.org/v1/gonum/lapack/lapack64"`)
	}
	if len(imports) > 0 && len(gonum) > 0 {
		imports = append(imports, "")
	}
	imports = append(imports, gonum...)
	switch len(imports) {
	case 0:
	case 1:
		fmt.Fprintf(&out, "import %s\n\n", imports[0])
	default:
		fmt.Fprintf(&out, "import (\n%s\n)\n\n", strings.Join(imports, "\n"))
	}
	source := opts.Source
	if source == "" {
		source = f.String()
	}
	fmt.Fprintf(&out, "// %s is, in nabla's expression language,\n//\n", opts.Name)
	for line := range strings.SplitSeq(strings.TrimRight(source, "\n"), "\n") {
		fmt.Fprintf(&out, "//\t%s\n", line)
	}
	out.WriteString("//\n// of the variables")
	for i, v := range f.vars {
		sep := ","
		if i == len(f.vars)-1 {
			sep = "."
		}
		shape := v.Shape.String()
		if symbolic && !v.Shape.IsScalar() {
			shape = "vector of " + g.n + " elements"
		}
		fmt.Fprintf(&out, " %s (%s)%s", g.ids[i], shape, sep)
	}
	out.WriteString("\n\n")
	out.WriteString(all)
	src, err = gofmt.Source(out.Bytes())
	if err != nil {
		return nil, "", fmt.Errorf("gen: the generated code does not parse (a bug in nabla): %v", err)
	}
	return src, g.n, nil
}

// usesPackage reports whether code refers to package pkg.
func usesPackage(pkg, code string) bool {
	return regexp.MustCompile(`\b` + pkg + `\.`).MatchString(code)
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == '_' {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

type genKind int

const (
	genValue genKind = iota
	genGrad
	genJVP
	genHVP
	genHessian
)

// generator writes the functions of one file.
type generator struct {
	// n is, when lengths are symbolic, the Go expression of the vectors'
	// length.
	n     string
	f     *Func
	opts  GenOptions
	file  *genFile
	ids   []string // Go names of the variables
	taken map[string]bool
}

// function writes one generated function.
func (g *generator) function(w *bytes.Buffer, kind genKind) error {
	f := g.f
	var (
		p      *program
		err    error
		suffix string
	)
	switch kind {
	case genValue:
		p = &f.value
	case genGrad:
		p, err = f.gradProgram()
		suffix = "Grad"
	case genJVP:
		p, err = f.jvpProgram()
		suffix = "JVP"
	case genHVP:
		p, err = f.hvpProgram()
		suffix = "HVP"
	case genHessian:
		if f.dim > MaxSymbolicHessian {
			return fmt.Errorf("gen: a Hessian of %d variables is not generated (at most %d); generate the HVP", f.dim, MaxSymbolicHessian)
		}
		p, err = f.hessProgram()
		suffix = "Hessian"
	}
	if err != nil {
		return err
	}
	prog := p.prog
	name := g.opts.Name + suffix
	names := &genNames{taken: maps.Clone(g.taken)}
	sig := &genSig{name: name, n: g.n}
	flat := g.opts.Flat
	nv := len(f.vars)

	// Inputs: the variables, then for JVP and HVP their tangents.
	inputs := make([]string, len(prog.inputs))
	bind := func(first int, flatName, prefix string) (slice string) {
		if flat {
			slice = names.local(flatName)
			names.taken[slice] = true
			sig.vector(slice, f.dim)
		}
		for i, v := range f.vars {
			id := g.ids[i]
			if prefix != "" {
				id = prefix + upperFirst(id)
			}
			inputs[first+i] = id
			if !flat {
				if v.Shape.IsScalar() {
					sig.scalar(id)
				} else {
					sig.vector(id, v.Shape.Len())
				}
				continue
			}
			if prog.uses(prog.inNode[first+i]) {
				if v.Shape.IsScalar() {
					fmt.Fprintf(&sig.unpack, "%s := %s[%d]\n", id, slice, f.offsets[i])
				} else {
					fmt.Fprintf(&sig.unpack, "%s := %s[%d:%d]\n", id, slice, f.offsets[i], f.offsets[i]+v.Shape.Len())
				}
			}
		}
		return slice
	}
	bind(0, "x", "")
	var dir string
	if kind == genJVP || kind == genHVP {
		dir = bind(nv, "v", "dir")
	}

	// Outputs: scalars are returned or assigned after the body, from the
	// program's results %0, %1, …; vectors go to slices.
	outs := make([]genRef, len(prog.outNode))
	body := newGenBody(prog, g.file, names)
	body.out = outs

	// Outputs by kind, written after the body from the scalar results.
	var tail []string
	var returns []string
	var doc string
	if !flat {
		var ds []string
		for _, id := range g.ids {
			ds = append(ds, "dir"+upperFirst(id))
		}
		dir = "(" + strings.Join(ds, ", ") + ")"
	}
	switch kind {
	case genValue:
		doc = fmt.Sprintf("%s returns the function's value.", name)
		returns = []string{"%0"}
	case genGrad:
		returns = []string{"%0"}
		t, r, d := g.byVar(sig, names, outs, 1, "grad")
		tail, returns = append(tail, t...), append(returns, r...)
		doc = fmt.Sprintf("%s returns the function's value and computes its gradient: it %s.", name, d)
	case genJVP:
		doc = fmt.Sprintf("%s returns the function's value and its derivative in the direction %s.", name, dir)
		returns = []string{"%0", "%1"}
	case genHVP:
		t, r, d := g.byVar(sig, names, outs, 0, "hv")
		tail, returns = append(tail, t...), append(returns, r...)
		doc = fmt.Sprintf("%s computes the product of the function's Hessian with the direction %s: it %s.", name, dir, d)
	case genHessian:
		h := names.local("h")
		names.taken[h] = true
		doc = fmt.Sprintf("%s writes the function's Hessian into %s, row-major over the variables' elements in order (%d×%d).", name, h, f.dim, f.dim)
		sig.vector(h, f.dim*f.dim)
		k := 0
		for i := range f.dim {
			for j := i; j < f.dim; j++ {
				tail = append(tail, fmt.Sprintf("%s[%d] = %%%d", h, i*f.dim+j, k))
				if i != j {
					tail = append(tail, fmt.Sprintf("%s[%d] = %%%d", h, j*f.dim+i, k))
				}
				k++
			}
		}
	}

	body.write(inputs)
	fill := func(s string) string {
		return regexp.MustCompile(`%(\d+)`).ReplaceAllStringFunc(s, func(m string) string {
			var k int
			fmt.Sscanf(m[1:], "%d", &k)
			return body.result(k)
		})
	}
	fmt.Fprintf(w, "// %s\n", doc)
	var resultTypes string
	switch len(returns) {
	case 0:
	case 1:
		resultTypes = " float64"
	default:
		resultTypes = " (" + strings.TrimSuffix(strings.Repeat("float64, ", len(returns)), ", ") + ")"
	}
	fmt.Fprintf(w, "func %s(%s)%s {\n", name, sig.list(), resultTypes)
	w.WriteString(sig.checks.String())
	w.WriteString(sig.unpack.String())
	if len(body.bufs) > 0 || len(body.pivs) > 0 {
		typ, pool := g.file.prefix+suffix+"Work", g.file.prefix+suffix+"Pool"
		if suffix == "" {
			typ, pool = g.file.prefix+"Work", g.file.prefix+"Pool"
		}
		fmt.Fprintf(&g.file.decls, "\n// %s is the working memory of %s.\ntype %s struct {\n", typ, name, typ)
		for k, n := range body.bufs {
			if g.n != "" {
				fmt.Fprintf(&g.file.decls, "b%d []float64\n", k)
			} else {
				fmt.Fprintf(&g.file.decls, "b%d [%d]float64\n", k, n)
			}
		}
		// Only matrices need ints, and their lengths are never symbolic.
		for k, n := range body.pivs {
			fmt.Fprintf(&g.file.decls, "p%d [%d]int\n", k, n)
		}
		fmt.Fprintf(&g.file.decls, "}\n\nvar %s = sync.Pool{New: func() any { return new(%s) }}\n", pool, typ)
		fmt.Fprintf(w, "%s := %s.Get().(*%s)\ndefer %s.Put(%s)\n", body.work, pool, typ, pool, body.work)
		if g.n != "" { // buffers grow to the length of the call's vectors
			for k, n := range body.bufs {
				fmt.Fprintf(w, "if len(%[1]s.b%[2]d) < %[3]d {\n%[1]s.b%[2]d = make([]float64, %[3]d)\n}\n", body.work, k, n)
			}
		}
	}
	w.WriteString(body.sb.String())
	for _, t := range tail {
		w.WriteString(fill(t) + "\n")
	}
	if len(returns) > 0 {
		rs := make([]string, len(returns))
		for i, r := range returns {
			rs[i] = fill(r)
		}
		fmt.Fprintf(w, "return %s\n", strings.Join(rs, ", "))
	}
	w.WriteString("}\n\n")
	return nil
}

// symbolic checks that the function can be written with symbolic lengths
// and names the length.
func (g *generator) symbolic() error {
	switch {
	case g.opts.Flat:
		return errors.New("gen: symbolic lengths need a parameter per variable, not Flat")
	case g.opts.Hessian:
		return errors.New("gen: a dense Hessian is not generated with symbolic lengths: generate the HVP")
	}
	n := 0
	for i, v := range g.f.vars {
		switch {
		case v.Shape.IsScalar():
		case v.Shape.Rank() > 1:
			return fmt.Errorf("gen: symbolic lengths are of vectors, and %s is a %s", g.ids[i], v.Shape)
		case n == 0:
			n = v.Shape.Len()
			g.n = "len(" + g.ids[i] + ")"
		case v.Shape.Len() != n:
			return fmt.Errorf("gen: symbolic lengths need vectors of one length, and %s has %d elements, %s %d", g.n[4:len(g.n)-1], n, g.ids[i], v.Shape.Len())
		}
	}
	if n == 0 {
		return errors.New("gen: symbolic lengths need a vector variable")
	}
	return nil
}

// byVar binds outputs first, first+1, … of a gradient or HVP program, one
// per variable: vector ones go to slices (parameters, or parts of the flat
// slice named after what), scalar ones are returned, or, flat, assigned.
// doc says where they go.
func (g *generator) byVar(sig *genSig, names *genNames, outs []genRef, first int, what string) (tail, returns []string, doc string) {
	f := g.f
	var flat string
	if g.opts.Flat {
		flat = names.local(what)
		names.taken[flat] = true
		sig.vector(flat, f.dim)
	}
	var scalars, vectors []string
	for i, v := range f.vars {
		k := first + i
		id := what + upperFirst(g.ids[i])
		switch {
		case flat != "" && v.Shape.IsScalar():
			tail = append(tail, fmt.Sprintf("%s[%d] = %%%d", flat, f.offsets[i], k))
		case flat != "":
			fmt.Fprintf(&sig.unpack, "%s := %s[%d:%d]\n", id, flat, f.offsets[i], f.offsets[i]+v.Shape.Len())
			outs[k] = genRef{base: id, step: 1, len: v.Shape.Len()}
		case v.Shape.IsScalar():
			returns = append(returns, fmt.Sprintf("%%%d", k))
			scalars = append(scalars, g.ids[i])
		default:
			sig.vector(id, v.Shape.Len())
			outs[k] = genRef{base: id, step: 1, len: v.Shape.Len()}
			vectors = append(vectors, fmt.Sprintf("%s into %s", g.ids[i], id))
		}
	}
	if flat != "" {
		return tail, returns, "writes it into " + flat
	}
	var parts []string
	if len(scalars) > 0 {
		p := "returns it for " + strings.Join(scalars, ", ")
		if what == "grad" {
			p += " after the value"
		}
		parts = append(parts, p)
	}
	if len(vectors) > 0 {
		parts = append(parts, "writes it for "+strings.Join(vectors, ", "))
	}
	return tail, returns, strings.Join(parts, " and ")
}

// uses reports whether the program reads node i or returns it.
func (p *Program) uses(i int32) bool {
	if slices.Contains(p.outNode, i) {
		return true
	}
	for k := range p.code {
		if slices.Contains(p.code[k].reads(), i) {
			return true
		}
	}
	return false
}
