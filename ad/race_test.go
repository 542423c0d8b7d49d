//go:build race

package ad

// raceEnabled is set under the race detector, where sync.Pool drops items
// at random and so allocation counts are not meaningful.
const raceEnabled = true
