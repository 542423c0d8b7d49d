package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/landscape"
)

func init() { register(newSpectrumCmd) }

// The bounds of spectrum, checked before any work: the eigenpairs asked
// for, the probes, and the numbers a Lanczos basis keeps (steps ×
// variables, about 400 MB), which bounds the steps on large models.
const (
	maxTop           = 100
	maxLanczosSteps  = 100_000
	maxTraceProbes   = 100_000
	maxDensityProbes = 1000
	maxDensitySteps  = 1000
	maxBasisValues   = 50_000_000
)

// whichNames are the values of --which.
var whichNames = map[string]landscape.Which{
	"largest":   landscape.Largest,
	"smallest":  landscape.Smallest,
	"magnitude": landscape.LargestMagnitude,
}

// spectrumFlags are the flags of nabla spectrum.
type spectrumFlags struct {
	in            inputFlags
	top           int
	which         string
	w             landscape.Which // which parsed
	traceProbes   int
	density       bool
	densityProbes int
	densitySteps  int
	sigma         float64
	maxSteps      int
	out           string
	title         string
	seed          uint64
}

func newSpectrumCmd() *cobra.Command {
	var sf spectrumFlags
	cmd := &cobra.Command{
		Use:   "spectrum -f MODEL --at POINT [--top k] [--trace-probes m] [--density] [-o FILE]",
		Short: "Estimate the Hessian's top eigenvalues, trace and eigenvalue density",
		Long: fmt.Sprintf(`Spectrum reads the curvature of a function of many variables, such as a
model's loss at its trained weights, from exact Hessian-vector products
(forward mode over reverse mode), without forming the Hessian:

  - the --top k eigenvalues and their eigenvectors by Lanczos with full
    reorthogonalization: --which largest (the default; the sharpest
    directions), smallest (the most negative: a saddle's escape routes) or
    magnitude (farthest from zero, as power iteration finds them);
  - the trace by Hutchinson's estimator, the mean of zᵀHz over
    --trace-probes vectors z of random signs, with its standard error
    (--trace-probes 0 skips it);
  - with --density, the eigenvalue density by stochastic Lanczos
    quadrature: --density-probes random vectors, --density-steps Lanczos
    steps each; -o FILE (.svg, .png or .pdf) draws it, smoothed by
    Gaussians of width --sigma (default a hundredth of the spectrum's
    range), on a logarithmic axis with the top eigenvalues marked.

--seed chooses the random vectors. Every variable of the point is a
weight; --wrt differentiates some of them only.

Lanczos keeps a basis of min(n, max(20k, 300)) vectors of the n variables,
at most %d numbers in all, and restarts from its best vectors when it is
full, for at most --max-steps steps (default ten times the basis). At
most %d eigenpairs, %d Lanczos steps, %d trace probes, %d density
probes and %d density steps, which keep a basis vector each.

With --json it prints {"value", "n" (the variables), "which",
"eigenvalues", "eigenvectors" (one object per eigenvalue, like
"gradient" of grad), "residuals" (‖Hv − λv‖), "hvps" (Lanczos's
products), "trace" ({"value", "stderr", "probes"} or null), "density"
({"probes", "steps", "nodes", "weights" (per probe), "sigma", "hvps"}
or null), "file" (with -o)}.

A Lanczos run that does not converge prints its best estimates and exits
with status 1; a Hessian-vector product that is not finite is an error
that names the product and the subexpression.`, maxBasisValues, maxTop, maxLanczosSteps, maxTraceProbes, maxDensityProbes, maxDensitySteps),
		Example: `  nabla spectrum -e 'x^2 + 3*x*y + 5*y^2' --at x=1,y=1
  nabla spectrum -f benchmarks/problems/chained_rosenbrock.nabla --at x=1*1000 --top 3 --density -o spectrum.svg`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return sf.run(cmd)
		},
	}
	sf.in.addFlags(cmd)
	sf.in.addWrtFlag(cmd)
	f := cmd.Flags()
	f.IntVar(&sf.top, "top", 5, "find `k` eigenvalues and eigenvectors (at most the number of variables)")
	f.IntVar(&sf.maxSteps, "max-steps", 0, "take at most `N` Lanczos steps for the eigenvalues (default ten times the basis)")
	f.StringVar(&sf.which, "which", "largest", "which eigenvalues: largest, smallest or magnitude")
	f.IntVar(&sf.traceProbes, "trace-probes", landscape.DefaultProbes, "estimate the trace from `m` probes (0: no trace)")
	f.BoolVar(&sf.density, "density", false, "estimate the eigenvalue density by stochastic Lanczos quadrature")
	f.IntVar(&sf.densityProbes, "density-probes", 10, "with --density: average `P` random vectors")
	f.IntVar(&sf.densitySteps, "density-steps", 80, "with --density: take `S` Lanczos steps per vector (at most the variables)")
	f.Float64Var(&sf.sigma, "sigma", 0, "the width of the Gaussians that smooth the drawn density (default a hundredth of its range)")
	f.StringVarP(&sf.out, "output", "o", "", "draw the density to `FILE` (.svg, .png or .pdf); implies --density")
	f.StringVar(&sf.title, "title", "", "the picture's title (default: Hessian eigenvalue density of the function)")
	f.Uint64Var(&sf.seed, "seed", 1, "the seed of the random vectors")
	return cmd
}

