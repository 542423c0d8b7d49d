package main

import (
	"fmt"
	"io"
	"slices"
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
		switch msg := unreadElements(g.Name(v), g.Shape(v), reads[i]); msg {
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

// unreadElements describes the elements of the variable name, of shape s,
// that reads marks false, as subscripts: "x[2:100] (98 of the 100 values
// of x)"; of a matrix, whole rows as W[1:3] and parts of a row as
// W[0, 2:4]. It returns just the name when no element is read, and ""
// when every element is.
func unreadElements(name string, s ad.Shape, reads []bool) string {
	var runs []string
	count := 0
	add := func(format string, args ...any) {
		switch {
		case len(runs) == maxUnusedRuns:
			runs = append(runs, "…")
		case len(runs) < maxUnusedRuns:
			runs = append(runs, fmt.Sprintf(format, args...))
		}
	}
	if s.Rank() < 2 {
		unreadRuns(reads, func(lo, hi int) {
			count += hi - lo
			if hi == lo+1 {
				add("%s[%d]", name, lo)
			} else {
				add("%s[%d:%d]", name, lo, hi)
			}
		})
	} else {
		m, n := s.Dim(0), s.Dim(1)
		unread := func(i int) bool { return !slices.Contains(reads[i*n:(i+1)*n], true) }
		for i := 0; i < m; {
			if unread(i) {
				j := i + 1
				for j < m && unread(j) {
					j++
				}
				count += (j - i) * n
				if j == i+1 {
					add("%s[%d]", name, i)
				} else {
					add("%s[%d:%d]", name, i, j)
				}
				i = j
				continue
			}
			unreadRuns(reads[i*n:(i+1)*n], func(lo, hi int) {
				count += hi - lo
				if hi == lo+1 {
					add("%s[%d, %d]", name, i, lo)
				} else {
					add("%s[%d, %d:%d]", name, i, lo, hi)
				}
			})
			i++
		}
	}
	switch count {
	case 0:
		return ""
	case len(reads):
		return name
	}
	return fmt.Sprintf("%s (%d of the %d values of %s)", strings.Join(runs, ", "), count, len(reads), name)
}

// unreadRuns calls f with the bounds of each run of elements that reads
// marks false.
func unreadRuns(reads []bool, f func(lo, hi int)) {
	for k := 0; k < len(reads); {
		if reads[k] {
			k++
			continue
		}
		end := k
		for end < len(reads) && !reads[end] {
			end++
		}
		f(k, end)
		k = end
	}
}
