package benchmarks

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/benchmarks/internal/rosen"
)

// The hand-written baselines are what nabla is measured against, so their
// arithmetic must really run in the benchmark loop. Each is a go:noinline
// function: an optimizer calls its gradient through a func value or an
// interface, so the call is part of the real cost, and the call keeps the
// compiler from folding the arithmetic into the loop. Scalar inputs come
// from package-level variables, which the compiler cannot treat as
// constants; scalar results are stored in sink, vector results stay in heap
// slices the caller owns. Checked with go1.26 on amd64 in the disassembly
// (go test -c, then go tool objdump -s 'Hand' benchmarks.test): the
// comment on each baseline says what its body computes.

// The functions nabla gen wrote for the benchmarks (package rosen), called
// through package-level func values, which the compiler cannot inline, as
// the hand baselines are go:noinline: an optimizer calls its gradient
// through a func value or an interface.
var (
	rosenbrock2Gen      = rosen.Rosenbrock2Grad
	rosenbrock2HVPGen   = rosen.Rosenbrock2HVP
	extRosenbrockGen    = map[int]func(x, grad []float64) float64{1000: rosen.Chained1e3Grad, 1000000: rosen.Chained1e6Grad}
	extRosenbrockHVPGen = map[int]func(x, v, hv []float64){1000000: rosen.Chained1e6HVP}
)

// at2 and dir2 are the point and direction of the two-variable cases.
var (
	at2  = [2]float64{-1.2, 1}
	dir2 = [2]float64{1, 1}
)

// sink receives the scalar results of the benchmark loops. The compiler
// must assume a package-level variable is read elsewhere, so it keeps the
// work behind every store; storing rather than summing keeps the
// iterations independent, as successive calls of a pure function are.
var sink [3]float64

// rosenbrock2Hand returns the value and gradient of
// f(x, y) = (1-x)² + 100(y-x²)². Disassembly: 8 MULSD, 3 SUBSD, 1 ADDSD,
// called once per iteration of BenchmarkGrad/rosenbrock2/hand.
//
//go:noinline
func rosenbrock2Hand(x, y float64) (f, gx, gy float64) {
	a, b := 1-x, y-x*x
	return a*a + 100*b*b, -2*a - 400*x*b, 200 * b
}

// rosenbrock2HVPHand returns the Hessian-vector product of
// f(x, y) = (1-x)² + 100(y-x²)² with (vx, vy). Disassembly: 9 MULSD,
// 2 ADDSD, 2 SUBSD, called once per iteration of
// BenchmarkHVP/rosenbrock2/hand.
//
//go:noinline
func rosenbrock2HVPHand(x, y, vx, vy float64) (hx, hy float64) {
	return (1200*x*x-400*y+2)*vx - 400*x*vy, -400*x*vx + 200*vy
}

// rosenbrock2HessHand returns the Hessian of f(x, y) = (1-x)² + 100(y-x²)²;
// ∂²f/∂y² is the constant 200. Disassembly: 4 MULSD, 1 ADDSD, 1 SUBSD,
// called once per iteration of BenchmarkHessian/rosenbrock2/hand.
//
//go:noinline
func rosenbrock2HessHand(x, y float64) (hxx, hxy, hyy float64) {
	return 1200*x*x - 400*y + 2, -400 * x, 200
}

// extRosenbrockHand returns the value of the extended (chained) Rosenbrock
// function Σ 100(x[i+1]-x[i]²)² + (1-x[i])² and writes its gradient into
// grad. Disassembly: a loop of 7 MULSD, 3 SUBSD and 5 ADDSD that loads
// x[i] and x[i+1] and updates grad[i] and grad[i+1] in memory, called once
// per iteration of BenchmarkGrad/extrosen*/hand.
//
//go:noinline
func extRosenbrockHand(x, grad []float64) float64 {
	clear(grad)
	f := 0.0
	for i := 0; i+1 < len(x); i++ {
		a, b := 1-x[i], x[i+1]-x[i]*x[i]
		f += 100*b*b + a*a
		grad[i] += -400*x[i]*b - 2*a
		grad[i+1] += 200 * b
	}
	return f
}

