package serve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
	"github.com/nabla-ad/nabla/optim"
	"github.com/nabla-ad/nabla/viz"
)

// A Request asks for one redraw of the page: POST /api/view. A zero field
// means its default.
type Request struct {
	// Expr is the function, in nabla's expression language, of one or two
	// scalar variables. Its variables are taken in name order: the first
	// is drawn across, the second up.
	Expr string `json:"expr"`
	// X and Y are the ranges of the first and second variable drawn;
	// [−10, 10] by default. A function of one variable ignores Y.
	X [2]float64 `json:"x"`
	Y [2]float64 `json:"y"`
	// Start is the starting point of the optimizer, where the readouts
	// are taken; a function of one variable takes Start[0].
	Start [2]float64 `json:"start"`
	// Grid is the number of samples per axis of the surface, 2 to
	// MaxGrid (60 by default); a curve has ten times as many.
	Grid int `json:"grid,omitzero"`
	// Arrows is the number of arrows per axis of the gradient field, 2 to
	// MaxGrid (15 by default).
	Arrows int `json:"arrows,omitzero"`
	// Method is the optimizer, by the name nabla optimize --method takes
	// ("gd" by default); LR is its learning rate, as --lr (zero for the
	// method's default); Iters its limit of iterations, 1 to MaxIters (20
	// by default); Maximize climbs instead.
	Method   string  `json:"method,omitzero"`
	LR       float64 `json:"lr,omitzero"`
	Iters    int     `json:"iters,omitzero"`
	Maximize bool    `json:"maximize,omitzero"`
	// Theta is the angle of the direction u = (cos θ, sin θ) of the
	// directional derivative at the start, in degrees from the first
	// axis.
	Theta float64 `json:"theta,omitzero"`
}

// The defaults of a Request's zero fields.
const (
	defaultGrid   = 60
	defaultArrows = 15
	defaultIters  = 20
	defaultMethod = "gd"
)

var defaultBox = [2]float64{-10, 10}

// A View is everything one redraw of the page shows. Grad, JVP and
// Optimize are the objects nabla grad, nabla jvp and nabla optimize
// --trace print with --json for the same input; numbers that are not
// finite are null.
type View struct {
	// Vars names the variables, in the order of the axes and of the
	// Request's Start.
	Vars []string `json:"vars"`
	// Warnings are the expression's warnings, such as an unused binding.
	Warnings []string `json:"warnings,omitempty"`
	Grad     Grad     `json:"grad"`
	// JVP is the derivative along u(θ); only for two variables.
	JVP      *JVP     `json:"jvp,omitempty"`
	Optimize Optimize `json:"optimize"`
	// Surface and Field are drawn for two variables, Curve for one.
	Surface *Surface `json:"surface,omitempty"`
	Field   *Field   `json:"field,omitempty"`
	Curve   *Curve   `json:"curve,omitempty"`
}

// Grad is the value and the gradient at the start, as nabla grad --json
// prints them, with the gradient's norm ‖∇f‖.
type Grad struct {
	Value    number `json:"value"`
	Gradient point  `json:"gradient"`
	Norm     number `json:"gradient_norm"`
	// NonFinite explains a value or gradient that is not finite: the
	// subexpression that first went NaN or infinite.
	NonFinite string `json:"nonfinite,omitempty"`
}

// JVP is the derivative at the start along the unit direction u(θ), as
// nabla jvp --dir prints it with --json.
type JVP struct {
	Direction             point  `json:"direction"`
	Value                 number `json:"value"`
	JVP                   number `json:"jvp"`
	DirectionalDerivative number `json:"directional_derivative"`
}

// Optimize is the run of the optimizer from the start, as nabla optimize
// --trace prints it with --json (without the wall time).
type Optimize struct {
	Method              string `json:"method"`
	X                   point  `json:"x"`
	F                   number `json:"f"`
	GradNorm            number `json:"gradient_norm"`
	Status              string `json:"status"`
	Message             string `json:"message"`
	Iterations          int    `json:"iterations"`
	Evaluations         int    `json:"evaluations"`
	GradientEvaluations int    `json:"gradient_evaluations"`
	Trajectory          []Step `json:"trajectory"`
}

// A Step is one iterate of the optimizer; the start is iteration 0.
type Step struct {
	Iteration int    `json:"iteration"`
	X         point  `json:"x"`
	F         number `json:"f"`
	GradNorm  number `json:"gradient_norm"`
}

// Surface is f sampled on the grid X × Y: Z[j][i] = f(X[i], Y[j]), null
// where f is not finite. Scale is the spacing of contour levels that suits
// the values, "linear" or "log" (as nabla plot's --scale auto chooses).
type Surface struct {
	X         numbers   `json:"x"`
	Y         numbers   `json:"y"`
	Z         []numbers `json:"z"`
	NonFinite int       `json:"non_finite"`
	Scale     string    `json:"scale"`
}