// check refuses flags out of their bounds, before the model is read.
func (sf *spectrumFlags) check(cmd *cobra.Command) error {
	var ok bool
	sf.w, ok = whichNames[sf.which]
	switch {
	case !ok:
		return fmt.Errorf("--which %q: want largest, smallest or magnitude", sf.which)
	case sf.top < 1 || sf.top > maxTop:
		return fmt.Errorf("--top %d: want 1 to %d", sf.top, maxTop)
	case sf.traceProbes != 0 && (sf.traceProbes < 2 || sf.traceProbes > maxTraceProbes):
		return fmt.Errorf("--trace-probes %d: want 0 (no trace) or 2 to %d, for a standard error", sf.traceProbes, maxTraceProbes)
	case sf.densityProbes < 1 || sf.densityProbes > maxDensityProbes:
		return fmt.Errorf("--density-probes %d: want 1 to %d", sf.densityProbes, maxDensityProbes)
	case sf.densitySteps < 1 || sf.densitySteps > maxDensitySteps:
		return fmt.Errorf("--density-steps %d: want 1 to %d", sf.densitySteps, maxDensitySteps)
	case sf.maxSteps < 0 || sf.maxSteps > maxLanczosSteps:
		return fmt.Errorf("--max-steps %d: want 1 to %d (0: ten times the basis)", sf.maxSteps, maxLanczosSteps)
	case !(sf.sigma >= 0) || math.IsInf(sf.sigma, 0):
		return fmt.Errorf("--sigma %g: want a positive finite width", sf.sigma)
	}
	if sf.out != "" {
		sf.density = true
	}
	for _, name := range []string{"density-probes", "density-steps", "sigma", "title"} {
		if cmd.Flags().Changed(name) && !sf.density {
			return fmt.Errorf("--%s tunes the density: give --density or -o too", name)
		}
	}
	return nil
}

func (sf *spectrumFlags) run(cmd *cobra.Command) error {
	if err := sf.check(cmd); err != nil {
		return &usageError{cmd, err}
	}
	if sf.out != "" {
		if err := checkPicture(cmd, "-o", sf.out); err != nil {
			return err
		}
	}
	j, err := sf.in.load(cmd, true)
	if err != nil {
		return err
	}
	n := len(j.x)
	k := sf.top
	if !cmd.Flags().Changed("top") {
		k = min(k, n)
	}
	if k > n {
		return &usageError{cmd, fmt.Errorf("--top %d: the function has %d variables, so at most %[2]d eigenvalues", k, n)}
	}
	basis := min(max(20*k, 300), n, maxBasisValues/n)
	if basis < min(k+2, n) {
		return &usageError{cmd, fmt.Errorf("--top %d: Lanczos keeps at least %d vectors of %d numbers, more than the %d numbers a basis may keep; ask for fewer", k, k+2, n, maxBasisValues)}
	}
	sf.densitySteps = min(sf.densitySteps, n)
	if sf.density && sf.densitySteps*n > maxBasisValues {
		return &usageError{cmd, fmt.Errorf("--density-steps %d × %d variables is more than the %d numbers a Lanczos basis may keep; lower --density-steps", sf.densitySteps, n, maxBasisValues)}
	}
	value, err := j.value()
	if err != nil {
		return fmt.Errorf("f is not finite at the point: %w", err)
	}

	hvp := landscape.HessianAt(j.f.Func, j.x)
	errw := cmd.ErrOrStderr()
	if isTerminal(errw) {
		hvp = countProducts(errw, hvp)
		defer fmt.Fprint(errw, "\r\033[K")
	}
	eig, eigErr := landscape.Lanczos(hvp, n, k, &landscape.LanczosOptions{Which: sf.w, MaxSteps: sf.maxSteps, Basis: basis, Seed: sf.seed})
	if eigErr != nil && !errors.Is(eigErr, landscape.ErrNotConverged) {
		return hessianError(eigErr)
	}
	var trace *landscape.Trace
	if sf.traceProbes > 0 {
		if trace, err = landscape.Hutchinson(hvp, n, sf.traceProbes, sf.seed); err != nil {
			return hessianError(err)
		}
	}
	var density *landscape.Density
	sigma := sf.sigma
	if sf.density {
		density, err = landscape.SpectralDensity(hvp, n, &landscape.DensityOptions{Probes: sf.densityProbes, Steps: sf.densitySteps, Seed: sf.seed})
		if err != nil {
			return hessianError(err)
		}
		if sigma == 0 {
			sigma = density.Width()
		}
	}
	if sf.out != "" {
		if err := sf.draw(j, density, eig, sigma); err != nil {
			return err
		}
	}

	if sf.in.json {
		err = writeJSON(cmd.OutOrStdout(), sf.json(j, value, eig, trace, density, sigma))
	} else {
		err = sf.print(cmd.OutOrStdout(), j, value, eig, trace, density)
	}
	if err != nil {
		return err
	}
	if eigErr != nil {
		return &answerError{msg: eigErr.Error()}
	}
	return nil
}

