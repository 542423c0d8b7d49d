package ad

import (
	"errors"
	"fmt"
	"math"
)

// Add returns a + b.
func (g *Graph) Add(a, b Node) (Node, error) { return g.binary(OpAdd, a, b) }

// Sub returns a - b.
func (g *Graph) Sub(a, b Node) (Node, error) { return g.binary(OpSub, a, b) }

// Mul returns a * b.
func (g *Graph) Mul(a, b Node) (Node, error) { return g.binary(OpMul, a, b) }

// Div returns a / b.
func (g *Graph) Div(a, b Node) (Node, error) { return g.binary(OpDiv, a, b) }

// Pow returns a ^ b.
func (g *Graph) Pow(a, b Node) (Node, error) { return g.binary(OpPow, a, b) }

// Neg returns -a.
func (g *Graph) Neg(a Node) (Node, error) { return g.unary(OpNeg, a) }

// Internal builders for derivative rules, whose operands are known to fit.
func (g *Graph) un(op Op, a Node) Node        { return must(g.unary(op, a)) }
func (g *Graph) bin(op Op, a, b Node) Node    { return must(g.binary(op, a, b)) }
func (g *Graph) add2(a, b Node) Node          { return g.bin(OpAdd, a, b) }
func (g *Graph) sub(a, b Node) Node           { return g.bin(OpSub, a, b) }
func (g *Graph) mul(a, b Node) Node           { return g.bin(OpMul, a, b) }
func (g *Graph) div(a, b Node) Node           { return g.bin(OpDiv, a, b) }
func (g *Graph) neg(a Node) Node              { return g.un(OpNeg, a) }
func (g *Graph) reduce(op Op, a ...Node) Node { return g.reduceOp(op, a) }

// constVals returns the elements of a constant node of shape s (a scalar
// constant, a fill of one, or a vector constant), broadcasting to s.
func (g *Graph) constVals(i int32, n int) ([]float64, bool) {
	nd := &g.nodes[i]
	if nd.op == OpConst && nd.vec != nil {
		return nd.vec, true
	}
	c, ok := g.constant(i)
	if !ok {
		return nil, false
	}
	v := make([]float64, n)
	for k := range v {
		v[k] = c
	}
	return v, true
}

func (g *Graph) isConstNode(i int32) bool {
	_, ok := g.constant(i)
	return ok || g.nodes[i].op == OpConst
}

// shaped returns x broadcast to shape s.
func (g *Graph) shaped(x Node, s Shape) Node {
	if g.at(x).shape == s {
		return x
	}
	return g.fill(x, s)
}

func (g *Graph) fill(x Node, s Shape) Node {
	if s.IsScalar() {
		return x
	}
	if c, ok := g.constant(x.id - 1); ok && g.at(x).op == OpFill {
		x = g.Const(c)
	}
	return must(g.Fill(x, s.Len()))
}

func (g *Graph) unary(op Op, a Node) (Node, error) {
	if err := g.check(a); err != nil {
		return Node{}, err
	}
	ai := a.id - 1
	s := g.nodes[ai].shape
	f := ops[op].f1
	if c, ok := g.constant(ai); ok {
		return g.shaped(g.Const(f(c)), s), nil
	}
	if nd := &g.nodes[ai]; nd.op == OpConst {
		v := make([]float64, len(nd.vec))
		for k, x := range nd.vec {
			v[k] = f(x)
		}
		return g.ConstVec(v), nil
	}
	if op == OpNeg {
		na := &g.nodes[ai]
		if na.op == OpNeg {
			return g.handle(na.args[0]), nil
		}
		if c, ok := g.constant(na.args0()); ok && na.op == OpMul && g.nodes[na.args[0]].shape.IsScalar() {
			return g.binary(OpMul, g.Const(-c), g.handle(na.args[1]))
		}
	}
	return g.add(node{op: op, shape: s}, ai), nil
}

