package ad

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Precedence levels of the printed language.
const (
	precAdd     = 1
	precMul     = 2
	precUnary   = 3
	precPow     = 4
	precPostfix = 5
	precAtom    = 6
)

// inlineLimit is the printed size above which shared subexpressions are
// bound to names instead of being repeated.
const inlineLimit = 4096

// Format prints n as source in nabla's expression language, with minimal
// parentheses. Parsing the result gives back the same node. Large graphs
// with shared subexpressions print as bindings (t1 = …; t2 = …; result).
func (g *Graph) Format(n Node) string {
	if g.check(n) != nil {
		return "<invalid node>"
	}
	return format(g.nodes, g.vars, n.id-1)
}

// format prints node root of an arena. Programs keep a view of their
// graph's arena from when they were compiled, so they can print while the
// graph grows: nodes are never changed once added.
func format(nodes []node, vars []int32, root int32) string {
	p := printer{nodes: nodes, vars: vars, names: map[int32]string{}}
	if p.size(root) > inlineLimit {
		p.bindShared(root)
	}
	var sb strings.Builder
	for _, i := range p.order {
		fmt.Fprintf(&sb, "%s = %s;\n", p.names[i], p.expr(i, 0, true))
	}
	sb.WriteString(p.expr(root, 0, true))
	return sb.String()
}

type printer struct {
	nodes []node
	vars  []int32
	sizes map[int32]int
	names map[int32]string
	order []int32
}

func (p *printer) size(i int32) int {
	if p.sizes == nil {
		p.sizes = map[int32]int{}
	}
	if s, ok := p.sizes[i]; ok {
		return s
	}
	s := 8
	for _, a := range p.nodes[i].args {
		s += p.size(a)
		if s > 1<<30 {
			s = 1 << 30
		}
	}
	p.sizes[i] = s
	return s
}

// bindShared names every nontrivial node used more than once under root.
func (p *printer) bindShared(root int32) {
	uses := map[int32]int{}
	var visit func(i int32)
	visit = func(i int32) {
		uses[i]++
		if uses[i] > 1 {
			return
		}
		for _, a := range p.nodes[i].args {
			visit(a)
		}
	}
	visit(root)
	taken := map[string]bool{}
	for _, v := range p.vars {
		taken[p.nodes[v].name] = true
	}
	k := 0
	for i := int32(0); i < root; i++ {
		if uses[i] > 1 && len(p.nodes[i].args) > 0 && p.size(i) > 16 {
			name := ""
			for name == "" || taken[name] {
				k++
				name = "t" + strconv.Itoa(k)
			}
			p.names[i] = name
			p.order = append(p.order, i)
		}
	}
}

// expr prints node i; the result is parenthesized if its precedence is below
// min.
func (p *printer) expr(i int32, min int, top bool) string {
	if name, ok := p.names[i]; ok && !top {
		return name
	}
	s, prec := p.bare(i)
	if prec < min {
		return "(" + s + ")"
	}
	return s
}

func (p *printer) bare(i int32) (string, int) {
	nd := &p.nodes[i]
	switch nd.op {
	case OpConst:
		switch nd.shape.Rank() {
		case 0:
			return formatNumber(nd.val)
		case 1:
			return formatVector(nd.vec), precAtom
		}
		return formatMatrix(nd.vec, nd.shape.Dim(1)), precAtom
	case OpVar:
		return nd.name, precAtom
	}
	return ops[nd.op].format(p, nd)
}

// arg prints argument k of nd, parenthesized if its precedence is below
// min. The broadcast of an operand of an elementwise operation is left
// implicit where parsing puts it back: where the other operand has the
// result's shape.
func (p *printer) arg(nd *node, k, min int) string {
	a := nd.args[k]
	if b := &p.nodes[a]; b.op == OpBroadcast && len(nd.args) == 2 && ops[nd.op].kind == kindElementwise {
		if _, named := p.names[a]; !named && p.nodes[nd.args[1-k]].shape == nd.shape && (k == 1 || p.nodes[nd.args[1]].op != OpBroadcast) {
			return p.expr(b.args[0], min, false)
		}
	}
	return p.expr(a, min, false)
}

// printCall prints a node as a call of its op's name.
func printCall(p *printer, nd *node) (string, int) {
	parts := make([]string, len(nd.args))
	for k := range nd.args {
		parts[k] = p.arg(nd, k, 0)
	}
	return ops[nd.op].name + "(" + strings.Join(parts, ", ") + ")", precAtom
}

