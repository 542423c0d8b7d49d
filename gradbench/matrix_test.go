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

// gmmObjective is the reference's objective, term by term, with l[j]
// holding the strict lower triangle of L_j column by column.
func gmmObjective(d, k, n, m int, gamma float64, x, alpha, mu, q, l []float64) float64 {
	nl := d * (d - 1) / 2
	lse := func(v []float64) float64 {
		mx := slices.Max(v)
		var s float64
		for _, e := range v {
			s += math.Exp(e - mx)
		}
		return math.Log(s) + mx
	}
	var slse float64
	beta := make([]float64, k)
	qx := make([]float64, d)
	for i := range n {
		for j := range k {
			var sumq float64
			for a := range d {
				qx[a] = math.Exp(q[j*d+a]) * (x[i*d+a] - mu[j*d+a])
				sumq += q[j*d+a]
			}
			idx := 0
			for a := range d {
				for b := a + 1; b < d; b++ {
					qx[b] += l[j*nl+idx] * (x[i*d+a] - mu[j*d+a])
					idx++
				}
			}
			var sq float64
			for _, v := range qx {
				sq += v * v
			}
			beta[j] = alpha[j] + sumq - 0.5*sq
		}
		slse += lse(beta)
	}
	dof := float64(d + m + 1)
	lgd := 0.25 * float64(d*(d-1)) * math.Log(math.Pi)
	for j := 1; j <= d; j++ {
		lg, _ := math.Lgamma(0.5*dof + 0.5*float64(1-j))
		lgd += lg
	}
	c := dof*float64(d)*(math.Log(gamma)-0.5*math.Log(2)) - lgd
	var prior float64
	for j := range k {
		var frob, sumq float64
		for a := range d {
			frob += math.Exp(2 * q[j*d+a])
			sumq += q[j*d+a]
		}
		for _, v := range l[j*nl : (j+1)*nl] {
			frob += v * v
		}
		prior += 0.5*gamma*gamma*frob - float64(m)*sumq
	}
	return -float64(n*d)*0.5*math.Log(2*math.Pi) + slse - float64(n)*lse(alpha) + prior - float64(k)*c
}

// gmmPrimal is gmm's objective of its variables alpha, mu, q and l, flat,
// for numeric differentiation.
type gmmPrimal struct {
	d, k, n, m int
	gamma      float64
	x          []float64
}

func (g gmmPrimal) input(v []float64) map[string]any {
	k, d, nl := g.k, g.d, g.d*(g.d-1)/2
	return withRuns(map[string]any{
		"d": d, "k": k, "n": g.n, "m": g.m, "gamma": g.gamma,
		"x":     rows(g.x, d),
		"alpha": v[:k],
		"mu":    rows(v[k:k+k*d], d),
		"q":     rows(v[k+k*d:k+2*k*d], d),
		"l":     rows(v[k+2*k*d:], nl),
	})
}

func (g gmmPrimal) Eval(v []float64) (float64, error) {
	out, err := tryCall("gmm", "objective", g.input(v))
	if err != nil {
		return 0, err
	}
	return out.(float64), nil
}

func TestGMM(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, size := range []struct{ d, k, n, m int }{{2, 1, 1, 0}, {2, 3, 5, 1}, {3, 2, 6, 0}, {4, 3, 10, 2}} {
		d, k, n, nl := size.d, size.k, size.n, size.d*(size.d-1)/2
		g := gmmPrimal{d: d, k: k, n: n, m: size.m, gamma: 1 + r.Float64(), x: randomVector(r, n*d)}
		v := randomVector(r, k+2*k*d+k*nl)
		alpha, mu, q, l := v[:k], v[k:k+k*d], v[k+k*d:k+2*k*d], v[k+2*k*d:]
		got, err := g.Eval(v)
		require.NoError(t, err)
		want := gmmObjective(d, k, n, size.m, g.gamma, g.x, alpha, mu, q, l)
		assertClose(t, []float64{got}, []float64{want}, 1e-12, "objective")

		jac := call(t, "gmm", "jacobian", g.input(v)).(gmmJacobian)
		flat := slices.Concat(jac.Alpha, slices.Concat(jac.Mu...), slices.Concat(jac.Q...), slices.Concat(jac.L...))
		assertNumeric(t, flat, numericGradient(t, g, v), "jacobian")
	}
}
