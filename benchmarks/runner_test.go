package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/expr"
)

func smallSuite(t *testing.T, workers int) *Report {
	t.Helper()
	ps, err := Select("rosenbrock,beale,himmelblau,wood")
	require.NoError(t, err)
	rep, err := RunSuite(context.Background(), Config{
		Problems: ps, Methods: []string{"lbfgs", "newton", "lbfgs-fd", "gonum-lbfgs", "gonum-lbfgs-fd"},
		Workers: workers,
	})
	require.NoError(t, err)
	return rep
}

func TestRunSuite(t *testing.T) {
	rep := smallSuite(t, 2)
	require.True(t, rep.Complete)
	require.Len(t, rep.Results, 20)
	for _, r := range rep.Results {
		assert.Empty(t, r.Err)
		// These problems are easy: every method with exact gradients
		// solves them to the tightest level.
		if !strings.HasSuffix(r.Method, "-fd") {
			assert.True(t, r.Solved["1e-7"], "%s on %s: f=%g status %v", r.Method, r.Problem, r.Result.F, r.Result.Status)
		}
		assert.Greater(t, r.Evaluations, 0)
	}
	// Finite differences cost 2n evaluations more per gradient.
	byKey := map[string]*Run{}
	for _, r := range rep.Results {
		byKey[r.Problem+"/"+r.Method] = r
	}
	assert.Greater(t, byKey["rosenbrock/lbfgs-fd"].Evaluations, 2*byKey["rosenbrock/lbfgs"].Evaluations)

	// Deterministic whatever the parallelism.
	serial := smallSuite(t, 1)
	for i, r := range rep.Results {
		s := serial.Results[i]
		assert.Equal(t, s.Problem+"/"+s.Method, r.Problem+"/"+r.Method)
		assert.Equal(t, s.Result.X, r.Result.X)
		assert.Equal(t, s.Evaluations, r.Evaluations)
	}

	sum := rep.Summary()
	require.Len(t, sum, 5)
	assert.Equal(t, "lbfgs", sum[0].Method)
	assert.Equal(t, 4, sum[0].Solved["1e-5"])

	for _, format := range Formats {
		var buf bytes.Buffer
		require.NoError(t, rep.Write(&buf, format))
		assert.Contains(t, buf.String(), "rosenbrock", format)
	}
	var buf bytes.Buffer
	require.NoError(t, rep.Write(&buf, "json"))
	var decoded struct {
		Results []map[string]any `json:"results"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &decoded))
	for _, key := range []string{"problem", "method", "n", "x", "f", "gradient_norm", "status", "iterations", "evaluations", "f_star", "solved"} {
		assert.Contains(t, decoded.Results[0], key)
	}
	assert.EqualError(t, rep.Write(&buf, "xml"), `unknown format "xml"; the formats are text, markdown, csv, json`)
}

// TestEngines runs methods of first and second order on the three
// engines: the generated code and gonum's hand-coded functions solve the
// problems as the interpreter does, and the report shows the engines side
// by side.
func TestEngines(t *testing.T) {
	ps, err := Select("wood,brown_dennis,watson")
	require.NoError(t, err)
	rep, err := RunSuite(context.Background(), Config{
		Problems: ps, Methods: []string{"lbfgs", "newton", "newton-cg"}, Engines: []string{"interp", "gen", "gonum"}, Workers: 2,
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"lbfgs", "lbfgs@gen", "lbfgs@gonum", "newton", "newton@gen", "newton@gonum",
		"newton-cg", "newton-cg@gen", "newton-cg@gonum"}, rep.Methods)
	require.Len(t, rep.Results, 27)
	interp := map[string]*Run{}
	for _, r := range rep.Results {
		require.Empty(t, r.Err, "%s on %s", r.Label(), r.Problem)
		assert.True(t, r.Solved["1e-7"], "%s on %s: f=%g status %v", r.Label(), r.Problem, r.Result.F, r.Result.Status)
		if r.Engine == "interp" {
			interp[r.Problem+"/"+r.Method] = r
		}
	}
	// The generated code is the interpreter's arithmetic but for the last
	// bit of a few results (brown_dennis's value, for one), which L-BFGS,
	// stopping at a gradient tolerance, carries to 3e-8 on brown_dennis.
	for _, r := range rep.Results {
		if r.Engine == "gen" {
			in := interp[r.Problem+"/"+r.Method]
			assert.InDeltaSlice(t, in.Result.X, r.Result.X, 1e-7, "%s on %s", r.Label(), r.Problem)
		}
	}
	for _, s := range rep.Summary() {
		assert.Equal(t, 3, s.Solved["1e-7"], s.Method)
	}
	var buf bytes.Buffer
	require.NoError(t, rep.Write(&buf, "text"))
	assert.Regexp(t, `(?m)^wood +4 +newton@gonum +gradient-tolerance `, buf.String())
	buf.Reset()
	require.NoError(t, rep.Write(&buf, "json"))
	var decoded struct {
		Results []map[string]any `json:"results"`
		Summary []map[string]any `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &decoded))
	assert.Equal(t, "lbfgs", decoded.Results[1]["method"])
	assert.Equal(t, "gen", decoded.Results[1]["engine"])
	assert.Equal(t, "lbfgs@gen", decoded.Summary[1]["method"])
	assert.Equal(t, "gen", decoded.Summary[1]["engine"])
}

