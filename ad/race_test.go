//go:build race

package ad

// raceEnabled reports a -race build, whose sync.Pool drops what is put
// back at random, so that pooled buffers allocate now and then.
const raceEnabled = true
