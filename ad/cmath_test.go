package ad

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expected values of the complex forms were computed with mpmath at
// 600 significant digits (enough for imaginary parts of 1e-200 beside real
// parts of 1), and rounded to float64.

// TestComplexForms checks the complex forms of the elementwise functions
// against high-precision values: both parts to a few units in the last
// place, complex steps of 1e-20 and 1e-200 included.
func TestComplexForms(t *testing.T) {
	type point struct{ z, want complex128 }
	cases := []struct {
		name   string
		f      func(complex128) complex128
		points []point
	}{
		{"asin", casin, []point{
			{complex(-0.9, 1e-20), complex(-1.1197695149986342, 2.2941573387056178e-20)},
			{complex(-0.3, 1e-20), complex(-0.3046926540153975, 1.0482848367219183e-20)},
			{complex(0.0, 1e-20), complex(0.0, 1e-20)},
			{complex(0.5, 1e-20), complex(0.5235987755982989, 1.1547005383792515e-20)},
			{complex(0.999, 1e-20), complex(1.526071239626163, 2.236627204212921e-19)},
			{complex(0.5, -1e-200), complex(0.5235987755982989, -1.1547005383792515e-200)},
			{complex(1.0, 1e-20), complex(1.5707963266948965, 1e-10)},
			{complex(3.0, 1e-20), complex(1.5707963267948966, 1.762747174039086)},
			{complex(0.5, 0.3), complex(0.4930392405856184, 0.33429981777493784)},
			{complex(-2.0, 1.0), complex(-1.0634400235777521, 1.4693517443681852)},
			{complex(0.2, -3.0), complex(0.06317398485736475, -1.8203409836110944)},
			{complex(1e-05, 1e-05), complex(9.999999999666666e-06, 1.0000000000333334e-05)},
			{complex(-1.5, -0.5), complex(-1.1711572594583726, -1.0693110431581105)},
			{complex(100000000.0, 100000000.0), complex(0.7853981633974483, 19.460401514792284)},
		}},
		{"acos", cacos, []point{
			{complex(-0.9, 1e-20), complex(2.6905658417935308, -2.2941573387056178e-20)},
			{complex(-0.3, 1e-20), complex(1.8754889808102941, -1.0482848367219183e-20)},
			{complex(0.0, 1e-20), complex(1.5707963267948966, -1e-20)},
			{complex(0.5, 1e-20), complex(1.0471975511965979, -1.1547005383792515e-20)},
			{complex(0.999, 1e-20), complex(0.044725087168733454, -2.236627204212921e-19)},
			{complex(0.5, -1e-200), complex(1.0471975511965979, 1.1547005383792515e-200)},
			{complex(1.0, 1e-20), complex(1e-10, -1e-10)},
			{complex(3.0, 1e-20), complex(3.5355339059327375e-21, -1.762747174039086)},
			{complex(0.5, 0.3), complex(1.0777570862092782, -0.33429981777493784)},
			{complex(-2.0, 1.0), complex(2.6342363503726487, -1.4693517443681852)},
			{complex(0.2, -3.0), complex(1.5076223419375319, 1.8203409836110944)},
			{complex(1e-05, 1e-05), complex(1.570786326794897, -1.0000000000333334e-05)},
			{complex(-1.5, -0.5), complex(2.741953586253269, 1.0693110431581105)},
			{complex(100000000.0, 100000000.0), complex(0.7853981633974483, -19.460401514792284)},
		}},
		{"atan", catan, []point{
			{complex(0.5, 1e-20), complex(0.4636476090008061, 8e-21)},
			{complex(-3.0, 1e-20), complex(-1.2490457723982544, 1e-21)},
			{complex(0.0, 1e-20), complex(0.0, 1e-20)},
			{complex(1000.0, -1e-20), complex(1.5697963271282298, -9.99999000001e-27)},
			{complex(0.5, 1e-200), complex(0.4636476090008061, 8e-201)},
			{complex(0.0, 0.5), complex(0.0, 0.5493061443340549)},
			{complex(2.0, 3.0), complex(1.4099210495965755, 0.22907268296853878)},
			{complex(-0.3, -0.4), complex(-0.3373704711117763, -0.3790868723420221)},
			{complex(0.1, -2.0), complex(1.5376224984884392, -0.5470961851917696)},
		}},
		{"log1p", clog1p, []point{
			{complex(1e-10, 1e-20), complex(9.9999999995e-11, 9.999999999e-21)},
			{complex(-0.3, 0.2), complex(-0.31743913621798475, 0.27829965900511133)},
			{complex(0.0, 1.0), complex(0.34657359027997264, 0.7853981633974483)},
			{complex(2.0, 3.0), complex(1.4451858789480823, 0.7853981633974483)},
			{complex(-0.5, 1e-20), complex(-0.6931471805599453, 2e-20)},
			{complex(0.001, -0.001), complex(0.0009999993343325333, -0.000999000666665868)},
		}},
		{"expm1", cexpm1, []point{
			{complex(1e-10, 1e-20), complex(1.00000000005e-10, 1.0000000001e-20)},
			{complex(-0.3, 0.2), complex(-0.273948821654031, 0.14717786014362486)},
			{complex(2.0, 3.0), complex(-8.315110094901103, 1.0427436562359045)},
			{complex(1e-08, 1e-08), complex(1e-08, 1.00000001e-08)},
			{complex(-0.5, 1e-20), complex(-0.3934693402873666, 6.065306597126334e-21)},
		}},
	}
	for _, c := range cases {
		for _, p := range c.points {
			got := c.f(p.z)
			assertULPs(t, real(p.want), real(got), "real part of %s%v", c.name, p.z)
			assertULPs(t, imag(p.want), imag(got), "imaginary part of %s%v", c.name, p.z)
		}
	}

	for _, p := range []struct{ y, x, want complex128 }{
		{complex(0.7, 1e-20), complex(-0.4, 0.0), complex(2.0899424410414196, -6.1538461538461545e-21)},
		{complex(-1.0, 0.0), complex(-0.5, 1e-20), complex(-2.0344439357957027, 8e-21)},
		{complex(0.5, 0.2), complex(1.5, -0.1), complex(0.31889577302011196, 0.14086733931285317)},
		{complex(2.0, 1e-20), complex(0.0, 1e-20), complex(1.5707963267948966, -5e-21)},
		{complex(-0.3, 1e-20), complex(0.8, -1e-20), complex(-0.3587706702705722, 6.84931506849315e-21)},
	} {
		got := catan2(p.y, p.x)
		assertULPs(t, real(p.want), real(got), "real part of atan2(%v, %v)", p.y, p.x)
		assertULPs(t, imag(p.want), imag(got), "imaginary part of atan2(%v, %v)", p.y, p.x)
	}
}

// TestCmplxLosesComplexSteps shows why the forms above exist: at a complex
// step, math/cmplx's inverse trigonometric functions round the imaginary
// part, the derivative times the step, away.
func TestCmplxLosesComplexSteps(t *testing.T) {
	z := complex(0.5, 1e-20)
	for _, f := range []func(complex128) complex128{cmplx.Asin, cmplx.Acos, cmplx.Atan} {
		assert.Zero(t, imag(f(z)))
	}
	assertULPs(t, 1.1547005383792515e-20, imag(casin(z)))
	assertULPs(t, -1.1547005383792515e-20, imag(cacos(z)))
	assertULPs(t, 8e-21, imag(catan(z)))
}

// assertULPs asserts that got is within 4 units in the last place of want.
func assertULPs(t *testing.T, want, got float64, msgAndArgs ...any) {
	t.Helper()
	tol := 4 * math.Abs(want) * 0x1p-52
	if want == 0 {
		tol = 0
	}
	assert.InDelta(t, want, got, tol, msgAndArgs...)
}