func (g *Graph) binary(op Op, a, b Node) (Node, error) {
	if err := g.check(a, b); err != nil {
		return Node{}, err
	}
	ai, bi := a.id-1, b.id-1
	s, err := broadcast(ops[op].name, g.nodes[ai].shape, g.nodes[bi].shape)
	if err != nil {
		return Node{}, err
	}
	f := ops[op].f2
	ca, aok := g.constant(ai)
	cb, bok := g.constant(bi)
	switch {
	case aok && bok:
		return g.shaped(g.Const(f(ca, cb)), s), nil
	case g.isConstNode(ai) && g.isConstNode(bi):
		va, _ := g.constVals(ai, s.Len())
		vb, _ := g.constVals(bi, s.Len())
		v := make([]float64, s.Len())
		for k := range v {
			v[k] = f(va[k], vb[k])
		}
		return g.ConstVec(v), nil
	}
	// A fill against an operand of the full shape is its scalar broadcast.
	if g.nodes[ai].op == OpFill && g.nodes[bi].shape == s {
		return g.binary(op, g.handle(g.nodes[ai].args[0]), b)
	}
	if g.nodes[bi].op == OpFill && g.nodes[ai].shape == s {
		return g.binary(op, a, g.handle(g.nodes[bi].args[0]))
	}
	// Exact algebraic identities keep derivative graphs small. Like other
	// AD systems, nabla treats 0*x as an exact zero even where x is not
	// finite.
	switch op {
	case OpAdd:
		switch {
		case aok && ca == 0:
			return g.shaped(b, s), nil
		case bok && cb == 0:
			return g.shaped(a, s), nil
		case ai == bi:
			return g.binary(OpMul, g.Const(2), a)
		case g.nodes[bi].op == OpNeg:
			return g.binary(OpSub, a, g.handle(g.nodes[bi].args[0]))
		case g.nodes[ai].op == OpNeg:
			return g.binary(OpSub, b, g.handle(g.nodes[ai].args[0]))
		case g.negatedMul(bi):
			return g.binary(OpSub, a, g.flipMul(bi))
		case g.nodes[bi].op == OpScatter && g.nodes[ai].shape == s:
			nb := &g.nodes[bi]
			return g.add(node{op: OpScatterAdd, shape: s, p: nb.p}, ai, nb.args[0]), nil
		case g.nodes[ai].op == OpScatter && g.nodes[bi].shape == s:
			na := &g.nodes[ai]
			return g.add(node{op: OpScatterAdd, shape: s, p: na.p}, bi, na.args[0]), nil
		}
	case OpSub:
		switch {
		case bok && cb == 0:
			return g.shaped(a, s), nil
		case aok && ca == 0:
			return g.shaped(g.neg(b), s), nil
		case g.nodes[bi].op == OpNeg:
			return g.binary(OpAdd, a, g.handle(g.nodes[bi].args[0]))
		case g.negatedMul(bi):
			return g.binary(OpAdd, a, g.flipMul(bi))
		}
	case OpMul:
		if bok && !aok { // constants go first: 2*x
			a, b, ai, bi, ca, aok, cb, bok = b, a, bi, ai, cb, bok, ca, aok
		}
		// Signs and scalar constant factors move outward, where they merge:
		// a*(-b) = -(a*b), (c*a)*b = c*(a*b).
		if !aok {
			na, nb := &g.nodes[ai], &g.nodes[bi]
			switch {
			case nb.op == OpNeg:
				return g.Neg(g.mul(a, g.handle(nb.args[0])))
			case na.op == OpNeg:
				return g.Neg(g.mul(g.handle(na.args[0]), b))
			case g.scaled(bi):
				return g.binary(OpMul, g.handle(nb.args[0]), g.mul(a, g.handle(nb.args[1])))
			case g.scaled(ai):
				return g.binary(OpMul, g.handle(na.args[0]), g.mul(g.handle(na.args[1]), b))
			}
		}
		if aok {
			switch ca {
			case 0:
				return g.zeros(s), nil
			case 1:
				return g.shaped(b, s), nil
			case -1:
				return g.shaped(g.neg(b), s), nil
			}
			// c1*(c2*x) = (c1*c2)*x
			if nb := &g.nodes[bi]; nb.op == OpMul && g.nodes[ai].shape.IsScalar() {
				if c2, ok := g.constant(nb.args[0]); ok && g.nodes[nb.args[0]].shape.IsScalar() {
					return g.binary(OpMul, g.Const(ca*c2), g.handle(nb.args[1]))
				}
			}
			if nb := &g.nodes[bi]; nb.op == OpNeg && g.nodes[ai].shape.IsScalar() {
				return g.binary(OpMul, g.Const(-ca), g.handle(nb.args[0]))
			}
		}
	case OpDiv:
		switch {
		case bok && cb == 1:
			return g.shaped(a, s), nil
		case aok && ca == 0:
			return g.zeros(s), nil
		}
	case OpPow:
		switch {
		case bok && cb == 1:
			return g.shaped(a, s), nil
		case bok && cb == 0:
			return g.shaped(g.Const(1), s), nil
		}
	}
	return g.add(node{op: op, shape: s}, ai, bi), nil
}

