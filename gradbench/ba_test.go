package gradbench

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// baReprojError is the reference's reprojection error of one observation,
// step by step as its C++ computes it.
func baReprojError(cam, x []float64, w float64, feat []float64) [2]float64 {
	cross := func(a, b []float64) []float64 {
		return []float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
	}
	rot := cam[:3]
	xo := []float64{x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]}
	xcam := make([]float64, 3)
	if sq := rot[0]*rot[0] + rot[1]*rot[1] + rot[2]*rot[2]; sq != 0 {
		theta := math.Sqrt(sq)
		c, s := math.Cos(theta), math.Sin(theta)
		u := []float64{rot[0] / theta, rot[1] / theta, rot[2] / theta}
		ux := cross(u, xo)
		tmp := (u[0]*xo[0] + u[1]*xo[1] + u[2]*xo[2]) * (1 - c)
		for i := range xcam {
			xcam[i] = xo[i]*c + ux[i]*s + u[i]*tmp
		}
	} else {
		rx := cross(rot, xo)
		for i := range xcam {
			xcam[i] = xo[i] + rx[i]
		}
	}
	p0, p1 := xcam[0]/xcam[2], xcam[1]/xcam[2]
	rsq := p0*p0 + p1*p1
	l := 1 + cam[9]*rsq + cam[10]*rsq*rsq
	return [2]float64{w * (p0*l*cam[6] + cam[7] - feat[0]), w * (p1*l*cam[6] + cam[8] - feat[1])}
}

// baCamera returns random camera parameters of the magnitudes of
// GradBench's data: a rotation of about a radian, a focal length in the
// hundreds, small distortion.
func baCamera(r *rand.Rand) []float64 {
	cam := randomVector(r, baCam)
	cam[6] = 100 + 400*cam[6]
	cam[9], cam[10] = 0.01*cam[9], 0.001*cam[10]
	return cam
}

// baInput returns an input of ba with a random camera, point, weight and
// feature, the point in front of the camera.
func baInput(r *rand.Rand, n, m, p int) map[string]any {
	cam := baCamera(r)
	x := []float64{r.Float64(), r.Float64(), 5 + r.Float64()}
	return map[string]any{"n": n, "m": m, "p": p, "cam": cam, "x": x, "w": 0.5 + r.Float64(), "feat": randomVector(r, 2)}
}

// baPrimal is one element of ba's objective answer (an error of the first
// observation, or the first weight error) as a function of the input's
// cam, x and w, flat, for numeric differentiation.
type baPrimal struct {
	in   map[string]any
	elem int // 0 or 1 for a reprojection error, 2 for the weight error
}

func (b baPrimal) Eval(v []float64) (float64, error) {
	in := map[string]any{"n": b.in["n"], "m": b.in["m"], "p": b.in["p"], "feat": b.in["feat"],
		"cam": v[:baCam], "x": v[baCam:baW], "w": v[baW]}
	out, err := tryCall("ba", "objective", withRuns(in))
	if err != nil {
		return 0, err
	}
	o := out.(baObjective)
	if b.elem == 2 {
		return o.W.Element, nil
	}
	return o.Reproj.Elements[b.elem], nil
}

