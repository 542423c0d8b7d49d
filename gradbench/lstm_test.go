package gradbench

import (
	"math"
	"math/rand/v2"
	"slices"
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
	for _, size := range []struct{ l, c, b int }{{1, 2, 1}, {1, 3, 2}, {2, 5, 3}, {3, 8, 4}, {3, 2, 2}, {4, 3, 2}} {
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

// lstmGradientHand is the gradient of lstmObjective by hand, in reverse
// mode: the forward pass keeps every step's gates, the backward pass runs
// through them in reverse. g receives main's gradient, then extra's.
//
//go:noinline
func lstmGradientHand(l, b int, main, extra, state, seq, g []float64) {
	sigmoid := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	c := len(seq) / b
	// Per step and layer: the input x, the previous hidden and cell
	// states, the gates forget, ingate, outgate, change, and tanh(cell).
	const nsaved = 8
	saved := make([]float64, (c-1)*l*nsaved*b)
	at := func(t, k, s int) []float64 { o := ((t*l+k)*nsaved + s) * b; return saved[o : o+b] }
	hidden, cell := make([]float64, l*b), make([]float64, l*b)
	for k := range l {
		copy(hidden[k*b:], state[2*k*b:(2*k+1)*b])
		copy(cell[k*b:], state[(2*k+1)*b:(2*k+2)*b])
	}
	inW, outW, outB := extra[:b], extra[b:2*b], extra[2*b:]
	preds := make([]float64, (c-1)*b)
	for t := range c - 1 {
		x := at(t, 0, 0)
		for i := range b {
			x[i] = seq[t*b+i] * inW[i]
		}
		for k := range l {
			w, bias := main[2*k*4*b:], main[(2*k+1)*4*b:]
			x := at(t, k, 0)
			hp, cp := at(t, k, 1), at(t, k, 2)
			f, in, o, ch, tc := at(t, k, 3), at(t, k, 4), at(t, k, 5), at(t, k, 6), at(t, k, 7)
			h, cl := hidden[k*b:(k+1)*b], cell[k*b:(k+1)*b]
			copy(hp, h)
			copy(cp, cl)
			for i := range b {
				f[i] = sigmoid(x[i]*w[i] + bias[i])
				in[i] = sigmoid(hp[i]*w[b+i] + bias[b+i])
				o[i] = sigmoid(x[i]*w[2*b+i] + bias[2*b+i])
				ch[i] = math.Tanh(hp[i]*w[3*b+i] + bias[3*b+i])
				cl[i] = cp[i]*f[i] + in[i]*ch[i]
				tc[i] = math.Tanh(cl[i])
				h[i] = o[i] * tc[i]
			}
			if k+1 < l {
				copy(at(t, k+1, 0), h)
			}
		}
		for i := range b {
			preds[t*b+i] = hidden[(l-1)*b+i]*outW[i] + outB[i]
		}
	}
	clear(g)
	gMain, gExtra := g[:8*l*b], g[8*l*b:]
	dTotal := -1 / float64((c-1)*b)
	dh, dc := make([]float64, l*b), make([]float64, l*b) // from the next step
	dx, dpred := make([]float64, b), make([]float64, b)
	for t := c - 2; t >= 0; t-- {
		pred, next := preds[t*b:(t+1)*b], seq[(t+1)*b:(t+2)*b]
		sum, ys := 2.0, 0.0
		for i := range b {
			sum += math.Exp(pred[i])
			ys += next[i]
		}
		top := at(t, l-1, 5) // the top layer's hidden state is outgate·tanh(cell)
		for i := range b {
			dpred[i] = dTotal * (next[i] - ys*math.Exp(pred[i])/sum)
			gExtra[2*b+i] += dpred[i]
			gExtra[b+i] += dpred[i] * top[i] * at(t, l-1, 7)[i]
			dx[i] = dpred[i] * outW[i]
		}
		for k := l - 1; k >= 0; k-- {
			w := main[2*k*4*b:]
			gw, gb := gMain[2*k*4*b:], gMain[(2*k+1)*4*b:]
			x, hp, cp := at(t, k, 0), at(t, k, 1), at(t, k, 2)
			f, in, o, ch, tc := at(t, k, 3), at(t, k, 4), at(t, k, 5), at(t, k, 6), at(t, k, 7)
			for i := range b {
				dhi := dh[k*b+i] + dx[i]
				dcl := dc[k*b+i] + dhi*o[i]*(1-tc[i]*tc[i])
				dzf := dcl * cp[i] * f[i] * (1 - f[i])
				dzi := dcl * ch[i] * in[i] * (1 - in[i])
				dzo := dhi * tc[i] * o[i] * (1 - o[i])
				dzc := dcl * in[i] * (1 - ch[i]*ch[i])
				gw[i] += dzf * x[i]
				gb[i] += dzf
				gw[b+i] += dzi * hp[i]
				gb[b+i] += dzi
				gw[2*b+i] += dzo * x[i]
				gb[2*b+i] += dzo
				gw[3*b+i] += dzc * hp[i]
				gb[3*b+i] += dzc
				dx[i] = dzf*w[i] + dzo*w[2*b+i]
				dh[k*b+i] = dzi*w[b+i] + dzc*w[3*b+i]
				dc[k*b+i] = dcl * f[i]
			}
		}
		for i := range b {
			gExtra[i] += dx[i] * seq[t*b+i]
		}
	}
}

func TestLSTMGradientHand(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const l, c, b = 3, 7, 4
	in := lstmInput(r, l, c, b)
	flat := func(name string) []float64 { return slices.Concat(in[name].([][]float64)...) }
	g := make([]float64, 8*l*b+3*b)
	lstmGradientHand(l, b, flat("main_params"), flat("extra_params"), flat("state"), flat("sequence"), g)
	assertClose(t, g, call(t, "lstm", "jacobian", withRuns(in)).([]float64), 1e-11, "gradient")
}
