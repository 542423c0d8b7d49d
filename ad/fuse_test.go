package ad

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/internal/vmath"
)

// TestFusedScattersMatchBitForBit compares the gradients and Hessian-vector
// products of functions of slices, whose adjoints fused groups add straight
// into the gradient, with the same programs compiled without fusion: every
// bit must agree, signed zeros too. The values (sums) are compared where
// one block covers the whole vector, since blocks sum in a different order.
// Lengths from 40 000 split groups across the goroutine lanes.
func TestFusedScattersMatchBitForBit(t *testing.T) {
	sq := func(g *Graph, a Node) Node { return g.bin(OpPow, a, g.Const(2)) }
	tests := []struct {
		name string
		f    func(g *Graph, x Node) Node
	}{
		{"extended Rosenbrock", func(g *Graph, x Node) Node {
			hi, lo := must(g.Slice(x, 1, None, None)), must(g.Slice(x, None, -1, None))
			return g.reduce(OpSum, g.add2(g.mul(g.Const(100), sq(g, g.sub(hi, sq(g, lo)))), sq(g, g.sub(g.Const(1), lo))))
		}},
		// Three slices give each element three terms: the third is added
		// outside the group.
		{"three slices", func(g *Graph, x Node) Node {
			a, b, c := must(g.Slice(x, 2, None, None)), must(g.Slice(x, 1, -1, None)), must(g.Slice(x, None, -2, None))
			return g.reduce(OpSum, g.sub(g.mul(a, b), g.mul(c, g.bin(OpPow, b, g.Const(3)))))
		}},
		// Zeros around the scatter: +0 where nothing is added.
		{"middle", func(g *Graph, x Node) Node {
			return g.reduce(OpSum, g.mul(g.Const(-1), g.bin(OpPow, must(g.Slice(x, 2, -3, None)), g.Const(3))))
		}},
	}
	for _, tt := range tests {
		for _, n := range []int{300, 999, 40000, 100003} {
			g := NewGraph()
			x, _ := g.Var("x", Vector(n))
			v, _ := g.Var("v", Vector(n))
			f := tt.f(g, x)
			grad, err := g.Grad(f, x)
			require.NoError(t, err)
			hv, err := g.JVP(grad, []Node{x}, []Node{v})
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			xs, vs := make([]float64, n), make([]float64, n)
			for i := range xs {
				xs[i], vs[i] = rng.NormFloat64(), rng.NormFloat64()
				switch i % 7 {
				case 3:
					xs[i] = 0
				case 5:
					xs[i] = math.Copysign(0, -1)
				}
			}
			// The last element of the extended Rosenbrock gradient is
			// 200(x[n-1] - x[n-2]²): -0 here, which a copy keeps but the
			// scatteradd onto +0 does not.
			xs[n-2], xs[n-1] = 0, math.Copysign(0, -1)
			outs := []Node{f, grad[0], hv[0]}
			fused := eval(t, g, [][]float64{xs, vs}, outs...)
			fusionOff = true
			plain := eval(t, g, [][]float64{xs, vs}, outs...)
			fusionOff = false
			first := 1
			if n <= blockLen {
				first = 0
			}
			for k := first; k < len(outs); k++ {
				for i := range plain[k] {
					if math.Float64bits(fused[k][i]) != math.Float64bits(plain[k][i]) {
						t.Fatalf("%s, n = %d: output %d[%d] is %v fused, %v plain", tt.name, n, k, i, fused[k][i], plain[k][i])
					}
				}
			}
		}
	}
}

// The gradient of the extended Rosenbrock function needs no vector buffer
// but the gradient itself: the adjoints of x[1:] and x[:-1] are added into
// it block by block.
func TestSliceAdjointsNeedNoBuffers(t *testing.T) {
	for _, n := range []int{1000, 100000} {
		g := NewGraph()
		x, _ := g.Var("x", Vector(n))
		hi, lo := must(g.Slice(x, 1, None, None)), must(g.Slice(x, None, -1, None))
		d := g.sub(hi, g.bin(OpPow, lo, g.Const(2)))
		f := g.reduce(OpSum, g.add2(g.mul(g.Const(100), g.bin(OpPow, d, g.Const(2))), g.bin(OpPow, g.sub(g.Const(1), lo), g.Const(2))))
		grad, err := g.Grad(f, x)
		require.NoError(t, err)
		p, err := g.Compile(f, grad[0])
		require.NoError(t, err)
		assert.Equal(t, n, p.BufferLen(), "n = %d", n)
	}
}

