// Package numdiff differentiates functions numerically and checks
// automatic derivatives against numeric ones.
package numdiff
