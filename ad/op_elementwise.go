package ad

import (
	"math"
	"math/cmplx"

	"github.com/nabla-ad/nabla/internal/vmath"
)

// The elementwise functions of the language. Each applies to every element
// of a vector, and a function of two arguments broadcasts a scalar against
// a vector. The arithmetic operators are in op_arith.go.
func init() {
	defineElementwise(opDef{op: OpSin, gen: genForm{expr: "math.Sin(%[1]s)"},
		name: "sin", doc: "the sine of x (radians)",
		f1: math.Sin, cplx: complex1(cmplx.Sin),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.un(OpCos, x) })})
	defineElementwise(opDef{op: OpCos, gen: genForm{expr: "math.Cos(%[1]s)"},
		name: "cos", doc: "the cosine of x (radians)",
		f1: math.Cos, cplx: complex1(cmplx.Cos),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.neg(g.un(OpSin, x)) })})
	defineElementwise(opDef{op: OpTan, gen: genForm{expr: "math.Tan(%[1]s)"},
		name: "tan", doc: "the tangent of x (radians)",
		f1: math.Tan, cplx: complex1(cmplx.Tan),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.add2(g.Const(1), g.mul(y, y)) })})
	defineElementwise(opDef{op: OpAsin, gen: genForm{expr: "math.Asin(%[1]s)"},
		name: "asin", doc: "the arcsine of x, in [−π/2, π/2]",
		f1: math.Asin, cplx: complex1(casin),
		partials: partial1(func(g *Graph, y, x Node) Node {
			return g.div(g.Const(1), g.un(OpSqrt, g.sub(g.Const(1), g.mul(x, x))))
		})})
	defineElementwise(opDef{op: OpAcos, gen: genForm{expr: "math.Acos(%[1]s)"},
		name: "acos", doc: "the arccosine of x, in [0, π]",
		f1: math.Acos, cplx: complex1(cacos),
		partials: partial1(func(g *Graph, y, x Node) Node {
			return g.div(g.Const(-1), g.un(OpSqrt, g.sub(g.Const(1), g.mul(x, x))))
		})})
	defineElementwise(opDef{op: OpAtan, gen: genForm{expr: "math.Atan(%[1]s)"},
		name: "atan", doc: "the arctangent of x, in (−π/2, π/2)",
		f1: math.Atan, cplx: complex1(catan),
		partials: partial1(func(g *Graph, y, x Node) Node {
			return g.div(g.Const(1), g.add2(g.Const(1), g.mul(x, x)))
		})})
	defineElementwise(opDef{op: OpSinh, gen: genForm{expr: "math.Sinh(%[1]s)"},
		name: "sinh", doc: "the hyperbolic sine of x",
		f1: math.Sinh, cplx: complex1(cmplx.Sinh),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.un(OpCosh, x) })})
	defineElementwise(opDef{op: OpCosh, gen: genForm{expr: "math.Cosh(%[1]s)"},
		name: "cosh", doc: "the hyperbolic cosine of x",
		f1: math.Cosh, cplx: complex1(cmplx.Cosh),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.un(OpSinh, x) })})
	// (1-y)(1+y), not 1-y², which cancels where tanh saturates.
	defineElementwise(opDef{op: OpTanh, gen: genForm{expr: "math.Tanh(%[1]s)"},
		name: "tanh", doc: "the hyperbolic tangent of x",
		f1: vmath.Tanh1, fast: fastKernels{v: tanhV}, cplx: complex1(cmplx.Tanh),
		partials: partial1(func(g *Graph, y, x Node) Node {
			return g.mul(g.sub(g.Const(1), y), g.add2(g.Const(1), y))
		})})
	defineElementwise(opDef{op: OpExp, gen: genForm{expr: "math.Exp(%[1]s)"},
		name: "exp", doc: "eˣ",
		f1: vmath.Exp1, fast: fastKernels{v: expV}, cplx: complex1(cmplx.Exp),
		partials: partial1(func(g *Graph, y, x Node) Node { return y })})
	defineElementwise(opDef{op: OpLog, gen: genForm{expr: "math.Log(%[1]s)"},
		name: "log", doc: "the natural logarithm of x",
		f1: math.Log, cplx: complex1(cmplx.Log),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.div(g.Const(1), x) })})
	defineElementwise(opDef{op: OpLog1p, gen: genForm{expr: "math.Log1p(%[1]s)"},
		name: "log1p", doc: "log(1 + x), accurate near 0",
		f1: math.Log1p, cplx: complex1(clog1p),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.div(g.Const(1), g.add2(g.Const(1), x)) })})
	defineElementwise(opDef{op: OpExpm1, gen: genForm{expr: "math.Expm1(%[1]s)"},
		name: "expm1", doc: "eˣ − 1, accurate near 0",
		f1: math.Expm1, cplx: complex1(cexpm1),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.un(OpExp, x) })})
	defineElementwise(opDef{op: OpSqrt, gen: genForm{expr: "math.Sqrt(%[1]s)"},
		name: "sqrt", doc: "the square root of x",
		f1: math.Sqrt, cplx: complex1(cmplx.Sqrt), fast: fastKernels{scalar: cSqrtS},
		partials: partial1(func(g *Graph, y, x Node) Node { return g.div(g.Const(0.5), y) })})
	defineElementwise(opDef{op: OpAbs, gen: genForm{expr: "math.Abs(%[1]s)"},
		name: "abs", doc: "the absolute value of x (derivative 0 at 0)",
		f1: math.Abs, noComplex: true, fast: fastKernels{scalar: cAbsS},
		partials: partial1(func(g *Graph, y, x Node) Node { return g.un(OpSign, x) })})
	// σ(x)σ(-x), not y(1-y), which cancels where σ saturates near 1.
	defineElementwise(opDef{op: OpSigmoid, gen: genForm{expr: "%[3]sSigmoid(%[1]s)", helper: sigmoidSource},
		name: "sigmoid", doc: "1 / (1 + e⁻ˣ), the logistic function",
		f1: sigmoid, cplx: complex1(csigmoid),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.mul(y, g.un(OpSigmoid, g.neg(x))) })})
	defineElementwise(opDef{op: OpSoftplus, gen: genForm{expr: "%[3]sSoftplus(%[1]s)", helper: softplusSource},
		name: "softplus", doc: "log(1 + eˣ), computed without overflow",
		f1: softplus, cplx: complex1(csoftplus),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.un(OpSigmoid, x) })})
	defineElementwise(opDef{op: OpSign, gen: genForm{expr: "%[3]sSign(%[1]s)", helper: signSource},
		name: "sign", doc: "−1, 0 or 1 (derivative 0)",
		f1: sign, noComplex: true,
		partials: partial1(func(g *Graph, y, x Node) Node { return Node{} })})
	defineElementwise(opDef{op: OpStep, gen: genForm{expr: "%[3]sStep(%[1]s)", helper: stepSource},
		name: "step", doc: "1 for x ≥ 0, else 0, so step(0) is 1 (derivative 0)",
		f1: step, fast: fastKernels{v: stepV}, noComplex: true,
		partials: partial1(func(g *Graph, y, x Node) Node { return Node{} })})

	defineElementwise(opDef{op: OpAtan2, gen: genForm{expr: "math.Atan2(%[1]s, %[2]s)"},
		name: "atan2", args: []string{"y", "x"}, doc: "the angle of the point (x, y), in [−π, π]",
		f2: math.Atan2, cplx: complex2(catan2),
		partials: partial2(func(g *Graph, z, y, x Node) (Node, Node) {
			r := g.add2(g.mul(y, y), g.mul(x, x))
			return g.div(x, r), g.neg(g.div(y, r))
		})})
	defineElementwise(opDef{op: OpHypot, gen: genForm{expr: "math.Hypot(%[1]s, %[2]s)"},
		name: "hypot", doc: "√(x² + y²), without overflow",
		f2: math.Hypot, cplx: complex2(chypot),
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) { return g.div(x, z), g.div(y, z) })})
	// min and max pick the first argument on ties, like JAX.
	defineElementwise(opDef{op: OpMin, gen: genForm{expr: "math.Min(%[1]s, %[2]s)"},
		name: "min", doc: "the smaller of x and y (the first on ties)",
		f2: math.Min, noComplex: true,
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) {
			s := g.un(OpStep, g.sub(y, x))
			return s, g.sub(g.Const(1), s)
		})})
	defineElementwise(opDef{op: OpMax, gen: genForm{expr: "math.Max(%[1]s, %[2]s)"},
		name: "max", doc: "the larger of x and y (the first on ties)",
		f2: math.Max, noComplex: true,
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) {
			s := g.un(OpStep, g.sub(x, y))
			return s, g.sub(g.Const(1), s)
		})})
}

