package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// A transcript is a command of a document and the output it shows.
type transcript struct {
	line int    // where the command is in the document
	args string // the command line after "$ nabla "
	out  string
}

// transcripts reads the ```console blocks of a Markdown document: lines
// "$ nabla …" are commands, and the lines up to the next command or the end
// of the block are the standard output they show. It also returns the
// files the commands read: a ```nabla block whose first line is a comment
// naming a file ("# rk4.nabla: …") is that file, and some command must
// read it.
func transcripts(t *testing.T, path string) ([]transcript, []txtar.File) {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var (
		ts      []transcript
		files   []txtar.File
		console bool
		file    *txtar.File // the ```nabla block being read
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			console = line == "```console"
			if file != nil {
				files = append(files, *file)
				file = nil
			} else if line == "```nabla" {
				require.True(t, sc.Scan(), "%s:%d: empty nabla block", path, n)
				n++
				name, _, _ := strings.Cut(strings.TrimPrefix(sc.Text(), "# "), ":")
				require.True(t, strings.HasPrefix(sc.Text(), "# ") && strings.HasSuffix(name, ".nabla"),
					"%s:%d: a nabla block starts with a comment naming its file: # name.nabla: …", path, n)
				file = &txtar.File{Name: name, Data: []byte(sc.Text() + "\n")}
			}
		case file != nil:
			file.Data = append(file.Data, line+"\n"...)
		case !console:
		case strings.HasPrefix(line, "$ "):
			args, ok := strings.CutPrefix(line, "$ nabla ")
			require.True(t, ok, "%s:%d: a console block runs only nabla: %s", path, n, line)
			// testscript splits words like the shell inside single quotes
			// (where both take every character literally, and '' is the
			// one difference) but not outside them.
			require.False(t, strings.ContainsAny(unquoted(args), "\"\\$|<>;&`#"), "%s:%d: write commands with single quotes only: %s", path, n, line)
			require.NotContains(t, args, "''", "%s:%d: the shell and testscript read '' differently: %s", path, n, line)
			ts = append(ts, transcript{line: n, args: args})
		default:
			require.NotEmpty(t, ts, "%s:%d: output before any command", path, n)
			ts[len(ts)-1].out += line + "\n"
		}
	}
	require.NoError(t, sc.Err())
	for _, f := range files {
		used := slices.ContainsFunc(ts, func(tr transcript) bool { return slices.Contains(strings.Fields(tr.args), f.Name) })
		require.True(t, used, "%s: no command reads the example %s", path, f.Name)
	}
	return ts, files
}

// unquoted returns args without its single-quoted parts.
func unquoted(args string) string {
	var b strings.Builder
	for i, part := range strings.Split(args, "'") {
		if i%2 == 0 {
			b.WriteString(part)
		}
	}
	return b.String()
}

