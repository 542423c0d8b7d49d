package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/serve"
)

// TestServe runs nabla serve on a free port of the loopback address, asks
// its page and its API, and stops it as an interrupt does.
func TestServe(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	out, w := io.Pipe()
	root := newRootCmd()
	root.SetArgs([]string{"serve", "--addr", "127.0.0.1:0", "-e", "x^3 - x"})
	root.SetOut(w)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	url, ok := strings.CutPrefix(line, "the playground is at ")
	require.True(t, ok, line)
	url, _, _ = strings.Cut(url, " ")
	assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)

	resp, err := http.Get(url)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(page), "nabla playground")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
	resp, err = http.Get(url + "api/config")
	require.NoError(t, err)
	var config struct{ Initial serve.Request }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&config))
	resp.Body.Close()
	assert.Equal(t, "x^3 - x", config.Initial.Expr)

	stop()
	require.NoError(t, <-done)
	go io.Copy(io.Discard, out) // the pipe's writer may still be flushing
}

// nablaJSON runs the nabla command with --json and decodes what it prints.
func nablaJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(append(args, "--json"), nil, &stdout, &stderr), stderr.String())
	var v map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &v))
	return v
}

// TestPlaygroundMatchesCommands checks that the playground's numbers are
// the nabla command's: for the same input its grad, jvp and optimize are
// what nabla grad, nabla jvp --dir u and nabla optimize --trace print.
func TestPlaygroundMatchesCommands(t *testing.T) {
	s, err := serve.New(serve.Options{})
	require.NoError(t, err)
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range []serve.Request{
		serve.Presets[0].Request, // the seed example
		{Expr: "-(x^2 + y^2) + 4", Start: [2]float64{1, 1}, Method: "gd", LR: 0.1, Iters: 10, Maximize: true, Theta: 30},
		{Expr: "100*(y - x^2)^2 + (1 - x)^2", Start: [2]float64{-1.5, 2}, Method: "lbfgs", LR: 0.01, Iters: 100, Theta: 200},
		{Expr: "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2", Start: [2]float64{1, 1}, Method: "adam", LR: 0.1, Iters: 50, Theta: 91},
		{Expr: "x^2 - y^2", Start: [2]float64{1.5, 0.1}, Method: "newton-cg", LR: 0.1, Iters: 15},
		{Expr: "x^4 - 3*x^2 + x", X: [2]float64{-2.5, 2.5}, Start: [2]float64{2, 0}, Method: "momentum", LR: 0.02, Iters: 30},
	} {
		t.Run(r.Expr, func(t *testing.T) {
			r.Grid, r.Arrows = 3, 2
			body, err := json.Marshal(r)
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/view", bytes.NewReader(body)))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var v struct {
				Vars                []string
				Grad, JVP, Optimize map[string]any
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))

			at := "x=" + num(r.Start[0])
			if len(v.Vars) == 2 {
				at += ",y=" + num(r.Start[1])
			}
			grad := nablaJSON(t, "grad", "-e", r.Expr, "--at", at)
			assert.Equal(t, grad["value"], v.Grad["value"])
			assert.Equal(t, grad["gradient"], v.Grad["gradient"])

			if len(v.Vars) == 2 {
				u := v.JVP["direction"].(map[string]any)
				dir := fmt.Sprintf("x=%s,y=%s", num(u["x"].(float64)), num(u["y"].(float64)))
				jvp := nablaJSON(t, "jvp", "-e", r.Expr, "--at", at, "--dir", dir)
				delete(v.JVP, "direction")
				assert.Equal(t, jvp, v.JVP)
				theta := r.Theta * math.Pi / 180
				assert.InDelta(t, math.Cos(theta), u["x"], 1e-15)
				assert.InDelta(t, math.Sin(theta), u["y"], 1e-15)
			}

			args := []string{"optimize", "-e", r.Expr, "--at", at, "--method", r.Method, "--lr", num(r.LR), "--iters", strconv.Itoa(r.Iters), "--trace"}
			if r.Maximize {
				args = append(args, "--maximize")
			}
			opt := nablaJSON(t, args...)
			delete(opt, "time_seconds")
			delete(v.Optimize, "method")
			assert.Equal(t, opt, v.Optimize)
		})
	}
}
