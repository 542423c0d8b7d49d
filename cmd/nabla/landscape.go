package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/internal/text"
	"github.com/nabla-ad/nabla/landscape"
	"github.com/nabla-ad/nabla/viz"
)

func init() { register(newLandscapeCmd) }

// landscapeFlags are the flags of nabla landscape.
type landscapeFlags struct {
	in          inputFlags
	out         string
	directions  string
	seed        uint64
	noNormalize bool
	trace       string
	oneD        bool
	from, to    string
	x, y        string
	res         int
	surface     bool
	azimuth     float64
	elevation   float64
	scale       string
	size        string
	title       string
}

// maxLandscapeSide is the most points along one side of a 2-D landscape.
var maxLandscapeSide = int(math.Sqrt(landscape.MaxPoints))

func newLandscapeCmd() *cobra.Command {
	var lf landscapeFlags
	cmd := &cobra.Command{
		Use:   "landscape -f MODEL --data … --at-file POINT -o FILE [--directions random|pca|hessian] [--1d] [--from A --to B]",
		Short: "Draw a model's loss along directions through a point of its weights",
		Long: `Landscape draws the loss f of a model, an expression with its --data, on a
plane f(x0 + a·d1 + b·d2) through the point x0 (--at or --at-file, such as
the result of nabla optimize --save), or on a line with --1d, and writes
the picture -o (.svg, .png or .pdf): contours with a colour bar, or with
--surface the surface in 3-D, seen as nabla plot --surface sees it.

--directions chooses d1 and d2:
  random   Gaussian directions drawn from --seed (d2 from the seed after
           it), filter-normalized (Li et al. 2018): each row of a matrix
           variable, and each vector or scalar variable whole, rescaled to
           the norm of the same part of x0, so that a in -1:1 moves every
           filter by up to its own size. --no-normalize keeps them raw.
  pca      the top principal directions of the trajectory --trace FILE
           (what nabla optimize --trace --save writes) about x0, which is
           the trajectory's end unless --at or --at-file says otherwise;
           the trajectory is drawn projected onto the plane, in a box
           that holds it unless --x and --y say otherwise, and the
           variance each direction explains is reported.
  hessian  the eigenvectors of the largest eigenvalues of the Hessian at
           x0, by Lanczos on exact Hessian-vector products.

--from A --to B draw the line f((1−t)·A + t·B) between two point files
instead (Goodfellow et al. 2015), t in --x (default -0.5:1.5); t = 0 and
t = 1 are among the points whenever --x holds them, where the values are
exactly f(A) and f(B).

--res sets the points per side: 51 by default for a plane, 201 for a
line. Each point costs an evaluation of the model on all its data, and a
landscape has at most ` + fmt.Sprintf("%d points (%d × %d)", landscape.MaxPoints, maxLandscapeSide, maxLandscapeSide) + `.
Where f is not finite the picture has a grey gap or a broken line, and a
warning says where.

It prints the directions, their norms and the range of f; with --json
{"file", "format", "dimensions" (1 or 2), "x", "y" (the ranges), "axes",
"directions": [{"kind", "seed", "normalized", "norm",
"explained_variance", "eigenvalue"}], "f0" (f at x0), "grid": {"a", "b",
"f"} (f by rows of b, null where not finite; "t" and "f" for a line),
"nonfinite", "from", "to" (f at the ends of --from/--to), "trajectory"
(the projected points of --trace)}. Without -o it draws nothing and
prints the same.`,
		Example: `  nabla optimize -f examples/mlp/mlp.nabla --data X=examples/mlp/moons.csv:1:2 --data Y=examples/mlp/moons.csv:3:4 --at-file examples/mlp/init.json --method gd --lr 0.5 --iters 100 --trace --save trained.json
  nabla landscape -f examples/mlp/mlp.nabla --data X=examples/mlp/moons.csv:1:2 --data Y=examples/mlp/moons.csv:3:4 --at-file trained.json -o plane.png
  nabla landscape -f examples/mlp/mlp.nabla --data X=examples/mlp/moons.csv:1:2 --data Y=examples/mlp/moons.csv:3:4 --at-file trained.json --surface -o surface.png
  nabla landscape -f examples/mlp/mlp.nabla --data X=examples/mlp/moons.csv:1:2 --data Y=examples/mlp/moons.csv:3:4 --trace trained.json --directions pca -o pca.svg
  nabla landscape -f examples/mlp/mlp.nabla --data X=examples/mlp/moons.csv:1:2 --data Y=examples/mlp/moons.csv:3:4 --from examples/mlp/init.json --to trained.json -o line.svg`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return lf.run(cmd)
		},
	}
	lf.in.addFlags(cmd)
	lf.in.addWrtFlag(cmd)
	f := cmd.Flags()
	f.StringVarP(&lf.out, "output", "o", "", "write the picture to `FILE` (.svg, .png or .pdf)")
	f.StringVar(&lf.directions, "directions", "random", "the directions: random, pca or hessian")
	f.Uint64Var(&lf.seed, "seed", 1, "the seed of the random directions")
	f.BoolVar(&lf.noNormalize, "no-normalize", false, "keep the random directions raw, not filter-normalized")
	f.StringVar(&lf.trace, "trace", "", "the optimizer trajectory `FILE` of --directions pca (nabla optimize --trace --save)")
	f.BoolVar(&lf.oneD, "1d", false, "draw the line f(x0 + t·d1) instead of a plane")
	f.StringVar(&lf.from, "from", "", "draw the line from the point in `FILE` (with --to)")
	f.StringVar(&lf.to, "to", "", "draw the line to the point in `FILE` (with --from)")
	f.StringVar(&lf.x, "x", "-1:1", "the range `a:b` along d1 (t for a line)")
	f.StringVar(&lf.y, "y", "-1:1", "the range `c:d` along d2")
	f.IntVar(&lf.res, "res", 51, "sample `N` points a side (201 for a line)")
	f.BoolVar(&lf.surface, "surface", false, "draw the plane as a surface in 3-D instead of contours")
	f.Float64Var(&lf.azimuth, "azimuth", viz.DefaultAzimuth, "with --surface: view from this `angle` about the vertical, in degrees")
	f.Float64Var(&lf.elevation, "elevation", viz.DefaultElevation, "with --surface: view from this `angle` above the plane, in degrees, -90 to 90")
	f.StringVar(&lf.scale, "scale", "auto", "spacing of the levels and colours: auto, linear or log")
	f.StringVar(&lf.size, "size", "", "the picture's size `WxH` in pixels (default 640 wide)")
	f.StringVar(&lf.title, "title", "", "the title (default: the model and the directions)")
	return cmd
}

