// Package text holds the string helpers nabla's packages share. It imports
// nothing of nabla, so every package may use it.
package text

import "strings"

// Shorten returns s on one line (runs of white space, newlines included,
// become one space) and cut to at most n characters, not bytes, with an
// ellipsis where it was cut; n must be at least 1.
func Shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n { // at most n bytes is at most n characters
		return s
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
