// Package ad is nabla's automatic differentiation engine: computation
// graphs of scalar, vector and matrix values, derivatives as graph
// transforms, and compiled programs that evaluate them without allocating.
//
// # Graphs
//
// A Graph is an arena of nodes; a Node is a small handle into it. Every
// value has a Shape known when its node is built: a scalar, a vector of n
// elements or an m×n matrix, stored row by row. Nodes are built with the
// graph's methods (Var, Const, Add, Mul, Index, Slice, Concat, and Call for
// every named function of nabla's language: sin, exp, pow, sum, dot,
// logsumexp, max, cumsum, reshape, …), or from Go with a Builder, which
// has a typed method per operation and keeps the first error. Elementwise
// operations broadcast by NumPy's rules (Broadcast): a scalar against
// anything, a vector as a row of a matrix, an m×1 matrix as a column; a
// shape mismatch is a *ShapeError naming both shapes, never a panic.
// Building hash-conses (asking for a structurally equal node returns the
// same Node) and folds constants and exact identities (x·1, x+0, 0·x,
// c₁·(c₂·x)), so derivative graphs stay small and print readably.
//
// Every operation is defined once, completely, by its entry in the op
// table: its name, printed form and documentation line, its parameters,
// its shape rule, its rewrites, its real kernels and its complex one (or
// the mark that it has none), and its derivative (partial derivatives for
// elementwise operations and reductions; for linear ones, as in JAX, the
// operation itself and its transpose; for the solves and factorizations of
// linear algebra, a JVP and a VJP rule). The rewrites are named rules, each
// tested on its own, so a printed derivative can be explained from the
// rules alone. At points where an operation is not differentiable the
// convention is JAX's: abs'(0) = 0, min and max give the derivative to
// their first argument on ties, and a reduction's maximum shared by several
// elements gives each an equal part. step(0) is 1 (step(a-b) is a ≥ b,
// which is how min and max break ties); step and sign have derivative 0.
//
// # Derivatives
//
// Grad (reverse mode), VJP and JVP (forward mode) take nodes and return new
// nodes of the same graph. Everything else is composition: HVP is forward
// over reverse, Hessian is reverse over reverse, Jacobian picks forward or
// reverse mode by shape, and derivatives of any order come from applying
// Grad again. Derivatives are taken with respect to variables; for one
// with respect to any value, as JAX's grad(f)(x), build f at a Placeholder,
// differentiate with respect to it and Substitute the value. Format prints
// any node, derivatives included, as source of nabla's expression language
// that parses back to the same node.
//
// # Programs
//
// Compile orders the nodes its outputs need into a Program: a flat list of
// instructions over buffers that are reused once their values are dead.
// Runs of elementwise operations over one vector length are fused and run
// a tile at a time so that their temporaries stay in the first-level
// cache; the adjoints of slices (scatters) join them and add each tile
// straight into the gradient, so no vector of the adjoint is ever whole.
// A matrix joins them as the vector of its elements: a row or a column
// broadcast to it is written a tile at a time where only the group reads
// it, and its sums, minima and maxima (and the indices of the minima and
// maxima) along either axis add up a tile at a time, in the order of the
// elements (such a group runs in one piece); in groups over 512 KiB a
// reshape passes its argument's tile on under the new shape, so that z²
// reshaped and summed along an axis is one pass over z.
// Constant factors and squares merge into the kernels that read them; in a
// fused group, a value made for one reader alone is computed by that
// reader's kernel (the extended Rosenbrock gradient is five passes over
// each tile), to the same bits; and long runs split across two goroutines. Matrix products run on BLAS through gonum's blas64, so
// blas64.Use can swap in another implementation, and determinants, solves
// and factorizations on LAPACK through lapack64, in scratch space sized
// when compiling. A build with the tag openblas puts OpenBLAS under both;
// BLAS says which implementation runs. Run allocates nothing but what BLAS may allocate for the
// goroutines of a large product (gonum's splits one whose result has four
// 64×64 blocks or more, which nabla lets it do when more than one thread
// runs Go code and the product has 2²⁰ multiply-adds or more, and runs
// block by block otherwise); a Program is safe for concurrent use, each
// goroutine with its own Workspace. RunChecked also explains a NaN
// or infinite output: a *NonFiniteError names the first node that went
// non-finite, its operation and what it was given ("log(x - 1) is NaN: log
// got -0.3"), or the input that is NaN or infinite ("input x is NaN"),
// which it reports even when folding (0·x = 0) made the outputs finite.
// Fused groups check the outputs they compute a tile at a time, while the
// tile is in the cache, so that a checked run makes no pass of its own
// over them.
//
// Small programs are mostly dispatch, so Run goes through a compact form of
// the program: steps that index a register file, pairs of scalar
// operations run as one step, and vectors of up to four elements kept in
// registers, their arithmetic run element by element. Every step computes
// what the instructions one at a time would, in the same order, so the
// results are the same to the bit. On linux/amd64, once a workspace has
// run a program a thousand times, its scalar arithmetic (+, -, ·, /,
// negation, squares, square roots, absolute values) is compiled further,
// to machine code (package internal/machine): the whole program when it is
// all arithmetic (a gradient or Hessian of a few scalars, say), else each
// run of arithmetic between its other steps. One SSE2 instruction per
// operation, operands kept in XMM registers, no dispatch at all, and again
// the interpreter's operations in its order, so the same bits.
//
// # Functions
//
// A Func is the one differentiable-function type of nabla: a scalar node
// compiled as a function of named variables, with Eval, Grad, VJP, JVP,
// HVP and Hessian on flat slices (allocation-free in steady state, safe
// for concurrent use) and by-name forms on Points. NewFunc copies the
// graph, so the derivative programs it compiles on first use never change
// the graph the caller sees. The expression language, numeric checking,
// the optimizers and the pictures all take a Func. A VectorFunc is the
// same for a node whose value is a vector: Eval, JVP, VJP and the dense
// Jacobian. From Go, Builder.Func and Builder.VectorFunc make them of what a
// Builder built, and FuncOfVector a Func of a Go function of a vector.
//
// Func.Generate writes Go source for a function and its derivatives,
// with no dependency on nabla: the instructions of the same compiled
// programs that Func runs, as straight-line code for scalars and one loop
// per run of elementwise vector operations, for the speed of hand-written
// Go where an interpreter's dispatch would dominate.
//
// EvalComplex evaluates a graph in complex arithmetic for complex-step
// differentiation (package numdiff). The complex forms are derived from the
// functions themselves, never from their derivatives, so that the
// complex-step check of a derivative rule is independent of it.
//
// # How to add an op
//
// An op lives in the file of its family: op_elementwise.go (functions
// applied to each element), op_arith.go (the operators), op_reduce.go
// (reductions to a scalar or along an axis), op_structure.go (indexing,
// slicing, reshaping, broadcasting and the other linear ops that move
// elements), op_index.go (computed indices: argmin, argmax, and take and
// addat at them) or op_linalg.go (the matrix product and the other
// operations of linear algebra). Adding one touches:
//
//   - op.go: its Op constant;
//   - its family's file: its entry, with every facet of opDef, its
//     generated Go (gen: a Go expression of its operands, an accumulator,
//     or no, the reason Func.Generate refuses it) included;
//     TestOpCoverage fails while one is missing, and TestRewrites while a
//     rewrite has no case in op_test.go;
//   - builder_ops.go and the function table of docs/language.md, which go
//     generate ./ad writes from the table (TestGenerated fails until then);
//     package expr and the language's list of functions (Builtins) follow
//     the table by themselves;
//   - its tests: the closed-form derivative tables of ad_test.go, and the
//     numeric check of every function of the language in
//     numdiff/coverage_test.go.
package ad