// TestFusedSumsAddBlocksInOrder checks the order in which a fused group
// sums a long vector, whatever its tiles: each block of blockLen elements
// on its own, with four accumulators, the blocks' parts added in turn from
// zero in each half of a group split across lanes, and the halves' totals
// added last. The order fixes every bit of the result.
func TestFusedSumsAddBlocksInOrder(t *testing.T) {
	for _, n := range []int{300, 5000, 100003} {
		g := NewGraph()
		x, _ := g.Var("x", Vector(n))
		e := g.bin(OpMul, g.Const(3), must(g.Call("exp", x)))
		f := g.reduce(OpSum, must(g.Call("sin", e)))
		rng := rand.New(rand.NewPCG(uint64(n), 8))
		xs := make([]float64, n)
		terms := make([]float64, n)
		for i := range xs {
			xs[i] = rng.NormFloat64()
			terms[i] = math.Sin(3 * vmath.Exp1(xs[i]))
		}
		blocks := func(lo, hi int) float64 {
			s := 0.0
			for k := lo; k < hi; k += blockLen {
				s += sum(terms[k:min(k+blockLen, hi)])
			}
			return s
		}
		want := blocks(0, n)
		if n >= parallelLen && startLanes() {
			half := (n/2 + blockLen - 1) / blockLen * blockLen
			want = blocks(0, half) + blocks(half, n)
		}
		got := eval(t, g, [][]float64{xs}, f)
		assert.Equal(t, math.Float64bits(want), math.Float64bits(got[0][0]), "n = %d: %v, want %v", n, got[0][0], want)
	}
}

// A scatteradd's vector that a fused group adds straight into its
// destination is still the node a checked run names when it overflows,
// at its own element.
func TestFusedScatterOverflowExplained(t *testing.T) {
	const n = 1000
	g := NewGraph()
	x, _ := g.Var("x", Vector(n))
	y, _ := g.Var("y", Vector(n))
	head := g.scatter(g.mul(g.Const(3), x), n+1, 1, 1)
	sum := g.add2(g.mul(g.Const(1e308), x), g.mul(g.Const(1e308), y)) // 2e308 where both are 1
	out := must(g.build(OpScatterAdd, [3]int{0, 1}, head, sum))
	p, err := g.Compile(out)
	require.NoError(t, err)
	require.Len(t, p.code, 1, "one fused group")
	require.Less(t, len(p.code[0].fused.fast), len(p.code[0].fused.code), "the sum is added in place")
	ws := p.NewWorkspace()
	xs, ys := make([]float64, n), make([]float64, n)
	xs[700], ys[700] = 1, 1
	require.NoError(t, p.Run(ws, [][]float64{xs, ys}))
	assert.True(t, math.IsInf(ws.Output(0)[700], 1))
	err = p.RunChecked(ws, [][]float64{xs, ys})
	var nf *NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "add", nf.Op)
	assert.Equal(t, 700, nf.Index)
	assert.Equal(t, []float64{1e308, 1}, nf.Args, "1e308·x and y")
}

