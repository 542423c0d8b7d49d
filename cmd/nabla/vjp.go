package main

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newVJPCmd) }

func newVJPCmd() *cobra.Command {
	var (
		in        inputFlags
		cotangent string
	)
	cmd := &cobra.Command{
		Use:   "vjp -e EXPR --at POINT --cotangent C",
		Short: "Print a vector-Jacobian product (reverse mode)",
		Long: `Vjp prints the value of an expression whose result is a vector, such as
[x*y, sin(x)], and the vector-Jacobian product cᵀJ for the cotangent c
given by --cotangent: the gradient of c·f, computed exactly in one
reverse-mode pass without forming the Jacobian. The cotangent is written
like a vector in a point, [1,0] or 1:0*50, and is a number for a scalar
expression.

With --json it prints {"value": […], "vjp": {"x": ∂(c·f)/∂x, …}}; a vector
variable's entry is an array.`,
		Example: `  nabla vjp -e '[x*y, sin(x)]' --at x=1,y=2 --cotangent [1,0]
  nabla vjp -e 'x^2' --at x=[1,2,3] --cotangent [1,1,1] --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cotangent == "" {
				return &usageError{cmd, errors.New("no cotangent: give one with --cotangent, such as [1,0]")}
			}
			c, err := parseCotangent(cotangent)
			if err != nil {
				return err
			}
			j, err := in.loadVector(cmd)
			if err != nil {
				return err
			}
			if len(c.x) != j.vf.Len() {
				return fmt.Errorf("--cotangent: the expression has %d values, the cotangent %d", j.vf.Len(), len(c.x))
			}
			for _, x := range c.x {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return errors.New("--cotangent: the cotangent is not finite")
				}
			}
			y := make([]float64, j.vf.Len())
			prod := make([]float64, len(j.x))
			err = j.vf.VJP(j.x, c.x, y, prod)
			if err != nil && !ad.IsNonFinite(err) {
				return err
			}
			unsignedZeros(prod)
			r := result{
				json: object{}.add("value", j.vectorValue(y)).add("vjp", j.object(prod)),
				human: func(t *table) {
					t.row(j.signature(), "=", j.vectorText(y))
					t.row("c", "=", j.vectorText(c.x))
					for i, v := range j.vars {
						t.row("∂(c·f)/∂"+v.Name, "=", varText(v, j.at(prod, i)))
					}
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	cmd.Flags().StringVar(&cotangent, "cotangent", "", "the cotangent `C`, one number per value of the expression: [1,0]")
	return cmd
}

// parseCotangent reads --cotangent, written like the value of a variable in
// a point: 2, [1,0] or 1:0*50.
func parseCotangent(text string) (value, error) {
	const name = "c="
	if !strings.HasPrefix(text, "[") && strings.Contains(text, ",") {
		return value{}, &pointError{flag: "--cotangent", text: text, pos: strings.Index(text, ","), msg: "write a vector in brackets, as in [1,0]"}
	}
	p, err := parsePoint("--cotangent", name+text)
	var pe *pointError
	if errors.As(err, &pe) {
		pe.text, pe.pos = text, max(pe.pos-len(name), 0)
		return value{}, pe
	}
	if err != nil {
		return value{}, err
	}
	return p[0], nil
}
