package text

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"x + y", 10, "x + y"},
		{"x +\n\t y  ", 10, "x + y"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		// Cut by characters: θ is two bytes, and is never split.
		{"θθθθθθ", 6, "θθθθθθ"},
		{"θθθθθθθ", 6, "θθθθθ…"},
		{"xθ", 1, "…"},
	} {
		got := Shorten(tt.in, tt.n)
		assert.Equal(t, tt.want, got, "Shorten(%q, %d)", tt.in, tt.n)
		assert.True(t, utf8.ValidString(got))
	}
}
