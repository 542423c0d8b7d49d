package numdiff

import (
	"fmt"
	"testing"
)

func TestDbg(t *testing.T) {
	for _, tc := range []struct{ src string; x []float64 }{
		{"sum([1, -2, 3] * log(x)) + dot(log(x), y)", []float64{0.7482324143540122, 1.193841313310015, 0.6120391462777819, 0.1872564453976615, 1.3793746342956372, 0.9704989266915951}},
		{"sum([1, -2, 3] * softplus(x)) + dot(softplus(x), y)", []float64{-5.167505324128356, -2.02421943418041, 4.114228741793955, -1.5222874413750804, -0.6894694365870757, 0.2726668718829588}},
	} {
		f := mustFunction(t, tc.src, map[string]int{"x": 3, "y": 3})
		r, _ := Check(f, tc.x, &Settings{Methods: []Method{Central, ComplexStep}, Order: 2})
		for _, c := range r.Components {
			if !c.OK {
				fmt.Println(c.Kind, c.Name, c.AD, c.Numeric[0].Value, c.Numeric[1].Value, c.Numeric[1].Problem)
			}
		}
	}
}
