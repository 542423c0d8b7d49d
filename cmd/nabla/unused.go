package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/nabla-ad/nabla/ad"
)

// maxUnusedRuns is the most runs of unused elements a warning lists.
const maxUnusedRuns = 3

// warnUnused warns about the values a point gives that the expression
// never reads: a variable it does not use, or the elements of a vector it
// does not index. A 2-D function given a vector of 100 values reads two of
// them, and would otherwise be optimized in 2 of 100 coordinates without a
// word.
func warnUnused(w io.Writer, g *ad.Graph, out ad.Node) error {
	vars := g.Vars()
	reads, err := g.Reads(out, vars...)
	if err != nil {
		return err
	}
	// Variables not read at all go on one line, however many there are;
	// vectors read in part get a line each.
	var unused, partly []string
	for i, v := range vars {
		switch msg := unreadElements(g.Name(v), reads[i]); msg {
		case "":
		case g.Name(v):
			unused = append(unused, msg)
		default:
			partly = append(partly, msg)
		}
	}
	if len(unused) > 0 {
		list := join(len(unused), func(i int) string { return unused[i] })
		if len(unused) > maxShown {
			list += fmt.Sprintf(" (%d variables)", len(unused))
		}
		fmt.Fprintf(w, "nabla: warning: the expression does not use %s\n", list)
	}
	for _, msg := range partly {
		fmt.Fprintf(w, "nabla: warning: the expression does not use %s\n", msg)
	}
	return nil
}

// unreadElements describes the elements of the variable name that reads
// marks false, as slices: "x[2:100] (98 of the 100 values of x)", or just
// the name when none is read. It returns "" when every element is read.
func unreadElements(name string, reads []bool) string {
	var runs []string
	count := 0
	for k := 0; k < len(reads); {
		if reads[k] {
			k++
			continue
		}
		end := k
		for end < len(reads) && !reads[end] {
			end++
		}
		count += end - k
		switch {
		case len(runs) == maxUnusedRuns:
			runs = append(runs, "…")
		case len(runs) > maxUnusedRuns:
		case end == k+1:
			runs = append(runs, fmt.Sprintf("%s[%d]", name, k))
		default:
			runs = append(runs, fmt.Sprintf("%s[%d:%d]", name, k, end))
		}
		k = end
	}
	switch count {
	case 0:
		return ""
	case len(reads):
		return name
	}
	return fmt.Sprintf("%s (%d of the %d values of %s)", strings.Join(runs, ", "), count, len(reads), name)
}
