package ad

import (
	"fmt"
	"math"
	"math/big"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// linalgSizes are the sizes of the square matrices the linear algebra
// tests run on.
var linalgSizes = []int{1, 2, 3, 5}

// wellConditioned returns a random n×n matrix of elements in [-1, 1] with
// n+1 added to its diagonal: strictly diagonally dominant, so far from
// singular. With negative set, its first row is negated, which makes the
// determinant negative.
func wellConditioned(rng *rand.Rand, n int, negative bool) *mat.Dense {
	a := randomDense(rng, n, n)
	for i := range n {
		a.Set(i, i, a.At(i, i)+float64(n+1))
	}
	if negative {
		for j := range n {
			a.Set(0, j, -a.At(0, j))
		}
	}
	return a
}

// spd returns a random symmetric positive definite n×n matrix, exactly
// symmetric: M Mᵀ + I, symmetrized.
func spd(rng *rand.Rand, n int) *mat.Dense {
	m := randomDense(rng, n, n)
	var s mat.Dense
	s.Mul(m, m.T())
	for i := range n {
		s.Set(i, i, s.At(i, i)+1)
		for j := range i {
			s.Set(j, i, s.At(i, j))
		}
	}
	return &s
}

func data(m mat.Matrix) []float64 { return mat.DenseCopyOf(m).RawMatrix().Data }

// TestLinalgValues checks every operation against gonum's mat, and the
// identities inv(A) @ A = I, A @ solve(A, b) = b and L @ Lᵀ = S.
func TestLinalgValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range linalgSizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			A, S := wellConditioned(rng, n, true), spd(rng, n)
			bv, B := randomDense(rng, n, 1).RawMatrix().Data, randomDense(rng, n, 3)
			b := NewBuilder()
			a, s := b.Var("A", Matrix(n, n)), b.Var("S", Matrix(n, n))
			u, c := b.Var("b", Vector(n)), b.Var("B", Matrix(n, 3))
			L := b.Cholesky(s)
			outs := []Node{
				b.Trace(a), b.Det(a), b.LogDet(a), b.LogDet(s), b.Inv(a),
				b.Solve(a, u), b.Solve(a, c), b.Solve(b.Transpose(a), u), L,
				b.MatMul(b.Inv(a), a), b.MatMul(a, b.Solve(a, u)), b.MatMul(L, b.Transpose(L)),
			}
			require.NoError(t, b.Err())
			got := eval(t, b.Graph(), [][]float64{data(A), data(S), bv, data(B)}, outs...)

			logAbs, sign := mat.LogDet(A)
			assert.Equal(t, -1.0, sign, "the determinant is negative")
			logS, _ := mat.LogDet(S)
			var inv, x, xm, xt mat.Dense
			require.NoError(t, inv.Inverse(A))
			require.NoError(t, x.Solve(A, mat.NewVecDense(n, bv)))
			require.NoError(t, xm.Solve(A, B))
			require.NoError(t, xt.Solve(A.T(), mat.NewVecDense(n, bv)))
			var chol mat.Cholesky
			require.True(t, chol.Factorize(mat.NewSymDense(n, data(S))))
			var l mat.TriDense
			chol.LTo(&l)
			identity := data(mat.NewDiagDense(n, ones(n)))

			const tol = 1e-12
			assert.InDelta(t, mat.Trace(A), got[0][0], tol, "trace")
			assert.InDelta(t, mat.Det(A), got[1][0], tol*math.Abs(mat.Det(A)), "det")
			assert.InDelta(t, logAbs, got[2][0], tol, "logdet of a matrix of negative determinant: log |det|")
			assert.InDelta(t, logS, got[3][0], tol, "logdet of a symmetric positive definite matrix, by Cholesky")
			assert.InDeltaSlice(t, data(&inv), got[4], tol, "inv")
			assert.InDeltaSlice(t, data(&x), got[5], tol, "solve with a vector")
			assert.InDeltaSlice(t, data(&xm), got[6], tol, "solve with a matrix")
			assert.InDeltaSlice(t, data(&xt), got[7], tol, "solve with A transposed")
			assert.InDeltaSlice(t, data(&l), got[8], tol, "cholesky")
			assert.InDeltaSlice(t, identity, got[9], tol, "inv(A) @ A = I")
			assert.InDeltaSlice(t, bv, got[10], tol, "A @ solve(A, b) = b")
			assert.InDeltaSlice(t, data(S), got[11], tol*float64(n), "L @ transpose(L) = S")
		})
	}
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// TestLogDetPaths checks that logdet takes the Cholesky path only for a
// symmetric positive definite matrix and falls back on LU for a symmetric
// matrix that is not: the values agree with the LU of the same matrix.
func TestLogDetPaths(t *testing.T) {
	b := NewBuilder()
	a := b.Var("A", Matrix(3, 3))
	out := b.LogDet(a)
	require.NoError(t, b.Err())
	for _, A := range [][]float64{
		{4, 1, 0, 1, 3, 1, 0, 1, 2},    // positive definite: Cholesky
		{1, 2, 0, 2, 1, 0, 0, 0, 3},    // symmetric, indefinite: Cholesky fails, LU
		{-4, 1, 0, 1, -3, 1, 0, 1, -2}, // negative definite, det < 0
		{4, 1, 0, 1.5, 3, 1, 0, 1, 2},  // not symmetric: LU
	} {
		want, _ := mat.LogDet(mat.NewDense(3, 3, A))
		got := eval(t, b.Graph(), [][]float64{A}, out)
		assert.InDelta(t, want, got[0][0], 1e-14, "%v", A)
	}
}