// Two variables sliced in one group: two destinations, each with its
// seam when the group splits across lanes.
func TestFusedScattersIntoTwoGradients(t *testing.T) {
	for _, n := range []int{1000, 50001} {
		g := NewGraph()
		x, _ := g.Var("x", Vector(n))
		y, _ := g.Var("y", Vector(n))
		xh, xl := must(g.Slice(x, 2, None, None)), must(g.Slice(x, None, -2, None))
		yh, yl := must(g.Slice(y, 1, -1, None)), must(g.Slice(y, None, -2, None))
		d := g.sub(g.mul(xh, yl), xl)
		f := g.reduce(OpSum, g.add2(g.bin(OpPow, d, g.Const(2)), g.mul(yh, must(g.Call("sin", xl)))))
		grad, err := g.Grad(f, x, y)
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range xs {
			xs[i], ys[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		fused := eval(t, g, [][]float64{xs, ys}, grad...)
		fusionOff = true
		plain := eval(t, g, [][]float64{xs, ys}, grad...)
		fusionOff = false
		for k := range plain {
			for i := range plain[k] {
				require.Equal(t, math.Float64bits(plain[k][i]), math.Float64bits(fused[k][i]), "n = %d, gradient %d[%d]", n, k, i)
			}
		}
	}
}

// The extended Rosenbrock gradient and Hessian-vector product run as one
// fused group each, whose members unchecked runs merge into fewer passes
// over each tile (TestFusedScattersMatchBitForBit checks that they compute
// the same bits): the gradient's ten members in five passes, the
// product's eleven in five.
func TestRosenbrockPassesPerTile(t *testing.T) {
	g := NewGraph()
	x, _ := g.Var("x", Vector(1000))
	v, _ := g.Var("v", Vector(1000))
	hi, lo := must(g.Slice(x, 1, None, None)), must(g.Slice(x, None, -1, None))
	sq := func(a Node) Node { return g.bin(OpPow, a, g.Const(2)) }
	f := g.reduce(OpSum, g.add2(g.mul(g.Const(100), sq(g.sub(hi, sq(lo)))), sq(g.sub(g.Const(1), lo))))
	grad, err := g.Grad(f, x)
	require.NoError(t, err)
	hv, err := g.JVP(grad, []Node{x}, []Node{v})
	require.NoError(t, err)
	tests := []struct {
		name          string
		outs          []Node
		members, fast int
	}{
		{"gradient", []Node{f, grad[0]}, 10, 5},
		{"Hessian-vector product", hv, 11, 5},
	}
	for _, tt := range tests {
		p, err := g.Compile(tt.outs...)
		require.NoError(t, err)
		groups := fusedGroups(p)
		require.Len(t, groups, 1, tt.name)
		assert.Equal(t, tt.members, len(groups[0].code), tt.name)
		assert.Equal(t, tt.fast, len(groups[0].fast), tt.name)
	}
}

// A checked run finds a non-finite element of an output that a fused
// group adds into, wherever it is: at either end, at tile boundaries and
// at the seam of a group split across lanes, where the group checks it
// rather than a pass over the output after the run.
func TestFusedOutputsCheckedInTiles(t *testing.T) {
	for _, n := range []int{1000, 50001} {
		g := NewGraph()
		x, _ := g.Var("x", Vector(n))
		y, _ := g.Var("y", Vector(n))
		// out[i] = 2y[i] + 3x[i-1], of n+1 elements.
		head := g.scatter(g.mul(g.Const(3), x), n+1, 1, 1)
		out := must(g.build(OpScatterAdd, [3]int{0, 1}, head, g.mul(g.Const(2), y)))
		p, err := g.Compile(out)
		require.NoError(t, err)
		require.Equal(t, []bool{true}, p.folded, "n = %d: the output is checked in its group", n)
		ws := p.NewWorkspace()
		xs, ys := make([]float64, n), make([]float64, n)
		in := [][]float64{xs, ys}
		require.NoError(t, p.RunChecked(ws, in))
		half := (n/2 + blockLen - 1) / blockLen * blockLen
		for _, j := range []int{0, 1, 254, 255, 256, 257, half - 1, half, half + 1, n - 1, n} {
			if j > n {
				continue
			}
			// out[j] is the one infinite element.
			v := ys
			if j == n {
				v, j = xs, j-1
			}
			v[j] = 1e308
			err := p.RunChecked(ws, in)
			var nf *NonFiniteError
			require.ErrorAs(t, err, &nf, "n = %d, element %d", n, j)
			v[j] = 0
			require.NoError(t, p.RunChecked(ws, in), "n = %d, after element %d", n, j)
		}
	}
}

// TestFusedBroadcastsMatchBitForBit compares functions of a matrix and
// of a row and a column broadcast against it, on either side of each
// binary op, with the same programs compiled without fusion: fused
// groups write the broadcasts a tile at a time and reduce along either
// axis as they go, and every bit of the value, the gradient, a JVP and an
// HVP must agree, signed zeros too. The shapes run from one tile to groups
// long enough to split across lanes, which those that reduce along an
// axis must not.
func TestFusedBroadcastsMatchBitForBit(t *testing.T) {
	type mats struct{ A, r, c Node } // m×n, a row of n, an m×1 column
	layouts := []struct {
		name string
		args func(v mats) (Node, Node)
	}{
		{"matrix, row", func(v mats) (Node, Node) { return v.A, v.r }},
		{"row, matrix", func(v mats) (Node, Node) { return v.r, v.A }},
		{"matrix, column", func(v mats) (Node, Node) { return v.A, v.c }},
		{"column, matrix", func(v mats) (Node, Node) { return v.c, v.A }},
		{"row, column", func(v mats) (Node, Node) { return v.r, v.c }},
		{"column, row", func(v mats) (Node, Node) { return v.c, v.r }},
	}
	ops := []Op{OpAdd, OpSub, OpMul, OpDiv, OpMin, OpMax, OpHypot, OpAtan2}
	for _, sz := range [][2]int{{16, 16}, {7, 301}, {130, 3}, {97, 410}} {
		m, n := sz[0], sz[1]
		rng := rand.New(rand.NewPCG(uint64(m), uint64(n)))
		point := func(k int) []float64 {
			v := make([]float64, k)
			for i := range v {
				v[i] = rng.NormFloat64()
				switch rng.IntN(9) {
				case 0:
					v[i] = 0
				case 1:
					v[i] = math.Copysign(0, -1)
				}
			}
			return v
		}
		in := [][]float64{point(m * n), point(n), point(m), point(m * n), point(n), point(m)}
		for _, op := range ops {
			for _, l := range layouts {
				g := NewGraph()
				var v, dv mats
				v.A, _ = g.Var("A", Matrix(m, n))
				v.r, _ = g.Var("r", Vector(n))
				v.c, _ = g.Var("c", Matrix(m, 1))
				dv.A, _ = g.Var("dA", Matrix(m, n))
				dv.r, _ = g.Var("dr", Vector(n))
				dv.c, _ = g.Var("dc", Matrix(m, 1))
				a, b := l.args(v)
				y := g.bin(op, a, b)
				// Reductions along both axes, and a broadcast of each
				// that an elementwise op reads back.
				cols := g.sub(must(g.Call("sin", y)), g.unreduce(must(g.build(OpMinAxis, [3]int{0}, y)), 0, Matrix(m, n)))
				rows := g.mul(y, g.unreduce(g.sumAxis(g.mul(y, y), 1), 1, Matrix(m, n)))
				f := g.add2(g.reduce(OpSum, g.sumAxis(cols, 0)), g.reduce(OpSum, must(g.build(OpMaxAxis, [3]int{1}, rows))))
				xs, ds := []Node{v.A, v.r, v.c}, []Node{dv.A, dv.r, dv.c}
				grad, err := g.Grad(f, xs...)
				require.NoError(t, err)
				jvp, err := g.JVP([]Node{f}, xs, ds)
				require.NoError(t, err)
				hvp, err := g.HVP(f, xs, ds)
				require.NoError(t, err)
				outs := append(append([]Node{f, jvp[0]}, grad...), hvp...)
				// And a matrix alone, whose group (reducing along no
				// axis) splits across lanes at the largest shape.
				for j, outs := range [][]Node{outs, {g.mul(must(g.Call("sin", y)), y)}} {
					fused := eval(t, g, in, outs...)
					fusionOff = true
					plain := eval(t, g, in, outs...)
					fusionOff = false
					for k := range plain {
						for i := range plain[k] {
							// Any NaN for a NaN: of two NaN operands an
							// x86 instruction keeps the first's payload,
							// and the operand order is the compiler's,
							// which differs in a -race build.
							if math.IsNaN(plain[k][i]) && math.IsNaN(fused[k][i]) {
								continue
							}
							require.Equal(t, math.Float64bits(plain[k][i]), math.Float64bits(fused[k][i]),
								"%s(%s), %d×%d: program %d, output %d[%d] is %v fused, %v plain", op, l.name, m, n, j, k, i, fused[k][i], plain[k][i])
						}
					}
				}
			}
		}
	}
}

// TestSumsReadBroadcastRows checks that a sum or difference of a matrix
// and a row or a column broadcast for it alone reads the row or column
// itself in unchecked runs (addRowTile, subRowTile, addColTile,
// subColTile), on either side of the op and with a tile starting inside
// a row, and gives the unfused values to the bit.
func TestSumsReadBroadcastRows(t *testing.T) {
	const m, n = 37, 101 // tiles start inside rows
	rng := rand.New(rand.NewPCG(7, 8))
	in := [][]float64{normals(rng, m*n), normals(rng, n), normals(rng, m)}
	for _, op := range []Op{OpAdd, OpSub} {
		for _, l := range []struct {
			name string
			col  bool
			flip bool
		}{{"matrix, row", false, false}, {"row, matrix", false, true}, {"matrix, column", true, false}, {"column, matrix", true, true}} {
			g := NewGraph()
			A, _ := g.Var("A", Matrix(m, n))
			r, _ := g.Var("r", Vector(n))
			c, _ := g.Var("c", Matrix(m, 1))
			a, b := A, r
			if l.col {
				b = c
			}
			if l.flip {
				a, b = b, a
			}
			y := g.bin(op, a, b)
			outs := []Node{g.mul(must(g.Call("sin", y)), y)}
			p, err := g.Compile(outs...)
			require.NoError(t, err)
			groups := fusedGroups(p)
			require.Len(t, groups, 1, "%s(%s)", op, l.name)
			broadcasts := func(code []instr) (k int) {
				for _, in := range code {
					if p.nodes[in.node].op == OpBroadcast {
						k++
					}
				}
				return k
			}
			assert.Equal(t, 1, broadcasts(groups[0].code), "%s(%s)", op, l.name)
			assert.Equal(t, 0, broadcasts(groups[0].fast), "%s(%s)", op, l.name)

			fused := eval(t, g, in, outs...)
			fusionOff = true
			plain := eval(t, g, in, outs...)
			fusionOff = false
			for i := range plain[0] {
				require.Equal(t, math.Float64bits(plain[0][i]), math.Float64bits(fused[0][i]), "%s(%s): element %d", op, l.name, i)
			}
		}
	}
}

// A broadcast read only by a fused group is written a tile at a time, and
// reductions along an axis add each tile in: the k×n matrices of the
// k-means direction J ⊘ (H·1) are the product's, the distances', the
// nearest mask's and the adjoint's, in two buffers, where the broadcasts
// of the squared norms, of the minima and of the counts took three more.
func TestBroadcastsNeedNoBuffers(t *testing.T) {
	const k, n = 20, 500
	p := kmeansDirection(t, k, n, func(g *Graph, C, P, D Node) Node {
		return g.add2(g.reduce(OpSum, g.mul(P, P)), g.reduce(OpSum, must(g.build(OpMinAxis, [3]int{0}, D))))
	})
	buffers := map[int]bool{}
	for _, si := range p.slotInit {
		if si.data == nil && !si.reg && si.len == k*n {
			buffers[si.off] = true
		}
	}
	assert.Len(t, buffers, 2, "k×n buffers")
	for _, in := range p.code {
		nd := &p.nodes[in.node]
		assert.False(t, nd.op == OpBroadcast && nd.shape.Len() == k*n, "a k×n broadcast outside a group")
	}
}

// A reduction along an axis in a fused group is checked once the group
// is done, when its value is whole, and not before, when the buffer it
// sums into holds the sums of the run being explained: a checked run names
// the sum when its sums overflow, and the elementwise sum of a matrix and
// a broadcast row when that overflows in the second block.
func TestFusedAxisSumOverflowExplained(t *testing.T) {
	const m, n = 100, 50 // more than a block
	g := NewGraph()
	A, _ := g.Var("A", Matrix(m, n))
	r, _ := g.Var("r", Vector(n))
	y := g.sumAxis(g.add2(A, g.broadcastTo(r, Matrix(m, n))), 1)
	p, err := g.Compile(y)
	require.NoError(t, err)
	require.Len(t, p.code, 1, "one fused group")
	ws := p.NewWorkspace()
	tests := []struct {
		op    string
		index int
		big   func(as, rs []float64)
	}{
		{"sum", 90, func(as, rs []float64) { as[90*n+3], as[90*n+30] = 1e308, 1e308 }},
		{"add", 90*n + 3, func(as, rs []float64) { as[90*n+3], rs[3] = 1e308, 1e308 }},
	}
	for _, tt := range tests {
		as, rs := make([]float64, m*n), make([]float64, n)
		in := [][]float64{as, rs}
		require.NoError(t, p.RunChecked(ws, in))
		tt.big(as, rs)
		err = p.RunChecked(ws, in)
		var nf *NonFiniteError
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, tt.op, nf.Op)
		assert.Equal(t, tt.index, nf.Index)
	}
}

// The value and gradient of a logistic regression's loss, sum(softplus(z)
// − y·z), and of a least-squares loss, sum((z − y)²), with z = X w, run in
// one fused group each: the scaling of the loss after it, and the pass of
// the gradient over z in it. There softplus(z) and its derivative σ(z)
// share one member, which takes one exponential per element, and the sum
// of squares reads the residuals without a member to square them. Both
// give the bits the members give one by one.
func TestLossAndGradientInOnePass(t *testing.T) {
	const n, d = 10007, 3
	rng := rand.New(rand.NewPCG(3, 4))
	X, y, ws := make([]float64, n*d), make([]float64, n), make([]float64, d)
	for i := range X {
		X[i] = 4 * rng.NormFloat64()
	}
	for i := range y {
		y[i] = float64(rng.IntN(2))
	}
	for i := range ws {
		ws[i] = rng.NormFloat64()
	}
	// Zeros of either sign, infinities and NaN take each branch of
	// softplus and σ.
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 800, -800, 1e-300}
	tests := []struct {
		name          string
		loss          func(g *Graph, z, y Node) Node
		members, fast int
	}{
		{"logistic", func(g *Graph, z, y Node) Node {
			return g.reduce(OpSum, g.sub(g.un(OpSoftplus, z), g.mul(y, z)))
		}, 5, 4},
		{"least squares", func(g *Graph, z, y Node) Node {
			return g.reduce(OpSum, g.bin(OpPow, g.sub(z, y), g.Const(2)))
		}, 4, 3},
	}
	for _, tt := range tests {
		for _, withSpecial := range []bool{false, true} {
			g := NewGraph()
			w, _ := g.Var("w", Vector(d))
			Xs := slices.Clone(X)
			if withSpecial {
				for k, v := range special {
					Xs[k*d] = v
				}
			}
			z := must(g.MatMul(g.constOf(Matrix(n, d), Xs), w))
			f := g.mul(g.Const(1.0/n), tt.loss(g, z, g.constOf(Vector(n), y)))
			grad, err := g.Grad(f, w)
			require.NoError(t, err)
			p, err := g.Compile(f, grad[0])
			require.NoError(t, err)
			groups := fusedGroups(p)
			require.Len(t, groups, 1, tt.name)
			assert.Equal(t, tt.members, len(groups[0].code), tt.name)
			assert.Equal(t, tt.fast, len(groups[0].fast), tt.name)

			fused := eval(t, g, [][]float64{ws}, f, grad[0])
			fusionOff = true
			plain := eval(t, g, [][]float64{ws}, f, grad[0])
			fusionOff = false
			if n <= blockLen {
				assert.Equal(t, math.Float64bits(plain[0][0]), math.Float64bits(fused[0][0]), tt.name)
			}
			for i := range plain[1] {
				assert.Equal(t, math.Float64bits(plain[1][i]), math.Float64bits(fused[1][i]), "%s: gradient[%d]", tt.name, i)
			}
		}
	}
}

