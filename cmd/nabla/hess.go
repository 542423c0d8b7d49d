package main

import (
	"fmt"
	"io"
	"math"

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

// maxEigenvalues is the largest Hessian whose eigenvalues --json computes:
// their cost grows as n³, about a second at this size.
const maxEigenvalues = 1000

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
"hessian": [[…], […]], "eigenvalues": […]}, the eigenvalues in ascending
order (null when the Hessian is not finite or has more than %d rows).`, maxShownHessian, maxHessian, maxEigenvalues),
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
			var ev any // null unless computed
			if len(names) <= maxEigenvalues {
				if values, ok := eigenvalues(h); ok {
					ev = values
				}
			} else {
				fmt.Fprintf(cmd.ErrOrStderr(), "nabla: note: the eigenvalues of a Hessian of more than %d rows are not computed\n", maxEigenvalues)
			}
			r := result{
				json: object{}.add("value", v).add("gradient", j.object(grad)).add("vars", names).add("hessian", rows).add("eigenvalues", ev),
				human: func(t *table) {
					t.row(j.signature(), "=", num(v))
					j.gradientRows(t, grad, "=")
					if ev != nil {
						t.row("eigenvalues", "=", vec(ev.([]float64)))
					}
					t.flush()
					fmt.Fprintln(t.tw, "∇²f:")
					printMatrix(t.tw, names, names, rows)
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	in.addWrtFlag(cmd)
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

// printMatrix writes a matrix with its rows and columns named, its numbers
// aligned on the right.
func printMatrix(w io.Writer, rowNames, colNames []string, rows [][]float64) {
	m := newMatrix(w)
	m.cells(append([]string{""}, colNames...)...)
	for i, row := range rows {
		cells := []string{rowNames[i]}
		for _, x := range row {
			cells = append(cells, num(x))
		}
		m.cells(cells...)
	}
	m.flush()
}

// eigenvalues returns the eigenvalues of a symmetric matrix in ascending
// order, if they can be computed (the matrix is finite).
func eigenvalues(h *mat.SymDense) ([]float64, bool) {
	// LAPACK does not promise anything for NaN or infinite entries.
	for _, x := range h.RawSymmetric().Data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(h, false) {
		return nil, false
	}
	return eig.Values(nil), true
}
