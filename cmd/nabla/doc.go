// Nabla computes exact derivatives of expressions from the shell: values,
// gradients, directional derivatives, Hessians and printed symbolic
// derivatives, with JSON output for scripts.
//
// Usage:
//
//	nabla <command> -e EXPR | -f FILE [--at POINT] [--json] [flags]
//
// The commands are:
//
//	eval      the value of an expression at a point
//	grad      the value and the gradient, with its norm
//	jvp       the directional derivative along --dir (forward mode)
//	hess      the value, the gradient and the Hessian with its eigenvalues
//	jacobian  the Jacobian of a vector-valued expression
//	vjp       a vector-Jacobian product of a vector-valued expression
//	diff      the derivative as a printed expression
//	check     automatic against numeric derivatives, judged by error models
//	optimize  minimize or maximize from a starting point
//	bench     optimizers on standard test problems, with tables and profiles
//	plot      contours, gradient fields, optimizer paths, landscapes, 3-D surfaces and curves
//	landscape a model's loss along filter-normalized, PCA or Hessian directions, or between two points
//	spectrum  the Hessian's top eigenvalues, trace and eigenvalue density, from HVPs
//	serve     the playground: sliders, 3-D surfaces and optimizer paths in the browser
//	gradbench a tool of the GradBench benchmark: JSON on stdin and stdout
//	version   the version of nabla
//
// A point is written --at x=1,y=2; a vector as --at x=[1,2,3], or as a
// repeated pattern, --at x=-1.2:1.5*500 for the 1000 values -1.2, 1.5,
// -1.2, …; a matrix as its rows, --at W=[[1,2],[3,4]]. --at-file reads a
// point from a JSON object such as {"x": 1, "y": [1, 2], "W": [[1, 2],
// [3, 4]]}. Spaces may surround names, numbers and
// punctuation, and --at may be repeated, but a variable is given once;
// --at values replace those of --at-file, which also reads the point of
// what optimize --json prints (or --save writes). A variable named in the point
// that the expression does not use gets a zero derivative, with a warning
// on standard error, as do the elements of a vector it never indexes; a
// variable of the expression without a value is an error.
//
// Data are constants, not variables: --data NAME=FILE binds NAME to the
// numbers of a .csv, .json or .npy file (see package data for the formats),
// and may be repeated. FILE:J selects column J of a table and FILE:J:K
// columns J to K, counting from 1 and including K, as the columns of a
// spreadsheet are numbered; a table of one row or one column is a vector,
// and a table of more is a matrix. A point that
// names data is an error. A data file may have at most 512 MiB and 2²⁴
// numbers, and all the data together at most 2²⁴ numbers; a larger file
// is refused by its size before it is read. Data must be finite: a NaN or
// an infinity in a file is an error.
//
// --wrt x,y (grad, hess, jvp, check, optimize, plot) differentiates only
// the variables it names, in its order, and holds the other variables of
// the point fixed at their values, as constants: optimize moves only
// those, and the gradient has only those.
//
// With --json a command prints one JSON object whose keys are listed in
// each command's help; numbers are in the shortest form that reads back
// exactly, and a result that is NaN or infinite is null, with a "nonfinite"
// member saying which subexpression went non-finite, or which variable of
// the point is NaN or infinite.
// Human output shows the ends of a long list, a vector's values, a
// matrix's rows and each row's values, or a function's variables, and how
// long it is; --json prints every element, a matrix as an array of rows.
//
// Work that grows with the input is bounded, and a request beyond a bound
// is refused before the work starts, with exit status 2 and a message
// naming the bound: a point holds at most 2²³ values; check compares the
// derivatives of at most 1000 variables (100 with --order 2) along at most
// 100 --directions; hess prints the Hessian of at most 12 variables, and
// of 2000 with --json; jacobian prints a Jacobian of at most 12 rows and
// columns, and of 4000000 entries with --json; a trace (optimize --trace, plot --path) keeps at
// most 100000 iterations and 10000000 numbers (--iters × variables);
// spectrum finds at most 100 eigenpairs, and a Lanczos basis keeps at most
// 50000000 numbers (vectors × variables).
//
// The exit status is 0 on success, 1 when the job ran but its answer is bad
// (a result that is not finite or at a point that is not, a failed check, a run of optimize --strict
// that did not converge), and 2 for a usage or input error, whose
// message goes to standard error with a caret under the fault, and nothing
// to standard output.
package main

// The pictures in docs/img are drawn by the commands the documentation
// prints above them (TestDocPictures checks that they still are).
//go:generate go test -run TestDocPictures -args -update
