package gradbench

import (
	"fmt"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// maxBA bounds ba's numbers of cameras, points and observations: GradBench's
// largest data set has 1,255,268 observations, whose Jacobian holds 31
// numbers each.
const maxBA = 1 << 21

// The layout of the point ba.nabla is evaluated at: the camera's 11
// parameters, the point's 3 coordinates, the weight and the feature.
const (
	baCam  = 11
	baW    = baCam + 3
	baFeat = baW + 1
	baDim  = baFeat + 2
)

// ba is GradBench's bundle adjustment eval: objective, the reprojection
// error of each observation (ba.nabla) and the weight error 1 - w² of
// each weight, and jacobian, the sparse Jacobian of both in the cameras,
// the points and the weights. GradBench's input is one camera, point,
// weight and feature, repeated n, m and p times, observation i seeing
// point i mod m from camera i mod n; like the reference, nabla computes
// every observation, and answers with the first as the reference does.
var ba = module{
	"objective": objectInput(func(in *object) func() (*task, error) {
		compile := decodeBA(in)
		return func() (*task, error) {
			m, err := compile()
			if err != nil {
				return nil, err
			}
			reproj, werr := make([]float64, 2*m.p), make([]float64, m.p)
			x := make([]float64, baDim)
			return &task{
				run: func() error {
					for i := range m.p {
						f := m.observation(i, x)
						if err := f.Eval(x, reproj[2*i:2*i+2]); err != nil {
							return fmt.Errorf("observation %d: %w", i, err)
						}
					}
					return m.werr.Eval(m.w, werr)
				},
				output: func() any {
					return baObjective{
						Reproj: baRepeated{Elements: reproj[:2], Repeated: m.p},
						W:      baRepeatedOne{Element: werr[0], Repeated: m.p},
					}
				},
			}, nil
		}
	}),
	"jacobian": objectInput(func(in *object) func() (*task, error) {
		compile := decodeBA(in)
		return func() (*task, error) {
			m, err := compile()
			if err != nil {
				return nil, err
			}
			// One reverse pass of each model compiles its VJP program, the
			// only one the runs use. Its errors are left to the first run,
			// which meets them again (a program that fails to compile
			// fails on every use) and says which observation they are of.
			var jac baSparse
			jac.alloc(m.p)
			m.observation(0, jac.x)
			for _, f := range []*ad.VectorFunc{m.rotate, m.still} {
				if f != nil {
					_ = f.VJP(jac.x, []float64{1, 0}, jac.y, jac.g)
				}
			}
			_ = m.werr.VJP(m.w, jac.ones, jac.werr, jac.diag)
			return &task{
				run:    func() error { return m.jacobian(&jac) },
				output: func() any { return jac.reference() },
			}, nil
		}
	}),
}

// A baModel is ba's input, its cameras, points, weights and features
// repeated as the reference repeats them, with ba.nabla compiled.
type baModel struct {
	n, m, p int
	cams    []float64 // n rows of 11
	x       []float64 // m rows of 3
	w       []float64 // p
	feats   []float64 // p rows of 2
	// rotate is ba.nabla with small = 0, for cameras that rotate; still,
	// with small = 1, for those whose rotation is exactly 0, compiled
	// only if there are any.
	rotate, still *ad.VectorFunc
	werr          *ad.VectorFunc // 1 - w², elementwise, of the p weights
}

// decodeBA reads the input of ba and returns what compiles the model.
func decodeBA(in *object) func() (*baModel, error) {
	n := in.integer("n", 1, maxBA)
	m := in.integer("m", 1, maxBA)
	p := in.integer("p", 1, maxBA)
	cam := in.vector("cam")
	x := in.vector("x")
	w := in.number("w")
	feat := in.vector("feat")
	switch {
	case in.err != nil:
	case len(cam) != baCam:
		in.failf("cam", "want %d numbers, got %d", baCam, len(cam))
	case len(x) != 3:
		in.failf("x", "want 3 numbers, got %d", len(x))
	case len(feat) != 2:
		in.failf("feat", "want 2 numbers, got %d", len(feat))
	}
	return func() (*baModel, error) {
		bm := &baModel{n: n, m: m, p: p}
		for range n {
			bm.cams = append(bm.cams, cam...)
		}
		for range m {
			bm.x = append(bm.x, x...)
		}
		for range p {
			bm.w = append(bm.w, w)
			bm.feats = append(bm.feats, feat...)
		}
		var err error
		still := false
		for c := range n {
			still = still || bm.stillCamera(c)
		}
		if bm.rotate, err = compileBA(0); err == nil && still {
			bm.still, err = compileBA(1)
		}
		if err != nil {
			return nil, fmt.Errorf("ba: %w", err)
		}
		if bm.werr, err = compileWErr(p); err != nil {
			return nil, fmt.Errorf("ba: %w", err)
		}
		return bm, nil
	}
}

// compileWErr builds the weight errors 1 - w², elementwise, of p weights.
func compileWErr(p int) (*ad.VectorFunc, error) {
	b := ad.NewBuilder()
	w := b.Var("w", ad.Vector(p))
	return b.VectorFunc(b.Sub(b.Const(1), b.Mul(w, w)))
}

// compileBA compiles ba.nabla with the constant small.
func compileBA(small float64) (*ad.VectorFunc, error) {
	f, err := expr.CompileVector(source("ba.nabla"), &expr.Options{
		Vars:   []string{"cam", "X", "w", "feat"},
		Sizes:  map[string]int{"cam": baCam, "X": 3, "feat": 2},
		Consts: map[string]expr.Const{"small": scalar(small)},
	})
	if err != nil {
		return nil, err
	}
	return f.VectorFunc, nil
}

// stillCamera reports whether camera c does not rotate: the reference
// takes the first-order formula when the sum of the squares of its
// rotation is 0.
func (bm *baModel) stillCamera(c int) bool {
	r := bm.cams[c*baCam : c*baCam+3]
	return r[0]*r[0]+r[1]*r[1]+r[2]*r[2] == 0
}

// observation writes into x the point of observation i, and returns the
// model to evaluate there.
func (bm *baModel) observation(i int, x []float64) *ad.VectorFunc {
	c, pt := i%bm.n, i%bm.m
	copy(x[:baCam], bm.cams[c*baCam:])
	copy(x[baCam:baW], bm.x[pt*3:])
	x[baW] = bm.w[i]
	copy(x[baFeat:], bm.feats[2*i:2*i+2])
	if bm.still != nil && bm.stillCamera(c) {
		return bm.still
	}
	return bm.rotate
}

// A baSparse is the Jacobian of ba in the reference's compressed sparse
// rows: row i holds the columns cols[rows[i]:rows[i+1]] and their values.
// The rows are the 2p reprojection errors, then the p weight errors; the
// columns the 11n camera parameters, the 3m coordinates of the points and
// the p weights.
type baSparse struct {
	rows, cols []int
	vals       []float64
	// The buffers of the passes, kept from one run to the next: a point,
	// its value and gradient, and the weight errors' cotangent of ones,
	// value and diagonal.
	x, y, g, ones, werr, diag []float64
}

// alloc allocates the buffers of the passes over p observations, unless
// they are.
func (jac *baSparse) alloc(p int) {
	if jac.x != nil {
		return
	}
	jac.x, jac.y, jac.g = make([]float64, baDim), make([]float64, 2), make([]float64, baDim)
	jac.ones, jac.werr, jac.diag = make([]float64, p), make([]float64, p), make([]float64, p)
	for i := range jac.ones {
		jac.ones[i] = 1
	}
}

// jacobian computes the Jacobian into jac, as the reference does: the two
// rows of each observation's reprojection error from two reverse passes
// of its model, with 15 entries each (its camera, its point and its
// weight); then the weight errors', whose Jacobian is diagonal, so that
// one reverse pass with the cotangent of ones gives it.
func (bm *baModel) jacobian(jac *baSparse) error {
	n, m, p := bm.n, bm.m, bm.p
	jac.rows = append(jac.rows[:0], 0)
	jac.cols, jac.vals = jac.cols[:0], jac.vals[:0]
	jac.alloc(p)
	x, y, g := jac.x, jac.y, jac.g
	rowOf := [2][]float64{{1, 0}, {0, 1}}
	for i := range p {
		f := bm.observation(i, x)
		c, pt := i%n, i%m
		for _, e := range rowOf {
			if err := f.VJP(x, e, y, g); err != nil {
				return fmt.Errorf("observation %d: %w", i, err)
			}
			jac.rows = append(jac.rows, jac.rows[len(jac.rows)-1]+baW+1)
			for j := range baCam {
				jac.cols = append(jac.cols, baCam*c+j)
			}
			for j := range 3 {
				jac.cols = append(jac.cols, baCam*n+3*pt+j)
			}
			jac.cols = append(jac.cols, baCam*n+3*m+i)
			jac.vals = append(jac.vals, g[:baW+1]...)
		}
	}
	if err := bm.werr.VJP(bm.w, jac.ones, jac.werr, jac.diag); err != nil {
		return err
	}
	for i, d := range jac.diag {
		jac.rows = append(jac.rows, jac.rows[len(jac.rows)-1]+1)
		jac.cols = append(jac.cols, baCam*n+3*m+i)
		jac.vals = append(jac.vals, d)
	}
	return nil
}

// baReferenceLen is how many entries of each of rows, cols and vals the
// reference answers with, before their last: those of the first
// observation's two rows.
const baReferenceLen = 2 * (baW + 1)

// A baJacobian is the Jacobian as the reference answers with it: the first
// observation's entries of rows, cols and vals, and the last of each.
type baJacobian struct {
	Rows []int     `json:"rows"`
	Cols []int     `json:"cols"`
	Vals []float64 `json:"vals"`
}

// reference returns the part of the Jacobian the reference answers with.
func (jac *baSparse) reference() baJacobian {
	return baJacobian{
		Rows: firstAndLast(jac.rows),
		Cols: firstAndLast(jac.cols),
		Vals: firstAndLast(jac.vals),
	}
}

// firstAndLast returns the first baReferenceLen elements of s, or all but
// the last when s is shorter, then its last.
func firstAndLast[T any](s []T) []T {
	head := s[:min(baReferenceLen, len(s)-1)]
	return append(head[:len(head):len(head)], s[len(s)-1])
}

// The objective as the reference answers with it: the first observation's
// errors and how many there are.
type baObjective struct {
	Reproj baRepeated    `json:"reproj_error"`
	W      baRepeatedOne `json:"w_err"`
}

type baRepeated struct {
	Elements []float64 `json:"elements"`
	Repeated int       `json:"repeated"`
}

type baRepeatedOne struct {
	Element  float64 `json:"element"`
	Repeated int     `json:"repeated"`
}
