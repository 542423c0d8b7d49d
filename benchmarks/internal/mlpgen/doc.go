// Package mlpgen holds, once go generate has written it, the Go that nabla
// gen makes of the perceptron of the model benchmarks (BenchmarkGrad/mlp):
// the loss and its gradient, with the 1000 points and classes as constants
// of the code. At 3 MB the file is not kept in the repository; the build
// tag mlpgen makes the benchmarks use it:
//
//	go generate ./benchmarks/internal/mlpgen
//	go test -tags mlpgen -run XXX -bench 'Grad/mlp' ./benchmarks
package mlpgen

//go:generate go test ../.. -run TestWriteMLPGen -count 1 -args -mlpgen internal/mlpgen/mlp_gen.go