// A drawnLandscape is what landscape sampled, for the picture and the
// output.
type drawnLandscape struct {
	dirs    []landscape.Direction
	line    *landscape.Line
	surf    *viz.Surface
	f0      float64
	f0Err   error      // why f is not finite at x0
	ends    [2]float64 // f at --from and --to
	path    *viz.Path  // the projected trajectory of --trace
	axes    [2]string
	xr, yr  viz.Interval
	model   string // the model, for titles
	between bool
}

func (lf *landscapeFlags) run(cmd *cobra.Command) error {
	l, err := lf.check(cmd)
	if err != nil {
		return err
	}
	j, err := lf.in.load(cmd, true)
	if err != nil {
		return err
	}
	if l.model == "" {
		l.model = text.Shorten(withoutComments(j.f.String()), 40)
	}
	if err := lf.sample(cmd, j, l); err != nil {
		return err
	}
	var fig *viz.Figure
	if lf.out != "" {
		if fig, err = lf.figure(l); err != nil {
			return err
		}
		if err := setSize(fig, lf.size); err != nil {
			return &usageError{cmd, err}
		}
		for _, n := range fig.Notes {
			fmt.Fprintf(cmd.ErrOrStderr(), "nabla: note: %s\n", n)
		}
		if err := fig.Save(lf.out); err != nil {
			return fmt.Errorf("-o: %v", err)
		}
	}
	if lf.in.json {
		return writeJSON(cmd.OutOrStdout(), lf.json(l, fig))
	}
	return lf.print(cmd, l)
}

