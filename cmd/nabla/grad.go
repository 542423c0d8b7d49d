package main

import (
	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newGradCmd) }

func newGradCmd() *cobra.Command {
	var in inputFlags
	cmd := &cobra.Command{
		Use:   "grad -e EXPR --at POINT",
		Short: "Print the value and the gradient at a point",
		Long: `Grad prints the value of the expression and its gradient at the point,
computed exactly in reverse mode, with the gradient's Euclidean norm.

With --json it prints {"value": v, "gradient": {"x": ∂f/∂x, …}}; a vector
variable's entry is an array.`,
		Example: `  nabla grad -e 'x^2 + y^2' --at x=1,y=1
  nabla grad -e 'sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)' --at x=-1.2:1.5*500 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			j, err := in.load(cmd, true)
			if err != nil {
				return err
			}
			v, grad, err := j.gradient()
			if err != nil && !ad.IsNonFinite(err) {
				return err
			}
			r := result{
				json: object{}.add("value", v).add("gradient", j.object(grad)),
				human: func(t *table) {
					t.row(j.signature(), "=", num(v))
					j.gradientRows(t, grad)
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	return cmd
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

// gradientRows writes the partial derivatives and the gradient's norm.
func (j *job) gradientRows(t *table, grad []float64) {
	j.varRows(t, func(i int) {
		v := j.vars[i]
		note := ""
		if j.unused[v.Name] {
			note = "(f does not depend on " + v.Name + ")"
		}
		t.row("∂f/∂"+v.Name, "=", varText(v, j.at(grad, i)), note)
	})
	t.row("‖∇f‖", "=", num(norm(grad)))
}
