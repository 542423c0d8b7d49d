package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
)

func init() { register(newVersionCmd) }

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of nabla",
		Long: `Version prints nabla's module version, the revision it was built from
when known, and the Go version, and on a second line the BLAS under the
matrix products and linear algebra: gonum's, in pure Go, or with a build
tagged openblas, OpenBLAS, its build and its number of threads (1 unless
NABLA_BLAS_THREADS says otherwise).

With --json it prints {"version": v, "revision": r, "go": g, "blas": b},
b an object with "name" ("gonum" or "openblas") and for OpenBLAS "config"
and "threads".`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			version, revision := buildVersion()
			w := cmd.OutOrStdout()
			lib := ad.BLAS()
			if asJSON {
				b := object{}.add("name", lib.Name)
				if lib.Name != "gonum" {
					b = b.add("config", lib.Config).add("threads", lib.Threads)
				}
				return writeJSON(w, object{}.add("version", version).add("revision", revision).add("go", runtime.Version()).add("blas", b))
			}
			if revision != "" {
				version += " (" + revision + ")"
			}
			_, err := fmt.Fprintf(w, "nabla %s %s\nblas: %s\n", version, runtime.Version(), lib)
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
