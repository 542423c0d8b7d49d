package numdiff

import "math/cmplx"

var (
	cexp  = cmplx.Exp
	csqrt = cmplx.Sqrt
)
