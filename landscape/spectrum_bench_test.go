package landscape

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkLanczosMLP finds the top five eigenpairs of the Hessian of the
// perceptron of examples/mlp widened to 2000 hidden units, 10 002 weights,
// by exact HVPs, and reports how many it took and the time of each.
func BenchmarkLanczosMLP(b *testing.B) {
	f, x := mlpModel(b, 2000)
	require.Equal(b, 10002, f.Dim())
	hvp := HessianAt(f.Func, x)
	require.NoError(b, f.Precompile())
	hvps := 0
	b.ReportAllocs()
	for b.Loop() {
		e, err := Lanczos(hvp, f.Dim(), 5, nil)
		require.NoError(b, err)
		hvps = e.HVPs
	}
	b.ReportMetric(float64(hvps), "HVPs/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*hvps), "ns/HVP")
}