// check checks the flags that need no model, and chooses the point the
// model is compiled at when only --from or --trace gives one.
func (lf *landscapeFlags) check(cmd *cobra.Command) (*drawnLandscape, error) {
	l := &drawnLandscape{between: lf.from != "" || lf.to != ""}
	if lf.in.file != "" {
		l.model = filepath.Base(lf.in.file)
	}
	usage := func(format string, args ...any) error { return &usageError{cmd, fmt.Errorf(format, args...)} }
	if lf.out != "" {
		if err := checkPicture(cmd, "-o", lf.out); err != nil {
			return nil, err
		}
	}
	changed := cmd.Flags().Changed
	hasPoint := len(lf.in.at) > 0 || lf.in.atFile != ""
	switch {
	case l.between && (lf.from == "" || lf.to == ""):
		return nil, usage("--from and --to give the two ends of a line: give both")
	case l.between && (changed("directions") || lf.trace != "" || lf.surface):
		return nil, usage("--from and --to draw the line between two points: no --directions, --trace or --surface with them")
	case l.between && hasPoint:
		return nil, usage("--from and --to give the points of the line: no --at or --at-file with them")
	case lf.directions != "random" && lf.directions != "pca" && lf.directions != "hessian":
		return nil, usage("--directions %q: want random, pca or hessian", lf.directions)
	case lf.directions == "pca" && lf.trace == "":
		return nil, usage("--directions pca takes the directions of a trajectory: give one with --trace FILE (nabla optimize --trace --save FILE)")
	case lf.trace != "" && lf.directions != "pca":
		return nil, usage("--trace gives the trajectory of --directions pca; add it, or leave out --trace")
	case lf.noNormalize && lf.directions != "random":
		return nil, usage("--no-normalize applies to --directions random")
	case lf.surface && lf.oneD:
		return nil, usage("--surface draws a plane; leave out --1d")
	case lf.elevation < -90 || lf.elevation > 90:
		return nil, usage("--elevation %g: want an elevation from -90 to 90 degrees", lf.elevation)
	}
	if _, err := viz.ParseScale(lf.scale); err != nil {
		return nil, usage("--scale: %v", err)
	}
	if l.between && !changed("x") {
		lf.x = "-0.5:1.5"
	}
	oneD := lf.oneD || l.between
	if oneD && !changed("res") {
		lf.res = 201
	}
	var err error
	if l.xr, err = viz.ParseInterval(lf.x); err != nil {
		return nil, usage("--x: %v", err)
	}
	if l.yr, err = viz.ParseInterval(lf.y); err != nil {
		return nil, usage("--y: %v", err)
	}
	switch {
	case oneD && (lf.res < 2 || lf.res > landscape.MaxPoints):
		return nil, usage("--res %d: a line has 2 to %d points", lf.res, landscape.MaxPoints)
	case !oneD && (lf.res < 2 || lf.res > maxLandscapeSide):
		return nil, usage("--res %d: a plane has 2 to %d points a side, at most %d in all", lf.res, maxLandscapeSide, landscape.MaxPoints)
	}
	// The model is compiled for the shapes of the first point there is.
	if !hasPoint {
		switch {
		case l.between:
			lf.in.atFile = lf.from
		case lf.trace != "":
			lf.in.atFile = lf.trace
		default:
			return nil, usage("no point: give the weights the landscape is centred on with --at or --at-file")
		}
	}
	return l, nil
}

