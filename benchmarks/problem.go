package benchmarks

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

//go:embed problems/*.nabla
var builtin embed.FS

// A Problem is an unconstrained test problem: an objective over one vector
// variable x, written in nabla's expression language, with its standard
// start and known solution. Problems live in files of their own; see
// LoadFile for the format.
type Problem struct {
	Name       string
	Title      string
	Source     string // where the problem is defined
	N          int    // default dimension
	Scalable   bool   // whether other dimensions are allowed
	NMin       int    // smallest dimension, for scalable problems
	NMax       int    // largest dimension, 0 for no limit
	NMultiple  int    // the dimension must be a multiple of this
	FStar      float64
	FStarKnown bool
	FStarNote  string
	Tags       []string
	Notes      []string
	Expr       string // the objective
	File       string // where it was loaded from

	start, xStar header // rules for the start and the minimizer
}

// header is a start or minimizer rule: a list, a pattern, or an
// expression in n.
type header struct {
	kind string // "list", "pattern", "expr", or ""
	list []float64
	text string
}

// LoadFile reads a problem file: lines of "# key: value" up to the first
// blank line, then the objective as an expression over the vector x.
// Keys: name, title, source, n ("10" or "10 scalable"), n_min, n_max,
// n_multiple, start (a list), start_pattern (repeated to length n) or
// start_expr (an expression in n), f_star (a number or "unknown"),
// f_star_note, x_star or x_star_pattern, note, tags.
func LoadFile(file string) (*Problem, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return parseProblem(file, string(src))
}

// Load returns the built-in problem called name.
func Load(name string) (*Problem, error) {
	src, err := builtin.ReadFile("problems/" + name + ".nabla")
	if err != nil {
		names, _ := Names()
		return nil, fmt.Errorf("unknown problem %q; the problems are %s", name, strings.Join(names, ", "))
	}
	return parseProblem("problems/"+name+".nabla", string(src))
}

// Names lists the built-in problems.
func Names() ([]string, error) {
	entries, err := fs.Glob(builtin, "problems/*.nabla")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(path.Base(e), ".nabla"))
	}
	slices.Sort(names)
	return names, nil
}

// Catalogue returns every built-in problem, sorted by name.
func Catalogue() ([]*Problem, error) {
	names, err := Names()
	if err != nil {
		return nil, err
	}
	var ps []*Problem
	for _, n := range names {
		p, err := Load(n)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// Select returns the problems a comma-separated list names: a tag (mgh,
// ml, least-squares, …), a built-in problem's name, or a path to a problem
// file (ending in .nabla).
func Select(spec string) ([]*Problem, error) {
	all, err := Catalogue()
	if err != nil {
		return nil, err
	}
	var out []*Problem
	seen := map[string]bool{}
	add := func(p *Problem) {
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p)
		}
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			continue
		case item == "all":
			for _, p := range all {
				add(p)
			}
			continue
		case strings.HasSuffix(item, ".nabla"):
			p, err := LoadFile(item)
			if err != nil {
				return nil, err
			}
			add(p)
			continue
		}
		found := false
		for _, p := range all {
			if p.Name == item || slices.Contains(p.Tags, item) {
				add(p)
				found = true
			}
		}
		if !found {
			names, _ := Names()
			return nil, fmt.Errorf("unknown problem or tag %q; tags are mgh, ml, least-squares, scalable; problems are %s", item, strings.Join(names, ", "))
		}
	}
	return out, nil
}

