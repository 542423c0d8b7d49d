package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
)

// TestSpectrumAgreesWithHess checks spectrum's Lanczos eigenvalues, every
// one of them, against those hess computes from the dense Hessian, to
// 1e-8, and its trace against the dense trace, to three standard errors:
// on a saddle, a vector function and the perceptron of examples/mlp at its
// starting weights (52 of them).
func TestSpectrumAgreesWithHess(t *testing.T) {
	mlp := []string{"-f", "../../examples/mlp/mlp.nabla", "--data", "X=../../examples/mlp/moons.csv:1:2",
		"--data", "Y=../../examples/mlp/moons.csv:3:4", "--at-file", "../../examples/mlp/init.json"}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"saddle", []string{"-e", "x^2 - y^2 + 3*x*y + z^3", "--at", "x=0,y=1,z=-1"}},
		{"vector", []string{"-e", "sum(exp(x[1:] - x[:-1])) + x[0]*x[3]", "--at", "x=[0.1,-0.3,0.7,1.2,-0.5,0.4,0.9]"}},
		{"mlp", mlp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hess struct {
				Hessian     [][]float64
				Eigenvalues []float64
			}
			runJSON(t, &hess, append([]string{"hess", "--json"}, tc.args...)...)
			n := len(hess.Eigenvalues)
			require.Positive(t, n)
			want := slices.Clone(hess.Eigenvalues)
			slices.Reverse(want)
			var spec struct {
				N           int
				Eigenvalues []float64
				Residuals   []float64
				Trace       struct{ Value, Stderr float64 }
			}
			runJSON(t, &spec, append([]string{"spectrum", "--json", "--top", strconv.Itoa(n)}, tc.args...)...)
			assert.Equal(t, n, spec.N)
			require.Len(t, spec.Eigenvalues, n)
			for i := range want {
				assert.InDelta(t, want[i], spec.Eigenvalues[i], 1e-8, "eigenvalue %d", i)
			}
			trace := 0.0
			for i, row := range hess.Hessian {
				trace += row[i]
			}
			assert.InDelta(t, trace, spec.Trace.Value, 3*spec.Trace.Stderr+1e-12, "trace %g ± %g, want %g", spec.Trace.Value, spec.Trace.Stderr, trace)
			assert.InDelta(t, floats.Sum(want), trace, 1e-9*max(1, floats.Norm(want, 2)))
		})
	}
}

// runJSON runs nabla with args and decodes its JSON output into v.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(args, nil, &stdout, &stderr)
	require.Equal(t, exitOK, status, "nabla %v: %s", args, stderr.String())
	require.NoError(t, json.Unmarshal(stdout.Bytes(), v))
}
