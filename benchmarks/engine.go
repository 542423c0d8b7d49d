package benchmarks

import (
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/functions"

	"github.com/nabla-ad/nabla/benchmarks/internal/mghgen"
	"github.com/nabla-ad/nabla/expr"
)

// Engines are the sources of a problem's value and derivatives a suite can
// run its methods on: interp, nabla's compiled programs, run by its
// interpreter (the default); gen, the Go that nabla gen wrote for the
// built-in MGH problems (flat, with Hessian-vector products and Hessians,
// in package internal/mghgen); gonum, the hand-coded functions of gonum's
// optimize/functions, for the problems it has (GonumProblems).
var Engines = []string{"interp", "gen", "gonum"}

// objective is a problem's function as an engine computes it.
type objective interface {
	Eval(x []float64) (float64, error)
	Grad(x, grad []float64) (float64, error)
	Dim() int
}

// secondOrder is an objective with second derivatives, which newton and
// newton-cg find by type assertion.
type secondOrder interface {
	objective
	HVP(x, v, hv []float64) error
	Hessian(x []float64, h *mat.SymDense) error
}

// objectiveOf returns problem p's function as engine computes it; f is
// p's compiled function, the interp engine's.
func objectiveOf(engine string, p *Problem, f *expr.Func) (objective, error) {
	switch engine {
	case "interp":
		return f.Func, nil
	case "gen":
		if fn, ok := mghgen.Problems[p.Name]; ok && fn.N == p.N && isBuiltin(p) {
			return genObjective{fn}, nil
		}
	case "gonum":
		if peer, ok := gonumPeers[p.Name]; ok && isBuiltin(p) {
			if h, ok := peer.fn.(gonumHessian); ok && !peer.wrongHess {
				return gonumSecond{gonumObjective{peer.fn, p.N}, h}, nil
			}
			return gonumObjective{peer.fn, p.N}, nil
		}
	default:
		return nil, fmt.Errorf("unknown engine %q; the engines are %s", engine, strings.Join(Engines, ", "))
	}
	return nil, fmt.Errorf("engine %s has no code for problem %s", engine, p.Name)
}

// checkEngines returns an error naming the problems an engine has no code
// for.
func checkEngines(engines []string, problems []*Problem) error {
	for _, e := range engines {
		if !slices.Contains(Engines, e) {
			return fmt.Errorf("unknown engine %q; the engines are %s", e, strings.Join(Engines, ", "))
		}
		if e == "interp" {
			continue
		}
		var missing []string
		for _, p := range problems {
			if _, err := objectiveOf(e, p, nil); err != nil {
				missing = append(missing, p.Name)
			}
		}
		if len(missing) == 0 {
			continue
		}
		switch e {
		case "gen":
			return fmt.Errorf("engine gen has no code for %s: it has the built-in MGH problems (tag mgh), at their default sizes", strings.Join(missing, ", "))
		default:
			return fmt.Errorf("engine gonum has no code for %s: gonum's optimize/functions has %s", strings.Join(missing, ", "), strings.Join(GonumProblems(), ", "))
		}
	}
	return nil
}

// isBuiltin reports whether p is the built-in problem of its name, not a
// file of one's own that has its name.
func isBuiltin(p *Problem) bool {
	src, err := builtin.ReadFile("problems/" + p.Name + ".nabla")
	return err == nil && string(src) == p.Expr
}

// genObjective is a problem's generated Go.
type genObjective struct{ fn mghgen.Funcs }

func (g genObjective) Dim() int                                { return g.fn.N }
func (g genObjective) Eval(x []float64) (float64, error)       { return g.fn.Value(x), nil }
func (g genObjective) Grad(x, grad []float64) (float64, error) { return g.fn.Grad(x, grad), nil }

func (g genObjective) HVP(x, v, hv []float64) error {
	g.fn.HVP(x, v, hv)
	return nil
}

// Hessian writes the generated Hessian, both triangles, into h's memory
// when its rows are consecutive, as those of a new SymDense are.
func (g genObjective) Hessian(x []float64, h *mat.SymDense) error {
	n := g.fn.N
	raw := h.RawSymmetric()
	if raw.Stride == n {
		g.fn.Hessian(x, raw.Data[:n*n])
		return nil
	}
	dense := make([]float64, n*n)
	g.fn.Hessian(x, dense)
	for i := range n {
		for j := i; j < n; j++ {
			h.SetSym(i, j, dense[i*n+j])
		}
	}
	return nil
}

// gonumPeer is a problem that gonum's optimize/functions hand-codes.
type gonumPeer interface {
	Func(x []float64) float64
	Grad(grad, x []float64)
}

// gonumHessian is a gonum problem with a hand-coded Hessian.
type gonumHessian interface {
	Hess(h *mat.SymDense, x []float64)
}

// gonumPeers are the catalogue's problems that gonum's optimize/functions
// hand-codes, by name.
var gonumPeers = map[string]struct {
	fn gonumPeer
	// wrongHess marks a wrong Hessian: Beale's uses x[1] where it means
	// x[0] (gonum v0.17.0; right only when x[0] = x[1]).
	wrongHess bool
}{
	"beale":                    {fn: functions.Beale{}, wrongHess: true},
	"biggs_exp6":               {fn: functions.BiggsEXP6{}},
	"box_3d":                   {fn: functions.Box3D{}},
	"brown_dennis":             {fn: functions.BrownAndDennis{}},
	"brown_badly_scaled":       {fn: functions.BrownBadlyScaled{}},
	"extended_powell_singular": {fn: functions.ExtendedPowellSingular{}},
	"chained_rosenbrock":       {fn: functions.ExtendedRosenbrock{}}, // gonum's is the chained form
	"gaussian":                 {fn: functions.Gaussian{}},
	"gulf":                     {fn: functions.GulfResearchAndDevelopment{}},
	"helical_valley":           {fn: functions.HelicalValley{}},
	"penalty1":                 {fn: functions.PenaltyI{}},
	"penalty2":                 {fn: functions.PenaltyII{}},
	"powell_badly_scaled":      {fn: functions.PowellBadlyScaled{}},
	"trigonometric":            {fn: functions.Trigonometric{}},
	"variably_dimensioned":     {fn: functions.VariablyDimensioned{}},
	"watson":                   {fn: functions.Watson{}},
	"wood":                     {fn: functions.Wood{}},
}

// GonumProblems lists the problems the gonum engine has, sorted.
func GonumProblems() []string {
	var names []string
	for name := range gonumPeers {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// gonumObjective is a problem as gonum hand-codes it: its gradient is a
// call of Grad and one of Func, as gonum's optimizers make them.
type gonumObjective struct {
	fn gonumPeer
	n  int
}

func (g gonumObjective) Dim() int                          { return g.n }
func (g gonumObjective) Eval(x []float64) (float64, error) { return g.fn.Func(x), nil }

func (g gonumObjective) Grad(x, grad []float64) (float64, error) {
	g.fn.Grad(grad, x)
	return g.fn.Func(x), nil
}

// gonumSecond is a gonum problem with a right Hessian; its Hessian-vector
// product is the Hessian times the vector.
type gonumSecond struct {
	gonumObjective
	hess gonumHessian
}

func (g gonumSecond) Hessian(x []float64, h *mat.SymDense) error {
	g.hess.Hess(h, x)
	return nil
}

func (g gonumSecond) HVP(x, v, hv []float64) error {
	h := mat.NewSymDense(g.n, nil)
	g.Hessian(x, h)
	mat.NewVecDense(g.n, hv).MulVec(h, mat.NewVecDense(g.n, v))
	return nil
}
