package par

import (
	"errors"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForCallsEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000} {
		calls := make([]atomic.Int32, n)
		var scratches atomic.Int32
		err := For(n, func() []float64 {
			scratches.Add(1)
			return make([]float64, 1)
		}, func(k int, s []float64) error {
			s[0] = float64(k) // the race detector fails the test if two goroutines share s
			calls[k].Add(1)
			return nil
		})
		require.NoError(t, err)
		for k := range calls {
			assert.Equal(t, int32(1), calls[k].Load(), "n = %d, k = %d", n, k)
		}
		assert.LessOrEqual(t, int(scratches.Load()), min(n, runtime.GOMAXPROCS(0)), "n = %d", n)
	}
}

func TestForStopsAtTheFirstError(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	broken := errors.New("broken")
	var calls int
	err := For(100, Floats(2), func(k int, _ []float64) error {
		calls++
		if k == 3 {
			return broken
		}
		return nil
	})
	assert.ErrorIs(t, err, broken)
	assert.Equal(t, 4, calls, "no index after the failing one")
}

func TestForReturnsAnErrorOnAllCPUs(t *testing.T) {
	broken := errors.New("broken")
	var calls atomic.Int32
	err := For(1000, Floats(0), func(k int, _ []float64) error {
		calls.Add(1)
		if k%10 == 0 {
			return broken
		}
		return nil
	})
	assert.ErrorIs(t, err, broken)
	assert.Less(t, int(calls.Load()), 1000)
}

func TestFloats(t *testing.T) {
	a, b := Floats(3)(), Floats(3)()
	assert.Len(t, a, 3)
	a[0] = 1
	assert.Zero(t, b[0], "each call makes a new buffer")
}
