package ad_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/internal/gentest"
	"github.com/nabla-ad/nabla/internal/text"
)

// TestGenerateRandom compiles the generated Go of random functions over
// every op, with vectors short enough to run one instruction at a time
// and long enough to run fused, and compares it with the interpreter.
func TestGenerateRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	var cases []gentest.Case
	for k := range 40 {
		n := 4
		if k%10 == 9 {
			n = 4100
		}
		f, xs, vs := ad.RandomFunc(rng, n, 2)
		c := gentest.Case{Name: fmt.Sprintf("random %d: %s", k, text.Shorten(f.String(), 100)), F: f, Points: xs, Dirs: vs}
		if n > 4 {
			// Generated code adds the 4100 elements of a reduction in another
			// order than the interpreter, whose fused and unfused programs
			// differ by 5e-11 on some of these ill-conditioned sums.
			c.Tol = 1e-9
		}
		cases = append(cases, c)
	}
	gentest.Check(t, cases)
}