// hessianError says that a product with the Hessian failed because the
// Hessian is not finite at the point, when that is the cause: no spectrum
// can be estimated then.
func hessianError(err error) error {
	if ad.IsNonFinite(err) {
		return fmt.Errorf("the Hessian is not finite at the point: %w", err)
	}
	return err
}

// countProducts shows on w how many Hessian-vector products hvp has made.
func countProducts(w io.Writer, hvp landscape.HVP) landscape.HVP {
	done := 0
	return func(v, dst []float64) error {
		done++
		if done%10 == 0 {
			fmt.Fprintf(w, "\r%d Hessian-vector products", done)
		}
		return hvp(v, dst)
	}
}

// whichText describes the k eigenvalues --which asks for.
func whichText(which landscape.Which, k int) string {
	word := map[landscape.Which]string{landscape.Largest: "largest", landscape.Smallest: "smallest", landscape.LargestMagnitude: "largest in magnitude"}[which]
	if k == 1 {
		return "the " + word
	}
	return fmt.Sprintf("the %d %s", k, word)
}

// draw writes the density picture, with the eigenvalues marked.
func (sf *spectrumFlags) draw(j *job, d *landscape.Density, eig *landscape.Eigen, sigma float64) error {
	title := sf.title
	if title == "" {
		title = "Hessian eigenvalue density of " + j.signature()
	}
	fig, err := landscape.NewDensityPlot(d, landscape.DensityPlotOptions{
		Title:      title,
		Sigma:      sigma,
		Marks:      eig.Values,
		MarksLabel: whichText(sf.w, len(eig.Values)) + " eigenvalues (Lanczos)",
	})
	if err != nil {
		return err
	}
	if err := fig.Save(sf.out); err != nil {
		return fmt.Errorf("-o: %v", err)
	}
	return nil
}

// json returns the --json object.
func (sf *spectrumFlags) json(j *job, value float64, eig *landscape.Eigen, trace *landscape.Trace, d *landscape.Density, sigma float64) object {
	vectors := make([]object, len(eig.Values))
	col := make([]float64, len(j.x))
	for i := range vectors {
		for r := range col {
			col[r] = eig.Vectors.At(r, i)
		}
		vectors[i] = j.object(slices.Clone(col))
	}
	o := object{}.add("value", value).add("n", len(j.x)).add("which", sf.which).
		add("eigenvalues", eig.Values).add("eigenvectors", vectors).add("residuals", eig.Residuals).add("hvps", eig.HVPs)
	var to, do any // null unless computed
	if trace != nil {
		to = object{}.add("value", trace.Value).add("stderr", trace.StdErr).add("probes", trace.Probes)
	}
	if d != nil {
		do = object{}.add("probes", len(d.Nodes)).add("steps", sf.densitySteps).add("nodes", d.Nodes).
			add("weights", d.Weights).add("sigma", sigma).add("hvps", d.HVPs)
	}
	o = o.add("trace", to).add("density", do)
	if sf.out != "" {
		o = o.add("file", sf.out)
	}
	return o
}

// print writes the results for people, then how each was estimated.
func (sf *spectrumFlags) print(w io.Writer, j *job, value float64, eig *landscape.Eigen, trace *landscape.Trace, d *landscape.Density) error {
	t := newTable(w)
	t.row(j.signature(), "=", num(value))
	t.row("eigenvalues", "=", vec(eig.Values))
	notes := []string{fmt.Sprintf("eigenvalues: %s, by Lanczos in %s", whichText(sf.w, len(eig.Values)), plural(eig.HVPs, "Hessian-vector product"))}
	if trace != nil {
		t.row("trace", "≈", num(trace.Value)+" ± "+num(trace.StdErr))
		notes = append(notes, fmt.Sprintf("trace: Hutchinson's estimate from %d probes, ± one standard error", trace.Probes))
	}
	if d != nil {
		where := "in --json, or drawn with -o FILE"
		if sf.out != "" {
			where = "drawn in " + sf.out
		}
		t.row("density", "=", where)
		lo, hi := d.Range()
		notes = append(notes, fmt.Sprintf("density: stochastic Lanczos quadrature, %d probes × %d steps, nodes from %s to %s", len(d.Nodes), sf.densitySteps, num(lo), num(hi)))
	}
	if err := t.flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", strings.Join(notes, "\n"))
	return err
}
