package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A transcript is a command of a document and the output it shows.
type transcript struct {
	line int    // where the command is in the document
	args string // the command line after "$ nabla "
	out  string
}

// transcripts reads the ```console blocks of a Markdown document: lines
// "$ nabla …" are commands, and the lines up to the next command or the end
// of the block are the standard output they show.
func transcripts(t *testing.T, path string) []transcript {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var (
		ts      []transcript
		console bool
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			console = line == "```console"
		case !console:
		case strings.HasPrefix(line, "$ "):
			args, ok := strings.CutPrefix(line, "$ nabla ")
			require.True(t, ok, "%s:%d: a console block runs only nabla: %s", path, n, line)
			// testscript splits words like the shell for single quotes
			// but not for these.
			require.False(t, strings.ContainsAny(args, "\"\\$|<>;&`"), "%s:%d: write commands with single quotes only: %s", path, n, line)
			ts = append(ts, transcript{line: n, args: args})
		default:
			require.NotEmpty(t, ts, "%s:%d: output before any command", path, n)
			ts[len(ts)-1].out += line + "\n"
		}
	}
	require.NoError(t, sc.Err())
	return ts
}

// TestDocs runs every command of docs/tutorial.md, docs/language.md and
// README.md and compares what it prints with the document, so that they
// cannot go stale.
// A document shows what a person sees: standard output followed by standard
// error (the messages of a failing command).
func TestDocs(t *testing.T) {
	for _, doc := range []string{"../../docs/tutorial.md", "../../docs/language.md", "../../README.md"} {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			ts := transcripts(t, doc)
			require.GreaterOrEqual(t, len(ts), 5, "the document's commands were not found")
			var script strings.Builder
			ar := &txtar.Archive{}
			for i, tr := range ts {
				name := fmt.Sprintf("out%d", i)
				fmt.Fprintf(&script, "# %s:%d\nshows %s nabla %s\n", filepath.Base(doc), tr.line, name, tr.args)
				ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(tr.out)})
			}
			// The documents' data files, where their commands name them.
			files, err := filepath.Glob("../../docs/data/*")
			require.NoError(t, err)
			for _, f := range files {
				b, err := os.ReadFile(f)
				require.NoError(t, err)
				ar.Files = append(ar.Files, txtar.File{Name: "docs/data/" + filepath.Base(f), Data: b})
			}
			ar.Comment = []byte(script.String())
			file := filepath.Join(t.TempDir(), "doc.txtar")
			require.NoError(t, os.WriteFile(file, txtar.Format(ar), 0o644))
			testscript.Run(t, testscript.Params{
				Files:               []string{file},
				RequireExplicitExec: true,
				Cmds:                map[string]func(*testscript.TestScript, bool, []string){"shows": shows},
			})
		})
	}
}

// shows runs a command, whatever its exit status, and compares its
// standard output and standard error, one after the other, with a file:
// shows FILE COMMAND ARGS...
func shows(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: shows file command [args...]")
	}
	_ = ts.Exec(args[1], args[2:]...) // the document shows failures too
	got := ts.ReadFile("stdout") + ts.ReadFile("stderr")
	if want := ts.ReadFile(args[0]); got != want {
		ts.Fatalf("the document shows\n%s\nbut the command printed\n%s", want, got)
	}
}

// TestReadmeGo checks that the Go code of README.md is the package example
// of expr, which go test runs and whose output it checks.
func TestReadmeGo(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(readme), "\n```go\n")
	require.True(t, ok, "README.md has no Go code")
	block, _, _ = strings.Cut(block, "```\n")

	const file = "../../expr/example_test.go"
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	require.NoError(t, err)
	var body string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "Example" {
			// The source between the braces, without the indentation.
			text := string(src[fset.Position(fn.Body.Lbrace).Offset+2 : fset.Position(fn.Body.Rbrace).Offset])
			body = strings.ReplaceAll("\n"+text, "\n\t", "\n")[1:]
		}
	}
	require.NotEmpty(t, body, "%s has no func Example", file)
	assert.Equal(t, body, block, "README.md's Go code is not expr's Example")
}
