package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/numdiff"
	"github.com/nabla-ad/nabla/viz"
)

func init() { register(newCheckCmd) }

// The limits of check, which compares derivatives one at a time: each
// gradient component costs a few evaluations of f, each column of the
// Hessian a few gradients, and each comparison is a line of the report.
// They are checked before anything is computed.
const (
	maxCheckVars    = 1000 // variables, counting each element of a vector
	maxCheckHessian = 100  // variables with --order 2: 10 000 Hessian entries
	maxDirections   = 100  // --directions
)

func newCheckCmd() *cobra.Command {
	var (
		in         inputFlags
		methods    []string
		step       float64
		order      int
		directions int
		seed       uint64
		sweep      string
	)
	cmd := &cobra.Command{
		Use:   "check -e EXPR --at POINT [--methods central,forward,…]",
		Short: "Compare the AD derivatives with numeric differentiation",
		Long: fmt.Sprintf(`Check compares the derivatives automatic differentiation computes with
numeric estimates: every gradient component, and directional derivatives
along random directions in forward and reverse mode (with --order 2, also
the Hessian and Hessian-vector products). Each estimate is judged against a
tolerance from its method's error model (truncation plus round-off, times a
safety factor), so a disagreement means a wrong derivative, not noise.

Methods: forward, backward, central, richardson, complex-step. The step of
each defaults to the one that balances its truncation and round-off errors;
--step sets one step for all.

--sweep FILE draws why the methods differ: the error of forward and
central differences (and of the --methods given) against the AD derivative
for steps h from 1e-1 to 1e-15, on log-log axes, with each method's best
step marked: the V of truncation error meeting round-off, for the first
variable (the first --wrt names).

The point may have at most %d variables (counting each element of a
vector), and %d with --order 2; --directions is at most %d.

The exit status is 1 when a derivative disagrees.

With --json it prints the report: {"ok": …, "failed": …, "methods": […],
"components": [{"kind", "name", "ad", "numeric": [{"method", "step",
"value", "abs_error", "rel_error", "tolerance", "ok", …}], "abs_error",
"rel_error", "tolerance", "ok"}, …], "evaluations": {…}}.`, maxCheckVars, maxCheckHessian, maxDirections),
		Example: `  nabla check -e 'x^2 + y^2' --at x=1,y=1
  nabla check -e 'x^2' --at x=1 --methods forward --step 1e-7
  nabla check -e 'sin(x)*exp(y)' --at x=1,y=2 --methods central,complex-step --order 2 --json
  nabla check -e 'x^2 + y^2' --at x=1,y=1 --methods forward,central --sweep v.svg`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s := &numdiff.Settings{Step: step, Order: order, Directions: directions, Seed: seed}
			for _, name := range methods {
				m, err := numdiff.ParseMethod(name)
				if err != nil {
					return &usageError{cmd, fmt.Errorf("--methods: %v", err)}
				}
				s.Methods = append(s.Methods, m)
			}
			if order != 1 && order != 2 {
				return &usageError{cmd, fmt.Errorf("--order must be 1 or 2, got %d", order)}
			}
			if cmd.Flags().Changed("step") && !(step > 0 && step < math.Inf(1)) {
				return &usageError{cmd, fmt.Errorf("--step %v: want a positive, finite step, such as 1e-6", step)}
			}
			if directions < 1 {
				return &usageError{cmd, fmt.Errorf("--directions must be at least 1, got %d", directions)}
			}
			if directions > maxDirections {
				return &usageError{cmd, fmt.Errorf("--directions must be at most %d, got %d", maxDirections, directions)}
			}
			if sweep != "" {
				if err := checkPicture(cmd, "--sweep", sweep); err != nil {
					return err
				}
			}
			j, err := in.load(cmd, true)
			if err != nil {
				return err
			}
			if n := len(j.x); n > maxCheckVars {
				return &usageError{cmd, fmt.Errorf("check compares every gradient component, of at most %d variables, and the point (--at) has %d", maxCheckVars, n)}
			} else if n > maxCheckHessian && order == 2 {
				return &usageError{cmd, fmt.Errorf("--order 2 compares every Hessian entry, of at most %d variables, and the point (--at) has %d", maxCheckHessian, n)}
			}
			rep, err := numdiff.Check(j.f, j.x, s)
			if err != nil {
				return err
			}
			if sweep != "" {
				if err := drawSweep(sweep, j, s.Methods); err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			if in.json {
				b, err := json.Marshal(rep)
				if err != nil {
					return err
				}
				if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
					return err
				}
			} else if err := printCheck(w, rep); err != nil {
				return err
			}
			if !rep.OK {
				return &answerError{msg: fmt.Sprintf("%d of %d derivatives disagree with numeric differentiation", rep.Failed, len(rep.Components))}
			}
			return nil
		},
	}
	in.addFlags(cmd)
	in.addWrtFlag(cmd)
	f := cmd.Flags()
	f.StringSliceVar(&methods, "methods", []string{"central"}, "the numeric `METHODS`: forward, backward, central, richardson, complex-step")
	f.Float64Var(&step, "step", 0, "one step `h` for every method (default: each method's own)")
	f.IntVar(&order, "order", 1, fmt.Sprintf("1 for first derivatives, 2 to add the Hessian (of at most %d variables)", maxCheckHessian))
	f.IntVar(&directions, "directions", 2, fmt.Sprintf("the number of random directions (at most %d)", maxDirections))
	f.Uint64Var(&seed, "seed", 1, "the seed of the random directions")
	f.StringVar(&sweep, "sweep", "", "draw the error against the step size to `FILE` (.svg, .png, .pdf)")
	return cmd
}

