package nabla

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// layers gives each library package its layer, as doc.go draws them.
var layers = map[string]int{
	"internal/atomicfile":        -1,
	"internal/gemm":              -1,
	"internal/par":               -1,
	"internal/text":              -1,
	"internal/vmath":             -1,
	"ad":                         0,
	"expr":                       1,
	"data":                       1,
	"numdiff":                    1,
	"optim":                      1,
	"viz":                        2,
	"gradbench":                  2,
	"benchmarks":                 3,
	"landscape":                  3,
	"serve":                      3,
	"internal/gentest":           1,
	"benchmarks/internal/rosen":  -1,
	"benchmarks/internal/mghgen": -1,
	"benchmarks/internal/mlpgen": -1,
	"examples/rosenbrock":        -1,

	"examples/internal/exampletest": 4,
	"examples/leastsquares":         4,
	"examples/logistic":             4,
	"examples/mlp":                  4,
	"examples/rk4":                  4,
}

const module = "github.com/nabla-ad/nabla"

// TestLayers fails when a package imports one of its own layer or above,
// or when a library package is missing from the table.
func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Name}} {{join .Imports \" \"}}", module+"/...").Output()
	require.NoError(t, err, "go list: %s", errOutput(err))
	seen := 0
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		fields := strings.Fields(line)
		pkg, name, imports := strings.TrimPrefix(fields[0], module), fields[1], fields[2:]
		pkg = strings.TrimPrefix(pkg, "/")
		if name == "main" || pkg == "" {
			continue // commands may import anything; this package imports nothing
		}
		layer, ok := layers[pkg]
		if !assert.True(t, ok, "package %s has no layer: add it to doc.go and to layers", pkg) {
			continue
		}
		seen++
		for _, imp := range imports {
			dep, ours := strings.CutPrefix(imp, module+"/")
			if !ours {
				continue
			}
			assert.Less(t, layers[dep], layer, "%s (layer %d) imports %s (layer %d)", pkg, layer, dep, layers[dep])
		}
	}
	assert.Equal(t, len(layers), seen, "every package of the table exists")
}

func errOutput(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