// defineElementwise enters an elementwise op, with what every elementwise
// op shares: one argument x or two x and y (unless d names them), the
// broadcasting shape rule, constant folding before the op's own rewrites,
// the generic kernels where the op has no faster ones, in-place results,
// and printing as a call.
func defineElementwise(d opDef) {
	d.kind = kindElementwise
	arity := 1
	if d.f2 != nil {
		arity = 2
	}
	if d.args == nil {
		d.args = []string{"x", "y"}[:arity]
	}
	d.shape = broadcastShape
	rules := []rewrite{foldConstants, foldConstVectors}
	if arity == 2 {
		rules = append([]rewrite{broadcastArgs}, append(rules, unfill)...)
	}
	d.rewrites = append(rules, d.rewrites...)
	if d.compile == nil {
		d.compile = compileElementwise
	}
	d.inPlace = arity
	if d.format == nil {
		d.format = printCall
	}
	define(d)
}

// broadcastShape is the shape rule of elementwise ops: NumPy's
// broadcasting (Broadcast).
func broadcastShape(op Op, in []Shape, _ [3]int) (Shape, error) {
	if len(in) == 1 {
		return in[0], nil
	}
	return broadcast(op.String(), in[0], in[1])
}

// The rewrites every elementwise op starts with.
var (
	// An operand that broadcasts (a row or a column against a matrix) is
	// made a value of the result's shape, so that kernels and derivative
	// rules see operands of one shape, or a scalar.
	broadcastArgs = rewrite{"f(row, matrix) → f(broadcast(row), matrix)", func(g *Graph, t *term) (Node, bool) {
		args := make([]Node, len(t.args))
		changed := false
		for k, a := range t.args {
			args[k] = g.handle(a)
			if s := g.nodes[a].shape; !s.IsScalar() && s != t.shape {
				args[k] = g.broadcastTo(args[k], t.shape)
				changed = true
			}
		}
		if !changed {
			return Node{}, false
		}
		return must(g.build(t.op, t.p, args...)), true
	}}
	foldConstants = rewrite{"f(c) → constant", func(g *Graph, t *term) (Node, bool) {
		var c [2]float64
		for k, a := range t.args {
			v, ok := g.constant(a)
			if !ok {
				return Node{}, false
			}
			c[k] = v
		}
		return g.shaped(g.Const(ops[t.op].eval(c[0], c[1])), t.shape), true
	}}
	foldConstVectors = rewrite{"f(constant vector) → constant vector", func(g *Graph, t *term) (Node, bool) {
		for _, a := range t.args {
			if !g.isConstNode(a) {
				return Node{}, false
			}
		}
		// Only now, when every operand is constant, are uniform ones
		// expanded: a rule that does not apply must not cost O(n).
		n := t.shape.Len()
		vals := make([][]float64, len(t.args))
		for k, a := range t.args {
			vals[k], _ = g.constVals(a, n)
		}
		v := make([]float64, n)
		for i := range v {
			var x [2]float64
			for k := range vals {
				x[k] = vals[k][i]
			}
			v[i] = ops[t.op].eval(x[0], x[1])
		}
		return g.constOf(t.shape, v), true
	}}
	// A fill against an operand of the full shape is its scalar broadcast.
	unfill = rewrite{"f(fill(s), x) → f(s, x)", func(g *Graph, t *term) (Node, bool) {
		a, b := t.args[0], t.args[1]
		switch {
		case g.nodes[a].op == OpFill && g.nodes[b].shape == t.shape:
			return must(g.build(t.op, t.p, g.handle(g.nodes[a].args[0]), g.handle(b))), true
		case g.nodes[b].op == OpFill && g.nodes[a].shape == t.shape:
			return must(g.build(t.op, t.p, g.handle(a), g.handle(g.nodes[b].args[0]))), true
		}
		return Node{}, false
	}}
)

