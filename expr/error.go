package expr

import (
	"fmt"
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
	line := []rune(e.text)
	col := e.Col - 1
	var prefix, suffix string
	if len(line) > excerptWidth {
		start := max(0, min(col-excerptWidth/2, len(line)-excerptWidth))
		end := min(len(line), start+excerptWidth)
		if start > 0 {
			prefix = "..."
		}
		if end < len(line) {
			suffix = "..."
		}
		line = line[start:end]
		col -= start
	}
	b.WriteString("  ")
	b.WriteString(prefix)
	for _, r := range line {
		if r < ' ' && r != '\t' || r == utf8.RuneError || r == 0x7f {
			r = '?'
		}
		b.WriteRune(r)
	}
	b.WriteString(suffix)
	b.WriteString("\n  ")
	b.WriteString(strings.Repeat(" ", len(prefix)))
	for i := 0; i < col && i < len(line); i++ {
		if line[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
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
	lineStart := strings.LastIndexByte(src[:off], '\n') + 1
	lineEnd := strings.IndexByte(src[off:], '\n')
	if lineEnd < 0 {
		lineEnd = len(src)
	} else {
		lineEnd += off
	}
	text := strings.TrimSuffix(src[lineStart:lineEnd], "\r")
	return &Error{
		Line:   strings.Count(src[:lineStart], "\n") + 1,
		Col:    utf8.RuneCountInString(src[lineStart:off]) + 1,
		Offset: off,
		Msg:    msg,
		text:   text,
	}
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
