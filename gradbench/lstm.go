package gradbench

import (
	"fmt"

	"github.com/nabla-ad/nabla/ad"
)

// lstm is GradBench's long short-term memory eval: objective, the loss of
// an l-layer LSTM with diagonal weights predicting each character of a
// sequence from the ones before, and jacobian, its gradient in the
// parameters main_params and extra_params, row by row in that order.
var lstm = scalarFunctions("objective", "jacobian", decodeLSTM)

// decodeLSTM reads the input of lstm and returns what builds the model and
// gives the point, main_params then extra_params, row by row.
func decodeLSTM(in *object) func() (*ad.Func, []float64, error) {
	main, ml, mb := in.matrix("main_params")
	extra, er, eb := in.matrix("extra_params")
	state, sl, sb := in.matrix("state")
	seq, c, b := in.matrix("sequence")
	l := ml / 2
	switch {
	case in.err != nil:
	case c < 2:
		in.failf("sequence", "want at least 2 characters, got %d", c)
	case ml%2 != 0 || mb != 4*b:
		in.failf("main_params", "want 2l rows of 4b = %d numbers, got %d×%d", 4*b, ml, mb)
	case er != 3 || eb != b:
		in.failf("extra_params", "want 3×b = 3×%d numbers, got %d×%d", b, er, eb)
	case sl != 2*l || sb != b:
		in.failf("state", "want 2l×b = %d×%d numbers, got %d×%d", 2*l, b, sl, sb)
	}
	return func() (*ad.Func, []float64, error) {
		bd := ad.NewBuilder()
		m := bd.Var("main_params", ad.Matrix(2*l, 4*b))
		e := bd.Var("extra_params", ad.Matrix(3, b))
		f, err := bd.Func(lstmLoss(bd, m, e, state, seq, l, b))
		if err != nil {
			return nil, nil, fmt.Errorf("lstm: %w", err)
		}
		return f, append(main, extra...), nil
	}
}

// lstmLoss builds the reference's loss: the LSTM, started in state (2l
// rows of b numbers: layer k's hidden state, then its cell state), reads
// the characters of seq (rows of b bits) one after the other and predicts
// each next one; the loss is minus the mean over the predictions' bits of
// the next character's bits times the log-probabilities of the prediction,
// normalized by log(Σ exp + 2) as the reference does. Layer k's weights
// and biases are rows 2k and 2k+1 of main (the forget, input, output and
// change gates' b numbers each); extra holds the input weights, the output
// weights and the output biases.
//
// The weights are diagonal, so every number of a layer's state evolves
// apart from the others, and layer k's step t needs only layer k-1's step
// t and its own step t-1. So the layers run as a pipeline, each one
// character behind the one below: in wave s, layer k takes step s - k, and
// all the layers that have a step to take take it in the same vector
// operations. The arithmetic of every number is the reference's; the
// graph has a node per wave where a layer-by-layer order has one per
// layer and step.
func lstmLoss(bd *ad.Builder, main, extra ad.Node, state, seq []float64, l, b int) ad.Node {
	// gate returns gate g (forget, ingate, outgate, change) of the weights
	// (row 0) or the biases (row 1) of every layer, one after the other.
	gate := func(row, g int) ad.Node {
		parts := make([]ad.Node, l)
		for k := range parts {
			parts[k] = bd.Slice(bd.Index(main, 2*k+row), g*b, (g+1)*b, 1)
		}
		return bd.Concat(parts...)
	}
	var weight, bias [4]ad.Node
	for g := range 4 {
		weight[g], bias[g] = gate(0, g), gate(1, g)
	}
	// active returns the part of a vector of the layers that belongs to
	// layers lo to hi.
	active := func(v ad.Node, lo, hi int) ad.Node {
		if lo == 0 && hi == l-1 {
			return v
		}
		return bd.Slice(v, lo*b, (hi+1)*b, 1)
	}
	var hs, cs []float64
	for k := range l {
		hs = append(hs, state[2*k*b:(2*k+1)*b]...)
		cs = append(cs, state[(2*k+1)*b:(2*k+2)*b]...)
	}
	hidden, cell := bd.ConstVec(hs), bd.ConstVec(cs)
	inWeight, outWeight, outBias := bd.Index(extra, 0), bd.Index(extra, 1), bd.Index(extra, 2)
	c := len(seq) / b
	total := bd.Const(0)
	for s := range c - 1 + l - 1 {
		lo, hi := max(0, s-(c-2)), min(l-1, s) // the layers with a step to take
		// Each layer's input: the character for the first, the hidden
		// state the layer below has just computed for the others.
		var in []ad.Node
		if lo == 0 {
			in = append(in, bd.Mul(bd.ConstVec(seq[s*b:(s+1)*b]), inWeight))
		}
		if hi > 0 {
			in = append(in, bd.Slice(hidden, max(lo-1, 0)*b, hi*b, 1))
		}
		x := bd.Concat(in...)
		h, cl := active(hidden, lo, hi), active(cell, lo, hi)
		affine := func(x ad.Node, g int) ad.Node {
			return bd.Add(bd.Mul(x, active(weight[g], lo, hi)), active(bias[g], lo, hi))
		}
		forget := bd.Sigmoid(affine(x, 0))
		ingate := bd.Sigmoid(affine(h, 1))
		outgate := bd.Sigmoid(affine(x, 2))
		change := bd.Tanh(affine(h, 3))
		cl = bd.Add(bd.Mul(cl, forget), bd.Mul(ingate, change))
		h = bd.Mul(outgate, bd.Tanh(cl))
		hidden, cell = splice(bd, hidden, h, lo*b, l*b), splice(bd, cell, cl, lo*b, l*b)
		if hi < l-1 {
			continue
		}
		// The top layer has taken step t: predict character t + 1.
		t := s - (l - 1)
		pred := bd.Add(bd.Mul(active(hidden, l-1, l-1), outWeight), outBias)
		lse := bd.Log(bd.Add(bd.Sum(bd.Exp(pred)), bd.Const(2)))
		next := bd.ConstVec(seq[(t+1)*b : (t+2)*b])
		total = bd.Add(total, bd.Dot(next, bd.Sub(pred, lse)))
	}
	return bd.Div(bd.Neg(total), bd.Const(float64((c-1)*b)))
}

// splice returns the vector v of n elements with the elements from start
// on replaced by part's.
func splice(bd *ad.Builder, v, part ad.Node, start, n int) ad.Node {
	var parts []ad.Node
	if start > 0 {
		parts = append(parts, bd.Slice(v, 0, start, 1))
	}
	parts = append(parts, part)
	if end := start + bd.Graph().Shape(part).Len(); end < n {
		parts = append(parts, bd.Slice(v, end, n, 1))
	}
	if len(parts) == 1 {
		return part
	}
	return bd.Concat(parts...)
}
