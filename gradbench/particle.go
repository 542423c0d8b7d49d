package gradbench

import (
	"fmt"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// maxParticleSteps bounds the Euler steps of a particle's path.
const maxParticleSteps = 10_000

// particle is GradBench's charged-particle eval: the w that minimizes the
// square of where particle.nabla's particle crosses the x axis, by
// gradient descent from the input's w. The four functions name the mode
// of the outer derivative (in w, through the particle's path) and of the
// inner one (the force, in the position): f for forward (JVPs), r for
// reverse.
var particle = module{
	"ff": particleFunction(true, true),
	"fr": particleFunction(true, false),
	"rf": particleFunction(false, true),
	"rr": particleFunction(false, false),
}

func particleFunction(outerForward, innerForward bool) function {
	return objectInput(func(in *object) func() (*task, error) {
		w := in.number("w")
		return func() (*task, error) {
			s, err := newParticleSolver(outerForward, innerForward)
			if err != nil {
				return nil, err
			}
			var out float64
			return &task{
				run: func() (err error) {
					out, err = s.solve(w)
					return err
				},
				output: func() any { return out },
			}, nil
		}
	})
}

// A particleSolver is the state of one particle function: its models and
// the paths compiled so far.
type particleSolver struct {
	outerForward, innerForward bool
	step, cross                *ad.VectorFunc         // one step, and the crossing, of w and the state
	paths                      map[int]*ad.VectorFunc // the whole path by its number of steps, of w
	at                         [5]float64             // w and the state: position and velocity
	out, tangent               [5]float64             // the model's value and its derivative
}

// newParticleSolver compiles the programs that step the particle and find
// where it crosses the axis.
func newParticleSolver(outerForward, innerForward bool) (*particleSolver, error) {
	s := &particleSolver{outerForward: outerForward, innerForward: innerForward, paths: map[int]*ad.VectorFunc{}}
	var err error
	if s.step, err = s.compile(1, false); err != nil {
		return nil, err
	}
	s.cross, err = s.compile(0, false)
	return s, err
}

// solve returns the w that minimizes the objective, searching from w0.
func (s *particleSolver) solve(w0 float64) (float64, error) {
	d, err := argmin([]float64{w0}, s.objective, s.gradient)
	if err != nil {
		return 0, err
	}
	return d.x[0], nil
}

// compile compiles particle.nabla for a path of steps steps, as a
// function of w and of the starting state, or of w alone, starting where
// the eval does.
func (s *particleSolver) compile(steps int, path bool) (*ad.VectorFunc, error) {
	opts := &expr.Options{
		Vars:  []string{"w", "x0", "v0"},
		Sizes: map[string]int{"x0": 2, "v0": 2},
		Consts: map[string]expr.Const{
			"steps":   scalar(float64(steps)),
			"forward": scalar(boolNumber(s.innerForward)),
		},
	}
	if path {
		opts.Vars, opts.Sizes = []string{"w"}, nil
		opts.Consts["x0"] = vector([]float64{0, 8})
		opts.Consts["v0"] = vector([]float64{0.75, 0})
	}
	f, err := expr.CompileVector(source("particle.nabla"), opts)
	if err != nil {
		return nil, err
	}
	return f.VectorFunc, nil
}

// simulate steps the particle from the start while it stays above the
// axis, and returns the number of steps, leaving w and the last state in
// s.at.
func (s *particleSolver) simulate(w float64) (int, error) {
	s.at = [5]float64{w, 0, 8, 0.75, 0}
	for steps := 0; steps <= maxParticleSteps; steps++ {
		if err := s.step.Eval(s.at[:], s.out[:]); err != nil {
			return 0, err
		}
		if !(s.out[2] > 0) {
			return steps, nil
		}
		copy(s.at[1:], s.out[1:])
	}
	return 0, fmt.Errorf("with w = %v the particle does not cross the x axis within %d steps", w, maxParticleSteps)
}

// objective is the square of where the particle crosses the axis.
func (s *particleSolver) objective(w []float64) (float64, error) {
	if _, err := s.simulate(w[0]); err != nil {
		return 0, err
	}
	err := s.cross.Eval(s.at[:], s.out[:])
	return s.out[0], err
}

// gradient is the derivative of objective: that of the program of the
// path, as many steps long as the particle takes.
func (s *particleSolver) gradient(w, g []float64) error {
	steps, err := s.simulate(w[0])
	if err != nil {
		return err
	}
	p, ok := s.paths[steps]
	if !ok {
		if p, err = s.compile(steps, true); err != nil {
			return err
		}
		s.paths[steps] = p
	}
	if s.outerForward {
		err = p.JVP(w, []float64{1}, s.out[:], s.tangent[:])
		g[0] = s.tangent[0]
		return err
	}
	return p.VJP(w, []float64{1, 0, 0, 0, 0}, s.out[:], g)
}
