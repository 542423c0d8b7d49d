package ad

import "fmt"

// Reads reports which elements of the variables xs the value of y reads:
// reads[i][k] is false when y cannot depend on element k of xs[i] because
// every path from that variable to y picks other elements by indexing or
// slicing. A scalar variable has one element. The answer is structural:
// y may still have a zero derivative with respect to an element it reads.
// It takes one pass over the nodes y depends on, whatever the number of
// variables.
func (g *Graph) Reads(y Node, xs ...Node) ([][]bool, error) {
	if err := g.check(y); err != nil {
		return nil, err
	}
	if err := g.check(xs...); err != nil {
		return nil, err
	}
	reads := make([][]bool, len(xs))
	which := make(map[int32]int, len(xs)) // arena index → position in xs
	for i, x := range xs {
		nd := g.at(x)
		if nd.op != OpVar {
			return nil, fmt.Errorf("Reads: %s is not a variable", g.Format(x))
		}
		reads[i] = make([]bool, nd.shape.Len())
		which[x.id-1] = i
	}
	all := func(r []bool) {
		for k := range r {
			r[k] = true
		}
	}
	yi := y.id - 1
	if i, ok := which[yi]; ok {
		all(reads[i])
		return reads, nil
	}
	// Nodes are in topological order, so one sweep down from y visits
	// every node on a path to y after all its users.
	live := make([]bool, yi+1)
	live[yi] = true
	for i := yi; i >= 0; i-- {
		if !live[i] {
			continue
		}
		nd := &g.nodes[i]
		for _, a := range nd.args {
			v, ok := which[a]
			if !ok {
				live[a] = true
				continue
			}
			if picks := ops[nd.op].picks; picks != nil {
				picks(nd, func(k int) { reads[v][k] = true })
			} else {
				all(reads[v])
			}
		}
	}
	return reads, nil
}
