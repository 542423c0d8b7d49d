package ad

import "math"

// The arithmetic operators: - + - * / and ^. They are elementwise, like the
// functions of op_elementwise.go, and have kernels of their own, which the
// compact loop of Run and the compiler's scale merging use.
func init() {
	defineElementwise(opDef{op: OpNeg, gen: genForm{expr: "-%[1]s"},
		name: "neg", form: "-x", doc: "the negation of x",
		f1: func(x float64) float64 { return -x }, cplx: complex1(func(z complex128) complex128 { return -z }),
		partials: partial1(func(g *Graph, y, x Node) Node { return g.Const(-1) }),
		rewrites: []rewrite{
			{"-(-x) → x", func(g *Graph, t *term) (Node, bool) {
				if na := &g.nodes[t.args[0]]; na.op == OpNeg {
					return g.handle(na.args[0]), true
				}
				return Node{}, false
			}},
			{"-(c*x) → (-c)*x", func(g *Graph, t *term) (Node, bool) {
				na := &g.nodes[t.args[0]]
				if c, ok := g.constant(na.args0()); ok && na.op == OpMul && g.nodes[na.args[0]].shape.IsScalar() {
					return g.mul(g.Const(-c), g.handle(na.args[1])), true
				}
				return Node{}, false
			}},
		},
		fast: fastKernels{scalar: cNegS, v: negV},
		format: func(p *printer, nd *node) (string, int) {
			return "-" + p.arg(nd, 0, precPow), precUnary
		}})

	defineElementwise(opDef{op: OpAdd, gen: genForm{expr: "%[1]s + %[2]s"},
		name: "add", form: "x + y", doc: "the sum of x and y",
		f2: func(a, b float64) float64 { return a + b }, cplx: complex2(func(a, b complex128) complex128 { return a + b }),
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) { return g.Const(1), g.Const(1) }),
		rewrites: []rewrite{
			{"0 + x → x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) {
					return g.shaped(g.handle(t.args[1]), t.shape), true
				}
				return Node{}, false
			}},
			{"x + 0 → x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[1], 0) {
					return g.shaped(g.handle(t.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"x + x → 2*x", func(g *Graph, t *term) (Node, bool) {
				if t.args[0] == t.args[1] {
					return g.mul(g.Const(2), g.handle(t.args[0])), true
				}
				return Node{}, false
			}},
			{"x + (-y) → x - y", func(g *Graph, t *term) (Node, bool) {
				if nb := &g.nodes[t.args[1]]; nb.op == OpNeg {
					return g.sub(g.handle(t.args[0]), g.handle(nb.args[0])), true
				}
				return Node{}, false
			}},
			{"(-x) + y → y - x", func(g *Graph, t *term) (Node, bool) {
				if na := &g.nodes[t.args[0]]; na.op == OpNeg {
					return g.sub(g.handle(t.args[1]), g.handle(na.args[0])), true
				}
				return Node{}, false
			}},
			{"x + (-c)*y → x - c*y", func(g *Graph, t *term) (Node, bool) {
				if g.negatedMul(t.args[1]) {
					return g.sub(g.handle(t.args[0]), g.flipMul(t.args[1])), true
				}
				return Node{}, false
			}},
			// The adjoint of a slice added to a gradient updates it in
			// place instead of adding a vector of zeros.
			{"x + scatter(v) → scatteradd(x, v)", func(g *Graph, t *term) (Node, bool) {
				for _, k := range [][2]int{{0, 1}, {1, 0}} {
					base, sc := t.args[k[0]], &g.nodes[t.args[k[1]]]
					if sc.op == OpScatter && g.nodes[base].shape == t.shape {
						return must(g.build(OpScatterAdd, [3]int{sc.p[0], sc.p[1]}, g.handle(base), g.handle(sc.args[0]))), true
					}
				}
				return Node{}, false
			}},
			// The adjoint of a take, likewise, adds its rows in place.
			{"x + addat(0, a, v) → addat(x, a, v)", func(g *Graph, t *term) (Node, bool) {
				for _, k := range [][2]int{{0, 1}, {1, 0}} {
					base, at := t.args[k[0]], &g.nodes[t.args[k[1]]]
					if at.op == OpAddAt && g.isConst(at.args[0], 0) && g.nodes[base].shape == t.shape {
						return g.addAt(g.handle(base), g.handle(at.args[1]), g.handle(at.args[2])), true
					}
				}
				return Node{}, false
			}},
		},
		fast:   fastKernels{scalar: cAddSS, vv: addVV, vs: addVS, commutes: true, scaledVV: addVVc},
		format: printInfix, infix: "+", prec: precAdd})

	defineElementwise(opDef{op: OpSub, gen: genForm{expr: "%[1]s - %[2]s"},
		name: "sub", form: "x - y", doc: "the difference of x and y",
		f2: func(a, b float64) float64 { return a - b }, cplx: complex2(func(a, b complex128) complex128 { return a - b }),
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) { return g.Const(1), g.Const(-1) }),
		rewrites: []rewrite{
			{"x - 0 → x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[1], 0) {
					return g.shaped(g.handle(t.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"0 - x → -x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) {
					return g.shaped(g.neg(g.handle(t.args[1])), t.shape), true
				}
				return Node{}, false
			}},
			{"x - (-y) → x + y", func(g *Graph, t *term) (Node, bool) {
				if nb := &g.nodes[t.args[1]]; nb.op == OpNeg {
					return g.add2(g.handle(t.args[0]), g.handle(nb.args[0])), true
				}
				return Node{}, false
			}},
			{"x - (-c)*y → x + c*y", func(g *Graph, t *term) (Node, bool) {
				if g.negatedMul(t.args[1]) {
					return g.add2(g.handle(t.args[0]), g.flipMul(t.args[1])), true
				}
				return Node{}, false
			}},
		},
		fast: fastKernels{scalar: cSubSS, vv: subVV, vs: subVS, sv: subSV,
			scaledVV: subVVc, scaledVS: subVSc, scaledSV: subSVc},
		format: printInfix, infix: "-", prec: precAdd})

	// Like other AD systems, nabla treats 0*x as an exact zero even where x
	// is not finite.
	defineElementwise(opDef{op: OpMul, gen: genForm{expr: "%[1]s * %[2]s"},
		name: "mul", form: "x * y", doc: "the product of x and y",
		f2: func(a, b float64) float64 { return a * b }, cplx: complex2(func(a, b complex128) complex128 { return a * b }),
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) { return y, x }),
		rewrites: []rewrite{
			{"x*c → c*x", func(g *Graph, t *term) (Node, bool) {
				if g.isConstScalarOrFill(t.args[1]) && !g.isConstScalarOrFill(t.args[0]) {
					return g.mul(g.handle(t.args[1]), g.handle(t.args[0])), true
				}
				return Node{}, false
			}},
			// Signs and scalar constant factors move outward, where they
			// merge: x*(-y) = -(x*y), (c*x)*y = c*(x*y).
			{"x*(-y) → -(x*y)", func(g *Graph, t *term) (Node, bool) {
				if nb := &g.nodes[t.args[1]]; nb.op == OpNeg && !g.isConstScalarOrFill(t.args[0]) {
					return g.neg(g.mul(g.handle(t.args[0]), g.handle(nb.args[0]))), true
				}
				return Node{}, false
			}},
			{"(-x)*y → -(x*y)", func(g *Graph, t *term) (Node, bool) {
				if na := &g.nodes[t.args[0]]; na.op == OpNeg {
					return g.neg(g.mul(g.handle(na.args[0]), g.handle(t.args[1]))), true
				}
				return Node{}, false
			}},
			{"x*(c*y) → c*(x*y)", func(g *Graph, t *term) (Node, bool) {
				if a, b := t.args[0], t.args[1]; g.scaled(b) && !g.isConstScalarOrFill(a) {
					nb := &g.nodes[b]
					return g.mul(g.handle(nb.args[0]), g.mul(g.handle(a), g.handle(nb.args[1]))), true
				}
				return Node{}, false
			}},
			{"(c*x)*y → c*(x*y)", func(g *Graph, t *term) (Node, bool) {
				if a, b := t.args[0], t.args[1]; g.scaled(a) {
					na := &g.nodes[a]
					return g.mul(g.handle(na.args[0]), g.mul(g.handle(na.args[1]), g.handle(b))), true
				}
				return Node{}, false
			}},
			{"0*x → 0", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) {
					return g.zeros(t.shape), true
				}
				return Node{}, false
			}},
			{"1*x → x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 1) {
					return g.shaped(g.handle(t.args[1]), t.shape), true
				}
				return Node{}, false
			}},
			{"-1*x → -x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], -1) {
					return g.shaped(g.neg(g.handle(t.args[1])), t.shape), true
				}
				return Node{}, false
			}},
			{"c₁*(c₂*x) → (c₁c₂)*x", func(g *Graph, t *term) (Node, bool) {
				c1, ok := g.constant(t.args[0])
				nb := &g.nodes[t.args[1]]
				if !ok || nb.op != OpMul || !g.nodes[t.args[0]].shape.IsScalar() || !g.nodes[nb.args[0]].shape.IsScalar() {
					return Node{}, false
				}
				if c2, ok := g.constant(nb.args[0]); ok {
					return g.mul(g.Const(c1*c2), g.handle(nb.args[1])), true
				}
				return Node{}, false
			}},
			{"c*(-x) → (-c)*x", func(g *Graph, t *term) (Node, bool) {
				c, ok := g.constant(t.args[0])
				if nb := &g.nodes[t.args[1]]; ok && nb.op == OpNeg && g.nodes[t.args[0]].shape.IsScalar() {
					return g.mul(g.Const(-c), g.handle(nb.args[0])), true
				}
				return Node{}, false
			}},
		},
		fast:   fastKernels{scalar: cMulSS, vv: mulVV, vs: mulVS, commutes: true, scaledVV: mulVVc},
		format: printInfix, infix: "*", prec: precMul})

	defineElementwise(opDef{op: OpDiv, gen: genForm{expr: "%[1]s / %[2]s"},
		name: "div", form: "x / y", doc: "the quotient of x and y",
		f2: func(a, b float64) float64 { return a / b }, cplx: complex2(func(a, b complex128) complex128 { return a / b }),
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) {
			r := g.div(g.Const(1), y)
			return r, g.neg(g.mul(z, r))
		}),
		rewrites: []rewrite{
			{"x/1 → x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[1], 1) {
					return g.shaped(g.handle(t.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"0/x → 0", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[0], 0) {
					return g.zeros(t.shape), true
				}
				return Node{}, false
			}},
		},
		fast:   fastKernels{scalar: cDivSS, vv: divVV, vs: divVS, sv: divSV},
		format: printInfix, infix: "/", prec: precMul})

	defineElementwise(opDef{op: OpPow, gen: genForm{expr: "%[3]sPow(%[1]s, %[2]s)", helper: powSource, byConst: powByConst},
		name: "pow", doc: "x raised to the power y, also written x^y",
		f2: pow, cplx: complex2(cpow),
		partials: partial2(func(g *Graph, z, x, y Node) (Node, Node) {
			var dy Node
			if _, ok := g.constant(y.id - 1); !ok {
				dy = g.mul(z, g.un(OpLog, x))
			}
			return g.mul(y, g.bin(OpPow, x, g.sub(y, g.Const(1)))), dy
		}),
		rewrites: []rewrite{
			{"x^1 → x", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[1], 1) {
					return g.shaped(g.handle(t.args[0]), t.shape), true
				}
				return Node{}, false
			}},
			{"x^0 → 1", func(g *Graph, t *term) (Node, bool) {
				if g.isConst(t.args[1], 0) {
					return g.shaped(g.Const(1), t.shape), true
				}
				return Node{}, false
			}},
		},
		fast: fastKernels{scalar: cPowSS, vs: powVS},
		compile: func(g *Graph, nd *node, in instr) instr {
			in = compileElementwise(g, nd, in)
			if in.code == cPowSS && g.isConst(nd.args[1], 2) {
				in.code = cSqS
			}
			return in
		},
		format: func(p *printer, nd *node) (string, int) {
			return p.arg(nd, 0, precPostfix) + "^" + p.arg(nd, 1, precPow), precPow
		}})
}

