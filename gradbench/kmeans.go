package gradbench

import (
	"fmt"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// kmeans is GradBench's k-means eval: cost, the value of kmeans.nabla, and
// dir, the direction of a Newton step, J ⊘ diag(H), where J is the
// gradient of the cost in the centroids and H its Hessian. H is diagonal
// (a centroid's coordinates appear only in the squares of their own
// differences), so its diagonal is the Hessian-vector product with ones:
// dir is built from nabla's gradient and HVP of the cost and compiled as
// one program.
var kmeans = module{
	"cost": objectInput(func(in *object) func() (*task, error) {
		compile := decodeKMeans(in)
		return func() (*task, error) {
			f, c, err := compile()
			if err != nil {
				return nil, err
			}
			var y float64
			return &task{
				run: func() (err error) {
					y, err = f.Eval(c)
					return err
				},
				output: func() any { return y },
			}, nil
		}
	}),
	"dir": objectInput(func(in *object) func() (*task, error) {
		compile := decodeKMeans(in)
		return func() (*task, error) {
			f, c, err := compile()
			if err != nil {
				return nil, err
			}
			dir, err := newtonDirection(f)
			if err != nil {
				return nil, err
			}
			out := make([]float64, len(c))
			cols := f.Vars()[0].Shape.Dim(1)
			return &task{
				run: func() error {
					if err := dir.Eval(c, out); err != nil {
						return fmt.Errorf("the direction is not finite: is a centroid the nearest of no point? %w", err)
					}
					return nil
				},
				output: func() any { return rowsOf(out, cols) },
			}, nil
		}
	}),
}

// decodeKMeans reads the input of kmeans and returns what compiles the
// cost and gives the centroids.
func decodeKMeans(in *object) func() (*expr.Func, []float64, error) {
	p, n, d := in.matrix("points")
	c, k, dc := in.matrix("centroids")
	if in.err == nil && dc != d {
		in.failf("centroids", "rows of %d numbers, want %d as the points have", dc, d)
	}
	return func() (*expr.Func, []float64, error) {
		f, err := expr.Compile(source("kmeans.nabla"), &expr.Options{
			Vars:   []string{"C"},
			Shapes: map[string]ad.Shape{"C": ad.Matrix(k, d)},
			Consts: map[string]expr.Const{"P": {Shape: ad.Matrix(n, d), Values: p}},
		})
		return f, c, err
	}
}

// newtonDirection returns the function J ⊘ (H·1) of the centroids, built
// into the graph of the cost f.
func newtonDirection(f *expr.Func) (*ad.VectorFunc, error) {
	g, cost, c := f.Graph(), f.Output(), f.Graph().Vars()[0]
	j, err := g.Grad(cost, c)
	if err != nil {
		return nil, err
	}
	s := g.Shape(c)
	ones := make([]float64, s.Len())
	for i := range ones {
		ones[i] = 1
	}
	h, err := g.HVP(cost, []ad.Node{c}, []ad.Node{g.ConstMatrix(s.Dim(0), s.Dim(1), ones)})
	if err != nil {
		return nil, err
	}
	dir, err := g.Div(j[0], h[0])
	if err != nil {
		return nil, err
	}
	return ad.NewVectorFunc(g, dir, c)
}

// rowsOf returns the matrix of rows of cols elements whose elements, row by
// row, are v, for JSON.
func rowsOf(v []float64, cols int) [][]float64 {
	rows := make([][]float64, 0, len(v)/cols)
	for i := 0; i < len(v); i += cols {
		rows = append(rows, v[i:i+cols])
	}
	return rows
}