// softplusSigmoidV gives softplus and sigmoid's bits, wherever the
// exponential they share is.
func TestSoftplusSigmoidBitForBit(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-310, -1e-310,
		1e-17, -1e-17, 0.5, -0.5, 1, -1, 36, -36, 37, -37, 709, -709, 745, -745, 800, -800, math.MaxFloat64, -math.MaxFloat64}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 1000 {
		xs = append(xs, 30*rng.NormFloat64())
	}
	ws := &Workspace{v: [][]float64{xs, make([]float64, len(xs)), make([]float64, len(xs))}}
	softplusSigmoidV(ws, &instr{a: 0, dst: 1, b: 2})
	for i, x := range xs {
		assert.Equal(t, math.Float64bits(softplus(x)), math.Float64bits(ws.v[1][i]), "softplus(%v)", x)
		assert.Equal(t, math.Float64bits(sigmoid(x)), math.Float64bits(ws.v[2][i]), "sigmoid(%v)", x)
	}
}

// In the gradient of a perceptron's softmax cross-entropy, work waiting
// for an open group (a product, a row sum) does not keep a vector of
// another length from starting a group of its own: the derivative of tanh,
// (1 − h)(1 + h), and its product with the adjoint run as one group, as do
// the softmax's division and the term added to it, each with the sums
// along an axis and the broadcasts that read or feed it; the products add
// the biases (matmulRowMM), in unchecked runs the logsumexp's maxima are
// subtracted without broadcasts (subColTile), and the derivative of tanh
// and the product are one kernel (mulDiffSum). The gradient is the unfused
// one to the bit.
func TestWaitingWorkLeavesOtherGroupsWhole(t *testing.T) {
	const n, d, h, k = 300, 3, 5, 2
	rng := rand.New(rand.NewPCG(5, 6))
	random := func(m int) []float64 { return normals(rng, m) }
	Y := make([]float64, n*k)
	for i := range n {
		Y[i*k+rng.IntN(k)] = 1
	}
	b := NewBuilder()
	W1, b1 := b.Var("W1", Matrix(d, h)), b.Var("b1", Vector(h))
	W2, b2 := b.Var("W2", Matrix(h, k)), b.Var("b2", Vector(k))
	hidden := b.Tanh(b.Add(b.MatMul(b.ConstMatrix(n, d, random(n*d)), W1), b1))
	Z := b.Add(b.MatMul(hidden, W2), b2)
	loss := b.Mean(b.Sub(b.LogSumExpAxis(Z, 1), b.SumAxis(b.Mul(b.ConstMatrix(n, k, Y), Z), 1)))
	require.NoError(t, b.Err())
	g := b.Graph()
	grad, err := g.Grad(loss, W1, b1, W2, b2)
	require.NoError(t, err)
	outs := append([]Node{loss}, grad...)
	p, err := g.Compile(outs...)
	require.NoError(t, err)
	var members, fast []int
	for _, fg := range fusedGroups(p) {
		members = append(members, len(fg.code))
		fast = append(fast, len(fg.fast))
	}
	assert.Equal(t, []int{2, 4, 4, 5}, members)
	assert.Equal(t, []int{2, 3, 4, 2}, fast)

	requireFusedBits(t, g, [][]float64{random(d * h), random(h), random(h * k), random(k)}, outs...)
}

