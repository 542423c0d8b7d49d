package vmath

import (
	"flag"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var samples = flag.Int("vmath.samples", 5000, "random arguments per range checked against math/big")

// specials are the arguments where exp and tanh change behaviour.
var specials = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.Float64frombits(0x7ff8_dead_beef_0001), // a NaN with a payload
	math.Float64frombits(0xfff0_0000_0000_0001), // a negative signalling NaN
	math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0x1p-1022, -0x1p-1022,
	0x1p-60, -0x1p-60, 0x1p-28, 0x1p-27, 0x1p-26, -0x1p-27, 1e-10, -1e-10,
	0.5, 0.625, math.Nextafter(0.625, 0), math.Nextafter(0.625, 1), -0.625,
	math.Nextafter(-0.625, 0), math.Nextafter(-0.625, -1), 1, -1, 2, 19, 20, -20, 22,
	44.014845965556525, 44.02, -44.02, 100, -100, 355, 709, 709.782712893384,
	math.Nextafter(709.782712893384, 0), math.Nextafter(709.782712893384, 1000),
	709.79, 710, 711, -708.39641853226408, -708.4, -709, -744.4400719213812,
	-745.1332191019411, -745.1332191019412, -745.14, -746, -747, -1000, 1000,
	math.MaxFloat64, -math.MaxFloat64, math.Ln2 / 2, -math.Ln2 / 2, math.Ln2, 0.34657359027997264,
}

// randoms returns n arguments: uniform over [lo, hi] and, for a quarter of
// them, any bit pattern at all.
func randoms(r *rand.Rand, n int, lo, hi float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		if i%4 == 3 {
			x[i] = math.Float64frombits(r.Uint64())
		} else {
			x[i] = lo + (hi-lo)*r.Float64()
		}
	}
	return x
}

// TestSliceMatchesScalar checks that the slice kernels, whatever the
// length and so whatever part of them the assembly computes, give the
// scalar functions' bits.
func TestSliceMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name   string
		slice  func(dst, src []float64)
		scalar func(float64) float64
		lo, hi float64
	}{
		{"exp", Exp, Exp1, -750, 750},
		{"tanh", Tanh, Tanh1, -25, 25},
		{"tanh near 0", Tanh, Tanh1, -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := append(randoms(r, 1<<18, tt.lo, tt.hi), specials...)
			got := make([]float64, len(x))
			for _, n := range []int{len(x), len(x) - 1, 7, 5, 3, 1, 0} {
				clear(got)
				tt.slice(got[:n], x[:n])
				for i, v := range x[:n] {
					want := tt.scalar(v)
					if math.Float64bits(got[i]) != math.Float64bits(want) {
						require.Failf(t, "bits differ", "%s(%v) [%#x]: slice %v [%#x], scalar %v [%#x]", tt.name, v,
							math.Float64bits(v), got[i], math.Float64bits(got[i]), want, math.Float64bits(want))
					}
				}
			}
			// In place, as the interpreter may run it.
			y := append([]float64(nil), x...)
			tt.slice(y, y)
			for i := range x {
				require.Equal(t, math.Float64bits(tt.scalar(x[i])), math.Float64bits(y[i]), "%s(%v) in place", tt.name, x[i])
			}
		})
	}
}