// extRosenbrockHVPHand writes the Hessian-vector product of the extended
// Rosenbrock function with v into hv. Disassembly: a loop of 9 MULSD,
// 2 SUBSD and 4 ADDSD that loads x and v and updates hv[i] and hv[i+1] in
// memory, called once per iteration of BenchmarkHVP/extrosen*/hand.
//
//go:noinline
func extRosenbrockHVPHand(x, v, hv []float64) {
	clear(hv)
	for i := 0; i+1 < len(x); i++ {
		hv[i] += (1200*x[i]*x[i]-400*x[i+1]+2)*v[i] - 400*x[i]*v[i+1]
		hv[i+1] += -400*x[i]*v[i] + 200*v[i+1]
	}
}

// lsqHand returns the least-squares loss 0.5‖Xw − y‖² and writes its
// gradient Xᵀ(Xw − y) into grad, with gonum's mat: two matrix-vector
// products (gemv) and the residual r, a buffer of the caller's, between
// them. It is called once per iteration of BenchmarkGrad/lsq1e5/hand.
//
//go:noinline
func lsqHand(X *mat.Dense, y, w, r, grad *mat.VecDense) float64 {
	r.MulVec(X, w)
	r.SubVec(r, y)
	grad.MulVec(X.T(), r)
	return 0.5 * floats.Dot(r.RawVector().Data, r.RawVector().Data)
}

// lsqData returns the least-squares problem of the benchmarks: X, m×n of
// values in [-1, 1], y of m and the point w of n, the same every run.
func lsqData(m, n int) (X *mat.Dense, y, w *mat.VecDense) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(k int) []float64 {
		v := make([]float64, k)
		for i := range v {
			v[i] = 2*rng.Float64() - 1
		}
		return v
	}
	return mat.NewDense(m, n, random(m*n)), mat.NewVecDense(m, random(m)), mat.NewVecDense(n, random(n))
}

// lsqGradient compiles the value and gradient of 0.5*sum((X @ w - y)^2),
// with X and y constants, and returns the program, a workspace and the
// input w.
func lsqGradient(X *mat.Dense, y, w *mat.VecDense) (*ad.Program, *ad.Workspace, [][]float64, error) {
	m, n := X.Dims()
	b := ad.NewBuilder()
	wv := b.Var("w", ad.Vector(n))
	r := b.Sub(b.MatMul(b.ConstMatrix(m, n, X.RawMatrix().Data), wv), b.ConstVec(y.RawVector().Data))
	f := b.Mul(b.Const(0.5), b.Sum(b.Pow(r, b.Const(2))))
	if err := b.Err(); err != nil {
		return nil, nil, nil, err
	}
	grad, err := b.Graph().Grad(f, wv)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := b.Graph().Compile(f, grad[0])
	if err != nil {
		return nil, nil, nil, err
	}
	return p, p.NewWorkspace(), [][]float64{w.RawVector().Data}, nil
}

// extRosenbrock builds the extended Rosenbrock function of a vector of n
// variables with vector ops.
func extRosenbrock(g *ad.Graph, n int) (f, x ad.Node) {
	x, _ = g.Var("x", ad.Vector(n))
	hi, _ := g.Slice(x, 1, ad.None, 1)
	lo, _ := g.Slice(x, ad.None, -1, 1)
	lo2, _ := g.Pow(lo, g.Const(2))
	d, _ := g.Sub(hi, lo2)
	d2, _ := g.Pow(d, g.Const(2))
	t1, _ := g.Mul(g.Const(100), d2)
	e, _ := g.Sub(g.Const(1), lo)
	e2, _ := g.Pow(e, g.Const(2))
	s, _ := g.Add(t1, e2)
	f, _ = g.Call("sum", s)
	return f, x
}