// requireFusedBits requires the outputs of the fused program to be those
// of the unfused one to the bit.
func requireFusedBits(t *testing.T, g *Graph, in [][]float64, outs ...Node) {
	t.Helper()
	fused := eval(t, g, in, outs...)
	fusionOff = true
	plain := eval(t, g, in, outs...)
	fusionOff = false
	for j := range outs {
		for i := range plain[j] {
			require.Equal(t, math.Float64bits(plain[j][i]), math.Float64bits(fused[j][i]), "output %d[%d]", j, i)
		}
	}
}

// fusedGroups returns the fused groups of p's code, in order.
// normals returns n draws of the standard normal distribution.
func normals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func fusedGroups(p *Program) []*fusedGroup {
	var groups []*fusedGroup
	for _, in := range p.code {
		if in.fused != nil {
			groups = append(groups, in.fused)
		}
	}
	return groups
}

// A reshape of a member's value joins its fused group as the member's
// tile: z², reshaped and summed along an axis, runs in one pass (the sum
// squaring z itself), and so do the broadcast of the sums' adjoint,
// reshaped back, and its product with 2z, so that neither z² nor the
// broadcast takes a buffer: the gradient is the only one of z's size. A
// reshape read after its group is a view of its argument's whole value.
// Both match the unfused program to the bit.
func TestReshapesJoinFusedGroups(t *testing.T) {
	const d, k, n = 32, 2, 1024 // z has reshapeFuseLen elements; S, one block
	g := NewGraph()
	z, _ := g.Var("z", Matrix(d*k, n))
	w, _ := g.Var("w", Matrix(k, n))
	S := g.reshape(g.sumAxis(g.reshape(g.bin(OpPow, z, g.Const(2)), Matrix(d, k*n)), 0), Matrix(k, n))
	f := g.reduce(OpSum, g.mul(S, w))
	grad, err := g.Grad(f, z)
	require.NoError(t, err)
	p, err := g.Compile(f, grad[0])
	require.NoError(t, err)
	buffers := 0
	for _, si := range p.slotInit {
		if si.data == nil && !si.reg && si.len == d*k*n {
			buffers++
		}
	}
	assert.Equal(t, 1, buffers, "buffers of z's size")
	var members []int
	for _, fg := range fusedGroups(p) {
		members = append(members, len(fg.code))
	}
	// z² reshaped and summed; the broadcast of w, reshaped and multiplied
	// by 2z; S·w and its sum.
	assert.Equal(t, []int{3, 3, 2}, members)
	assert.Len(t, fusedGroups(p)[0].fast, 1, "the sum along the columns squares z itself")

	viewed := g.reshape(must(g.Call("exp", z)), Matrix(d, k*n))
	outs := []Node{f, grad[0], g.mul(viewed, viewed), viewed}
	p, err = g.Compile(outs...)
	require.NoError(t, err)
	views := 0
	for _, fg := range fusedGroups(p) {
		views += len(fg.views)
	}
	assert.Equal(t, 1, views, "exp(z) reshaped, an output, is a view")

	rng := rand.New(rand.NewPCG(d, n))
	in := [][]float64{make([]float64, d*k*n), make([]float64, k*n)}
	for _, v := range in {
		for i := range v {
			v[i] = rng.NormFloat64()
		}
	}
	requireFusedBits(t, g, in, outs...)
}

