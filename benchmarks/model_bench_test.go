package benchmarks

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/internal/atomicfile"
)

// The models of the engine benchmarks: the loss of a model on data and its
// gradient with respect to the parameters, the data held fixed. Each has a
// hand-written baseline on gonum's mat, the way a Go programmer would write
// the forward and backward pass: buffers allocated once, products on BLAS,
// the elementwise work in loops over the raw rows. Data and parameters are
// random numbers from a fixed seed in heap slices, so the compiler cannot
// treat them as constants, and the loss is stored in sink.

// The perceptron: mlpN points of mlpD features, one hidden layer of mlpH
// tanh units and mlpK classes; the loss is the mean softmax cross-entropy
// mean(logsumexp(Z, axis=1) − sum(Y∘Z, axis=1)) of the logits
// Z = tanh(X W1 + b1) W2 + b2, with Y the one-hot classes.
const (
	mlpN = 1000
	mlpD = 32
	mlpH = 64
	mlpK = 10
)

// mlpParams are the perceptron's parameters in the order of its inputs.
var mlpParams = []struct {
	name string
	rows int // 1 for a vector
	cols int
}{{"W1", mlpD, mlpH}, {"b1", 1, mlpH}, {"W2", mlpH, mlpK}, {"b2", 1, mlpK}}

// mlpData returns the points X, row by row, their one-hot classes Y, drawn
// uniformly, and the parameters W1, b1, W2, b2 with elements of standard
// deviation 1/√(inputs of their layer).
func mlpData() (X, Y []float64, params [][]float64) {
	rng := rand.New(rand.NewPCG(5, 5))
	X = make([]float64, mlpN*mlpD)
	for i := range X {
		X[i] = rng.NormFloat64()
	}
	Y = make([]float64, mlpN*mlpK)
	for i := range mlpN {
		Y[i*mlpK+rng.IntN(mlpK)] = 1
	}
	for _, p := range mlpParams {
		v := make([]float64, p.rows*p.cols)
		fanIn := float64(mlpD)
		if p.name[1] == '2' {
			fanIn = mlpH
		}
		for i := range v {
			v[i] = rng.NormFloat64() / math.Sqrt(fanIn)
		}
		params = append(params, v)
	}
	return X, Y, params
}

// mlpHand is the hand-written perceptron: the data, views of the
// parameters and of the gradient, and the buffers of the passes.
type mlpHand struct {
	X, Y                 *mat.Dense
	W1, W2, gW1, gW2     *mat.Dense
	b1, b2, gb1, gb2     []float64
	hidden, logits, back *mat.Dense // tanh(X W1 + b1), Z then ∂loss/∂Z, ∂loss/∂(X W1 + b1)
}

// newMLPHand returns the perceptron of the data X, Y, with parameters and
// gradient in params and grad (W1, b1, W2, b2 each), which it reads and
// writes in place.
func newMLPHand(X, Y []float64, params, grad [][]float64) *mlpHand {
	return &mlpHand{
		X: mat.NewDense(mlpN, mlpD, X), Y: mat.NewDense(mlpN, mlpK, Y),
		W1: mat.NewDense(mlpD, mlpH, params[0]), W2: mat.NewDense(mlpH, mlpK, params[2]),
		gW1: mat.NewDense(mlpD, mlpH, grad[0]), gW2: mat.NewDense(mlpH, mlpK, grad[2]),
		b1: params[1], b2: params[3], gb1: grad[1], gb2: grad[3],
		hidden: mat.NewDense(mlpN, mlpH, nil),
		logits: mat.NewDense(mlpN, mlpK, nil),
		back:   mat.NewDense(mlpN, mlpH, nil),
	}
}

// grad returns the perceptron's loss and writes its gradient. Three
// products forward and back (Dgemm), one exp per logit, one tanh per
// hidden unit.
//
//go:noinline
func (m *mlpHand) grad() float64 {
	n := float64(mlpN)
	m.hidden.Mul(m.X, m.W1)
	h := m.hidden.RawMatrix().Data
	for i := 0; i < len(h); i += mlpH {
		row := h[i : i+mlpH]
		for j := range row {
			row[j] = math.Tanh(row[j] + m.b1[j])
		}
	}
	m.logits.Mul(m.hidden, m.W2)
	z, y := m.logits.RawMatrix().Data, m.Y.RawMatrix().Data
	loss := 0.0
	for i := 0; i < len(z); i += mlpK {
		zi, yi := z[i:i+mlpK], y[i:i+mlpK]
		floats.Add(zi, m.b2)
		top := floats.Max(zi)
		loss -= floats.Dot(yi, zi)
		sum := 0.0
		for j := range zi {
			zi[j] = math.Exp(zi[j] - top)
			sum += zi[j]
		}
		loss += top + math.Log(sum)
		// ∂loss/∂Z is (softmax(Z) − Y)/n.
		for j := range zi {
			zi[j] = (zi[j]/sum - yi[j]) / n
		}
	}
	m.gW2.Mul(m.hidden.T(), m.logits)
	columnSums(m.gb2, z)
	m.back.Mul(m.logits, m.W2.T())
	d := m.back.RawMatrix().Data
	for i := range d {
		d[i] *= 1 - h[i]*h[i]
	}
	m.gW1.Mul(m.X.T(), m.back)
	columnSums(m.gb1, d)
	return loss / n
}