// drawSweep sweeps the step of numeric differentiation for the first
// gradient component and draws each method's error against it.
func drawSweep(file string, j *job, methods []numdiff.Method) error {
	names := j.f.Names()
	const i = 0 // Check has refused a function of no variables
	ms := []numdiff.Method{numdiff.Forward, numdiff.Central}
	for _, m := range methods {
		if !slices.Contains(ms, m) {
			ms = append(ms, m)
		}
	}
	sw, err := numdiff.SweepGradient(j.f, j.x, i, &numdiff.SweepSettings{Methods: ms})
	if err != nil {
		return err
	}
	curves := viz.SweepCurves(sw)
	fig, err := viz.NewStepErrorPlot(curves, viz.PlotOptions{
		Title: fmt.Sprintf("∂f/∂%s of %s: error of numeric differentiation", names[i], shortExpr(j.f.String())),
	})
	if err != nil {
		return err
	}
	return fig.Save(file)
}

// shortExpr keeps a title readable.
func shortExpr(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 40 {
		return s[:39] + "…"
	}
	return s
}

// printCheck writes the report as a table: one line per component, with
// each method's estimate and the verdict.
func printCheck(w io.Writer, rep *numdiff.Report) error {
	t := newTable(w)
	head := []string{"kind", "name", "ad"}
	for _, m := range rep.Methods {
		head = append(head, m.String())
	}
	head = append(head, "abs error", "rel error", "tolerance", "ok")
	t.row(head...)
	for _, c := range rep.Components {
		cells := []string{c.Kind, c.Name, num(c.AD)}
		for _, m := range rep.Methods {
			cell := "-"
			for _, e := range c.Numeric {
				if e.Method == m && !e.Unsupported {
					cell = num(e.Value)
				}
			}
			cells = append(cells, cell)
		}
		ok := "yes"
		if !c.OK {
			ok = "NO"
			if c.Problem != "" {
				ok += ": " + c.Problem
			}
		}
		cells = append(cells, short(c.AbsError), short(c.RelError), short(c.Tolerance), ok)
		t.row(cells...)
	}
	if err := t.flush(); err != nil {
		return err
	}
	names := make([]string, len(rep.Methods))
	for i, m := range rep.Methods {
		names[i] = m.String()
	}
	verdict := fmt.Sprintf("all %d derivatives agree with %s", len(rep.Components), strings.Join(names, ", "))
	if !rep.OK {
		verdict = fmt.Sprintf("%d of %d derivatives DISAGREE", rep.Failed, len(rep.Components))
	}
	_, err := fmt.Fprintln(w, verdict)
	return err
}

// short formats an error or tolerance to three significant digits, which is
// all a comparison needs.
func short(x float64) string { return fmt.Sprintf("%.3g", x) }
