// Package numdiff differentiates functions numerically and checks
// automatic derivatives against numeric ones, saying why they differ.
//
// # Methods
//
// Forward, Backward and Central differences use gonum's diff/fd stencils;
// Richardson extrapolates central differences with steps h and h/2 to
// fourth order; ComplexStep takes Im f(x+ih)/h, which has no cancellation
// and agrees with exact derivatives to a few ulps. Each method's default
// step balances its truncation error against round-off (Method.Step):
// √ε·max(1,|x|) one-sided, ε^(1/3)·max(1,|x|) central, ε^(1/5)·max(1,|x|)
// Richardson, 1e-20·max(1,|x|) complex step. In checks, steps along a
// coordinate are rounded so that x+h is exact.
//
// Gradient estimates a whole gradient by one method, dividing by the step
// as given, as the textbook formulas do.
//
// # Checks
//
// A Function is f on flat slices, with whichever derivatives it has to
// check (an *ad.Func has them all).
// CheckGradient compares every gradient component with numeric
// differences of f; CheckDirectional compares ∇f·d in random directions d
// in forward and reverse mode at a cost of a few evaluations whatever the
// dimension, as JAX's check_grads does; CheckHessian and CheckHVP compare
// second derivatives with numeric differences of the AD gradient; Check
// runs them together.
//
// Every comparison has its own tolerance: Safety (10) times the error the
// method is expected to make at its step, truncation (h|f”|/2 forward,
// h²|f”'|/6 central, h⁴|f⁽⁵⁾|/480 Richardson, with the derivatives
// estimated by coarse differences) plus round-off (proportional to |f|/h,
// with an allowance for cancellation inside f). The report gives, per
// component, the AD value, each method's estimate, the absolute and
// relative errors, the tolerance and its derivation, and the verdict. NaN,
// infinities and points outside the domain are reported per component with
// the engine's explanation of where the non-finite value came from; the
// complex step through abs, min, max, sign and step is reported as
// unsupported.
//
// # Step sweeps
//
// SweepGradient and SweepDirection measure the error of each method
// against AD for steps from 1e-1 down to 1e-15: for forward and central
// differences the V of truncation error falling and round-off rising as
// h shrinks, with the best step of each.
package numdiff
