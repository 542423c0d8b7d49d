package gradbench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// rows returns the rows of cols elements of v, for JSON input.
func rows(v []float64, cols int) [][]float64 { return rowsOf(v, cols) }

// kmeansCost is the reference's cost: Σᵢ minⱼ ‖Cⱼ - Pᵢ‖².
func kmeansCost(p, c []float64, d int) float64 {
	var cost float64
	for i := 0; i < len(p); i += d {
		closest := math.Inf(1)
		for j := 0; j < len(c); j += d {
			var s float64
			for a := range d {
				s += (p[i+a] - c[j+a]) * (p[i+a] - c[j+a])
			}
			closest = min(closest, s)
		}
		cost += closest
	}
	return cost
}

func TestKMeans(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, size := range []struct{ n, k, d int }{{1, 1, 1}, {5, 2, 2}, {40, 4, 3}, {200, 10, 8}} {
		p := randomVector(r, size.n*size.d)
		// Each centroid is a point moved a little, so that it is the
		// nearest of at least that point and the Hessian is invertible.
		c := make([]float64, 0, size.k*size.d)
		for j := range size.k {
			for a := range size.d {
				c = append(c, p[j*size.d+a]+0.01*r.NormFloat64())
			}
		}
		in := func(c []float64) map[string]any {
			return withRuns(map[string]any{"points": rows(p, size.d), "centroids": rows(c, size.d)})
		}
		cost := func(c []float64) (float64, error) {
			out, err := tryCall("kmeans", "cost", in(c))
			if err != nil {
				return 0, err
			}
			return out.(float64), nil
		}
		got, err := cost(c)
		require.NoError(t, err)
		assertClose(t, []float64{got}, []float64{kmeansCost(p, c, size.d)}, 1e-12, "cost")

		// dir against central differences of the cost: exact for a
		// piecewise quadratic away from the changes of nearest centroid.
		dir := slices.Concat(call(t, "kmeans", "dir", in(c)).([][]float64)...)
		want := make([]float64, len(c))
		const h = 1e-4
		for i := range c {
			x := slices.Clone(c)
			x[i] = c[i] + h
			up, err := cost(x)
			require.NoError(t, err)
			x[i] = c[i] - h
			down, err := cost(x)
			require.NoError(t, err)
			j, hess := (up-down)/(2*h), (up-2*got+down)/(h*h)
			want[i] = j / hess
		}
		assertClose(t, dir, want, 1e-6, "dir")
	}
}
