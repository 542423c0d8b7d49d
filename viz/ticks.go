package viz

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// maxLabels is the most labelled ticks an axis gets; gonum/plot's default
// aims at three, which leaves a reader guessing the values in between.
const maxLabels = 9

// linearTicks labels a linear axis at round numbers, 1, 2, 2.5 or 5 times
// a power of ten apart, at most maxLabels of them, with unlabelled ticks
// between.
var linearTicks = plot.TickerFunc(func(low, high float64) []plot.Tick {
	if !(high > low) || math.IsInf(high-low, 0) {
		return plot.DefaultTicks{}.Ticks(low, high)
	}
	span := high - low
	e := int(math.Floor(math.Log10(span / maxLabels)))
	mag := math.Pow(10, float64(e))
	var step, minor float64
	decimals := -e
	for _, m := range []struct{ step, parts float64 }{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}, {10, 5}} {
		step, minor = m.step*mag, m.step*mag/m.parts
		if span/step < maxLabels {
			switch m.step {
			case 2.5:
				decimals++
			case 10:
				decimals--
			}
			break
		}
	}
	decimals = max(decimals, 0)
	var ticks []plot.Tick
	for k := math.Ceil(low/minor - 1e-9); k*minor <= high+1e-9*span; k++ {
		v := k * minor
		t := plot.Tick{Value: v}
		if n := v / step; math.Abs(n-math.Round(n)) < 1e-6 {
			v = math.Round(n) * step
			if v == 0 {
				v = 0 // not -0
			}
			t.Value, t.Label = v, strconv.FormatFloat(v, 'f', decimals, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
})

// logTicks labels a logarithmic axis at powers of ten, every one or every
// few so that at most maxLabels are labelled, with unlabelled ticks at the
// other powers and, over a few decades, at their multiples. Labels are
// decimals (0.01, 1, 1000) when every labelled power lies between 10⁻³ and
// 10³, powers (1e-12, 1e-8) otherwise.
var logTicks = plot.TickerFunc(func(low, high float64) []plot.Tick {
	if !(low > 0) || !(high > low) || math.IsInf(high, 0) {
		return plot.LogTicks{}.Ticks(low, high)
	}
	lo, hi := int(math.Floor(math.Log10(low)+1e-9)), int(math.Ceil(math.Log10(high)-1e-9))
	every := (hi - lo + maxLabels - 1) / maxLabels
	labelled := func(k int) bool { return ((k%every)+every)%every == 0 }
	inside := func(v float64) bool { return v >= low*(1-1e-9) && v <= high*(1+1e-9) }
	decimal := true
	for k := lo; k <= hi; k++ {
		if v := math.Pow(10, float64(k)); inside(v) && labelled(k) && (k < -3 || k > 3) {
			decimal = false
		}
	}
	var ticks []plot.Tick
	for k := lo; k <= hi; k++ {
		v := math.Pow(10, float64(k))
		if inside(v) {
			t := plot.Tick{Value: v}
			if labelled(k) {
				t.Label = powerLabel(k, decimal)
			}
			ticks = append(ticks, t)
		}
		if hi-lo <= 6 {
			for m := 2.0; m <= 9; m++ {
				if inside(m * v) {
					ticks = append(ticks, plot.Tick{Value: m * v})
				}
			}
		}
	}
	return ticks
})

// powerLabel writes 10^k as a decimal number or as 1e-8. (Superscript
// exponents would read better, but the plot's font lacks ⁰ and ⁻.)
func powerLabel(k int, decimal bool) string {
	if decimal {
		return strconv.FormatFloat(math.Pow(10, float64(k)), 'f', -1, 64)
	}
	return "1e" + strconv.Itoa(k)
}
