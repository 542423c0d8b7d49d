package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "redraw the pictures of the documents with their commands")

// A picture is an image a document shows and the command, printed in the
// document, that draws it.
type picture struct {
	line int    // where the command is in the document
	args string // the command line after "nabla "
	out  string // the file the command writes
	file string // the image file the document shows
}

// The flags by which commands name the picture they write.
var pictureFlags = map[string]bool{"-o": true, "--output": true, "--sweep": true, "--profile": true, "--data-profile": true}

var imageRE = regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`)

// screenshots are the pictures of the documents that no nabla command
// draws, with what takes them; the documents say so, and pictures leaves
// them out.
var screenshots = map[string]string{
	"playground.png": "go generate ./serve: TestBrowser's screenshot of the page in Chromium",
}

// pictures reads the images of a Markdown document and, for each, the
// command of a ```sh block (or a "$ nabla" line of a ```console block)
// that writes a file of the same name. An image without a command is an
// error: a document shows how its pictures are drawn, so that they cannot
// drift apart. It also returns the commands that save results with
// --save, which the pictures may read.
func pictures(t *testing.T, doc string) ([]picture, []string) {
	f, err := os.Open(doc)
	require.NoError(t, err)
	defer f.Close()
	type command struct {
		line       int
		args, file string
	}
	var (
		cmds   []command
		saves  []string
		images []string
		sh     bool
		shell  bool   // in a ```console block
		cont   string // a command continued with \ at the end of a line
		start  int
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			sh, shell = line == "```sh", line == "```console"
		case shell:
			if args, ok := strings.CutPrefix(line, "$ nabla "); ok {
				words := shellWords(args)
				for i, w := range words[:len(words)-1] {
					if pictureFlags[w] {
						cmds = append(cmds, command{n, args, words[i+1]})
					}
				}
				if slices.Contains(words, "--save") {
					saves = append(saves, args)
				}
			}
		case sh:
			if cont == "" {
				start = n
			}
			if l, ok := strings.CutSuffix(line, `\`); ok {
				cont += strings.TrimSpace(l) + " "
				continue
			}
			line, cont = cont+strings.TrimSpace(line), ""
			args, ok := strings.CutPrefix(line, "nabla ")
			if !ok {
				continue
			}
			words := shellWords(args)
			for i, w := range words[:len(words)-1] {
				if pictureFlags[w] {
					cmds = append(cmds, command{start, args, words[i+1]})
				}
			}
		default:
			for _, m := range imageRE.FindAllStringSubmatch(line, -1) {
				images = append(images, m[1])
			}
		}
	}
	require.NoError(t, sc.Err())
	var ps []picture
	for _, img := range images {
		if _, ok := screenshots[filepath.Base(img)]; ok {
			continue
		}
		var found bool
		for _, c := range cmds {
			if c.file == filepath.Base(img) {
				ps = append(ps, picture{c.line, c.args, c.file, filepath.Join(filepath.Dir(doc), img)})
				found = true
			}
		}
		require.True(t, found, "%s shows %s but no command that draws it", doc, img)
	}
	return ps, saves
}

// shellWords splits a command line into words as the shell does for the
// single quotes the documents use.
func shellWords(s string) []string {
	var (
		words  []string
		w      strings.Builder
		quoted bool
		inWord bool
	)
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// TestDocPictures runs the command printed above each picture of README.md,
// docs/tutorial.md, docs/model-health.md and docs/spectrum.md and checks
// that it draws the picture the document shows, after the commands that
// --save what the pictures read. With -update (go generate ./cmd/nabla) it
// redraws the pictures instead.
func TestDocPictures(t *testing.T) {
	var script strings.Builder
	for _, doc := range []string{"../../README.md", "../../docs/tutorial.md", "../../docs/model-health.md", "../../docs/spectrum.md"} {
		ps, saves := pictures(t, doc)
		require.NotEmpty(t, ps, "the pictures of %s were not found", doc)
		for _, args := range saves {
			fmt.Fprintf(&script, "exec nabla %s\n", args)
		}
		for _, p := range ps {
			file, err := filepath.Abs(p.file)
			require.NoError(t, err)
			fmt.Fprintf(&script, "# %s:%d\nexec nabla %s\npicture %s %s\n", filepath.Base(doc), p.line, p.args, p.out, file)
		}
	}
	file := filepath.Join(t.TempDir(), "pictures.txtar")
	require.NoError(t, os.WriteFile(file, []byte(script.String()), 0o644))
	testscript.Run(t, testscript.Params{
		Files:               []string{file},
		RequireExplicitExec: true,
		Setup:               linkRepo("benchmarks", "examples"),
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"picture": comparePicture},
	})
}

// comparePicture compares the picture a command drew with the one a
// document shows, or with -update replaces the document's:
// picture DRAWN SHOWN.
func comparePicture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: picture drawn shown")
	}
	drawn, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	if *update {
		ts.Check(os.WriteFile(args[1], drawn, 0o644))
		return
	}
	shown, err := os.ReadFile(args[1])
	ts.Check(err)
	if msg := pictureDiff(drawn, shown); msg != "" {
		ts.Fatalf("%s is not what the command draws: %s; go generate ./cmd/nabla redraws it", args[1], msg)
	}
}

// pictureDiff says how two PNG pictures differ to the eye, or returns ""
// when they look the same: the same size, and at most one pixel in ten
// thousand different by more than a quarter of the range of a colour. That
// allows the last bits of floating point to differ between machines (on
// arm64, Go fuses multiplications and additions), which moves nothing by
// a pixel, and catches a changed label or a path of one more step.
func pictureDiff(a, b []byte) string {
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		return err.Error()
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return err.Error()
	}
	if ia.Bounds() != ib.Bounds() {
		return fmt.Sprintf("the sizes differ: %v and %v", ia.Bounds().Size(), ib.Bounds().Size())
	}
	r := ia.Bounds()
	differ := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if visiblyDifferent(ia, ib, image.Pt(x, y)) {
				differ++
			}
		}
	}
	if total := r.Dx() * r.Dy(); differ > total/10000 {
		return fmt.Sprintf("%d of its %d pixels differ", differ, total)
	}
	return ""
}

// visiblyDifferent reports whether a colour channel of the pixel at p
// differs by more than a quarter of its range.
func visiblyDifferent(a, b image.Image, p image.Point) bool {
	r1, g1, b1, a1 := a.At(p.X, p.Y).RGBA()
	r2, g2, b2, a2 := b.At(p.X, p.Y).RGBA()
	for _, d := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}, {a1, a2}} {
		if max(d[0], d[1])-min(d[0], d[1]) > 0xffff/4 {
			return true
		}
	}
	return false
}