func rosenbrock2(g *ad.Graph) (f, x, y ad.Node) {
	x, _ = g.Var("x", ad.Scalar())
	y, _ = g.Var("y", ad.Scalar())
	a, _ := g.Sub(g.Const(1), x)
	a2, _ := g.Pow(a, g.Const(2))
	x2, _ := g.Pow(x, g.Const(2))
	b, _ := g.Sub(y, x2)
	b2, _ := g.Pow(b, g.Const(2))
	t, _ := g.Mul(g.Const(100), b2)
	f, _ = g.Add(a2, t)
	return f, x, y
}

// startPoint returns the standard start of the chained Rosenbrock
// problem: -1.2, 1, -1.2, 1, …
func startPoint(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = at2[i%2]
	}
	return x
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// extRosenbrockSizes are the sizes of the extended Rosenbrock cases, from
// one where dispatch is everything to ones where memory traffic is.
var extRosenbrockSizes = []struct {
	name string
	n    int
}{{"extrosen2", 2}, {"extrosen1e3", 1000}, {"extrosen1e5", 100000}, {"extrosen1e6", 1000000}}

// peakFrom is the smallest n for which a gradient benchmark reports its
// peak heap: below it, the program's fixed size dominates the ratio.
const peakFrom = 100000

// BenchmarkGrad measures value and gradient together: hand-written, as a
// compiled program of package ad, and through the expr.Func of the
// catalogue's chained_rosenbrock problem (expr.Compile, then the embedded
// ad.Func's Grad, as the CLI and the optimizers call it). From n = 1e5 on,
// the nabla and expr cases report peak-heap/x+g (see gradientHeap). The
// models' cases (benchModels) compare the loss and gradient of a perceptron
// and of a logistic regression, hand-written and compiled.
func BenchmarkGrad(b *testing.B) {
	b.Run("rosenbrock2/hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink[0], sink[1], sink[2] = rosenbrock2Hand(at2[0], at2[1])
		}
	})
	b.Run("rosenbrock2/nabla", func(b *testing.B) {
		g := ad.NewGraph()
		f, x, y := rosenbrock2(g)
		grad, _ := g.Grad(f, x, y)
		runScalars(b, g, [][]float64{at2[:1], at2[1:]}, f, grad[0], grad[1])
	})
	b.Run("rosenbrock2/gen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink[0], sink[1], sink[2] = rosenbrock2Gen(at2[0], at2[1])
		}
	})
	for _, c := range extRosenbrockSizes {
		b.Run(c.name+"/hand", func(b *testing.B) {
			x, grad := startPoint(c.n), make([]float64, c.n)
			b.ReportAllocs()
			for b.Loop() {
				sink[0] = extRosenbrockHand(x, grad)
			}
		})
		b.Run(c.name+"/nabla", func(b *testing.B) {
			p, ws, in, peak, err := adGradient(c.n)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Run(ws, in)
				sink[0] = ws.Scalar(0)
			}
			b.ReportMetric(float64(p.BufferLen())/float64(c.n), "buffers/n")
			if c.n >= peakFrom {
				b.ReportMetric(peak, "peak-heap/x+g")
			}
		})
		if gen := extRosenbrockGen[c.n]; gen != nil {
			b.Run(c.name+"/gen", func(b *testing.B) {
				var x, grad []float64
				peak := gradientHeap(c.n, func() {}, func() {
					x, grad = startPoint(c.n), make([]float64, c.n)
					sink[0] = gen(x, grad)
				})
				b.ReportAllocs()
				for b.Loop() {
					sink[0] = gen(x, grad)
				}
				if c.n >= peakFrom {
					b.ReportMetric(peak, "peak-heap/x+g")
				}
			})
		}
		b.Run(c.name+"/expr", func(b *testing.B) {
			f, x, g, peak, err := exprGradient(c.n)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				sink[0], _ = f.Grad(x, g)
			}
			if c.n >= peakFrom {
				b.ReportMetric(peak, "peak-heap/x+g")
			}
		})
	}
	// Least squares 0.5‖Xw − y‖² with X a 100 000×20 constant: two
	// matrix-vector products, on BLAS in both.
	X, y, w := lsqData(100000, 20)
	b.Run("lsq1e5/hand", func(b *testing.B) {
		m, n := X.Dims()
		r, grad := mat.NewVecDense(m, nil), mat.NewVecDense(n, nil)
		b.ReportAllocs()
		for b.Loop() {
			sink[0] = lsqHand(X, y, w, r, grad)
		}
	})
	b.Run("lsq1e5/nabla", func(b *testing.B) {
		p, ws, in, err := lsqGradient(X, y, w)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = p.Run(ws, in)
			sink[0] = ws.Scalar(0)
		}
	})
	benchModels(b)
}

