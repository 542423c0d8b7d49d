// Package gentest checks the Go that ad.Func.Generate writes against the
// Func it was generated from: it compiles the generated functions of many
// Funcs into one program in a temporary module, runs it at given points and
// compares the value, gradient, JVP, HVP and Hessian with the Func's own.
package gentest

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

// Tol is the relative tolerance of the comparisons: of each number to
// the largest of its kind (the gradient's largest element, say). Generated
// code adds up a reduction in one order and the interpreter in another, so
// tiny elements that are differences of large ones differ relatively more.
const Tol = 1e-13

// A Case is a function to generate and the points and directions to check
// it at, flat, in the order of its Vars.
type Case struct {
	Name   string
	F      *ad.Func
	Points [][]float64
	Dirs   [][]float64 // one per point
	// Tol replaces the package's Tol when set.
	Tol float64
}

// hessianLimit is the largest number of variable elements for which the
// Hessian is generated and compared.
const hessianLimit = 16

// Env returns the environment of go commands run on generated code: no
// network (the checksums of the module cache's gonum are taken as they
// are), no workspace, the installed toolchain.
func Env() []string {
	return append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local")
}

// Module writes a module named tmp into a new temporary directory and
// returns it. It requires gonum, for the matrix products of generated code,
// at the version nabla's module requires, which the module cache holds.
func Module(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds generated code: skipped with -short")
	}
	gonum.once.Do(func() {
		// The test runs in a package directory of nabla's module.
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "gonum.org/v1/gonum").Output()
		gonum.version, gonum.err = strings.TrimSpace(string(out)), err
	})
	if gonum.err != nil {
		t.Fatalf("the version of gonum: %v", gonum.err)
	}
	dir := t.TempDir()
	mod := "module tmp\n\ngo 1.22\n\nrequire gonum.org/v1/gonum " + gonum.version + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// gonum is the version of gonum that nabla requires.
var gonum struct {
	once    sync.Once
	version string
	err     error
}