// subscript prints nd, an index or a slice, as a subscript of both axes
// where the language writes it so: A[i, j] and A[i, a:b] pick from row i
// of the matrix A, A[:, j] and A[a:b, j] from a transpose, whose rows are
// A's columns. part is nd's own subscript.
func (p *printer) subscript(nd *node, part string) (string, bool) {
	a := nd.args[0]
	if _, named := p.names[a]; named {
		return "", false
	}
	switch an := &p.nodes[a]; {
	case an.op == OpIndex && p.nodes[an.args[0]].shape.Rank() == 2:
		return fmt.Sprintf("%s[%d, %s]", p.expr(an.args[0], precPostfix, false), an.p[0], part), true
	case an.op == OpTranspose && nd.op == OpIndex:
		return p.columns(an, part), true
	}
	return "", false
}

// columns prints part, a subscript of the transpose tr of a matrix M, as
// M[:, part], or as N[rows, part] when M is the slice N[rows].
func (p *printer) columns(tr *node, part string) string {
	m := tr.args[0]
	if mn := &p.nodes[m]; mn.op == OpSlice {
		if _, named := p.names[m]; !named {
			rows := sliceText(items(p.nodes[mn.args[0]].shape), mn.p[0], mn.p[1], mn.p[2])
			return fmt.Sprintf("%s[%s, %s]", p.expr(mn.args[0], precPostfix, false), rows[1:len(rows)-1], part)
		}
	}
	return fmt.Sprintf("%s[:, %s]", p.expr(m, precPostfix, false), part)
}

// printCallP prints a node as a call of its op's name with its node
// arguments and then its parameters, which are the integer arguments the
// language gives it.
func printCallP(p *printer, nd *node) (string, int) {
	d := &ops[nd.op]
	parts := make([]string, 0, len(nd.args)+len(d.ints))
	for k := range nd.args {
		parts = append(parts, p.arg(nd, k, 0))
	}
	for _, v := range nd.p[:len(d.ints)] {
		parts = append(parts, strconv.Itoa(v))
	}
	return d.name + "(" + strings.Join(parts, ", ") + ")", precAtom
}

// isNeg reports whether node i prints with a leading minus.
func (p *printer) isNeg(i int32) bool {
	nd := &p.nodes[i]
	return nd.op == OpNeg || nd.op == OpConst && nd.vec == nil && math.Signbit(nd.val)
}

// formatNumber prints v so that it parses back to v; non-finite values are
// written as the divisions that produce them.
func formatNumber(v float64) (string, int) {
	switch {
	case math.IsNaN(v):
		return "0/0", precMul
	case math.IsInf(v, 1):
		return "1/0", precMul
	case math.IsInf(v, -1):
		return "-1/0", precMul
	case math.Signbit(v):
		if v == 0 {
			return "-0", precUnary
		}
		return strconv.FormatFloat(v, 'g', -1, 64), precUnary
	}
	return strconv.FormatFloat(v, 'g', -1, 64), precAtom
}

func formatVector(v []float64) string {
	isRange := len(v) > 1
	for k, x := range v {
		if x != float64(k) || math.Signbit(x) {
			isRange = false
			break
		}
	}
	if isRange {
		return fmt.Sprintf("range(%d)", len(v))
	}
	parts := make([]string, len(v))
	for k, x := range v {
		parts[k], _ = formatNumber(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// formatMatrix prints a matrix of n columns as the literal of its rows,
// [[1, 2], [3, 4]].
func formatMatrix(v []float64, n int) string {
	rows := make([]string, len(v)/n)
	for i := range rows {
		parts := make([]string, n)
		for j, x := range v[i*n : (i+1)*n] {
			parts[j], _ = formatNumber(x)
		}
		rows[i] = "[" + strings.Join(parts, ", ") + "]"
	}
	return "[" + strings.Join(rows, ", ") + "]"
}

// sliceText prints the slice of a length-n vector that starts at first and
// takes count elements step apart, omitting default bounds.
func sliceText(n, first, step, count int) string {
	last := first + (count-1)*step
	var start, stop string
	if step > 0 {
		if first != 0 {
			start = strconv.Itoa(first)
		}
		if last+step < n {
			stop = strconv.Itoa(last + 1)
			if last+1 > n/2 {
				stop = strconv.Itoa(last + 1 - n) // x[:-1] rather than x[:999]
			}
		}
	} else {
		if first != n-1 {
			start = strconv.Itoa(first)
		}
		if last+step >= 0 {
			stop = strconv.Itoa(last - 1)
		}
	}
	if step == 1 {
		return "[" + start + ":" + stop + "]"
	}
	return "[" + start + ":" + stop + ":" + strconv.Itoa(step) + "]"
}
