package gradbench

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/nabla-ad/nabla/ad"
	"gonum.org/v1/gonum/mat"
)

// GradBench's hand model has 22 bones, whose pose the 26 parameters theta
// give: the global rotation and translation, then four per finger.
const (
	htBones = 22
	htTheta = 26
)

// ht is GradBench's hand tracking eval: objective, the distances (3 numbers
// each) between measured points and the points of a skinned hand model
// posed by theta, and jacobian, their Jacobian in theta. In the
// "complicated" variant (us not empty) each point is matched with a point
// of a triangle of the model's surface, at barycentric coordinates us, and
// the Jacobian has two more columns first: the derivatives in the point's
// own two coordinates.
var ht = module{
	"objective": objectInput(func(in *object) func() (*task, error) {
		compile := decodeHT(in)
		return func() (*task, error) {
			h, err := compile()
			if err != nil {
				return nil, err
			}
			y := make([]float64, h.f.Len())
			return &task{
				run:    func() error { return h.f.Eval(h.x, y) },
				output: func() any { return y },
			}, nil
		}
	}),
	"jacobian": objectInput(func(in *object) func() (*task, error) {
		compile := decodeHT(in)
		return func() (*task, error) {
			h, err := compile()
			if err != nil {
				return nil, err
			}
			jac := mat.NewDense(h.f.Len(), h.cols(), nil)
			y, col, t := make([]float64, h.f.Len()), make([]float64, h.f.Len()), make([]float64, h.f.Dim())
			// One forward pass compiles the JVP program, the only one the
			// runs use. Its error is left to the first run, which meets
			// it again: a program that fails to compile fails on every use.
			_ = h.f.JVP(h.x, t, y, col)
			return &task{
				run:    func() error { return h.jacobian(jac, y, col, t) },
				output: func() any { return denseRows(jac) },
			}, nil
		}
	}),
}

// An htModel is the hand model, posed by theta and measured against an
// input's points, as one function of theta (and of us, first, in the
// complicated variant), with the point x to evaluate it at.
type htModel struct {
	f  *ad.VectorFunc
	x  []float64
	us int // the number of barycentric coordinates, 2 per point, or 0
}

// cols returns the number of columns of the Jacobian the reference answers
// with.
func (h *htModel) cols() int {
	if h.us > 0 {
		return 2 + htTheta
	}
	return htTheta
}

// jacobian writes the Jacobian into jac by forward passes, one per column:
// one per parameter of theta and, in the complicated variant, two for
// us. Point i's error depends only on its own coordinates u_i, so the
// pass along all the first (second) coordinates at once gives each row's
// derivative in its point's first (second) coordinate.
func (h *htModel) jacobian(jac *mat.Dense, y, col, t []float64) error {
	clear(t)
	for k := range h.cols() {
		var dirs []int
		switch {
		case h.us == 0:
			dirs = []int{k}
		case k < 2:
			for i := k; i < h.us; i += 2 {
				dirs = append(dirs, i)
			}
		default:
			dirs = []int{h.us + k - 2}
		}
		for _, i := range dirs {
			t[i] = 1
		}
		err := h.f.JVP(h.x, t, y, col)
		for _, i := range dirs {
			t[i] = 0
		}
		if err != nil {
			return err
		}
		jac.SetCol(k, col)
	}
	return nil
}

// denseRows returns the rows of m, for JSON.
func denseRows(m *mat.Dense) [][]float64 {
	r, c := m.Dims()
	return rowsOf(m.RawMatrix().Data[:r*c], c)
}

