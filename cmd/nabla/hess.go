package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newHessCmd) }

// The largest Hessians hess computes: maxShownHessian variables for
// human output, which prints the matrix, and maxHessian for --json, whose
// output grows with the square of the variables (about 100 MB at the
// limit). Both are checked before anything is computed.
const (
	maxShownHessian = 12
	maxHessian      = 2000
)

func newHessCmd() *cobra.Command {
	var in inputFlags
	cmd := &cobra.Command{
		Use:   "hess -e EXPR --at POINT",
		Short: "Print the value, the gradient and the Hessian at a point",
		Long: fmt.Sprintf(`Hess prints the value, the gradient and the Hessian matrix of second
derivatives at the point, computed exactly (forward mode over reverse
mode), with the Hessian's eigenvalues, which say whether the point is a
minimum, a maximum or a saddle. Rows and columns are in the order of the
variables; a vector variable x of length n contributes x[0] … x[n-1].

The matrix is printed for at most %d variables in all, and with --json for
at most %d; jvp gives directional derivatives of larger functions.

With --json it prints {"value": v, "gradient": {…}, "vars": ["x", "y"],
"hessian": [[…], […]]}.`, maxShownHessian, maxHessian),
		Example: `  nabla hess -e 'x^2*y + y^3' --at x=1,y=2
  nabla hess -e 'sum(x^2)' --at x=[1,2,3] --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			j, err := in.load(cmd, true)
			if err != nil {
				return err
			}
			if err := checkHessian(len(j.x), in.json); err != nil {
				return &usageError{cmd, err}
			}
			v, grad, err := j.gradient()
			if err != nil && !ad.IsNonFinite(err) {
				return err
			}
			h := mat.NewSymDense(len(j.x), nil)
			herr := j.f.Hessian(j.x, h)
			if herr != nil && !ad.IsNonFinite(herr) {
				return herr
			}
			if err == nil {
				err = herr
			}
			names := j.f.Names()
			rows := make([][]float64, len(names))
			for i := range rows {
				rows[i] = mat.Row(nil, i, h)
			}
			r := result{
				json: object{}.add("value", v).add("gradient", j.object(grad)).add("vars", names).add("hessian", rows),
				human: func(t *table) {
					t.row(j.signature(), "=", num(v))
					j.gradientRows(t, grad)
					if ev, ok := eigenvalues(h); ok {
						t.row("eigenvalues", "=", vec(ev))
					}
					t.flush()
					fmt.Fprintln(t.tw, "∇²f:")
					m := newMatrix(t.tw)
					m.cells(append([]string{""}, names...)...)
					for i, row := range rows {
						cells := []string{names[i]}
						for _, x := range row {
							cells = append(cells, num(x))
						}
						m.cells(cells...)
					}
					m.flush()
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	return cmd
}

// checkHessian refuses a Hessian of n variables too large to print.
func checkHessian(n int, asJSON bool) error {
	switch {
	case n > maxHessian:
		return fmt.Errorf("hess prints the Hessian of at most %d variables, and the point (--at) has %d; jvp gives directional derivatives", maxHessian, n)
	case n > maxShownHessian && !asJSON:
		return fmt.Errorf("hess prints the Hessian as a matrix for at most %d variables, and the point (--at) has %d; --json prints it for up to %d", maxShownHessian, n, maxHessian)
	}
	return nil
}

// eigenvalues returns the eigenvalues of a symmetric matrix in ascending
// order, if they can be computed (the matrix is finite).
func eigenvalues(h *mat.SymDense) ([]float64, bool) {
	var eig mat.EigenSym
	if !eig.Factorize(h, false) {
		return nil, false
	}
	return eig.Values(nil), true
}