// Add returns a + b.
func (g *Graph) Add(a, b Node) (Node, error) { return g.call(OpAdd, []Node{a, b}) }

// Sub returns a - b.
func (g *Graph) Sub(a, b Node) (Node, error) { return g.call(OpSub, []Node{a, b}) }

// Mul returns a * b.
func (g *Graph) Mul(a, b Node) (Node, error) { return g.call(OpMul, []Node{a, b}) }

// Div returns a / b.
func (g *Graph) Div(a, b Node) (Node, error) { return g.call(OpDiv, []Node{a, b}) }

// Pow returns a ^ b.
func (g *Graph) Pow(a, b Node) (Node, error) { return g.call(OpPow, []Node{a, b}) }

// Neg returns -a.
func (g *Graph) Neg(a Node) (Node, error) { return g.call(OpNeg, []Node{a}) }

// printInfix prints a left-associative infix operator: the right operand
// needs a higher precedence to keep the tree's shape, and a negation on the
// right is parenthesized for readability.
func printInfix(p *printer, nd *node) (string, int) {
	d := &ops[nd.op]
	right := d.prec + 1
	if p.isNeg(nd.args[1]) {
		right = precPow
	}
	return p.arg(nd, 0, d.prec) + " " + d.infix + " " + p.arg(nd, 1, right), d.prec
}

