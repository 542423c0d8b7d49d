package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/internal/atomicfile"
	"github.com/nabla-ad/nabla/optim"
)

func init() { register(newOptimizeCmd) }

// maxTraceColumns is the most variables human output shows per step of a
// trajectory; longer points show f and ‖∇f‖∞ only.
const maxTraceColumns = 6

// A traced run (optimize --trace, plot --path) keeps every iterate until
// it ends: at most maxTraceIters iterations, and maxTraceValues numbers in
// all (iterations × variables), about 80 MB. They are checked before the
// run starts.
const (
	maxTraceIters  = 100_000
	maxTraceValues = 10_000_000
)

// traceLimits states the limits in the help of the commands that trace.
var traceLimits = fmt.Sprintf(`A trace keeps every iterate until the run ends: --iters must be from 1 to
%d with it, and --iters × the variables at most %d.`, maxTraceIters, maxTraceValues)

// checkTrace refuses a traced run of iters iterations of n variables that
// could keep more iterates than the limits allow; flag names the flag that
// asked for the trace.
func checkTrace(flag string, iters, n int) error {
	switch {
	case iters < 1 || iters > maxTraceIters:
		return fmt.Errorf("%s keeps every iterate: --iters must be from 1 to %d with it, got %d", flag, maxTraceIters, iters)
	case iters*n > maxTraceValues:
		return fmt.Errorf("%s keeps every iterate: --iters %d × %d variables is more than %d numbers; lower --iters", flag, iters, n, maxTraceValues)
	}
	return nil
}

