package ad

import (
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// jacobianCases are a function with more values than variables, which
// takes forward passes, and one with fewer, which takes reverse passes,
// with their Jacobians at x = (a, b).
func jacobianCases(t *testing.T) []struct {
	name string
	f    *VectorFunc
	want func(a, b float64) []float64
} {
	b := NewBuilder()
	x := b.Var("x", Vector(2))
	tall, err := b.VectorFunc(b.Concat(b.Sin(x), b.Mul(x, x), b.Sum(x)))
	require.NoError(t, err)
	wide, err := b.VectorFunc(b.Sum(b.Mul(x, x)))
	require.NoError(t, err)
	return []struct {
		name string
		f    *VectorFunc
		want func(a, b float64) []float64
	}{
		{"forward", tall, func(a, b float64) []float64 {
			return []float64{math.Cos(a), 0, 0, math.Cos(b), 2 * a, 0, 0, 2 * b, 1, 1}
		}},
		{"reverse", wide, func(a, b float64) []float64 { return []float64{2 * a, 2 * b} }},
	}
}

func TestVectorFuncJacobianAllocatesNothing(t *testing.T) {
	for _, c := range jacobianCases(t) {
		x, y := []float64{0.5, 2}, make([]float64, c.f.Len())
		var jac mat.Dense
		run := func() { require.NoError(t, c.f.Jacobian(x, y, &jac)) }
		run()
		assert.Zero(t, testing.AllocsPerRun(100, run), c.name)
		runtime.GC()
		assert.Zero(t, testing.AllocsPerRun(100, run), c.name+" after GC")
		assert.InDeltaSlice(t, c.want(0.5, 2), jac.RawMatrix().Data, 1e-15, c.name)
	}
}

func TestVectorFuncJacobianConcurrentUse(t *testing.T) {
	for _, c := range jacobianCases(t) {
		var wg sync.WaitGroup
		for k := range 8 {
			wg.Go(func() {
				x, y := []float64{float64(k) / 8, 0.25 - float64(k)}, make([]float64, c.f.Len())
				var jac mat.Dense
				for range 50 {
					if !assert.NoError(t, c.f.Jacobian(x, y, &jac)) {
						return
					}
					assert.InDeltaSlice(t, c.want(x[0], x[1]), jac.RawMatrix().Data, 1e-15, c.name)
				}
			})
		}
		wg.Wait()
	}
}