// Go runs the go command with args in dir and returns its standard output.
func Go(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds generated code: skipped with -short")
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = Env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// Check generates the functions of every case, flat and with a parameter
// per variable, into one main package, runs it and compares what it prints
// with the cases' Funcs.
func Check(t *testing.T, cases []Case) {
	t.Helper()
	dir := Module(t)
	var main strings.Builder
	main.WriteString(mainHead)
	for k, c := range cases {
		hess := c.F.Dim() <= hessianLimit
		for _, flat := range []bool{true, false} {
			name := fmt.Sprintf("F%d", k)
			if !flat {
				name = fmt.Sprintf("G%d", k)
			}
			var src bytes.Buffer
			err := c.F.Generate(&src, ad.GenOptions{Package: "main", Name: name, Source: c.Name,
				JVP: true, HVP: true, Hessian: hess, Flat: flat})
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, strings.ToLower(name)+".go"), src.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for j, x := range c.Points {
			fmt.Fprintf(&main, "{\nx := %s\nv := %s\n", floats(x), floats(c.Dirs[j]))
			calls(&main, c.F, fmt.Sprintf("F%d", k), true, hess)
			calls(&main, c.F, fmt.Sprintf("G%d", k), false, hess)
			main.WriteString("}\n")
		}
	}
	main.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	next := run(t, dir)
	for _, c := range cases {
		tol := Tol
		if c.Tol != 0 {
			tol = c.Tol
		}
		for j := range 2 * len(c.Points) {
			at := fmt.Sprintf("%s at point %d, flat", c.Name, j/2)
			if j%2 == 1 {
				at = fmt.Sprintf("%s at point %d, a parameter per variable", c.Name, j/2)
			}
			expect(t, next, c.F, c.Points[j/2], c.Dirs[j/2], at, tol, c.F.Dim() <= hessianLimit)
		}
	}
}

// CheckSymbolic generates the functions of build with ad.GenerateSymbolic
// at length n, runs them at each of lengths and compares what they give
// with build's Func of that length, at a random point and direction.
func CheckSymbolic(t *testing.T, name string, opts ad.GenOptions, n int, build func(n int) (*ad.Func, error), lengths []int) {
	t.Helper()
	dir := Module(t)
	var src bytes.Buffer
	opts.Package, opts.Name, opts.JVP, opts.HVP = "main", "S", true, true
	if err := ad.GenerateSymbolic(&src, opts, n, build); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s.go"), src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(n), 16))
	var main strings.Builder
	main.WriteString(mainHead)
	funcs := make([]*ad.Func, len(lengths))
	points := make([][2][]float64, len(lengths))
	for i, l := range lengths {
		f, err := build(l)
		if err != nil {
			t.Fatalf("%s at length %d: %v", name, l, err)
		}
		x, v := make([]float64, f.Dim()), make([]float64, f.Dim())
		for j := range x {
			x[j], v[j] = 2*rng.Float64()-1, rng.NormFloat64()
		}
		funcs[i], points[i] = f, [2][]float64{x, v}
		fmt.Fprintf(&main, "{\nx := %s\nv := %s\n", floats(x), floats(v))
		calls(&main, f, "S", false, false)
		main.WriteString("}\n")
	}
	main.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	next := run(t, dir)
	for i, l := range lengths {
		expect(t, next, funcs[i], points[i][0], points[i][1], fmt.Sprintf("%s at length %d", name, l), Tol, false)
	}
}

// mainHead begins the main package that calls the generated functions:
// p prints a line of results.
const mainHead = `package main

import (
	"fmt"
	"strconv"
)

func p(what string, xs ...float64) {
	fmt.Print(what)
	for _, x := range xs {
		fmt.Print(" ", strconv.FormatFloat(x, 'g', -1, 64))
	}
	fmt.Println()
}

func main() {
`

// run runs the main package in dir and returns the reader of its lines of
// results: next(what) returns the numbers of the next line, which must be
// labeled what.
func run(t *testing.T, dir string) func(what string) []float64 {
	t.Helper()
	out := Go(t, dir, "run", ".")
	lines := bufio.NewScanner(bytes.NewReader(out))
	lines.Buffer(nil, 1<<24)
	return func(what string) []float64 {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("output ends before %s", what)
		}
		fields := strings.Fields(lines.Text())
		if fields[0] != what {
			t.Fatalf("output has %s where %s was expected", fields[0], what)
		}
		xs := make([]float64, len(fields)-1)
		for i, s := range fields[1:] {
			xs[i], _ = strconv.ParseFloat(s, 64)
		}
		return xs
	}
}

// expect compares the next lines of results with f at x and v.
func expect(t *testing.T, next func(string) []float64, f *ad.Func, x, v []float64, at string, tol float64, hess bool) {
	t.Helper()
	n := f.Dim()
	compare := func(what string, got, want []float64) { t.Helper(); compare(t, what, got, want, tol) }
	want, err := f.Eval(x)
	must(t, at, err)
	compare(at+": value", next("value"), []float64{want})
	g := make([]float64, n)
	fx, err := f.Grad(x, g)
	must(t, at, err)
	compare(at+": gradient", next("grad"), append([]float64{fx}, g...))
	fx, df, err := f.JVP(x, v)
	must(t, at, err)
	compare(at+": JVP", next("jvp"), []float64{fx, df})
	must(t, at, f.HVP(x, v, g))
	compare(at+": HVP", next("hvp"), g)
	if hess {
		h := mat.NewSymDense(n, nil)
		must(t, at, f.Hessian(x, h))
		dense := make([]float64, 0, n*n)
		for r := range n {
			for s := range n {
				dense = append(dense, h.At(r, s))
			}
		}
		compare(at+": Hessian", next("hessian"), dense)
	}
}

