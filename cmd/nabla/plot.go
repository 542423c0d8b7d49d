package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/internal/atomicfile"
	"github.com/nabla-ad/nabla/internal/text"
	"github.com/nabla-ad/nabla/optim"
	"github.com/nabla-ad/nabla/viz"
)

func init() { register(newPlotCmd) }

// plotFlags are the flags of nabla plot.
type plotFlags struct {
	in         inputFlags
	out        string
	x, y       string
	res        int
	levels     string
	scale      string
	quiver     bool
	arrows     int
	arrowScale string
	paths      string
	mf         methodFlags
	iters      int
	maximize   bool
	landscape  bool
	slice      bool
	surface    bool
	azimuth    float64
	elevation  float64
	seed       uint64
	size       string
	title      string
}

func newPlotCmd() *cobra.Command {
	var pf plotFlags
	cmd := &cobra.Command{
		Use:   "plot -e EXPR -o FILE [--x a:b --y c:d] [--quiver] [--path M1,M2 --at START] [--landscape --at X0]",
		Short: "Draw contours, the gradient field and optimizer paths to SVG, PNG or PDF",
		Long: `Plot draws a contour map of an expression of two variables over the box
--x × --y, with a colour bar for the levels, and writes it to the file -o in
the format its extension names: .svg, .png or .pdf. Levels are log-spaced
when the values crowd the minimum (as for Rosenbrock's function); --levels
sets their number or the levels themselves, --scale forces the spacing.

--surface draws the surface z = f(x, y) in three dimensions instead, seen
from --azimuth and --elevation (degrees), its colours spaced like the
levels; paths are drawn on it. A --res of 50 suits it, and is its default.

An expression of one variable is drawn over --x as a curve with its
derivative f′; with --at, the tangent at that point is drawn too, and paths
are drawn on the curve.

The two variables without a value in --at are the axes (in name order); the
others keep their --at values. When --at gives every variable of a
two-variable expression, it is the starting point of the paths.

--quiver adds the gradient field as arrows: −∇f (descent), or ∇f with
--maximize. Arrows have one length and a shade for |∇f| when the magnitudes
differ widely, true lengths otherwise (--arrow-scale).

--path gd,momentum,… runs those optimizers (see nabla optimize) from --at
with --lr (and --beta, --beta1, --beta2, --eps, --memory) and --iters and
draws their paths, one colour and a legend entry "method (k steps, f=…)"
each.
` + strings.Replace(traceLimits, "A trace", "A path", 1) + `

--landscape draws a function of many variables on the plane through --at
spanned by two random orthonormal directions (--seed): f(x0 + a·d1 + b·d2)
with a in --x and b in --y; paths are projected onto the plane. --slice draws
the line f(x0 + t·d1), t in --x, instead. For a model with data, nabla landscape
draws filter-normalized, PCA and Hessian directions.

Points where f is not finite are drawn grey and reported on standard error.

With --json it prints what it wrote: {"file", "format", "width", "height"
(in points, 1/72 inch), "x", "y" (the ranges), "axes" (their labels),
"layers" ("contours", "surface", "gradient field", "curve", "derivative",
"tangent", "paths" or "slice"), "paths" (per
method: "method", "steps", "f" at the end), "seed" (with --landscape)}.`,
		Example: `  nabla plot -e '-(x^2 + y^2) + 4' --x -2:2 --y -2:2 --quiver --path gd --at x=1,y=1 --lr 0.1 --iters 10 --maximize -o ascent.png
  nabla plot -e 'x^2 + y^2' --x -10:10 --y -10:10 --surface --path gd --at x=8,y=8 --lr 0.1 --iters 20 -o surface.png
  nabla plot -e 'x^4 - 3*x^2 + x' --x -2.5:2.5 --path gd --at x=2 --lr 0.02 --iters 30 -o well.png
  nabla plot -e '100*(y - x^2)^2 + (1 - x)^2' --x -2:2 --y -1:3 --quiver --path gd,momentum,bfgs --at x=-1.5,y=2 --lr 0.001 --iters 300 -o rosenbrock.svg
  nabla plot -f benchmarks/problems/chained_rosenbrock.nabla --at x=1*20 --landscape --x -1.5:1.5 --y -1.5:1.5 -o landscape.pdf`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return pf.run(cmd)
		},
	}
	pf.in.addFlags(cmd)
	pf.in.addWrtFlag(cmd)
	f := cmd.Flags()
	f.StringVarP(&pf.out, "output", "o", "", "write the picture to `FILE` (.svg, .png or .pdf)")
	f.StringVar(&pf.x, "x", "-3:3", "the horizontal range `a:b`")
	f.StringVar(&pf.y, "y", "-3:3", "the vertical range `c:d`")
	f.IntVar(&pf.res, "res", 200, "sample `N`×N points for the contours")
	f.StringVar(&pf.levels, "levels", "", "the number of contour levels, or the levels: 12 or 0.1,1,10")
	f.StringVar(&pf.scale, "scale", "auto", "spacing of the levels: auto, linear or log")
	f.BoolVar(&pf.quiver, "quiver", false, "draw the gradient field as arrows")
	f.IntVar(&pf.arrows, "arrows", 20, "draw `N`×N arrows")
	f.StringVar(&pf.arrowScale, "arrow-scale", "auto", "arrow lengths: auto, normalized or true")
	f.StringVar(&pf.paths, "path", "", "draw the paths of the optimizers `M1,M2,…` from --at")
	pf.mf.addFlags(cmd)
	f.IntVar(&pf.iters, "iters", 100, "run the optimizers for at most `N` iterations")
	f.BoolVar(&pf.maximize, "maximize", false, "climb: paths maximize f and arrows show ∇f")
	f.BoolVar(&pf.landscape, "landscape", false, "slice a function of many variables through --at along random directions")
	f.BoolVar(&pf.slice, "slice", false, "with --landscape: draw the 1-D slice f(x0 + t·d1) as a line")
	f.BoolVar(&pf.surface, "surface", false, "draw the surface z = f(x, y) in 3-D instead of contours")
	f.Float64Var(&pf.azimuth, "azimuth", viz.DefaultAzimuth, "with --surface: view from this `angle` about the vertical, in degrees")
	f.Float64Var(&pf.elevation, "elevation", viz.DefaultElevation, "with --surface: view from this `angle` above the (x, y) plane, in degrees, -90 to 90")
	f.Uint64Var(&pf.seed, "seed", 1, "the seed of the random directions of --landscape")
	f.StringVar(&pf.size, "size", "", "the picture's size `WxH` in pixels (default 640 wide, height to keep one scale)")
	f.StringVar(&pf.title, "title", "", "the title (default: the expression)")
	return cmd
}