// decodeHT reads the input of ht and returns what builds the model.
func decodeHT(in *object) func() (*htModel, error) {
	theta := in.vector("theta")
	data := in.object("data")
	model := data.object("model")
	bones := model.integer("bone_count", htBones, htBones)
	parents := model.integers("parents", -1, htBones-1)
	relatives, nr, rr, rc := model.matrices("base_relatives")
	inverses, ni, ir, ic := model.matrices("inverse_base_absolutes")
	positions, nv, pc := model.matrix("base_positions")
	weights, wv, wb := model.matrix("weights")
	mirrored := model.boolean("is_mirrored")
	corr := data.integers("correspondences", 0, math.MaxInt32)
	points, np, pd := data.matrix("points")
	var triangles []int
	if in.err == nil && data.err == nil && model.err == nil && !emptyArray(in.members["us"]) {
		tri, _, tc := model.matrix("triangles")
		if model.err == nil && tc != 3 {
			model.failf("triangles", "want 3 vertices a triangle, got %d", tc)
		}
		for i, v := range tri {
			if model.err == nil && (v != math.Trunc(v) || v < 0 || v >= float64(nv)) {
				model.failf("triangles", "triangle %d: want vertices from 0 to %d, got %v", i/3, nv-1, v)
			}
			triangles = append(triangles, int(v))
		}
	}
	for _, o := range []*object{data, model} {
		if in.err == nil {
			in.err = o.err
		}
	}
	var us []float64
	if raw, ok := in.members["us"]; !ok || !emptyArray(raw) {
		var un, uc int
		us, un, uc = in.matrix("us")
		if in.err == nil && (un != np || uc != 2) {
			in.failf("us", "want 2 numbers per point, %d×2, got %d×%d", np, un, uc)
		}
	}
	switch {
	case in.err != nil:
	case len(theta) != htTheta:
		in.failf("theta", "want %d numbers, got %d", htTheta, len(theta))
	case len(parents) != bones:
		in.failf("data.model.parents", "want bone_count = %d parents, got %d", bones, len(parents))
	case nr != bones || rr != 4 || rc != 4:
		in.failf("data.model.base_relatives", "want %d 4×4 matrices, got %d %d×%d", bones, nr, rr, rc)
	case ni != bones || ir != 4 || ic != 4:
		in.failf("data.model.inverse_base_absolutes", "want %d 4×4 matrices, got %d %d×%d", bones, ni, ir, ic)
	case pc != 4:
		in.failf("data.model.base_positions", "want 4 numbers a vertex, got %d", pc)
	case wv != nv || wb != bones:
		in.failf("data.model.weights", "want vertices×bones = %d×%d numbers, got %d×%d", nv, bones, wv, wb)
	case np != len(corr) || pd != 3:
		in.failf("data.points", "want 3 numbers per correspondence, %d×3, got %d×%d", len(corr), np, pd)
	case us == nil && slices.Max(corr) >= nv:
		in.failf("data.correspondences", "vertex %d out of range: the model has %d", slices.Max(corr), nv)
	case us != nil && slices.Max(corr) >= len(triangles)/3:
		in.failf("data.correspondences", "triangle %d out of range: the model has %d", slices.Max(corr), len(triangles)/3)
	}
	if in.err == nil {
		for i, p := range parents {
			if p >= i {
				in.failf("data.model.parents", "element %d: bone %d's parent must come before it, got %d", i, i, p)
				break
			}
		}
	}
	return func() (*htModel, error) {
		b := ad.NewBuilder()
		var u ad.Node
		if us != nil {
			u = b.Var("us", ad.Matrix(len(corr), 2))
		}
		th := b.Var("theta", ad.Vector(htTheta))
		hand := htHand{b: b, parents: parents, relatives: relatives, inverses: inverses,
			positions: positions, weights: weights, vertices: nv, mirrored: mirrored}
		verts := hand.pose(theta, th)
		var matched ad.Node // the model's point matched with each measured one
		if us == nil {
			matched = gatherRows(b, verts, corr)
		} else {
			// u0 v[t0] + u1 v[t1] + (1 - u0 - u1) v[t2], with each point's
			// coordinates as a column against its three vertices.
			tri := func(k int) ad.Node {
				rows := make([]int, len(corr))
				for i, c := range corr {
					rows[i] = triangles[3*c+k]
				}
				return gatherRows(b, verts, rows)
			}
			col := func(k int) ad.Node { return b.Slice(b.Reshape(u, 2*len(corr), 1), k, ad.None, 2) }
			u0, u1 := col(0), col(1)
			matched = b.Add(b.Add(b.Mul(u0, tri(0)), b.Mul(u1, tri(1))), b.Mul(b.Sub(b.Sub(b.Const(1), u0), u1), tri(2)))
		}
		f, err := b.VectorFunc(b.Reshape(b.Sub(b.ConstMatrix(len(corr), 3, points), matched), 3*len(corr), 1))
		if err != nil {
			return nil, fmt.Errorf("ht: %w", err)
		}
		return &htModel{f: f, x: append(append([]float64(nil), us...), theta...), us: len(us)}, nil
	}
}

// emptyArray reports whether raw is the JSON array [].
func emptyArray(raw json.RawMessage) bool {
	var elems []json.RawMessage
	return json.Unmarshal(raw, &elems) == nil && elems != nil && len(elems) == 0
}

// gatherRows returns the matrix of rows rows of the matrix m.
func gatherRows(b *ad.Builder, m ad.Node, rows []int) ad.Node {
	picked := make([]ad.Node, len(rows))
	for i, r := range rows {
		picked[i] = b.Index(m, r)
	}
	return b.VStack(picked...)
}

// An htHand is GradBench's hand model: bones, each posed relative to its
// parent, and vertices, each moved by the bones it is attached to in
// proportion to its weights.
type htHand struct {
	b         *ad.Builder
	parents   []int     // a bone's parent comes before it; -1 for the root
	relatives []float64 // each bone's 4×4 rest transform relative to its parent, row by row
	inverses  []float64 // the inverse of each bone's absolute rest transform
	positions []float64 // vertices×4: each vertex's rest position, homogeneous
	weights   []float64 // vertices×bones
	vertices  int
	mirrored  bool
}

