package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scalars writes the sum of the squares of n scalar variables x0 … x(n-1)
// and the point where each is 1, and returns their files.
func scalars(t *testing.T, n int) (src, point string) {
	t.Helper()
	terms := make([]string, n)
	at := make([]string, n)
	for i := range n {
		terms[i] = fmt.Sprintf("x%d^2", i)
		at[i] = fmt.Sprintf(`"x%d": 1`, i)
	}
	dir := t.TempDir()
	src, point = filepath.Join(dir, "f.nabla"), filepath.Join(dir, "point.json")
	require.NoError(t, os.WriteFile(src, []byte(strings.Join(terms, " + ")), 0o644))
	require.NoError(t, os.WriteFile(point, []byte("{"+strings.Join(at, ", ")+"}"), 0o644))
	return src, point
}

// TestManyScalars bounds the time and the output of the commands on
// functions of many scalar variables: human output is short, --json prints
// every variable, and both take time linear in the variables. The time
// bound is generous, so that a machine busy with other work passes;
// output padded to the width of the signature, or points looked up by
// name, take minutes here.
func TestManyScalars(t *testing.T) {
	if testing.Short() {
		t.Skip("builds functions of 20 000 variables")
	}
	tests := []struct {
		n       int
		args    []string
		status  int
		maxOut  int // bytes of standard output
		maxErr  int // bytes of standard error
		contain string
	}{
		{10000, []string{"grad"}, exitOK, 2000, 0, "(10000 variables; --json prints every one)"},
		{10000, []string{"optimize", "--method", "gd", "--lr", "0.25", "--iters", "2"}, exitOK, 2000, 0, "(10000 variables; --json prints every one)"},
		{10000, []string{"jvp", "--dir", "x0=1"}, exitOK, 2000, 0, "(x0: 1, x1: 0, x2: 0, x3: 0, x4: 0, x5: 0, x6: 0, …, x9998: 0, x9999: 0)"},
		{20000, []string{"grad", "--json"}, exitOK, 20000*len(`"x19999":2,`) + 100, 0, `"x19999":2}`},
		// One step of gd with η = 1/2 to the minimum, 0.
		{20000, []string{"optimize", "--method", "gd", "--lr", "0.5", "--iters", "1", "--json"}, exitOK, 20000*len(`"x19999":0,`) + 500, 0, `"x19999":0}`},
		{10000, []string{"eval", "--at", "x0=1"}, exitUsage, 0, 200, "no value for the 9999 variables x1, x2"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			src, point := scalars(t, tt.n)
			args := append([]string{tt.args[0], "-f", src}, tt.args[1:]...)
			if tt.status == exitOK {
				args = append(args, "--at-file", point)
			}
			var stdout, stderr bytes.Buffer
			start := time.Now()
			status := run(args, nil, &stdout, &stderr)
			elapsed := time.Since(start)
			require.Equal(t, tt.status, status, stderr.String())
			assert.Less(t, elapsed, 30*time.Second)
			assert.LessOrEqual(t, stdout.Len(), tt.maxOut)
			assert.LessOrEqual(t, stderr.Len(), tt.maxErr)
			// Not assert.Contains, which would print all of a long output.
			out := stdout.String() + stderr.String()
			assert.True(t, strings.Contains(out, tt.contain), "the output does not contain %q; it ends %q", tt.contain, out[max(0, len(out)-200):])
		})
	}
}
