package ad

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPowFastPaths checks that pow's special exponents give math.Pow's bits
// for results above the subnormals, where its squarings round as a
// product does.
func TestPowFastPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, b := range []float64{1, 2, 3, 4} {
		for range 100000 {
			a := math.Ldexp(r.Float64()-0.5, r.IntN(300)-150)
			want := math.Pow(a, b)
			if want != 0 && math.Abs(want) < 0x1p-1022 {
				continue
			}
			if got := pow(a, b); math.Float64bits(got) != math.Float64bits(want) {
				assert.Failf(t, "pow differs from math.Pow", "pow(%v, %v) = %v, math.Pow gives %v", a, b, got, want)
				return
			}
		}
	}
}