func (pf *plotFlags) run(cmd *cobra.Command) error {
	if pf.out == "" {
		return &usageError{cmd, errors.New("no output file: give one with -o FILE (.svg, .png or .pdf)")}
	}
	if err := checkPicture(cmd, "-o", pf.out); err != nil {
		return err
	}
	xr, err := viz.ParseInterval(pf.x)
	if err != nil {
		return &usageError{cmd, fmt.Errorf("--x: %v", err)}
	}
	yr, err := viz.ParseInterval(pf.y)
	if err != nil {
		return &usageError{cmd, fmt.Errorf("--y: %v", err)}
	}
	if pf.res < 2 || pf.res > 2000 {
		return &usageError{cmd, fmt.Errorf("--res %d: want 2 to 2000", pf.res)}
	}
	if pf.arrows < 2 || pf.arrows > 200 {
		return &usageError{cmd, fmt.Errorf("--arrows %d: want 2 to 200", pf.arrows)}
	}
	if pf.slice && !pf.landscape {
		return &usageError{cmd, errors.New("--slice draws a slice of a --landscape; give both")}
	}
	if pf.surface && (pf.slice || pf.quiver) {
		return &usageError{cmd, errors.New("--surface draws no gradient field and no --slice; give it alone")}
	}
	if pf.surface && !cmd.Flags().Changed("res") {
		pf.res = 50
	}
	methods, err := pf.methods()
	if err != nil {
		return &usageError{cmd, err}
	}
	j, err := pf.in.load(cmd, false)
	if err != nil {
		return err
	}
	if len(methods) > 0 {
		if err := checkTrace("--path", pf.iters, j.f.Dim()); err != nil {
			return &usageError{cmd, err}
		}
	}

	title := pf.title
	if title == "" {
		title = text.Shorten(withoutComments(j.f.String()), 70)
		if pf.landscape {
			title = fmt.Sprintf("f(x0 + a·d1 + b·d2) for %s (random directions, seed %d)", title, pf.seed)
		}
	}
	var (
		fig    *viz.Figure
		layers []string
		paths  []object
		names  [2]string
	)
	switch {
	case !pf.landscape && j.f.Dim() == 1:
		if pf.surface || pf.quiver {
			return &usageError{cmd, fmt.Errorf("--surface and --quiver draw functions of two variables; %s has one", j.vars[0].Name)}
		}
		names = [2]string{j.vars[0].Name, "f"}
		if fig, layers, paths, err = pf.curve(j, xr, title, methods); err != nil {
			return err
		}
	case pf.slice:
		plane, _, err := pf.plane(cmd, j)
		if err != nil {
			return err
		}
		ts, vs, _, err := viz.SampleLine(j.f, plane.Origin, plane.D1, xr, 10*pf.res)
		if err != nil {
			return err
		}
		title = strings.Replace(title, "a·d1 + b·d2", "t·d1", 1)
		names = [2]string{"t (along d1)", "f"}
		if fig, err = viz.NewSlicePlot(ts, vs, viz.PlotOptions{Title: title, XLabel: names[0], YLabel: names[1]}); err != nil {
			return err
		}
		layers = []string{"slice"}
	default:
		var plane viz.Plane
		if plane, names, err = pf.plane(cmd, j); err != nil {
			return err
		}
		if pf.surface {
			fig, err = pf.surfacePlot(j, plane, names, xr, yr, title)
			layers = []string{"surface"}
		} else {
			fig, err = pf.contourMap(j, plane, names, xr, yr, title)
			layers = []string{"contours"}
		}
		if err != nil {
			return err
		}
		if pf.quiver {
			layers = append(layers, "gradient field")
		}
		project := func(steps []optim.Step) ([][2]float64, error) {
			xs := make([][]float64, len(steps))
			for k, st := range steps {
				xs[k] = st.X
			}
			return viz.ProjectPath(plane, xs)
		}
		if paths, err = pf.addPaths(j, fig, methods, project); err != nil {
			return err
		}
		if len(paths) > 0 {
			layers = append(layers, "paths")
		}
	}
	if err := setSize(fig, pf.size); err != nil {
		return &usageError{cmd, err}
	}
	for _, n := range fig.Notes {
		fmt.Fprintf(cmd.ErrOrStderr(), "nabla: note: %s\n", n)
	}
	if err := fig.Save(pf.out); err != nil {
		return fmt.Errorf("-o: %v", err)
	}
	if !pf.in.json {
		return nil
	}
	format, _ := viz.FormatOf(pf.out)
	w, h := fig.Size()
	o := object{}.add("file", pf.out).add("format", format).add("width", float64(w)).add("height", float64(h)).
		add("x", []float64{xr.Min, xr.Max})
	if !pf.slice && j.f.Dim() > 1 {
		o = o.add("y", []float64{yr.Min, yr.Max})
	}
	o = o.add("axes", names[:]).add("layers", layers)
	if pf.landscape {
		o = o.add("seed", pf.seed)
	}
	if paths != nil {
		o = o.add("paths", paths)
	}
	return writeJSON(cmd.OutOrStdout(), o)
}