func TestEngineErrors(t *testing.T) {
	for _, c := range []struct {
		problems, engine, err string
	}{
		{"rosenbrock,himmelblau,booth", "gen", "engine gen has no code for himmelblau, booth: it has the built-in MGH problems (tag mgh), at their default sizes"},
		{"wood,rosenbrock", "gonum", "engine gonum has no code for rosenbrock: gonum's optimize/functions has beale, biggs_exp6, "},
		{"wood", "jit", `unknown engine "jit"; the engines are interp, gen, gonum`},
	} {
		ps, err := Select(c.problems)
		require.NoError(t, err)
		_, err = RunSuite(context.Background(), Config{Problems: ps, Methods: []string{"lbfgs"}, Engines: []string{c.engine}})
		assert.ErrorContains(t, err, c.err)
	}
	// A file of one's own that takes a built-in problem's name has no
	// generated code.
	file := filepath.Join(t.TempDir(), "wood.nabla")
	require.NoError(t, os.WriteFile(file, []byte("# name: wood\n# n: 4\n# start: 1, 2, 3, 4\n\nsum(x^2)\n"), 0o644))
	p, err := LoadFile(file)
	require.NoError(t, err)
	for _, e := range []string{"gen", "gonum"} {
		_, err = RunSuite(context.Background(), Config{Problems: []*Problem{p}, Methods: []string{"lbfgs"}, Engines: []string{e}})
		assert.ErrorContains(t, err, "engine "+e+" has no code for wood", e)
	}

	// gonum hand-codes no Hessian of Box's function: newton's runs fail
	// alone.
	ps, err := Select("box_3d")
	require.NoError(t, err)
	rep, err := RunSuite(context.Background(), Config{Problems: ps, Methods: []string{"newton", "lbfgs"}, Engines: []string{"gonum"}})
	require.NoError(t, err)
	assert.Equal(t, "optim: method newton needs Hessians or Hessian-vector products", rep.Results[0].Err)
	assert.Empty(t, rep.Results[1].Err)
}

// TestCompileOutsideRuns checks that a problem is compiled once, before
// any method runs on it: the first method would otherwise pay for
// compiling the gradient in its time. Compiling makes hundreds of
// allocations; the first call of each derivative of a compiled problem
// makes only the few of a fresh workspace.
func TestCompileOutsideRuns(t *testing.T) {
	for _, name := range []string{"rosenbrock", "wood"} {
		p, err := Load(name)
		require.NoError(t, err)
		compiled, x0, compile, err := compileProblem(p, true)
		require.NoError(t, err)
		assert.Positive(t, compile)
		fresh, _, err := p.Func(p.N)
		require.NoError(t, err)
		calls := map[string]func(f *expr.Func){
			"gradient": func(f *expr.Func) { f.Grad(x0, make([]float64, len(x0))) },
			"hvp":      func(f *expr.Func) { f.HVP(x0, x0, make([]float64, len(x0))) },
			"hessian":  func(f *expr.Func) { f.Hessian(x0, &mat.SymDense{}) },
		}
		for what, call := range calls {
			first, compiling := mallocs(func() { call(compiled) }), mallocs(func() { call(fresh) })
			assert.Less(t, 4*first, compiling, "%s of %s: %d allocations after compileProblem, %d compiling", what, name, first, compiling)
		}
	}

	// Every run of a problem reports the one compile time, outside its own.
	rep := smallSuite(t, 2)
	compile := map[string]time.Duration{}
	for _, r := range rep.Results {
		require.Positive(t, r.Compile, "%s on %s", r.Method, r.Problem)
		if c, ok := compile[r.Problem]; ok {
			assert.Equal(t, c, r.Compile, "%s on %s", r.Method, r.Problem)
		}
		compile[r.Problem] = r.Compile
	}
	var total time.Duration
	for _, c := range compile {
		total += c
	}
	assert.Equal(t, total, rep.Compile)

	var buf bytes.Buffer
	require.NoError(t, rep.Write(&buf, "json"))
	var decoded struct {
		Results        []map[string]any `json:"results"`
		CompileSeconds float64          `json:"compile_seconds"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &decoded))
	assert.Equal(t, rep.Compile.Seconds(), decoded.CompileSeconds)
	for _, r := range decoded.Results {
		assert.Positive(t, r["compile_seconds"], "%s on %s", r["method"], r["problem"])
	}
	for _, format := range []string{"text", "markdown"} {
		buf.Reset()
		require.NoError(t, rep.Write(&buf, format))
		assert.Contains(t, buf.String(), "\nCompiling the problems' functions and derivatives took ", format)
	}
	buf.Reset()
	require.NoError(t, rep.Write(&buf, "csv"))
	head, _, _ := strings.Cut(buf.String(), "\n")
	assert.True(t, strings.HasSuffix(head, ",time_seconds,compile_seconds,solved_1e-3,solved_1e-5,solved_1e-7,engine"), head)
}

// TestCompileForTheEngines checks that a suite compiles the derivatives
// of the problems only for the interp engine, which runs them: gen and
// gonum run Go compiled into nabla, and need the compiled value only for
// f(x0). The report says which it compiled, and a run on gen or gonum
// reports no compile time of its own.
func TestCompileForTheEngines(t *testing.T) {
	p, err := Load("wood")
	require.NoError(t, err)
	f, x0, compile, err := compileProblem(p, false)
	require.NoError(t, err)
	assert.Positive(t, compile)
	first := mallocs(func() { f.Grad(x0, make([]float64, len(x0))) })
	assert.Greater(t, first, uint64(100), "the gradient compiles at its first call: %d allocations", first)

	ps, err := Select("wood,helical_valley")
	require.NoError(t, err)
	for _, c := range []struct {
		engines []string
		line    string
	}{
		{[]string{"gen"}, `Compiling the problems' functions for f\(x0\) alone took [0-9.]+(µs|ms|s) in all; engine gen runs Go compiled into nabla and compiles nothing\.`},
		{[]string{"gen", "gonum"}, `Compiling the problems' functions for f\(x0\) alone took [0-9.]+(µs|ms|s) in all; engines gen and gonum run Go compiled into nabla and compile nothing\.`},
		{[]string{"interp", "gen"}, `Compiling the problems' functions and derivatives took [0-9.]+(µs|ms|s) in all, once per problem before its runs; the run times leave it out\.`},
	} {
		rep, err := RunSuite(context.Background(), Config{Problems: ps, Methods: []string{"lbfgs"}, Engines: c.engines, Workers: 1})
		require.NoError(t, err)
		assert.Positive(t, rep.Compile, "%v", c.engines)
		require.Len(t, rep.Results, 2*len(c.engines))
		for _, r := range rep.Results {
			if r.Engine == "interp" {
				assert.Positive(t, r.Compile, "%s on %s", r.Label(), r.Problem)
			} else {
				assert.Zero(t, r.Compile, "%s on %s", r.Label(), r.Problem)
			}
		}
		for _, format := range []string{"text", "markdown"} {
			var buf bytes.Buffer
			require.NoError(t, rep.Write(&buf, format))
			assert.Regexp(t, "\n"+c.line+"\n", buf.String(), "%v, %s", c.engines, format)
		}
	}
}

