package main

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/numdiff"
)

func init() { register(newGradCmd) }

func newGradCmd() *cobra.Command {
	var (
		in      inputFlags
		numeric string
		step    float64
	)
	cmd := &cobra.Command{
		Use:   "grad -e EXPR --at POINT",
		Short: "Print the value and the gradient at a point",
		Long: `Grad prints the value of the expression and its gradient at the point,
computed exactly in reverse mode, with the gradient's Euclidean norm.

--numeric METHOD estimates the gradient by numeric differentiation alone,
as the textbook formulas compute it: forward (f(x+h) − f(x))/h, backward,
central (f(x+h) − f(x−h))/2h, richardson or complex-step Im f(x+ih)/h, one
variable at a time, dividing by the step h of --step as given. Without
--step each variable takes the method's default step, scaled by |x| where
|x| > 1. A note on standard error says when the step the function sees
differs from the one requested: scaled by |x|, or rounded because x + h
is not exact in floating point. nabla check compares the two ways.

With --json it prints {"value": v, "gradient": {"x": ∂f/∂x, …}}; a vector
variable's entry is an array. With --numeric it adds "method" and, when
given, "step".`,
		Example: `  nabla grad -e 'x^2 + y^2' --at x=1,y=1
  nabla grad -e 'sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)' --at x=-1.2:1.5*500 --json
  nabla grad -e 'x^2 + y^2' --at x=1,y=1 --numeric forward --step 1e-7`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var (
				m   numdiff.Method
				err error
			)
			if numeric != "" {
				if m, err = numdiff.ParseMethod(numeric); err != nil {
					return &usageError{cmd, fmt.Errorf("--numeric: %v", err)}
				}
			}
			if cmd.Flags().Changed("step") {
				if numeric == "" {
					return &usageError{cmd, errors.New("--step is the step of --numeric; give both")}
				}
				if !(step > 0) || math.IsInf(step, 0) {
					return &usageError{cmd, fmt.Errorf("--step must be positive and finite, got %v", step)}
				}
			}
			j, err := in.load(cmd, true)
			if err != nil {
				return err
			}
			rel := "="
			var (
				v    float64
				grad []float64
			)
			if numeric == "" {
				v, grad, err = j.gradient()
			} else {
				rel = "≈"
				v, grad, err = j.numericGradient(cmd.ErrOrStderr(), m, step)
			}
			if err != nil && !ad.IsNonFinite(err) {
				return err
			}
			o := object{}.add("value", v).add("gradient", j.object(grad))
			if numeric != "" {
				o = o.add("method", m.String())
				if step > 0 {
					o = o.add("step", step)
				}
			}
			r := result{
				json: o,
				human: func(t *table) {
					t.row(j.signature(), "=", num(v))
					j.gradientRows(t, grad, rel)
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&numeric, "numeric", "", "estimate the gradient numerically by `METHOD`: forward, backward, central, richardson, complex-step")
	f.Float64Var(&step, "step", 0, "the step `h` of --numeric (default: the method's own)")
	in.addWrtFlag(cmd)
	return cmd
}

// numericGradient returns the value and the gradient estimated by method m
// with step h (0 for the method's default at each variable), with a note on
// w when the step a variable sees differs from the step requested.
func (j *job) numericGradient(w io.Writer, m numdiff.Method, h float64) (float64, []float64, error) {
	v, err := j.value()
	if err != nil && !ad.IsNonFinite(err) {
		return v, nil, err
	}
	grad := make([]float64, len(j.x))
	if gerr := numdiff.Gradient(j.f, j.x, m, h, grad); err == nil {
		err = gerr
	}
	j.noteSteps(w, m, h)
	return v, grad, err
}

// noteSteps says, for the first variable where it happens, when the step
// differs from the one requested: the default step is scaled by |x| when
// |x| > 1, and x + h is rounded in floating point (the complex step adds h
// to the imaginary part, which is exact).
func (j *job) noteSteps(w io.Writer, m numdiff.Method, h float64) {
	names := j.f.Names()
	var scaled, rounded []int
	for i, x := range j.x {
		hi := h
		if h == 0 {
			hi = m.Step(x)
			if hi != m.Step(0) {
				scaled = append(scaled, i)
			}
		}
		if m != numdiff.ComplexStep && (x+hi)-x != hi {
			rounded = append(rounded, i)
		}
	}
	more := func(list []int) string {
		switch len(list) {
		case 1:
			return ""
		case 2:
			return " (and for 1 more variable)"
		}
		return fmt.Sprintf(" (and for %d more variables)", len(list)-1)
	}
	if len(scaled) > 0 {
		i := scaled[0]
		fmt.Fprintf(w, "nabla: note: the step for %s is the default %s of %s scaled by |%s| = %s: h = %s%s\n",
			names[i], short(m.Step(0)), m, names[i], num(math.Abs(j.x[i])), short(m.Step(j.x[i])), more(scaled))
	}
	if len(rounded) > 0 {
		i := rounded[0]
		x, hi := j.x[i], h
		if h == 0 {
			hi = m.Step(x)
		}
		fmt.Fprintf(w, "nabla: note: %s + h is rounded: %s moves by %s, not by h = %s, and the quotient divides by h%s\n",
			num(x), names[i], num((x+hi)-x), num(hi), more(rounded))
	}
}

// object returns a flat vector as a JSON object mapping each variable to its
// part.
func (j *job) object(x []float64) object {
	o := object{}
	for i, v := range j.vars {
		o = o.add(v.Name, varValue(v, j.at(x, i)))
	}
	return o
}

// gradientRows writes the partial derivatives and the gradient's norm, with
// rel between names and values: = for exact values, ≈ for estimates.
func (j *job) gradientRows(t *table, grad []float64, rel string) {
	j.varRows(t, func(i int) {
		v := j.vars[i]
		note := ""
		if j.unused[v.Name] {
			note = "(f does not depend on " + v.Name + ")"
		}
		t.row("∂f/∂"+v.Name, rel, varText(v, j.at(grad, i)), note)
	})
	t.row("‖∇f‖", rel, num(norm(grad)))
}
