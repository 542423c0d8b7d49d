//go:build race

package gemm

// raceEnabled reports a -race build, whose sync.Pool drops what is put
// back at random, so that the packing buffers allocate now and then.
const raceEnabled = true