func BenchmarkEval(b *testing.B) {
	const n = 1000000
	b.Run("extrosen1e6/nabla", func(b *testing.B) {
		g := ad.NewGraph()
		f, _ := extRosenbrock(g, n)
		p, err := g.Compile(f)
		if err != nil {
			b.Fatal(err)
		}
		ws := p.NewWorkspace()
		in := [][]float64{startPoint(n)}
		b.ReportAllocs()
		for b.Loop() {
			_ = p.Run(ws, in)
			sink[0] = ws.Scalar(0)
		}
	})
}

// BenchmarkCompile compiles the gradient of a sum of 1e5 distinct terms.
func BenchmarkCompile(b *testing.B) {
	b.Run("nodes1e5", func(b *testing.B) {
		g := ad.NewGraph()
		x, _ := g.Var("x", ad.Scalar())
		f := g.Const(0)
		for i := range 20000 {
			t, _ := g.Mul(g.Const(float64(i+1)), x)
			t, _ = g.Call("sin", t)
			f, _ = g.Add(f, t)
		}
		grad, _ := g.Grad(f, x)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.Compile(f, grad[0]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.Len()), "ns/node")
	})
	// A small program of scalar arithmetic, which linux/amd64 builds
	// compile on to machine code (a mapping of its own).
	b.Run("rosenbrock2", func(b *testing.B) {
		g := ad.NewGraph()
		f, x, y := rosenbrock2(g)
		grad, _ := g.Grad(f, x, y)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.Compile(f, grad[0], grad[1]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.Len()), "ns/node")
	})
}

// BenchmarkHVP measures Hessian-vector products with v = (1, …, 1).
func BenchmarkHVP(b *testing.B) {
	b.Run("rosenbrock2/hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink[0], sink[1] = rosenbrock2HVPHand(at2[0], at2[1], dir2[0], dir2[1])
		}
	})
	b.Run("rosenbrock2/nabla", func(b *testing.B) {
		g := ad.NewGraph()
		f, x, y := rosenbrock2(g)
		vx, _ := g.Var("vx", ad.Scalar())
		vy, _ := g.Var("vy", ad.Scalar())
		hv, err := g.HVP(f, []ad.Node{x, y}, []ad.Node{vx, vy})
		if err != nil {
			b.Fatal(err)
		}
		runScalars(b, g, [][]float64{at2[:1], at2[1:], dir2[:1], dir2[1:]}, hv...)
	})
	b.Run("rosenbrock2/gen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink[0], sink[1] = rosenbrock2HVPGen(at2[0], at2[1], dir2[0], dir2[1])
		}
	})
	for _, c := range extRosenbrockSizes {
		b.Run(c.name+"/hand", func(b *testing.B) {
			x, v, hv := startPoint(c.n), ones(c.n), make([]float64, c.n)
			b.ReportAllocs()
			for b.Loop() {
				extRosenbrockHVPHand(x, v, hv)
			}
		})
		if gen := extRosenbrockHVPGen[c.n]; gen != nil {
			b.Run(c.name+"/gen", func(b *testing.B) {
				x, v, hv := startPoint(c.n), ones(c.n), make([]float64, c.n)
				b.ReportAllocs()
				for b.Loop() {
					gen(x, v, hv)
				}
			})
		}
		b.Run(c.name+"/nabla", func(b *testing.B) {
			p, ws, in := tangentProgram(b, c.n, hvp)
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Run(ws, in)
			}
			b.ReportMetric(float64(p.BufferLen())/float64(c.n), "buffers/n")
		})
	}
}

