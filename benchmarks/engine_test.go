package benchmarks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
)

// TestBaselines checks that each hand-written baseline of the engine
// benchmarks computes what nabla's programs compute, so that the two time
// the same work. They agree to rounding, not bit for bit: the operations
// are grouped and the sums ordered differently.
func TestBaselines(t *testing.T) {
	const tol = 1e-13
	// scalars compiles outs, runs them at in and returns their values.
	scalars := func(t *testing.T, g *ad.Graph, in [][]float64, outs ...ad.Node) []float64 {
		p, err := g.Compile(outs...)
		require.NoError(t, err)
		ws := p.NewWorkspace()
		require.NoError(t, p.Run(ws, in))
		vals := make([]float64, len(outs))
		for k := range outs {
			vals[k] = ws.Scalar(k)
		}
		return vals
	}
	x, y, vx, vy := at2[0], at2[1], dir2[0], dir2[1]
	t.Run("rosenbrock2", func(t *testing.T) {
		g := ad.NewGraph()
		f, xn, yn := rosenbrock2(g)
		grad, err := g.Grad(f, xn, yn)
		require.NoError(t, err)
		h, err := g.Hessian(f, xn, yn)
		require.NoError(t, err)
		vxn, _ := g.Var("vx", ad.Scalar())
		vyn, _ := g.Var("vy", ad.Scalar())
		hv, err := g.HVP(f, []ad.Node{xn, yn}, []ad.Node{vxn, vyn})
		require.NoError(t, err)
		in := [][]float64{{x}, {y}, {vx}, {vy}}

		v, gx, gy := rosenbrock2Hand(x, y)
		assert.InEpsilonSlice(t, []float64{v, gx, gy}, scalars(t, g, in, f, grad[0], grad[1]), tol)
		hx, hy := rosenbrock2HVPHand(x, y, vx, vy)
		assert.InEpsilonSlice(t, []float64{hx, hy}, scalars(t, g, in, hv...), tol)
		v, gx, gy = rosenbrock2Gen(x, y)
		assert.InEpsilonSlice(t, []float64{v, gx, gy}, scalars(t, g, in, f, grad[0], grad[1]), tol, "generated")
		hx, hy = rosenbrock2HVPGen(x, y, vx, vy)
		assert.InEpsilonSlice(t, []float64{hx, hy}, scalars(t, g, in, hv...), tol, "generated")
		hxx, hxy, hyy := rosenbrock2HessHand(x, y)
		assert.InEpsilonSlice(t, []float64{hxx, hxy, hyy}, scalars(t, g, in, h[0][0], h[0][1], h[1][1]), tol)
	})
	t.Run("lsq", func(t *testing.T) {
		X, y, w := lsqData(1000, 20)
		p, ws, in, err := lsqGradient(X, y, w)
		require.NoError(t, err)
		require.NoError(t, p.Run(ws, in))
		r, grad := mat.NewVecDense(1000, nil), mat.NewVecDense(20, nil)
		assert.InEpsilon(t, lsqHand(X, y, w, r, grad), ws.Scalar(0), 1e-12)
		assert.InEpsilonSlice(t, grad.RawVector().Data, ws.Output(1), 1e-12)
	})
	for _, c := range extRosenbrockSizes[:2] {
		t.Run(c.name, func(t *testing.T) {
			want := make([]float64, c.n)
			_, ws, in, _, err := adGradient(c.n)
			require.NoError(t, err)
			f := extRosenbrockHand(in[0], want)
			assert.InEpsilon(t, f, ws.Scalar(0), tol)
			assert.InEpsilonSlice(t, want, ws.Output(1), tol)

			ef, x0, grad, _, err := exprGradient(c.n)
			require.NoError(t, err)
			assert.Equal(t, in[0], x0, "the catalogue's start is startPoint")
			ev, err := ef.Grad(x0, grad)
			require.NoError(t, err)
			assert.InEpsilon(t, f, ev, tol)
			assert.InEpsilonSlice(t, want, grad, tol)

			p, ws, in := tangentProgram(t, c.n, hvp)
			require.NoError(t, p.Run(ws, in))
			extRosenbrockHVPHand(in[0], in[1], want)
			assert.InEpsilonSlice(t, want, ws.Output(0), tol)

		})
	}
	// The models' sums run over thousands of terms, in another order in
	// BLAS than in nabla's kernels.
	const modelTol = 1e-11
	t.Run("mlp", func(t *testing.T) {
		X, Y, params := mlpData()
		want := zerosLike(params)
		f := newMLPHand(X, Y, params, want).grad()
		p, err := mlpProgram(X, Y)
		require.NoError(t, err)
		ws := p.NewWorkspace()
		require.NoError(t, p.Run(ws, params))
		assert.InEpsilon(t, f, ws.Scalar(0), modelTol)
		for k, g := range want {
			assert.InEpsilonSlice(t, g, ws.Output(k+1), modelTol, mlpParams[k].name)
		}
	})
	t.Run("logreg", func(t *testing.T) {
		X, y, w := logregData()
		w[0] = 0.5 // away from zero, where every σ is ½
		want := make([]float64, len(w))
		f := newLogregHand(X, y, w, want).grad()
		p, err := logregProgram(X, y)
		require.NoError(t, err)
		ws := p.NewWorkspace()
		require.NoError(t, p.Run(ws, [][]float64{w}))
		assert.InEpsilon(t, f, ws.Scalar(0), modelTol)
		assert.InEpsilonSlice(t, want, ws.Output(1), modelTol)
	})
	// The generated functions add their sums in the order the baselines do.
	for n, gen := range extRosenbrockGen {
		x, want, got := startPoint(n), make([]float64, n), make([]float64, n)
		assert.InEpsilon(t, extRosenbrockHand(x, want), gen(x, got), tol, "generated, n = %d", n)
		assert.InEpsilonSlice(t, want, got, tol, "generated, n = %d", n)
		if hvp := extRosenbrockHVPGen[n]; hvp != nil {
			v := ones(n)
			extRosenbrockHVPHand(x, v, want)
			hvp(x, v, got)
			assert.InEpsilonSlice(t, want, got, tol, "generated HVP, n = %d", n)
		}
	}
}

// TestExprProgram checks that the expr and nabla cases of BenchmarkGrad
// time the same program: the catalogue's chained_rosenbrock, through expr,
// builds the graph extRosenbrock builds, so that what the expr case costs
// beyond the nabla case is the Func's own work, and its gradient has the
// program's bits.
func TestExprProgram(t *testing.T) {
	prob, err := Load("chained_rosenbrock")
	require.NoError(t, err)
	for _, c := range extRosenbrockSizes[:2] {
		f, x, err := prob.Func(c.n)
		require.NoError(t, err)
		eg := f.Graph()
		egrad, err := eg.Grad(f.Output(), eg.Vars()...)
		require.NoError(t, err)
		ep, err := eg.Compile(f.Output(), egrad[0])
		require.NoError(t, err)
		p, ws, in, _, err := adGradient(c.n)
		require.NoError(t, err)
		assert.Equal(t, p.String(), ep.String(), c.name)

		grad := make([]float64, c.n)
		y, err := f.Grad(x, grad)
		require.NoError(t, err)
		require.NoError(t, p.Run(ws, in))
		assert.Equal(t, ws.Scalar(0), y, c.name)
		assert.Equal(t, ws.Output(1), grad, c.name)
	}
}
