package gradbench

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// lstmObjective is the reference's objective, element by element.
func lstmObjective(l, b int, main, extra, state, seq []float64) float64 {
	sigmoid := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	s := append([]float64(nil), state...)
	c := len(seq) / b
	var total float64
	in, pred := make([]float64, b), make([]float64, b)
	for t := range c - 1 {
		for i := range b {
			in[i] = seq[t*b+i] * extra[i]
		}
		x := in
		for k := range l {
			w, bias := main[2*k*4*b:], main[(2*k+1)*4*b:]
			hidden, cell := s[2*k*b:(2*k+1)*b], s[(2*k+1)*b:(2*k+2)*b]
			for i := range b {
				forget := sigmoid(x[i]*w[i] + bias[i])
				ingate := sigmoid(hidden[i]*w[b+i] + bias[b+i])
				outgate := sigmoid(x[i]*w[2*b+i] + bias[2*b+i])
				change := math.Tanh(hidden[i]*w[3*b+i] + bias[3*b+i])
				cell[i] = cell[i]*forget + ingate*change
				hidden[i] = outgate * math.Tanh(cell[i])
			}
			x = hidden
		}
		sum := 2.0
		for i := range b {
			pred[i] = x[i]*extra[b+i] + extra[2*b+i]
			sum += math.Exp(pred[i])
		}
		lse := math.Log(sum)
		for i := range b {
			total += seq[(t+1)*b+i] * (pred[i] - lse)
		}
	}
	return -total / float64((c-1)*b)
}

// lstmInput returns an input of lstm with random parameters and state and a
// random sequence of bits, as GradBench's data are made.
func lstmInput(r *rand.Rand, l, c, b int) map[string]any {
	seq := make([]float64, c*b)
	for i := range seq {
		seq[i] = float64(r.IntN(2))
	}
	return map[string]any{
		"main_params":  rows(randomVector(r, 2*l*4*b), 4*b),
		"extra_params": rows(randomVector(r, 3*b), b),
		"state":        rows(randomVector(r, 2*l*b), b),
		"sequence":     rows(seq, b),
	}
}

// lstmPrimal is lstm's objective of main_params and extra_params, flat,
// for numeric differentiation.
type lstmPrimal struct {
	l, b  int
	input map[string]any
}

func (p lstmPrimal) Eval(v []float64) (float64, error) {
	in := map[string]any{
		"main_params":  rows(v[:2*p.l*4*p.b], 4*p.b),
		"extra_params": rows(v[2*p.l*4*p.b:], p.b),
		"state":        p.input["state"],
		"sequence":     p.input["sequence"],
	}
	out, err := tryCall("lstm", "objective", withRuns(in))
	if err != nil {
		return 0, err
	}
	return out.(float64), nil
}

func TestLSTM(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, size := range []struct{ l, c, b int }{{1, 2, 1}, {1, 3, 2}, {2, 5, 3}, {3, 8, 4}} {
		l, b := size.l, size.b
		in := lstmInput(r, l, size.c, b)
		flat := func(name string) []float64 {
			var v []float64
			for _, row := range in[name].([][]float64) {
				v = append(v, row...)
			}
			return v
		}
		main, extra := flat("main_params"), flat("extra_params")
		got := call(t, "lstm", "objective", withRuns(in)).(float64)
		want := lstmObjective(l, b, main, extra, flat("state"), flat("sequence"))
		assertClose(t, []float64{got}, []float64{want}, 1e-13, "objective")

		jac := call(t, "lstm", "jacobian", withRuns(in)).([]float64)
		require.Len(t, jac, 8*l*b+3*b)
		p := lstmPrimal{l: l, b: b, input: in}
		assertNumeric(t, jac, numericGradient(t, p, append(main, extra...)), "jacobian")
	}
}
