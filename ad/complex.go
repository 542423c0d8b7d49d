package ad

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
)

// ErrNoComplex is wrapped by errors from EvalComplex for operations that
// have no analytic extension to complex numbers (abs, sign, step, min,
// max): a complex-step derivative through them would be wrong.
var ErrNoComplex = errors.New("no analytic complex form")

// The complex128 forms of the elementwise ops, for complex-step
// differentiation; the op table refers to them. An op without one has no
// analytic complex form.
var (
	complexNeg  = func(z complex128) complex128 { return -z }
	complexAsin = func(z complex128) complex128 {
		return firstOrder(z, cmplx.Asin, math.Asin, func(x float64) float64 { return 1 / math.Sqrt(1-x*x) })
	}
	complexAcos = func(z complex128) complex128 {
		return firstOrder(z, cmplx.Acos, math.Acos, func(x float64) float64 { return -1 / math.Sqrt(1-x*x) })
	}
	complexAtan = func(z complex128) complex128 {
		return firstOrder(z, cmplx.Atan, math.Atan, func(x float64) float64 { return 1 / (1 + x*x) })
	}
	complexLog1p = log1pComplex
	complexExpm1 = func(z complex128) complex128 {
		return complex(math.Expm1(real(z))*math.Cos(imag(z))+(math.Cos(imag(z))-1), math.Exp(real(z))*math.Sin(imag(z)))
	}
	complexSigmoid = func(z complex128) complex128 {
		if real(z) >= 0 {
			return 1 / (1 + cmplx.Exp(-z))
		}
		e := cmplx.Exp(z)
		return e / (1 + e)
	}
	complexSoftplus = func(z complex128) complex128 {
		if real(z) > 0 {
			return z + log1pComplex(cmplx.Exp(-z))
		}
		return log1pComplex(cmplx.Exp(z))
	}
	complexAdd = func(a, b complex128) complex128 { return a + b }
	complexSub = func(a, b complex128) complex128 { return a - b }
	complexMul = func(a, b complex128) complex128 { return a * b }
	complexDiv = func(a, b complex128) complex128 { return a / b }
	complexPow = func(a, b complex128) complex128 {
		// Small integer powers by multiplication, exact for complex steps.
		if imag(b) == 0 && real(b) == math.Trunc(real(b)) && math.Abs(real(b)) <= 64 {
			r, n := complex(1, 0), int(real(b))
			base := a
			if n < 0 {
				base, n = 1/a, -n
			}
			for ; n > 0; n-- {
				r *= base
			}
			return r
		}
		return cmplx.Pow(a, b)
	}
	complexAtan2 = func(y, x complex128) complex128 {
		if tiny(y) && tiny(x) {
			// The complex step's case: atan2 and its first-order change.
			a, b := real(y), real(x)
			return complex(math.Atan2(a, b), (b*imag(y)-a*imag(x))/(a*a+b*b))
		}
		// atan(y/x) continued analytically, shifted onto atan2's branch by
		// the real parts, which fix the quadrant.
		switch {
		case real(x) > 0:
			return cmplx.Atan(y / x)
		case real(x) < 0 && real(y) >= 0:
			return cmplx.Atan(y/x) + math.Pi
		case real(x) < 0:
			return cmplx.Atan(y/x) - math.Pi
		case real(y) > 0:
			return math.Pi/2 - cmplx.Atan(x/y)
		default:
			return -math.Pi/2 - cmplx.Atan(x/y)
		}
	}
	complexHypot = func(a, b complex128) complex128 { return cmplx.Sqrt(a*a + b*b) }
)

