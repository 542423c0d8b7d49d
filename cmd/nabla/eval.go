package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newEvalCmd) }

func newEvalCmd() *cobra.Command {
	var in inputFlags
	cmd := &cobra.Command{
		Use:   "eval -e EXPR --at POINT",
		Short: "Print the value of an expression at a point",
		Long: `Eval prints the value of the expression at the point.

With --json it prints {"value": v}.`,
		Example: `  nabla eval -e 'x^2 + y^2' --at x=1,y=2
  nabla eval -e 'sum(x^2)' --at x=[1,2,3] --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			j, err := in.load(cmd, true)
			if err != nil {
				return err
			}
			v, err := j.value()
			if err != nil && !ad.IsNonFinite(err) {
				return err
			}
			r := result{
				json: object{}.add("value", v),
				human: func(t *table) {
					t.row(j.signature(), "=", num(v))
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	return cmd
}

// signature returns f(x, y) with the function's variables, as many as
// human output shows.
func (j *job) signature() string {
	return "f(" + join(len(j.vars), func(i int) string { return j.vars[i].Name }) + ")"
}

// varRows calls row for each variable human output shows, and writes a
// line in place of those it leaves out.
func (j *job) varRows(t *table, row func(i int)) {
	for i := range shown(len(j.vars)) {
		if i == elided {
			t.row("…", "", fmt.Sprintf("(%d variables; --json prints every one)", len(j.vars)))
			continue
		}
		row(i)
	}
}
