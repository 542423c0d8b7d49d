// Command genreport runs the default benchmark suite and writes the
// results page docs/benchmarks.md with its performance and data profiles.
// Run it with go generate ./benchmarks.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/nabla-ad/nabla/benchmarks"
	"github.com/nabla-ad/nabla/internal/atomicfile"
)

func main() {
	docs := flag.String("docs", "docs", "the docs folder to write benchmarks.md and img/ into")
	flag.Parse()
	ps, err := benchmarks.Select("all")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := benchmarks.RunSuite(context.Background(), benchmarks.Config{Problems: ps, Methods: benchmarks.DefaultMethods})
	if err != nil {
		log.Fatal(err)
	}
	for _, kind := range []string{"performance", "data"} {
		if err := rep.SaveProfile(filepath.Join(*docs, "img", "profile-"+kind+".svg"), kind, 1e-5); err != nil {
			log.Fatal(err)
		}
	}
	var table bytes.Buffer
	if err := rep.Write(&table, "markdown"); err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# Optimizer benchmarks

The default suite: every built-in problem (the 35 Moré–Garbow–Hillstrom
problems, the 2-D machine-learning test functions and the chained
Rosenbrock function) at its default size and standard start, with nabla's
methods (exact derivatives), L-BFGS with central-difference gradients
(lbfgs-fd), and gonum's L-BFGS and BFGS with exact and with
central-difference gradients. A run solves a problem at level τ when
f(x) − f* ≤ τ·(f(x0) − f*) (Moré and Wild); evaluations count every
evaluation of f, including those behind finite differences; an AD gradient
comes with its value and counts once, and the Hessians and Hessian-vector
products of newton and newton-cg are not counted (they are in the JSON
output of nabla bench). Times leave out compiling each problem's function
and derivatives, done once per problem before its runs; the line under the
summary says how long that took.

Made by %s on %s, on one machine
(%s/%s, %d CPUs, %s), where the whole suite took %.1f s of
wall time. Times, that one and those in the table, depend on the machine
and on what else runs on it: compare them within the table, not across
machines.

`+"```sh\ngo generate ./benchmarks\n```"+`

The same as a command: `+"`nabla bench --format markdown --profile profile.svg --data-profile data.svg`"+`.

## Profiles (τ = 1e-5, cost: evaluations)

![performance profile](img/profile-performance.svg)

![data profile](img/profile-data.svg)

## Results

%s`, "`go generate ./benchmarks`", time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), cpuModel(), rep.Elapsed.Seconds(), table.String())
	if err := atomicfile.WriteFile(filepath.Join(*docs, "benchmarks.md"), []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// cpuModel names the processor, where Linux says.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown processor"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown processor"
}