func TestSpecialValues(t *testing.T) {
	nan := math.Float64frombits(0x7ff8_dead_beef_0001)
	negZero := math.Copysign(0, -1)
	tests := []struct {
		f       func(float64) float64
		x, want float64
	}{
		{Exp1, 0, 1},
		{Exp1, negZero, 1},
		{Exp1, 1, math.E},
		{Exp1, math.Inf(1), math.Inf(1)},
		{Exp1, math.Inf(-1), 0},
		{Exp1, nan, nan},
		{Exp1, 709.782712893384, 1.7976931348622732e308},
		{Exp1, 709.7827128933841, math.Inf(1)},
		{Exp1, 1000, math.Inf(1)},
		{Exp1, -744.4400719213812, math.SmallestNonzeroFloat64}, // ln(2^-1074)
		{Exp1, -745.1332191019411, math.SmallestNonzeroFloat64}, // just above ln(2^-1075)
		{Exp1, -745.1332191019412, 0},
		{Exp1, -1000, 0},
		{Exp1, 1e-300, 1},
		{Tanh1, 0, 0},
		{Tanh1, negZero, negZero},
		{Tanh1, 0x1p-30, 0x1p-30},
		{Tanh1, -math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64},
		{Tanh1, 20, 1},
		{Tanh1, -20, -1},
		{Tanh1, 1e300, 1},
		{Tanh1, math.Inf(1), 1},
		{Tanh1, math.Inf(-1), -1},
		{Tanh1, nan, nan},
		{Tanh1, -nan, -nan},
		{Tanh1, 1, 0.7615941559557649},
	}
	for _, tt := range tests {
		got := tt.f(tt.x)
		assert.Equal(t, math.Float64bits(tt.want), math.Float64bits(got), "f(%v) = %v, want %v", tt.x, got, tt.want)
	}
}

// TestAccuracy checks that the error is at most one ulp of the exact
// value, computed with math/big, on random arguments over the whole
// range and on the special ones.
func TestAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := *samples
	if testing.Short() {
		n /= 10
	}
	logUniform := func(n int, lo, hi float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Exp2(lo + (hi-lo)*r.Float64())
			if i%2 == 1 {
				x[i] = -x[i]
			}
		}
		return x
	}
	tests := []struct {
		name string
		f    func(dst, src []float64)
		ref  func(x float64) *big.Float
		x    []float64
	}{
		{"exp", Exp, bigExp, append(randoms(r, n, -746, 710), specials...)},
		{"exp near 0", Exp, bigExp, logUniform(n, -60, 0)},
		{"exp subnormal", Exp, bigExp, randoms(r, n, -746, -708)},
		{"tanh", Tanh, bigTanh, append(randoms(r, n, -20, 20), specials...)},
		{"tanh near 0", Tanh, bigTanh, randoms(r, n, -1, 1)},
		{"tanh small", Tanh, bigTanh, logUniform(n, -70, 5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]float64, len(tt.x))
			tt.f(got, tt.x)
			worst, at := 0.0, 0.0
			for i, x := range tt.x {
				if x != x {
					require.True(t, got[i] != got[i], "f(NaN) = %v", got[i])
					continue
				}
				e := ulps(got[i], tt.ref(x))
				if e > worst {
					worst, at = e, x
				}
			}
			t.Logf("%d arguments, worst error %.3f ulp at %v", len(tt.x), worst, at)
			assert.LessOrEqual(t, worst, 1.0, "at %v", at)
		})
	}
}

// ulps returns the distance of got from the exact value in units in the
// last place of the exact value rounded, 0 when both round to the same
// infinity and +Inf when got is infinite and the exact value is not.
func ulps(got float64, exact *big.Float) float64 {
	want, _ := exact.Float64()
	if math.IsInf(got, 0) || math.IsInf(want, 0) {
		if got == want {
			return 0
		}
		return math.Inf(1)
	}
	ulp := math.SmallestNonzeroFloat64
	if a := math.Abs(want); a >= 0x1p-1022 {
		// At a power of two this is the ulp above, the larger one.
		ulp = math.Nextafter(a, math.Inf(1)) - a
	}
	d := new(big.Float).SetPrec(refPrec).Sub(new(big.Float).SetFloat64(got), exact)
	f, _ := d.Quo(d.Abs(d), new(big.Float).SetFloat64(ulp)).Float64()
	return f
}

const refPrec = 320

// bigLn2 is ln 2 = 2·atanh(1/3) to refPrec bits.
var bigLn2 = func() *big.Float {
	third := new(big.Float).SetPrec(refPrec+20).Quo(big.NewFloat(1), big.NewFloat(3))
	ninth := new(big.Float).SetPrec(refPrec+20).Mul(third, third)
	sum := new(big.Float).SetPrec(refPrec + 20)
	pow := new(big.Float).SetPrec(refPrec + 20).Set(third)
	for k := 0; k < refPrec; k++ {
		term := new(big.Float).SetPrec(refPrec+20).Quo(pow, big.NewFloat(float64(2*k+1)))
		sum.Add(sum, term)
		pow.Mul(pow, ninth)
	}
	return sum.Mul(sum, big.NewFloat(2))
}()