// columnSums writes into sums the sums of the columns of the matrix a,
// row by row, with len(sums) columns.
func columnSums(sums, a []float64) {
	clear(sums)
	for i := 0; i < len(a); i += len(sums) {
		floats.Add(sums, a[i:i+len(sums)])
	}
}

// mlpProgram compiles the perceptron's loss and its gradient with respect
// to W1, b1, W2 and b2 (outputs 0 to 4) with X and Y as constants.
func mlpProgram(X, Y []float64) (*ad.Program, error) {
	b, loss, vars := mlpModel(X, Y)
	return compileGrad(b, loss, vars)
}

// mlpModel builds the perceptron's loss of the variables W1, b1, W2 and b2
// (vars, in this order) with X and Y as constants.
func mlpModel(X, Y []float64) (b *ad.Builder, loss ad.Node, vars []ad.Node) {
	b = ad.NewBuilder()
	Xc, Yc := b.ConstMatrix(mlpN, mlpD, X), b.ConstMatrix(mlpN, mlpK, Y)
	for _, p := range mlpParams {
		s := ad.Matrix(p.rows, p.cols)
		if p.rows == 1 {
			s = ad.Vector(p.cols)
		}
		vars = append(vars, b.Var(p.name, s))
	}
	W1, b1, W2, b2 := vars[0], vars[1], vars[2], vars[3]
	hidden := b.Tanh(b.Add(b.MatMul(Xc, W1), b1))
	Z := b.Add(b.MatMul(hidden, W2), b2)
	loss = b.Mean(b.Sub(b.LogSumExpAxis(Z, 1), b.SumAxis(b.Mul(Yc, Z), 1)))
	return b, loss, vars
}

// compileGrad compiles the value of loss and its gradient with respect to
// vars.
func compileGrad(b *ad.Builder, loss ad.Node, vars []ad.Node) (*ad.Program, error) {
	if err := b.Err(); err != nil {
		return nil, err
	}
	grad, err := b.Graph().Grad(loss, vars...)
	if err != nil {
		return nil, err
	}
	return b.Graph().Compile(append([]ad.Node{loss}, grad...)...)
}

// Logistic regression on logregN points of logregD features: the mean
// log-loss mean(softplus(z) − y∘z) of z = X w, with labels y of 0 and 1.
const (
	logregN = 100000
	logregD = 20
)

// logregData returns the points X, row by row, normal, labels y drawn as
// a logistic model of weights w0 would draw them, and a start w of
// zeros.
func logregData() (X, y, w []float64) {
	rng := rand.New(rand.NewPCG(6, 6))
	w0 := make([]float64, logregD)
	for j := range w0 {
		w0[j] = rng.NormFloat64() / math.Sqrt(logregD)
	}
	X = make([]float64, logregN*logregD)
	for i := range X {
		X[i] = rng.NormFloat64()
	}
	y = make([]float64, logregN)
	for i := range y {
		if rng.Float64() < sigmoid(floats.Dot(w0, X[i*logregD:(i+1)*logregD])) {
			y[i] = 1
		}
	}
	return X, y, make([]float64, logregD)
}

// logregHand is the hand-written logistic regression: the data, views of
// the weights and of the gradient, and the buffers of the passes.
type logregHand struct {
	X        *mat.Dense
	y        []float64
	w, g     *mat.VecDense
	z, resid *mat.VecDense // X w, and ∂loss/∂z
}

func newLogregHand(X, y, w, g []float64) *logregHand {
	return &logregHand{
		X: mat.NewDense(logregN, logregD, X), y: y,
		w: mat.NewVecDense(logregD, w), g: mat.NewVecDense(logregD, g),
		z: mat.NewVecDense(logregN, nil), resid: mat.NewVecDense(logregN, nil),
	}
}

// grad returns the mean log-loss and writes its gradient Xᵀ(σ(z) − y)/n.
// Two matrix-vector products (Dgemv) and one exp and one log1p per point:
// softplus and σ share e^−|z|.
//
//go:noinline
func (m *logregHand) grad() float64 {
	n := float64(logregN)
	m.z.MulVec(m.X, m.w)
	z, r := m.z.RawVector().Data, m.resid.RawVector().Data
	loss := 0.0
	for i, zi := range z {
		e := math.Exp(-math.Abs(zi))
		s := 1 / (1 + e) // σ(|z|)
		if zi < 0 {
			s = e * s
		}
		loss += max(zi, 0) + math.Log1p(e) - m.y[i]*zi
		r[i] = (s - m.y[i]) / n
	}
	m.g.MulVec(m.X.T(), m.resid)
	return loss / n
}

