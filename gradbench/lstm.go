package gradbench

import (
	"fmt"

	"github.com/nabla-ad/nabla/ad"
)

// lstm is GradBench's long short-term memory eval: objective, the loss of
// an l-layer LSTM with diagonal weights predicting each character of a
// sequence from the ones before, and jacobian, its gradient in the
// parameters main_params and extra_params, row by row in that order.
var lstm = module{
	"objective": objectInput(func(in *object) func() (*task, error) {
		compile := decodeLSTM(in)
		return func() (*task, error) {
			f, x, err := compile()
			if err != nil {
				return nil, err
			}
			var y float64
			return &task{
				run: func() (err error) {
					y, err = f.Eval(x)
					return err
				},
				output: func() any { return y },
			}, nil
		}
	}),
	"jacobian": objectInput(func(in *object) func() (*task, error) {
		compile := decodeLSTM(in)
		return func() (*task, error) {
			f, x, err := compile()
			if err != nil {
				return nil, err
			}
			// The first gradient compiles the gradient program, and only
			// that: Precompile would compile the JVP and HVP as well.
			g := make([]float64, f.Dim())
			if _, err := f.Grad(x, g); err != nil {
				return nil, err
			}
			return &task{
				run: func() error {
					_, err := f.Grad(x, g)
					return err
				},
				output: func() any { return g },
			}, nil
		}
	}),
}

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
// rows of b numbers: layer i's hidden state, then its cell state), reads
// the characters of seq (rows of b bits) one after the other and predicts
// each next one; the loss is minus the mean over the predictions' bits of
// the next character's bits times the log-probabilities of the prediction,
// normalized by log(Σ exp + 2) as the reference does. Layer i's weights
// and biases are rows 2i and 2i+1 of main (the forget, input, output and
// change gates' b numbers each); extra holds the input weights, the output
// weights and the output biases.
func lstmLoss(bd *ad.Builder, main, extra ad.Node, state, seq []float64, l, b int) ad.Node {
	// gate returns gate k of a row of main.
	gate := func(row ad.Node, k int) ad.Node { return bd.Slice(row, k*b, (k+1)*b, 1) }
	type layer struct{ forget, ingate, outgate, change [2]ad.Node } // weight, bias
	layers := make([]layer, l)
	hidden, cell := make([]ad.Node, l), make([]ad.Node, l)
	for i := range layers {
		w, bias := bd.Index(main, 2*i), bd.Index(main, 2*i+1)
		layers[i] = layer{
			forget:  [2]ad.Node{gate(w, 0), gate(bias, 0)},
			ingate:  [2]ad.Node{gate(w, 1), gate(bias, 1)},
			outgate: [2]ad.Node{gate(w, 2), gate(bias, 2)},
			change:  [2]ad.Node{gate(w, 3), gate(bias, 3)},
		}
		hidden[i] = bd.ConstVec(state[2*i*b : (2*i+1)*b])
		cell[i] = bd.ConstVec(state[(2*i+1)*b : (2*i+2)*b])
	}
	affine := func(x ad.Node, p [2]ad.Node) ad.Node { return bd.Add(bd.Mul(x, p[0]), p[1]) }
	inWeight, outWeight, outBias := bd.Index(extra, 0), bd.Index(extra, 1), bd.Index(extra, 2)
	c := len(seq) / b
	total := bd.Const(0)
	for t := range c - 1 {
		x := bd.Mul(bd.ConstVec(seq[t*b:(t+1)*b]), inWeight)
		for i, p := range layers {
			forget := bd.Sigmoid(affine(x, p.forget))
			ingate := bd.Sigmoid(affine(hidden[i], p.ingate))
			outgate := bd.Sigmoid(affine(x, p.outgate))
			change := bd.Tanh(affine(hidden[i], p.change))
			cell[i] = bd.Add(bd.Mul(cell[i], forget), bd.Mul(ingate, change))
			hidden[i] = bd.Mul(outgate, bd.Tanh(cell[i]))
			x = hidden[i]
		}
		pred := bd.Add(bd.Mul(x, outWeight), outBias)
		lse := bd.Log(bd.Add(bd.Sum(bd.Exp(pred)), bd.Const(2)))
		next := bd.ConstVec(seq[(t+1)*b : (t+2)*b])
		total = bd.Add(total, bd.Dot(next, bd.Sub(pred, lse)))
	}
	return bd.Div(bd.Neg(total), bd.Const(float64((c-1)*b)))
}
