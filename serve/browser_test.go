package serve

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var screenshot = flag.String("screenshot", "", "also write TestBrowser's screenshot of the first view to this `file`")

// browsers are the names Chromium and Chrome are installed under.
var browsers = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// pageState is what the page shows: its readouts, the end of the drawn
// path, the error box, and the count and time of its redraws.
type pageState struct {
	Redraws  int               `json:"redraws"`
	DrawnMs  float64           `json:"drawnMs"`
	RedrawMs float64           `json:"redrawMs"`
	Readouts map[string]string `json:"readouts"`
	PathEnd  [2]float64        `json:"pathEnd"`
	Steps    int               `json:"steps"`
	Error    string            `json:"error"`
}

const stateJS = `(() => {
	const d = document.body.dataset, text = (id) => document.getElementById(id).textContent;
	const p = document.getElementById('plot2d').data.find((t) => t.name === 'path');
	const err = document.getElementById('error');
	return {
		redraws: +d.redraws, drawnMs: +d.drawnMs, redrawMs: +d.redrawMs, steps: p.x.length,
		pathEnd: [p.x[p.x.length - 1], p.y[p.y.length - 1]],
		readouts: Object.fromEntries(['f', 'grad', 'gnorm', 'u', 'duf', 'final-x', 'final-f', 'iterations', 'evaluations', 'status'].map((id) => [id, text(id)])),
		error: err.hidden ? '' : err.textContent,
	};
})()`

// TestBrowser drives the page in headless Chromium as a student would:
// it loads the seed example, moves the iteration and learning-rate
// sliders, and types a bad expression. After each move the drawn path and
// the readouts must be those the API answers for the same input. It saves
// a screenshot of the first view (see -screenshot) and logs how long the
// redraws took.
func TestBrowser(t *testing.T) {
	var browser string
	for _, name := range browsers {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skipf("no browser to drive: none of %s is installed (on Debian, apt-get install chromium; .ci/run installs it)", strings.Join(browsers, ", "))
	}
	s := newServer(t, Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.WindowSize(1280, 800),
		// WebGL, for the 3-D view, drawn in software.
		chromedp.Flag("enable-unsafe-swiftshader", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	// Everything the page writes to the console is logged; an exception or
	// an error, such as a load the Content-Security-Policy refuses, fails
	// the test. The network's reports of the API's answers with status 400
	// are expected: the page shows them.
	var (
		mu       sync.Mutex
		problems []string
	)
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			t.Logf("console (%s): %v", m.Source, m)
			if m.IsException() || m.Type == chromedp.ConsoleError && m.Source != "network" {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()

	state := func() pageState {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](stateJS))
		require.NoError(t, err)
		return st
	}
	// redrawn waits for the page to finish the redraw after the n-th. The
	// wait is long because the test checks what is drawn, not how fast: a
	// software-rendered first drawing on a machine busy with other builds
	// took over 15 s.
	redrawn := func(n int, what string) pageState {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf("+document.body.dataset.redraws > %d", n), chromedp.WithPollingTimeout(60*time.Second)))
		require.NoError(t, err, "the page did not redraw after %s", what)
		return state()
	}
	// move sets a control as a person's input does, and waits for the
	// redraw.
	move := func(id, value string, before pageState) pageState {
		t.Helper()
		js := fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, id, value)
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		require.NoError(t, err)
		return redrawn(before.Redraws, fmt.Sprintf("#%s was set to %s", id, value))
	}
	// matches checks that the page shows the view the API answers for r.
	matches := func(st pageState, r Request, what string) {
		t.Helper()
		want := view(t, s, r).Optimize
		wx, wy := float64(want.X["x"]), float64(want.X["y"])
		assert.Equal(t, [2]float64{wx, wy}, st.PathEnd, "%s: the end of the drawn path", what)
		assert.Equal(t, len(want.Trajectory), st.Steps, "%s: the points of the drawn path", what)
		assert.Equal(t, [2]float64{wx, wy}, parseTuple(t, st.Readouts["final-x"]), "%s: the end point's readout", what)
		assert.Equal(t, strconv.Itoa(want.Iterations), st.Readouts["iterations"], what)
		assert.Equal(t, want.Status+": "+want.Message, st.Readouts["status"], what)
		f, err := strconv.ParseFloat(st.Readouts["final-f"], 64)
		require.NoError(t, err)
		assert.Equal(t, float64(want.F), f, "%s: f at the end point", what)
	}

	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.URL)))
	first := redrawn(0, "the page loaded")
	t.Logf("first drawing: %.0f ms", first.RedrawMs)
	seed := Presets[0].Request
	matches(first, seed, "the seed example")
	assert.Equal(t, map[string]string{"f": "128", "grad": "(16, 16)", "gnorm": "22.627416997969522", "u": "(1, 0)", "duf": "16"},
		map[string]string{"f": first.Readouts["f"], "grad": first.Readouts["grad"], "gnorm": first.Readouts["gnorm"], "u": first.Readouts["u"], "duf": first.Readouts["duf"]})

	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(t.ArtifactDir(), "playground.png"), shot, 0o644))
	if *screenshot != "" {
		require.NoError(t, os.WriteFile(*screenshot, shot, 0o644))
	}

	// Fewer iterations: 5 steps of gradient descent, each scaling the
	// point by 0.8.
	st := move("iters", "5", first)
	r := seed
	r.Iters = 5
	matches(st, r, "iterations 20 → 5")
	assert.NotEqual(t, first.PathEnd, st.PathEnd)
	// A larger learning rate: η = 0.5 reaches the minimum of x² + y² in one
	// step, and the run stops there.
	st = move("lr", "0.5", st)
	r.LR = 0.5
	matches(st, r, "η 0.1 → 0.5")
	assert.Equal(t, [2]float64{0, 0}, st.PathEnd)

	// The time of a redraw for a 60 × 60 grid and 50 iterations, as the
	// start point's slider moves.
	st = move("lr", "0.01", st)
	st = move("iters", "50", st)
	var drawn, shown []float64
	for _, x := range []string{"7", "6", "5", "4", "3"} {
		st = move("sx", x, st)
		drawn, shown = append(drawn, st.DrawnMs), append(shown, st.RedrawMs)
	}
	r.LR, r.Iters, r.Start = 0.01, 50, [2]float64{3, 8}
	matches(st, r, "start x → 3 with η = 0.01 and 50 iterations")
	slices.Sort(drawn)
	slices.Sort(shown)
	t.Logf("a slider move with a 60 × 60 grid and 50 iterations: answered and drawn in a median %.0f ms (%v), on the screen in %.0f ms (%v)",
		drawn[2], drawn, shown[2], shown)

	// A bad expression: the page shows the error the API answers, with
	// the caret under the fault.
	st = move("expr", "x + sinn(y)", st)
	code, out := post(t, s, `{"expr": "x + sinn(y)"}`)
	require.Equal(t, 400, code)
	assert.Equal(t, out["error"], st.Error)
	assert.Contains(t, st.Error, "\n      ^")

	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, problems, "the page wrote errors to the console")
}

// parseTuple reads a readout "(a, b)".
func parseTuple(t *testing.T, s string) [2]float64 {
	t.Helper()
	var v [2]float64
	parts := strings.Split(strings.Trim(s, "()"), ", ")
	require.Len(t, parts, 2, "readout %q", s)
	for i, p := range parts {
		x, err := strconv.ParseFloat(p, 64)
		require.NoError(t, err, "readout %q", s)
		v[i] = x
	}
	return v
}
