package benchmarks

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// TestGradientMemory measures the heap a workspace for the gradient of the
// extended Rosenbrock function takes, and the heap a run adds: together at
// most 12 vectors of n float64 (the bound), besides the input.
func TestGradientMemory(t *testing.T) {
	const n = 200000
	g := ad.NewGraph()
	f, x := extRosenbrock(g, n)
	grad, err := g.Grad(f, x)
	require.NoError(t, err)
	p, err := g.Compile(f, grad[0])
	require.NoError(t, err)
	in := [][]float64{startPoint(n)}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ws := p.NewWorkspace()
	require.NoError(t, p.Run(ws, in))
	runtime.ReadMemStats(&after)
	used := float64(after.TotalAlloc-before.TotalAlloc) / (8 * n)
	t.Logf("workspace and run: %.2f vectors of n; owned buffers: %.2f vectors", used, float64(p.BufferLen())/n)
	assert.LessOrEqual(t, used, 12.0)
	assert.LessOrEqual(t, p.BufferLen(), 12*n)
	runtime.KeepAlive(ws)
}