// mallocs returns the number of allocations call makes.
func mallocs(call func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	call()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}

func TestProfiles(t *testing.T) {
	rep := smallSuite(t, 2)
	problems, dims, cost := rep.Costs(1e-5)
	assert.Equal(t, []string{"beale", "himmelblau", "rosenbrock", "wood"}, problems)
	assert.Equal(t, []int{2, 2, 2, 4}, dims)
	for p, row := range cost {
		require.Len(t, row, 5)
		assert.Equal(t, float64(rep.Results[p*5].Evaluations), row[0], "lbfgs on %s", problems[p])
	}
	dir := t.TempDir()
	for _, kind := range []string{"performance", "data"} {
		file := filepath.Join(dir, kind+".svg")
		require.NoError(t, rep.SaveProfile(file, kind, 1e-5))
		svg, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Contains(t, string(svg), "lbfgs (solved 4 of 4)")
	}
	assert.EqualError(t, rep.SaveProfile(filepath.Join(dir, "x.svg"), "time", 1e-5), `unknown profile "time": performance or data`)
}

func TestRunSuiteErrors(t *testing.T) {
	ps, _ := Select("rosenbrock")
	_, err := RunSuite(context.Background(), Config{Problems: ps, Methods: []string{"sgd"}})
	assert.ErrorContains(t, err, `unknown method "sgd"; the methods are `)

	// Canceled before the start: nothing ran, and the report says so.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := RunSuite(ctx, Config{Problems: ps, Methods: []string{"lbfgs"}, MaxTime: time.Second})
	require.NoError(t, err)
	assert.False(t, rep.Complete)
}

// BenchmarkSuite runs L-BFGS on the Moré–Garbow–Hillstrom problems; with
// the per-run times it reports, the difference is the runner's own cost
// (compiling, scheduling, judging).
func BenchmarkSuite(b *testing.B) {
	b.Run("mgh", func(b *testing.B) {
		ps, err := Select("mgh")
		if err != nil {
			b.Fatal(err)
		}
		var inRuns time.Duration
		for b.Loop() {
			rep, err := RunSuite(context.Background(), Config{Problems: ps, Methods: []string{"lbfgs"}, Workers: 1})
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rep.Results {
				inRuns += r.Result.Time
			}
		}
		b.ReportMetric(100*(1-inRuns.Seconds()/b.Elapsed().Seconds()), "%outside-runs")
	})
}
