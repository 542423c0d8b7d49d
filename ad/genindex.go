package ad

import "fmt"

// The generated Go of computed indices: argmin and argmax as loops along
// their axis, take and addat as loops over their indices, each checking
// its index as itemAt does and giving NaN where the interpreter's kernels
// do.

// indexOp writes instruction in when it is one of the ops of computed
// indices, and reports whether it was.
func (b *genBody) indexOp(in *instr) bool {
	switch b.node(in.node).op {
	case OpArgMin, OpArgMax:
		b.arg(in)
	case OpTake:
		b.take(in)
	case OpAddAt:
		b.addAt(in)
	default:
		return false
	}
	return true
}

// arg writes argmin or argmax: for each result, the elements along the
// axis in order, as argAxis takes them. The extreme so far starts at the
// infinity every element ties or beats, so that the first element is
// taken without a test of its own.
func (b *genBody) arg(in *instr) {
	i, nd := in.node, b.node(in.node)
	x := b.ref(in.argIDs[0])
	_, n, inner := axisLens(b.node(in.argIDs[0]).shape, nd.p[0])
	o, k, m, u := b.names.local("i"), b.names.local("k"), b.names.local("m"), b.names.local("u")
	cmp, inf := "<", "1"
	if nd.op == OpArgMax {
		cmp, inf = ">", "-1"
	}
	body := func(t, elem string) string {
		return fmt.Sprintf("%[1]s := math.Inf(%[2]s)\nfor %[3]s := range %[4]d {\nif %[5]s := %[6]s; %[5]s %[7]s %[1]s || %[5]s != %[5]s {\n%[8]s, %[1]s = float64(%[3]s), %[5]s\n}\n}\nif %[1]s != %[1]s {\n%[8]s = math.NaN()\n}\n",
			m, inf, k, n, u, elem, cmp, t)
	}
	if nd.shape.IsScalar() {
		t := b.temp(i)
		b.printf("%s := 0.0\n{\n%s}\n", t, body(t, x.at(k)))
		b.vals[i] = genVal{s: t}
		return
	}
	elem := x.at(fmt.Sprintf("%s*%d+%s", k, inner, o))
	if inner == 1 {
		elem = x.at(fmt.Sprintf("%s*%d+%s", o, n, k))
	}
	h, t := b.buffer(i), b.names.local("t")
	b.printf("for %s := range %d {\n%s := 0.0\n%s%s = %s\n}\n", o, nd.shape.Len(), t, body(t, elem), h.at(o), t)
	b.vals[i] = genVal{ref: &h}
}

// indexLoop writes a loop over the indices a of the items of x, a vector
// or a matrix: valid writes what a valid index does given the Go names of
// its position k and its value j, an int, and invalid what an invalid one
// does.
func (b *genBody) indexLoop(x, a int32, valid func(k, j string) string, invalid func(k string) string) {
	n := items(b.node(x).shape)
	k, j, f := b.names.local("k"), b.names.local("j"), b.names.local("f")
	// A scalar index is position 0 of a loop of one, which valid and
	// invalid may leave with break or continue.
	loop, idx := "for range 1", ""
	if as := b.node(a).shape; as.IsScalar() {
		k, idx = "0", b.scalar(a)
	} else {
		loop, idx = fmt.Sprintf("for %s := range %d", k, as.Len()), b.ref(a).at(k)
	}
	b.printf("%[1]s {\n%[2]s := %[3]s\nif !(%[2]s >= 0 && %[2]s < %[4]d && %[2]s == math.Trunc(%[2]s)) {\n%[5]s}\n%[6]s := int(%[2]s)\n%[7]s}\n",
		loop, f, idx, n, invalid(k), j, valid(k, j))
}

// itemLoop writes a loop over the w elements e of an item, whose body body
// writes given e's Go name.
func (b *genBody) itemLoop(w int, body func(e string) string) string {
	e := b.names.local("e")
	return fmt.Sprintf("for %s := range %d {\n%s}\n", e, w, body(e))
}

// take writes the items of x at the indices, NaN for an invalid one.
func (b *genBody) take(in *instr) {
	i, x, a := in.node, in.argIDs[0], in.argIDs[1]
	w := itemLen(b.node(x).shape)
	xr := b.ref(x)
	if b.node(i).shape.IsScalar() {
		t := b.temp(i)
		b.printf("%s := math.NaN()\n", t)
		b.indexLoop(x, a, func(k, j string) string {
			return fmt.Sprintf("%s = %s\n", t, xr.at(j))
		}, func(string) string { return "continue\n" })
		b.vals[i] = genVal{s: t}
		return
	}
	h := b.buffer(i)
	at := func(r genRef, k, e string) string { return r.at(fmt.Sprintf("%s*%d+%s", k, w, e)) }
	b.indexLoop(x, a, func(k, j string) string {
		return b.itemLoop(w, func(e string) string { return fmt.Sprintf("%s = %s\n", at(h, k, e), at(xr, j, e)) })
	}, func(k string) string {
		return b.itemLoop(w, func(e string) string { return fmt.Sprintf("%s = math.NaN()\n", at(h, k, e)) }) + "continue\n"
	})
	b.vals[i] = genVal{ref: &h}
}

// addAt writes x with the items of v added at the indices, every element
// NaN for an invalid one.
func (b *genBody) addAt(in *instr) {
	i, x, a, v := in.node, in.argIDs[0], in.argIDs[1], in.argIDs[2]
	w := itemLen(b.node(x).shape)
	h := b.buffer(i)
	b.store(h, x)
	at := func(r genRef, k, e string) string { return r.at(fmt.Sprintf("%s*%d+%s", k, w, e)) }
	add := func(k, e string) string { return b.scalar(v) }
	if !b.node(v).shape.IsScalar() {
		vr := b.ref(v)
		add = func(k, e string) string { return at(vr, k, e) }
	}
	b.indexLoop(x, a, func(k, j string) string {
		return b.itemLoop(w, func(e string) string { return fmt.Sprintf("%s += %s\n", at(h, j, e), add(k, e)) })
	}, func(string) string {
		return b.itemLoop(h.len, func(e string) string { return fmt.Sprintf("%s = math.NaN()\n", h.at(e)) }) + "break\n"
	})
	b.vals[i] = genVal{ref: &h}
}
