package ad

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
)

// Node is a handle to a value in a Graph. It is a small comparable value;
// the zero Node is invalid. Nodes are only meaningful with the graph that
// made them: using one with another graph is an error.
type Node struct {
	graph uint32
	id    int32 // index+1 in the arena; 0 means invalid
}

// IsValid reports whether n refers to a node (the zero Node does not).
func (n Node) IsValid() bool { return n.id > 0 }

// ID returns the node's index in its graph's arena. Nodes are created in
// topological order: a node's arguments always have smaller IDs.
func (n Node) ID() int { return int(n.id) - 1 }

// node is the arena entry behind a Node.
type node struct {
	op    Op
	shape Shape
	args  []int32   // arena indices of the arguments
	val   float64   // value of a scalar constant
	vec   []float64 // value of a vector or matrix constant, row by row
	name  string    // name of a variable
	p     [3]int    // integer parameters: index; slice start, step; scatter start, step
}

// args0 is the first argument, or -1 when there is none.
func (nd *node) args0() int32 {
	if len(nd.args) == 0 {
		return -1
	}
	return nd.args[0]
}

// key identifies a node structurally, for hash-consing.
type key struct {
	op    Op
	shape Shape
	a, b  int32
	p     [3]int
	bits  uint64
	more  string // further arguments, or a variable's name
}

var graphSerial atomic.Uint32

// Graph is an arena of nodes. Building a node hash-conses it (asking for a
// structurally equal node again returns the same Node) and folds constants.
// A Graph is not safe for concurrent building; compiled Programs are safe for
// concurrent use.
type Graph struct {
	serial   uint32
	nodes    []node
	interned map[key]int32
	vectors  map[uint64][]int32 // vector constants by the hash of their bits
	vars     []int32            // variable nodes in creation order
	argPool  []int32            // the nodes' arguments
	byName   map[string]int32
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{
		serial:   graphSerial.Add(1),
		interned: make(map[key]int32),
		vectors:  make(map[uint64][]int32),
		byName:   make(map[string]int32),
	}
}

// Len is the number of nodes in the graph.
func (g *Graph) Len() int { return len(g.nodes) }

// ErrForeignNode is returned when a node from another graph (or the zero
// Node) is passed to a graph.
var ErrForeignNode = errors.New("node does not belong to this graph")

func (g *Graph) check(ns ...Node) error {
	for _, n := range ns {
		if n.graph != g.serial || n.id <= 0 || int(n.id) > len(g.nodes) {
			return ErrForeignNode
		}
	}
	return nil
}

func (g *Graph) handle(i int32) Node { return Node{graph: g.serial, id: i + 1} }
func (g *Graph) at(n Node) *node     { return &g.nodes[n.id-1] }

// add interns nd with arguments args, returning the existing node if an
// equal one exists.
func (g *Graph) add(nd node, args ...int32) Node {
	nd.args = args
	k := key{op: nd.op, shape: nd.shape, p: nd.p, a: -1, b: -1}
	switch nd.op {
	case OpConst:
		if nd.vec != nil {
			// Vector constants are interned by a hash of their bits; equal
			// hashes are compared in full.
			h := fnv.New64a()
			var b [8]byte
			for _, v := range nd.vec {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
				h.Write(b[:])
			}
			k.bits = h.Sum64()
			for _, i := range g.vectors[k.bits] {
				if g.nodes[i].shape == nd.shape && equalBits(g.nodes[i].vec, nd.vec) {
					return g.handle(i)
				}
			}
			n := g.push(nd)
			g.vectors[k.bits] = append(g.vectors[k.bits], n.id-1)
			return n
		}
		k.bits = math.Float64bits(nd.val)
	case OpVar:
		k.more = nd.name
	}
	if len(nd.args) > 0 {
		k.a = nd.args[0]
	}
	if len(nd.args) > 1 {
		k.b = nd.args[1]
	}
	if len(nd.args) > 2 {
		var sb strings.Builder
		for _, a := range nd.args[2:] {
			sb.WriteString(strconv.Itoa(int(a)))
			sb.WriteByte(',')
		}
		k.more = sb.String()
	}
	if i, ok := g.interned[k]; ok {
		return g.handle(i)
	}
	n := g.push(nd)
	g.interned[k] = n.id - 1
	return n
}

func (g *Graph) push(nd node) Node {
	// Arguments live in one shared slice rather than one allocation per
	// node; a reallocation leaves earlier nodes' views valid, as arguments
	// never change.
	if len(nd.args) > 0 {
		// args is the caller's; keep a copy.
		start := len(g.argPool)
		g.argPool = append(g.argPool, nd.args...)
		nd.args = g.argPool[start:len(g.argPool):len(g.argPool)]
	}
	g.nodes = append(g.nodes, nd)
	return g.handle(int32(len(g.nodes) - 1))
}