// TestLinalgGradientIdentities checks the derivatives at random points
// against their closed forms: ∇ logdet A = A⁻ᵀ (by LU and by Cholesky),
// ∇ det A = det A · A⁻ᵀ, ∇_A trace(A B) = Bᵀ, and the Hessian-vector
// products of logdet, −A⁻ᵀVᵀA⁻ᵀ, and of det, det A · (tr(A⁻¹V) A⁻ᵀ −
// A⁻ᵀVᵀA⁻ᵀ).
func TestLinalgGradientIdentities(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range linalgSizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			A, S, B, V := wellConditioned(rng, n, n%2 == 0), spd(rng, n), randomDense(rng, n, n), randomDense(rng, n, n)
			b := NewBuilder()
			g := b.Graph()
			a, s, c := b.Var("A", Matrix(n, n)), b.Var("S", Matrix(n, n)), b.Var("B", Matrix(n, n))
			logdet, det, tr, logdetS := b.LogDet(a), b.Det(a), b.Trace(b.MatMul(a, c)), b.LogDet(s)
			require.NoError(t, b.Err())
			var grads []Node
			for _, f := range []Node{logdet, det, tr} {
				d, err := g.Grad(f, a)
				require.NoError(t, err)
				grads = append(grads, d[0])
			}
			dS, err := g.Grad(logdetS, s)
			require.NoError(t, err)
			v := g.ConstMatrix(n, n, data(V))
			hvpLogdet, err := g.JVP(grads[:1], []Node{a}, []Node{v})
			require.NoError(t, err)
			hvpDet, err := g.JVP(grads[1:2], []Node{a}, []Node{v})
			require.NoError(t, err)
			got := eval(t, g, [][]float64{data(A), data(S), data(B)}, grads[0], grads[1], grads[2], dS[0], hvpLogdet[0], hvpDet[0])

			var inv, invS, invT, h mat.Dense
			require.NoError(t, inv.Inverse(A))
			require.NoError(t, invS.Inverse(S))
			invT.CloneFrom(inv.T())
			h.Product(&invT, V.T(), &invT)
			d := mat.Det(A)
			var dInvT, hDet mat.Dense
			dInvT.Scale(d, &invT)
			var tv mat.Dense
			tv.Mul(&inv, V)
			hDet.Scale(mat.Trace(&tv), &invT)
			hDet.Sub(&hDet, &h)
			hDet.Scale(d, &hDet)
			h.Scale(-1, &h)

			const tol = 1e-12
			assert.InDeltaSlice(t, data(&invT), got[0], tol, "∇ logdet A = A⁻ᵀ")
			assert.InDeltaSlice(t, data(&dInvT), got[1], tol*math.Abs(d), "∇ det A = det A · A⁻ᵀ")
			assert.Equal(t, data(B.T()), got[2], "∇_A trace(A B) = Bᵀ")
			assert.InDeltaSlice(t, data(&invS), got[3], tol, "∇ logdet S = S⁻¹ on the Cholesky path")
			assert.InDeltaSlice(t, data(&h), got[4], tol, "HVP of logdet")
			assert.InDeltaSlice(t, data(&hDet), got[5], tol*math.Abs(d), "HVP of det")
		})
	}
}

