//go:build mlpgen

package benchmarks

import "github.com/nabla-ad/nabla/benchmarks/internal/mlpgen"

func init() { mlpGen = mlpgen.MLPGrad }
