package expr

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// The data of a line fit: the constants of 0.5*sum((a*xs + b - ys)^2).
var (
	xs = []float64{0, 1, 2, 3, 4}
	ys = []float64{1.1, 2.4, 4.2, 5.3, 7.1}
)

func lineData() map[string]Const {
	return map[string]Const{
		"xs": {Shape: ad.Vector(len(xs)), Values: xs},
		"ys": {Shape: ad.Vector(len(ys)), Values: ys},
	}
}

// TestConsts checks that constants are not variables: the function of a
// least-squares fit is a function of a and b only, with the gradient of
// the normal equations.
func TestConsts(t *testing.T) {
	f, err := Compile("0.5*sum((a*xs + b - ys)^2)", &Options{Consts: lineData()})
	require.NoError(t, err)
	require.Equal(t, []ad.Var{{Name: "a", Shape: ad.Scalar()}, {Name: "b", Shape: ad.Scalar()}}, f.Vars())
	a, b := 1.5, 0.25
	var want [2]float64
	wantF := 0.0
	for i := range xs {
		r := a*xs[i] + b - ys[i]
		wantF += 0.5 * r * r
		want[0] += r * xs[i]
		want[1] += r
	}
	grad := make([]float64, 2)
	v, err := f.Grad([]float64{a, b}, grad)
	require.NoError(t, err)
	assert.InDelta(t, wantF, v, 1e-14)
	assert.InDeltaSlice(t, want[:], grad, 1e-13)

	// A scalar constant, with declared variables.
	f, err = Compile("c*x^2 + y", &Options{Vars: []string{"x", "y"}, Consts: map[string]Const{"c": {Values: []float64{3}}}})
	require.NoError(t, err)
	_, g, err := f.GradAt(ad.Point{"x": {2}, "y": {1}})
	require.NoError(t, err)
	assert.Equal(t, ad.Point{"x": {12}, "y": {1}}, g)

	// Data the source does not use cost nothing: no node is built.
	f, err = Compile("x", &Options{Consts: lineData()})
	require.NoError(t, err)
	assert.Equal(t, 1, f.Graph().Len())
}

func TestConstsErrors(t *testing.T) {
	vec := func(v ...float64) Const { return Const{Shape: ad.Vector(len(v)), Values: v} }
	for _, tt := range []struct {
		src  string
		opts *Options
		want string
	}{
		{"x", &Options{Vars: []string{"x"}, Consts: map[string]Const{"x": vec(1)}}, `expr: "x" is both a variable and a constant`},
		{"x", &Options{Sizes: map[string]int{"x": 1}, Consts: map[string]Const{"x": vec(1)}}, `expr: "x" is both a variable and a constant`},
		{"x", &Options{Consts: map[string]Const{"sin": vec(1)}}, "expr: sin is a function of the language, not a constant"},
		{"x", &Options{Consts: map[string]Const{"1x": vec(1)}}, `expr: "1x" is not a valid constant name`},
		{"x", &Options{Consts: map[string]Const{"c": {Shape: ad.Vector(3), Values: []float64{1}}}}, `expr: constant "c" is a vector(3) but has 1 values`},
		{"x", &Options{Consts: map[string]Const{"c": {}}}, `expr: constant "c" is a scalar but has 0 values`},
		{"x", &Options{Consts: map[string]Const{"c": {Shape: ad.Vector(0)}}}, `expr: constant "c" is an empty vector`},
		{"xs = 1; xs", &Options{Consts: lineData()}, "1:1: cannot bind \"xs\": it is a given constant (data)\n  xs = 1; xs\n  ^"},
		{"sum(xz)", &Options{Vars: []string{"a"}, Consts: lineData()}, "1:5: unknown variable \"xz\" (did you mean \"xs\"?)\n  sum(xz)\n      ^"},
		{"sum(xs + v)", &Options{Sizes: map[string]int{"v": 2}, Consts: lineData()}, "1:8: shape mismatch: vector(5) + vector(2)\n  sum(xs + v)\n         ^"},
	} {
		_, err := Compile(tt.src, tt.opts)
		assert.EqualError(t, err, tt.want, tt.src)
	}
}

// TestConstsLimit checks that the caller's constants, like its variables,
// are not charged to the source: a vector as long as the data is allowed.
// What the source makes of them by folding is a new constant, and is.
func TestConstsLimit(t *testing.T) {
	defer func(n int) { maxElems = n }(maxElems)
	maxElems = 10
	big := map[string]Const{"d": {Shape: ad.Vector(100), Values: make([]float64, 100)}}
	f, err := Compile("sum(a*d + fill(a, len(d)))", &Options{Consts: big})
	require.NoError(t, err)
	v, err := f.EvalAt(ad.Point{"a": {2}})
	require.NoError(t, err)
	assert.Equal(t, 200.0, v)
	_, err = Compile("sum(a*(d + 1))", &Options{Consts: big})
	assert.EqualError(t, err, "1:10: vector too large: the expression would create more than 10 constant elements\n  sum(a*(d + 1))\n           ^")
}