// isConstScalarOrFill reports whether node i is a scalar constant or a
// fill of one: a constant factor that goes first in a product.
func (g *Graph) isConstScalarOrFill(i int32) bool {
	_, ok := g.constant(i)
	return ok
}

// negatedMul reports whether node i is c*x for a negative scalar constant c.
func (g *Graph) negatedMul(i int32) bool {
	nd := &g.nodes[i]
	if nd.op != OpMul || !g.nodes[nd.args[0]].shape.IsScalar() {
		return false
	}
	c, ok := g.constant(nd.args[0])
	return ok && c < 0
}

// flipMul returns (-c)*x for the node c*x.
func (g *Graph) flipMul(i int32) Node {
	nd := &g.nodes[i]
	c, _ := g.constant(nd.args[0])
	return g.mul(g.Const(-c), g.handle(nd.args[1]))
}

// scaled reports whether node i is c*x for a scalar constant c and an x of
// i's own shape, so that c can move out of a product.
func (g *Graph) scaled(i int32) bool {
	nd := &g.nodes[i]
	if nd.op != OpMul || !g.nodes[nd.args[0]].shape.IsScalar() || g.nodes[nd.args[1]].shape != nd.shape {
		return false
	}
	_, ok := g.constant(nd.args[0])
	return ok
}