func (g *Graph) reduceOp(op Op, args []Node) Node {
	ai := args[0].id - 1
	if g.nodes[ai].shape.IsScalar() {
		switch op {
		case OpDot:
			return g.mul(args[0], args[1])
		default:
			return args[0]
		}
	}
	n := g.nodes[ai].shape.Len()
	switch op {
	case OpSum:
		if c, ok := g.constant(ai); ok {
			return g.Const(c * float64(n))
		}
		if nd := &g.nodes[ai]; nd.op == OpConst {
			s := 0.0
			for _, v := range nd.vec {
				s += v
			}
			return g.Const(s)
		}
	case OpDot:
		bi := args[1].id - 1
		if g.isConst(ai, 0) || g.isConst(bi, 0) {
			return g.Const(0)
		}
		if c, ok := g.constant(ai); ok {
			return g.mul(g.Const(c), g.reduce(OpSum, args[1]))
		}
		if c, ok := g.constant(bi); ok {
			return g.mul(g.Const(c), g.reduce(OpSum, args[0]))
		}
	}
	idx := make([]int32, len(args))
	for i, a := range args {
		idx[i] = a.id - 1
	}
	return g.add(node{op: op, shape: Scalar()}, idx...)
}

// None marks an omitted bound in Slice, like Python's None.
const None = math.MinInt

// Index returns x[i]; a negative i counts from the end.
func (g *Graph) Index(x Node, i int) (Node, error) {
	if err := g.check(x); err != nil {
		return Node{}, err
	}
	s := g.at(x).shape
	if s.IsScalar() {
		return Node{}, errors.New("cannot index a scalar")
	}
	n := s.Len()
	j := i
	if j < 0 {
		j += n
	}
	if j < 0 || j >= n {
		return Node{}, fmt.Errorf("index %d out of range for %s", i, s)
	}
	return g.index(x, j), nil
}

func (g *Graph) index(x Node, i int) Node {
	xi := x.id - 1
	nd := &g.nodes[xi]
	switch nd.op {
	case OpFill:
		return g.handle(nd.args[0])
	case OpConst:
		if nd.vec != nil {
			return g.Const(nd.vec[i])
		}
	case OpConcat:
		off := 0
		for _, a := range nd.args {
			l := g.nodes[a].shape.Len()
			if i < off+l {
				if g.nodes[a].shape.IsScalar() {
					return g.handle(a)
				}
				return g.index(g.handle(a), i-off)
			}
			off += l
		}
	case OpSlice:
		return g.index(g.handle(nd.args[0]), nd.p[0]+i*nd.p[1])
	case OpScatter:
		if v, ok := g.scattered(nd, i); ok {
			return v
		}
		return g.Const(0)
	case OpScatterAdd:
		base := g.index(g.handle(nd.args[0]), i)
		if v, ok := g.scattered(nd, i); ok {
			return g.add2(base, v)
		}
		return base
	}
	return g.add(node{op: OpIndex, shape: Scalar(), p: [3]int{i}}, xi)
}

// Slice returns x[start:stop:step] with Python's rules: negative bounds count
// from the end, bounds are clipped, None stands for an omitted bound. A step
// of 0 or an empty result is an error.
func (g *Graph) Slice(x Node, start, stop, step int) (Node, error) {
	if err := g.check(x); err != nil {
		return Node{}, err
	}
	s := g.at(x).shape
	if s.IsScalar() {
		return Node{}, errors.New("cannot slice a scalar")
	}
	if step == None {
		step = 1
	}
	if step == 0 {
		return Node{}, errors.New("slice step cannot be zero")
	}
	first, count := sliceRange(s.Len(), start, stop, step)
	if count == 0 {
		return Node{}, fmt.Errorf("slice [%s:%s:%d] of %s is empty", bound(start), bound(stop), step, s)
	}
	return g.slice(x, first, step, count), nil
}

func bound(b int) string {
	if b == None {
		return ""
	}
	return fmt.Sprint(b)
}

// sliceRange resolves a Python slice of a sequence of length n into the
// first index and the number of elements.
func sliceRange(n, start, stop, step int) (first, count int) {
	clamp := func(b, def, lo, hi int) int {
		if b == None {
			return def
		}
		if b < 0 {
			b += n
		}
		return min(max(b, lo), hi)
	}
	if step > 0 {
		first = clamp(start, 0, 0, n)
		end := clamp(stop, n, 0, n)
		if end > first {
			count = (end - first + step - 1) / step
		}
	} else {
		first = clamp(start, n-1, -1, n-1)
		end := clamp(stop, -1, -1, n-1)
		if first > end {
			count = (first - end - step - 1) / -step
		}
	}
	return first, count
}

