package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/benchmarks"
)

func init() { register(newBenchCmd) }

func newBenchCmd() *cobra.Command {
	var (
		problems, methods, format string
		engines                   []string
		profile, dataProfile      string
		tau                       float64
		asJSON                    bool
		maxEvals, workers         int
		maxTime                   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "bench [--problems LIST] [--methods LIST]",
		Short: "Run optimizers on standard test problems and compare them",
		Long: `Bench runs each method on each problem from its standard start, with a
budget of evaluations and time per run, in parallel, and prints a table
(problem × method: status, f − f*, iterations, evaluations, time, and the
tightest Moré–Wild level solved: f − f* ≤ τ(f(x0) − f*) for τ = 1e-3, 1e-5,
1e-7) and a summary per method. Each problem is compiled once, with its
derivatives, before any method runs on it: run times leave compiling out,
and a line under the summary (compile_seconds in JSON) says how long it
took. On the engines gen and gonum alone, whose code is compiled into
nabla, only the value is compiled, for f(x0).

Problems are named by tag (mgh: the 35 Moré–Garbow–Hillstrom problems; ml:
2-D machine-learning test functions; all), by name, or by the path of a
problem file of your own (.nabla). Methods are nabla's optimizers, each also
with finite-difference gradients (suffix -fd), and gonum's (prefix gonum-).

--engine chooses where values and derivatives come from: interp, nabla's
compiled programs (the default); gen, the Go that nabla gen wrote for the
built-in MGH problems, compiled into nabla; gonum, the hand-coded
functions of gonum's optimize/functions, for the problems it has. With
more than one (--engine interp,gen,gonum) each method runs on each, side
by side; a method on an engine other than interp is shown as method@engine
(lbfgs@gen). An engine without code for a problem, such as gen for a
problem file of one's own, is an error.

Ctrl-C stops the suite; the runs that ended are printed.`,
		Example: `  nabla bench --problems ml --methods lbfgs,adam
  nabla bench --problems mgh --methods lbfgs,bfgs,newton-cg,adam --profile out.svg
  nabla bench --problems rosenbrock,wood --methods lbfgs,lbfgs-fd,gonum-lbfgs-fd --json
  nabla bench --problems wood,watson --methods lbfgs,newton --engine interp,gen,gonum`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Zero stands for the default in Config, so only a value
			// given on the command line is checked.
			f := cmd.Flags()
			switch {
			case f.Changed("max-evals") && maxEvals < 1:
				return &usageError{cmd, fmt.Errorf("--max-evals %d: want at least 1", maxEvals)}
			case f.Changed("max-time") && maxTime <= 0:
				return &usageError{cmd, fmt.Errorf("--max-time %v: want a positive duration, such as 30s", maxTime)}
			case f.Changed("workers") && workers < 1:
				return &usageError{cmd, fmt.Errorf("--workers %d: want at least 1", workers)}
			case !slices.Contains(benchmarks.Taus, tau):
				return &usageError{cmd, fmt.Errorf("--tau %v: want one of the levels %s", tau, tauLevels())}
			}
			ps, err := benchmarks.Select(problems)
			if err != nil {
				return &usageError{cmd, err}
			}
			ms := strings.Split(methods, ",")
			if asJSON {
				format = "json"
			}
			if !contains(benchmarks.Formats, format) {
				return &usageError{cmd, fmt.Errorf("unknown format %q; the formats are %s", format, strings.Join(benchmarks.Formats, ", "))}
			}
			for _, pic := range []struct{ flag, file string }{{"--profile", profile}, {"--data-profile", dataProfile}} {
				if pic.file != "" {
					if err := checkPicture(cmd, pic.flag, pic.file); err != nil {
						return err
					}
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			cfg := benchmarks.Config{Problems: ps, Methods: ms, Engines: engines, MaxEvals: maxEvals, MaxTime: maxTime, Workers: workers}
			if isTerminal(cmd.ErrOrStderr()) {
				cfg.Progress = progressBar(cmd.ErrOrStderr())
			}
			rep, err := benchmarks.RunSuite(ctx, cfg)
			if err != nil {
				return &usageError{cmd, err}
			}
			if err := rep.Write(cmd.OutOrStdout(), format); err != nil {
				return err
			}
			for _, pic := range []struct{ file, kind string }{{profile, "performance"}, {dataProfile, "data"}} {
				if pic.file == "" {
					continue
				}
				if err := rep.SaveProfile(pic.file, pic.kind, tau); err != nil {
					return fmt.Errorf("%s profile: %w", pic.kind, err)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&problems, "problems", "all", "problems: tags (mgh, ml, all), names or .nabla files, comma-separated")
	f.StringVar(&methods, "methods", strings.Join(benchmarks.DefaultMethods, ","), "methods, comma-separated")
	f.StringSliceVar(&engines, "engine", []string{"interp"}, "sources of values and derivatives, comma-separated: "+strings.Join(benchmarks.Engines, ", "))
	f.StringVar(&format, "format", "text", "output format: "+strings.Join(benchmarks.Formats, ", "))
	f.BoolVar(&asJSON, "json", false, "print JSON (same as --format json)")
	f.IntVar(&maxEvals, "max-evals", 0, "evaluations of f per run (default 1000·(n+1))")
	f.DurationVar(&maxTime, "max-time", 0, "wall time per run (default 10s)")
	f.IntVar(&workers, "workers", 0, "runs at a time (default: the number of CPUs)")
	f.StringVar(&profile, "profile", "", "write the Dolan–Moré performance profile to `FILE` (.svg, .png, .pdf)")
	f.StringVar(&dataProfile, "data-profile", "", "write the Moré–Wild data profile to `FILE`")
	f.Float64Var(&tau, "tau", 1e-5, "accuracy level of the profiles: 1e-3, 1e-5 or 1e-7")
	return cmd
}

// tauLevels lists the accuracy levels a run is judged at, for messages.
func tauLevels() string {
	keys := make([]string, len(benchmarks.Taus))
	for i, tau := range benchmarks.Taus {
		keys[i] = benchmarks.TauKey(tau)
	}
	return strings.Join(keys, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isTerminal reports whether w is a terminal, where progress is shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws the suite's progress on one line of w.
func progressBar(w io.Writer) func(done, total int, r *benchmarks.Run) {
	return func(done, total int, r *benchmarks.Run) {
		const width = 30
		k := width * done / max(total, 1)
		fmt.Fprintf(w, "\r[%s%s] %d/%d %-40s", strings.Repeat("#", k), strings.Repeat(".", width-k), done, total, r.Problem+" "+r.Method)
		if done == total {
			fmt.Fprint(w, "\r"+strings.Repeat(" ", width+50)+"\r")
		}
	}
}
