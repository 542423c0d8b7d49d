package gradbench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// htInstance is a random hand: GradBench's 22 bones, each the child of an
// earlier one, with few vertices and correspondences.
type htInstance struct {
	theta, us           []float64
	parents             []int
	relatives, inverses []*mat.Dense
	positions           [][]float64 // vertices × 4
	weights             [][]float64 // vertices × bones
	triangles           [][]int
	corr                []int
	points              [][]float64
	mirrored            bool
}

func newHT(r *rand.Rand, vertices, points int, complicated bool) *htInstance {
	h := &htInstance{theta: randomVector(r, htTheta)}
	random4 := func() *mat.Dense {
		m := mat.NewDense(4, 4, randomVector(r, 16))
		m.Set(3, 0, 0)
		m.Set(3, 1, 0)
		m.Set(3, 2, 0)
		m.Set(3, 3, 1)
		return m
	}
	for i := range htBones {
		h.parents = append(h.parents, i-1-r.IntN(min(i+1, 3)))
		h.relatives = append(h.relatives, random4())
		h.inverses = append(h.inverses, random4())
	}
	for range vertices {
		h.positions = append(h.positions, append(randomVector(r, 3), 1))
		h.weights = append(h.weights, randomVector(r, htBones))
	}
	for i := range points {
		if complicated {
			h.triangles = append(h.triangles, []int{r.IntN(vertices), r.IntN(vertices), r.IntN(vertices)})
			h.us = append(h.us, r.Float64(), r.Float64())
			h.corr = append(h.corr, i)
		} else {
			h.corr = append(h.corr, r.IntN(vertices))
		}
		h.points = append(h.points, randomVector(r, 3))
	}
	return h
}

func (h *htInstance) input() map[string]any {
	rows := func(ms []*mat.Dense) [][][]float64 {
		var out [][][]float64
		for _, m := range ms {
			out = append(out, [][]float64{m.RawRowView(0), m.RawRowView(1), m.RawRowView(2), m.RawRowView(3)})
		}
		return out
	}
	names := make([]string, htBones)
	for i := range names {
		names[i] = "bone"
	}
	model := map[string]any{
		"bone_count": htBones, "bone_names": names, "parents": h.parents,
		"base_relatives": rows(h.relatives), "inverse_base_absolutes": rows(h.inverses),
		"base_positions": h.positions, "weights": h.weights, "triangles": h.triangles,
		"is_mirrored": h.mirrored,
	}
	if h.triangles == nil {
		model["triangles"] = [][]int{{0, 0, 0}}
	}
	us := rowsOf(h.us, 2)
	return withRuns(map[string]any{
		"theta": h.theta,
		"data":  map[string]any{"model": model, "correspondences": h.corr, "points": h.points},
		"us":    us,
	})
}

