package landscape

import (
	"fmt"

	"github.com/nabla-ad/nabla/ad"
)

// Hessian returns the unit eigenvectors of the k largest eigenvalues of
// the Hessian of f at x, found by Lanczos on exact Hessian-vector
// products, each with its eigenvalue.
func Hessian(f *ad.Func, x []float64, k int) ([]Direction, error) {
	if len(x) != f.Dim() {
		return nil, fmt.Errorf("the point has %d values; the function takes %d", len(x), f.Dim())
	}
	eig, err := Lanczos(HessianAt(f, x), f.Dim(), k, &LanczosOptions{Which: Largest})
	if err != nil {
		return nil, err
	}
	dirs := make([]Direction, k)
	for i := range k {
		v := make([]float64, f.Dim())
		for r := range v {
			v[r] = eig.Vectors.At(r, i)
		}
		dirs[i] = Direction{Kind: HessianKind, Vector: v, Eigenvalue: eig.Values[i]}
	}
	return dirs, nil
}
