package gradbench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// TestTranscripts feeds the messages of each transcript in
// testdata/transcripts to Serve and checks every response line against
// the transcript's. A transcript is a txtar archive with two files:
// messages, the lines an eval sends, and responses, one expected line per
// message, compared as JSON with these rules:
//
//   - objects have exactly the expected keys;
//   - numbers agree to 1e-12 relative to max(1, |a| + |b|);
//   - an "error" holds the expected text;
//   - "timings" are written as their names: the response has those
//     timings in that order, each with a non-negative integer number of
//     nanoseconds;
//   - the string "*" stands for any value.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(file)
			require.NoError(t, err)
			var messages, responses []byte
			for _, f := range a.Files {
				switch f.Name {
				case "messages":
					messages = f.Data
				case "responses":
					responses = f.Data
				default:
					t.Fatalf("unknown file %q", f.Name)
				}
			}
			var out, log bytes.Buffer
			require.NoError(t, Serve(bytes.NewReader(messages), &out, &log))
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			want := strings.Split(strings.TrimSuffix(string(responses), "\n"), "\n")
			require.Len(t, got, len(want), "one response per message:\n%s", out.String())
			for i := range want {
				var g, w any
				require.NoError(t, json.Unmarshal([]byte(got[i]), &g), "response %d is not JSON: %s", i+1, got[i])
				require.NoError(t, json.Unmarshal([]byte(want[i]), &w), "expected response %d", i+1)
				if err := match(g, w, ""); err != nil {
					t.Errorf("response %d: %v\n got: %s\nwant: %s", i+1, err, got[i], want[i])
				}
			}
		})
	}
}

// match compares a response with an expected one by the rules of
// TestTranscripts.
func match(got, want any, path string) error {
	if w, ok := want.(string); ok && w == "*" {
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %v, want an object", path, got)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s: unexpected key %q", path, k)
			}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s: missing key %q", path, k)
			}
			var err error
			switch k {
			case "error":
				gs, _ := gv.(string)
				if !strings.Contains(gs, wv.(string)) {
					err = fmt.Errorf("%s.error: %q does not contain %q", path, gs, wv)
				}
			case "timings":
				err = matchTimings(gv, wv)
			default:
				err = match(gv, wv, path+"."+k)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: got %v, want %d elements", path, got, len(w))
		}
		for i := range w {
			if err := match(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-12*max(1, math.Abs(g)+math.Abs(w)) {
			return fmt.Errorf("%s: got %v, want %v", path, got, w)
		}
		return nil
	}
	if got != want {
		return fmt.Errorf("%s: got %v, want %v", path, got, want)
	}
	return nil
}

// matchTimings compares timings with their expected names.
func matchTimings(got, want any) error {
	g, _ := got.([]any)
	w := want.([]any)
	if len(g) != len(w) {
		return fmt.Errorf("timings: got %d, want %d", len(g), len(w))
	}
	for i := range w {
		t, _ := g[i].(map[string]any)
		ns, _ := t["nanoseconds"].(float64)
		if len(t) != 2 || t["name"] != w[i] || ns < 0 || ns != math.Trunc(ns) {
			return fmt.Errorf("timings[%d]: got %v, want %q with a number of nanoseconds", i, g[i], w[i])
		}
	}
	return nil
}

// TestStartConfig checks the config of the start response: the path, the
// threads Go runs on and the BLAS in use, as nabla version names it.
func TestStartConfig(t *testing.T) {
	var out, log bytes.Buffer
	require.NoError(t, Serve(strings.NewReader(`{"id":0,"kind":"start"}`+"\n"), &out, &log))
	var resp struct {
		ID     int    `json:"id"`
		Tool   string `json:"tool"`
		Config Config `json:"config"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &resp), out.String())
	assert.Equal(t, "nabla", resp.Tool)
	assert.Equal(t, Config{
		Path:    "interpreter",
		Threads: runtime.GOMAXPROCS(0),
		BLAS:    ad.BLAS().String(),
		Modules: Modules(),
	}, resp.Config)
	assert.True(t, strings.HasPrefix(resp.Config.BLAS, ad.BLAS().Name+" ("), resp.Config.BLAS)
	assert.Empty(t, log.String())
}

// TestLongLine checks that a message longer than the limit is answered and
// skipped, and the next is answered as usual.
func TestLongLine(t *testing.T) {
	in := `{"id":1,"kind":"define","module":"` + strings.Repeat("x", 1<<20) + "\"}\n" +
		`{"id":2,"kind":"define","module":"hello"}` + "\n"
	defer func(n int) { maxLineSize = n }(maxLineSize)
	maxLineSize = 1 << 16
	var out, log bytes.Buffer
	require.NoError(t, Serve(strings.NewReader(in), &out, &log))
	assert.Equal(t, `{"id":null,"success":false,"error":"message longer than 65536 bytes"}`+"\n"+
		`{"id":2,"success":true}`+"\n", out.String())
	assert.Contains(t, log.String(), "message 1: message longer than 65536 bytes")
}

// TestRuns checks that a function runs until both min_runs and
// min_seconds are met, with one timing per run.
func TestRuns(t *testing.T) {
	calls := 0
	tk := &task{run: func() error { calls++; return nil }}
	runs, err := tk.repeat(5, 0)
	require.NoError(t, err)
	assert.Len(t, runs, 5)
	assert.Equal(t, 5, calls)

	runs, err = tk.repeat(1, 0.02)
	require.NoError(t, err)
	// Summed as durations, as repeat sums them: a sum of float seconds
	// may round below 0.02 where the nanoseconds reach it.
	var total time.Duration
	for _, d := range runs {
		total += d
	}
	assert.GreaterOrEqual(t, total, 20*time.Millisecond)
	assert.Greater(t, len(runs), 1)
}

// TestWriteError checks that Serve stops at the first error writing its
// output.
func TestWriteError(t *testing.T) {
	err := Serve(strings.NewReader(`{"id":1,"kind":"start"}`+"\n"), failingWriter{}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "closed")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("closed") }

// TestPanic checks that a function that panics gets an error response and
// the conversation goes on.
func TestPanic(t *testing.T) {
	modules["broken"] = module{"f": function{bare: true, decode: func(json.RawMessage) (func() (*task, error), error) {
		return func() (*task, error) { panic("boom") }, nil
	}}}
	defer delete(modules, "broken")
	in := `{"id": 1, "kind": "evaluate", "module": "broken", "function": "f", "input": 0}` + "\n" +
		`{"id": 2, "kind": "define", "module": "hello"}` + "\n"
	var out, log bytes.Buffer
	require.NoError(t, Serve(strings.NewReader(in), &out, &log))
	assert.Equal(t, `{"id":1,"success":false,"error":"internal error: boom (this is a bug in nabla; please report it with the message)"}`+"\n"+
		`{"id":2,"success":true}`+"\n", out.String())
}
