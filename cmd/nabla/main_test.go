package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// linkRepo returns a testscript setup that links the repository's folders
// dirs into a script's directory, so that file names under them resolve as
// they do at the top of the repository.
func linkRepo(dirs ...string) func(env *testscript.Env) error {
	return func(env *testscript.Env) error {
		for _, dir := range dirs {
			abs, err := filepath.Abs(filepath.Join("../..", dir))
			if err != nil {
				return err
			}
			if err := os.Symlink(abs, filepath.Join(env.WorkDir, dir)); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestLinkRepo(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, linkRepo("docs", "examples")(&testscript.Env{WorkDir: dir}))
	for _, file := range []string{"docs/tutorial.md", "examples/mlp/mlp.nabla"} {
		_, err := os.Stat(filepath.Join(dir, file))
		assert.NoError(t, err, file)
	}
}