// Field is the gradient ∇f = (U, V) at the centres of a grid of cells
// tiling the box: U[j·len(X)+i] and V[…] at (X[i], Y[j]).
type Field struct {
	X numbers `json:"x"`
	Y numbers `json:"y"`
	U numbers `json:"u"`
	V numbers `json:"v"`
}

// Curve is a function of one variable and its derivative, F and DF at X.
type Curve struct {
	X         numbers `json:"x"`
	F         numbers `json:"f"`
	DF        numbers `json:"df"`
	NonFinite int     `json:"non_finite"`
}

// compile compiles an expression the page can draw: of one or two scalar
// variables, which it takes in name order.
func compile(src string) (*expr.Func, []string, error) {
	if len(src) > MaxExprLen {
		return nil, nil, fmt.Errorf("the expression is %d bytes long, more than the %d the playground takes", len(src), MaxExprLen)
	}
	f, err := expr.Compile(src, nil)
	if err != nil {
		return nil, nil, err
	}
	names := f.Names()
	if n := len(names); n < 1 || n > 2 {
		return nil, nil, fmt.Errorf("the playground draws functions of one or two variables; this one has %d", n)
	}
	if slices.IsSorted(names) {
		return f, names, nil
	}
	slices.Sort(names)
	f, err = expr.Compile(src, &expr.Options{Vars: names})
	return f, names, err
}

// check fills in the defaults of r and checks its fields.
func (r *Request) check() error {
	if r.X == [2]float64{} {
		r.X = defaultBox
	}
	if r.Y == [2]float64{} {
		r.Y = defaultBox
	}
	if r.Grid == 0 {
		r.Grid = defaultGrid
	}
	if r.Arrows == 0 {
		r.Arrows = defaultArrows
	}
	if r.Iters == 0 {
		r.Iters = defaultIters
	}
	if r.Method == "" {
		r.Method = defaultMethod
	}
	for _, b := range []struct {
		name string
		iv   [2]float64
	}{{"x", r.X}, {"y", r.Y}} {
		if err := (viz.Interval{Min: b.iv[0], Max: b.iv[1]}).Check(); err != nil {
			return fmt.Errorf("%s: %v", b.name, err)
		}
	}
	for _, c := range []struct {
		name      string
		n, lo, hi int
	}{{"grid", r.Grid, 2, MaxGrid}, {"arrows", r.Arrows, 2, MaxGrid}, {"iters", r.Iters, 1, MaxIters}} {
		if c.n < c.lo || c.n > c.hi {
			return fmt.Errorf("%s %d: want %d to %d", c.name, c.n, c.lo, c.hi)
		}
	}
	for _, v := range []struct {
		name string
		x    float64
	}{{"start", r.Start[0]}, {"start", r.Start[1]}, {"lr", r.LR}, {"theta", r.Theta}} {
		if math.IsNaN(v.x) || math.IsInf(v.x, 0) {
			return fmt.Errorf("%s %v: want a finite number", v.name, v.x)
		}
	}
	return nil
}

// compute draws the view a request asks for, or returns why it cannot.
func compute(ctx context.Context, r Request) (*View, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	f, names, err := compile(r.Expr)
	if err != nil {
		return nil, err
	}
	v := &View{Vars: names}
	for _, w := range f.Warnings() {
		v.Warnings = append(v.Warnings, w.Error())
	}
	x0 := r.Start[:len(names)]
	if v.Grad, err = gradAt(f, names, x0); err != nil {
		return nil, err
	}
	res, err := optimize(ctx, f, x0, r.Method, r.LR, r.Iters, r.Maximize)
	if err != nil {
		return nil, err
	}
	v.Optimize = optimizeView(names, res)

	// Sampling stops at the time limit: the sampled function fails then.
	g := bounded{ctx, f}
	if len(names) == 1 {
		c, err := viz.SampleCurve(g, []float64{0}, []float64{1}, viz.Interval{Min: r.X[0], Max: r.X[1]}, 10*r.Grid)
		if err != nil {
			return nil, err
		}
		v.Curve = &Curve{X: c.Ts, F: c.Values, DF: c.Derivs, NonFinite: c.NonFinite}
		return v, nil
	}
	u := direction(r.Theta)
	val, jvp, err := f.JVP(x0, u)
	if err != nil && !ad.IsNonFinite(err) {
		return nil, err
	}
	v.JVP = &JVP{Direction: pointOf(names, u), Value: number(val), JVP: number(jvp), DirectionalDerivative: number(jvp / norm(u))}

	plane, err := viz.CoordinatePlane([]float64{0, 0}, 0, 1)
	if err != nil {
		return nil, err
	}
	xr, yr := viz.Interval{Min: r.X[0], Max: r.X[1]}, viz.Interval{Min: r.Y[0], Max: r.Y[1]}
	s, err := viz.Sample(g, plane, xr, yr, r.Grid, r.Grid)
	if err != nil {
		return nil, err
	}
	v.Surface = &Surface{X: s.Xs, Y: s.Ys, NonFinite: s.NonFinite, Scale: viz.LinearScale.String()}
	for j := range s.Ys {
		v.Surface.Z = append(v.Surface.Z, s.Values[j*len(s.Xs):(j+1)*len(s.Xs)])
	}
	if _, scale, err := viz.Levels(s, viz.DefaultLevels, viz.AutoScale); err == nil {
		// A constant or nowhere finite function has no levels, and is
		// drawn linear.
		v.Surface.Scale = scale.String()
	}
	field, err := viz.SampleGradient(g, plane, xr, yr, r.Arrows, r.Arrows)
	if err != nil {
		return nil, err
	}
	v.Field = &Field{X: field.Xs, Y: field.Ys, U: field.U, V: field.V}
	return v, nil
}

