// Package ad is nabla's automatic differentiation engine.
package ad