// sample chooses the directions and samples f along them.
func (lf *landscapeFlags) sample(cmd *cobra.Command, j *job, l *drawnLandscape) error {
	var err error
	if l.between {
		to, err := lf.readPoint(cmd, j, "--to", lf.to)
		if err != nil {
			return err
		}
		if l.line, err = landscape.Between(j.f, j.x, to, l.xr, lf.res); err != nil {
			return err
		}
		for k, x := range [][]float64{j.x, to} {
			if l.ends[k], err = j.f.Eval(x); err != nil && !ad.IsNonFinite(err) {
				return err
			}
		}
		l.f0 = l.ends[0]
		l.axes = [2]string{"t (0 at --from, 1 at --to)", "f"}
		return lf.warnNonFinite(cmd, l)
	}
	if l.f0, err = j.f.Eval(j.x); err != nil {
		if !ad.IsNonFinite(err) {
			return err
		}
		l.f0Err = err
	}
	k := 2
	if lf.oneD {
		k = 1
	}
	if j.f.Dim() < k {
		return fmt.Errorf("a plane through a point needs two dimensions; %s has one variable: draw its line with --1d", l.model)
	}
	var traj [][]float64
	var trajF []float64
	switch lf.directions {
	case "random":
		for i := range k {
			d, err := landscape.Random(j.vars, j.x, lf.seed+uint64(i), !lf.noNormalize)
			if err != nil {
				return fmt.Errorf("%v; --no-normalize draws the directions raw", err)
			}
			l.dirs = append(l.dirs, d)
		}
	case "pca":
		if traj, trajF, err = lf.readTrace(cmd, j); err != nil {
			return err
		}
		if l.dirs, err = landscape.PCA(j.x, traj, k); err != nil {
			return fmt.Errorf("--trace %s: %v", lf.trace, err)
		}
	case "hessian":
		if l.dirs, err = landscape.Hessian(j.f.Func, j.x, k); err != nil {
			return fmt.Errorf("--directions hessian: %v", err)
		}
	}
	if lf.oneD {
		if l.line, err = landscape.SampleLine(j.f, j.x, l.dirs[0], l.xr, lf.res); err != nil {
			return err
		}
		l.axes = [2]string{"t (along d1)", "f"}
		return lf.warnNonFinite(cmd, l)
	}
	if traj != nil {
		pts, err := viz.ProjectPath(landscape.Plane(j.x, l.dirs[0], l.dirs[1]), traj)
		if err != nil {
			return err
		}
		l.path = &viz.Path{Name: "trajectory", Points: pts, Value: trajF[len(trajF)-1], Values: trajF}
		// The principal directions are unit vectors, and the trajectory
		// may be far longer: unless told otherwise, show all of it.
		if !cmd.Flags().Changed("x") {
			l.xr = around(pts, 0)
		}
		if !cmd.Flags().Changed("y") {
			l.yr = around(pts, 1)
		}
	}
	if l.surf, err = landscape.SamplePlane(j.f, j.x, l.dirs[0], l.dirs[1], l.xr, l.yr, lf.res, lf.res); err != nil {
		return err
	}
	l.axes = [2]string{"a (along d1)", "b (along d2)"}
	return lf.warnNonFinite(cmd, l)
}

// around returns an interval that holds coordinate i of the points and
// zero, with a margin of about a fifth of its length on each side.
func around(pts [][2]float64, i int) viz.Interval {
	lo, hi := 0.0, 0.0
	for _, p := range pts {
		lo, hi = math.Min(lo, p[i]), math.Max(hi, p[i])
	}
	m := (hi - lo) / 5
	if m == 0 {
		m = 1
	}
	// Ends rounded to a tenth of the length's order of magnitude.
	// Dividing by a whole number of steps per unit keeps 4.6 from
	// becoming 4.6000000000000005.
	perUnit := math.Pow(10, 1-math.Floor(math.Log10(hi-lo+2*m)))
	return viz.Interval{Min: math.Floor((lo-m)*perUnit) / perUnit, Max: math.Ceil((hi+m)*perUnit) / perUnit}
}

