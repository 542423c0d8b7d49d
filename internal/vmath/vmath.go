package vmath

import "math"

// The reduction exp(x) = 2^k · exp(r), x = k·ln2 + r, |r| ≤ ln2/2.
const (
	// expLo and expHi bound the arguments that need computing: below
	// expLo exp rounds to 0 and above expHi it overflows, and the
	// computation gives both at the bounds themselves.
	expLo = -746
	expHi = 710
	// shift is 1.5·2^52: x·log2(e) + shift has round(x·log2(e)) in its
	// low bits, rounded to even.
	shift = 0x1.8p52
	// ln2Hi ends in 21 zero bits, so that x − k·ln2Hi is exact for every
	// k of the range (|k| < 2^11); ln2Lo is the rest of ln2.
	ln2Hi = 6.93147180369123816490e-01
	ln2Lo = 1.90821492927058770002e-10
	// bias is the exponent bias of a float64.
	bias = 1023
)

// expC are the Taylor coefficients 1/n! of exp(r) for n = 2 … 13: on
// |r| ≤ ln2/2 the first term left out is below 2^-57 relative.
var expC = [12]float64{
	1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
	1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
	1.0 / 479001600, 1.0 / 6227020800,
}

// tanhP and tanhQ are the rational approximation of tanh near 0 that
// math.Tanh takes from Cephes: tanh(x) = x + x·s·P(s)/Q(s), s = x², for
// |x| < 0.625.
var (
	tanhP = [3]float64{
		-9.64399179425052238628e-1,
		-9.92877231001918586564e1,
		-1.61468768441708447952e3,
	}
	tanhQ = [3]float64{
		1.12811678491632931402e2,
		2.23548839060100448583e3,
		4.84406305325125486048e3,
	}
)

// tanhSplit is where tanh switches from the rational function to exp;
// from tanhMax on, tanh rounds to 1 and exp(2·tanhMax) is finite.
const (
	tanhSplit = 0.625
	tanhMax   = 22
)

// Exp1 returns eˣ, the same bits as Exp computes for x in a slice.
//
// Here and in Tanh1, a product that a sum takes is converted to float64,
// which keeps the compiler from fusing the two (as it does for GOAMD64=v3)
// where the assembly rounds each.
func Exp1(x float64) float64 {
	// The comparisons leave NaN as it is, as the assembly's min and max do.
	if x < expLo {
		x = expLo
	} else if x > expHi {
		x = expHi
	}
	t := math.FMA(x, math.Log2E, shift)
	kd := t - shift
	// r = rHi + rLo: the final sum keeps the low part of r and the
	// rounding error of 1 + r, which would otherwise cost up to 0.3 ulp.
	rHi := math.FMA(kd, -ln2Hi, x) // exact
	c := float64(kd * -ln2Lo)
	r := rHi + c
	rLo := rHi - r + c
	// 2^k is applied as 2^k1 · 2^k2, each a normal number, so that the
	// first product is exact and the second rounds once, also to a
	// subnormal result or to +Inf.
	t1 := math.FMA(kd, 0.5, shift)
	s1 := math.Float64frombits((math.Float64bits(t1) + bias) << 52)
	s2 := math.Float64frombits((math.Float64bits(t) - math.Float64bits(t1) + bias) << 52)
	r2 := r * r
	r4 := r2 * r2
	q2 := math.FMA(math.FMA(expC[11], r, expC[10]), r2, math.FMA(expC[9], r, expC[8]))
	q1 := math.FMA(math.FMA(expC[7], r, expC[6]), r2, math.FMA(expC[5], r, expC[4]))
	q0 := math.FMA(math.FMA(expC[3], r, expC[2]), r2, math.FMA(expC[1], r, expC[0]))
	q := math.FMA(math.FMA(q2, r4, q1), r4, q0)
	h := 1 + r
	e := 1 - h + r
	y := h + (e + math.FMA(q, r2, rLo))
	return float64(y * s1 * s2)
}

// Tanh1 returns the hyperbolic tangent of x, the same bits as Tanh
// computes for x in a slice.
func Tanh1(x float64) float64 {
	// tanh is odd: it is computed for |x| and given x's sign, which keeps
	// the sign of zero.
	z := math.Abs(x)
	if z > tanhMax {
		z = tanhMax
	}
	var y float64
	if z < tanhSplit {
		s := float64(z * z)
		p := math.FMA(math.FMA(tanhP[0], s, tanhP[1]), s, tanhP[2])
		q := math.FMA(math.FMA(s+tanhQ[0], s, tanhQ[1]), s, tanhQ[2])
		y = math.FMA(z*s, p/q, z)
	} else {
		// 1 − 2/(e + 1), e = exp(2z), carrying the rounding errors of
		// e + 1, of the quotient and of the difference, which would
		// otherwise cost up to 0.7 ulp.
		e := Exp1(z + z)
		d := e + 1
		dLo := 1 - (d - e)
		q := 2 / d
		rem := math.FMA(-q, d, 2) // exact
		corr := float64(math.FMA(-q, dLo, rem) * q * 0.5)
		hi := 1 - q
		lo := 1 - hi - q
		y = hi + (lo - corr)
	}
	return math.Float64frombits(math.Float64bits(y) | math.Float64bits(x)&(1<<63))
}

// Exp sets dst[i] = eˣ for x = src[i], for every element of dst; src must
// be at least as long as dst.
func Exp(dst, src []float64) {
	src = src[:len(dst)]
	for i := expVec(dst, src); i < len(dst); i++ {
		dst[i] = Exp1(src[i])
	}
}

// Tanh sets dst[i] = tanh(src[i]) for every element of dst; src must be at
// least as long as dst.
func Tanh(dst, src []float64) {
	src = src[:len(dst)]
	for i := tanhVec(dst, src); i < len(dst); i++ {
		dst[i] = Tanh1(src[i])
	}
}
