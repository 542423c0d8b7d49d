package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newJVPCmd) }

func newJVPCmd() *cobra.Command {
	var (
		in  inputFlags
		dir []string
	)
	cmd := &cobra.Command{
		Use:   "jvp -e EXPR --at POINT --dir DIRECTION",
		Short: "Print the derivative along a direction (forward mode)",
		Long: `Jvp prints the value and the derivative of the expression along the
direction v given by --dir, computed exactly in forward mode: the raw
tangent ∇f·v (the Jacobian-vector product) and the directional derivative
D_u f = ∇f·u along the unit vector u = v/‖v‖. Variables --dir leaves out
have a zero component.

With --json it prints {"value": v, "jvp": ∇f·v, "directional_derivative": ∇f·v/‖v‖}.`,
		Example: `  nabla jvp -e 'x^2 + y^2' --at x=1,y=1 --dir x=1,y=0
  nabla jvp -e 'x^2 + y^2' --at x=1,y=1 --dir x=1,y=1 --json
  nabla jvp -e 'sum(x^2)' --at x=[1,2,3] --dir x=[0,0,1]`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(dir) == 0 {
				return &usageError{cmd, errors.New("no direction: give one with --dir, such as --dir x=1,y=0")}
			}
			j, err := in.load(cmd, true)
			if err != nil {
				return err
			}
			v, err := j.direction(dir)
			if err != nil {
				return err
			}
			length := norm(v)
			if length == 0 {
				return errors.New("--dir: the direction is zero; a directional derivative needs a nonzero direction")
			}
			if math.IsInf(length, 0) || math.IsNaN(length) {
				return errors.New("--dir: the direction's length is not finite")
			}
			u := make([]float64, len(v))
			floats.ScaleTo(u, 1/length, v)
			val, tangent, err := j.f.JVP(j.x, v)
			if err != nil && !ad.IsNonFinite(err) {
				return err
			}
			r := result{
				json: object{}.add("value", val).add("jvp", tangent).add("directional_derivative", tangent/length),
				human: func(t *table) {
					t.row(j.signature(), "=", num(val))
					t.row("v", "=", j.tuple(v))
					t.row("u = v/‖v‖", "=", j.tuple(u))
					t.row("∇f·v", "=", num(tangent))
					t.row("D_u f = ∇f·u", "=", num(tangent/length))
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	in.addWrtFlag(cmd)
	cmd.Flags().StringArrayVar(&dir, "dir", nil, "the `DIRECTION`, written like a point: x=1,y=0 (need not be a unit vector)")
	return cmd
}

// direction parses --dir into a flat vector in the job's variable order.
func (j *job) direction(texts []string) ([]float64, error) {
	v := make([]float64, len(j.x))
	p, err := parsePoint("--dir", texts...)
	if err != nil {
		return nil, err
	}
	for _, d := range p {
		i := -1
		for k, w := range j.vars {
			if w.Name == d.name {
				i = k
			}
		}
		if i < 0 {
			return nil, j.unknownVar("--dir", d.name)
		}
		if want := j.vars[i].Shape; d.shape != want {
			return nil, fmt.Errorf("--dir: %s is a %v in the point, but the direction gives it %s", d.name, want, describe(d))
		}
		copy(j.at(v, i), d.x)
	}
	return v, nil
}

// describe says what shape a value was written with.
func describe(v value) string {
	switch v.shape.Rank() {
	case 0:
		return "a scalar"
	case 1:
		return fmt.Sprintf("a vector of %d values", len(v.x))
	}
	return fmt.Sprintf("a %d×%d matrix", v.shape.Dim(0), v.shape.Dim(1))
}

// tuple formats a flat vector for people, naming each variable's part:
// (x: 1, y: 0).
func (j *job) tuple(x []float64) string {
	return "(" + join(len(j.vars), func(i int) string {
		return j.vars[i].Name + ": " + varText(j.vars[i], j.at(x, i))
	}) + ")"
}