// calls writes the calls of the generated functions name… of f at x and
// v, which print their results as the flat ones do.
func calls(w *strings.Builder, f *ad.Func, name string, flat, hess bool) {
	n := f.Dim()
	fmt.Fprintf(w, "{\ng := make([]float64, %d)\nvar f, df float64\n_ = df\n", n)
	if flat {
		fmt.Fprintf(w, "p(\"value\", %s(x))\n", name)
		fmt.Fprintf(w, "f = %sGrad(x, g)\np(\"grad\", append([]float64{f}, g...)...)\n", name)
		fmt.Fprintf(w, "f, df = %sJVP(x, v)\np(\"jvp\", f, df)\n", name)
		fmt.Fprintf(w, "%sHVP(x, v, g)\np(\"hvp\", g...)\n", name)
		if hess {
			fmt.Fprintf(w, "h := make([]float64, %d)\n%sHessian(x, h)\np(\"hessian\", h...)\n", n*n, name)
		}
		w.WriteString("}\n")
		return
	}
	// Each variable is a parameter: a scalar x[i], or a vector x[i:j];
	// scalar derivatives are returned, vector ones written into parts of g.
	var xs, vs, gs, rs []string
	off := 0
	for _, v := range f.Vars() {
		if v.Shape.IsScalar() {
			xs, vs = append(xs, fmt.Sprintf("x[%d]", off)), append(vs, fmt.Sprintf("v[%d]", off))
			rs = append(rs, fmt.Sprintf("g[%d]", off))
		} else {
			part := fmt.Sprintf("[%d:%d]", off, off+v.Shape.Len())
			xs, vs, gs = append(xs, "x"+part), append(vs, "v"+part), append(gs, "g"+part)
		}
		off += v.Shape.Len()
	}
	args := func(lists ...[]string) string { return strings.Join(slices.Concat(lists...), ", ") }
	assign := func(rs []string, call string) string {
		if len(rs) == 0 {
			return call
		}
		return strings.Join(rs, ", ") + " = " + call
	}
	fmt.Fprintf(w, "p(\"value\", %s(%s))\n", name, args(xs))
	fmt.Fprintf(w, "%s\np(\"grad\", append([]float64{f}, g...)...)\n", assign(append([]string{"f"}, rs...), fmt.Sprintf("%sGrad(%s)", name, args(xs, gs))))
	fmt.Fprintf(w, "f, df = %sJVP(%s)\np(\"jvp\", f, df)\n", name, args(xs, vs))
	fmt.Fprintf(w, "%s\np(\"hvp\", g...)\n", assign(rs, fmt.Sprintf("%sHVP(%s)", name, args(xs, vs, gs))))
	if hess {
		fmt.Fprintf(w, "h := make([]float64, %d)\n%sHessian(%s)\np(\"hessian\", h...)\n", n*n, name, args(xs, []string{"h"}))
	}
	w.WriteString("}\n")
}

func must(t *testing.T, at string, err error) {
	t.Helper()
	if err != nil && !ad.IsNonFinite(err) {
		t.Fatalf("%s: %v", at, err)
	}
}

// compare fails unless got and want agree to tol relative to the largest
// finite magnitude among them (exactly for infinities and NaNs).
func compare(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: generated code gives %d numbers, want %d", what, len(got), len(want))
		return
	}
	scale := 0.0
	for _, x := range slices.Concat(got, want) {
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			scale = max(scale, math.Abs(x))
		}
	}
	for i := range got {
		a, b := got[i], want[i]
		if a == b || math.IsNaN(a) && math.IsNaN(b) {
			continue
		}
		if !(math.Abs(a-b) <= tol*scale) {
			t.Errorf("%s: element %d is %v in generated code, %v in the interpreter", what, i, a, b)
		}
	}
}

// floats writes xs as a Go slice literal.
func floats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		switch {
		case math.IsNaN(x), math.IsInf(x, 0):
			panic("gentest: points must be finite")
		}
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "[]float64{" + strings.Join(parts, ", ") + "}"
}
