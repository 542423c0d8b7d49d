// Package benchmarks holds nabla's benchmark suites.
//
// The optimizer suite: a catalogue of unconstrained test problems written in
// nabla's expression language (the 35 Moré–Garbow–Hillstrom problems and
// common 2-D machine-learning test functions, one file each under problems/,
// loaded by name, tag or path), and a runner that solves them with nabla's
// optimizers, with finite-difference gradients instead of AD, and with
// gonum's optimizers as peers. Results are judged by the Moré–Wild test
// f(x) − f* ≤ τ·(f(x0) − f*), written as tables (text, markdown, CSV,
// JSON) and drawn as Dolan–Moré performance profiles and Moré–Wild data
// profiles.
//
// The engine benchmarks (engine_bench_test.go) compare compiled programs
// with hand-written Go on the same functions, in the same run; README.md
// says how to run them and read the ratios:
//
//	go test -run XXX -bench 'Grad|HVP' -benchmem -cpu 1,2 -count 5 ./benchmarks
package benchmarks

//go:generate go run ./internal/genreport -docs ../docs
