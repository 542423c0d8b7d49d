package viz

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// A Scale says how contour levels are spaced.
type Scale int

const (
	// AutoScale chooses LogScale when most values crowd the low end of their
	// range, as for the Rosenbrock function, and LinearScale otherwise.
	AutoScale Scale = iota
	// LinearScale spaces the levels evenly in f.
	LinearScale
	// LogScale spaces the levels evenly in log(f − min f + c), with c a
	// small offset, so that levels crowd the minimum where the valleys are.
	LogScale
)

func (s Scale) String() string {
	switch s {
	case AutoScale:
		return "auto"
	case LinearScale:
		return "linear"
	case LogScale:
		return "log"
	}
	return fmt.Sprintf("Scale(%d)", int(s))
}

// ParseScale parses "auto", "linear" or "log".
func ParseScale(s string) (Scale, error) {
	for _, v := range []Scale{AutoScale, LinearScale, LogScale} {
		if s == v.String() {
			return v, nil
		}
	}
	return 0, fmt.Errorf("scale %q: want auto, linear or log", s)
}

// A levelMap maps function values to the coordinate the contour colours and
// the colour bar are laid out in: the identity for LinearScale, a shifted
// logarithm for LogScale. It is increasing, so contours of the mapped values
// at mapped levels are the contours of the values.
type levelMap struct {
	scale Scale
	shift float64 // for LogScale: t = log10(z - shift)
}

func (m levelMap) to(z float64) float64 {
	if m.scale == LogScale {
		return math.Log10(z - m.shift)
	}
	return z
}

// DefaultLevels is the number of contour levels when none is given.
const DefaultLevels = 14

// Levels returns n contour levels for the finite values of s, spaced as
// scale says, and the scale it used (AutoScale resolved).
func Levels(s *Surface, n int, scale Scale) ([]float64, Scale, error) {
	levels, m, err := autoLevels(s, n, scale)
	return levels, m.scale, err
}

func autoLevels(s *Surface, n int, scale Scale) ([]float64, levelMap, error) {
	if n < 1 {
		return nil, levelMap{}, fmt.Errorf("%d contour levels: want at least one", n)
	}
	lo, hi, ok := s.Range()
	if !ok {
		return nil, levelMap{}, fmt.Errorf("the function is not finite anywhere on the grid")
	}
	if lo == hi {
		return nil, levelMap{}, fmt.Errorf("the function is constant (%g) on the grid: there are no contours", lo)
	}
	span := hi - lo
	var above []float64 // values above the minimum, sorted
	for _, v := range s.Values {
		if !math.IsNaN(v) {
			above = append(above, v-lo)
		}
	}
	slices.Sort(above)
	median := stat.Quantile(0.5, stat.Empirical, above, nil)
	if scale == AutoScale {
		scale = LinearScale
		if median < span/10 {
			scale = LogScale
		}
	}
	if scale == LinearScale {
		return linearLevels(lo, hi, n), levelMap{scale: LinearScale}, nil
	}
	// The lowest level sits among the smallest values on the grid, the
	// highest near the top of the range, and the offset keeps the
	// logarithm finite at the minimum.
	first := math.Max(stat.Quantile(0.005, stat.Empirical, above, nil), span*1e-9)
	if first >= 0.5*span {
		first = span * 1e-3
	}
	return logLevels(lo, first, 0.9*span, n), levelMap{scale: LogScale, shift: lo - first/2}, nil
}

// linearLevels returns about n levels strictly between lo and hi at the
// multiples of a round step (1, 2, 2.5 or 5 times a power of ten).
func linearLevels(lo, hi float64, n int) []float64 {
	raw := (hi - lo) / float64(n)
	step := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*step >= raw {
			step *= m
			break
		}
	}
	var levels []float64
	for k := math.Floor(lo/step) + 1; k*step < hi; k++ {
		levels = append(levels, k*step)
	}
	if len(levels) < 2 {
		levels = levels[:0]
		for k := range n {
			levels = append(levels, lo+(hi-lo)*float64(k+1)/float64(n+1))
		}
	}
	return levels
}

// logLevels returns about n levels lo + d for round distances d (1, 2, 5
// or 1, 3 times powers of ten, or powers of ten) from first to last. When lo
// is a small non-negative number, the levels themselves are round.
func logLevels(lo, first, last float64, n int) []float64 {
	base := lo
	if lo >= 0 && lo < first {
		base = 0
	}
	decades := math.Log10(last / first)
	mantissas, every := []float64{1}, 1
	switch {
	case 3*decades <= float64(n)+2:
		mantissas = []float64{1, 2, 5}
	case 2*decades <= float64(n)+2:
		mantissas = []float64{1, 3}
	case decades > float64(n)+2:
		every = int(math.Ceil(decades / float64(n)))
	}
	var levels []float64
	for e := int(math.Floor(math.Log10(first))); e <= int(math.Ceil(math.Log10(last))); e += every {
		for _, m := range mantissas {
			d := m * math.Pow(10, float64(e))
			if d >= first*(1-1e-9) && d <= last && base+d > lo {
				levels = append(levels, base+d)
			}
		}
	}
	return levels
}

// userLevels checks levels given by the user and chooses how to colour them.
func userLevels(s *Surface, levels []float64, scale Scale) ([]float64, levelMap, error) {
	levels = slices.Clone(levels)
	slices.Sort(levels)
	levels = slices.Compact(levels)
	for _, l := range levels {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return nil, levelMap{}, fmt.Errorf("contour level %g is not finite", l)
		}
	}
	lo, _, ok := s.Range()
	if !ok {
		return nil, levelMap{}, fmt.Errorf("the function is not finite anywhere on the grid")
	}
	lo = math.Min(lo, levels[0])
	m := levelMap{scale: LinearScale}
	if scale == LogScale || scale == AutoScale && len(levels) > 2 && levels[len(levels)-1]-lo > 100*(levels[1]-lo) {
		// Colour by log distance above the lowest of the values and levels.
		gap := levels[0] - lo
		if gap <= 0 && len(levels) > 1 {
			gap = levels[1] - levels[0]
		}
		if gap <= 0 {
			gap = 1
		}
		m = levelMap{scale: LogScale, shift: lo - gap/2}
	}
	return levels, m, nil
}