func parseProblem(file, src string) (*Problem, error) {
	p := &Problem{File: file}
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", filepath.ToSlash(file), line, fmt.Sprintf(format, args...))
	}
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line, bodyStart := 0, 0
	offset := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		offset += len(text) + 1
		if strings.TrimSpace(text) == "" {
			bodyStart = offset
			break
		}
		if !strings.HasPrefix(text, "#") {
			return nil, fail(line, "header lines start with '#', and a blank line ends the header")
		}
		key, val, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(text, "#")), ":")
		if !ok {
			return nil, fail(line, "header line is not 'key: value'")
		}
		val = strings.TrimSpace(val)
		var err error
		switch key = strings.TrimSpace(key); key {
		case "name":
			p.Name = val
		case "title":
			p.Title = val
		case "source":
			p.Source = val
		case "n":
			f := strings.Fields(val)
			if len(f) == 0 || len(f) > 2 || len(f) == 2 && f[1] != "scalable" {
				return nil, fail(line, "n must be a number, optionally followed by 'scalable'")
			}
			p.Scalable = len(f) == 2
			p.N, err = strconv.Atoi(f[0])
		case "n_min":
			p.NMin, err = strconv.Atoi(val)
		case "n_max":
			p.NMax, err = strconv.Atoi(val)
		case "n_multiple":
			p.NMultiple, err = strconv.Atoi(val)
		case "start", "x_star":
			var h header
			h.kind = "list"
			h.list, err = parseList(val)
			p.setRule(key, h)
		case "start_pattern", "x_star_pattern":
			var h header
			h.kind = "pattern"
			h.list, err = parseList(val)
			p.setRule(strings.TrimSuffix(key, "_pattern"), h)
		case "start_expr":
			p.start = header{kind: "expr", text: val}
		case "f_star":
			if val != "unknown" {
				p.FStar, err = strconv.ParseFloat(val, 64)
				p.FStarKnown = err == nil
			}
		case "f_star_note":
			p.FStarNote = val
		case "note":
			p.Notes = append(p.Notes, val)
		case "tags":
			for _, t := range strings.Split(val, ",") {
				p.Tags = append(p.Tags, strings.TrimSpace(t))
			}
		case "unsupported":
			return nil, fail(line, "problem is marked unsupported: %s", val)
		default:
			return nil, fail(line, "unknown header key %q", key)
		}
		if err != nil {
			return nil, fail(line, "bad %s: %v", key, err)
		}
	}
	if bodyStart == 0 {
		return nil, fail(line, "no blank line after the header, so no objective")
	}
	p.Expr = src // the header is a comment in the language, so positions are the file's
	_ = bodyStart
	switch {
	case p.Name == "":
		return nil, fail(1, "the header has no name")
	case p.N < 1:
		return nil, fail(1, "the header has no dimension n")
	case p.start.kind == "":
		return nil, fail(1, "the header has no start, start_pattern or start_expr")
	}
	if p.NMin == 0 {
		p.NMin = p.N
		if p.Scalable {
			p.NMin = 1
		}
	}
	// The objective must compile at the default size; its errors name the
	// file and the line within it.
	if _, _, err := p.Func(p.N); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Problem) setRule(key string, h header) {
	if key == "start" {
		p.start = h
	} else {
		p.xStar = h
	}
}

func parseList(s string) ([]float64, error) {
	var v []float64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, err
		}
		v = append(v, x)
	}
	return v, nil
}

// CheckDim reports whether the problem can be posed with n variables.
func (p *Problem) CheckDim(n int) error {
	switch {
	case !p.Scalable && n != p.N:
		return fmt.Errorf("problem %s has fixed dimension %d, not %d", p.Name, p.N, n)
	case n < p.NMin || p.NMax > 0 && n > p.NMax:
		return fmt.Errorf("problem %s needs %d ≤ n ≤ %d, not %d", p.Name, p.NMin, p.NMax, n)
	case p.NMultiple > 1 && n%p.NMultiple != 0:
		return fmt.Errorf("problem %s needs n to be a multiple of %d, not %d", p.Name, p.NMultiple, n)
	}
	return nil
}

// Func compiles the objective for n variables and returns it with the
// standard start.
func (p *Problem) Func(n int) (*expr.Func, []float64, error) {
	if err := p.CheckDim(n); err != nil {
		return nil, nil, err
	}
	f, err := expr.Compile(p.Expr, &expr.Options{Vars: []string{"x"}, Sizes: map[string]int{"x": n}})
	if err != nil {
		return nil, nil, fmt.Errorf("%s:%w", p.File, err)
	}
	x0, err := p.rule(p.start, n)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: start: %w", p.File, err)
	}
	return f, x0, nil
}

// XStar returns the known minimizer for n variables, or nil.
func (p *Problem) XStar(n int) ([]float64, error) {
	if p.xStar.kind == "" {
		return nil, nil
	}
	return p.rule(p.xStar, n)
}

func (p *Problem) rule(h header, n int) ([]float64, error) {
	switch h.kind {
	case "list":
		if len(h.list) != n {
			return nil, fmt.Errorf("%d values for %d variables", len(h.list), n)
		}
		return slices.Clone(h.list), nil
	case "pattern":
		x := make([]float64, n)
		for i := range x {
			x[i] = h.list[i%len(h.list)]
		}
		return x, nil
	}
	// An expression in n: evaluate its graph, which has no variables.
	g := ad.NewGraph()
	node, err := expr.Parse(g, fmt.Sprintf("n = %d; %s", n, h.text))
	if err != nil {
		return nil, err
	}
	if s := g.Shape(node); s.Len() != n {
		return nil, fmt.Errorf("expression gives %v for %d variables", s, n)
	}
	prog, err := g.Compile(node)
	if err != nil {
		return nil, err
	}
	ws := prog.NewWorkspace()
	if err := prog.Run(ws, nil); err != nil {
		return nil, err
	}
	x := slices.Clone(ws.Output(0))
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("start is not finite")
		}
	}
	return x, nil
}
