package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newDiffCmd) }

func newDiffCmd() *cobra.Command {
	var (
		in    inputFlags
		wrt   []string
		order int
	)
	cmd := &cobra.Command{
		Use:   "diff -e EXPR [--wrt x] [--order k]",
		Short: "Print the derivative as an expression",
		Long: `Diff prints the derivative of the expression with respect to each variable
(or those --wrt names) as an expression of the language, simplified by the
engine's constant folding and sharing. --order k differentiates k times
with respect to the same scalar variable. A vector variable's derivative
is a vector expression; --at is only needed to give vectors their sizes
(its values are not used).

With --json it prints {"derivative": {"x": "2*x", …}}.`,
		Example: `  nabla diff -e 'x^2 + y^2'
  nabla diff -e 'sin(x)*y' --wrt x --order 2
  nabla diff -e 'sum(x^2)' --at x=[0,0,0] --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if order < 1 {
				return &usageError{cmd, fmt.Errorf("--order must be at least 1, got %d", order)}
			}
			j, err := in.load(cmd, false)
			if err != nil {
				return err
			}
			for i, name := range wrt {
				if slices.Contains(wrt[:i], name) {
					return &usageError{cmd, fmt.Errorf("--wrt: %s is given twice", name)}
				}
			}
			names := wrt
			if len(names) == 0 {
				for _, v := range j.vars {
					names = append(names, v.Name)
				}
			}
			o := object{}
			for _, name := range names {
				d, err := j.derivative(name, order)
				if err != nil {
					return err
				}
				o = o.add(name, d)
			}
			r := result{
				json: object{}.add("derivative", o),
				human: func(t *table) {
					for _, m := range o {
						t.row(partial(m.key, order), "=", m.val.(string))
					}
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, nil)
		},
	}
	in.addFlags(cmd)
	cmd.Flags().StringSliceVar(&wrt, "wrt", nil, "differentiate with respect to these `VARS` only (comma-separated)")
	cmd.Flags().IntVar(&order, "order", 1, "differentiate `k` times")
	return cmd
}

// derivative returns the printed k-th derivative with respect to the
// variable name; a variable of the point that the expression does not use
// gives "0".
func (j *job) derivative(name string, k int) (string, error) {
	g := j.f.Graph()
	var x ad.Node
	for _, v := range g.Vars() {
		if g.Name(v) == name {
			x = v
		}
	}
	if !x.IsValid() {
		return "", j.unknownVar("--wrt", name)
	}
	if k > 1 && !g.Shape(x).IsScalar() {
		return "", fmt.Errorf("--order %d needs a scalar variable, but %s is a %v", k, name, g.Shape(x))
	}
	d := j.f.Output()
	for range k {
		ds, err := g.Grad(d, x)
		if err != nil {
			return "", err
		}
		d = ds[0]
	}
	return g.Format(d), nil
}

// partial writes ∂f/∂x, or ∂ᵏf/∂xᵏ for k > 1.
func partial(name string, k int) string {
	if k == 1 {
		return "∂f/∂" + name
	}
	s := sup(k)
	return "∂" + s + "f/∂" + name + s
}

// sup writes k in superscript digits.
func sup(k int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var b strings.Builder
	for _, c := range fmt.Sprint(k) {
		b.WriteString(string([]rune(digits)[c-'0']))
	}
	return b.String()
}