// TestLinalgDerivatives checks functions of every operation of linear
// algebra, on every size, against central differences and the complex
// step, and their Hessian-vector products against central differences of
// the gradient. The variables are in [-1, 1]: n+1 on the diagonal keeps a
// matrix far from singular (M), and a symmetric one (P) positive definite.
func TestLinalgDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		name  string
		build func(b *Builder, v linalgVars) Node
	}{
		{"trace", func(b *Builder, v linalgVars) Node {
			return b.Add(b.Trace(b.MatMul(v.A, b.Sin(v.B))), b.Mul(b.Trace(v.M), b.Trace(b.Exp(v.A))))
		}},
		{"det", func(b *Builder, v linalgVars) Node { return b.Add(b.Det(v.M), b.Mul(b.Det(v.A), b.Det(b.Exp(v.B)))) }},
		{"logdet", func(b *Builder, v linalgVars) Node { return b.Mul(b.LogDet(v.M), b.Sum(b.Exp(v.u))) }},
		{"logdet of a negative determinant", func(b *Builder, v linalgVars) Node { return b.LogDet(b.Neg(b.Transpose(v.M))) }},
		{"logdet by Cholesky", func(b *Builder, v linalgVars) Node { return b.Add(b.LogDet(v.P), b.Dot(v.u, v.u)) }},
		{"inv", func(b *Builder, v linalgVars) Node {
			return b.Add(b.Sum(b.Mul(b.Inv(v.M), v.B)), b.Dot(v.u, b.MatMul(b.Inv(b.MatMul(v.M, v.M)), v.u)))
		}},
		{"solve with a vector", func(b *Builder, v linalgVars) Node { return b.Dot(b.Solve(v.M, b.Sin(v.u)), v.u) }},
		{"solve with a matrix", func(b *Builder, v linalgVars) Node { return b.Sum(b.Pow(b.Solve(v.M, v.B), b.Const(2))) }},
		{"solve with A transposed", func(b *Builder, v linalgVars) Node {
			return b.Sum(b.Mul(b.Solve(b.Transpose(v.M), b.Exp(v.B)), v.A))
		}},
		{"cholesky", func(b *Builder, v linalgVars) Node { return b.Sum(b.Mul(b.Cholesky(v.P), b.Exp(v.B))) }},
		{"cholesky of a matrix not symmetric", func(b *Builder, v linalgVars) Node {
			n := b.Graph().Shape(v.A).Dim(0)
			spd := b.Add(b.MatMul(v.A, b.Transpose(v.A)), b.Add(v.B, b.Mul(b.Const(float64(n+1)), b.Graph().ConstMatrix(n, n, identity(n)))))
			return b.Sum(b.Sin(b.Cholesky(spd)))
		}},
		{"log-likelihood of a Gaussian", func(b *Builder, v linalgVars) Node {
			L := b.Cholesky(v.P)
			z := b.Solve(L, v.u)
			return b.Add(b.Sum(b.Log(b.Diag(L))), b.Mul(b.Const(0.5), b.Dot(z, z)))
		}},
	}
	for _, c := range cases {
		for _, n := range linalgSizes {
			t.Run(fmt.Sprintf("%s/%d", c.name, n), func(t *testing.T) {
				b := NewBuilder()
				y := c.build(b, newLinalgVars(b, n))
				require.NoError(t, b.Err())
				checkNumeric(t, rng, b.Graph(), y)
			})
		}
	}
}

