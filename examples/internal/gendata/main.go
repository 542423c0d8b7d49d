// Gendata writes the synthetic data of nabla's worked examples: the
// tables the models are fitted to and the starting weights of the
// perceptron. Each data set is drawn from its own fixed seed, so running it
// again writes the same files; a test checks that the committed files are
// what it writes.
//
// Run it from the examples directory:
//
//	go run ./internal/gendata
//
// The -dir flag names another directory to write the examples' files
// under.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/floats"
)

// A file is one data file of an example, named relative to the examples
// directory.
type file struct {
	name string
	data []byte
}

// The true parameters the data are drawn from. A fit recovers them only
// approximately: the data have noise, and each example's test checks its
// fit against an exact solve of the committed data, not against these.
var (
	leastSquaresTrue = []float64{1.5, 2, -0.5} // intercept, u, v
	logisticTrue     = []float64{0.5, 2, -1.5} // intercept, u, v
)

// The logistic growth of the Runge–Kutta example, y′ = r·y·(1 − y).
const (
	growthRate  = 3.0
	growthStart = 0.1
)

// hidden is the number of hidden units of the perceptron.
const hidden = 10

func main() {
	log.SetFlags(0)
	log.SetPrefix("gendata: ")
	dir := flag.String("dir", ".", "the examples `directory` to write into")
	flag.Parse()
	for _, f := range files() {
		name := filepath.Join(*dir, f.name)
		if err := os.WriteFile(name, f.data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// files returns every data file of the examples.
func files() []file {
	var fs []file
	for _, gen := range []func() []file{leastSquares, logistic, moons, growth} {
		fs = append(fs, gen()...)
	}
	return fs
}

// leastSquares draws 50 points y = 1.5 + 2u − 0.5v + noise, with u and v
// standard normal and noise of standard deviation 0.3, as the design matrix
// X = [1 u v] and the responses y.
func leastSquares() []file {
	rng := rand.New(rand.NewPCG(1, 1))
	X := table{header: []string{"intercept", "u", "v"}}
	y := table{header: []string{"y"}}
	for range 50 {
		row := []float64{1, round(rng.NormFloat64()), round(rng.NormFloat64())}
		X.add(row...)
		y.add(round(floats.Dot(leastSquaresTrue, row) + 0.3*rng.NormFloat64()))
	}
	return []file{
		{"leastsquares/X.csv", X.csv()},
		{"leastsquares/y.csv", y.csv()},
	}
}

// logistic draws 200 points (u, v), standard normal, with labels y = 1
// with probability σ(0.5 + 2u − 1.5v), as the design matrix X = [1 u v]
// and the labels y.
func logistic() []file {
	rng := rand.New(rand.NewPCG(2, 2))
	X := table{header: []string{"intercept", "u", "v"}}
	y := table{header: []string{"y"}}
	for range 200 {
		row := []float64{1, round(rng.NormFloat64()), round(rng.NormFloat64())}
		X.add(row...)
		label := 0.0
		if rng.Float64() < 1/(1+math.Exp(-floats.Dot(logisticTrue, row))) {
			label = 1
		}
		y.add(label)
	}
	return []file{
		{"logistic/X.csv", X.csv()},
		{"logistic/y.csv", y.csv()},
	}
}

// moons draws the two interleaved half circles of scikit-learn's
// make_moons, 100 points each with Gaussian noise of standard deviation
// 0.15: the points (x1, x2) and their classes one-hot (y0, y1). It also
// draws the perceptron's starting weights: W1 (2×10) with elements of
// standard deviation 1, W2 (10×2) of standard deviation 1/√10, and zero
// biases.
func moons() []file {
	rng := rand.New(rand.NewPCG(3, 3))
	const n = 100
	pts := table{header: []string{"x1", "x2", "y0", "y1"}}
	for class := range 2 {
		for i := range n {
			θ := math.Pi * float64(i) / (n - 1)
			x1, x2 := math.Cos(θ), math.Sin(θ)
			if class == 1 {
				x1, x2 = 1-x1, 0.5-x2
			}
			x1 += 0.15 * rng.NormFloat64()
			x2 += 0.15 * rng.NormFloat64()
			pts.add(round(x1), round(x2), float64(1-class), float64(class))
		}
	}
	normal := func(rows, cols int, sd float64) [][]float64 {
		m := make([][]float64, rows)
		for i := range m {
			m[i] = make([]float64, cols)
			for j := range m[i] {
				m[i][j] = round(sd * rng.NormFloat64())
			}
		}
		return m
	}
	// One weight a line of the file: the rows of a matrix on one line.
	weights := []struct {
		name string
		val  any
	}{
		{"W1", normal(2, hidden, 1)},
		{"b1", make([]float64, hidden)},
		{"W2", normal(hidden, 2, 1/math.Sqrt(hidden))},
		{"b2", make([]float64, 2)},
	}
	var js bytes.Buffer
	js.WriteString("{")
	for i, w := range weights {
		val, err := json.Marshal(w.val)
		if err != nil {
			panic(err) // slices of finite numbers always encode
		}
		if i > 0 {
			js.WriteString(",\n ")
		}
		fmt.Fprintf(&js, "%q: %s", w.name, val)
	}
	js.WriteString("\n}\n")
	return []file{
		{"mlp/moons.csv", pts.csv()},
		{"mlp/init.json", js.Bytes()},
	}
}

// growth observes the logistic growth y′ = 3y(1 − y) from y(0) = 0.1 at
// t = 0.2, 0.4, …, 2, through its exact solution, with Gaussian noise of
// standard deviation 0.01.
func growth() []file {
	rng := rand.New(rand.NewPCG(4, 4))
	obs := table{header: []string{"t", "y"}}
	for j := 1; j <= 10; j++ {
		t := 0.2 * float64(j)
		y := 1 / (1 + (1-growthStart)/growthStart*math.Exp(-growthRate*t))
		obs.add(round(t), round(y+0.01*rng.NormFloat64()))
	}
	return []file{{"rk4/obs.csv", obs.csv()}}
}

// A table is the rows of a CSV file under its header.
type table struct {
	header []string
	rows   [][]float64
}

func (t *table) add(row ...float64) { t.rows = append(t.rows, row) }

// csv returns the table as CSV, each number in its shortest form.
func (t *table) csv() []byte {
	var b bytes.Buffer
	fmt.Fprintln(&b, strings.Join(t.header, ","))
	for _, row := range t.rows {
		for j, v := range row {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// round rounds x to four decimals, so that the files are short and hold
// exactly the numbers the examples are fitted to.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }
