//go:build !race

package ad

const raceEnabled = false