// eval applies an elementwise op to one or two numbers.
func (d *opDef) eval(a, b float64) float64 {
	if d.f1 != nil {
		return d.f1(a)
	}
	return d.f2(a, b)
}

// partial1 and partial2 turn the derivative of a function of one or two
// arguments into the op table's partials.
func partial1(d func(g *Graph, y, x Node) Node) func(*Graph, Node, []Node) []Node {
	return func(g *Graph, y Node, a []Node) []Node { return []Node{d(g, y, a[0])} }
}

func partial2(d func(g *Graph, y, a, b Node) (Node, Node)) func(*Graph, Node, []Node) []Node {
	return func(g *Graph, y Node, a []Node) []Node {
		da, db := d(g, y, a[0], a[1])
		return []Node{da, db}
	}
}

// fastKernels are an elementwise op's own kernels, which the compiler picks
// by its operands' shapes over the generic loops.
type fastKernels struct {
	scalar     code   // the compact loop's code when every operand is a scalar
	v          kernel // one vector operand
	vv, vs, sv kernel // two operands, by which of them are vectors
	// commutes runs a (scalar, vector) pair as vs with the operands swapped.
	commutes bool
	// scaledVV, scaledVS and scaledSV compute c·(a op b), a constant factor
	// merged into the op (scale.go).
	scaledVV, scaledVS, scaledSV kernel
}

