package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls body(k, s) for every k in [0, n), on one goroutine per CPU (at
// most n of them). Each goroutine makes its scratch s once, with scratch,
// and passes it to every body it calls, so that a body can reuse buffers
// without sharing them. Once a body returns an error no goroutine starts
// another k, and For returns the first error.
func For[S any](n int, scratch func() S, body func(k int, s S) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	var (
		next   atomic.Int64
		failed atomic.Bool
		once   sync.Once
		first  error
		wg     sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			s := scratch()
			for !failed.Load() {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				if err := body(k, s); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return first
}

// Floats returns a scratch function for For that makes a buffer of n
// float64s.
func Floats(n int) func() []float64 {
	return func() []float64 { return make([]float64, n) }
}