func (g *Graph) slice(x Node, first, step, count int) Node {
	xi := x.id - 1
	nd := &g.nodes[xi]
	if count == 1 {
		v := g.index(x, first)
		return must(g.Concat(v))
	}
	if first == 0 && step == 1 && count == nd.shape.Len() {
		return x
	}
	switch nd.op {
	case OpFill:
		return must(g.Fill(g.handle(nd.args[0]), count))
	case OpConst:
		v := make([]float64, count)
		for k := range v {
			v[k] = nd.vec[first+k*step]
		}
		return g.ConstVec(v)
	case OpSlice:
		return g.slice(g.handle(nd.args[0]), nd.p[0]+first*nd.p[1], step*nd.p[1], count)
	}
	return g.add(node{op: OpSlice, shape: Vector(count), p: [3]int{first, step}}, xi)
}

// Scatter returns the vector of length n that is zero except at positions
// start, start+step, … which hold the elements of v (a scalar fills one
// position). It is the adjoint of Index and Slice.
func (g *Graph) Scatter(v Node, n, start, step int) (Node, error) {
	if err := g.check(v); err != nil {
		return Node{}, err
	}
	m := g.at(v).shape.Len()
	last := start + (m-1)*step
	if n < 1 || step == 0 || start < 0 || start >= n || last < 0 || last >= n {
		return Node{}, fmt.Errorf("scatter of %s into vector(%d) at %d step %d is out of range", g.at(v).shape, n, start, step)
	}
	return g.scatter(v, n, start, step), nil
}

func (g *Graph) scatter(v Node, n, start, step int) Node {
	vi := v.id - 1
	if g.isConst(vi, 0) {
		return g.zeros(Vector(n))
	}
	s := g.nodes[vi].shape
	if s.Len() == n && start == 0 && step == 1 && !s.IsScalar() {
		return v
	}
	if s.IsScalar() {
		step = 1
	}
	return g.add(node{op: OpScatter, shape: Vector(n), p: [3]int{start, step}}, vi)
}

// Concat joins scalars and vectors into one vector, as a vector literal
// [a, b, …] does.
func (g *Graph) Concat(xs ...Node) (Node, error) {
	if len(xs) == 0 {
		return Node{}, errors.New("empty vector")
	}
	if err := g.check(xs...); err != nil {
		return Node{}, err
	}
	if len(xs) == 1 && !g.at(xs[0]).shape.IsScalar() {
		return xs[0], nil
	}
	n := 0
	allConst := true
	idx := make([]int32, len(xs))
	for i, x := range xs {
		idx[i] = x.id - 1
		nd := g.at(x)
		if nd.shape.Rank() > 1 {
			return Node{}, &ShapeError{Op: "concat", Shapes: []Shape{nd.shape}}
		}
		n += nd.shape.Len()
		allConst = allConst && g.isConstNode(idx[i])
	}
	if allConst {
		v := make([]float64, 0, n)
		for _, i := range idx {
			c, _ := g.constVals(i, g.nodes[i].shape.Len())
			v = append(v, c...)
		}
		return g.ConstVec(v), nil
	}
	return g.add(node{op: OpConcat, shape: Vector(n)}, idx...), nil
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

// scattered returns the element of a scatter's vector that lands at
// position i, if one does.
func (g *Graph) scattered(nd *node, i int) (Node, bool) {
	v := nd.args[len(nd.args)-1]
	start, step := nd.p[0], nd.p[1]
	if g.nodes[v].shape.IsScalar() {
		return g.handle(v), i == start
	}
	k := (i - start) / step
	if (i-start)%step != 0 || k < 0 || k >= g.nodes[v].shape.Len() {
		return Node{}, false
	}
	return g.index(g.handle(v), k), true
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

// cumsum returns the running sums of x; a scalar is its own.
func (g *Graph) cumsum(x Node) Node {
	xi := x.id - 1
	nd := &g.nodes[xi]
	if nd.shape.IsScalar() {
		return x
	}
	if vals, ok := g.constVals(xi, nd.shape.Len()); ok && (nd.op == OpConst || nd.op == OpFill) {
		v := make([]float64, len(vals))
		t := 0.0
		for i, c := range vals {
			t += c
			v[i] = t
		}
		return g.ConstVec(v)
	}
	return g.add(node{op: OpCumsum, shape: nd.shape}, xi)
}
