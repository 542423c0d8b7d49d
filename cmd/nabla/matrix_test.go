package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestLeastSquaresGradient checks the gradient of 0.5‖Xw − y‖², with X and
// y read from CSV files, against Xᵀ(Xw − y) computed with gonum's mat, to
// 1e-12 relative.
func TestLeastSquaresGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const m, n = 40, 6
	dir := t.TempDir()
	X := mat.NewDense(m, n, nil)
	y := mat.NewVecDense(m, nil)
	w := mat.NewVecDense(n, nil)
	var xs, ys strings.Builder
	for i := range m {
		for j := range n {
			X.Set(i, j, rng.NormFloat64())
			if j > 0 {
				xs.WriteByte(',')
			}
			xs.WriteString(strconv.FormatFloat(X.At(i, j), 'g', -1, 64))
		}
		xs.WriteByte('\n')
		y.SetVec(i, rng.NormFloat64())
		fmt.Fprintf(&ys, "%s\n", strconv.FormatFloat(y.AtVec(i), 'g', -1, 64))
	}
	at := make([]string, n)
	for j := range n {
		w.SetVec(j, rng.NormFloat64())
		at[j] = strconv.FormatFloat(w.AtVec(j), 'g', -1, 64)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "X.csv"), []byte(xs.String()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "y.csv"), []byte(ys.String()), 0o644))

	var stdout, stderr bytes.Buffer
	status := run([]string{"grad", "-e", "0.5*sum((X @ w - y)^2)", "--data", "X=" + filepath.Join(dir, "X.csv"),
		"--data", "y=" + filepath.Join(dir, "y.csv"), "--at", "w=[" + strings.Join(at, ",") + "]", "--json"}, nil, &stdout, &stderr)
	require.Equal(t, exitOK, status, stderr.String())
	var out struct {
		Value    float64
		Gradient map[string][]float64
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out))

	var r, want mat.VecDense
	r.MulVec(X, w)
	r.SubVec(&r, y)
	want.MulVec(X.T(), &r)
	got := out.Gradient["w"]
	require.Len(t, got, n)
	wantS := want.RawVector().Data
	assert.LessOrEqual(t, floats.Distance(got, wantS, 2), 1e-12*floats.Norm(wantS, 2), "got %v, want %v", got, wantS)
	assert.InDelta(t, 0.5*floats.Dot(r.RawVector().Data, r.RawVector().Data), out.Value, 1e-12*out.Value)
}
