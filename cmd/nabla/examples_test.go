package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
)

// TestHelpExamples runs the examples of every command's help in a
// directory that holds the repository's benchmarks, docs and examples
// folders, so that their file names resolve as they do at the top of the
// repository. Each must succeed, and without a warning: an example that
// names a file nabla does not ship, or gives values the expression does
// not use, fails.
func TestHelpExamples(t *testing.T) {
	var script strings.Builder
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for line := range strings.Lines(c.Example) {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			args, ok := strings.CutPrefix(line, "nabla ")
			require.True(t, ok, "%s: an example runs nabla: %s", c.CommandPath(), line)
			fmt.Fprintf(&script, "# %s\nexec nabla %s\n! stderr warning\n", c.CommandPath(), args)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
	file := filepath.Join(t.TempDir(), "examples.txtar")
	require.NoError(t, os.WriteFile(file, []byte(script.String()), 0o644))
	testscript.Run(t, testscript.Params{
		Files:               []string{file},
		RequireExplicitExec: true,
		Setup:               linkRepo("benchmarks", "docs", "examples"),
	})
}
