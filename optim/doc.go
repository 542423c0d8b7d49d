// Package optim minimizes and maximizes differentiable functions: the
// textbook first-order methods, quasi-Newton methods and Newton methods that
// use the exact second derivatives an automatic differentiation engine
// provides.
//
// A Problem is a set of plain functions (value, value and gradient,
// Hessian-vector product, Hessian), so a compiled expression (FromExpr),
// hand-written Go or any other source plugs in. Minimize runs one Method on
// it from a starting point under Settings and returns a Result: the best
// point found, why the run stopped (Status), evaluation counts, wall time
// and, when asked, the trajectory.
//
// The methods, by the names the nabla command uses:
//
//	gd          gradient descent with a fixed step: x ← x − η∇f (ascent x ← x + η∇f when maximizing)
//	gd-armijo   gradient descent with Armijo backtracking
//	momentum    heavy-ball momentum: v ← βv + ∇f, x ← x − ηv
//	nesterov    Nesterov's accelerated gradient: v ← βv + ∇f, x ← x − η(∇f + βv)
//	adagrad     AdaGrad
//	rmsprop     RMSProp
//	adam        Adam
//	cg          nonlinear conjugate gradients (Polak–Ribière+, with restarts)
//	bfgs        BFGS (dense inverse-Hessian approximation)
//	lbfgs       limited-memory BFGS
//	newton      Newton's method with the exact Hessian, shifted by τI until it is positive definite
//	newton-cg   truncated Newton: conjugate gradients on exact Hessian-vector products, matrix-free
//
// The gradient test, like gonum's and SciPy's, is on the largest component:
// a run converges when ‖∇f‖∞ ≤ Settings.GradTol (10⁻⁶ by default).
//
// cg, bfgs, lbfgs, newton and newton-cg take steps that satisfy the strong
// Wolfe conditions, so f decreases at every iteration; the first-order
// methods with a fixed learning rate may not, and Minimize returns the best
// point they visited.
//
// Nothing a caller passes makes Minimize panic: a non-finite starting point,
// a NaN met during the run, an unbounded objective or a non-positive learning
// rate ends the run with a Status and a Message, and the Result holds the best
// point found so far. When the Problem can explain a non-finite value (as a
// compiled expression can, naming the subexpression that first went NaN), the
// explanation is in the Message and in Result.Err.
//
// GonumProblem adapts a Problem to gonum's optimize.Problem, so gonum's
// methods run with exact derivatives.
package optim
