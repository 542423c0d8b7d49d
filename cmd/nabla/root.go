package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
)

// commands holds the constructors of the subcommands. Each subcommand's file
// registers its own in an init function, so adding a subcommand touches no
// other file. Constructors, not commands, so that every run builds a fresh
// tree with fresh flag values.
var commands []func() *cobra.Command

// register adds a subcommand's constructor.
func register(newCmd func() *cobra.Command) { commands = append(commands, newCmd) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "nabla",
		Short: "Exact derivatives of expressions from the shell",
		Long: `nabla differentiates expressions exactly (automatic differentiation) and
prints values, gradients, directional derivatives, Hessians, Jacobians and
symbolic derivatives, for people or, with --json, for scripts.

A point is written --at x=1,y=2; a vector as --at x=[1,2,3] or as a
repeated pattern, --at x=-1.2:1.5*500 (1000 values); a matrix as its rows,
--at W=[[1,2],[3,4]]. The expression comes
from -e EXPR or -f FILE (-f - reads standard input).

--data NAME=FILE binds NAME to the numbers of a .csv, .json or .npy file
as a constant, never differentiated, that a point may not give a value;
FILE:J selects column J of a table and FILE:J:K columns J to K, counting
from 1. --wrt x,y differentiates only x and y, holding the other variables
at their --at values.

Exit status: 0 success; 1 the job ran but its answer is bad (a result that
is not finite); 2 a usage or input error, reported on standard error.`,
		Example: `  nabla grad -e 'x^2 + y^2' --at x=1,y=1
  nabla jvp -e 'x^2 + y^2' --at x=1,y=1 --dir x=1,y=0
  nabla grad -f benchmarks/problems/chained_rosenbrock.nabla --at x=-1.2:1*500 --json
  nabla optimize -e '0.5*sum((a*xs + b - ys)^2)' --data xs=docs/data/line.csv:1 --data ys=docs/data/line.csv:2 --at a=0,b=0`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// A bad NABLA_BLAS_THREADS stops every command rather than run on
		// a number of threads the user did not ask for.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error { return ad.BLAS().Err },
		RunE: func(cmd *cobra.Command, args []string) error {
			return &usageError{cmd: cmd, err: errors.New("a command is needed, such as grad")}
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{cmd: cmd, err: err}
	})
	for _, newCmd := range commands {
		root.AddCommand(newCmd())
	}
	return root
}