// linalgVars are the variables of the derivative tests: A and B, n×n, and
// u, a vector of n; M and P are made of them, M = A + (n+1)·I far from
// singular, P = (B + Bᵀ)/2 + (n+1)·I symmetric positive definite.
type linalgVars struct{ A, B, u, M, P Node }

func newLinalgVars(b *Builder, n int) linalgVars {
	v := linalgVars{A: b.Var("A", Matrix(n, n)), B: b.Var("B", Matrix(n, n)), u: b.Var("u", Vector(n))}
	shift := b.Mul(b.Const(float64(n+1)), b.Graph().ConstMatrix(n, n, identity(n)))
	v.M = b.Add(v.A, shift)
	v.P = b.Add(b.Mul(b.Const(0.5), b.Add(v.B, b.Transpose(v.B))), shift)
	return v
}

func identity(n int) []float64 { return data(mat.NewDiagDense(n, ones(n))) }

// TestLinalgShapes checks the shape rules' errors.
func TestLinalgShapes(t *testing.T) {
	g := NewGraph()
	A, S := must(g.Var("A", Matrix(2, 3))), must(g.Var("S", Matrix(3, 3)))
	u, w, x := must(g.Var("u", Vector(3))), must(g.Var("w", Vector(2))), must(g.Var("x", Scalar()))
	for _, name := range []string{"trace", "det", "logdet", "inv", "cholesky"} {
		_, err := g.Call(name, A)
		assert.EqualError(t, err, fmt.Sprintf("shape mismatch in %s: matrix(2×3) (%s takes a square matrix)", name, name))
		_, err = g.Call(name, u)
		assert.EqualError(t, err, fmt.Sprintf("shape mismatch in %s: vector(3) (%s takes a square matrix)", name, name))
		n, err := g.Call(name, S)
		require.NoError(t, err)
		want := S
		if name == "trace" || name == "det" || name == "logdet" {
			want = x
		}
		assert.Equal(t, g.Shape(want), g.Shape(n), name)
	}
	for _, c := range []struct {
		a, b Node
		err  string
	}{
		{S, u, ""},
		{S, g.transpose(A), ""},
		{A, w, "shape mismatch in solve: matrix(2×3) (solve takes a square matrix)"},
		{S, w, "shape mismatch in solve: matrix(3×3) and vector(2) (B must be a vector or a matrix of 3 rows)"},
		{S, A, "shape mismatch in solve: matrix(3×3) and matrix(2×3) (B must be a vector or a matrix of 3 rows)"},
		{S, x, "shape mismatch in solve: matrix(3×3) and scalar (B must be a vector or a matrix of 3 rows)"},
	} {
		n, err := g.Call("solve", c.a, c.b)
		if c.err != "" {
			assert.EqualError(t, err, c.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, g.Shape(c.b), g.Shape(n))
	}
}

// TestLinalgSingular checks that a singular matrix, or one that is not
// positive definite for cholesky, gives values that say so, in real and
// in complex arithmetic, and that a checked run names the node.
func TestLinalgSingular(t *testing.T) {
	b := NewBuilder()
	a := b.Var("A", Matrix(2, 2))
	u := b.Var("u", Vector(2))
	outs := []Node{b.Det(a), b.LogDet(a), b.Inv(a), b.Solve(a, u), b.Cholesky(a)}
	require.NoError(t, b.Err())
	g := b.Graph()
	in := [][]float64{{1, 2, 2, 4}, {1, 1}}
	got := eval(t, g, in, outs...)
	assert.Equal(t, 0.0, got[0][0], "det")
	assert.Equal(t, math.Inf(-1), got[1][0], "logdet")
	for k, what := range []string{"inv", "solve", "cholesky of a matrix that is not positive definite"} {
		for _, x := range got[2+k] {
			assert.True(t, math.IsNaN(x), "%s: %v", what, got[2+k])
		}
	}

	cin := [][]complex128{{1, 2, 2, 4}, {1, 1}}
	cout, err := g.EvalComplex(outs, cin)
	require.NoError(t, err)
	assert.Equal(t, complex128(0), cout[0][0], "complex det")
	assert.True(t, math.IsInf(real(cout[1][0]), -1), "complex logdet")
	for k := 2; k < len(outs); k++ {
		for _, z := range cout[k] {
			assert.True(t, cmplx.IsNaN(z), "complex %s", g.Format(outs[k]))
		}
	}

	for k, want := range []string{
		"",
		"logdet(A) is -Inf: logdet got 4",
		"inv(A) is NaN: inv got 4",
		"solve(A, u) is NaN: solve got 4 and 1",
		"cholesky(A) is NaN: cholesky got 4",
	} {
		p, err := g.Compile(outs[k])
		require.NoError(t, err)
		err = p.RunChecked(p.NewWorkspace(), in)
		if want == "" {
			assert.NoError(t, err)
			continue
		}
		assert.True(t, IsNonFinite(err))
		assert.EqualError(t, err, want)
	}
}

// TestLinalgRunAllocatesNothing checks that the factorizations run in the
// workspace's scratch space, sized when compiling, values and gradients
// alike.
func TestLinalgRunAllocatesNothing(t *testing.T) {
	skipIfPooledBuffersAllocate(t)
	const n = 60
	b := NewBuilder()
	v := newLinalgVars(b, n)
	f := b.Add(b.Add(b.LogDet(v.M), b.Det(b.Mul(b.Const(0.2), v.P))), b.Add(b.Sum(b.Cholesky(v.P)), b.Dot(b.Solve(v.M, v.u), b.MatMul(b.Inv(v.M), v.u))))
	f = b.Add(f, b.Trace(b.Solve(b.Transpose(v.P), v.A)))
	require.NoError(t, b.Err())
	grad, err := b.Graph().Grad(f, b.Graph().Vars()...)
	require.NoError(t, err)
	p, err := b.Graph().Compile(append([]Node{f}, grad...)...)
	require.NoError(t, err)
	ws := p.NewWorkspace()
	rng := rand.New(rand.NewPCG(1, 1))
	in := [][]float64{data(randomDense(rng, n, n)), data(randomDense(rng, n, n)), randomDense(rng, n, 1).RawMatrix().Data}
	require.NoError(t, p.Run(ws, in))
	assert.False(t, math.IsNaN(ws.Scalar(0)))
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = p.Run(ws, in) }))
}