// scaled returns the kernel of c·(a op b) for operands that are vectors as
// given, or nil.
func (f *fastKernels) scaled(av, bv bool) kernel {
	switch {
	case av && bv:
		return f.scaledVV
	case av:
		return f.scaledVS
	case bv:
		return f.scaledSV
	}
	return nil
}

// compileElementwise picks an elementwise op's kernel: the op's own by its
// operands' shapes where it has one, else a loop over f1 or f2.
func compileElementwise(g *Graph, nd *node, in instr) instr {
	d := &ops[nd.op]
	fk := &d.fast
	in.f1, in.f2 = d.f1, d.f2
	pick := func(k, generic kernel) instr {
		in.kernel = generic
		if k != nil {
			in.kernel = k
		}
		return in
	}
	if len(nd.args) == 1 {
		switch {
		case in.args[0].vec:
			return pick(fk.v, f1V)
		case fk.scalar != cKernel:
			in.code = fk.scalar
			return in
		}
		return pick(nil, f1S)
	}
	av, bv := in.args[0].vec, in.args[1].vec
	switch {
	case !av && !bv && fk.scalar != cKernel:
		in.code = fk.scalar
		return in
	case !av && !bv:
		return pick(nil, f2SS)
	case av && bv:
		return pick(fk.vv, f2VV)
	case av:
		return pick(fk.vs, f2VS)
	case fk.commutes:
		in.a, in.b = in.b, in.a // vector first
		return pick(fk.vs, f2VS)
	}
	return pick(fk.sv, f2SV)
}

// The generic elementwise kernels.
func f1S(ws *Workspace, in *instr)  { ws.s[in.dst] = in.f1(ws.s[in.a]) }
func f2SS(ws *Workspace, in *instr) { ws.s[in.dst] = in.f2(ws.s[in.a], ws.s[in.b]) }

func f1V(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	a = a[:len(d)]
	for i := range d {
		d[i] = in.f1(a[i])
	}
}

// expV and tanhV compute a whole vector at once, the same bits as f1V
// computes with f1.
func expV(ws *Workspace, in *instr)  { vmath.Exp(ws.v[in.dst], ws.v[in.a]) }
func tanhV(ws *Workspace, in *instr) { vmath.Tanh(ws.v[in.dst], ws.v[in.a]) }

func f2VV(ws *Workspace, in *instr) {
	d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = in.f2(a[i], b[i])
	}
}

