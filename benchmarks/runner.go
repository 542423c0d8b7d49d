package benchmarks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/optim"
	"github.com/nabla-ad/nabla/viz"
)

// Taus are the Moré–Wild accuracy levels: a run solves a problem at level τ
// when f(x) − f* ≤ τ·(f(x0) − f*).
var Taus = []float64{1e-3, 1e-5, 1e-7}

// TauKey names a level in results: "1e-3", "1e-5", "1e-7".
func TauKey(tau float64) string { return fmt.Sprintf("1e%d", int(math.Round(math.Log10(tau)))) }

// DefaultMethods are the methods of the default suite.
var DefaultMethods = []string{"lbfgs", "bfgs", "cg", "newton", "newton-cg", "adam", "lbfgs-fd", "gonum-lbfgs", "gonum-lbfgs-fd", "gonum-bfgs"}

// gonumMethods are gonum/optimize's methods, run as peers.
var gonumMethods = map[string]func() optimize.Method{
	"gd":         func() optimize.Method { return &optimize.GradientDescent{} },
	"cg":         func() optimize.Method { return &optimize.CG{} },
	"bfgs":       func() optimize.Method { return &optimize.BFGS{} },
	"lbfgs":      func() optimize.Method { return &optimize.LBFGS{} },
	"newton":     func() optimize.Method { return &optimize.Newton{} },
	"neldermead": func() optimize.Method { return &optimize.NelderMead{} },
}

// Methods lists every method name the runner knows: nabla's methods, each
// also with finite-difference gradients instead of AD (suffix -fd), and
// gonum's methods (prefix gonum-), with exact or finite-difference
// gradients.
func Methods() []string {
	var names []string
	// Methods that need second derivatives have no finite-difference form.
	second := map[string]bool{"newton": true, "newton-cg": true, "neldermead": true}
	for _, m := range optim.MethodNames() {
		names = append(names, m)
		if !second[m] {
			names = append(names, m+"-fd")
		}
	}
	for m := range gonumMethods {
		names = append(names, "gonum-"+m)
		if !second[m] {
			names = append(names, "gonum-"+m+"-fd")
		}
	}
	slices.Sort(names)
	return names
}

// Config sets up a suite run.
type Config struct {
	Problems []*Problem
	Methods  []string
	// MaxEvals limits the evaluations of f in one run; 0 means
	// 1000·(n+1). A finite-difference gradient counts as the evaluations
	// it makes.
	MaxEvals int
	// MaxTime limits one run's wall time; 0 means 10 s.
	MaxTime time.Duration
	// GradTol is the gradient tolerance; 0 means 1e-8.
	GradTol float64
	// Engines are the sources of values and derivatives each method runs
	// on, from Engines; none means interp. Every engine must have code
	// for every problem.
	Engines []string
	// Workers is the number of runs at a time; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each run, from one goroutine
	// at a time.
	Progress func(done, total int, r *Run)
}

// A Run is the outcome of one method on one problem.
type Run struct {
	Problem string
	Method  string
	Engine  string // one of Engines
	N       int
	Result  optim.Result
	// Compile is the time it took to compile the problem's function and
	// its derivatives, once for all the methods, before any of them ran;
	// Result.Time does not include it. It is zero on the engines other
	// than interp, whose code is compiled into nabla.
	Compile time.Duration
	// Evaluations counts the evaluations of f the run made, including
	// those behind finite-difference gradients; an AD gradient comes with
	// its value and counts once.
	Evaluations int
	F0          float64
	FStar       float64 // the known optimum, or the best any method found
	FStarKnown  bool
	Solved      map[string]bool // by TauKey
	Err         string          // why the run could not be made, if it could not
}

// MarshalJSON writes the run with the optimize command's fields.
func (r Run) MarshalJSON() ([]byte, error) {
	res, err := json.Marshal(r.Result)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(res, &m); err != nil {
		return nil, err
	}
	m["problem"], m["method"], m["engine"], m["n"] = r.Problem, r.Method, r.Engine, r.N
	m["function_evaluations"] = r.Evaluations
	m["compile_seconds"] = r.Compile.Seconds()
	m["f_star"] = jsonNumber(r.FStar)
	m["f_star_known"] = r.FStarKnown
	m["f0"] = jsonNumber(r.F0)
	m["solved"] = r.Solved
	if r.Err != "" {
		m["error"] = r.Err
	}
	return json.Marshal(m)
}

func jsonNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// Label names the run's method in tables and profiles: the method, and,
// on an engine other than interp, @ and the engine (lbfgs@gen).
func (r *Run) Label() string { return label(r.Method, r.Engine) }

func label(method, engine string) string {
	if engine == "interp" {
		return method
	}
	return method + "@" + engine
}

// Report is the outcome of a suite.
type Report struct {
	Results []*Run
	// Methods are the labels of the suite's methods (Run.Label), each
	// method on each engine in turn.
	Methods []string
	// Complete is false when the suite was canceled before every run ended;
	// Results then holds the runs that ended.
	Complete bool
	Elapsed  time.Duration
	// Engines are the engines the methods ran on, as Config has them.
	Engines []string
	// Compile is the time spent compiling the problems' functions, once
	// per problem, outside the runs: with their derivatives when the
	// engines include interp, otherwise only for f(x0), by which every
	// run is judged.
	Compile time.Duration
}

// RunSuite runs every method on every problem at its default size, in
// parallel. Results do not depend on the number of workers. Canceling ctx
// stops the suite; the runs that ended are reported.
func RunSuite(ctx context.Context, cfg Config) (*Report, error) {
	for _, m := range cfg.Methods {
		if !slices.Contains(Methods(), m) {
			return nil, fmt.Errorf("unknown method %q; the methods are %s", m, strings.Join(Methods(), ", "))
		}
	}
	engines := cfg.Engines
	if len(engines) == 0 {
		engines = []string{"interp"}
	}
	if err := checkEngines(engines, cfg.Problems); err != nil {
		return nil, err
	}
	var labels []string
	for _, m := range cfg.Methods {
		for _, e := range engines {
			labels = append(labels, label(m, e))
		}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	type job struct {
		p       *Problem
		f       *expr.Func
		obj     objective
		x0      []float64
		method  string
		engine  string
		compile time.Duration
	}
	var jobs []job
	var results []*Run
	var compiling time.Duration
	derivatives := slices.Contains(engines, "interp")
	for _, p := range cfg.Problems {
		f, x0, compile, err := compileProblem(p, derivatives)
		compiling += compile
		for _, e := range engines {
			obj, oerr := objective(nil), err
			if err == nil {
				obj, oerr = objectiveOf(e, p, f)
			}
			for _, m := range cfg.Methods {
				if oerr != nil {
					results = append(results, &Run{Problem: p.Name, Method: m, Engine: e, N: p.N, Err: oerr.Error()})
					continue
				}
				j := job{p, f, obj, x0, m, e, 0}
				if e == "interp" {
					j.compile = compile
				}
				jobs = append(jobs, j)
			}
		}
	}
	total := len(jobs) + len(results)
	var mu sync.Mutex
	done := len(results)
	work := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				r := runOne(ctx, cfg, j.p, j.f, j.obj, j.x0, j.method)
				r.Engine = j.engine
				r.Compile = j.compile
				mu.Lock()
				if ctx.Err() == nil || r.Result.Status != optim.Canceled {
					results = append(results, r)
				}
				done++
				if cfg.Progress != nil {
					cfg.Progress(done, total, r)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	rep := &Report{Results: results, Methods: labels, Complete: ctx.Err() == nil, Elapsed: time.Since(start), Engines: engines, Compile: compiling}
	rep.judge(cfg.Problems)
	return rep, nil
}

// compileProblem compiles a problem's function at its default size, with
// every derivative program a method may use when derivatives is true, and
// measures how long that took. Otherwise the first method to run on the
// problem would pay for compiling in its time.
func compileProblem(p *Problem, derivatives bool) (f *expr.Func, x0 []float64, compile time.Duration, err error) {
	start := time.Now()
	if f, x0, err = p.Func(p.N); err != nil {
		return nil, nil, 0, err
	}
	if derivatives {
		if err := f.Precompile(); err != nil {
			return nil, nil, 0, err
		}
	}
	return f, x0, time.Since(start), nil
}

// runOne runs one method on one problem, whose function obj computes,
// counting evaluations of f.
func runOne(ctx context.Context, cfg Config, p *Problem, f *expr.Func, obj objective, x0 []float64, method string) *Run {
	r := &Run{Problem: p.Name, Method: method, N: len(x0), FStar: p.FStar, FStarKnown: p.FStarKnown}
	r.F0, _ = f.Eval(x0)
	evals := 0
	c := counted{obj, &evals}
	var prob optim.Function = c
	if s, ok := obj.(secondOrder); ok {
		prob = countedSecond{c, s}
	}
	name, finite := strings.CutSuffix(method, "-fd")
	if finite {
		// Central differences instead of AD: 2n more evaluations a gradient.
		prob = centralDifferences{c}
	}
	s := optim.DefaultSettings()
	s.MaxEvals = cfg.MaxEvals
	if s.MaxEvals <= 0 {
		s.MaxEvals = 1000 * (len(x0) + 1)
	}
	s.MaxTime = cfg.MaxTime
	if s.MaxTime <= 0 {
		s.MaxTime = 10 * time.Second
	}
	s.GradTol = cfg.GradTol
	if s.GradTol <= 0 {
		s.GradTol = 1e-8
	}
	if finite {
		// An evaluation budget for optim counts gradient calls; the f
		// evaluations behind them are what the budget is about.
		s.MaxEvals = max(1, s.MaxEvals/(2*len(x0)+1))
	}
	var err error
	if g, ok := strings.CutPrefix(name, "gonum-"); ok {
		r.Result, err = runGonum(prob, x0, gonumMethods[g](), s)
	} else {
		// RunSuite has checked the name; were it unknown, m would be nil
		// and the run would end as InvalidInput.
		m, _ := optim.NewMethod(name, optim.Params{})
		r.Result, err = optim.Minimize(ctx, prob, x0, m, s)
	}
	if err != nil && r.Result.Status == optim.InvalidInput {
		r.Err = err.Error()
	}
	r.Evaluations = evals
	return r
}

// runGonum runs a gonum method on prob with settings like optim's.
func runGonum(prob optim.Function, x0 []float64, m optimize.Method, s *optim.Settings) (optim.Result, error) {
	gp := optim.GonumProblem(prob)
	gs := &optimize.Settings{
		GradientThreshold: s.GradTol,
		FuncEvaluations:   s.MaxEvals,
		Runtime:           s.MaxTime,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-15, Relative: 1e-15, Iterations: 100},
	}
	start := time.Now()
	res, err := optimize.Minimize(gp, x0, gs, m)
	out := optim.Result{Time: time.Since(start), Method: "gonum"}
	if res == nil {
		out.Status, out.Message = optim.InvalidInput, err.Error()
		return out, err
	}
	out.X, out.F = res.X, res.F
	if res.Gradient != nil {
		out.GradNorm = floats.Norm(res.Gradient, math.Inf(1))
	}
	out.Iterations, out.FuncEvals, out.GradEvals, out.HessEvals = res.MajorIterations, res.FuncEvaluations, res.GradEvaluations, res.HessEvaluations
	switch res.Status {
	case optimize.GradientThreshold:
		out.Status = optim.GradientTolerance
	case optimize.FunctionConvergence:
		out.Status = optim.FunctionChange
	case optimize.FunctionEvaluationLimit:
		out.Status = optim.EvaluationLimit
	case optimize.IterationLimit:
		out.Status = optim.IterationLimit
	case optimize.RuntimeLimit:
		out.Status = optim.TimeLimit
	default:
		out.Status = optim.LineSearchFailure
	}
	out.Message = "gonum: " + res.Status.String()
	if err != nil {
		out.Message += ": " + err.Error()
	}
	return out, nil
}

// judge fills in f* for problems without a known one (the best value any
// method found) and which levels each run solved. A run that produced NaN
// solves nothing.
func (rep *Report) judge(problems []*Problem) {
	sort.SliceStable(rep.Results, func(i, j int) bool {
		a, b := rep.Results[i], rep.Results[j]
		if a.Problem != b.Problem {
			return a.Problem < b.Problem
		}
		return slices.Index(rep.Methods, a.Label()) < slices.Index(rep.Methods, b.Label())
	})
	best := map[string]float64{}
	for _, r := range rep.Results {
		if r.Err == "" && !math.IsNaN(r.Result.F) {
			if b, ok := best[r.Problem]; !ok || r.Result.F < b {
				best[r.Problem] = r.Result.F
			}
		}
	}
	for _, r := range rep.Results {
		if !r.FStarKnown {
			r.FStar = best[r.Problem]
		}
		r.Solved = map[string]bool{}
		for _, tau := range Taus {
			ok := r.Err == "" && !math.IsNaN(r.Result.F) && r.Result.F-r.FStar <= tau*(r.F0-r.FStar)
			r.Solved[TauKey(tau)] = ok
		}
	}
}

// MethodSummary sums up one method on one engine over the suite.
type MethodSummary struct {
	Method  string         `json:"method"` // the runs' Label
	Engine  string         `json:"engine"`
	Runs    int            `json:"runs"`
	Solved  map[string]int `json:"solved"` // by TauKey
	Evals   int            `json:"function_evaluations"`
	GeoTime float64        `json:"geometric_mean_time_seconds"`
}

// Summary returns one line per method: problems solved at each level,
// total evaluations, and the geometric mean of run times.
func (rep *Report) Summary() []MethodSummary {
	var out []MethodSummary
	for _, m := range rep.Methods {
		s := MethodSummary{Method: m, Engine: "interp", Solved: map[string]int{}}
		if _, e, ok := strings.Cut(m, "@"); ok {
			s.Engine = e
		}
		logt := 0.0
		for _, r := range rep.Results {
			if r.Label() != m {
				continue
			}
			s.Runs++
			s.Evals += r.Evaluations
			logt += math.Log(max(r.Result.Time.Seconds(), 1e-6))
			for k, ok := range r.Solved {
				if ok {
					s.Solved[k]++
				}
			}
		}
		if s.Runs > 0 {
			s.GeoTime = math.Exp(logt / float64(s.Runs))
		}
		out = append(out, s)
	}
	return out
}

// Costs returns, for each problem (sorted by name, with its dimension),
// the evaluations each method needed to solve it at level tau, +Inf where
// it did not: the data of performance and data profiles.
func (rep *Report) Costs(tau float64) (problems []string, dims []int, cost [][]float64) {
	index := map[string]int{}
	for _, r := range rep.Results {
		if _, ok := index[r.Problem]; !ok {
			index[r.Problem] = len(problems)
			problems = append(problems, r.Problem)
			dims = append(dims, r.N)
			row := make([]float64, len(rep.Methods))
			for i := range row {
				row[i] = math.Inf(1)
			}
			cost = append(cost, row)
		}
		if m := slices.Index(rep.Methods, r.Label()); m >= 0 && r.Solved[TauKey(tau)] {
			cost[index[r.Problem]][m] = float64(max(r.Evaluations, 1))
		}
	}
	return problems, dims, cost
}

// SaveProfile draws the Dolan–Moré performance profile (kind
// "performance") or the Moré–Wild data profile ("data") at level tau, with
// evaluations as the cost, to file (.svg, .png or .pdf).
func (rep *Report) SaveProfile(file, kind string, tau float64) error {
	_, dims, cost := rep.Costs(tau)
	if len(cost) == 0 {
		return ErrNoResults
	}
	opts := viz.PlotOptions{}
	var fig *viz.Figure
	var err error
	switch kind {
	case "performance":
		opts.Title = fmt.Sprintf("Performance profile (evaluations, τ = %s)", TauKey(tau))
		fig, err = viz.NewProfilePlot(rep.Methods, cost, opts)
	case "data":
		opts.Title = fmt.Sprintf("Data profile (τ = %s)", TauKey(tau))
		fig, err = viz.NewDataProfilePlot(rep.Methods, cost, dims, opts)
	default:
		return fmt.Errorf("unknown profile %q: performance or data", kind)
	}
	if err != nil {
		return err
	}
	return fig.Save(file)
}

// ErrNoResults is returned when a report has nothing to show.
var ErrNoResults = errors.New("no results")

// counted is a function whose evaluations, of f alone or with its
// gradient, are counted in evals.
type counted struct {
	objective
	evals *int
}

func (c counted) Eval(x []float64) (float64, error) {
	*c.evals++
	return c.objective.Eval(x)
}

func (c counted) Grad(x, grad []float64) (float64, error) {
	*c.evals++
	return c.objective.Grad(x, grad)
}

// countedSecond is counted with the function's second derivatives.
type countedSecond struct {
	counted
	second secondOrder
}

func (c countedSecond) HVP(x, v, hv []float64) error { return c.second.HVP(x, v, hv) }

func (c countedSecond) Hessian(x []float64, h *mat.SymDense) error {
	return c.second.Hessian(x, h)
}

// centralDifferences is a function whose gradient is estimated by central
// differences of its values, for comparing AD with numeric gradients; it
// has no second derivatives.
type centralDifferences struct{ f counted }

func (c centralDifferences) Eval(x []float64) (float64, error) { return c.f.Eval(x) }

func (c centralDifferences) Grad(x, grad []float64) (float64, error) {
	fd.Gradient(grad, func(x []float64) float64 {
		v, _ := c.f.Eval(x)
		return v
	}, x, &fd.Settings{Formula: fd.Central})
	return c.f.Eval(x)
}
