package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLimitsRefusedEarly runs requests beyond the limits on work: each is
// refused with exit status 2 before the work starts, in well under a
// second and a few megabytes. Without the limits each of them takes
// seconds and hundreds of megabytes, or much more.
func TestLimitsRefusedEarly(t *testing.T) {
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"check", "-e", "sum(x^2)", "--at", "x=0*3000"}, "of at most 1000 variables"},
		{[]string{"check", "-e", "sum(x^2)", "--at", "x=0*300", "--order", "2"}, "--order 2 compares every Hessian entry"},
		{[]string{"check", "-e", "x^2", "--at", "x=1", "--directions", "100000"}, "--directions must be at most 100"},
		{[]string{"hess", "-e", "sum(x^2)", "--at", "x=0*2000"}, "as a matrix for at most 12 variables"},
		{[]string{"hess", "-e", "sum(x^2)", "--at", "x=0*5000", "--json"}, "hess prints the Hessian of at most 2000 variables"},
		// A linear function never converges: every iteration runs.
		{[]string{"optimize", "-e", "x", "--at", "x=0", "--method", "gd", "--iters", "1000000", "--trace"}, "--trace keeps every iterate"},
		{[]string{"spectrum", "-e", "x*y", "--at", "x=1,y=1", "--top", "1000"}, "--top 1000: want 1 to 100"},
		{[]string{"spectrum", "-e", "sum(x^2)", "--at", "x=0*600000", "--density", "--density-steps", "100"}, "more than the 50000000 numbers a Lanczos basis may keep"},
		{[]string{"plot", "-e", "x + y", "--at", "x=0,y=0", "--path", "gd", "--iters", "1000000", "-o", t.TempDir() + "/p.svg"}, "--path keeps every iterate"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:min(len(tt.args), 5)], " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			status := run(tt.args, nil, &stdout, &stderr)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			require.Equal(t, exitUsage, status, stderr.String())
			assert.Contains(t, stderr.String(), tt.err)
			assert.Empty(t, stdout.String())
			assert.Less(t, elapsed, time.Second)
			// TotalAlloc only grows, so it bounds the peak from above.
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated")
		})
	}
}