// warnNonFinite says where f is not finite, or fails when it is nowhere
// finite: a picture of nothing would explain nothing.
func (lf *landscapeFlags) warnNonFinite(cmd *cobra.Command, l *drawnLandscape) error {
	w := cmd.ErrOrStderr()
	if l.line != nil {
		bad, n := l.line.NonFinite, len(l.line.Values)
		if bad == n {
			return fmt.Errorf("f is not finite anywhere on the line, t in %v: nothing to draw%s", l.xr, atX0(l))
		}
		if t, ok := landscape.NonFiniteRange(l.line); ok {
			fmt.Fprintf(w, "nabla: warning: f is not finite at %d of the %d points, for t in %s:%s; the line is broken there\n", bad, n, num(t.Min), num(t.Max))
		}
		return nil
	}
	bad, n := l.surf.NonFinite, len(l.surf.Values)
	if bad == n {
		return fmt.Errorf("f is not finite anywhere on the plane, a in %v and b in %v: nothing to draw%s", l.xr, l.yr, atX0(l))
	}
	if x, y, ok := landscape.NonFiniteBox(l.surf); ok {
		fmt.Fprintf(w, "nabla: warning: f is not finite at %d of the %d grid points, all within a in %s:%s and b in %s:%s; the picture leaves them out\n",
			bad, n, num(x.Min), num(x.Max), num(y.Min), num(y.Max))
	}
	return nil
}

// atX0 explains why f is not finite at the point, if it is not.
func atX0(l *drawnLandscape) string {
	if l.f0Err == nil {
		return ""
	}
	return fmt.Sprintf("; at x0, %v", l.f0Err)
}

// figure draws the landscape.
func (lf *landscapeFlags) figure(l *drawnLandscape) (*viz.Figure, error) {
	title := lf.title
	if title == "" {
		title = l.model + ": " + lf.describe(l)
	}
	if l.line != nil {
		return viz.NewSlicePlot(l.line.Ts, l.line.Values, viz.PlotOptions{Title: title, XLabel: l.axes[0], YLabel: "f"})
	}
	scale, _ := viz.ParseScale(lf.scale)
	var (
		fig *viz.Figure
		err error
	)
	if lf.surface {
		fig, err = viz.NewSurfacePlot(l.surf, viz.SurfaceOptions{
			Title: title, XLabel: l.axes[0], YLabel: l.axes[1],
			Azimuth: lf.azimuth, Elevation: lf.elevation, Scale: scale,
		})
	} else {
		fig, err = viz.NewMap(l.surf, viz.MapOptions{Title: title, XLabel: l.axes[0], YLabel: l.axes[1], Scale: scale})
	}
	if err != nil || l.path == nil {
		return fig, err
	}
	return fig, fig.AddPaths(*l.path)
}

// describe says in words what the landscape is, for the title.
func (lf *landscapeFlags) describe(l *drawnLandscape) string {
	if l.between {
		return fmt.Sprintf("f((1−t)·A + t·B) from %s to %s", filepath.Base(lf.from), filepath.Base(lf.to))
	}
	what := "f(x0 + a·d1 + b·d2)"
	if l.line != nil {
		what = "f(x0 + t·d1)"
	}
	switch d := l.dirs[0]; d.Kind {
	case landscape.RandomKind:
		how := "filter-normalized"
		if !d.Normalized {
			how = "raw"
		}
		if len(l.dirs) > 1 {
			return fmt.Sprintf("%s, random %s d1, d2 (seeds %d, %d)", what, how, d.Seed, l.dirs[1].Seed)
		}
		return fmt.Sprintf("%s, random %s d1 (seed %d)", what, how, d.Seed)
	case landscape.PCAKind:
		return fmt.Sprintf("%s along the trajectory's principal directions (%s of its variance)", what, percent(explained(l.dirs)))
	default:
		return what + " along the Hessian's top eigenvectors"
	}
}

