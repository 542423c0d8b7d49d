// Command genreport runs the default benchmark suite and writes the
// results page docs/benchmarks.md with its performance and data profiles.
// Run it with go generate ./benchmarks.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nabla-ad/nabla/benchmarks"
	"github.com/nabla-ad/nabla/internal/atomicfile"
)

func main() {
	docs := flag.String("docs", "docs", "the docs folder to write benchmarks.md and img/ into")
	flag.Parse()
	ps, err := benchmarks.Select("all")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := benchmarks.RunSuite(context.Background(), benchmarks.Config{Problems: ps, Methods: benchmarks.DefaultMethods})
	if err != nil {
		log.Fatal(err)
	}
	for _, kind := range []string{"performance", "data"} {
		if err := rep.SaveProfile(filepath.Join(*docs, "img", "profile-"+kind+".svg"), kind, 1e-5); err != nil {
			log.Fatal(err)
		}
	}
	var table bytes.Buffer
	if err := rep.Write(&table, "markdown"); err != nil {
		log.Fatal(err)
	}
	engines, err := engineTable(7)
	if err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Optimizer benchmarks

The default suite: every built-in problem (the 35 Moré–Garbow–Hillstrom
problems, the 2-D machine-learning test functions and the chained
Rosenbrock function) at its default size and standard start, with nabla's
methods (exact derivatives), L-BFGS with central-difference gradients
(lbfgs-fd), and gonum's L-BFGS and BFGS with exact and with
central-difference gradients. A run solves a problem at level τ when
f(x) − f* ≤ τ·(f(x0) − f*) (Moré and Wild); evaluations count every
evaluation of f, including those behind finite differences; an AD gradient
comes with its value and counts once, and the Hessians and Hessian-vector
products of newton and newton-cg are not counted (they are in the JSON
output of nabla bench). Times leave out compiling each problem's function
and derivatives, done once per problem before its runs; the line under the
summary says how long that took.

Made by %s on %s, on one machine
(%s/%s, %d CPUs, %s), where the whole suite took %.1f s of
wall time. Times, that one and those in the table, depend on the machine
and on what else runs on it: compare them within the table, not across
machines.

`+"```sh\ngo generate ./benchmarks\n```"+`

The same as a command: `+"`nabla bench --format markdown --profile profile.svg --data-profile data.svg`"+`.

## Profiles (τ = 1e-5, cost: evaluations)

![performance profile](img/profile-performance.svg)

![data profile](img/profile-data.svg)

## Engines: interpreted, generated, hand-coded

L-BFGS on each MGH problem with its values and gradients from three
engines: interp, nabla's compiled programs, run by its interpreter; gen,
the Go that nabla gen wrote for the problem (package
benchmarks/internal/mghgen); gonum, the hand-coded functions of gonum's
optimize/functions, for the problems it has (a gradient there is a call of
Grad and one of Func, as gonum's optimizers make them). The runs take the
same path on the three up to rounding, so the evaluations agree or nearly;
the ratios are of time per evaluation (the optimizer's own work included),
gen's against the others'. Each time is the median of %d runs, one at a
time. As a command: `+"`nabla bench --problems mgh --methods lbfgs --engine interp,gen`"+`
(and `+"`--engine gonum`"+` with the problems it has). One gradient alone, on
the three, is timed by BenchmarkEngines (benchmarks/README.md).

%s
## Results

%s`, "`go generate ./benchmarks`", time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), cpuModel(), rep.Elapsed.Seconds(), engineReps, engines, table.String())
	if err := atomicfile.WriteFile(filepath.Join(*docs, "benchmarks.md"), []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// engineReps is how many times engineTable runs each problem.
const engineReps = 7

// engineTable runs L-BFGS on the MGH problems on each engine that has
// them, reps times, one run at a time, and returns a markdown table of the
// median times side by side, with the ratios of time per evaluation.
func engineTable(reps int) (string, error) {
	mgh, err := benchmarks.Select("mgh")
	if err != nil {
		return "", err
	}
	var peers []*benchmarks.Problem
	for _, p := range mgh {
		if slices.Contains(benchmarks.GonumProblems(), p.Name) {
			peers = append(peers, p)
		}
	}
	type key struct{ problem, engine string }
	times := map[key][]float64{}
	evals := map[key]int{}
	for range reps {
		for _, c := range []struct {
			ps      []*benchmarks.Problem
			engines []string
		}{{mgh, []string{"interp", "gen"}}, {peers, []string{"gonum"}}} {
			rep, err := benchmarks.RunSuite(context.Background(), benchmarks.Config{Problems: c.ps, Methods: []string{"lbfgs"}, Engines: c.engines, Workers: 1})
			if err != nil {
				return "", err
			}
			for _, r := range rep.Results {
				if r.Err != "" {
					return "", fmt.Errorf("%s on %s: %s", r.Label(), r.Problem, r.Err)
				}
				k := key{r.Problem, r.Engine}
				times[k] = append(times[k], r.Result.Time.Seconds())
				evals[k] = r.Evaluations
			}
		}
	}
	median := func(k key) float64 {
		ts := slices.Sorted(slices.Values(times[k]))
		return ts[len(ts)/2]
	}
	perEval := func(k key) float64 { return median(k) / float64(max(evals[k], 1)) }
	var b strings.Builder
	b.WriteString("| problem | n | evaluations interp / gen / gonum | interp | gen | gonum | interp ÷ gen | gonum ÷ gen |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	var logInterp, logGonum float64
	var nGonum int
	for _, p := range mgh {
		in, gen, gon := key{p.Name, "interp"}, key{p.Name, "gen"}, key{p.Name, "gonum"}
		gonEvals, gonTime, gonRatio := "–", "–", "–"
		if _, ok := times[gon]; ok {
			r := perEval(gon) / perEval(gen)
			gonEvals, gonTime, gonRatio = strconv.Itoa(evals[gon]), benchmarks.FormatSeconds(median(gon)), fmt.Sprintf("%.2f", r)
			logGonum += math.Log(r)
			nGonum++
		}
		r := perEval(in) / perEval(gen)
		logInterp += math.Log(r)
		fmt.Fprintf(&b, "| %s | %d | %d / %d / %s | %s | %s | %s | %.2f | %s |\n", p.Name, p.N, evals[in], evals[gen], gonEvals,
			benchmarks.FormatSeconds(median(in)), benchmarks.FormatSeconds(median(gen)), gonTime, r, gonRatio)
	}
	fmt.Fprintf(&b, "| geometric mean | | | | | | %.2f | %.2f |\n", math.Exp(logInterp/float64(len(mgh))), math.Exp(logGonum/float64(nGonum)))
	return b.String(), nil
}

// cpuModel names the processor, where Linux says.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown processor"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown processor"
}
