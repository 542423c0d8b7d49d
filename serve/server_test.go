package serve

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/optim"
)

func newServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	require.NoError(t, err)
	return s
}

// post sends body to /api/view and returns the status and the decoded
// answer.
func post(t testing.TB, h http.Handler, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/view", strings.NewReader(body)))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

// view posts a request and decodes the View.
func view(t testing.TB, h http.Handler, r Request) View {
	t.Helper()
	body, err := json.Marshal(r)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/view", bytes.NewReader(body)))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var v View
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
	return v
}

// The seed example: x² + y² from (8, 8) with η = 0.1. Each step of
// gradient descent scales the point by 1 − 2η = 0.8.
func TestViewParaboloid(t *testing.T) {
	v := view(t, newServer(t, Options{}), Presets[0].Request)
	assert.Equal(t, []string{"x", "y"}, v.Vars)
	assert.Equal(t, Grad{Value: 128, Gradient: point{"x": 16, "y": 16}, Norm: number(math.Sqrt(512))}, v.Grad)
	assert.Equal(t, &JVP{Direction: point{"x": 1, "y": 0}, Value: 128, JVP: 16, DirectionalDerivative: 16}, v.JVP)

	o := v.Optimize
	assert.Equal(t, "gd", o.Method)
	assert.Equal(t, "iteration-limit", o.Status)
	assert.Equal(t, 20, o.Iterations)
	assert.Equal(t, 21, o.Evaluations)
	assert.Equal(t, 21, o.GradientEvaluations)
	require.Len(t, o.Trajectory, 21)
	x := 8.0
	for k, st := range o.Trajectory {
		assert.Equal(t, k, st.Iteration)
		assert.Equal(t, point{"x": number(x), "y": number(x)}, st.X, "step %d", k)
		assert.Equal(t, number(2*x*x), st.F, "step %d", k)
		x -= 0.1 * 2 * x
	}
	assert.Equal(t, o.Trajectory[20].X, o.X)
	assert.InDelta(t, 128*math.Pow(0.64, 20), float64(o.F), 1e-15)

	// The surface: 60 × 60 values of x² + y² over [−10, 10]², exact at
	// the grid's corners and centre lines.
	s := v.Surface
	require.Len(t, s.X, 60)
	require.Len(t, s.Z, 60)
	assert.Equal(t, []float64{-10, 10}, []float64{s.X[0], s.X[59]})
	for j, row := range s.Z {
		require.Len(t, row, 60)
		for i, z := range row {
			require.Equal(t, s.X[i]*s.X[i]+s.Y[j]*s.Y[j], z)
		}
	}
	assert.Equal(t, "linear", s.Scale)
	assert.Zero(t, s.NonFinite)
	// The gradient field, 2(x, y) at the centres of 15 × 15 cells.
	f := v.Field
	require.Len(t, f.U, 15*15)
	assert.Equal(t, -10+20.0/30, f.X[0])
	for k := range f.U {
		assert.Equal(t, 2*f.X[k%15], f.U[k])
		assert.Equal(t, 2*f.Y[k/15], f.V[k])
	}
	assert.Nil(t, v.Curve)
}

func TestViewOneVariable(t *testing.T) {
	// x³ − 3x: f′ = 3x² − 3; one step of gd from 2 with η = 0.1 goes to
	// 2 − 0.1·9 = 1.1.
	v := view(t, newServer(t, Options{}), Request{Expr: "x^3 - 3*x", X: [2]float64{-2, 2}, Start: [2]float64{2, 99}, Grid: 5, LR: 0.1, Iters: 1})
	assert.Equal(t, []string{"x"}, v.Vars)
	assert.Equal(t, Grad{Value: 2, Gradient: point{"x": 9}, Norm: 9}, v.Grad)
	assert.Nil(t, v.JVP)
	assert.Nil(t, v.Surface)
	assert.Equal(t, number(2-0.1*9), v.Optimize.X["x"])
	c := v.Curve
	require.Len(t, c.X, 50)
	for k, x := range c.X {
		assert.InDelta(t, x*x*x-3*x, c.F[k], 1e-14)
		assert.InDelta(t, 3*x*x-3, c.DF[k], 1e-14)
	}
}

// The directional derivative is ∇f·u(θ), exact where u is: along the
// axes and the diagonal of x² + 3y² at (1, 1), where ∇f = (2, 6).
func TestViewDirection(t *testing.T) {
	s := newServer(t, Options{})
	for _, tt := range []struct {
		theta float64
		u     point
		d     number
	}{
		{0, point{"x": 1, "y": 0}, 2},
		{90, point{"x": 0, "y": 1}, 6},
		{180, point{"x": -1, "y": 0}, -2},
		{-90, point{"x": 0, "y": -1}, -6},
		{450, point{"x": 0, "y": 1}, 6},
		{45, point{"x": number(math.Cos(math.Pi / 4)), "y": number(math.Sin(math.Pi / 4))}, number(8 * math.Sin(math.Pi/4))},
	} {
		v := view(t, s, Request{Expr: "x^2 + 3*y^2", Start: [2]float64{1, 1}, Theta: tt.theta, Grid: 2, Arrows: 2, Iters: 1})
		assert.Equal(t, tt.u, v.JVP.Direction, "θ = %v", tt.theta)
		assert.InDelta(t, float64(tt.d), float64(v.JVP.DirectionalDerivative), 1e-15, "θ = %v", tt.theta)
	}
}

// Variables are taken in name order, whatever the expression mentions
// first; the other variables' bindings and warnings come through.
func TestViewNameOrder(t *testing.T) {
	v := view(t, newServer(t, Options{}), Request{Expr: "k = 3; b^2 + a", Start: [2]float64{1, 2}, Grid: 2, Arrows: 2, Iters: 1})
	assert.Equal(t, []string{"a", "b"}, v.Vars)
	assert.Equal(t, Grad{Value: 5, Gradient: point{"a": 1, "b": 4}, Norm: number(math.Sqrt(17))}, v.Grad)
	require.Len(t, v.Warnings, 1)
	assert.Contains(t, v.Warnings[0], "k")
}

// Every method of package optim runs, on the paraboloid and on
// Rosenbrock's function, and every run is recorded step by step.
func TestViewMethods(t *testing.T) {
	s := newServer(t, Options{})
	for _, p := range []Preset{Presets[0], Presets[2]} {
		for _, m := range optim.MethodNames() {
			t.Run(p.Name+"/"+m, func(t *testing.T) {
				r := p.Request
				r.Method, r.Grid, r.Arrows = m, 2, 2
				if p.Name == "Rosenbrock" {
					r.LR = 0.0002
				}
				v := view(t, s, r)
				o := v.Optimize
				assert.Equal(t, m, o.Method)
				require.Len(t, o.Trajectory, o.Iterations+1)
				assert.Less(t, float64(o.F), float64(v.Grad.Value), "the method made progress")
				assert.NotEmpty(t, o.Message)
			})
		}
	}
}

// Every preset draws, and its optimizer moves from the start the way it
// should: down, or up when maximizing.
func TestPresets(t *testing.T) {
	s := newServer(t, Options{})
	for _, p := range Presets {
		t.Run(p.Name, func(t *testing.T) {
			v := view(t, s, p.Request)
			f0, f := float64(v.Grad.Value), float64(v.Optimize.F)
			if p.Maximize {
				assert.Greater(t, f, f0)
			} else {
				assert.Less(t, f, f0)
			}
			if len(v.Vars) == 1 {
				assert.NotNil(t, v.Curve)
			} else {
				assert.Len(t, v.Surface.Z, defaultGrid)
			}
		})
	}
	// The presets run where their methods converge.
	rb := view(t, s, Presets[2].Request)
	assert.Equal(t, "gradient-tolerance", rb.Optimize.Status)
	assert.InDelta(t, 1, float64(rb.Optimize.X["x"]), 1e-6)
	assert.Equal(t, "log", rb.Surface.Scale, "Rosenbrock's values crowd the valley")
}

func TestViewErrors(t *testing.T) {
	s := newServer(t, Options{Timeout: time.Minute})
	long := `{"expr": "x + ` + strings.Repeat(" ", MaxExprLen) + `"}`
	tests := []struct {
		name, body, err string
	}{
		{"caret", `{"expr": "x + sinn(y)"}`, "1:5: unknown function \"sinn\" (did you mean \"sin\"?)\n  x + sinn(y)\n      ^"},
		{"three variables", `{"expr": "x + y + z"}`, "the playground draws functions of one or two variables; this one has 3"},
		{"no variable", `{"expr": "2 + 3"}`, "this one has 0"},
		{"vector", `{"expr": "x[0] + y"}`, "1:2: cannot index a scalar"},
		{"long", long, fmt.Sprintf("more than the %d the playground takes", MaxExprLen)},
		{"grid", `{"expr": "x", "grid": 201}`, "grid 201: want 2 to 200"},
		{"arrows", `{"expr": "x", "arrows": 1}`, "arrows 1: want 2 to 200"},
		{"iters", `{"expr": "x", "iters": 10001}`, "iters 10001: want 1 to 10000"},
		{"negative iters", `{"expr": "x", "iters": -1}`, "iters -1: want 1 to 10000"},
		{"box", `{"expr": "x", "x": [3, -3]}`, "x: interval 3:-3 is empty"},
		{"big number", `{"expr": "x", "start": [1e999, 0]}`, "not a view request"},
		{"method", `{"expr": "x", "method": "sgd"}`, `optim: unknown method "sgd"`},
		{"learning rate", `{"expr": "x", "lr": -1}`, "gd: "},
		{"unknown field", `{"expr": "x", "resolution": 3}`, `unknown field "resolution"`},
		{"not JSON", `expr=x`, "not a view request"},
		{"two objects", `{"expr": "x"} {}`, "not a view request"},
		{"too large", `{"expr": "` + strings.Repeat("x", MaxBodyLen) + `"}`, fmt.Sprintf("larger than %d bytes", MaxBodyLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := post(t, s, tt.body)
			assert.Equal(t, http.StatusBadRequest, code)
			assert.Equal(t, []string{"error"}, slices.Collect(maps.Keys(out)), "only the error")
			assert.Contains(t, out["error"], tt.err)
		})
	}
}

// A request that runs over its time is answered with an error, not
// left to run.
func TestViewTimeout(t *testing.T) {
	s := newServer(t, Options{Timeout: time.Nanosecond})
	code, out := post(t, s, `{"expr": "x^2 + y^2"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "the drawing took longer than the limit of 1ns: ask for a smaller grid or fewer iterations", out["error"])
}

// Concurrent requests get their own answers: 50 at once, each with its own
// function and start, equal to the answers of the same requests one by
// one.
func TestViewConcurrent(t *testing.T) {
	s := newServer(t, Options{})
	const n = 50
	reqs := make([]Request, n)
	want := make([]View, n)
	for i := range reqs {
		reqs[i] = Request{
			Expr:   fmt.Sprintf("(x - %d)^2 + %d*y^2", i, i+1),
			Start:  [2]float64{float64(i) / 10, 1},
			Method: optim.MethodNames()[i%len(optim.MethodNames())],
			Grid:   20, Arrows: 5, Iters: 10,
		}
		want[i] = view(t, s, reqs[i])
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	got := make([]View, n)
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() {
			body, _ := json.Marshal(reqs[i])
			resp, err := http.Post(srv.URL+"/api/view", "application/json", bytes.NewReader(body))
			if !assert.NoError(t, err) {
				return
			}
			defer resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.NoError(t, json.NewDecoder(resp.Body).Decode(&got[i]))
		})
	}
	wg.Wait()
	for i := range want {
		assert.Equal(t, want[i], got[i], "request %d", i)
	}
}

func TestRoutes(t *testing.T) {
	s := newServer(t, Options{})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	for _, tt := range []struct {
		path, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", `<script src="/static/app.js" defer></script>`},
		{"/static/app.js", "text/javascript; charset=utf-8", "/api/view"},
		{"/static/style.css", "text/css; charset=utf-8", "#controls"},
		{"/static/vendor/plotly-strict.min.js", "text/javascript; charset=utf-8", "plotly.js (strict - minified) v4.1.1"},
	} {
		rec := get(tt.path)
		require.Equal(t, http.StatusOK, rec.Code, tt.path)
		assert.Equal(t, tt.contentType, rec.Header().Get("Content-Type"), tt.path)
		assert.Contains(t, rec.Body.String(), tt.contains, tt.path)
		csp := rec.Header().Get("Content-Security-Policy")
		assert.Contains(t, csp, "default-src 'none'", tt.path)
		assert.Contains(t, csp, "script-src 'self';", tt.path)
		assert.NotContains(t, csp, "http", "no other host")
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	}
	// The embedded files are the page's only; nothing else of the
	// package, and no file of the machine, is served.
	for _, path := range []string{"/static/vendor/fetch.sh", "/static/vendor/README.md", "/server.go", "/static/../server.go", "/static/%2e%2e/server.go", "/etc/passwd", "/index.html"} {
		rec := get(path)
		assert.Contains(t, []int{http.StatusNotFound, http.StatusMovedPermanently, http.StatusTemporaryRedirect}, rec.Code, path)
		assert.NotContains(t, rec.Body.String(), "package serve", path)
	}
	// The API answers in JSON, also when asked wrongly.
	for _, tt := range []struct {
		method, path string
		code         int
		err          string
	}{
		{http.MethodGet, "/api/view", http.StatusMethodNotAllowed, "/api/view takes POST, not GET"},
		{http.MethodDelete, "/api/config", http.StatusMethodNotAllowed, "/api/config takes GET or HEAD, not DELETE"},
		{http.MethodGet, "/api/nothing", http.StatusNotFound, "/api/nothing is not part of the API"},
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		assert.Equal(t, tt.code, rec.Code, tt.path)
		assert.JSONEq(t, fmt.Sprintf(`{"error": %q}`, tt.err+map[bool]string{true: ": see /api/config and /api/view"}[tt.code == http.StatusNotFound]), rec.Body.String())
	}
}

// The page loads nothing from another host: every script and style sheet
// it names is its own.
func TestPageIsSelfContained(t *testing.T) {
	for _, name := range []string{"static/index.html", "static/app.js", "static/style.css"} {
		b, err := files.ReadFile(name)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "http://", name)
		assert.NotContains(t, string(b), "https://", name)
		assert.NotContains(t, string(b), "//cdn", name)
	}
}

func TestConfig(t *testing.T) {
	rec := httptest.NewRecorder()
	newServer(t, Options{Expr: "x^3"}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/config", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var c struct {
		Initial Request
		Presets []Preset
		Methods []string
		Limits  map[string]int
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &c))
	assert.Equal(t, "x^3", c.Initial.Expr)
	assert.Equal(t, Presets[0].Start, c.Initial.Start)
	assert.Equal(t, Presets, c.Presets)
	assert.Equal(t, optim.MethodNames(), c.Methods)
	assert.Equal(t, map[string]int{"grid": MaxGrid, "iters": MaxIters, "expr": MaxExprLen, "body": MaxBodyLen}, c.Limits)

	_, err := New(Options{Expr: "x + sinn(y)"})
	assert.EqualError(t, err, "1:5: unknown function \"sinn\" (did you mean \"sin\"?)\n  x + sinn(y)\n      ^")
}

// The vendored plotly.js is the file its README records.
func TestVendoredChecksum(t *testing.T) {
	readme, err := os.Open("static/vendor/README.md")
	require.NoError(t, err)
	defer readme.Close()
	var recorded string
	sc := bufio.NewScanner(readme)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); len(line) == 64 && strings.Trim(line, "0123456789abcdef") == "" {
			recorded = line
		}
	}
	require.NotEmpty(t, recorded, "README.md records no SHA-256")
	f, err := files.Open("static/vendor/plotly-strict.min.js")
	require.NoError(t, err)
	defer f.Close()
	h := sha256.New()
	_, err = io.Copy(h, f)
	require.NoError(t, err)
	assert.Equal(t, recorded, hex.EncodeToString(h.Sum(nil)))
}

// The JSON numbers: shortest round-trip forms as encoding/json writes
// them, and null for what is not finite.
func TestNumbers(t *testing.T) {
	vals := []float64{0, 1, -2.5, 1e-7, 123456789e20, 1e21, 0.1 + 0.2, math.SmallestNonzeroFloat64, -math.MaxFloat64}
	want, err := json.Marshal(vals)
	require.NoError(t, err)
	got, err := json.Marshal(numbers(vals))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	got, err = json.Marshal([]number{number(math.NaN()), number(math.Inf(-1)), 3})
	require.NoError(t, err)
	assert.Equal(t, "[null,null,3]", string(got))
}

// BenchmarkView measures the server's part of one redraw of the page for
// a 60 × 60 grid and 50 iterations of gradient descent on Rosenbrock's
// function: compiling, sampling the surface and the field, running the
// optimizer and writing the JSON.
func BenchmarkView(b *testing.B) {
	s := newServer(b, Options{})
	r := Presets[2].Request
	r.Method, r.LR, r.Iters, r.Grid = "gd", 0.0002, 50, 60
	body, err := json.Marshal(r)
	require.NoError(b, err)
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/view", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Body.String())
		}
	}
}

// The example of docs/playground.md is what the API answers.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/playground.md")
	require.NoError(t, err)
	var blocks []string
	for _, part := range strings.Split(string(doc), "```json\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		require.True(t, ok)
		blocks = append(blocks, block)
	}
	require.Len(t, blocks, 3, "the request, its answer and an error")
	s := newServer(t, Options{})
	for _, ex := range [][2]string{{blocks[0], blocks[1]}, {`{"expr": "x + sinn(y)"}`, blocks[2]}} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/view", strings.NewReader(ex[0])))
		assert.JSONEq(t, ex[1], rec.Body.String())
	}
}
