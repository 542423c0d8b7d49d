package ad

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the files generated from the op table")

// The file generated from the op table, and the markers around the
// generated part of the language reference.
const (
	languageFile = "../docs/language.md"
	tableStart   = "<!-- functions: generated from the op table by go generate ./ad; do not edit -->\n"
	tableEnd     = "<!-- end of functions -->\n"
)

// TestGenerated fails when a file generated from the op table is not
// current: the function table of the language reference. go generate ./ad
// runs it with -update to rewrite it.
func TestGenerated(t *testing.T) {
	doc, err := os.ReadFile(languageFile)
	require.NoError(t, err)
	head, rest, ok := bytes.Cut(doc, []byte(tableStart))
	require.True(t, ok, "%s has no line %q", languageFile, tableStart)
	_, tail, ok := bytes.Cut(rest, []byte(tableEnd))
	require.True(t, ok, "%s has no line %q", languageFile, tableEnd)
	table := functionTable()
	newDoc := string(head) + tableStart + table + tableEnd + string(tail)

	if *update {
		require.NoError(t, os.WriteFile(languageFile, []byte(newDoc), 0o644))
		return
	}
	assert.Equal(t, newDoc, string(doc), "the function table of %s is not current: run go generate ./ad", languageFile)
	for _, b := range Builtins() {
		assert.Contains(t, string(doc), fmt.Sprintf("| `%s` | %s |", b, b.Doc), "%s lists %s", languageFile, b)
	}
}

// functionTable returns the language reference's table of functions.
func functionTable() string {
	var sb strings.Builder
	sb.WriteString("| function | value |\n|---|---|\n")
	for _, b := range Builtins() {
		fmt.Fprintf(&sb, "| `%s` | %s |\n", b, b.Doc)
	}
	return sb.String()
}