// EvalComplex evaluates outputs with complex inputs, one slice per variable
// of the graph in creation order (Vars). It walks the graph node by node
// and is meant for complex-step differentiation, not speed. Outputs that
// pass through an op with no analytic complex form give an error wrapping
// ErrNoComplex.
func (g *Graph) EvalComplex(outputs []Node, in [][]complex128) ([][]complex128, error) {
	if err := g.check(outputs...); err != nil {
		return nil, err
	}
	if len(in) != len(g.vars) {
		return nil, fmt.Errorf("EvalComplex: the graph has %d variables, got %d inputs", len(g.vars), len(in))
	}
	need, top := g.needed(outputs, 0)
	vals := make([][]complex128, top+1)
	for k, v := range g.vars {
		if v > top {
			continue
		}
		if want := g.nodes[v].shape.Len(); len(in[k]) != want {
			return nil, fmt.Errorf("EvalComplex: variable %s needs %d values, got %d", g.nodes[v].name, want, len(in[k]))
		}
		vals[v] = in[k]
	}
	for i := int32(0); i <= top; i++ {
		if !need[i] || g.nodes[i].op == OpVar {
			continue
		}
		v, err := g.complexNode(i, vals)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	out := make([][]complex128, len(outputs))
	for k, o := range outputs {
		out[k] = vals[o.id-1]
	}
	return out, nil
}

func (g *Graph) complexNode(i int32, vals [][]complex128) ([]complex128, error) {
	nd := &g.nodes[i]
	n := nd.shape.Len()
	arg := func(k int) []complex128 { return vals[nd.args[k]] }
	at := func(v []complex128, j int) complex128 {
		if len(v) == 1 {
			return v[0]
		}
		return v[j]
	}
	out := make([]complex128, n)
	switch nd.op {
	case OpConst:
		if nd.vec == nil {
			out[0] = complex(nd.val, 0)
		}
		for j, x := range nd.vec {
			out[j] = complex(x, 0)
		}
		return out, nil
	case OpSum, OpDot:
		a, b := arg(0), arg(0)
		if nd.op == OpDot {
			b = arg(1)
		}
		for j := range a {
			if nd.op == OpDot {
				out[0] += a[j] * b[j]
			} else {
				out[0] += a[j]
			}
		}
		return out, nil
	case OpLogSumExp:
		a := arg(0)
		m := math.Inf(-1)
		for _, z := range a {
			m = math.Max(m, real(z))
		}
		var t complex128
		for _, z := range a {
			t += cmplx.Exp(z - complex(m, 0))
		}
		out[0] = complex(m, 0) + cmplx.Log(t)
		return out, nil
	case OpIndex:
		out[0] = arg(0)[nd.p[0]]
		return out, nil
	case OpSlice:
		a := arg(0)
		for j := range out {
			out[j] = a[nd.p[0]+j*nd.p[1]]
		}
		return out, nil
	case OpScatter, OpScatterAdd:
		if nd.op == OpScatterAdd {
			copy(out, arg(0))
		}
		v := vals[nd.args[len(nd.args)-1]]
		for j, z := range v {
			out[nd.p[0]+j*nd.p[1]] += z
		}
		return out, nil
	case OpCumsum:
		var t complex128
		for j, z := range arg(0) {
			t += z
			out[j] = t
		}
		return out, nil
	case OpFill:
		for j := range out {
			out[j] = arg(0)[0]
		}
		return out, nil
	case OpConcat:
		out = out[:0]
		for k := range nd.args {
			out = append(out, arg(k)...)
		}
		return out, nil
	}
	if f := ops[nd.op].c1; f != nil {
		a := arg(0)
		for j := range out {
			out[j] = f(at(a, j))
		}
		return out, nil
	}
	if f := ops[nd.op].c2; f != nil {
		a, b := arg(0), arg(1)
		for j := range out {
			out[j] = f(at(a, j), at(b, j))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: %w", ops[nd.op].name, ErrNoComplex)
}

// log1pComplex is log(1+z), keeping the real part accurate for small z;
// the imaginary part arg(1+x+ih) = atan2(h, 1+x) is exact.
func log1pComplex(z complex128) complex128 {
	return complex(math.Log1p(real(z)), imag(cmplx.Log(1+z)))
}

// tiny reports whether z's imaginary part is a complex step: too small
// against its real part for cmplx's formulas, which lose it to rounding.
func tiny(z complex128) bool {
	return math.Abs(imag(z)) < 1e-8*math.Max(1, math.Abs(real(z)))
}

// firstOrder evaluates an analytic f at z = a + ib. For a complex step
// (b tiny) it returns f(a) + i·b·f'(a), exact to O(b²), since cmplx's
// inverse trigonometric functions round the imaginary part of
// f(a + ib) away; otherwise it uses the full complex form.
func firstOrder(z complex128, full func(complex128) complex128, f, df func(float64) float64) complex128 {
	if tiny(z) {
		return complex(f(real(z)), imag(z)*df(real(z)))
	}
	return full(z)
}
