package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/nabla-ad/nabla/ad"
)

// TestMain lets the test binary act as the nabla command, so that the
// scripts run the real program, exit statuses and all.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"nabla": main})
}

// TestScript runs the scripts in testdata/script: each runs nabla commands
// and compares their standard output, standard error and exit status with
// the expected ones. The condition [openblas] holds in a build with the
// openblas tag.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("NABLA_UPDATE_SCRIPTS") != "",
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"status": status},
		Condition: func(cond string) (bool, error) {
			if cond != "openblas" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			return ad.BLAS().Name == "openblas", nil
		},
	})
}

// status runs a command and checks its exit status, which "! exec" does
// not tell apart: status N command args...
func status(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status code command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}
