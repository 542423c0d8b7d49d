package landscape

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// rng returns the random generator of a seed, as viz.RandomPlane makes it.
func rng(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// rademacher fills v with random signs, ±1 each with probability ½.
func rademacher(r *rand.Rand, v []float64) {
	for i := range v {
		v[i] = float64(1 - 2*int(r.Uint64()&1))
	}
}

// A Trace is an estimate of the trace of a matrix.
type Trace struct {
	// Value is the estimate, the mean of zᵀHz over the probes z.
	Value float64
	// StdErr is its standard error: the standard deviation of zᵀHz
	// over the probes divided by √Probes.
	StdErr float64
	// Probes is the number of probes, each one HVP.
	Probes int
}

// DefaultProbes is the number of probes Hutchinson takes when asked for
// none.
const DefaultProbes = 100

// Hutchinson estimates the trace of the symmetric n×n matrix that hvp
// multiplies by, as the mean of zᵀHz over probes z of random signs
// (Hutchinson 1990): an unbiased estimate whose variance, 2(‖H‖²_F − Σ
// Hᵢᵢ²) per probe, is the least of any distribution of probes. A probes of
// zero means DefaultProbes; at least two are needed for a standard error.
// The seed chooses the probes.
func Hutchinson(hvp HVP, n, probes int, seed uint64) (*Trace, error) {
	if probes == 0 {
		probes = DefaultProbes
	}
	switch {
	case n < 1:
		return nil, fmt.Errorf("the matrix has %d rows; want at least 1", n)
	case probes < 2:
		return nil, fmt.Errorf("%d probes give no standard error; want at least 2", probes)
	}
	r := rng(seed)
	z, hz := make([]float64, n), make([]float64, n)
	samples := make([]float64, probes)
	for p := range samples {
		rademacher(r, z)
		if err := product(hvp, z, hz, p); err != nil {
			return nil, err
		}
		samples[p] = floats.Dot(z, hz)
	}
	mean, sd := stat.MeanStdDev(samples, nil)
	return &Trace{Value: mean, StdErr: sd / math.Sqrt(float64(probes)), Probes: probes}, nil
}

// product runs hvp and says which product failed or was not finite.
func product(hvp HVP, v, dst []float64, k int) error {
	if err := hvp(v, dst); err != nil {
		return fmt.Errorf("Hessian-vector product %d: %w", k+1, err)
	}
	if i := slices.IndexFunc(dst, func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }); i >= 0 {
		return fmt.Errorf("Hessian-vector product %d is not finite: element %d is %g", k+1, i, dst[i])
	}
	return nil
}

// DensityOptions tune Density. The zero value, or a nil pointer, is ready
// to use.
type DensityOptions struct {
	// Probes is the number of random starting vectors whose quadratures
	// are averaged; zero means 10.
	Probes int
	// Steps is the number of Lanczos steps, and so of quadrature nodes,
	// per probe; zero means min(n, 80).
	Steps int
	// Seed chooses the probes.
	Seed uint64
}

// A Density is the eigenvalue density of a symmetric matrix, φ(t) =
// (1/n) Σᵢ δ(t − λᵢ), as stochastic Lanczos quadrature approximates it: for
// each probe, Gauss quadrature nodes (the Ritz values) with weights that
// sum to one.
type Density struct {
	// Nodes and Weights hold each probe's quadrature: Nodes[p][i] carries
	// the mass Weights[p][i].
	Nodes, Weights [][]float64
	// HVPs is the number of matrix-vector products made.
	HVPs int
}

// SpectralDensity approximates the eigenvalue density of the symmetric n×n
// matrix that hvp multiplies by, by stochastic Lanczos quadrature (Ubaru,
// Chen and Saad 2017; Yao et al., PyHessian, 2020): from each of a few
// probes v of random signs, Lanczos builds the tridiagonal matrix T whose
// eigenvalues θᵢ and squared first eigenvector components τᵢ are the
// nodes and weights of the Gauss quadrature of vᵀg(H)v/‖v‖². Their average
// over the probes is a distribution whose moments estimate those of the
// spectrum; Density.At smooths it into a curve. Each probe's
// Lanczos basis is fully reorthogonalized.
func SpectralDensity(hvp HVP, n int, opts *DensityOptions) (*Density, error) {
	if opts == nil {
		opts = &DensityOptions{}
	}
	probes, steps := opts.Probes, opts.Steps
	if probes == 0 {
		probes = 10
	}
	if steps == 0 {
		steps = 80
	}
	switch {
	case n < 1:
		return nil, fmt.Errorf("the matrix has %d rows; want at least 1", n)
	case probes < 1:
		return nil, fmt.Errorf("%d probes; want at least 1", probes)
	case steps < 1:
		return nil, fmt.Errorf("%d Lanczos steps; want at least 1", steps)
	}
	steps = min(steps, n)
	r := rng(opts.Seed)
	d := &Density{}
	for range probes {
		v := make([]float64, n)
		rademacher(r, v)
		kr := startKrylov(hvp, v, d.HVPs)
		for kr.next != nil && kr.hvps < steps {
			if _, err := kr.step(); err != nil {
				return nil, err
			}
		}
		d.HVPs += kr.hvps
		theta, s, err := kr.projected()
		if err != nil {
			return nil, err
		}
		w := make([]float64, len(theta))
		for i := range w {
			w[i] = s.At(0, i) * s.At(0, i)
		}
		d.Nodes = append(d.Nodes, theta)
		d.Weights = append(d.Weights, w)
	}
	return d, nil
}

// Range returns the least and the greatest node.
func (d *Density) Range() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, nodes := range d.Nodes {
		lo, hi = min(lo, slices.Min(nodes)), max(hi, slices.Max(nodes))
	}
	return lo, hi
}

// Width returns the default width of the Gaussians that At puts at the
// nodes: a hundredth of the nodes' range, or of their magnitude when they
// coincide, or 1e-3 when all are zero.
func (d *Density) Width() float64 {
	lo, hi := d.Range()
	switch {
	case hi > lo:
		return (hi - lo) / 100
	case hi != 0:
		return math.Abs(hi) / 100
	}
	return 1e-3
}

// At returns the density at t smoothed by a Gaussian of standard deviation
// sigma at each node: the average over the probes of Σᵢ τᵢ N(t; θᵢ, σ²),
// which integrates to one.
func (d *Density) At(t, sigma float64) float64 {
	sum := 0.0
	for p, nodes := range d.Nodes {
		for i, theta := range nodes {
			z := (t - theta) / sigma
			sum += d.Weights[p][i] * math.Exp(-z*z/2)
		}
	}
	return sum / (sigma * math.Sqrt(2*math.Pi) * float64(len(d.Nodes)))
}

// Curve returns the smoothed density at points evenly spaced t from lo
// to hi, ends included.
func (d *Density) Curve(lo, hi float64, points int, sigma float64) (ts, phi []float64, err error) {
	switch {
	case points < 2:
		return nil, nil, fmt.Errorf("a curve of %d points; want at least 2", points)
	case !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0):
		return nil, nil, fmt.Errorf("the interval [%g, %g] is empty or not finite", lo, hi)
	case !(sigma > 0) || math.IsInf(sigma, 0):
		return nil, nil, errors.New("the width of the density's Gaussians must be positive and finite")
	}
	ts, phi = make([]float64, points), make([]float64, points)
	floats.Span(ts, lo, hi)
	for i, t := range ts {
		phi[i] = d.At(t, sigma)
	}
	return ts, phi, nil
}
