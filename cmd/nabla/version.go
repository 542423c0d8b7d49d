package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of nabla",
		Long: `Version prints nabla's module version, the revision it was built from
when known, and the Go version.

With --json it prints {"version": v, "revision": r, "go": g}.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			version, revision := buildVersion()
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, object{}.add("version", version).add("revision", revision).add("go", runtime.Version()))
			}
			if revision != "" {
				version += " (" + revision + ")"
			}
			_, err := fmt.Fprintf(w, "nabla %s %s\n", version, runtime.Version())
			return err
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// buildVersion returns the main module's version and the VCS revision the
// binary was built from, as far as the build recorded them.
func buildVersion() (version, revision string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)", ""
	}
	version = info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" && revision != "" {
				revision += "+modified"
			}
		}
	}
	return version, revision
}