// TestLinalgPrinted checks the printed derivatives, which are the
// textbook ones, and what the printed solve cannot show: that the solve
// of a transpose keeps A and transposes it in place.
func TestLinalgPrinted(t *testing.T) {
	b := NewBuilder()
	a, c, u, w := b.Var("A", Matrix(3, 3)), b.Var("C", Matrix(3, 3)), b.Var("u", Vector(3)), b.Var("w", Vector(3))
	g := b.Graph()
	for _, c := range []struct {
		f    Node
		want string
	}{
		{b.LogDet(a), "transpose(inv(A))"},
		{b.Det(a), "det(A) * transpose(inv(A))"},
		{b.Trace(a), "diag(fill(1, 3))"},
		{b.Sum(b.Mul(b.Inv(a), c)), "-(transpose(inv(A)) @ C @ transpose(inv(A)))"},
		{b.Dot(b.Solve(a, u), w), "-outer(solve(transpose(A), w), solve(A, u))"},
	} {
		require.NoError(t, b.Err())
		d, err := g.Grad(c.f, a)
		require.NoError(t, err)
		assert.Equal(t, c.want, g.Format(d[0]), "∇ %s", g.Format(c.f))
	}
	s := b.Solve(b.Transpose(a), u)
	assert.Equal(t, OpSolve, g.Op(s))
	assert.Equal(t, []Node{a, u}, g.Args(s))
	assert.Equal(t, [3]int{1}, g.at(s).p)
}