func f2VS(ws *Workspace, in *instr) {
	d, a, c := ws.v[in.dst], ws.v[in.a], ws.s[in.b]
	a = a[:len(d)]
	for i := range d {
		d[i] = in.f2(a[i], c)
	}
}

func f2SV(ws *Workspace, in *instr) {
	d, c, b := ws.v[in.dst], ws.s[in.a], ws.v[in.b]
	b = b[:len(d)]
	for i := range d {
		d[i] = in.f2(c, b[i])
	}
}

// complex1 and complex2 turn the complex form of a function of one or two
// arguments into the op table's complex kernel, broadcasting a scalar.
func complex1(f func(complex128) complex128) func(*node, []Shape, [][]complex128, []complex128) {
	return func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
		for j := range out {
			out[j] = f(at(args[0], j))
		}
	}
}

func complex2(f func(a, b complex128) complex128) func(*node, []Shape, [][]complex128, []complex128) {
	return func(_ *node, _ []Shape, args [][]complex128, out []complex128) {
		for j := range out {
			out[j] = f(at(args[0], j), at(args[1], j))
		}
	}
}

// at is element j of v, or its only element for a broadcast scalar.
func at(v []complex128, j int) complex128 {
	if len(v) == 1 {
		return v[0]
	}
	return v[j]
}

// The helpers of generated Go: sigmoid, softplus, sign and step as source,
// named with a prefix %[1]s.
const (
	sigmoidSource = `func %[1]sSigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}`
	softplusSource = `func %[1]sSoftplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}`
	signSource = `func %[1]sSign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x
}`
	stepSource = `func %[1]sStep(x float64) float64 {
	switch {
	case x >= 0:
		return 1
	case x < 0:
		return 0
	}
	return x
}`
)

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + vmath.Exp1(-x))
	}
	e := vmath.Exp1(x)
	return e / (1 + e)
}

// softplus is log(1+exp(x)), computed without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(vmath.Exp1(-x))
	}
	return math.Log1p(vmath.Exp1(x))
}

// softplusSigmoidV writes softplus(x) to its destination and σ(x) to slot
// b with the one exponential e^−|x| both take, by the same operations as
// softplus and sigmoid, so that the results are theirs to the bit.
func softplusSigmoidV(ws *Workspace, in *instr) {
	sp, sg, a := ws.v[in.dst], ws.v[in.b], ws.v[in.a]
	sg, a = sg[:len(sp)], a[:len(sp)]
	// The exponentials of a tile at a time, in a buffer of their own: the
	// destinations may be the argument's buffer.
	var buf [tileLen]float64
	for lo := 0; lo < len(a); lo += len(buf) {
		a := a[lo:min(lo+len(buf), len(a))]
		e := buf[:len(a)]
		for i, x := range a {
			e[i] = x // −|x|, but a NaN keeps its sign, as in softplus and sigmoid
			if x > 0 {
				e[i] = -x
			}
		}
		vmath.Exp(e, e)
		sp, sg := sp[lo:lo+len(a)], sg[lo:lo+len(a)]
		for i, x := range a {
			sp[i] = math.Log1p(e[i])
			if x > 0 {
				sp[i] = x + sp[i]
			}
			if x >= 0 {
				sg[i] = 1 / (1 + e[i])
			} else {
				sg[i] = e[i] / (1 + e[i])
			}
		}
	}
}

// sign is -1, 0 or 1; it is 0 at 0, which makes abs'(0) = 0.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x // NaN
}

// step is 1 for x ≥ 0 and 0 below: step(a - b) is a ≥ b, which gives min
// and max's derivative to their first argument on ties.
func step(x float64) float64 {
	switch {
	case x >= 0:
		return 1
	case x < 0:
		return 0
	}
	return x // NaN
}

// stepV is step over a vector, without f1V's call per element: the mask
// of the nearest centroids in k-means is a matrix of steps.
func stepV(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	a = a[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
		d4[0] = step(a4[0])
		d4[1] = step(a4[1])
		d4[2] = step(a4[2])
		d4[3] = step(a4[3])
	}
	for ; i < len(d); i++ {
		d[i] = step(a[i])
	}
}
