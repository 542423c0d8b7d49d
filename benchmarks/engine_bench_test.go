package benchmarks

import (
	"testing"

	"github.com/nabla-ad/nabla/ad"
)

// Hand-written value and gradient of f(x, y) = (1-x)² + 100(y-x²)².
func rosenbrock2Hand(x, y float64) (f, gx, gy float64) {
	a, b := 1-x, y-x*x
	return a*a + 100*b*b, -2*a - 400*x*b, 200 * b
}

// Hand-written value and gradient of the extended (chained) Rosenbrock
// function Σ 100(x[i+1]-x[i]²)² + (1-x[i])².
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

// Hand-written Hessian-vector product of the extended Rosenbrock function.
func extRosenbrockHVPHand(x, v, hv []float64) {
	clear(hv)
	for i := 0; i+1 < len(x); i++ {
		hv[i] += (1200*x[i]*x[i]-400*x[i+1]+2)*v[i] - 400*x[i]*v[i+1]
		hv[i+1] += -400*x[i]*v[i] + 200*v[i+1]
	}
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

func startPoint(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = -1.2
		if i%2 == 1 {
			x[i] = 1.5
		}
	}
	return x
}

var sink float64

func BenchmarkGrad(b *testing.B) {
	b.Run("rosenbrock2/hand", func(b *testing.B) {
		x, y := -1.2, 1.0
		for b.Loop() {
			f, gx, gy := rosenbrock2Hand(x, y)
			sink += f + gx + gy
		}
	})
	b.Run("rosenbrock2/nabla", func(b *testing.B) {
		g := ad.NewGraph()
		f, x, y := rosenbrock2(g)
		grad, _ := g.Grad(f, x, y)
		runScalars(b, g, [][]float64{{-1.2}, {1}}, f, grad[0], grad[1])
	})
	for _, c := range []struct {
		name string
		n    int
	}{{"extrosen1e3", 1000}, {"extrosen1e6", 1000000}} {
		b.Run(c.name+"/hand", func(b *testing.B) {
			x, grad := startPoint(c.n), make([]float64, c.n)
			b.ReportAllocs()
			for b.Loop() {
				sink += extRosenbrockHand(x, grad)
			}
		})
		b.Run(c.name+"/nabla", func(b *testing.B) {
			g := ad.NewGraph()
			f, x := extRosenbrock(g, c.n)
			grad, _ := g.Grad(f, x)
			p, err := g.Compile(f, grad[0])
			if err != nil {
				b.Fatal(err)
			}
			ws := p.NewWorkspace()
			in := [][]float64{startPoint(c.n)}
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Run(ws, in)
				sink += ws.Scalar(0)
			}
			b.ReportMetric(float64(p.BufferLen())/float64(c.n), "buffers/n")
		})
	}
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
			sink += ws.Scalar(0)
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
}

func BenchmarkHVP(b *testing.B) {
	const n = 1000000
	b.Run("extrosen1e6/hand", func(b *testing.B) {
		x, v, hv := startPoint(n), make([]float64, n), make([]float64, n)
		for i := range v {
			v[i] = 1
		}
		b.ReportAllocs()
		for b.Loop() {
			extRosenbrockHVPHand(x, v, hv)
		}
	})
	b.Run("extrosen1e6/nabla", func(b *testing.B) {
		p, ws, in := tangentProgram(b, n, func(g *ad.Graph, f, x, v ad.Node) []ad.Node {
			grad, _ := g.Grad(f, x)
			hv, _ := g.JVP(grad, []ad.Node{x}, []ad.Node{v})
			return hv
		})
		b.ReportAllocs()
		for b.Loop() {
			_ = p.Run(ws, in)
		}
		b.ReportMetric(float64(p.BufferLen())/float64(n), "buffers/n")
	})
}

// tangentProgram compiles the outputs build makes from the extended
// Rosenbrock function f of x and a tangent variable v, and returns it with
// a workspace and the inputs x0 and v = (1, …, 1).
func tangentProgram(b *testing.B, n int, build func(g *ad.Graph, f, x, v ad.Node) []ad.Node) (*ad.Program, *ad.Workspace, [][]float64) {
	g := ad.NewGraph()
	f, x := extRosenbrock(g, n)
	v, _ := g.Var("v", ad.Vector(n))
	p, err := g.Compile(build(g, f, x, v)...)
	if err != nil {
		b.Fatal(err)
	}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	return p, p.NewWorkspace(), [][]float64{startPoint(n), ones}
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
			sink += ws.Scalar(1)
		}
	})
}

// Hand-written Hessian of f(x, y) = (1-x)² + 100(y-x²)².
func rosenbrock2HessHand(x, y float64) (hxx, hxy, hyy float64) {
	return 1200*x*x - 400*y + 2, -400 * x, 200
}

func BenchmarkHessian(b *testing.B) {
	b.Run("rosenbrock2/hand", func(b *testing.B) {
		for b.Loop() {
			hxx, hxy, hyy := rosenbrock2HessHand(-1.2, 1)
			sink += hxx + hxy + hyy
		}
	})
	b.Run("rosenbrock2/nabla", func(b *testing.B) {
		g := ad.NewGraph()
		f, x, y := rosenbrock2(g)
		h, err := g.Hessian(f, x, y)
		if err != nil {
			b.Fatal(err)
		}
		runScalars(b, g, [][]float64{{-1.2}, {1}}, h[0][0], h[0][1], h[1][1])
	})
}

// runScalars benchmarks the program of three scalar outputs at the point
// in, reading them as the hand-written versions return them.
func runScalars(b *testing.B, g *ad.Graph, in [][]float64, o0, o1, o2 ad.Node) {
	p, err := g.Compile(o0, o1, o2)
	if err != nil {
		b.Fatal(err)
	}
	ws := p.NewWorkspace()
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Run(ws, in)
		sink += ws.Scalar(0) + ws.Scalar(1) + ws.Scalar(2)
	}
}
