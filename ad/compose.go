package ad

import (
	"fmt"
)

// MaxSymbolicHessian bounds the number of variable elements for which
// Hessian and Jacobian build their entries as nodes. Larger problems use
// HVP (or JVP and VJP) products at run time instead.
const MaxSymbolicHessian = 256

// HVP returns the Hessian-vector products ∇²y·v for each variable: forward
// mode over the reverse-mode gradient. vs holds one tangent per variable,
// with its shape; they are typically variables fed at run time. No dense
// Hessian is formed: the result costs a small multiple of a gradient.
func (g *Graph) HVP(y Node, xs, vs []Node) ([]Node, error) {
	grads, err := g.Grad(y, xs...)
	if err != nil {
		return nil, err
	}
	return g.JVP(grads, xs, vs)
}

// Hessian returns the dense Hessian of the scalar y with respect to the
// elements of xs, flattened in order (a vector variable contributes each
// of its elements), as nodes: reverse mode over reverse mode, building
// only the upper triangle and mirroring it. It refuses more than
// MaxSymbolicHessian elements; use HVP for those.
func (g *Graph) Hessian(y Node, xs ...Node) ([][]Node, error) {
	n, err := g.flatLen(xs)
	if err != nil {
		return nil, err
	}
	if n > MaxSymbolicHessian {
		return nil, fmt.Errorf("Hessian of %d variables as nodes would need %d entries: use HVP", n, n*n)
	}
	grads, err := g.Grad(y, xs...)
	if err != nil {
		return nil, err
	}
	flat := g.flatten(grads)
	h := make([][]Node, n)
	for i := range h {
		h[i] = make([]Node, n)
	}
	for i, gi := range flat {
		row, err := g.Grad(gi, xs...)
		if err != nil {
			return nil, err
		}
		for j, hij := range g.flatten(row) {
			if j >= i {
				h[i][j], h[j][i] = hij, hij
			}
		}
	}
	return h, nil
}

// Jacobian returns the Jacobian of y (a scalar or a vector of m elements)
// with respect to the elements of xs, flattened in order, as an m×n matrix
// of nodes. It uses forward mode (one JVP per input element) when there are
// no more inputs than outputs, and reverse mode (one VJP per output
// element) otherwise.
func (g *Graph) Jacobian(y Node, xs ...Node) ([][]Node, error) {
	if err := g.check(y); err != nil {
		return nil, err
	}
	n, err := g.flatLen(xs)
	if err != nil {
		return nil, err
	}
	ys := g.at(y).shape
	m := ys.Len()
	if m*n > MaxSymbolicHessian*MaxSymbolicHessian {
		return nil, fmt.Errorf("Jacobian of %d×%d entries is too large to build as nodes: use JVP or VJP", m, n)
	}
	jac := make([][]Node, m)
	for i := range jac {
		jac[i] = make([]Node, n)
	}
	if n <= m {
		for j := range n {
			t, err := g.JVP([]Node{y}, xs, g.unit(xs, j))
			if err != nil {
				return nil, err
			}
			for i, e := range g.flatten(t) {
				jac[i][j] = e
			}
		}
		return jac, nil
	}
	for i := range m {
		var c Node
		if ys.IsScalar() {
			c = g.Const(1)
		} else {
			c = g.reshape(g.unitVector(m, i), ys)
		}
		row, err := g.VJP([]Node{y}, []Node{c}, xs)
		if err != nil {
			return nil, err
		}
		copy(jac[i], g.flatten(row))
	}
	return jac, nil
}

func (g *Graph) flatLen(xs []Node) (int, error) {
	if err := g.checkInputs(xs); err != nil {
		return 0, err
	}
	n := 0
	for _, x := range xs {
		n += g.at(x).shape.Len()
	}
	return n, nil
}

// flatten lists the scalar elements of the nodes in order, a matrix's row
// by row.
func (g *Graph) flatten(ns []Node) []Node {
	var out []Node
	for _, n := range ns {
		s := g.at(n).shape
		if s.IsScalar() {
			out = append(out, n)
			continue
		}
		flat := g.reshape(n, Vector(s.Len()))
		for k := range s.Len() {
			out = append(out, g.index(flat, k))
		}
	}
	return out
}

// unit returns tangents for xs that are zero except for a one at flat
// element j.
func (g *Graph) unit(xs []Node, j int) []Node {
	ts := make([]Node, len(xs))
	for k, x := range xs {
		s := g.at(x).shape
		switch {
		case j < 0 || j >= s.Len():
			ts[k] = g.zeros(s)
		case s.IsScalar():
			ts[k] = g.Const(1)
		default:
			ts[k] = g.reshape(g.unitVector(s.Len(), j), s)
		}
		j -= s.Len()
	}
	return ts
}

func (g *Graph) unitVector(n, i int) Node {
	return g.scatter(g.Const(1), n, i, 1)
}
