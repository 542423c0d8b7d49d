package benchmarks

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/internal/gentest"
)

// TestGenerateCatalogue compiles the generated Go of every problem of the
// catalogue at its default size and compares it with the interpreter at
// the standard start and at a point near it.
func TestGenerateCatalogue(t *testing.T) {
	problems, err := Catalogue()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(16, 2))
	var cases []gentest.Case
	for _, p := range problems {
		f, x0, err := p.Func(p.N)
		require.NoError(t, err, p.Name)
		near, v, w := make([]float64, len(x0)), make([]float64, len(x0)), make([]float64, len(x0))
		for i, x := range x0 {
			near[i] = x + 0.1*rng.NormFloat64()
			v[i], w[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		cases = append(cases, gentest.Case{Name: p.Name, F: f.Func, Points: [][]float64{x0, near}, Dirs: [][]float64{v, w}})
	}
	gentest.Check(t, cases)
}
