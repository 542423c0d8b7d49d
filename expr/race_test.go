//go:build race

package expr

// raceEnabled is set under the race detector, where sync.Pool drops items
// at random and so allocation counts are not meaningful.
const raceEnabled = true
