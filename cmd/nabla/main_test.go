package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the nabla command, so that the
// scripts run the real program, exit statuses and all.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"nabla": main})
}

// TestScript runs the scripts in testdata/script: each runs nabla commands
// and compares their standard output, standard error and exit status with
// the expected ones.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("NABLA_UPDATE_SCRIPTS") != "",
	})
}
