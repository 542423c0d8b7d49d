package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// maxPointFile bounds the size of a point file, which at MaxPointLen
// numbers of about 20 bytes each is below this.
const maxPointFile = 1 << 29

// inputFlags are the flags of the commands that compute something: where the
// expression and the point come from, and the output form.
type inputFlags struct {
	expr   string
	file   string
	at     []string
	atFile string
	data   []string
	wrt    []string
	hasWrt bool // whether wrt is the command's --wrt (diff has its own)
	json   bool
}

// addFlags declares the flags on cmd.
func (in *inputFlags) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.VarP(&onceString{s: &in.expr}, "expr", "e", "the expression")
	f.VarP(&onceString{s: &in.file}, "file", "f", "read the expression from `FILE` (- for standard input)")
	f.StringArrayVar(&in.at, "at", nil, "the `POINT`: x=1,y=2, x=[1,2,3], x=-1.2:1.5*500, W=[[1,2],[3,4]] (may be repeated)")
	f.Var(&onceString{s: &in.atFile}, "at-file", "read the point from a JSON `FILE` such as {\"x\": 1, \"y\": [1, 2]}, or what optimize --json printed")
	f.StringArrayVar(&in.data, "data", nil, "bind `NAME=FILE` (.csv, .json, .npy; FILE:J or FILE:J:K for columns) as a constant (may be repeated)")
	addJSONFlag(cmd, &in.json)
}

// A onceString is a string flag that may be given once: a second value
// is an error, where a plain string flag would quietly keep the last.
type onceString struct {
	s   *string
	set bool
}

func (o *onceString) String() string {
	if o.s == nil {
		return ""
	}
	return *o.s
}

func (o *onceString) Set(s string) error {
	if o.set {
		return errors.New("the flag may be given only once")
	}
	*o.s, o.set = s, true
	return nil
}

func (o *onceString) Type() string { return "string" }

// addJSONFlag declares --json, which every command has.
func addJSONFlag(cmd *cobra.Command, v *bool) {
	cmd.Flags().BoolVar(v, "json", false, "print one JSON object instead of text")
}

// A job is an expression compiled for a point.
type job struct {
	f *expr.Func
	// vf is set instead of f for the commands whose expression may be
	// vector-valued.
	vf   *expr.VectorFunc
	vars []ad.Var
	// x holds the point's values flattened in vars order; nil when the
	// point is not needed and some variable has no value.
	x []float64
	// offsets[i] is where vars[i] starts in x.
	offsets []int
	// unused names the variables given in the point that the expression
	// does not use; their derivatives are zero.
	unused map[string]bool
	// data and held name the constants: the --data flags, and the
	// variables of the point --wrt leaves out.
	data, held map[string]bool
}

// at returns the values of variable i in a flat vector.
func (j *job) at(x []float64, i int) []float64 {
	return x[j.offsets[i] : j.offsets[i]+j.vars[i].Shape.Len()]
}

// load reads the expression, the point and the data, and compiles the
// expression with the sizes of the point's vectors. The data, and with
// --wrt the point's other variables, are constants. When needValues is
// false the point only gives sizes, and variables may lack values.
func (in *inputFlags) load(cmd *cobra.Command, needValues bool) (*job, error) {
	j, f, err := in.compile(cmd, needValues, func(src string, opts *expr.Options) (compiled, error) {
		return expr.Compile(src, opts)
	})
	if err != nil {
		return nil, err
	}
	j.f = f.(*expr.Func)
	return j, nil
}

// loadVector is load for an expression whose result may be a vector; every
// variable needs a value.
func (in *inputFlags) loadVector(cmd *cobra.Command) (*job, error) {
	j, f, err := in.compile(cmd, true, func(src string, opts *expr.Options) (compiled, error) {
		return expr.CompileVector(src, opts)
	})
	if err != nil {
		return nil, err
	}
	j.vf = f.(*expr.VectorFunc)
	return j, nil
}

// compiled is what load needs of a compiled expression, scalar or
// vector-valued.
type compiled interface {
	Vars() []ad.Var
	Warnings() []expr.Error
	Graph() *ad.Graph
	Output() ad.Node
}