// pow is math.Pow with fast paths for small integer exponents.
func pow(a, b float64) float64 {
	switch b {
	case 2:
		return a * a
	case 1:
		return a
	case 3:
		return a * a * a
	case 4:
		// The squares of math.Pow's loop, so the same bits for every
		// result above the subnormals, without its call.
		a2 := a * a
		return a2 * a2
	case 0.5:
		return math.Sqrt(a)
	case -1:
		return 1 / a
	}
	return math.Pow(a, b)
}

// powSource is pow as generated Go, for exponents that are not constants.
const powSource = `func %[1]sPow(a, b float64) float64 {
	switch b {
	case 2:
		return a * a
	case 1:
		return a
	case 3:
		return a * a * a
	case 4:
		// The squares of math.Pow's loop, so the same bits for every
		// result above the subnormals, without its call.
		a2 := a * a
		return a2 * a2
	case 0.5:
		return math.Sqrt(a)
	case -1:
		return 1 / a
	}
	return math.Pow(a, b)
}`

// powByConst is pow as generated Go for the constant exponent c: pow's
// fast path for c, written out.
func powByConst(c float64) string {
	switch c {
	case 2:
		return "%[1]s * %[1]s"
	case 1:
		return "%[1]s"
	case 3:
		return "%[1]s * %[1]s * %[1]s"
	case 4:
		return "(%[1]s * %[1]s) * (%[1]s * %[1]s)"
	case 0.5:
		return "math.Sqrt(%[1]s)"
	case -1:
		return "1 / %[1]s"
	}
	return "math.Pow(%[1]s, %[2]s)"
}

