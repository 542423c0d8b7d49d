package ad

import "errors"

// Reads reports which elements of the variable x the value of y reads:
// reads[k] is false when y cannot depend on element k of x because every
// path from x to y picks other elements by indexing or slicing. A scalar x
// has one element. The answer is structural: y may still have a zero
// derivative with respect to an element it reads.
func (g *Graph) Reads(y, x Node) ([]bool, error) {
	if err := g.check(y, x); err != nil {
		return nil, err
	}
	xi, yi := x.id-1, y.id-1
	if g.nodes[xi].op != OpVar {
		return nil, errors.New("Reads: x is not a variable")
	}
	reads := make([]bool, g.nodes[xi].shape.Len())
	all := func() {
		for k := range reads {
			reads[k] = true
		}
	}
	if yi == xi {
		all()
		return reads, nil
	}
	// Nodes are in topological order, so one sweep from y down to x
	// visits every node on a path between them after all its users.
	live := make([]bool, yi+1)
	live[yi] = true
	for i := yi; i > xi; i-- {
		if !live[i] {
			continue
		}
		nd := &g.nodes[i]
		for _, a := range nd.args {
			if a != xi {
				live[a] = true
				continue
			}
			switch nd.op {
			case OpIndex:
				reads[nd.p[0]] = true
			case OpSlice:
				for k := range nd.shape.Len() {
					reads[nd.p[0]+k*nd.p[1]] = true
				}
			default:
				all()
			}
		}
	}
	return reads, nil
}