// compile reads the expression, the point and the data, and compiles the
// expression with compileFunc, returning the job without its function.
func (in *inputFlags) compile(cmd *cobra.Command, needValues bool, compileFunc func(string, *expr.Options) (compiled, error)) (*job, compiled, error) {
	src, name, err := in.source(cmd)
	if err != nil {
		return nil, nil, err
	}
	p, err := in.point(cmd)
	if err != nil {
		return nil, nil, err
	}
	wrt, err := in.wrtNames(cmd)
	if err != nil {
		return nil, nil, err
	}
	flags, err := in.dataFlags()
	if err != nil {
		return nil, nil, err
	}
	j := &job{unused: map[string]bool{}, data: map[string]bool{}, held: map[string]bool{}}
	for _, d := range flags {
		j.data[d.name] = true
	}
	for _, w := range wrt {
		if j.data[w] {
			return nil, nil, fmt.Errorf("--wrt: %s is data (--data), not a variable: data have no derivative", w)
		}
	}
	consts, err := readData(flags)
	if err != nil {
		return nil, nil, err
	}
	if wrt != nil {
		// --wrt holds the point's other variables fixed: they become
		// constants, as data are.
		var free point
		for _, v := range p {
			if slices.Contains(wrt, v.name) {
				free = append(free, v)
				continue
			}
			consts[v.name] = constOf(v)
			j.held[v.name] = true
		}
		p = free
	}
	shapes := map[string]ad.Shape{}
	for _, v := range p {
		shapes[v.name] = v.shape
	}
	f, err := compileFunc(src, &expr.Options{Shapes: shapes, Consts: consts})
	if err != nil {
		return nil, nil, sourceError(name, err)
	}
	at := p.index()
	var missing []string
	names := []string{}
	used := map[string]bool{}
	for _, v := range f.Vars() {
		names = append(names, v.Name)
		used[v.Name] = true
		if _, ok := at[v.Name]; !ok {
			missing = append(missing, v.Name)
		}
	}
	first := slices.Clone(names)
	if wrt != nil {
		if names, err = j.wrtOrder(wrt, names, p); err != nil {
			return nil, nil, err
		}
	} else {
		// The expression's variables come in the order the point names
		// them (f(x, y) for --at x=…,y=…, whatever the expression mentions
		// first), then the point's variables the expression does not use.
		order := func(n string) int {
			if i, ok := at[n]; ok {
				return i
			}
			return len(p)
		}
		slices.SortStableFunc(names, func(a, b string) int { return order(a) - order(b) })
		for _, v := range p {
			if !used[v.name] {
				names = append(names, v.name)
			}
		}
	}
	if len(missing) > 0 && needValues {
		err := missingError(missing)
		if s := expr.Suggest(missing[0], slices.Collect(maps.Keys(j.data))); s != "" {
			err = fmt.Errorf("%v (or is it the data %s?)", err, s)
		}
		return nil, nil, err
	}
	for _, n := range names {
		if !used[n] {
			j.unused[n] = true
		}
	}
	if !slices.Equal(names, first) {
		// Declaring every variable of the point makes the unused ones
		// inputs of the function too, with exact zero derivatives.
		if f, err = compileFunc(src, &expr.Options{Vars: names, Shapes: shapes, Consts: consts}); err != nil {
			return nil, nil, sourceError(name, err)
		}
	}
	j.vars = f.Vars()
	n := 0
	for _, v := range j.vars {
		j.offsets = append(j.offsets, n)
		n += v.Shape.Len()
	}
	if len(missing) == 0 {
		j.x = make([]float64, 0, n)
		for _, v := range j.vars {
			j.x = append(j.x, p[at[v.Name]].x...)
		}
	}
	for _, w := range f.Warnings() {
		fmt.Fprintf(cmd.ErrOrStderr(), "nabla: warning: %s\n", prefixSource(name, w.Error()))
	}
	if err := warnUnused(cmd.ErrOrStderr(), f.Graph(), f.Output()); err != nil {
		return nil, nil, err
	}
	return j, f, nil
}

// wrtOrder checks the variables --wrt names against those of the
// expression, vars, and of the point p, and returns the function's
// variables: those --wrt names, in its order.
func (j *job) wrtOrder(wrt, vars []string, p point) ([]string, error) {
	var fixed []string
	for _, v := range vars {
		if !slices.Contains(wrt, v) {
			fixed = append(fixed, v)
		}
	}
	if len(fixed) > 0 {
		list := join(len(fixed), func(i int) string { return fixed[i] })
		return nil, fmt.Errorf("no value for %s: --wrt differentiates only %s and holds the other variables at their --at values; give them with --at %s=…", list, strings.Join(wrt, ", "), strings.Join(fixed, "=…,"))
	}
	for _, w := range wrt {
		if _, ok := p.lookup(w); ok || slices.Contains(vars, w) {
			continue
		}
		candidates := slices.Clone(vars)
		for _, v := range p {
			candidates = append(candidates, v.name)
		}
		for h := range j.held {
			candidates = append(candidates, h)
		}
		msg := fmt.Sprintf("--wrt: %s is not a variable of the expression or the point", w)
		if s := expr.Suggest(w, candidates); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return nil, errors.New(msg)
	}
	return wrt, nil
}