// TestDocs runs every command of docs/tutorial.md, docs/language.md,
// docs/model-health.md, docs/spectrum.md, README.md and the README.md of
// each worked example under examples/, and compares what it prints with
// the document, so that they cannot go stale. A document shows what a
// person sees: standard output followed by standard error (the messages of
// a failing command).
func TestDocs(t *testing.T) {
	examples, err := filepath.Glob("../../examples/*/README.md")
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	for _, doc := range append([]string{"../../docs/tutorial.md", "../../docs/language.md", "../../docs/model-health.md", "../../docs/spectrum.md", "../../README.md"}, examples...) {
		name, example := strings.CutPrefix(doc, "../../examples/")
		if !example {
			name = filepath.Base(doc)
		}
		t.Run(name, func(t *testing.T) {
			ts, files := transcripts(t, doc)
			least := 5
			if example {
				least = 1 // an example shows the command that fits it
			}
			require.GreaterOrEqual(t, len(ts), least, "the document's commands were not found")
			var script strings.Builder
			ar := &txtar.Archive{Files: files}
			for i, tr := range ts {
				name := fmt.Sprintf("out%d", i)
				fmt.Fprintf(&script, "# %s:%d\nshows %s nabla %s\n", filepath.Base(doc), tr.line, name, tr.args)
				ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(tr.out)})
			}
			if example {
				ar.Files = append(ar.Files, exampleFiles(t, filepath.Dir(doc), files)...)
			} else {
				// The documents' data files, and the examples' models and
				// data, where their commands name them.
				data, err := filepath.Glob("../../docs/data/*")
				require.NoError(t, err)
				models, err := filepath.Glob("../../examples/*/*")
				require.NoError(t, err)
				for _, f := range append(data, models...) {
					if name := filepath.Base(f); name == "README.md" || strings.HasSuffix(name, ".go") {
						continue
					}
					if info, err := os.Stat(f); err != nil || info.IsDir() {
						continue
					}
					b, err := os.ReadFile(f)
					require.NoError(t, err)
					ar.Files = append(ar.Files, txtar.File{Name: strings.TrimPrefix(f, "../../"), Data: b})
				}
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

// exampleFiles returns the model and data files of the example in dir,
// where its README's commands run: every file but the README and Go
// source. A model file the README shows must be the one in dir; it is
// among shown already.
func exampleFiles(t *testing.T, dir string, shown []txtar.File) []txtar.File {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var files []txtar.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == "README.md" || strings.HasSuffix(name, ".go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		if i := slices.IndexFunc(shown, func(f txtar.File) bool { return f.Name == name }); i >= 0 {
			require.Equal(t, string(b), string(shown[i].Data), "%s/README.md shows %s as it is not", dir, name)
			continue
		}
		files = append(files, txtar.File{Name: name, Data: b})
	}
	return files
}

// shows runs a command, whatever its exit status, and compares its
// standard output and standard error, one after the other, with a file:
// shows FILE COMMAND ARGS... The documents show what nabla prints on
// gonum's BLAS, compared exactly; on another, numbers are compared to
// 1e-12 (sameUpToRounding) and the output of optimize not at all where it
// differs more.
func shows(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: shows file command [args...]")
	}
	_ = ts.Exec(args[1], args[2:]...) // the document shows failures too
	got := ts.ReadFile("stdout") + ts.ReadFile("stderr")
	want := ts.ReadFile(args[0])
	if got == want {
		return
	}
	if purego := ad.BLAS().Name == "gonum"; !purego && sameUpToRounding(want, got) {
		return
	} else if !purego && len(args) > 2 && args[2] == "optimize" {
		// An optimizer's path of a hundred steps amplifies the last
		// digits until the steps differ: nothing to compare but by eye.
		ts.Logf("not compared: with %s it printed\n%s", ad.BLAS().Name, got)
		return
	}
	ts.Fatalf("the document shows\n%s\nbut the command printed\n%s", want, got)
}

// number matches a number as nabla prints one.
var number = regexp.MustCompile(`[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`)

// sameUpToRounding reports whether two outputs differ only in numbers that
// agree to 1e-12, relative to the larger or absolute if both are smaller
// than 1. The documents show what pure Go prints; OpenBLAS sums in another
// order, which moves the last digits of the 17 that a float64 prints, and
// makes a value that is 0 in exact arithmetic (a gradient at the minimum)
// another rounding error of the same tiny size.
func sameUpToRounding(want, got string) bool {
	if number.ReplaceAllString(want, "#") != number.ReplaceAllString(got, "#") {
		return false
	}
	wn, gn := number.FindAllString(want, -1), number.FindAllString(got, -1)
	for i := range wn {
		w, werr := strconv.ParseFloat(wn[i], 64)
		g, gerr := strconv.ParseFloat(gn[i], 64)
		if werr != nil || gerr != nil || math.Abs(w-g) > 1e-12*max(1, math.Abs(w), math.Abs(g)) {
			return false
		}
	}
	return true
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
