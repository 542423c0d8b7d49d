package main

import (
	"errors"
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
		Use:   "diff -e EXPR [--wrt x] [--order k] [--wrt x,y]",
		Short: "Print the derivative as an expression",
		Long: `Diff prints the derivative of the expression with respect to each variable
(or the one --wrt names) as an expression of the language, simplified by
the engine's constant folding and sharing. --order k differentiates k
times with respect to the same scalar variable. --wrt x,y prints the mixed
partial derivative ∂²f/∂x∂y = ∂/∂x (∂f/∂y), differentiating by the last
variable first; a variable may repeat (--wrt x,x,y is ∂³f/∂x²∂y). A vector
variable's derivative is a vector expression; --at is only needed to give
vectors their sizes (its values are not used).

With --json it prints {"derivative": {"x": "2*x", …}}; a mixed partial's
key is the --wrt list, as in {"derivative": {"x,y": "2*x"}}.`,
		Example: `  nabla diff -e 'x^2 + y^2'
  nabla diff -e 'sin(x)*y' --wrt x --order 2
  nabla diff -e 'x^2*y + y^3' --wrt x,y
  nabla diff -e 'sum(x^2)' --at x=[0,0,0] --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if order < 1 {
				return &usageError{cmd, fmt.Errorf("--order must be at least 1, got %d", order)}
			}
			if len(wrt) > 1 && order > 1 {
				return &usageError{cmd, errors.New("--order applies to one variable; list every variable of a mixed partial in --wrt, as in --wrt x,x,y")}
			}
			j, err := in.load(cmd, false)
			if err != nil {
				return err
			}
			// Each derivative is a list of the variables to differentiate by.
			var partials [][]string
			switch {
			case len(wrt) > 1:
				partials = [][]string{wrt}
			case len(wrt) == 1:
				partials = [][]string{slices.Repeat(wrt, order)}
			default:
				for _, v := range j.vars {
					partials = append(partials, slices.Repeat([]string{v.Name}, order))
				}
			}
			o := object{}
			var labels []string
			for _, names := range partials {
				d, err := j.derivative(names)
				if err != nil {
					return err
				}
				key := names[0]
				if len(wrt) > 1 {
					key = strings.Join(names, ",")
				}
				o = o.add(key, d)
				labels = append(labels, partial(names))
			}
			r := result{
				json: object{}.add("derivative", o),
				human: func(t *table) {
					for i, m := range o {
						t.row(labels[i], "=", m.val.(string))
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

// derivative returns the printed derivative by the variables names,
// differentiating by the last first: [x, y] is ∂²f/∂x∂y = ∂/∂x (∂f/∂y), and
// [x, x] is ∂²f/∂x². A variable of the point that the expression does not
// use gives "0".
func (j *job) derivative(names []string) (string, error) {
	g := j.f.Graph()
	d := j.f.Output()
	for i := len(names) - 1; i >= 0; i-- {
		name := names[i]
		var x ad.Node
		for _, v := range g.Vars() {
			if g.Name(v) == name {
				x = v
			}
		}
		if !x.IsValid() {
			return "", j.unknownVar("--wrt", name)
		}
		if len(names) > 1 && !g.Shape(x).IsScalar() {
			if !slices.ContainsFunc(names, func(n string) bool { return n != name }) {
				return "", fmt.Errorf("--order %d needs a scalar variable, but %s is a %v", len(names), name, g.Shape(x))
			}
			return "", fmt.Errorf("a mixed partial needs scalar variables, but %s is a %v", name, g.Shape(x))
		}
		ds, err := g.Grad(d, x)
		if err != nil {
			return "", err
		}
		d = ds[0]
	}
	return g.Format(d), nil
}

// partial writes the derivative by names in Leibniz's notation: ∂f/∂x,
// ∂²f/∂x², ∂²f/∂x∂y, ∂³f/∂x²∂y.
func partial(names []string) string {
	var b strings.Builder
	for i := 0; i < len(names); {
		k := i
		for k < len(names) && names[k] == names[i] {
			k++
		}
		b.WriteString("∂" + names[i])
		if k-i > 1 {
			b.WriteString(sup(k - i))
		}
		i = k
	}
	top := "∂f/"
	if len(names) > 1 {
		top = "∂" + sup(len(names)) + "f/"
	}
	return top + b.String()
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