// objective is the reference's objective, step by step as its C++
// computes it, at theta and us.
func (h *htInstance) objective(theta, us []float64) []float64 {
	euler := func(tx, tz, ty float64) *mat.Dense {
		rx := mat.NewDense(3, 3, []float64{1, 0, 0, 0, math.Cos(tx), -math.Sin(tx), 0, math.Sin(tx), math.Cos(tx)})
		ry := mat.NewDense(3, 3, []float64{math.Cos(ty), 0, math.Sin(ty), 0, 1, 0, -math.Sin(ty), 0, math.Cos(ty)})
		rz := mat.NewDense(3, 3, []float64{math.Cos(tz), -math.Sin(tz), 0, math.Sin(tz), math.Cos(tz), 0, 0, 0, 1})
		var t, r mat.Dense
		t.Mul(rz, ry)
		r.Mul(&t, rx)
		return &r
	}
	// to_pose_params: 3 columns of bones + 3 rows, here rows of 3.
	pose := make([][3]float64, htBones+3)
	copy(pose[0][:], theta[0:3])
	pose[1] = [3]float64{1, 1, 1}
	copy(pose[2][:], theta[3:6])
	it, ip := 6, 5
	for range 5 {
		for i := 2; i <= 4; i++ {
			pose[ip][0] = theta[it]
			it++
			if i == 2 {
				pose[ip][1] = theta[it]
				it++
			}
			ip++
		}
		ip++
	}
	absolutes := make([]*mat.Dense, htBones)
	nv := len(h.positions)
	pos := mat.NewDense(3, nv, nil)
	for i := range htBones {
		tr := mat.NewDense(4, 4, nil)
		tr.Set(3, 3, 1)
		tr.Slice(0, 3, 0, 3).(*mat.Dense).Copy(euler(pose[i+3][0], pose[i+3][1], pose[i+3][2]))
		var rel mat.Dense
		rel.Mul(h.relatives[i], tr)
		if p := h.parents[i]; p >= 0 {
			var a mat.Dense
			a.Mul(absolutes[p], &rel)
			absolutes[i] = &a
		} else {
			absolutes[i] = &rel
		}
		var t mat.Dense
		t.Mul(absolutes[i], h.inverses[i])
		for v := range nv {
			for j := range 3 {
				var s float64
				for k := range 4 {
					s += t.At(j, k) * h.positions[v][k]
				}
				pos.Set(j, v, pos.At(j, v)+s*h.weights[v][i])
			}
		}
	}
	if h.mirrored {
		for v := range nv {
			pos.Set(0, v, -pos.At(0, v))
		}
	}
	a := theta[0:3]
	if n := math.Sqrt(a[0]*a[0] + a[1]*a[1] + a[2]*a[2]); n >= 1e-4 {
		x, y, z := a[0]/n, a[1]/n, a[2]/n
		s, c := math.Sin(n), math.Cos(n)
		r := mat.NewDense(3, 3, []float64{
			x*x + (1-x*x)*c, x*y*(1-c) - z*s, x*z*(1-c) + y*s,
			x*y*(1-c) + z*s, y*y + (1-y*y)*c, y*z*(1-c) - x*s,
			x*z*(1-c) - y*s, z*y*(1-c) + x*s, z*z + (1-z*z)*c,
		})
		var p mat.Dense
		p.Mul(r, pos)
		pos = &p
	}
	vertex := func(v, j int) float64 { return pos.At(j, v) + theta[3+j] }
	var err []float64
	for i, c := range h.corr {
		for j := range 3 {
			var p float64
			if us == nil {
				p = vertex(c, j)
			} else {
				t, u := h.triangles[c], us[2*i:2*i+2]
				p = u[0]*vertex(t[0], j) + u[1]*vertex(t[1], j) + (1-u[0]-u[1])*vertex(t[2], j)
			}
			err = append(err, h.points[i][j]-p)
		}
	}
	return err
}

func TestHT(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for _, c := range []struct {
		vertices, points   int
		complicated, still bool
		mirrored           bool
	}{{5, 3, false, false, false}, {30, 10, false, true, true}, {5, 3, true, false, false}, {30, 10, true, false, true}} {
		h := newHT(r, c.vertices, c.points, c.complicated)
		h.mirrored = c.mirrored
		if c.still {
			h.theta[0], h.theta[1], h.theta[2] = 0, 0, 1e-5
		}
		var us []float64
		if c.complicated {
			us = h.us
		}
		got := call(t, "ht", "objective", h.input()).([]float64)
		assertClose(t, got, h.objective(h.theta, us), 1e-12, "objective")

		jac := call(t, "ht", "jacobian", h.input()).([][]float64)
		require.Len(t, jac, 3*c.points)
		for row := range jac {
			f := numFunc(func(v []float64) (float64, error) {
				if us == nil {
					return h.objective(v, nil)[row], nil
				}
				return h.objective(v[len(us):], v[:len(us)])[row], nil
			})
			x := slices.Concat(us, h.theta)
			g := numericGradient(t, f, x)
			want := g[len(us):]
			if c.complicated {
				i := row / 3
				want = slices.Concat(g[2*i:2*i+2], want)
			}
			if c.still {
				// Below an angle of 1e-4 the reference does not rotate,
				// so the derivatives in the angle are 0, where numeric
				// differences step over the threshold.
				require.Equal(t, []float64{0, 0, 0}, jac[row][:3])
				jac[row], want = jac[row][3:], want[3:]
			}
			assertNumeric(t, jac[row], want, "jacobian")
		}
	}
}
