package viz

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/plot"
)

func labels(ticks []plot.Tick) []string {
	var ls []string
	for _, t := range ticks {
		if t.Label != "" {
			ls = append(ls, t.Label)
		}
	}
	return ls
}

func TestLinearTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     []string
	}{
		{-2, 2, []string{"-2.0", "-1.5", "-1.0", "-0.5", "0.0", "0.5", "1.0", "1.5", "2.0"}},
		{0, 1.02, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-1.5, 1.5, []string{"-1.5", "-1.0", "-0.5", "0.0", "0.5", "1.0", "1.5"}},
		{0, 2400, []string{"0", "500", "1000", "1500", "2000"}},
		{0.3, 0.7, []string{"0.30", "0.35", "0.40", "0.45", "0.50", "0.55", "0.60", "0.65", "0.70"}},
		{-1, 9, []string{"0", "2", "4", "6", "8"}},
		{0, 0.05, []string{"0.00", "0.01", "0.02", "0.03", "0.04", "0.05"}},
	} {
		ticks := linearTicks.Ticks(tc.min, tc.max)
		assert.Equal(t, tc.want, labels(ticks), "%g to %g", tc.min, tc.max)
		assert.Greater(t, len(ticks), len(tc.want), "unlabelled ticks between the labels")
		for _, tk := range ticks {
			assert.True(t, tk.Value >= tc.min-1e-12 && tk.Value <= tc.max+1e-12, "%g outside [%g, %g]", tk.Value, tc.min, tc.max)
		}
	}
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     []string
	}{
		// A step sweep: every other power, as powers.
		{1e-15, 1e-1, []string{"1e-14", "1e-12", "1e-10", "1e-8", "1e-6", "1e-4", "1e-2"}},
		// A performance profile: decimals.
		{1, 4000, []string{"1", "10", "100", "1000"}},
		{0.02, 50, []string{"0.1", "1", "10"}},
		{1e-3, 1e5, []string{"1e-3", "1e-2", "1e-1", "1e0", "1e1", "1e2", "1e3", "1e4", "1e5"}},
	} {
		assert.Equal(t, tc.want, labels(logTicks.Ticks(tc.min, tc.max)), "%g to %g", tc.min, tc.max)
	}
}
