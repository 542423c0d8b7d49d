// Package landscape reads the health of a model from its loss near a point
// of its weights: the loss drawn on lines and planes through the point,
// and the Hessian's spectrum there.
//
// A landscape is a function f of many variables seen along one or two
// directions through a point x0: the line f(x0 + t·d) or the plane
// f(x0 + a·d1 + b·d2). Which directions matters more than anything else:
//
//   - Random draws Gaussian directions from a seed. Filter normalization
//     (Li et al., "Visualizing the Loss Landscape of Neural Nets", 2018)
//     rescales each filter of a direction to the norm of the same filter
//     of the weights: each row of a matrix variable, and each vector or
//     scalar variable as a whole. A network whose weights can be scaled
//     without changing its output then looks as sharp at every scale, and
//     two minima can be compared.
//   - PCA takes the top principal directions of an optimizer's trajectory
//     about the point, so that the path the optimizer took can be drawn in
//     the plane; ExplainedVariance says how much of it the plane holds.
//   - Hessian takes the top eigenvectors of the Hessian at the point: the
//     directions in which the loss curves most.
//
// Between samples the line through two points, f((1−t)·from + t·to), the
// interpolation of Goodfellow et al. ("Qualitatively characterizing neural
// network optimization problems", 2015); t = 0 and t = 1 are among its
// nodes whenever the interval holds them, and their values are exactly
// f(from) and f(to). SampleLine and SamplePlane sample along directions.
// All of them take any viz.Function, such as an *ad.Func, evaluate on all
// CPUs, and mark where f is not finite as NaN gaps, which NonFiniteBox
// and NonFiniteRange locate; the pictures are drawn with viz. A grid holds
// at most MaxPoints points: each one costs an evaluation of the model on
// all its data.
//
// The spectrum comes from Hessian-vector products alone. Lanczos finds the
// extreme eigenvalues and eigenvectors of the Hessian, Hutchinson
// estimates its trace and Density its eigenvalue density by stochastic
// Lanczos quadrature. Each takes the Hessian as an HVP, a function that
// multiplies it with a vector, so that a model of millions of weights
// never forms its n×n matrix; HessianAt makes one of an *ad.Func at a
// point.
package landscape