// checkPicture refuses a picture file that could not be written, before
// the work of drawing it: an unknown format is a usage error, a path that
// cannot be written an input error.
func checkPicture(cmd *cobra.Command, flag, name string) error {
	if _, err := viz.FormatOf(name); err != nil {
		return &usageError{cmd, fmt.Errorf("%s: %v", flag, err)}
	}
	if err := atomicfile.CheckWritable(name); err != nil {
		return fmt.Errorf("%s %s: %v", flag, name, err)
	}
	return nil
}

// methods parses --path and the methods' parameters.
func (pf *plotFlags) methods() ([]optim.Method, error) {
	if pf.paths == "" {
		return nil, nil
	}
	p, err := pf.mf.params()
	if err != nil {
		return nil, err
	}
	var ms []optim.Method
	for name := range strings.SplitSeq(pf.paths, ",") {
		m, err := optim.NewMethod(strings.TrimSpace(name), p)
		if err != nil {
			return nil, fmt.Errorf("--path: %v", err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// plane chooses the plane the picture is drawn in, and names its axes.
func (pf *plotFlags) plane(cmd *cobra.Command, j *job) (viz.Plane, [2]string, error) {
	if pf.landscape {
		if j.x == nil {
			return viz.Plane{}, [2]string{}, errors.New("--landscape slices through the point --at: give every variable a value")
		}
		p, err := viz.RandomPlane(j.x, pf.seed)
		return p, [2]string{"a (along d1)", "b (along d2)"}, err
	}
	// The coordinates without a value are the axes; when every variable
	// has one, a function of two coordinates is drawn around them.
	type coord struct {
		name string
		idx  int
	}
	var given point
	if j.x == nil {
		var err error
		if given, err = pf.in.point(cmd); err != nil {
			return viz.Plane{}, [2]string{}, err
		}
	}
	var free []coord
	at := make([]float64, 0, j.f.Dim())
	for i, v := range j.vars {
		var pv []float64
		ok := true
		if j.x != nil {
			pv = j.at(j.x, i)
		} else {
			var val value
			val, ok = given.lookup(v.Name)
			pv = val.x
		}
		for k := range v.Shape.Len() {
			name := v.Name
			if !v.Shape.IsScalar() {
				name = fmt.Sprintf("%s[%d]", v.Name, k)
			}
			if !ok {
				free = append(free, coord{name, len(at)})
				at = append(at, 0)
				continue
			}
			at = append(at, pv[k])
		}
	}
	if len(free) == 0 && len(at) == 2 {
		for i, v := range j.vars {
			for k := range v.Shape.Len() {
				name := v.Name
				if !v.Shape.IsScalar() {
					name = fmt.Sprintf("%s[%d]", v.Name, k)
				}
				free = append(free, coord{name, j.offsets[i] + k})
			}
		}
	}
	if len(free) != 2 {
		names := join(len(j.vars), func(i int) string { return j.vars[i].Name })
		return viz.Plane{}, [2]string{}, fmt.Errorf("a contour map needs two free variables; %s has %d (%s) and %d without a value in --at: fix all but two with --at, or slice it with --landscape",
			"the expression", j.f.Dim(), names, len(free))
	}
	slices.SortStableFunc(free, func(a, b coord) int { return strings.Compare(a.name, b.name) })
	p, err := viz.CoordinatePlane(at, free[0].idx, free[1].idx)
	return p, [2]string{free[0].name, free[1].name}, err
}

func (pf *plotFlags) contourMap(j *job, plane viz.Plane, names [2]string, xr, yr viz.Interval, title string) (*viz.Figure, error) {
	opts := viz.MapOptions{Title: title, XLabel: names[0], YLabel: names[1]}
	var err error
	if opts.Scale, err = viz.ParseScale(pf.scale); err != nil {
		return nil, fmt.Errorf("--scale: %v", err)
	}
	if pf.levels != "" {
		if n, err := strconv.Atoi(pf.levels); err == nil {
			if n < 1 || n > 200 {
				return nil, fmt.Errorf("--levels %d: want 1 to 200 levels", n)
			}
			opts.NumLevels = n
		} else {
			for s := range strings.SplitSeq(pf.levels, ",") {
				l, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil {
					return nil, fmt.Errorf("--levels: %q is not a number", s)
				}
				opts.Levels = append(opts.Levels, l)
			}
		}
	}
	surf, err := viz.Sample(j.f, plane, xr, yr, pf.res, pf.res)
	if err != nil {
		return nil, err
	}
	fig, err := viz.NewMap(surf, opts)
	if err != nil {
		return nil, err
	}
	if !pf.quiver {
		return fig, nil
	}
	field, err := viz.SampleGradient(j.f, plane, xr, yr, pf.arrows, pf.arrows)
	if err != nil {
		return nil, err
	}
	fo := viz.FieldOptions{Label: "grad f"}
	if !pf.maximize {
		field.Negate()
		fo.Label = "−grad f (descent)"
	}
	switch pf.arrowScale {
	case "auto":
	case "normalized":
		fo.Scale = viz.NormalizedArrows
	case "true":
		fo.Scale = viz.TrueLengthArrows
	default:
		return nil, fmt.Errorf("--arrow-scale %q: want auto, normalized or true", pf.arrowScale)
	}
	return fig, fig.AddField(field, fo)
}

// addPaths draws the optimizers' paths, placing their iterates in the
// picture with place, and describes each for --json.
func (pf *plotFlags) addPaths(j *job, fig *viz.Figure, methods []optim.Method, place func([]optim.Step) ([][2]float64, error)) ([]object, error) {
	if len(methods) == 0 {
		return nil, nil
	}
	if j.x == nil {
		return nil, errors.New("--path needs a starting point: give every variable a value with --at")
	}
	s := optim.DefaultSettings()
	s.MaxIter = pf.iters
	s.Trace = true
	run := optim.Minimize
	if pf.maximize {
		run = optim.Maximize
	}
	var (
		paths []object
		drawn []viz.Path
	)
	for _, m := range methods {
		res, err := run(context.Background(), j.f, j.x, m, s)
		if err != nil {
			return nil, fmt.Errorf("--path %s: %v", m, err)
		}
		pts, err := place(res.Trajectory)
		if err != nil {
			return nil, err
		}
		values := make([]float64, len(res.Trajectory))
		for k, st := range res.Trajectory {
			values[k] = st.F
		}
		last := values[len(values)-1]
		drawn = append(drawn, viz.Path{Name: pf.pathName(m.String()), Points: pts, Value: last, Values: values})
		paths = append(paths, object{}.add("method", m.String()).add("steps", len(pts)-1).add("f", last))
	}
	// All at once, so that the figure can draw the longest path first.
	return paths, fig.AddPaths(drawn...)
}

// pathName names the path of a method in the legend by the method, the
// direction and, for the methods that have one, the learning rate: "gd
// ascent, η=0.1".
func (pf *plotFlags) pathName(method string) string {
	name := method
	if pf.maximize {
		name += " ascent"
	}
	if optim.FixedStep(method) {
		name += ", η=" + num(pf.mf.lr)
	}
	return name
}

// curve draws a function of one variable over x: f, f′, and with a point
// the tangent there and the paths from it.
func (pf *plotFlags) curve(j *job, x viz.Interval, title string, methods []optim.Method) (*viz.Figure, []string, []object, error) {
	c, err := viz.SampleCurve(j.f, []float64{0}, []float64{1}, x, 10*pf.res)
	if err != nil {
		return nil, nil, nil, err
	}
	fig, err := viz.NewCurvePlot(c, viz.PlotOptions{Title: title, XLabel: j.vars[0].Name})
	if err != nil {
		return nil, nil, nil, err
	}
	layers := []string{"curve", "derivative"}
	if j.x != nil {
		v, grad, err := j.gradient()
		switch {
		case ad.IsNonFinite(err):
			fig.Notes = append(fig.Notes, fmt.Sprintf("no tangent at %s = %s: %v", j.vars[0].Name, num(j.x[0]), err))
		case err != nil:
			return nil, nil, nil, err
		default:
			if err := fig.AddTangent(j.x[0], v, grad[0]); err != nil {
				return nil, nil, nil, err
			}
			layers = append(layers, "tangent")
		}
	}
	onCurve := func(steps []optim.Step) ([][2]float64, error) {
		pts := make([][2]float64, len(steps))
		for k, st := range steps {
			pts[k] = [2]float64{st.X[0], st.F}
		}
		return pts, nil
	}
	paths, err := pf.addPaths(j, fig, methods, onCurve)
	if len(paths) > 0 {
		layers = append(layers, "paths")
	}
	return fig, layers, paths, err
}

// surfacePlot draws the surface of f over the box of the plane.
func (pf *plotFlags) surfacePlot(j *job, plane viz.Plane, names [2]string, xr, yr viz.Interval, title string) (*viz.Figure, error) {
	scale, err := viz.ParseScale(pf.scale)
	if err != nil {
		return nil, fmt.Errorf("--scale: %v", err)
	}
	surf, err := viz.Sample(j.f, plane, xr, yr, pf.res, pf.res)
	if err != nil {
		return nil, err
	}
	return viz.NewSurfacePlot(surf, viz.SurfaceOptions{
		Title: title, XLabel: names[0], YLabel: names[1],
		Azimuth: pf.azimuth, Elevation: pf.elevation, Scale: scale,
	})
}

// setSize applies --size, given as size, to a figure.
func setSize(fig *viz.Figure, size string) error {
	if size == "" {
		return nil
	}
	ws, hs, ok := strings.Cut(size, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 100 || h < 100 || w > 10000 || h > 10000 {
		return fmt.Errorf("--size %q: want WxH in pixels, such as 800x600, each 100 to 10000", size)
	}
	fig.Width, fig.Height = viz.Pixel*vg.Length(w), viz.Pixel*vg.Length(h)
	return nil
}

// withoutComments returns an expression's source with its comments and
// blank lines left out and its lines joined, for a title.
func withoutComments(src string) string {
	var parts []string
	for line := range strings.Lines(src) {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, strings.TrimSuffix(line, ";"))
		}
	}
	return strings.Join(parts, "; ")
}
