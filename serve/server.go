package serve

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/nabla-ad/nabla/optim"
)

// The limits of the work one request may ask for.
const (
	MaxGrid    = 200      // samples per axis of the surface, and arrows per axis
	MaxIters   = 10000    // iterations of the optimizer
	MaxExprLen = 64 << 10 // bytes of expression
	MaxBodyLen = 1 << 20  // bytes of request body
)

// DefaultTimeout bounds the computing time of one request when
// Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// csp lets the page load its own scripts and styles and talk to its own
// server, and nothing else: no other host, no inline script, no eval, no
// framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed static/index.html static/app.js static/style.css static/vendor/plotly-strict.min.js
var files embed.FS

// Options configure a Server.
type Options struct {
	// Expr is the expression the page opens with; empty for the first
	// preset's.
	Expr string
	// Timeout bounds the computing time of one request; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// A Server is the playground: an http.Handler for the page and its API.
type Server struct {
	initial Request
	timeout time.Duration
	mux     *http.ServeMux
}

// New returns a Server. It returns the expression's error, with a caret
// under the fault, when opts.Expr cannot be drawn.
func New(opts Options) (*Server, error) {
	s := &Server{initial: Presets[0].Request, timeout: opts.Timeout, mux: http.NewServeMux()}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if opts.Expr != "" {
		if _, _, err := compile(opts.Expr); err != nil {
			return nil, err
		}
		s.initial.Expr = opts.Expr
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("GET /{$}", serveFile(static, "index.html"))
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /api/config", s.config)
	s.mux.HandleFunc("POST /api/view", s.view)
	s.mux.HandleFunc("/api/", apiNotFound)
	return s, nil
}

// serveFile serves one file of fsys.
func serveFile(fsys fs.FS, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, fsys, name)
	})
}

// ServeHTTP answers a request, with the security headers on every answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	defer func() {
		// Every error is returned, not panicked; this is the last resort
		// that keeps a Go trace from reaching the page.
		if v := recover(); v != nil {
			writeError(w, http.StatusInternalServerError, fmt.Errorf("internal error: %v (this is a bug in nabla; please report it with the request)", v))
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// A Preset is an example the page offers: a function, with the box, the
// start point and the optimizer that show it best.
type Preset struct {
	Name string `json:"name"`
	Request
}

// Presets are the page's examples, the first of which it opens with: the
// paraboloid, gradient descent from (8, 8) with η = 0.1.
var Presets = []Preset{
	{"paraboloid", Request{Expr: "x^2 + y^2", X: [2]float64{-10, 10}, Y: [2]float64{-10, 10}, Start: [2]float64{8, 8}, Method: "gd", LR: 0.1, Iters: 20}},
	{"ascent", Request{Expr: "-(x^2 + y^2) + 4", X: [2]float64{-2, 2}, Y: [2]float64{-2, 2}, Start: [2]float64{1, 1}, Method: "gd", LR: 0.1, Iters: 10, Maximize: true}},
	{"Rosenbrock", Request{Expr: "100*(y - x^2)^2 + (1 - x)^2", X: [2]float64{-2, 2}, Y: [2]float64{-1, 3}, Start: [2]float64{-1.5, 2}, Method: "lbfgs", LR: 0.1, Iters: 50}},
	{"Himmelblau", Request{Expr: "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", X: [2]float64{-5, 5}, Y: [2]float64{-5, 5}, Start: [2]float64{0, 0}, Method: "gd", LR: 0.01, Iters: 50}},
	{"Beale", Request{Expr: "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2", X: [2]float64{-4.5, 4.5}, Y: [2]float64{-4.5, 4.5}, Start: [2]float64{1, 1}, Method: "adam", LR: 0.1, Iters: 50}},
	{"saddle", Request{Expr: "x^2 - y^2", X: [2]float64{-2, 2}, Y: [2]float64{-2, 2}, Start: [2]float64{1.5, 0.1}, Method: "gd", LR: 0.1, Iters: 15}},
	{"double well (one variable)", Request{Expr: "x^4 - 3*x^2 + x", X: [2]float64{-2.5, 2.5}, Start: [2]float64{2, 0}, Method: "gd", LR: 0.02, Iters: 30}},
}

// config answers GET /api/config: what the page offers.
func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Initial Request  `json:"initial"`
		Presets []Preset `json:"presets"`
		Methods []string `json:"methods"`
		Limits  any      `json:"limits"`
	}{s.initial, Presets, optim.MethodNames(), map[string]int{
		"grid": MaxGrid, "iters": MaxIters, "expr": MaxExprLen, "body": MaxBodyLen,
	}})
}

// view answers POST /api/view.
func (s *Server) view(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyLen)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req Request
	err := dec.Decode(&req)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			err = fmt.Errorf("the request is larger than %d bytes", MaxBodyLen)
		}
		writeError(w, http.StatusBadRequest, fmt.Errorf("the request is not a view request: %v", err))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	v, err := compute(ctx, req)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("the drawing took longer than the limit of %v: ask for a smaller grid or fewer iterations", s.timeout)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// apiNotFound answers the paths under /api/ that are not the API's, and
// the API's paths asked with the wrong method.
func apiNotFound(w http.ResponseWriter, r *http.Request) {
	allow := map[string]string{"/api/config": "GET, HEAD", "/api/view": "POST"}[r.URL.Path]
	if allow != "" {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, fmt.Errorf("%s takes %s, not %s", r.URL.Path, strings.ReplaceAll(allow, ", ", " or "), r.Method))
		return
	}
	writeError(w, http.StatusNotFound, fmt.Errorf("%s is not part of the API: see /api/config and /api/view", r.URL.Path))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeError answers {"error": message}.
func writeError(w http.ResponseWriter, status int, err error) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
