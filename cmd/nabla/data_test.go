package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/data"
)

// TestLeastSquaresLine fits the line of the documents' data file with
// optimize and checks the fit against the closed form of least squares:
// a = Sxy/Sxx and b = ȳ - a·x̄.
func TestLeastSquaresLine(t *testing.T) {
	const file = "../../docs/data/line.csv"
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	var xs, ys []float64
	for _, r := range rows[1:] { // after the header
		x, err := strconv.ParseFloat(r[0], 64)
		require.NoError(t, err)
		y, err := strconv.ParseFloat(r[1], 64)
		require.NoError(t, err)
		xs, ys = append(xs, x), append(ys, y)
	}
	n := float64(len(xs))
	var mx, my, sxy, sxx float64
	for i := range xs {
		mx += xs[i] / n
		my += ys[i] / n
	}
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	a := sxy / sxx
	b := my - a*mx

	for _, method := range []string{"lbfgs", "newton"} {
		var stdout, stderr bytes.Buffer
		status := run([]string{"optimize", "-e", "0.5*sum((a*xs + b - ys)^2)",
			"--data", "xs=" + file + ":1", "--data", "ys=" + file + ":2",
			"--at", "a=0,b=0", "--grad-tol", "1e-10", "--method", method, "--json"}, nil, &stdout, &stderr)
		require.Equal(t, exitOK, status, stderr.String())
		var res struct{ X map[string]float64 }
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &res))
		assert.Equal(t, []string{"a", "b"}, slices.Sorted(maps.Keys(res.X)), "the data are not variables")
		assert.InEpsilon(t, a, res.X["a"], 1e-12, method)
		assert.InEpsilon(t, b, res.X["b"], 1e-12, method)
	}
}

// TestDataTooLarge checks that a data file over the limit is refused by
// its size, before it is read: in well under a second and a few megabytes.
func TestDataTooLarge(t *testing.T) {
	for _, ext := range []string{".csv", ".json", ".npy"} {
		big := filepath.Join(t.TempDir(), "big"+ext)
		f, err := os.Create(big)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(data.MaxFileSize+1)) // sparse: no time to make
		require.NoError(t, f.Close())

		var stdout, stderr bytes.Buffer
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		status := run([]string{"eval", "-e", "sum(d)", "--data", "d=" + big}, nil, &stdout, &stderr)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		require.Equal(t, exitUsage, status)
		assert.Equal(t, "nabla: --data d: "+big+" has 536870913 bytes, more than the 536870912 a data file may have\n", stderr.String())
		assert.Empty(t, stdout.String())
		assert.Less(t, elapsed, time.Second)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "bytes allocated")
	}
}

// TestDataNPY binds arrays NumPy wrote.
func TestDataNPY(t *testing.T) {
	const dir = "../../data/testdata/"
	for _, tt := range []struct {
		data, expr string
		status     int
		out        string
	}{
		{"v=" + dir + "vector_f4.npy", "sum(v) + len(v)", exitOK, "f() = 5.25\n"},
		{"v=" + dir + "column_i4.npy", "v[-1]", exitOK, "f() = 2147483647\n"},
		{"v=" + dir + "scalar_i8.npy", "v", exitOK, "f() = -7\n"},
		{"v=" + dir + "table_f8.npy:3", "sum(v)", exitOK, "f() = 9.25\n"},
		{"v=" + dir + "table_f8.npy", "sum(v) + len(v, 1)", exitOK, "f() = 20.75\n"},
		{"v=" + dir + "big_endian.npy", "sum(v)", exitUsage, "nabla: --data v: " + dir + "big_endian.npy: data type '>f8' is not supported: want little-endian float64, float32, int64 or int32 ('<f8', '<f4', '<i8', '<i4')\n"},
	} {
		var stdout, stderr bytes.Buffer
		status := run([]string{"eval", "-e", tt.expr, "--data", tt.data}, nil, &stdout, &stderr)
		assert.Equal(t, tt.status, status, tt.data)
		assert.Equal(t, tt.out, stdout.String()+stderr.String(), tt.data)
	}
}