// Var returns the variable called name with shape s, creating it on first
// use. Asking again for the same name returns the same node; asking with a
// different shape is an error.
func (g *Graph) Var(name string, s Shape) (Node, error) {
	if name == "" {
		return Node{}, errors.New("variable with an empty name")
	}
	if err := validShape(s); err != nil {
		return Node{}, fmt.Errorf("variable %q: %w", name, err)
	}
	if i, ok := g.byName[name]; ok {
		if have := g.nodes[i].shape; have != s {
			return Node{}, fmt.Errorf("variable %q is %s, not %s", name, have, s)
		}
		return g.handle(i), nil
	}
	n := g.add(node{op: OpVar, shape: s, name: name})
	g.byName[name] = n.id - 1
	g.vars = append(g.vars, n.id-1)
	return n, nil
}

// Vars returns the graph's variables in creation order.
func (g *Graph) Vars() []Node {
	vs := make([]Node, len(g.vars))
	for i, v := range g.vars {
		vs[i] = g.handle(v)
	}
	return vs
}

// Name returns the name of a variable node, or "" for other nodes.
func (g *Graph) Name(n Node) string {
	if g.check(n) != nil {
		return ""
	}
	return g.at(n).name
}

func validShape(s Shape) error {
	switch {
	case s.rank > maxRank:
		return fmt.Errorf("values of rank %d are not supported", s.rank)
	case s.rank == 1 && s.dims[0] < 1:
		return fmt.Errorf("vector length %d must be at least 1", s.dims[0])
	case s.rank == 2 && (s.dims[0] < 1 || s.dims[1] < 1):
		return fmt.Errorf("matrix size %d×%d must be at least 1×1", s.dims[0], s.dims[1])
	case s.rank == 2 && s.dims[0] > maxLen/s.dims[1], s.rank == 1 && s.dims[0] > maxLen:
		return fmt.Errorf("a %s has more than %d elements", s, maxLen)
	}
	return nil
}

// maxLen bounds the number of elements of a value, far beyond what memory
// holds, so that the products of sizes cannot overflow.
const maxLen = 1 << 40

// Const returns the scalar constant v. All NaNs are one constant.
func (g *Graph) Const(v float64) Node {
	return g.add(node{op: OpConst, val: canonical(v)})
}

// canonical gives every NaN the same bits, so that NaN constants intern as
// one.
func canonical(v float64) float64 {
	if v != v {
		return math.NaN()
	}
	return v
}

// equalBits compares vectors bit for bit (NaN equal to NaN, 0 and -0
// different), as interning needs.
func equalBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// ConstVec returns a vector constant holding a copy of v (which must not be
// empty). A one-element slice gives a vector of length 1, not a scalar.
func (g *Graph) ConstVec(v []float64) Node {
	if len(v) == 0 {
		panic("ad: ConstVec of an empty slice")
	}
	return g.constOf(Vector(len(v)), v)
}

// ConstMatrix returns an m×n matrix constant holding a copy of v, its
// elements row by row; len(v) must be m·n, and m and n at least 1.
func (g *Graph) ConstMatrix(m, n int, v []float64) Node {
	s := Matrix(m, n)
	if validShape(s) != nil || len(v) != m*n {
		panic(fmt.Sprintf("ad: ConstMatrix(%d, %d) of %d values", m, n, len(v)))
	}
	return g.constOf(s, v)
}

// constOf returns the constant of shape s, a vector or a matrix, whose
// elements are a copy of v.
func (g *Graph) constOf(s Shape, v []float64) Node {
	c := make([]float64, len(v))
	for i, x := range v {
		c[i] = canonical(x)
	}
	return g.add(node{op: OpConst, shape: s, vec: c})
}

// Range returns the constant vector 0, 1, …, n-1.
func (g *Graph) Range(n int) (Node, error) {
	if n < 1 {
		return Node{}, fmt.Errorf("range(%d): length must be at least 1", n)
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	return g.ConstVec(v), nil
}

// Shape returns the shape of n.
func (g *Graph) Shape(n Node) Shape {
	if g.check(n) != nil {
		return Shape{}
	}
	return g.at(n).shape
}

// Op returns the operation that computes n.
func (g *Graph) Op(n Node) Op {
	if g.check(n) != nil {
		return OpInvalid
	}
	return g.at(n).op
}

// Args returns the arguments of n.
func (g *Graph) Args(n Node) []Node {
	if g.check(n) != nil {
		return nil
	}
	nd := g.at(n)
	out := make([]Node, len(nd.args))
	for i, a := range nd.args {
		out[i] = g.handle(a)
	}
	return out
}

// ConstValue returns the value of n if it is a scalar constant.
func (g *Graph) ConstValue(n Node) (float64, bool) {
	if g.check(n) != nil {
		return 0, false
	}
	nd := g.at(n)
	if nd.op == OpConst && nd.vec == nil {
		return nd.val, true
	}
	return 0, false
}

// constant returns the uniform value of n if n is a scalar constant or a
// fill of one.
func (g *Graph) constant(i int32) (float64, bool) {
	if i < 0 {
		return 0, false
	}
	nd := &g.nodes[i]
	switch {
	case nd.op == OpConst && nd.vec == nil:
		return nd.val, true
	case nd.op == OpFill:
		return g.constant(nd.args[0])
	}
	return 0, false
}

func (g *Graph) isConst(i int32, v float64) bool {
	c, ok := g.constant(i)
	return ok && c == v
}

// zeros returns an exact zero of shape s.
func (g *Graph) zeros(s Shape) Node { return g.fill(g.Const(0), s) }