// The arithmetic kernels. Slicing the operands to the destination's length
// lets the compiler drop the bounds checks in the loops. The loops of the
// kernels that fused groups run most go four elements at a time: a pass
// over a tile then spends a quarter of the instructions on counting, and
// a pass costs about a sixth less.

func negV(ws *Workspace, in *instr) {
	d, a := ws.v[in.dst], ws.v[in.a]
	a = a[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
		d4[0] = -a4[0]
		d4[1] = -a4[1]
		d4[2] = -a4[2]
		d4[3] = -a4[3]
	}
	for ; i < len(d); i++ {
		d[i] = -a[i]
	}
}

func addVV(ws *Workspace, in *instr) { addTo(ws.v[in.dst], ws.v[in.a], ws.v[in.b]) }

// addTo writes a + b to d, four elements a round.
func addTo(d, a, b []float64) {
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = a4[0] + b4[0]
		d4[1] = a4[1] + b4[1]
		d4[2] = a4[2] + b4[2]
		d4[3] = a4[3] + b4[3]
	}
	for ; i < len(d); i++ {
		d[i] = a[i] + b[i]
	}
}

func addVS(ws *Workspace, in *instr) { addScalarTo(ws.v[in.dst], ws.v[in.a], ws.s[in.b]) }

// addScalarTo writes a + c to d, four elements a round.
func addScalarTo(d, a []float64, c float64) {
	a = a[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
		d4[0] = a4[0] + c
		d4[1] = a4[1] + c
		d4[2] = a4[2] + c
		d4[3] = a4[3] + c
	}
	for ; i < len(d); i++ {
		d[i] = a[i] + c
	}
}

func subVV(ws *Workspace, in *instr) { subTo(ws.v[in.dst], ws.v[in.a], ws.v[in.b]) }

// subTo writes a − b to d, four elements a round.
func subTo(d, a, b []float64) {
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = a4[0] - b4[0]
		d4[1] = a4[1] - b4[1]
		d4[2] = a4[2] - b4[2]
		d4[3] = a4[3] - b4[3]
	}
	for ; i < len(d); i++ {
		d[i] = a[i] - b[i]
	}
}

func subVS(ws *Workspace, in *instr) { subScalarTo(ws.v[in.dst], ws.v[in.a], ws.s[in.b]) }

// subScalarTo writes a − c to d, four elements a round.
func subScalarTo(d, a []float64, c float64) {
	a = a[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
		d4[0] = a4[0] - c
		d4[1] = a4[1] - c
		d4[2] = a4[2] - c
		d4[3] = a4[3] - c
	}
	for ; i < len(d); i++ {
		d[i] = a[i] - c
	}
}

func subSV(ws *Workspace, in *instr) { subFromScalarTo(ws.v[in.dst], ws.s[in.a], ws.v[in.b]) }

// subFromScalarTo writes c − b to d, four elements a round.
func subFromScalarTo(d []float64, c float64, b []float64) {
	b = b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, b4 := d[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = c - b4[0]
		d4[1] = c - b4[1]
		d4[2] = c - b4[2]
		d4[3] = c - b4[3]
	}
	for ; i < len(d); i++ {
		d[i] = c - b[i]
	}
}