// optimize runs the method called name from x0 with learning rate lr for
// at most iters iterations, upwards when maximize is set, with the
// settings nabla optimize uses and the trajectory traced.
func optimize(ctx context.Context, f optim.Function, x0 []float64, name string, lr float64, iters int, maximize bool) (optim.Result, error) {
	m, err := optim.NewMethod(name, optim.Params{LR: lr})
	if err != nil {
		return optim.Result{}, err
	}
	s := optim.DefaultSettings()
	s.MaxIter, s.Trace = iters, true
	run := optim.Minimize
	if maximize {
		run = optim.Maximize
	}
	res, err := run(ctx, f, x0, m, s)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return res, err
	}
	if res.Status == optim.InvalidInput {
		return res, fmt.Errorf("%s: %s", name, res.Message)
	}
	return res, nil
}

// gradAt returns the value and gradient of f at x.
func gradAt(f *expr.Func, names []string, x []float64) (Grad, error) {
	g := make([]float64, len(x))
	val, err := f.Grad(x, g)
	out := Grad{Value: number(val), Gradient: pointOf(names, g), Norm: number(norm(g))}
	if ad.IsNonFinite(err) {
		out.NonFinite, err = err.Error(), nil
	}
	return out, err
}

func optimizeView(names []string, r optim.Result) Optimize {
	o := Optimize{
		Method: r.Method, X: pointOf(names, r.X), F: number(r.F), GradNorm: number(r.GradNorm),
		Status: r.Status.String(), Message: r.Message,
		Iterations: r.Iterations, Evaluations: r.FuncEvals, GradientEvaluations: r.GradEvals,
	}
	for _, st := range r.Trajectory {
		o.Trajectory = append(o.Trajectory, Step{st.Iteration, pointOf(names, st.X), number(st.F), number(st.GradNorm)})
	}
	return o
}

// direction returns the unit vector at theta degrees from the first axis,
// exact at multiples of 90°, where the sine or cosine of the angle in
// radians is not.
func direction(theta float64) []float64 {
	if q := theta / 90; q == math.Trunc(q) {
		c := [4][2]float64{{1, 0}, {0, 1}, {-1, 0}, {0, -1}}[((int(math.Mod(q, 4))%4)+4)%4]
		return c[:]
	}
	s, c := math.Sincos(theta * math.Pi / 180)
	return []float64{c, s}
}

// norm returns the Euclidean norm of x as nabla prints it.
func norm(x []float64) float64 {
	s := floats.Dot(x, x)
	if math.IsInf(s, 0) || s < 0x1p-1000 {
		return floats.Norm(x, 2)
	}
	return math.Sqrt(s)
}

// bounded is a function that fails once its context is done, so that
// sampling it stops at a request's time limit.
type bounded struct {
	ctx context.Context
	f   *expr.Func
}

func (b bounded) Eval(x []float64) (float64, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	return b.f.Eval(x)
}

func (b bounded) Grad(x, grad []float64) (float64, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	return b.f.Grad(x, grad)
}

// A number is written to JSON as a number, or null when not finite.
type number float64

func (n number) MarshalJSON() ([]byte, error) { return appendNumber(nil, float64(n)), nil }

// numbers are written to JSON as an array of numbers and nulls.
type numbers []float64

func (ns numbers) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+20*len(ns))
	b = append(b, '[')
	for i, v := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNumber(b, v)
	}
	return append(b, ']'), nil
}

// appendNumber writes v as encoding/json does, or null.
func appendNumber(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// A point is a value per variable, written as a JSON object by name, like
// the gradients of nabla grad --json.
type point map[string]number

func pointOf(names []string, x []float64) point {
	p := make(point, len(names))
	for i, n := range names {
		p[n] = number(x[i])
	}
	return p
}
