package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An Error is a problem found in the source of an expression, with the
// position of the fault. Line and Col count from 1; Col counts characters
// (not bytes) from the start of the line. Offset is the byte offset of the
// fault in the source. An Error about something that has no place in the
// source (such as invalid [Options]) has Line 0.
type Error struct {
	Line, Col, Offset int
	Msg               string

	text string // the source line holding the fault, for the excerpt
}

// excerptWidth is the widest source line an excerpt shows in full; longer
// lines are cut to a window around the fault.
const excerptWidth = 80

// Error returns the position and message, "1:7: unknown function ...",
// followed on the next two lines by the source line and a caret under the
// fault.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: %s\n", e.Line, e.Col, e.Msg)
	e.excerpt(&b)
	return b.String()
}

// excerpt writes the source line and the caret line, each indented by two
// spaces and ended by a newline except the last.
func (e *Error) excerpt(b *strings.Builder) {
	excerpt(b, e.text, e.Col-1)
}

// Excerpt returns the line of src that holds byte offset off and, under it,
// a caret at off, each indented by two spaces, as Error messages show them.
// Programs that report faults in other input (a command-line flag, say)
// use it to show them the same way.
func Excerpt(src string, off int) string {
	line, _, col := lineAt(src, max(0, min(off, len(src))))
	var b strings.Builder
	excerpt(&b, line, col)
	return b.String()
}

// excerpt writes line and a caret under its character col (from 0). A line
// longer than excerptWidth characters is cut to a window around col.
// Characters that are not printable, and bytes that are not UTF-8, are
// escaped as strconv.Quote escapes them, so that no input can send control
// sequences to a terminal, and the caret still points at its character.
func excerpt(b *strings.Builder, line string, col int) {
	n := utf8.RuneCountInString(line)
	start, end := 0, n
	var prefix, suffix string
	if n > excerptWidth {
		start = max(0, min(col-excerptWidth/2, n-excerptWidth))
		end = start + excerptWidth
		if start > 0 {
			prefix = "..."
		}
		if end < n {
			suffix = "..."
		}
	}
	var caret strings.Builder
	caret.WriteString("\n  ")
	caret.WriteString(strings.Repeat(" ", len(prefix)))
	b.WriteString("  ")
	b.WriteString(prefix)
	for i, k := 0, 0; i < len(line) && k < end; k++ {
		r, size := utf8.DecodeRuneInString(line[i:])
		c := line[i : i+size]
		i += size
		if k < start {
			continue
		}
		switch {
		case r == utf8.RuneError && size == 1:
			c = fmt.Sprintf(`\x%02x`, c[0])
		case r != '\t' && !strconv.IsPrint(r):
			c = strconv.Quote(c)
			c = c[1 : len(c)-1]
		}
		b.WriteString(c)
		if k < col {
			if c == "\t" {
				caret.WriteByte('\t')
			} else {
				caret.WriteString(strings.Repeat(" ", utf8.RuneCountInString(c)))
			}
		}
	}
	b.WriteString(suffix)
	caret.WriteByte('^')
	b.WriteString(caret.String())
}

// An ErrorList is the set of errors [Compile] found when there was more
// than one, in source order.
type ErrorList []*Error

// Error returns every error of the list, each with its excerpt, one after
// another.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the errors of the list, for [errors.Is] and [errors.As].
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// errorAt returns an Error at byte offset off of src.
func errorAt(src string, off int, msg string) *Error {
	off = max(0, min(off, len(src)))
	line, start, col := lineAt(src, off)
	return &Error{
		Line:   strings.Count(src[:start], "\n") + 1,
		Col:    col + 1,
		Offset: off,
		Msg:    msg,
		text:   line,
	}
}

// lineAt returns the line of src that holds byte offset off, where it
// starts, and the character (from 0) off is in the line.
func lineAt(src string, off int) (line string, start, col int) {
	start = strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[off:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += off
	}
	return strings.TrimSuffix(src[start:end], "\r"), start, utf8.RuneCountInString(src[start:off])
}

// Suggest returns the candidate closest to name in edit distance, if it is
// close enough to be a likely typo (at most two edits, and at most one for
// every two characters of name), or "". Error messages about an unknown
// name use it for their "did you mean".
func Suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	n := utf8.RuneCountInString(name)
	if n > 64 {
		return ""
	}
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := levenshtein(name, c)
		if d < bestDist && 2*d <= n || d == bestDist && best != "" && closer(name, c, best) {
			best, bestDist = c, d
		}
	}
	return best
}

// closer breaks a tie in edit distance between candidates a and b for
// name: the longer common prefix wins ("sinn" is more likely "sin" than
// "sign"), then alphabetical order.
func closer(name, a, b string) bool {
	pa, pb := commonPrefix(name, a), commonPrefix(name, b)
	if pa != pb {
		return pa > pb
	}
	return a < b
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// didYouMean formats a suggestion for an error message.
func didYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// levenshtein returns the edit distance between a and b, counting
// insertions, deletions and substitutions of characters.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
