package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// The exit statuses.
const (
	exitOK        = 0
	exitBadAnswer = 1 // the job ran, but its answer is bad
	exitUsage     = 2 // a usage or input error
)

// An answerError ends a job that ran but whose answer is bad; its output has
// been printed. It exits with status 1.
type answerError struct{ msg string }

func (e *answerError) Error() string { return e.msg }

// A usageError is a mistake in the command line itself; its message is
// followed by a pointer to the help.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e *usageError) Error() string {
	return fmt.Sprintf("%v\nRun '%s --help' for usage.", e.err, e.cmd.CommandPath())
}

func (e *usageError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	defer func() {
		// Every error should be returned, not panicked; this is the last
		// resort that keeps a Go trace from reaching the user.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "nabla: internal error: %v\n(this is a bug in nabla; please report it with the command line)\n", r)
			status = exitUsage
		}
	}()
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	msg := strings.TrimRight(err.Error(), "\n")
	fmt.Fprintf(stderr, "nabla: %s\n", msg)
	var ae *answerError
	if errors.As(err, &ae) {
		return exitBadAnswer
	}
	return exitUsage
}

// noArgs accepts no positional arguments; the usual cause of one is an
// expression with spaces that was not quoted.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{cmd, fmt.Errorf("%s takes no arguments, got %q (quote an expression with spaces: -e 'x^2 + y^2')", cmd.Name(), args[0])}
	}
	return nil
}