// pose returns the vertices×3 matrix of the positions of the vertices of
// the hand posed by theta, whose values are th: the reference's
// arithmetic, with the skinning of every vertex by every bone as one
// matrix product.
func (h *htHand) pose(th []float64, theta ad.Node) ad.Node {
	b := h.b
	// Each bone's Euler angles (x, z, y): the first three bones of each
	// finger take theta's parameters from the seventh on, the first of
	// them two; every other bone stays at rest.
	zero := b.Const(0)
	angles := make([][3]ad.Node, htBones)
	for i := range angles {
		angles[i] = [3]ad.Node{zero, zero, zero}
	}
	k := 6
	for finger := range 5 {
		for j := range 3 {
			bone := 2 + 4*finger + j
			angles[bone][0] = b.Index(theta, k)
			k++
			if j == 0 {
				angles[bone][1] = b.Index(theta, k)
				k++
			}
		}
	}
	matrix := func(n int, e ...ad.Node) ad.Node { return b.Reshape(b.Concat(e...), n, n) }
	one := b.Const(1)
	absolutes := make([]ad.Node, htBones)
	transforms := make([]ad.Node, htBones)
	for i, a := range angles {
		cx, sx := b.Cos(a[0]), b.Sin(a[0])
		cy, sy := b.Cos(a[2]), b.Sin(a[2])
		cz, sz := b.Cos(a[1]), b.Sin(a[1])
		rx := matrix(3, one, zero, zero, zero, cx, b.Neg(sx), zero, sx, cx)
		ry := matrix(3, cy, zero, sy, zero, one, zero, b.Neg(sy), zero, cy)
		rz := matrix(3, cz, b.Neg(sz), zero, sz, cz, zero, zero, zero, one)
		r := b.Index(b.Reshape(b.MatMul(b.MatMul(rz, ry), rx), 1, 9), 0)
		row := func(k int) ad.Node { return b.Slice(r, 3*k, 3*k+3, 1) }
		tr := matrix(4, row(0), zero, row(1), zero, row(2), zero, zero, zero, zero, one)
		rel := b.MatMul(b.ConstMatrix(4, 4, h.relatives[16*i:16*i+16]), tr)
		if p := h.parents[i]; p >= 0 {
			rel = b.MatMul(absolutes[p], rel)
		}
		absolutes[i] = rel
		transforms[i] = b.Slice(b.MatMul(rel, b.ConstMatrix(4, 4, h.inverses[16*i:16*i+16])), 0, 3, 1)
	}

	// Every bone's transform of every vertex, weighted, summed over the
	// bones: row 3i+j of the product is coordinate j by bone i.
	nv := h.vertices
	rest := make([]float64, 4*nv) // 4×vertices
	for v := range nv {
		for j := range 4 {
			rest[j*nv+v] = h.positions[4*v+j]
		}
	}
	w := make([]float64, 3*htBones*nv)
	for i := range htBones {
		for j := range 3 {
			for v := range nv {
				w[(3*i+j)*nv+v] = h.weights[v*htBones+i]
			}
		}
	}
	moved := b.Mul(b.MatMul(b.VStack(transforms...), b.ConstMatrix(4, nv, rest)), b.ConstMatrix(3*htBones, nv, w))
	pos := b.Reshape(b.SumAxis(b.Reshape(moved, htBones, 3*nv), 0), 3, nv)
	if h.mirrored {
		pos = b.Mul(b.ConstMatrix(3, 1, []float64{-1, 1, 1}), pos)
	}

	// The global rotation (none below an angle of 1e-4, as the reference),
	// then the translation.
	if norm := math.Sqrt(th[0]*th[0] + th[1]*th[1] + th[2]*th[2]); norm >= 1e-4 {
		n := b.Sqrt(b.Sum(b.Mul(b.Slice(theta, 0, 3, 1), b.Slice(theta, 0, 3, 1))))
		x, y, z := b.Div(b.Index(theta, 0), n), b.Div(b.Index(theta, 1), n), b.Div(b.Index(theta, 2), n)
		s, c := b.Sin(n), b.Cos(n)
		omc := b.Sub(one, c)
		diag := func(x ad.Node) ad.Node { return b.Add(b.Mul(x, x), b.Mul(b.Sub(one, b.Mul(x, x)), c)) }
		off := func(x, y, z ad.Node, sign int) ad.Node {
			xy := b.Mul(b.Mul(x, y), omc)
			if sign < 0 {
				return b.Sub(xy, b.Mul(z, s))
			}
			return b.Add(xy, b.Mul(z, s))
		}
		rot := matrix(3,
			diag(x), off(x, y, z, -1), off(x, z, y, +1),
			off(x, y, z, +1), diag(y), off(y, z, x, -1),
			off(x, z, y, -1), off(z, y, x, +1), diag(z))
		pos = b.MatMul(rot, pos)
	}
	pos = b.Add(pos, b.Reshape(b.Slice(theta, 3, 6, 1), 3, 1))
	return b.Transpose(pos)
}
