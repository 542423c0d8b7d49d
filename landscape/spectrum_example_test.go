package landscape_test

import (
	"fmt"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/landscape"
)

// The Hessian of Σᵢ cᵢxᵢ²/2 is diagonal with the cᵢ: its two largest
// eigenvalues are 9 and 4, along the third and the first coordinate.
func ExampleLanczos() {
	c := []float64{4, 1, 9, 0.5, 2}
	hvp := func(v, dst []float64) error {
		floats.MulTo(dst, c, v)
		return nil
	}
	e, err := landscape.Lanczos(hvp, len(c), 2, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range e.Values {
		fmt.Printf("λ%d = %.6f, |v| along x%d = %.6f\n", i+1, v, floats.MaxIdx(absCol(e, i)), floats.Max(absCol(e, i)))
	}
	// Output:
	// λ1 = 9.000000, |v| along x2 = 1.000000
	// λ2 = 4.000000, |v| along x0 = 1.000000
}

// absCol returns the magnitudes of the elements of eigenvector i.
func absCol(e *landscape.Eigen, i int) []float64 {
	n, _ := e.Vectors.Dims()
	v := make([]float64, n)
	for j := range v {
		v[j] = max(e.Vectors.At(j, i), -e.Vectors.At(j, i))
	}
	return v
}

// The Rosenbrock function's Hessian at its minimum (1, 1) is [[802, -400],
// [-400, 200]], of trace 1002. Each probe z of random signs gives zᵀHz =
// 1002 ± 800, so the mean of 50 of them has a standard error near 113.
func ExampleHutchinson() {
	f, err := expr.Compile("(1 - x)^2 + 100*(y - x^2)^2", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, err := landscape.Hutchinson(landscape.HessianAt(f.Func, []float64{1, 1}), f.Dim(), 50, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("trace ≈ %.0f ± %.0f from %d probes\n", tr.Value, tr.StdErr, tr.Probes)
	// Output:
	// trace ≈ 1034 ± 114 from 50 probes
}

// With as many Lanczos steps as rows, the quadrature of a diagonal matrix
// has its nodes at the diagonal entries, each with the mass 1/n.
func ExampleSpectralDensity() {
	c := []float64{-1, 2, 3, 10}
	hvp := func(v, dst []float64) error {
		floats.MulTo(dst, c, v)
		return nil
	}
	d, err := landscape.SpectralDensity(hvp, len(c), &landscape.DensityOptions{Probes: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, node := range d.Nodes[0] {
		fmt.Printf("%5.2f: %.2f\n", node, d.Weights[0][i])
	}
	// Output:
	// -1.00: 0.25
	//  2.00: 0.25
	//  3.00: 0.25
	// 10.00: 0.25
}