func newOptimizeCmd() *cobra.Command {
	var (
		in       inputFlags
		mf       methodFlags
		method   string
		iters    int
		gradTol  float64
		maximize bool
		trace    bool
		strict   bool
		save     string
	)
	names := optim.MethodNames()
	cmd := &cobra.Command{
		Use:   "optimize -e EXPR --at START --method M",
		Short: "Minimize (or maximize) an expression from a starting point",
		Long: `Optimize runs an optimizer on the expression from the point --at and prints
the best point found, its value, the largest gradient component ‖∇f‖∞, why
the run stopped and how many evaluations it took. Derivatives are exact:
gradients by reverse mode, Hessians and Hessian-vector products for newton
and newton-cg by forward over reverse mode.

Methods: ` + strings.Join(names, ", ") + `.
--lr is the learning rate η of the first-order methods, --beta the momentum
of momentum and nesterov, --beta1, --beta2 and --eps adam's parameters
(--beta2 and --eps also rmsprop's, --eps adagrad's), --memory the pairs
lbfgs keeps; --iters bounds the iterations; --maximize climbs instead
(gradient ascent for gd); --trace prints every iterate. With --strict a run
that did not converge exits with status 1; a run that met a NaN always does.

` + traceLimits + `

With --json it prints {"x": {…}, "f", "gradient_norm", "status", "message",
"iterations", "evaluations", "gradient_evaluations", "time_seconds"} and,
with --trace, "trajectory": [{"iteration", "x", "f", "gradient_norm"}, …].
--save FILE writes that object to FILE as well, whatever the output: a
point file for --at-file (which takes its "x"), and with --trace a
trajectory for nabla landscape --trace.`,
		Example: `  nabla optimize -e 'w1^2 + w2^2' --at w1=2,w2=1 --method gd --lr 0.25 --iters 1
  nabla optimize -e '-(x^2 + y^2) + 4' --at x=1,y=1 --method gd --lr 0.1 --iters 5 --maximize --trace
  nabla optimize -f benchmarks/problems/chained_rosenbrock.nabla --at x=-1.2:1*50 --method lbfgs --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := mf.params()
			if err != nil {
				return &usageError{cmd, err}
			}
			m, err := optim.NewMethod(method, p)
			if err != nil {
				return &usageError{cmd, fmt.Errorf("--method: %v", err)}
			}
			s := optim.DefaultSettings()
			if cmd.Flags().Changed("iters") {
				s.MaxIter = iters
			}
			s.GradTol = gradTol
			s.Trace = trace
			if save != "" {
				if err := atomicfile.CheckWritable(save); err != nil {
					return fmt.Errorf("--save %s: %v", save, err)
				}
			}
			j, err := in.load(cmd, true)
			if err != nil {
				return err
			}
			if trace {
				if err := checkTrace("--trace", s.MaxIter, len(j.x)); err != nil {
					return &usageError{cmd, err}
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			if errw := cmd.ErrOrStderr(); isTerminal(errw) {
				s.Callback = iterationProgress(errw)
				defer fmt.Fprint(errw, "\r\033[K")
			}
			run := optim.Minimize
			if maximize {
				run = optim.Maximize
			}
			res, err := run(ctx, j.f, j.x, m, s)
			if err != nil && res.Status == optim.InvalidInput {
				return err
			}
			if save != "" {
				err := atomicfile.Write(save, 0o644, func(w io.Writer) error { return writeJSON(w, j.optimizeJSON(res)) })
				if err != nil {
					return fmt.Errorf("--save %s: %v", save, err)
				}
			}
			w := cmd.OutOrStdout()
			if in.json {
				err = writeJSON(w, j.optimizeJSON(res))
			} else {
				err = j.printOptimize(w, res, p.LR, maximize)
			}
			if err != nil {
				return err
			}
			switch {
			case res.Status == optim.NonFinite:
				return &answerError{msg: res.Message}
			case res.Status == optim.Canceled:
				return &answerError{msg: "interrupted: " + res.Message}
			case strict && !res.Status.Converged():
				return &answerError{msg: "did not converge: " + res.Message}
			}
			return nil
		},
	}
	in.addFlags(cmd)
	in.addWrtFlag(cmd)
	f := cmd.Flags()
	f.StringVar(&method, "method", "lbfgs", "the `METHOD`: "+strings.Join(names, ", "))
	mf.addFlags(cmd)
	f.IntVar(&iters, "iters", optim.DefaultSettings().MaxIter, "stop after `N` iterations")
	f.Float64Var(&gradTol, "grad-tol", optim.DefaultSettings().GradTol, "stop when ‖∇f‖∞ is at most this")
	f.BoolVar(&maximize, "maximize", false, "maximize instead of minimize")
	f.BoolVar(&trace, "trace", false, fmt.Sprintf("print every iterate (of at most %d iterations)", maxTraceIters))
	f.BoolVar(&strict, "strict", false, "exit with status 1 when the run does not converge")
	f.StringVar(&save, "save", "", "write the result as JSON to `FILE`, for --at-file and nabla landscape")
	return cmd
}

// optimizeJSON returns the result in the form of the CLI contract: points
// as objects by variable, like gradients.
func (j *job) optimizeJSON(r optim.Result) object {
	o := object{}.
		add("x", j.object(r.X)).
		add("f", r.F).
		add("gradient_norm", r.GradNorm).
		add("status", r.Status.String()).
		add("message", r.Message).
		add("iterations", r.Iterations).
		add("evaluations", r.FuncEvals).
		add("gradient_evaluations", r.GradEvals).
		add("time_seconds", r.Time.Seconds())
	if r.Trajectory != nil {
		steps := make([]object, len(r.Trajectory))
		for i, s := range r.Trajectory {
			steps[i] = object{}.add("iteration", s.Iteration).add("x", j.object(s.X)).add("f", s.F).add("gradient_norm", s.GradNorm)
		}
		o = o.add("trajectory", steps)
	}
	var nf *ad.NonFiniteError
	if errors.As(r.Err, &nf) {
		o = o.add("nonfinite", nonFinite(nf))
	}
	return o
}

// printOptimize writes the result of a run with learning rate lr for
// people. The wall time is left to --json, so that the text of a run is
// reproducible.
func (j *job) printOptimize(w io.Writer, r optim.Result, lr float64, maximize bool) error {
	t := newTable(w)
	how := r.Method
	if optim.FixedStep(r.Method) {
		how += " (η = " + num(lr) + ")"
	}
	if maximize {
		how += ", maximizing"
	}
	t.row("method", "", how)
	t.row("status", "", r.Status.String()+": "+r.Message)
	t.row("iterations", "", fmt.Sprint(r.Iterations))
	t.row("evaluations", "", fmt.Sprintf("%d of f, %d of ∇f", r.FuncEvals, r.GradEvals))
	t.row(j.signature(), "=", num(r.F))
	j.varRows(t, func(i int) {
		t.row(j.vars[i].Name, "=", varText(j.vars[i], j.at(r.X, i)))
	})
	t.row("‖∇f‖∞", "=", num(r.GradNorm))
	if err := t.flush(); err != nil {
		return err
	}
	if r.Trajectory == nil {
		return nil
	}
	fmt.Fprintln(w, "trajectory:")
	m := newMatrix(w)
	names := j.f.Names()
	head := []string{"iteration"}
	if len(names) <= maxTraceColumns {
		head = append(head, names...)
	}
	m.cells(append(head, "f", "‖∇f‖∞")...)
	for _, st := range r.Trajectory {
		cells := []string{fmt.Sprint(st.Iteration)}
		if len(names) <= maxTraceColumns {
			for _, x := range st.X {
				cells = append(cells, num(x))
			}
		}
		m.cells(append(cells, num(st.F), num(st.GradNorm))...)
	}
	return m.flush()
}

// iterationProgress shows the iteration, f and ‖∇f‖∞ on one line of w, at
// most ten times a second, for runs long enough to wonder about.
func iterationProgress(w io.Writer) func(optim.Step) bool {
	start, last := time.Now(), time.Time{}
	return func(st optim.Step) bool {
		if now := time.Now(); now.Sub(start) > 500*time.Millisecond && now.Sub(last) > 100*time.Millisecond {
			last = now
			fmt.Fprintf(w, "\r\033[Kiteration %d  f = %.10g  ‖∇f‖∞ = %.3g", st.Iteration, st.F, st.GradNorm)
		}
		return true
	}
}
