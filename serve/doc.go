// Package serve is nabla's playground: a web page that draws a function of
// one or two variables and the path of an optimizer over it, redrawn as
// sliders move, and the HTTP handlers behind it.
//
// For a function of two variables the page shows a contour map with the
// gradient field and the path, the surface in 3-D with the same path on
// it, and at the start point the value, the gradient and the derivative
// along a direction u(θ), with arrows for ∇f and u. For a function of one
// variable it shows f, f′, the tangent at the start point and the path on
// the curve. Every number comes from nabla itself: exact derivatives of a
// compiled expression (package expr) and the optimizers of package optim,
// run as the nabla command runs them.
//
// A Server answers:
//
//	GET  /             the page
//	GET  /static/…     its script, style sheet and plotly.js, embedded in the binary
//	GET  /api/config   the presets, the methods and the limits
//	POST /api/view     a Request in, a View out: everything one redraw shows
//
// docs/playground.md in the nabla repository documents the JSON API.
//
// A Server takes only bounded work: at most MaxGrid samples per axis,
// MaxIters iterations, MaxExprLen bytes of expression and MaxBodyLen bytes
// of request, and Options.Timeout of computing per request. Every error is
// answered as JSON, {"error": "…"}, with status 400 for bad input; an error
// in an expression is the message the nabla command prints, with the
// caret under the fault. A Server reads and writes no files, and its
// Content-Security-Policy lets the page load nothing from another host. It
// is safe for concurrent use: every request compiles its own function.
package serve

// The screenshot of the page in docs/img is taken by running go generate
// in this directory, with Chromium installed.
//go:generate go test -run TestBrowser -screenshot ../docs/img/playground.png