// bigExpOf returns e^x to about refPrec bits: x = k·ln2 + r, and exp(r) as
// the 2^10th power of a Taylor series at r/2^10.
func bigExpOf(x *big.Float) *big.Float {
	xf, _ := x.Float64()
	k := math.Round(xf * math.Log2E)
	p := uint(refPrec + 40)
	r := new(big.Float).SetPrec(p).Mul(bigLn2, big.NewFloat(k))
	r.Sub(x, r)
	r.SetMantExp(r, -10)
	sum := new(big.Float).SetPrec(p).SetInt64(1)
	term := new(big.Float).SetPrec(p).SetInt64(1)
	for n := 1; n < 60; n++ {
		term.Mul(term, r)
		term.Quo(term, big.NewFloat(float64(n)))
		sum.Add(sum, term)
	}
	for range 10 {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}

func bigExp(x float64) *big.Float {
	if math.IsInf(x, 0) {
		if x > 0 {
			return new(big.Float).SetInf(false)
		}
		return new(big.Float)
	}
	if x > 720 {
		return new(big.Float).SetInf(false)
	}
	if x < -800 {
		x = -800 // e^x rounds to 0 all the same, and 2^k stays in range
	}
	return bigExpOf(new(big.Float).SetPrec(refPrec).SetFloat64(x))
}

// bigTanh is tanh(x) = (e^2x − 1)/(e^2x + 1), or x − x³/3 where that
// cancels too much and the rest is far below the last place.
func bigTanh(x float64) *big.Float {
	z := math.Abs(x)
	var y *big.Float
	switch {
	case z > 40:
		// 1 − tanh(z) < 2e^−2z < 2^−115 rounds to 1.
		y = new(big.Float).SetPrec(refPrec).SetInt64(1)
		y.Sub(y, new(big.Float).SetFloat64(0x1p-200))
	case z < 0x1p-40:
		zb := new(big.Float).SetPrec(refPrec).SetFloat64(z)
		c := new(big.Float).SetPrec(refPrec).Mul(zb, zb)
		c.Mul(c, zb)
		c.Quo(c, big.NewFloat(3))
		y = zb.Sub(zb, c)
	default:
		e := bigExpOf(new(big.Float).SetPrec(refPrec).SetFloat64(2 * z))
		num := new(big.Float).SetPrec(refPrec).Sub(e, big.NewFloat(1))
		den := new(big.Float).SetPrec(refPrec).Add(e, big.NewFloat(1))
		y = num.Quo(num, den)
	}
	if x < 0 {
		y.Neg(y)
	}
	return y
}

func ExampleExp() {
	x := []float64{0, 1, -1, 710, -746}
	y := make([]float64, len(x))
	Exp(y, x)
	fmt.Println(y)
	// Output: [1 2.718281828459045 0.36787944117144233 +Inf 0]
}

var sink float64

func BenchmarkExp(b *testing.B) {
	benchmark(b, Exp, math.Exp, -700, 700)
}

func BenchmarkTanh(b *testing.B) {
	benchmark(b, Tanh, math.Tanh, -5, 5)
}

// benchmark times the slice kernel and the math package's function over
// the same 1024 arguments, per element.
func benchmark(b *testing.B, slice func(dst, src []float64), scalar func(float64) float64, lo, hi float64) {
	r := rand.New(rand.NewPCG(5, 6))
	x := randoms(r, 1024, lo, hi)
	for i := 3; i < len(x); i += 4 {
		x[i] = lo + (hi-lo)*r.Float64()
	}
	y := make([]float64, len(x))
	b.Run("vmath", func(b *testing.B) {
		for b.Loop() {
			slice(y, x)
		}
		sink = y[0]
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = scalar(v)
			}
		}
		sink = y[0]
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
	})
}
