package gradbench

import (
	"encoding/binary"
	"math"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// saddle is GradBench's saddle eval: the saddle point of saddle.nabla's f
// by nested gradient descent, min over p of max over q, every search
// started at the input's start. The four functions name the mode of the
// outer derivative (in p, through the inner search) and of the inner one
// (in q): f for forward (JVPs), r for reverse (gradients). The output is
// p and then the q that maximizes f(p, ·), found with the outer mode.
var saddle = module{
	"ff": saddleFunction(true, true),
	"fr": saddleFunction(true, false),
	"rf": saddleFunction(false, true),
	"rr": saddleFunction(false, false),
}

func saddleFunction(outerForward, innerForward bool) function {
	return objectInput(func(in *object) func() (*task, error) {
		start := in.vector("start")
		if in.err == nil && len(start) != 2 {
			in.failf("start", "want 2 numbers, got %d", len(start))
		}
		return func() (*task, error) {
			s, err := newSaddleSolver(outerForward, innerForward, start)
			if err != nil {
				return nil, err
			}
			var out []float64
			return &task{
				run: func() (err error) {
					out, err = s.solve()
					return err
				},
				output: func() any { return out },
			}, nil
		}
	})
}

// A saddleSolver is the state of one saddle function: its models and the
// replays of inner searches compiled so far.
type saddleSolver struct {
	outerForward, innerForward bool
	start                      []float64
	f                          *ad.Func            // f(p, q0)
	replays                    map[string]*ad.Func // the inner search by its rates, as a function of p
	pq, grad                   [4]float64          // f's point and gradient
	dir                        [2]float64          // the replay's gradient or direction
}

// newSaddleSolver compiles f for a search from start.
func newSaddleSolver(outerForward, innerForward bool, start []float64) (*saddleSolver, error) {
	s := &saddleSolver{outerForward: outerForward, innerForward: innerForward, start: start, replays: map[string]*ad.Func{}}
	var err error
	s.f, err = s.compile(false, nil)
	return s, err
}

// compile compiles saddle.nabla: f(p, q0) as a function of both, or, to
// replay, the inner search from start with the rates etas as a function
// of p.
func (s *saddleSolver) compile(replay bool, etas []float64) (*ad.Func, error) {
	opts := &expr.Options{
		Vars:  []string{"p", "q0"},
		Sizes: map[string]int{"p": 2, "q0": 2},
		Consts: map[string]expr.Const{
			"steps": scalar(float64(len(etas))),
			// A constant vector is never empty: a rate that no step
			// uses goes last.
			"etas":    vector(append(etas[:len(etas):len(etas)], 0)),
			"forward": scalar(boolNumber(s.innerForward)),
		},
	}
	if replay {
		opts.Vars, opts.Sizes = []string{"p"}, map[string]int{"p": 2}
		opts.Consts["q0"] = vector(s.start)
	}
	return compile("saddle.nabla", opts)
}

// solve finds the saddle point.
func (s *saddleSolver) solve() ([]float64, error) {
	outer, err := argmin(s.start, s.max, s.maxGrad)
	if err != nil {
		return nil, err
	}
	inner, err := s.innerSearch(outer.x, s.outerForward)
	if err != nil {
		return nil, err
	}
	return append(outer.x, inner.x...), nil
}

// innerSearch maximizes f(p, ·) from start, with f's gradient in q by
// forward or reverse mode.
func (s *saddleSolver) innerSearch(p []float64, forward bool) (descent, error) {
	copy(s.pq[:2], p)
	return argmax(s.start,
		func(q []float64) (float64, error) {
			copy(s.pq[2:], q)
			return s.f.Eval(s.pq[:])
		},
		func(q, g []float64) error {
			copy(s.pq[2:], q)
			return gradient(s.f, forward, s.pq[:], s.grad[:], 2, g)
		})
}

// max is the outer objective, max over q of f(p, q).
func (s *saddleSolver) max(p []float64) (float64, error) {
	d, err := s.innerSearch(p, s.innerForward)
	if err != nil {
		return 0, err
	}
	copy(s.pq[:2], p)
	copy(s.pq[2:], d.x)
	return s.f.Eval(s.pq[:])
}

// maxGrad is the gradient of max in p: that of the replayed inner search.
func (s *saddleSolver) maxGrad(p, g []float64) error {
	d, err := s.innerSearch(p, s.innerForward)
	if err != nil {
		return err
	}
	key := etasKey(d.etas)
	r, ok := s.replays[key]
	if !ok {
		if r, err = s.compile(true, d.etas); err != nil {
			return err
		}
		s.replays[key] = r
	}
	return gradient(r, s.outerForward, p, s.dir[:], 0, g)
}

// gradient writes into g the gradient of f at x in the variables
// x[from:from+len(g)], by one JVP per coordinate (forward) or one reverse
// pass; scratch holds a whole gradient.
func gradient(f *ad.Func, forward bool, x, scratch []float64, from int, g []float64) error {
	if !forward {
		_, err := f.Grad(x, scratch)
		copy(g, scratch[from:])
		return err
	}
	dir := scratch
	clear(dir)
	for i := range g {
		dir[from+i] = 1
		_, d, err := f.JVP(x, dir)
		dir[from+i] = 0
		if err != nil {
			return err
		}
		g[i] = d
	}
	return nil
}

// etasKey is a map key of a sequence of rates.
func etasKey(etas []float64) string {
	b := make([]byte, 0, 8*len(etas))
	for _, e := range etas {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e))
	}
	return string(b)
}

func scalar(v float64) expr.Const   { return expr.Const{Shape: ad.Scalar(), Values: []float64{v}} }
func vector(v []float64) expr.Const { return expr.Const{Shape: ad.Vector(len(v)), Values: v} }

func boolNumber(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
