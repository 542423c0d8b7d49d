// Package expr implements nabla's expression language: a small language
// for differentiable functions of scalar, vector and matrix variables,
// compiled into an [ad.Graph].
//
// A source is a sequence of statements separated by semicolons or line
// breaks. Every statement but the last binds a name; the last is the
// result:
//
//	# comment
//	r = sqrt(x^2 + y^2 + 1);   # bindings: name = expr
//	sin(r) / r                 # the last expression is the result
//
// Numbers (1, .5, 2.5e-3), names, + - * /, ^ (also written **), unary minus
// and parentheses work as in mathematics: ^ is right-associative and binds
// tighter than unary minus, so -x^2 is -(x^2) and 2^3^2 is 512. A line break
// inside parentheses or brackets, or after an operator, continues the
// statement.
//
// The functions (sin, exp, log1p, pow(x, y), atan2(y, x), min(x, y), …)
// are those of [ad.Builtins], which lists each with its parameters and
// documentation; the constants are pi and e.
//
// A variable is a vector when the caller gives it a size ([Options].Sizes).
// Vectors are indexed (x[0], x[-1]), sliced with Python's rules (x[1:],
// x[:-1], x[::2], x[1:n:2]), written as literals ([a, b, c], where an
// element that is a vector is spliced in), measured (len(x)), made
// (range(n) is 0, 1, …, n-1), summed as they go (cumsum) and reduced (sum
// mean dot norm logsumexp, and min and max of a single vector). Every
// scalar function and operator
// applies elementwise, with a scalar broadcast against a vector. The
// extended Rosenbrock function is
//
//	sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)
//
// A variable is a matrix when the caller gives it a matrix shape
// ([Options].Shapes). Matrices are written as literals of their rows
// ([[1, 2], [3, 4]]), multiplied with @ (matrix·matrix, matrix·vector,
// vector·matrix), transposed (A.T), indexed and sliced along both axes
// (A[i] is row i, A[i, j], A[:, j], A[1:, :2]) and reduced along an axis
// (sum(A, 0), mean(A, 1), max(A, axis=0)); elementwise operations broadcast
// them by NumPy's rules, a vector as a row and an m×1 matrix as a column.
// The loss of a least-squares fit is 0.5*sum((X @ w - y)^2).
//
// An index that is not a constant is computed at run time: x[a] is the
// element or row of x at a scalar a, or those at each element of a vector
// a, typically the positions argmin(A, axis=0) or argmax(v) give. Such an
// index has no derivative, and one that is not an integer in range gives
// NaN, which the explanation of a non-finite result names.
//
// A source may define functions, pure and inlined at each call, with a
// body of one expression or of statements in braces; run loops, unrolled
// when the source is compiled, whose bodies update the names bound before
// them from one pass to the next; and take derivatives inside an
// expression, which nest:
//
//	sq(u) = u * u
//	p = x
//	for i in range(10) {
//	    p = p - 0.1*grad(sq(p - 1), p)
//	}
//	grad(grad(p^3, x), x)
//
// grad(e, v), jvp(e, v, dir) and hvp(e, v, dir) differentiate with
// respect to a variable or a binding, as JAX's grad(lambda v: e)(v) does.
// Loops, calls and derivatives together may build at most [MaxUnrolled]
// nodes.
//
// # Data
//
// [Options].Consts binds names to constant scalars, vectors and matrices,
// such as the data a model is fitted to: 0.5*sum((a*xs + b - ys)^2) with
// xs and ys given as constants is a function of a and b only. Constants are built
// into the graph as constant nodes, so the function has no derivative
// with respect to them, and operations on them alone are folded when the
// source is compiled.
//
// # Errors
//
// Every error has a position, and its message shows the source line with a
// caret under the fault:
//
//	1:5: unknown function "sinn" (did you mean "sin"?)
//	  x + sinn(y)
//	      ^
//
// Unknown names, wrong numbers of arguments, unbalanced brackets, bad
// numbers, mismatched vector lengths and indices of the wrong shape are all
// reported this way, several at once when the parser can recover ([ErrorList]).
// A source longer than [MaxSourceLen] or nested deeper than [MaxDepth] is an
// error, never a stack overflow, and so is a vector (from fill, scatter,
// range or a literal) more than 2²⁴ elements longer than the caller's
// variables together, before anything is allocated.
//
// # Functions
//
// [Compile] returns a [Func]: the source together with the [ad.Func] it
// compiles to, whose methods evaluate and differentiate it on flat slices
// (Eval, Grad, JVP, HVP, Hessian, allocation-free in steady state) or by
// name ([ad.Point]: EvalAt, GradAt, …). [CompileVector] accepts a result
// that is a vector, such as [x*y, sin(x)], and returns a [VectorFunc], with
// the value, the Jacobian and Jacobian-vector and vector-Jacobian products
// of an [ad.VectorFunc]. [Parse] builds a source into an
// existing graph; it is the inverse of [ad.Graph.Format], so a printed
// derivative parses back to the same node.
//
// The full language reference is docs/language.md in the nabla repository.
package expr
