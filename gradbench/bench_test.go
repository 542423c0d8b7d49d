package gradbench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
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