// hvp returns the Hessian-vector product of f with v, for tangentProgram.
func hvp(g *ad.Graph, f, x, v ad.Node) []ad.Node {
	grad, _ := g.Grad(f, x)
	hv, _ := g.JVP(grad, []ad.Node{x}, []ad.Node{v})
	return hv
}

// tangentProgram compiles the outputs build makes from the extended
// Rosenbrock function f of x and a tangent variable v, and returns it with
// a workspace and the inputs x0 and v = (1, …, 1).
func tangentProgram(tb testing.TB, n int, build func(g *ad.Graph, f, x, v ad.Node) []ad.Node) (*ad.Program, *ad.Workspace, [][]float64) {
	g := ad.NewGraph()
	f, x := extRosenbrock(g, n)
	v, _ := g.Var("v", ad.Vector(n))
	p, err := g.Compile(build(g, f, x, v)...)
	if err != nil {
		tb.Fatal(err)
	}
	return p, p.NewWorkspace(), [][]float64{startPoint(n), ones(n)}
}

func BenchmarkJVP(b *testing.B) {
	const n = 1000000
	b.Run("extrosen1e6/nabla", func(b *testing.B) {
		p, ws, in := tangentProgram(b, n, func(g *ad.Graph, f, x, v ad.Node) []ad.Node {
			t, _ := g.JVP([]ad.Node{f}, []ad.Node{x}, []ad.Node{v})
			return []ad.Node{f, t[0]}
		})
		b.ReportAllocs()
		for b.Loop() {
			_ = p.Run(ws, in)
			sink[0] = ws.Scalar(1)
		}
	})
}

func BenchmarkHessian(b *testing.B) {
	b.Run("rosenbrock2/hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink[0], sink[1], sink[2] = rosenbrock2HessHand(at2[0], at2[1])
		}
	})
	b.Run("rosenbrock2/nabla", func(b *testing.B) {
		g := ad.NewGraph()
		f, x, y := rosenbrock2(g)
		h, err := g.Hessian(f, x, y)
		if err != nil {
			b.Fatal(err)
		}
		runScalars(b, g, [][]float64{at2[:1], at2[1:]}, h[0][0], h[0][1], h[1][1])
	})
}

// runScalars benchmarks the program of two or three scalar outputs at the
// point in, reading them as the hand-written versions return them: one
// read and one store per output, written out as a caller with named
// results would, not a loop over outs, whose bookkeeping the hand-written
// loops do not pay.
func runScalars(b *testing.B, g *ad.Graph, in [][]float64, outs ...ad.Node) {
	p, err := g.Compile(outs...)
	if err != nil {
		b.Fatal(err)
	}
	ws := p.NewWorkspace()
	b.ReportAllocs()
	switch len(outs) {
	case 2:
		for b.Loop() {
			_ = p.Run(ws, in)
			sink[0], sink[1] = ws.Scalar(0), ws.Scalar(1)
		}
	case 3:
		for b.Loop() {
			_ = p.Run(ws, in)
			sink[0], sink[1], sink[2] = ws.Scalar(0), ws.Scalar(1), ws.Scalar(2)
		}
	default:
		b.Fatalf("runScalars reads two or three outputs, not %d", len(outs))
	}
}

// BenchmarkEngines times one gradient of each MGH problem at its standard
// start on each engine of the optimizer suite (Engines), as the suite's
// methods call it: interp, the problem's expr.Func; gen, the Go of
// internal/mghgen; gonum, gonum's hand-coded Grad and Func, where gonum
// has the problem.
func BenchmarkEngines(b *testing.B) {
	ps, err := Select("mgh")
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range ps {
		f, x0, err := p.Func(p.N)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range Engines {
			obj, err := objectiveOf(e, p, f)
			if err != nil {
				continue // gonum has not every problem
			}
			b.Run(p.Name+"/"+e, func(b *testing.B) {
				grad := make([]float64, p.N)
				b.ReportAllocs()
				for b.Loop() {
					sink[0], _ = obj.Grad(x0, grad)
				}
			})
		}
	}
}