// explained is the fraction of a trajectory's variance the PCA directions
// hold together.
func explained(dirs []landscape.Direction) float64 {
	s := 0.0
	for _, d := range dirs {
		s += d.ExplainedVariance
	}
	return s
}

func percent(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// print writes the landscape for people.
func (lf *landscapeFlags) print(cmd *cobra.Command, l *drawnLandscape) error {
	t := newTable(cmd.OutOrStdout())
	lo, hi := valueRange(l)
	if l.between {
		t.row("line", "", fmt.Sprintf("%d points, t in %v", len(l.line.Ts), l.xr))
		t.row("f at --from", "=", num(l.ends[0]))
		t.row("f at --to", "=", num(l.ends[1]))
	} else {
		if l.line != nil {
			t.row("line", "", fmt.Sprintf("%d points, t in %v", len(l.line.Ts), l.xr))
		} else {
			t.row("plane", "", fmt.Sprintf("%d × %d points, a in %v, b in %v", len(l.surf.Xs), len(l.surf.Ys), l.xr, l.yr))
		}
		for i, d := range l.dirs {
			t.row(fmt.Sprintf("d%d", i+1), "", describeDirection(d))
		}
		t.row("f at x0", "=", num(l.f0))
	}
	// Six digits: the values away from the point hang on directions that
	// Lanczos finds to a tolerance, not to the last bit.
	t.row("f drawn", "", fmt.Sprintf("from %.6g to %.6g", lo, hi))
	if lf.out != "" {
		t.row("picture", "", lf.out)
	}
	return t.flush()
}

// describeDirection says how a direction was chosen, and its norm.
func describeDirection(d landscape.Direction) string {
	s := string(d.Kind)
	switch d.Kind {
	case landscape.RandomKind:
		s += fmt.Sprintf(", seed %d", d.Seed)
		if d.Normalized {
			s += ", filter-normalized"
		}
	case landscape.PCAKind:
		s += fmt.Sprintf(", %s of the trajectory's variance", percent(d.ExplainedVariance))
	case landscape.HessianKind:
		s += fmt.Sprintf(", eigenvalue %.6g", d.Eigenvalue)
	}
	return s + fmt.Sprintf(", norm %.6g", d.Norm())
}

// valueRange returns the least and greatest finite values drawn.
func valueRange(l *drawnLandscape) (lo, hi float64) {
	vs := l.line
	if vs == nil {
		lo, hi, _ = l.surf.Range()
		return lo, hi
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs.Values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi
}

// json returns the landscape in the form --json prints.
func (lf *landscapeFlags) json(l *drawnLandscape, fig *viz.Figure) object {
	o := object{}
	if fig != nil {
		format, _ := viz.FormatOf(lf.out)
		w, h := fig.Size()
		o = o.add("file", lf.out).add("format", format).add("width", float64(w)).add("height", float64(h))
	}
	if l.line != nil {
		o = o.add("dimensions", 1).add("x", []float64{l.xr.Min, l.xr.Max}).add("axes", []string{l.axes[0], "f"})
	} else {
		o = o.add("dimensions", 2).add("x", []float64{l.xr.Min, l.xr.Max}).add("y", []float64{l.yr.Min, l.yr.Max}).add("axes", l.axes[:])
	}
	if !l.between {
		dirs := make([]object, len(l.dirs))
		for i, d := range l.dirs {
			o := object{}.add("kind", string(d.Kind))
			switch d.Kind {
			case landscape.RandomKind:
				o = o.add("seed", d.Seed).add("normalized", d.Normalized)
			case landscape.PCAKind:
				o = o.add("explained_variance", d.ExplainedVariance)
			case landscape.HessianKind:
				o = o.add("eigenvalue", d.Eigenvalue)
			}
			dirs[i] = o.add("norm", d.Norm())
		}
		o = o.add("directions", dirs).add("f0", l.f0)
	} else {
		o = o.add("from", l.ends[0]).add("to", l.ends[1])
	}
	if l.line != nil {
		o = o.add("grid", object{}.add("t", l.line.Ts).add("f", l.line.Values)).add("nonfinite", l.line.NonFinite)
	} else {
		rows := make([][]float64, len(l.surf.Ys))
		for r := range rows {
			rows[r] = l.surf.Values[r*len(l.surf.Xs) : (r+1)*len(l.surf.Xs)]
		}
		o = o.add("grid", object{}.add("a", l.surf.Xs).add("b", l.surf.Ys).add("f", rows)).add("nonfinite", l.surf.NonFinite)
	}
	if l.path != nil {
		pts := make([][]float64, len(l.path.Points))
		for k, p := range l.path.Points {
			pts[k] = []float64{p[0], p[1]}
		}
		o = o.add("trajectory", pts)
	}
	return o
}

// readPoint reads a point file given by flag and returns its values in
// the order of the model's variables, checking that it gives each of them
// with its shape and nothing else.
func (lf *landscapeFlags) readPoint(cmd *cobra.Command, j *job, flag, name string) ([]float64, error) {
	b, err := readFile(cmd, name, maxPointFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", flag, err)
	}
	p, err := parsePointJSON(name, b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", flag, err)
	}
	x, err := j.flatten(p)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", flag, name, err)
	}
	return x, nil
}

// flatten returns a point's values in the order of the model's variables,
// checking that it gives each of them with its shape, and no variable the
// model does not have.
func (j *job) flatten(p point) ([]float64, error) {
	x := make([]float64, 0, len(j.x))
	for _, v := range j.vars {
		pv, ok := p.lookup(v.Name)
		switch {
		case !ok:
			return nil, fmt.Errorf("no value for %s, a variable of the model", v.Name)
		case pv.shape != v.Shape:
			return nil, fmt.Errorf("%s is a %s here and a %s in the model", v.Name, pv.shape, v.Shape)
		}
		x = append(x, pv.x...)
	}
	for _, v := range p {
		if !slices.ContainsFunc(j.vars, func(w ad.Var) bool { return w.Name == v.name }) && !j.held[v.name] {
			return nil, fmt.Errorf("%s is not a variable of the model", v.name)
		}
	}
	return x, nil
}

// readTrace reads the trajectory of --trace, each point in the order of
// the model's variables, and f along it.
func (lf *landscapeFlags) readTrace(cmd *cobra.Command, j *job) ([][]float64, []float64, error) {
	b, err := readFile(cmd, lf.trace, maxPointFile)
	if err != nil {
		return nil, nil, fmt.Errorf("--trace: %v", err)
	}
	var run struct {
		Trajectory []struct {
			X json.RawMessage `json:"x"`
			F *float64        `json:"f"`
		} `json:"trajectory"`
	}
	if err := json.Unmarshal(b, &run); err != nil {
		return nil, nil, fmt.Errorf("--trace %s: %v", lf.trace, err)
	}
	if len(run.Trajectory) == 0 {
		return nil, nil, fmt.Errorf("--trace %s: no trajectory: write one with nabla optimize --trace --save FILE", lf.trace)
	}
	traj := make([][]float64, len(run.Trajectory))
	fs := make([]float64, len(run.Trajectory))
	for k, st := range run.Trajectory {
		p, err := parsePointJSON(lf.trace, st.X)
		if err != nil {
			return nil, nil, fmt.Errorf("--trace: step %d: %v", k, err)
		}
		if traj[k], err = j.flatten(p); err != nil {
			return nil, nil, fmt.Errorf("--trace %s: step %d does not match the model: %v", lf.trace, k, err)
		}
		fs[k] = math.NaN()
		if st.F != nil {
			fs[k] = *st.F
		}
	}
	return traj, fs, nil
}
