package ad

import (
	"fmt"
	"slices"
	"strings"
)

// Op identifies the operation that computes a node.
type Op uint8

// The operations. Each is defined, completely, by its entry in the op table:
// see the files op_*.go.
const (
	OpInvalid Op = iota
	OpConst
	OpVar

	// Elementwise, one argument.
	OpNeg
	OpSin
	OpCos
	OpTan
	OpAsin
	OpAcos
	OpAtan
	OpSinh
	OpCosh
	OpTanh
	OpExp
	OpLog
	OpLog1p
	OpExpm1
	OpSqrt
	OpAbs
	OpSigmoid
	OpSoftplus
	OpSign
	OpStep

	// Elementwise, two arguments.
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpPow
	OpAtan2
	OpHypot
	OpMin
	OpMax

	// Reductions of all elements to a scalar.
	OpSum
	OpDot
	OpLogSumExp
	OpMaxOf
	OpMinOf

	// Reductions along an axis.
	OpSumAxis
	OpLogSumExpAxis
	OpMaxAxis
	OpMinAxis

	// Computed indices.
	OpArgMin // the index of the smallest element along an axis
	OpArgMax // the index of the largest
	OpTake   // x[a]: elements or rows at indices computed at run time
	OpAddAt  // x with rows of v added at computed indices

	// Structure.
	OpIndex      // x[i]
	OpSlice      // x[start::step], count elements
	OpConcat     // [a, b, ...]
	OpScatter    // zeros(n) with v placed at start, start+step, ...
	OpFill       // n copies of a scalar
	OpScatterAdd // base + scatter(v, len(base), start, step)
	OpCumsum     // running sums: x[0], x[0]+x[1], …
	OpReshape    // the elements of x in another shape
	OpBroadcast  // a row or a column repeated to a matrix
	OpTranspose  // the rows of a matrix as its columns
	OpVStack     // vectors and matrices one below the other
	OpDiag       // a vector as a diagonal matrix, or a matrix's diagonal
	OpTril       // a vector of entries as a lower-triangular matrix
	OpTrilVec    // the lower-triangular entries of a matrix

	// Linear algebra.
	OpMatMul   // x @ y
	OpTrace    // the sum of a square matrix's diagonal
	OpDet      // the determinant
	OpLogDet   // log |det|
	OpInv      // the inverse
	OpSolve    // solve(A, b) = A⁻¹b
	OpCholesky // the lower Cholesky factor

	numOps
)

// String returns the op's name in nabla's language ("sin", "add").
func (op Op) String() string {
	if op < numOps && ops[op].name != "" {
		return ops[op].name
	}
	return fmt.Sprintf("Op(%d)", uint8(op))
}

type opKind uint8

const (
	kindLeaf opKind = iota
	kindElementwise
	kindReduce // of all elements, or along an axis; partials have the arguments' shapes
	kindLinear // structural: linear in its arguments
	// kindBilinear ops are linear in each argument (the matrix product):
	// apply and transpose as for linear ops, and the JVP by the product
	// rule, a sum of apply with one argument's tangent at a time.
	kindBilinear
	// kindGeneral ops (the solves and factorizations of linear algebra)
	// give their derivatives as rules of their own, jvp and vjp.
	kindGeneral
)

