package ad

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// rosenbrockHessian is the closed-form Hessian of extendedRosenbrock at x.
func rosenbrockHessian(x []float64) *mat.SymDense {
	n := len(x)
	h := mat.NewSymDense(n, nil)
	for i := range n - 1 {
		h.SetSym(i, i, h.At(i, i)+1200*x[i]*x[i]-400*x[i+1]+2)
		h.SetSym(i+1, i+1, h.At(i+1, i+1)+200)
		h.SetSym(i, i+1, -400*x[i])
	}
	return h
}

// hessianPoint is a point of n variables where no Hessian entry is zero by
// accident.
func hessianPoint(n int, shift float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5 + float64(i%3)/4 - shift
	}
	return x
}

func TestHessianByHVPAllocatesNothing(t *testing.T) {
	n := symbolicHessianLimit + 4
	f := extendedRosenbrock(t, n)
	x := hessianPoint(n, 0)
	var h mat.SymDense
	run := func() { require.NoError(t, f.Hessian(x, &h)) }
	run()
	assert.Zero(t, testing.AllocsPerRun(100, run))
	runtime.GC()
	assert.Zero(t, testing.AllocsPerRun(100, run), "after GC")
	assert.True(t, mat.EqualApprox(rosenbrockHessian(x), &h, 1e-9), "%v", mat.Formatted(&h))
}

func TestHessianByHVPConcurrentUse(t *testing.T) {
	n := symbolicHessianLimit + 4
	f := extendedRosenbrock(t, n)
	var wg sync.WaitGroup
	for k := range 8 {
		wg.Go(func() {
			x := hessianPoint(n, float64(k)/8)
			want := rosenbrockHessian(x)
			var h mat.SymDense
			for range 50 {
				if !assert.NoError(t, f.Hessian(x, &h)) {
					return
				}
				assert.True(t, mat.EqualApprox(want, &h, 1e-9), "%v", mat.Formatted(&h))
			}
		})
	}
	wg.Wait()
}