// missingError names the variables that have no value.
func missingError(names []string) error {
	if len(names) == 1 {
		return fmt.Errorf("no value for the variable %s: give it with --at %[1]s=…", names[0])
	}
	list := join(len(names), func(i int) string { return names[i] })
	if len(names) > maxShown {
		return fmt.Errorf("no value for the %d variables %s: give them with --at or --at-file", len(names), list)
	}
	return fmt.Errorf("no value for the variables %s: give them with --at %s=…", list, strings.Join(names, "=…,"))
}

// unknownVar says that name, given with flag, is not a variable of the job,
// with the likely one when it looks like a typo.
func (j *job) unknownVar(flag, name string) error {
	if err := expr.CheckVarName(name); err != nil {
		return fmt.Errorf("%s: %v", flag, err)
	}
	switch {
	case j.data[name]:
		return fmt.Errorf("%s: %s is data (--data), not a variable", flag, name)
	case j.held[name]:
		return fmt.Errorf("%s: %s is held fixed: it is not one of the variables --wrt names", flag, name)
	}
	names := make([]string, len(j.vars))
	for i, v := range j.vars {
		names[i] = v.Name
	}
	msg := fmt.Sprintf("%s: %s is not a variable of the expression or the point", flag, name)
	if s := expr.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return errors.New(msg)
}

// sourceError returns an expression error with the file name, if any, in
// front of its position.
func sourceError(name string, err error) error {
	return errors.New(prefixSource(name, err.Error()))
}

// prefixSource puts the source's file name in front of the positions in an
// expression error message ("1:5: …" becomes "f.nabla:1:5: …").
func prefixSource(name, msg string) string {
	if name == "" {
		return msg
	}
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		if l != "" && l[0] >= '1' && l[0] <= '9' {
			lines[i] = name + ":" + l
		}
	}
	return strings.Join(lines, "\n")
}

// source returns the expression and, when it came from a file, the file's
// name.
func (in *inputFlags) source(cmd *cobra.Command) (src, name string, err error) {
	hasExpr, hasFile := cmd.Flags().Changed("expr"), cmd.Flags().Changed("file")
	switch {
	case hasExpr && hasFile:
		return "", "", &usageError{cmd, errors.New("give the expression with -e or -f, not both")}
	case hasExpr:
		return in.expr, "", nil
	case !hasFile:
		return "", "", &usageError{cmd, errors.New("no expression: give one with -e EXPR or -f FILE")}
	}
	data, err := readFile(cmd, in.file, expr.MaxSourceLen)
	if err != nil {
		return "", "", err
	}
	name = in.file
	if name == "-" {
		name = "<stdin>"
	}
	return string(data), name, nil
}

// point reads --at-file and then --at, whose values take precedence. A
// point that names data is an error.
func (in *inputFlags) point(cmd *cobra.Command) (point, error) {
	data, err := in.dataFlags()
	if err != nil {
		return nil, err
	}
	var p point
	if in.atFile != "" {
		if in.atFile == "-" && in.file == "-" {
			return nil, &usageError{cmd, errors.New("-f - and --at-file - cannot both read standard input")}
		}
		text, err := readFile(cmd, in.atFile, maxPointFile)
		if err != nil {
			return nil, err
		}
		if p, err = parsePointJSON(in.atFile, text); err != nil {
			return nil, err
		}
		if err := refuseData("--at-file "+in.atFile, p, data); err != nil {
			return nil, err
		}
	}
	q, err := parsePoint("--at", in.at...)
	if err != nil {
		return nil, err
	}
	if err := refuseData("--at", q, data); err != nil {
		return nil, err
	}
	at := p.index()
	for _, v := range q {
		if i, ok := at[v.name]; ok {
			p[i] = v
			continue
		}
		at[v.name] = len(p)
		p = append(p, v)
	}
	if n := p.len(); n > MaxPointLen {
		return nil, fmt.Errorf("the point has %d values, more than the %d a point may hold", n, MaxPointLen)
	}
	return p, nil
}

// readFile reads a file, or standard input for "-", refusing more than
// limit bytes.
func readFile(cmd *cobra.Command, name string, limit int64) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = cmd.InOrStdin()
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return data, nil
}

// value returns the function's value at the point; a value that is not
// finite comes with the *ad.NonFiniteError that explains it.
func (j *job) value() (float64, error) {
	return j.f.Eval(j.x)
}

// gradient returns the value and the gradient, flattened in the order of
// the variables. Non-finite results come with their explanation.
func (j *job) gradient() (value float64, grad []float64, err error) {
	grad = make([]float64, len(j.x))
	value, err = j.f.Grad(j.x, grad)
	return value, grad, err
}
