package main

import (
	"math"

	"github.com/nabla-ad/nabla/ad"
)

// eval computes nodes of the function's graph at the flat point x and
// returns copies of their values. When one is not finite it also returns
// the *ad.NonFiniteError that explains it.
//
// The values come from a plain Run and the explanation from RunChecked on a
// second workspace: RunChecked's explanation re-executes the program only up
// to the first non-finite node, after which the workspace's later outputs no
// longer hold their values.
func (j *job) eval(x []float64, outs ...ad.Node) ([][]float64, error) {
	prog, err := j.f.Graph().Compile(outs...)
	if err != nil {
		return nil, err
	}
	in := make([][]float64, len(j.vars))
	for i := range j.vars {
		in[i] = j.at(x, i)
	}
	ws := prog.NewWorkspace()
	if err := prog.Run(ws, in); err != nil {
		return nil, err
	}
	vals := make([][]float64, len(outs))
	finite := true
	for k := range outs {
		vals[k] = append([]float64(nil), ws.Output(k)...)
		for _, v := range vals[k] {
			finite = finite && !math.IsNaN(v) && !math.IsInf(v, 0)
		}
	}
	if finite {
		return vals, nil
	}
	return vals, prog.RunChecked(prog.NewWorkspace(), in)
}

// gradient returns the value and the gradient, flattened in the order of
// the variables.
func (j *job) gradient() (value float64, grad []float64, err error) {
	g := j.f.Graph()
	grads, err := g.Grad(j.f.Output(), g.Vars()...)
	if err != nil {
		return 0, nil, err
	}
	vals, err := j.eval(j.x, append([]ad.Node{j.f.Output()}, grads...)...)
	if vals == nil {
		return 0, nil, err
	}
	grad = make([]float64, 0, len(j.x))
	for _, v := range vals[1:] {
		grad = append(grad, v...)
	}
	return vals[0][0], grad, err
}
