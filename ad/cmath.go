package ad

import (
	"math"
	"math/cmplx"
)

// Complex forms of the elementwise functions that math/cmplx lacks, or
// computes with too little accuracy for complex-step differentiation: at
// z = x + ih with h tiny (1e-20), f(z) = f(x) + ih·f'(x) + O(h²), so the
// imaginary part must be accurate relative to h itself. Where the textbook
// formula cancels (asin(z) = -i·log(iz + √(1-z²)) has a logarithm of a
// number within h of modulus 1), these use formulations that do not. None
// uses the op's derivative: the complex-step check stays independent of the
// derivative rules it checks.

// casin is the principal arcsine, by the method of Hull, Fairgrieve and
// Tang ("Implementing the complex arcsine and arccosine functions using
// exception handling", ACM TOMS 23(3), 1997). With r = |z+1|, s = |z-1| and
// A = (r+s)/2, the imaginary part is log(A + √(A²-1)), and A-1 is computed
// from r-(1+x) and s-(1-x) without cancellation.
func casin(z complex128) complex128 {
	x, y := math.Abs(real(z)), math.Abs(imag(z))
	c, im := arcParts(x, y)
	return complex(math.Copysign(math.Atan2(x, c), real(z)), math.Copysign(im, imag(z)))
}

// cacos is the principal arccosine, by the same method as casin.
func cacos(z complex128) complex128 {
	x, y := math.Abs(real(z)), math.Abs(imag(z))
	c, im := arcParts(x, y)
	re := math.Atan2(c, x)
	if math.Signbit(real(z)) {
		re = math.Pi - re
	}
	if !math.Signbit(imag(z)) {
		im = -im
	}
	return complex(re, im)
}

// arcParts returns, for x, y ≥ 0, the quantities casin and cacos share:
// c = A·√(1-B²) with A = (|z+1| + |z-1|)/2 and B = x/A, so that the real
// part of asin(x+iy) is atan2(x, c) and that of acos(x+iy) is atan2(c, x);
// and log(A + √(A²-1)), the magnitude of their imaginary parts.
func arcParts(x, y float64) (c, im float64) {
	r, s := math.Hypot(x+1, y), math.Hypot(x-1, y)
	a := (r + s) / 2
	if x <= 1 {
		c = math.Sqrt((a + x) / 2 * (y*y/(r+x+1) + (s + (1 - x))))
	} else {
		c = y * math.Sqrt((a+x)/2*(1/(r+x+1)+1/(s+(x-1))))
	}
	if a > 1.5 {
		// A + √(A²-1) = A·(1 + √(1 - 1/A²)), which does not overflow.
		return c, math.Log(a) + math.Log1p(math.Sqrt((1-1/a)*(1+1/a)))
	}
	// A - 1 = ((r - (1+x)) + (s - |1-x|))/2, with r - (1+x) = y²/(r+1+x)
	// and, for x < 1, s - (1-x) = y²/(s+1-x). y² is factored out of the
	// square root so that it cannot underflow for the tiniest steps. 1-x
	// and x-1 are exact near 1; s + 1 - x would round s away.
	if x < 1 {
		h := (1/(r+x+1) + 1/(s+(1-x))) / 2
		return c, math.Log1p(y*y*h + y*math.Sqrt(h*(a+1)))
	}
	am1 := (y*y/(r+x+1) + (s + (x - 1))) / 2
	return c, math.Log1p(am1 + math.Sqrt(am1*(a+1)))
}

// catan is the principal arctangent by Kahan's formulas ("Branch cuts for
// complex elementary functions", 1987): atan(x+iy) has real part
// atan2(2x, 1-x²-y²)/2 and imaginary part log1p(4y/(x² + (1-y)²))/4, whose
// logarithm of a number near 1 is a log1p of a small one.
func catan(z complex128) complex128 {
	x, y := real(z), imag(z)
	re := math.Atan2(2*x, (1-x)*(1+x)-y*y) / 2
	im := math.Log1p(4*y/(x*x+(1-y)*(1-y))) / 4
	return complex(re, im)
}

// catan2 is atan2 continued analytically: atan(y/x), shifted onto atan2's
// branch by the real parts, which fix the quadrant.
func catan2(y, x complex128) complex128 {
	switch {
	case real(x) > 0:
		return catan(y / x)
	case real(x) < 0 && real(y) >= 0:
		return catan(y/x) + math.Pi
	case real(x) < 0:
		return catan(y/x) - math.Pi
	case real(y) > 0:
		return math.Pi/2 - catan(x/y)
	default:
		return -math.Pi/2 - catan(x/y)
	}
}

// clog1p is log(1+z), accurate for small z: its real part is
// log1p(2x + x² + y²)/2 there, its imaginary part atan2(y, 1+x).
func clog1p(z complex128) complex128 {
	x, y := real(z), imag(z)
	if cmplx.Abs(z) >= 0.5 {
		return cmplx.Log(1 + z)
	}
	return complex(math.Log1p(x*(2+x)+y*y)/2, math.Atan2(y, 1+x))
}

// cexpm1 is exp(z) - 1, accurate for small z: its real part is
// expm1(x)·cos(y) + (cos(y) - 1), with cos(y) - 1 = -2sin²(y/2).
func cexpm1(z complex128) complex128 {
	x, y := real(z), imag(z)
	s := math.Sin(y / 2)
	return complex(math.Expm1(x)*math.Cos(y)-2*s*s, math.Exp(x)*math.Sin(y))
}

// csigmoid is 1/(1 + exp(-z)), never exponentiating a large positive real
// part.
func csigmoid(z complex128) complex128 {
	if real(z) >= 0 {
		return 1 / (1 + cmplx.Exp(-z))
	}
	e := cmplx.Exp(z)
	return e / (1 + e)
}

// csoftplus is log(1 + exp(z)), never exponentiating a large positive real
// part.
func csoftplus(z complex128) complex128 {
	if real(z) > 0 {
		return z + clog1p(cmplx.Exp(-z))
	}
	return clog1p(cmplx.Exp(z))
}

// cpow is a^b; small integer powers are products, exact for complex steps.
func cpow(a, b complex128) complex128 {
	if imag(b) == 0 && real(b) == math.Trunc(real(b)) && math.Abs(real(b)) <= 64 {
		r, n := complex(1, 0), int(real(b))
		base := a
		if n < 0 {
			base, n = 1/a, -n
		}
		for ; n > 0; n-- {
			r *= base
		}
		return r
	}
	return cmplx.Pow(a, b)
}

// chypot is √(a² + b²), continued analytically.
func chypot(a, b complex128) complex128 { return cmplx.Sqrt(a*a + b*b) }