func mulVV(ws *Workspace, in *instr) {
	d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = a4[0] * b4[0]
		d4[1] = a4[1] * b4[1]
		d4[2] = a4[2] * b4[2]
		d4[3] = a4[3] * b4[3]
	}
	for ; i < len(d); i++ {
		d[i] = a[i] * b[i]
	}
}

func mulVS(ws *Workspace, in *instr) { scaleTo(ws.v[in.dst], ws.v[in.a], ws.s[in.b]) }

// scaleTo writes a·c to d, four elements a round.
func scaleTo(d, a []float64, c float64) {
	a = a[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
		d4[0] = a4[0] * c
		d4[1] = a4[1] * c
		d4[2] = a4[2] * c
		d4[3] = a4[3] * c
	}
	for ; i < len(d); i++ {
		d[i] = a[i] * c
	}
}

func divVV(ws *Workspace, in *instr) {
	d, a, b := ws.v[in.dst], ws.v[in.a], ws.v[in.b]
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = a[i] / b[i]
	}
}

func divVS(ws *Workspace, in *instr) {
	d, a, c := ws.v[in.dst], ws.v[in.a], ws.s[in.b]
	a = a[:len(d)]
	for i := range d {
		d[i] = a[i] / c
	}
}

func divSV(ws *Workspace, in *instr) {
	d, c, b := ws.v[in.dst], ws.s[in.a], ws.v[in.b]
	b = b[:len(d)]
	for i := range d {
		d[i] = c / b[i]
	}
}

func powVS(ws *Workspace, in *instr) {
	d, a, c := ws.v[in.dst], ws.v[in.a], ws.s[in.b]
	a = a[:len(d)]
	switch c {
	case 2:
		i := 0
		for ; i+4 <= len(d); i += 4 {
			d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
			d4[0] = a4[0] * a4[0]
			d4[1] = a4[1] * a4[1]
			d4[2] = a4[2] * a4[2]
			d4[3] = a4[3] * a4[3]
		}
		for ; i < len(d); i++ {
			d[i] = a[i] * a[i]
		}
	case 3:
		i := 0
		for ; i+4 <= len(d); i += 4 {
			d4, a4 := d[i:i+4:i+4], a[i:i+4:i+4]
			d4[0] = a4[0] * a4[0] * a4[0]
			d4[1] = a4[1] * a4[1] * a4[1]
			d4[2] = a4[2] * a4[2] * a4[2]
			d4[3] = a4[3] * a4[3] * a4[3]
		}
		for ; i < len(d); i++ {
			d[i] = a[i] * a[i] * a[i]
		}
	default:
		for i := range d {
			d[i] = pow(a[i], c)
		}
	}
}

// The scaled kernels c·(a op b).

func mulVVc(ws *Workspace, in *instr) {
	d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
	a, b = a[:len(d)], b[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d4, a4, b4 := d[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		d4[0] = c * (a4[0] * b4[0])
		d4[1] = c * (a4[1] * b4[1])
		d4[2] = c * (a4[2] * b4[2])
		d4[3] = c * (a4[3] * b4[3])
	}
	for ; i < len(d); i++ {
		d[i] = c * (a[i] * b[i])
	}
}

func addVVc(ws *Workspace, in *instr) {
	d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = c * (a[i] + b[i])
	}
}

func subVVc(ws *Workspace, in *instr) {
	d, a, b, c := ws.v[in.dst], ws.v[in.a], ws.v[in.b], in.c
	a, b = a[:len(d)], b[:len(d)]
	for i := range d {
		d[i] = c * (a[i] - b[i])
	}
}

func subSVc(ws *Workspace, in *instr) {
	d, x, b, c := ws.v[in.dst], ws.s[in.a], ws.v[in.b], in.c
	b = b[:len(d)]
	for i := range d {
		d[i] = c * (x - b[i])
	}
}

func subVSc(ws *Workspace, in *instr) {
	d, a, x, c := ws.v[in.dst], ws.v[in.a], ws.s[in.b], in.c
	a = a[:len(d)]
	for i := range d {
		d[i] = c * (a[i] - x)
	}
}