func TestBA(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, size := range []struct {
		n, m, p int
		still   bool
	}{{1, 1, 1, false}, {2, 3, 10, false}, {3, 2, 12, true}, {5, 7, 40, false}} {
		in := baInput(r, size.n, size.m, size.p)
		cam := in["cam"].([]float64)
		if size.still {
			cam[0], cam[1], cam[2] = 0, 0, 0
		}
		x, w, feat := in["x"].([]float64), in["w"].(float64), in["feat"].([]float64)
		obj := call(t, "ba", "objective", withRuns(in)).(baObjective)
		want := baReprojError(cam, x, w, feat)
		assertClose(t, obj.Reproj.Elements, want[:], 1e-13, "reproj_error")
		assertClose(t, []float64{obj.W.Element}, []float64{1 - w*w}, 1e-15, "w_err")
		assert.Equal(t, size.p, obj.Reproj.Repeated)
		assert.Equal(t, size.p, obj.W.Repeated)

		jac := call(t, "ba", "jacobian", withRuns(in)).(baJacobian)
		// The first 30 row starts (15 apart for the reprojection errors,
		// then 1 apart), and the entries of the first observation's two
		// rows (its cam, x and w), then the last of each: the last weight
		// error's, at column 11n + 3m + p - 1.
		n, m, p := size.n, size.m, size.p
		var rows, cols []int
		for k := range min(baReferenceLen, 3*p) {
			if k <= 2*p {
				rows = append(rows, 15*k)
			} else {
				rows = append(rows, 30*p+k-2*p)
			}
		}
		for range 2 {
			for j := range baCam {
				cols = append(cols, j)
			}
			cols = append(cols, baCam*n, baCam*n+1, baCam*n+2, baCam*n+3*m)
		}
		assert.Equal(t, append(rows, 31*p), jac.Rows, "rows")
		assert.Equal(t, append(cols, baCam*n+3*m+p-1), jac.Cols, "cols")

		v := append(append(append([]float64{}, cam...), x...), w)
		numeric := append(numericGradient(t, baPrimal{in, 0}, v), numericGradient(t, baPrimal{in, 1}, v)...)
		werr := numericGradient(t, baPrimal{in, 2}, v)[baW]
		numeric = append(numeric[:min(len(numeric), len(jac.Vals)-1)], werr)
		assertNumeric(t, jac.Vals, numeric, "vals")
	}
}

// TestBAObservations checks every block of the Jacobian of observations of
// distinct cameras, points, weights and features against numeric
// differences of the reference's error.
func TestBAObservations(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	const n, m, p = 3, 4, 9
	bm := &baModel{n: n, m: m, p: p}
	for c := range n {
		cam := baCamera(r)
		if c == 1 {
			cam[0], cam[1], cam[2] = 0, 0, 0
		}
		bm.cams = append(bm.cams, cam...)
	}
	for range m {
		bm.x = append(bm.x, r.Float64(), r.Float64(), 5+r.Float64())
	}
	bm.w, bm.feats = randomVector(r, p), randomVector(r, 2*p)
	var err error
	bm.rotate, err = compileBA(0)
	require.NoError(t, err)
	bm.still, err = compileBA(1)
	require.NoError(t, err)
	bm.werr, err = compileWErr(p)
	require.NoError(t, err)
	var jac baSparse
	require.NoError(t, bm.jacobian(&jac))
	require.Len(t, jac.rows, 3*p+1)

	for i := range p {
		c, pt := i%n, i%m
		cam, x, feat := bm.cams[c*baCam:(c+1)*baCam], bm.x[3*pt:3*pt+3], bm.feats[2*i:2*i+2]
		v := append(append(append([]float64{}, cam...), x...), bm.w[i])
		for k := range 2 {
			f := numFunc(func(v []float64) (float64, error) {
				return baReprojError(v[:baCam], v[baCam:baW], v[baW], feat)[k], nil
			})
			row := 2*i + k
			lo, hi := jac.rows[row], jac.rows[row+1]
			require.Equal(t, 15, hi-lo)
			want := numericGradient(t, f, v)
			for j := range 15 {
				col := baCam*c + j
				switch {
				case j >= baW:
					col = baCam*n + 3*m + i
				case j >= baCam:
					col = baCam*n + 3*pt + j - baCam
				}
				assert.Equal(t, col, jac.cols[lo+j], "row %d entry %d", row, j)
			}
			assertNumeric(t, jac.vals[lo:hi], want, "observation")
		}
	}
	for i := range p {
		row := 2*p + i
		lo := jac.rows[row]
		require.Equal(t, lo+1, jac.rows[row+1])
		assert.Equal(t, baCam*n+3*m+i, jac.cols[lo])
		assert.Equal(t, -2*bm.w[i], jac.vals[lo])
	}
}

// numFunc is a function of a flat slice, for numeric differentiation.
type numFunc func([]float64) (float64, error)

func (f numFunc) Eval(x []float64) (float64, error) { return f(x) }