// An opDef is everything about one operation, in one place: how it is
// named, documented and printed, the shapes it takes and makes, how it
// simplifies, how it runs in real and in complex arithmetic, and its
// derivative. TestOpCoverage fails when an entry lacks a facet.
type opDef struct {
	op   Op
	kind opKind

	// name is the op's name in the language and in messages; goName names
	// its Builder method. args names the node parameters (a final "xs..."
	// takes any number) and ints the integer ones.
	name, goName string
	args, ints   []string
	// form is how the language writes the op when it is not a call of its
	// name ("x + y", "x[i]"); doc is its line of documentation, in
	// docs/language.md and on its Builder method.
	form, doc string

	// resolve turns the integer arguments a caller gives (a Python slice's
	// bounds, a negative index) into the node's parameters p. Ops without
	// integer arguments have none.
	resolve func(in []Shape, ints []int) ([3]int, error)
	// shape is the shape rule: the shape of the result, or the error that
	// names the op and its operands' shapes.
	shape func(op Op, in []Shape, p [3]int) (Shape, error)
	// rewrites are the op's simplifications, tried in order when a node is
	// built.
	rewrites []rewrite

	// Real kernels. f1 and f2 are an elementwise op's function of one and
	// two arguments (constant folding uses them too). kernel computes a
	// node, and acc, for a reduction that fused groups can hold, adds a
	// block's part to it; compile, where the kernel depends on the node,
	// picks it. fast are the faster kernels of an elementwise op, by its
	// operands' shapes.
	f1      func(float64) float64
	f2      func(a, b float64) float64
	kernel  kernel
	acc     kernel
	compile func(g *Graph, nd *node, in instr) instr
	fast    fastKernels
	// inPlace is how many leading arguments the result may overwrite when
	// it reads them for the last time; view reports whether a node is a
	// view of its argument's buffer rather than a value of its own; picks,
	// for an op that reads only some elements of its argument, marks them
	// (Graph.Reads).
	inPlace int
	view    func(nd *node) bool
	picks   func(nd *node, mark func(k int))

	// cplx evaluates the op in complex arithmetic for complex-step
	// differentiation, given its arguments' shapes and values; noComplex says that the op has no analytic complex
	// form (a kink, a jump), so a complex step through it would be wrong.
	cplx      func(nd *node, in []Shape, args [][]complex128, out []complex128)
	noComplex bool

	// Derivatives. partials builds ∂y/∂arg_i for elementwise ops and
	// reductions (a zero Node stands for an exact zero; y is the node
	// itself). A linear op instead has apply, which builds the same op on
	// other arguments (its JVP), and transpose, which builds the adjoint's
	// contributions to its arguments (its VJP); a bilinear op has both too,
	// its JVP being apply with one argument's tangent at a time. Any other
	// op has jvp, which builds y's tangent from its arguments' (a zero Node
	// for an argument that has none), and vjp, which builds its arguments'
	// contributions to their adjoints from y's adjoint.
	partials  func(g *Graph, y Node, args []Node) []Node
	apply     func(g *Graph, y *node, args []Node) Node
	transpose func(g *Graph, y *node, adj Node) []Node
	jvp       func(g *Graph, y Node, args, tangents []Node) Node
	vjp       func(g *Graph, y Node, args []Node, adj Node) []Node

	// gen is how Go source generated for a program computes the op
	// (Func.Generate).
	gen genForm

	// format prints a node of the op; an infix operator that prints with
	// printInfix has its symbol and precedence here.
	format func(p *printer, nd *node) (string, int)
	infix  string
	prec   int
}

// ops is the op table, filled by the init functions of the op_*.go files.
// The files generated from it are rewritten by go generate ./ad.
var ops [numOps]opDef

//go:generate go test -run ^TestGenerated$ -update

// define enters d in the op table. A Builder method is named after the op
// unless goName says otherwise.
func define(d opDef) {
	if ops[d.op].name != "" {
		panic("ad: op " + d.name + " defined twice")
	}
	if d.goName == "" {
		d.goName = strings.ToUpper(d.name[:1]) + d.name[1:]
	}
	ops[d.op] = d
}

// variadic reports whether the op takes any number of node arguments.
func (d *opDef) variadic() bool {
	return len(d.args) == 1 && strings.HasSuffix(d.args[0], "...")
}

// isFunc reports whether the language calls the op by its name.
func (d *opDef) isFunc() bool { return d.form == "" }

// written returns how the language writes the op: its form, or a call.
func (d *opDef) written() string {
	if !d.isFunc() {
		return d.form
	}
	return callForm(d.name, slices.Concat(d.args, d.ints))
}

func init() {
	define(opDef{op: OpConst, kind: kindLeaf, name: "const"})
	define(opDef{op: OpVar, kind: kindLeaf, name: "var"})
}
