package main

import (
	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/gradbench"
)

func init() { register(newGradBenchCmd) }

func newGradBenchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "gradbench",
		Short: "Run as a tool of the GradBench benchmark (JSON on stdin and stdout)",
		Long: `Gradbench makes nabla a tool of GradBench (github.com/gradbench/gradbench),
the shared benchmark of automatic differentiation tools: it reads the
eval's messages from standard input, one JSON object a line, and answers
each with one JSON line on standard output, in order and flushed.
Diagnostics go to standard error. It exits 0 at the end of the input.

The evals nabla implements are listed in the config of its answer to the
start message, with the BLAS under its matrix products (as nabla version
prints it: a build tagged openblas runs them on OpenBLAS); each is a model
written with nabla (see package gradbench) and differentiated by nabla.
Runs take as many threads as GOMAXPROCS allows; GOMAXPROCS=1 measures one.

GradBench runs it as a tool:

  gradbench run --eval 'gradbench repo eval llsq' --tool 'nabla gradbench'

and a message can be sent by hand:

  echo '{"id": 0, "kind": "evaluate", "module": "hello", "function": "double", "input": 3}' | nabla gradbench`,
		Example: `  nabla gradbench`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return gradbench.Serve(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
}
