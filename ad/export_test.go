package ad

import (
	"math"
	"math/rand/v2"
)

// RandomFunc returns a random function of depth 6 over every op, of
// scalars a and b and a vector v of n elements, with points and directions
// at which its value is finite, for the external tests.
func RandomFunc(rng *rand.Rand, n, points int) (f *Func, xs, vs [][]float64) {
	for {
		g := NewGraph()
		gen := newRandomExpr(g, rng, n)
		y := gen.scalar(6)
		f, err := NewFunc(g, y, gen.vars...)
		if err != nil {
			panic(err)
		}
		xs, vs = nil, nil
		for range points {
			x := gen.point(rng)
			if v, err := f.Eval(x); err != nil || math.Abs(v) > 1e6 {
				break
			}
			xs, vs = append(xs, x), append(vs, gen.point(rng))
		}
		if len(xs) == points {
			return f, xs, vs
		}
	}
}