// logregProgram compiles the mean log-loss and its gradient with respect
// to w (outputs 0 and 1) with X and y as constants.
func logregProgram(X, y []float64) (*ad.Program, error) {
	b := ad.NewBuilder()
	Xc, yc := b.ConstMatrix(logregN, logregD, X), b.ConstVec(y)
	w := b.Var("w", ad.Vector(logregD))
	z := b.MatMul(Xc, w)
	loss := b.Mean(b.Sub(b.Softplus(z), b.Mul(yc, z)))
	return compileGrad(b, loss, []ad.Node{w})
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// benchModels runs the models' cases of BenchmarkGrad. Each reports
// peak-heap-B, the peak heap of its first gradient in bytes as peakHeap
// measures it: the data, the parameters and everything the gradient needs,
// hand-written or compiled.
func benchModels(b *testing.B) {
	models := []struct {
		name  string
		hand  func() (grad func() float64)
		nabla func() (*ad.Program, [][]float64, error)
		// gen, when there is generated code, returns its gradient.
		gen func() (grad func() float64)
	}{
		{"mlp", func() func() float64 {
			X, Y, params := mlpData()
			return newMLPHand(X, Y, params, zerosLike(params)).grad
		}, func() (*ad.Program, [][]float64, error) {
			X, Y, params := mlpData()
			p, err := mlpProgram(X, Y)
			return p, params, err
		}, func() func() float64 {
			_, _, p := mlpData()
			g := zerosLike(p)
			return func() float64 { return mlpGen(p[0], p[1], p[2], p[3], g[0], g[1], g[2], g[3]) }
		}},
		{"logreg1e5", func() func() float64 {
			X, y, w := logregData()
			return newLogregHand(X, y, w, make([]float64, len(w))).grad
		}, func() (*ad.Program, [][]float64, error) {
			X, y, w := logregData()
			p, err := logregProgram(X, y)
			return p, [][]float64{w}, err
		}, nil},
	}
	for _, m := range models {
		b.Run(m.name+"/hand", func(b *testing.B) {
			var grad func() float64
			peak := peakHeap(func() { grad = m.hand() }, func() { sink[0] = grad() })
			b.ReportAllocs()
			for b.Loop() {
				sink[0] = grad()
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
		})
		b.Run(m.name+"/nabla", func(b *testing.B) {
			var (
				p   *ad.Program
				ws  *ad.Workspace
				in  [][]float64
				err error
			)
			peak := peakHeap(func() { p, in, err = m.nabla() }, func() {
				if err == nil {
					ws = p.NewWorkspace()
					err = p.Run(ws, in)
				}
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Run(ws, in)
				sink[0] = ws.Scalar(0)
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
		})
		if m.gen == nil || m.name == "mlp" && mlpGen == nil {
			continue
		}
		b.Run(m.name+"/gen", func(b *testing.B) {
			var grad func() float64
			peak := peakHeap(func() { grad = m.gen() }, func() { sink[0] = grad() })
			b.ReportAllocs()
			for b.Loop() {
				sink[0] = grad()
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
		})
	}
}

// mlpGen is the gradient of the perceptron that nabla gen writes, when
// the file is there: its data are constants of the code, 3 MB of them, so
// it is not kept in the repository. go generate ./benchmarks/internal/mlpgen
// writes it, and the build tag mlpgen adds BenchmarkGrad/mlp/gen:
//
//	go test -tags mlpgen -run XXX -bench 'Grad/mlp' ./benchmarks
var mlpGen func(W1, b1, W2, b2, gradW1, gradB1, gradW2, gradB2 []float64) float64

// mlpGenFile is where TestWriteMLPGen writes the perceptron's generated Go.
var mlpGenFile = flag.String("mlpgen", "", "write the Go that nabla gen makes of the perceptron to `FILE`")

// TestWriteMLPGen writes the Go that nabla gen makes of the perceptron of
// the model benchmarks, with -mlpgen FILE; go generate
// ./benchmarks/internal/mlpgen runs it.
func TestWriteMLPGen(t *testing.T) {
	if *mlpGenFile == "" {
		t.Skip("writes the perceptron's generated Go with -mlpgen FILE only")
	}
	X, Y, _ := mlpData()
	b, loss, _ := mlpModel(X, Y)
	f, err := b.Func(loss)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	if err := f.Generate(&src, ad.GenOptions{Package: "mlpgen", Name: "MLP", Source: "the perceptron of BenchmarkGrad/mlp"}); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(*mlpGenFile, src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// zerosLike returns slices of zeros of the lengths of xs.
func zerosLike(xs [][]float64) [][]float64 {
	zs := make([][]float64, len(xs))
	for i, x := range xs {
		zs[i] = make([]float64, len(x))
	}
	return zs
}
