package expr

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

func TestLimits(t *testing.T) {
	t.Run("source length", func(t *testing.T) {
		_, err := Compile("x"+strings.Repeat(" ", MaxSourceLen), nil)
		assert.EqualError(t, err, "source too long: 1048577 bytes (limit 1048576)")
	})
	t.Run("nesting", func(t *testing.T) {
		src := strings.Repeat("(", MaxDepth+1) + "x" + strings.Repeat(")", MaxDepth+1)
		_, err := Compile(src, nil)
		require.Error(t, err)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "expression nested too deeply (more than 1000 levels)", e.Msg)
		assert.Equal(t, 1, e.Line)
		assert.Equal(t, MaxDepth+1, e.Col) // the first "(" too many
	})
	t.Run("long sum", func(t *testing.T) {
		// A chain of additions is parsed and built without recursion.
		src := strings.Repeat("x+", MaxSourceLen/2-1) + "x"
		stmts, errs := parse(src)
		require.Empty(t, errs)
		require.Len(t, stmts, 1)
		src = strings.Repeat("x+", 99999) + "x"
		f, err := Compile(src, nil)
		require.NoError(t, err)
		v, err := f.EvalAt(ad.Point{"x": {1}})
		require.NoError(t, err)
		assert.Equal(t, 1e5, v)
	})
	t.Run("long line excerpt", func(t *testing.T) {
		src := strings.Repeat("x+", 100) + "$" + strings.Repeat("+x", 100)
		_, err := Compile(src, nil)
		assert.EqualError(t, err, "1:201: unexpected character \"$\"\n"+
			"  ..."+strings.Repeat("x+", 20)+"$"+strings.Repeat("+x", 19)+"+...\n"+
			"     "+strings.Repeat(" ", 40)+"^")
	})
}

func TestConcurrentUse(t *testing.T) {
	f := MustCompile("sin(x) * y^2")
	errs := make(chan error)
	for i := range 8 {
		go func() {
			x := []float64{float64(i), 2}
			grad := make([]float64, 2)
			for range 100 {
				if _, err := f.Grad(x, grad); err != nil {
					errs <- err
					return
				}
				if grad[0] != 4*math.Cos(x[0]) {
					errs <- fmt.Errorf("d/dx at %v = %v", x, grad[0])
					return
				}
				if _, err := f.EvalAt(ad.Point{"x": {x[0]}, "y": {2}}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		assert.NoError(t, <-errs)
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Vars: []string{"x", "1x"}}, `expr: "1x" is not a valid variable name`},
		{Options{Vars: []string{"x y"}}, `expr: "x y" is not a valid variable name`},
		{Options{Vars: []string{""}}, `expr: "" is not a valid variable name`},
		{Options{Vars: []string{" x"}}, `expr: " x" is not a valid variable name`},
		{Options{Vars: []string{"sin"}}, `expr: sin is a function of the language, not a variable`},
		{Options{Vars: []string{"e"}}, `expr: e is a constant of the language, not a variable`},
		{Options{Vars: []string{"x", "x"}}, `expr: variable "x" declared twice`},
		{Options{Vars: []string{"x"}, Sizes: map[string]int{"y": 2}}, `expr: size given for "y", which is not a declared variable`},
		{Options{Sizes: map[string]int{"x": 0}}, `expr: size of "x" must be at least 1, got 0`},
	} {
		_, err := Compile("x", &tt.opts)
		assert.EqualError(t, err, tt.want)
	}
}

func TestParseInto(t *testing.T) {
	f, err := Compile("sum(v^2) + x", &Options{Sizes: map[string]int{"v": 3}})
	require.NoError(t, err)
	g := f.Graph()

	n, err := Parse(g, "sum(v ** 2) + x # the same expression")
	require.NoError(t, err)
	assert.Equal(t, f.Output(), n)

	n, err = Parse(g, "2 * v")
	require.NoError(t, err)
	assert.Equal(t, "vector(3)", g.Shape(n).String())

	_, err = Parse(g, "x + y")
	assert.EqualError(t, err, "1:5: unknown variable \"y\"\n  x + y\n      ^")
}
