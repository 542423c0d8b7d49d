// Package exampletest loads nabla's worked examples for their tests: a
// model file compiled with its data bound as constants, and the data as
// gonum matrices for the independent solves the fits are checked against.
package exampletest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/data"
	"github.com/nabla-ad/nabla/expr"
)

// Compile compiles the model file name with opts, failing t on an error
// and on a warning: an example's model uses everything it binds.
func Compile(t testing.TB, name string, opts *expr.Options) *expr.Func {
	t.Helper()
	src, err := os.ReadFile(name)
	require.NoError(t, err)
	f, err := expr.Compile(string(src), opts)
	require.NoError(t, err, "%s", name)
	require.Empty(t, f.Warnings(), "%s", name)
	return f
}

// Read reads the data file name.
func Read(t testing.TB, name string) *data.Array {
	t.Helper()
	a, err := data.ReadFile(name)
	require.NoError(t, err)
	return a
}

// Const returns a as the constant --data binds.
func Const(a *data.Array) expr.Const {
	return expr.Const{Shape: a.Shape(), Values: a.Values}
}

// Dense returns the table a as a gonum matrix that shares its values.
func Dense(a *data.Array) *mat.Dense {
	return mat.NewDense(a.Dims[0], a.Dims[1], a.Values)
}

// Vec returns the numbers of a as a gonum vector that shares them.
func Vec(a *data.Array) *mat.VecDense {
	return mat.NewVecDense(len(a.Values), a.Values)
}

// Point reads the JSON point file name, an object such as {"x": 1,
// "W": [[1, 2], [3, 4]]}, as --at-file does: each value flattened, a
// matrix row by row.
func Point(t testing.TB, name string) ad.Point {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	var obj map[string]any
	require.NoError(t, json.Unmarshal(b, &obj), "%s", name)
	p := ad.Point{}
	var flatten func(key string, v any)
	flatten = func(key string, v any) {
		switch v := v.(type) {
		case float64:
			p[key] = append(p[key], v)
		case []any:
			for _, e := range v {
				flatten(key, e)
			}
		default:
			require.Failf(t, "not a number", "%s: %s holds %v", name, key, v)
		}
	}
	for k, v := range obj {
		flatten(k, v)
	}
	return p
}

// InReadme checks that the example's README.md states s, a result its
// test computes, so that the README cannot go stale.
func InReadme(t testing.TB, s string) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), s, "README.md does not state what the test computes")
}