// Vectors that do not depend on an open fused group, moved before it, form
// groups of their own: a group over a, waiting for its product, does not
// keep the two operations over b, of another length, apart.
func TestMovedWorkFormsGroups(t *testing.T) {
	const na, nb = 300, 1000
	g := NewGraph()
	a, _ := g.Var("a", Vector(na))
	b, _ := g.Var("b", Vector(nb))
	a1 := must(g.Call("sin", a))
	b1 := must(g.Call("exp", b))
	outs := []Node{g.mul(a1, a), g.mul(b1, b)}
	p, err := g.Compile(outs...)
	require.NoError(t, err)
	var lens []int
	for _, fg := range fusedGroups(p) {
		lens = append(lens, fg.n)
	}
	assert.Equal(t, []int{nb, na}, lens)

	in := [][]float64{make([]float64, na), make([]float64, nb)}
	for _, v := range in {
		for i := range v {
			v[i] = float64(i%17) - 8
		}
	}
	requireFusedBits(t, g, in, outs...)
}

// A broadcast row that only its group reads is not copied where a tile
// lies within one row: the tile is that part of the row. A tile across
// rows is copied into the tile's own buffer.
func TestBroadcastRowTilesWithinARowAreTheRow(t *testing.T) {
	row := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	buf := make([]float64, 4)
	ws := &Workspace{v: [][]float64{row, buf}}
	in := &instr{dst: 1, a: 0}
	tests := []struct {
		tile   int
		want   []float64
		inside bool
	}{
		{0, []float64{0, 1, 2, 3}, true},
		{16, []float64{6, 7, 8, 9}, true},
		{8, []float64{8, 9, 0, 1}, false},
		{28, []float64{8, 9, 0, 1}, false},
	}
	for _, tt := range tests {
		ws.v[1], ws.tile = buf, tt.tile
		broadcastRowsViewTile(ws, in)
		assert.Equal(t, tt.want, ws.v[1], "tile at %d", tt.tile)
		assert.Equal(t, tt.inside, &ws.v[1][0] != &buf[0], "tile at %d is the row's own elements", tt.tile)
	}
}
