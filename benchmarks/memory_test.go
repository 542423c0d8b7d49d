package benchmarks

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// gradientHeap returns the peak heap of a gradient of n variables as a
// multiple of the least any gradient needs: x and g, 2n float64s. setup
// builds the function and run computes its first gradient. Measured from a
// collected heap, the figure counts what setup keeps (program, constants,
// x when setup makes it) and everything run allocates, with the collector
// off so that nothing run allocates is freed: the heap it leaves allocated
// (MemStats.HeapAlloc) is at least its peak, and the peak of every later
// run, since runs allocate nothing in steady state. The garbage of setup
// is collected before run and not counted: it is the cost of building,
// not of the gradient.
func gradientHeap(n int, setup, run func()) float64 {
	return float64(peakHeap(setup, run)) / (16 * float64(n))
}

// peakHeap returns the peak heap in bytes of what setup keeps and run
// allocates, as gradientHeap measures it.
func peakHeap(setup, run func()) uint64 {
	var before, after runtime.MemStats
	// Two collections: what a sync.Pool holds survives the first in its
	// victim cache, and would be freed while setup runs.
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	setup()
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	run()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - before.HeapAlloc
}

// adGradient compiles the value and gradient of the extended Rosenbrock
// function of n variables as a Program of package ad and runs it once on a
// new workspace at startPoint(n), measuring the peak heap of the run
// (gradientHeap). The gradient is output 1 of ws.
func adGradient(n int) (p *ad.Program, ws *ad.Workspace, in [][]float64, peak float64, err error) {
	peak = gradientHeap(n, func() {
		g := ad.NewGraph()
		f, x := extRosenbrock(g, n)
		var grad []ad.Node
		if grad, err = g.Grad(f, x); err == nil {
			p, err = g.Compile(f, grad[0])
		}
	}, func() {
		if err == nil {
			ws, in = p.NewWorkspace(), [][]float64{startPoint(n)}
			err = p.Run(ws, in)
		}
	})
	return p, ws, in, peak, err
}

// exprGradient compiles the catalogue's chained_rosenbrock problem for n
// variables and its derivatives, and computes its gradient once at the
// problem's start x into grad, measuring the peak heap of the call
// (gradientHeap).
func exprGradient(n int) (f *expr.Func, x, grad []float64, peak float64, err error) {
	prob, err := Load("chained_rosenbrock")
	if err != nil {
		return nil, nil, nil, 0, err
	}
	peak = gradientHeap(n, func() {
		if f, x, err = prob.Func(n); err == nil {
			err = f.Precompile()
		}
	}, func() {
		if err == nil {
			grad = make([]float64, n)
			_, err = f.Grad(x, grad)
		}
	})
	return f, x, grad, peak, err
}

// TestGradientMemory bounds the peak heap of the gradient of the extended
// Rosenbrock function of a million variables, as a multiple of x and g
// (gradientHeap). The program needs no vector but g, so its bound is a
// quarter of x and g above the minimum of 1; the expr.Func's fails on two
// more vectors of n than it holds today.
func TestGradientMemory(t *testing.T) {
	const n = 1000000
	_, _, _, adPeak, err := adGradient(n)
	require.NoError(t, err)
	_, _, _, exprPeak, err := exprGradient(n)
	require.NoError(t, err)
	t.Logf("peak heap / (x + g): ad %.2f, expr %.2f", adPeak, exprPeak)
	assert.GreaterOrEqual(t, adPeak, 1.0)
	assert.LessOrEqual(t, adPeak, 1.25)
	assert.GreaterOrEqual(t, exprPeak, 1.0)
	assert.LessOrEqual(t, exprPeak, 2.5)
}