// A product plus a broadcast row, A @ B + r, is one instruction that adds
// the product into copies of the row, in every transposition, with the
// row a vector or a 1×n matrix on either side of the sum. The kernels sum
// each element's products before adding them to C, so up to k = 256 the
// result is the product plus the row to the bit; beyond, where products
// of blocks add into C one after the other, it stays within the bound of
// any summation, (k+1)·ε·(Σ|a||b| + |r|), of the exact value.
func TestMatMulAddsRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	for _, tc := range []struct {
		m, k, n      int
		aT, bT, left bool
		rowMatrix    bool
	}{
		{m: 7, k: 5, n: 9},
		{m: 13, k: 32, n: 10, aT: true},
		{m: 6, k: 64, n: 11, bT: true, left: true},
		{m: 9, k: 3, n: 4, aT: true, bT: true, rowMatrix: true},
		{m: 40, k: 300, n: 17},
		{m: 5, k: 600, n: 8, aT: true, left: true},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d", tc.m, tc.k, tc.n), func(t *testing.T) {
			a, bm, r := normals(rng, tc.m*tc.k), normals(rng, tc.k*tc.n), normals(rng, tc.n)
			b := NewBuilder()
			aAt := func(i, l int) float64 { return a[i*tc.k+l] }
			bAt := func(l, j int) float64 { return bm[l*tc.n+j] }
			aShape, bShape := Matrix(tc.m, tc.k), Matrix(tc.k, tc.n)
			if tc.aT {
				aShape, aAt = Matrix(tc.k, tc.m), func(i, l int) float64 { return a[l*tc.m+i] }
			}
			if tc.bT {
				bShape, bAt = Matrix(tc.n, tc.k), func(l, j int) float64 { return bm[j*tc.k+l] }
			}
			A, B := b.Var("A", aShape), b.Var("B", bShape)
			if tc.aT {
				A = b.Transpose(A)
			}
			if tc.bT {
				B = b.Transpose(B)
			}
			shape := Vector(tc.n)
			if tc.rowMatrix {
				shape = Matrix(1, tc.n)
			}
			R := b.Var("r", shape)
			P := b.MatMul(A, B)
			y := b.Add(P, R)
			if tc.left {
				y = b.Add(R, P)
			}
			require.NoError(t, b.Err())
			g := b.Graph()
			p, err := g.Compile(y)
			require.NoError(t, err)
			merged := 0
			for _, in := range p.code {
				if in.merge == mergeMatMulRow {
					merged++
				}
			}
			require.Equal(t, 1, merged)
			in := [][]float64{a, bm, r}
			got := eval(t, g, in, y)[0]
			// With the product an output, the sum is an add of its own.
			apart := eval(t, g, in, y, P)[0]
			for i := range tc.m {
				for j := range tc.n {
					e := i*tc.n + j
					if tc.k <= 256 {
						assert.Equal(t, math.Float64bits(apart[e]), math.Float64bits(got[e]), "[%d,%d]", i, j)
						continue
					}
					exact, mag := new(big.Float).SetPrec(200).SetFloat64(r[j]), math.Abs(r[j])
					for l := range tc.k {
						x := new(big.Float).SetPrec(200).SetFloat64(aAt(i, l))
						exact.Add(exact, x.Mul(x, new(big.Float).SetFloat64(bAt(l, j))))
						mag += math.Abs(aAt(i, l) * bAt(l, j))
					}
					want, _ := exact.Float64()
					assert.InDelta(t, want, got[e], float64(tc.k+1)*0x1p-53*mag, "[%d,%d]", i, j)
				}
			}
		})
	}
}
