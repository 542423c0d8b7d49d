package gradbench

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkGradBench times the derivative functions of the evals (gradient,
// jacobian, dir) at the sizes of the table in docs/gradbench.md, as the
// protocol times a run: prepared once, then run again and again. Run it
// on one thread, as the peers' figures were measured:
//
//	go test ./gradbench -run '^$' -bench GradBench -cpu 1 -benchmem
func BenchmarkGradBench(b *testing.B) {
	r := rand.New(rand.NewPCG(31337, 1))
	cases := []struct {
		eval, function, size string
		input                map[string]any
	}{
		{"llsq", "gradient", "n=1024,m=128", map[string]any{"x": randomVector(r, 128), "n": 1024}},
		{"llsq", "gradient", "n=16392,m=128", map[string]any{"x": randomVector(r, 128), "n": 16392}},
		{"lse", "gradient", "n=10000", map[string]any{"x": randomVector(r, 10000)}},
		{"lse", "gradient", "n=640000", map[string]any{"x": randomVector(r, 640000)}},
		{"det", "gradient", "ell=7", map[string]any{"A": randomVector(r, 49), "ell": 7}},
		{"det", "gradient", "ell=9", map[string]any{"A": randomVector(r, 81), "ell": 9}},
		{"ode", "gradient", "n=1000,s=10", map[string]any{"x": randomVector(r, 1000), "s": 10}},
		{"ode", "gradient", "n=100000,s=10", map[string]any{"x": randomVector(r, 100000), "s": 10}},
		{"gmm", "jacobian", "d=10,k=25,n=1000", gmmInput(r, 10, 25, 1000)},
		{"gmm", "jacobian", "d=20,k=25,n=1000", gmmInput(r, 20, 25, 1000)},
		{"kmeans", "dir", "k=100,n=1000,d=8", kmeansInput(r, 100, 1000, 8)},
		{"kmeans", "dir", "k=100,n=10000,d=8", kmeansInput(r, 100, 10000, 8)},
		{"lstm", "jacobian", "l=2,c=1024,b=14", lstmInput(r, 2, 1024, 14)},
		{"lstm", "jacobian", "l=4,c=1024,b=14", lstmInput(r, 4, 1024, 14)},
		{"ba", "jacobian", "n=49,m=7776,p=31843", baInput(r, 49, 7776, 31843)},
		{"ba", "jacobian", "n=21,m=11315,p=36455", baInput(r, 21, 11315, 36455)},
		{"ht", "jacobian", "simple,V=544,c=100", newHT(r, 544, 100, false).input()},
		{"ht", "jacobian", "complicated,V=544,c=100", newHT(r, 544, 100, true).input()},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/%s", c.eval, c.size), func(b *testing.B) {
			tk := prepareTask(b, c.eval, c.function, withRuns(c.input))
			for b.Loop() {
				if err := tk.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// gmmInput returns an input of gmm with random parameters and points.
func gmmInput(r *rand.Rand, d, k, n int) map[string]any {
	return map[string]any{
		"d": d, "k": k, "n": n, "m": 0, "gamma": 1.0,
		"x":     rowsOf(randomVector(r, n*d), d),
		"alpha": randomVector(r, k),
		"mu":    rowsOf(randomVector(r, k*d), d),
		"q":     rowsOf(randomVector(r, k*d), d),
		"l":     rowsOf(randomVector(r, k*d*(d-1)/2), d*(d-1)/2),
	}
}

// kmeansInput returns an input of kmeans with random points, and centroids
// near the first k of them, so that each is the nearest of some point.
func kmeansInput(r *rand.Rand, k, n, d int) map[string]any {
	p := randomVector(r, n*d)
	c := make([]float64, k*d)
	for i := range c {
		c[i] = p[i] + 1e-3*r.NormFloat64()
	}
	return map[string]any{"points": rowsOf(p, d), "centroids": rowsOf(c, d)}
}

// prepareTask prepares a function of a module for an input, as an
// evaluate message does before its runs.
func prepareTask(tb testing.TB, mod, fn string, input any) *task {
	tb.Helper()
	f, err := lookup(mod, fn)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := json.Marshal(input)
	if err != nil {
		tb.Fatal(err)
	}
	prepare, err := f.decode(raw)
	if err != nil {
		tb.Fatal(err)
	}
	tk, err := prepare()
	if err != nil {
		tb.Fatal(err)
	}
	return tk
}

// BenchmarkGradBenchHand times hand-written Go ports of the derivatives of
// GradBench's "manual" tool, the C++ the targets are stated against, at
// the same sizes: measured in the same run as BenchmarkGradBench, their
// ratio does not depend on the machine as the peers' figures do.
func BenchmarkGradBenchHand(b *testing.B) {
	r := rand.New(rand.NewPCG(31337, 1))
	for _, n := range []int{1024, 16392} {
		x := randomVector(r, 128)
		g := make([]float64, len(x))
		b.Run(fmt.Sprintf("llsq/n=%d,m=128", n), func(b *testing.B) {
			for b.Loop() {
				llsqGradientHand(x, n, g)
			}
		})
	}
	for _, n := range []int{10000, 640000} {
		x := randomVector(r, n)
		g := make([]float64, n)
		b.Run(fmt.Sprintf("lse/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				lseGradientHand(x, g)
			}
		})
	}
	for _, l := range []int{2, 4} {
		in := lstmInput(r, l, 1024, 14)
		flat := func(name string) []float64 { return slices.Concat(in[name].([][]float64)...) }
		main, extra, state, seq := flat("main_params"), flat("extra_params"), flat("state"), flat("sequence")
		g := make([]float64, len(main)+len(extra))
		b.Run(fmt.Sprintf("lstm/l=%d,c=1024,b=14", l), func(b *testing.B) {
			for b.Loop() {
				lstmGradientHand(l, 14, main, extra, state, seq, g)
			}
		})
	}
	for _, n := range []int{1000, 10000} {
		in := kmeansInput(r, 100, n, 8)
		p := slices.Concat(in["points"].([][]float64)...)
		c := slices.Concat(in["centroids"].([][]float64)...)
		dir := make([]float64, len(c))
		b.Run(fmt.Sprintf("kmeans/k=100,n=%d,d=8", n), func(b *testing.B) {
			for b.Loop() {
				kmeansDirHand(p, c, 8, dir)
			}
		})
	}
}

// kmeansDirHand is the manual tool's dir of kmeans: each point adds to
// the gradient and the Hessian's diagonal of its nearest centroid.
//
//go:noinline
func kmeansDirHand(p, c []float64, d int, dir []float64) {
	k := len(c) / d
	hess := make([]float64, k)
	clear(dir)
	for i := 0; i < len(p); i += d {
		best, nearest := math.Inf(1), 0
		for j := range k {
			var s float64
			for a := range d {
				t := p[i+a] - c[j*d+a]
				s += t * t
			}
			if s < best {
				best, nearest = s, j
			}
		}
		hess[nearest] += 2
		for a := range d {
			dir[nearest*d+a] += 2 * (c[nearest*d+a] - p[i+a])
		}
	}
	for j := range k {
		for a := range d {
			dir[j*d+a] /= hess[j]
		}
	}
}

// llsqGradientHand is the manual tool's gradient of llsq.
//
//go:noinline
func llsqGradientHand(x []float64, n int, g []float64) {
	m := len(x)
	sums := make([]float64, n)
	for i := range n {
		ti := -1 + float64(i)*2/float64(n-1)
		s := 0.0
		if ti > 0 {
			s = 1
		} else if ti < 0 {
			s = -1
		}
		for l := range m {
			s -= x[l] * math.Pow(ti, float64(l))
		}
		sums[i] = s
	}
	for j := range m {
		sum := 0.0
		for i := range n {
			ti := -1 + float64(i)*2/float64(n-1)
			sum += sums[i] * math.Pow(ti, float64(j))
		}
		g[j] = -sum
	}
}

// lseGradientHand is the manual tool's gradient of lse: the softmax.
//
//go:noinline
func lseGradientHand(x, g []float64) {
	a := slices.Max(x)
	s := 0.0
	for i, xi := range x {
		g[i] = math.Exp(xi - a)
		s += g[i]
	}
	for i := range g {
		g[i] /= s
	}
}

// BenchmarkGradBenchNested times saddle and particle, whose runs are whole
// searches, after a first run has compiled the programs of their paths.
func BenchmarkGradBenchNested(b *testing.B) {
	for _, mode := range []string{"ff", "fr", "rf", "rr"} {
		for _, c := range []struct {
			eval  string
			input map[string]any
		}{
			{"saddle", map[string]any{"start": []float64{1, 1}}},
			{"particle", map[string]any{"w": 0}},
		} {
			b.Run(c.eval+"/"+mode, func(b *testing.B) {
				tk := prepareTask(b, c.eval, mode, withRuns(c.input))
				if err := tk.run(); err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if err := tk.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
