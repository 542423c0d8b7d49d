// Package landscape reads the health of a model from its loss near a point:
// the Hessian's spectrum, from Hessian-vector products alone.
//
// Lanczos finds the extreme eigenvalues and eigenvectors of the Hessian,
// Hutchinson estimates its trace and Density its eigenvalue density by
// stochastic Lanczos quadrature. Each takes the Hessian as an HVP, a
// function that multiplies it with a vector, so that a model of millions
// of weights never forms its n×n matrix; HessianAt makes one of an
// *ad.Func at a point.
package landscape
