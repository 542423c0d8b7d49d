// Package optim minimizes and maximizes differentiable functions: the
// textbook first-order methods, quasi-Newton methods and Newton methods that
// use the exact second derivatives an automatic differentiation engine
// provides.
//
// A Function is anything with a gradient (Grad), and the Hessian or
// Hessian-vector products when it has them, so an *ad.Func, hand-written Go
// (GradFunc) or any other source plugs in. Minimize (or Maximize) runs a
// Method on it from a starting point under Settings and returns a Result:
// the best point found, why the run stopped (Status), evaluation counts,
// wall time and, when asked, the trajectory.
//
// As in gonum/optimize, a Method is a value that holds its own parameters,
// a zero parameter meaning its documented default: LBFGS{} keeps 10 pairs
// and LBFGS{Memory: 5} five. Settings say only when to stop and what to
// record. The methods, with the names NewMethod and the nabla command know
// them by:
//
//	GradientDescent        gd         a fixed step: x ← x − η∇f (x ← x + η∇f when maximizing)
//	GradientDescentArmijo  gd-armijo  gradient descent with Armijo backtracking
//	Momentum               momentum   heavy-ball momentum: v ← βv + ∇f, x ← x − ηv
//	Nesterov               nesterov   Nesterov's accelerated gradient: v ← βv + ∇f, x ← x − η(∇f + βv)
//	AdaGrad                adagrad    AdaGrad
//	RMSProp                rmsprop    RMSProp
//	Adam                   adam       Adam
//	CG                     cg         nonlinear conjugate gradients (Polak–Ribière+, with restarts)
//	BFGS                   bfgs       BFGS (dense inverse-Hessian approximation)
//	LBFGS                  lbfgs      limited-memory BFGS
//	Newton                 newton     Newton's method with the exact Hessian, shifted by τI until it is positive definite
//	NewtonCG               newton-cg  truncated Newton: conjugate gradients on exact Hessian-vector products, matrix-free
//
// Method is an interface, so a method of one's own runs under Minimize too,
// with the same settings, counts and statuses: Init checks its parameters
// and returns an Iterator, whose Iterate moves the current Location to the
// next through an Evaluator (see the example of Method).
//
// The gradient test, like gonum's and SciPy's, is on the largest component:
// a run converges when ‖∇f‖∞ ≤ Settings.GradTol (10⁻⁶ by default).
//
// CG, BFGS, LBFGS, Newton and NewtonCG take steps that satisfy the strong
// Wolfe conditions (StrongWolfe), so f decreases at every iteration; the
// first-order methods with a fixed learning rate may not, and Minimize
// returns the best point they visited.
//
// Nothing a caller passes makes Minimize panic: a non-finite starting point,
// a NaN met during the run, an unbounded objective or a parameter out of
// range ends the run with a Status and a Message, and the Result holds the
// best point found so far. When the Function can explain a non-finite value
// (as a compiled expression can, naming the subexpression that first went
// NaN), the explanation is in the Message and in Result.Err.
//
// GonumProblem adapts a Function to gonum's optimize.Problem, so gonum's
// methods run with exact derivatives.
package optim
