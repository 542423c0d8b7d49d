package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newJacobianCmd) }

func newJacobianCmd() *cobra.Command {
	var in inputFlags
	cmd := &cobra.Command{
		Use:   "jacobian -e EXPR --at POINT",
		Short: "Print the Jacobian matrix of a vector-valued expression",
		Long: `Jacobian prints the value of an expression whose result is a vector, such
as [x*y, sin(x)], and its Jacobian matrix, computed exactly: row i holds
the gradient of value i, and the columns are the variables in order (a
vector variable x of length n contributes x[0] … x[n-1]). It takes one
forward-mode pass per column or one reverse-mode pass per row, whichever
are fewer. A scalar expression has a one-row Jacobian: its gradient.

With --json it prints {"value": […], "jacobian": [[…], …], "vars": ["x", "y"]}.`,
		Example: `  nabla jacobian -e '[x*y, sin(x)]' --at x=1,y=2
  nabla jacobian -e 'x[1:] - x[:-1]' --at x=[1,4,9] --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			j, err := in.loadVector(cmd)
			if err != nil {
				return err
			}
			m, n := j.vf.Len(), len(j.x)
			if err := checkJacobian(m, n, in.json); err != nil {
				return &usageError{cmd, err}
			}
			y := make([]float64, m)
			rows := make([][]float64, m)
			outs := make([]string, m)
			if n > 0 {
				jac := mat.NewDense(m, n, nil)
				err = j.vf.Jacobian(j.x, y, jac)
				for i := range rows {
					rows[i] = unsignedZeros(mat.Row(nil, i, jac))
				}
			} else {
				err = j.vf.Eval(j.x, y)
			}
			if err != nil && !ad.IsNonFinite(err) {
				return err
			}
			for i := range outs {
				outs[i] = fmt.Sprintf("f[%d]", i)
			}
			if j.vf.Graph().Shape(j.vf.Output()).IsScalar() {
				outs[0] = "f"
			}
			names := j.vf.Names()
			r := result{
				json: object{}.add("value", j.vectorValue(y)).add("jacobian", rows).add("vars", names),
				human: func(t *table) {
					t.row(j.signature(), "=", j.vectorText(y))
					t.flush()
					fmt.Fprintln(t.tw, "J:")
					printMatrix(t.tw, outs, names, rows)
				},
			}
			return r.print(cmd.OutOrStdout(), in.json, err)
		},
	}
	in.addFlags(cmd)
	return cmd
}

// checkJacobian refuses an m×n Jacobian too large to print, before it is
// computed: people get a matrix of at most maxShownHessian rows and
// columns, --json at most as many entries as the largest Hessian.
func checkJacobian(m, n int, asJSON bool) error {
	switch {
	case m*n > maxHessian*maxHessian:
		return fmt.Errorf("jacobian prints at most %d entries, and this Jacobian is %d×%d; jvp and vjp give products with it", maxHessian*maxHessian, m, n)
	case (m > maxShownHessian || n > maxShownHessian) && !asJSON:
		return fmt.Errorf("jacobian prints the Jacobian as a matrix of at most %d rows and columns, and this one is %d×%d; --json prints it", maxShownHessian, m, n)
	}
	return nil
}

// vectorValue is the JSON form of the value of a vector-valued expression:
// a number when the expression is a scalar.
func (j *job) vectorValue(y []float64) any {
	if j.vf.Graph().Shape(j.vf.Output()).IsScalar() {
		return y[0]
	}
	return y
}

// vectorText is the same for people.
func (j *job) vectorText(y []float64) string {
	if j.vf.Graph().Shape(j.vf.Output()).IsScalar() {
		return num(y[0])
	}
	return vec(y)
}

// unsignedZeros replaces -0 by 0 in x and returns it. A reverse pass with a
// unit cotangent negates its zero elements, and -0 in a Jacobian or a
// product only puzzles people.
func unsignedZeros(x []float64) []float64 {
	for i := range x {
		x[i] += 0 // -0 + 0 is +0; every other number is unchanged
	}
	return x
}
