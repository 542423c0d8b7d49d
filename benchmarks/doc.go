// Package benchmarks holds nabla's benchmark suites: the engine benchmarks
// that compare compiled programs with hand-written Go on the same functions,
// and the optimizer benchmark problems.
package benchmarks
