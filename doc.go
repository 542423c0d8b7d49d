// Package nabla is an automatic differentiation engine for Go. This
// package holds no code; it documents how the module is laid out.
//
// # Layout
//
// Each package imports only packages of a lower layer, never one of its
// own layer or above; a test of this package enforces it, so the directory
// tree says what the imports say:
//
//	leaves   internal/*  helpers every package shares (text.Shorten,
//	                     atomicfile.Write, par.For, vmath.Exp,
//	                     gemm.Dgemm); they import nothing of nabla, and
//	                     neither does the Go that nabla gen wrote
//	                     for the benchmarks (benchmarks/internal/rosen,
//	                     mghgen and mlpgen) and for examples/rosenbrock
//	layer 0  ad          graphs, one definition per op, derivatives as graph
//	                     transforms, compiled programs, and ad.Func, the one
//	                     differentiable-function type everything else takes
//	layer 1  expr        the expression language: source → ad.Func
//	         data        data files (CSV, JSON, .npy) read as constants
//	         numdiff     numeric differentiation and checks of any function
//	         optim       optimizers of any function with a gradient
//	         internal/gentest  compiles Go that ad.Func.Generate wrote and
//	                     checks it against the Func, for tests
//	layer 2  viz         pictures: contours, gradient fields, paths, profiles
//	         gradbench   nabla as a GradBench tool: the protocol and one
//	                     module per eval
//	layer 3  benchmarks  the optimizer suite and the engine benchmarks
//	         landscape   model health: loss landscapes and Hessian spectra
//	         serve       the playground: its HTTP handlers, page and vendored JS
//	layer 4  examples/*  worked models with their data, each checked by its
//	                     test; examples/internal/exampletest loads them
//	commands cmd/nabla and the generators under */internal: anything below
//
// Only tests may import sideways (numdiff's tests compile expressions).
package nabla
