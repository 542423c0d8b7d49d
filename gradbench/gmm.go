package gradbench

import (
	"fmt"
	"math"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// maxDim bounds the dimension d of gmm's space.
const maxDim = 1024

// gmm is GradBench's Gaussian mixture eval: objective, the log posterior
// of gmm.nabla, and jacobian, its gradient in alpha, mu, q and l.
var gmm = module{
	"objective": objectInput(func(in *object) func() (*task, error) {
		compile := decodeGMM(in)
		return func() (*task, error) {
			m, err := compile()
			if err != nil {
				return nil, err
			}
			var y float64
			return &task{
				run: func() (err error) {
					y, err = m.f.Eval(m.x)
					return err
				},
				output: func() any { return y },
			}, nil
		}
	}),
	"jacobian": objectInput(func(in *object) func() (*task, error) {
		compile := decodeGMM(in)
		return func() (*task, error) {
			m, err := compile()
			if err != nil {
				return nil, err
			}
			// The first gradient compiles the gradient program, and only
			// that, as scalarFunctions does.
			g := make([]float64, m.f.Dim())
			if _, err := m.f.Grad(m.x, g); err != nil {
				return nil, err
			}
			return &task{
				run: func() error {
					_, err := m.f.Grad(m.x, g)
					return err
				},
				output: func() any { return m.jacobian(g) },
			}, nil
		}
	}),
}

// A gmmModel is gmm.nabla compiled for an input, with the point of its
// variables alpha, mu, q and l, flat in that order.
type gmmModel struct {
	f    *expr.Func
	x    []float64
	k, d int
	perm []int // perm[i] is where entry i of l[j], column by column, is in the model's l[j], row by row
}

// decodeGMM reads the input of gmm and returns what compiles the model.
func decodeGMM(in *object) func() (*gmmModel, error) {
	d := in.integer("d", 2, maxDim)
	k := in.integer("k", 1, maxLen)
	n := in.integer("n", 1, maxLen)
	m := in.integer("m", 0, maxLen)
	gamma := in.number("gamma")
	x, xn, xd := in.matrix("x")
	alpha := in.vector("alpha")
	mu, muk, mud := in.matrix("mu")
	q, qk, qd := in.matrix("q")
	l, lk, ld := in.matrix("l")
	switch {
	case in.err != nil:
	case !(gamma > 0):
		in.failf("gamma", "want a number above 0, got %v", gamma)
	case xn != n || xd != d:
		in.failf("x", "want n×d = %d×%d numbers, got %d×%d", n, d, xn, xd)
	case len(alpha) != k:
		in.failf("alpha", "want k = %d numbers, got %d", k, len(alpha))
	case muk != k || mud != d:
		in.failf("mu", "want k×d = %d×%d numbers, got %d×%d", k, d, muk, mud)
	case qk != k || qd != d:
		in.failf("q", "want k×d = %d×%d numbers, got %d×%d", k, d, qk, qd)
	case lk != k || ld != d*(d-1)/2:
		in.failf("l", "want k×d(d-1)/2 = %d×%d numbers, got %d×%d", k, d*(d-1)/2, lk, ld)
	}
	return func() (*gmmModel, error) {
		g := &gmmModel{k: k, d: d, perm: lowerRowOrder(d)}
		g.x = make([]float64, 0, k*(1+d+d+len(g.perm)))
		g.x = append(append(append(g.x, alpha...), mu...), q...)
		rows := make([]float64, len(l))
		for j := 0; j < len(l); j += len(g.perm) {
			for i, p := range g.perm {
				rows[j+p] = l[j+i]
			}
		}
		g.x = append(g.x, rows...)
		// log Γ_d(a), the multivariate gamma function, at a = (d+m+1)/2.
		a := float64(d+m+1) / 2
		lgd := 0.25 * float64(d*(d-1)) * math.Log(math.Pi)
		for j := 1; j <= d; j++ {
			lg, _ := math.Lgamma(a + 0.5*float64(1-j))
			lgd += lg
		}
		var err error
		g.f, err = expr.Compile(source("gmm.nabla"), &expr.Options{
			Vars: []string{"alpha", "mu", "q", "l"},
			Shapes: map[string]ad.Shape{
				"alpha": ad.Vector(k),
				"mu":    ad.Matrix(k, d),
				"q":     ad.Matrix(k, d),
				"l":     ad.Matrix(k, len(g.perm)),
			},
			Consts: map[string]expr.Const{
				"x":     {Shape: ad.Matrix(n, d), Values: x},
				"gamma": scalar(gamma),
				"m":     scalar(float64(m)),
				"lgd":   scalar(lgd),
			},
		})
		if err != nil {
			return nil, fmt.Errorf("gmm: %w", err)
		}
		return g, nil
	}
}

// lowerRowOrder returns, for each element of the strict lower triangle of
// a d×d matrix in GradBench's order (column by column), its index in the
// order of the language's tril (row by row).
func lowerRowOrder(d int) []int {
	perm := make([]int, 0, d*(d-1)/2)
	for col := range d {
		for row := col + 1; row < d; row++ {
			perm = append(perm, row*(row-1)/2+col)
		}
	}
	return perm
}

// A gmmJacobian is the gradient of gmm's objective, shaped as its input.
type gmmJacobian struct {
	Alpha []float64   `json:"alpha"`
	Mu    [][]float64 `json:"mu"`
	Q     [][]float64 `json:"q"`
	L     [][]float64 `json:"l"`
}

// jacobian splits the flat gradient g into its variables, with l column by
// column again.
func (m *gmmModel) jacobian(g []float64) gmmJacobian {
	k, d, nl := m.k, m.d, len(m.perm)
	l := make([]float64, k*nl)
	rows := g[k+2*k*d:]
	for j := 0; j < len(l); j += nl {
		for i, p := range m.perm {
			l[j+i] = rows[j+p]
		}
	}
	return gmmJacobian{
		Alpha: g[:k],
		Mu:    rowsOf(g[k:k+k*d], d),
		Q:     rowsOf(g[k+k*d:k+2*k*d], d),
		L:     rowsOf(l, nl),
	}
}
