package expr

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

func TestEval(t *testing.T) {
	tests := []struct {
		src  string
		at   ad.Point
		want float64
	}{
		{"1 + 2 * 3", nil, 7},
		{"-2^2", nil, -4},
		{"-x^2", ad.Point{"x": {3}}, -9},
		{"2^3^2", nil, 512},
		{"2**3**2", nil, 512},
		{"(2^3)^2", nil, 64},
		{"2^-1", nil, 0.5},
		{"8 / 4 / 2", nil, 1},
		{"8 - 4 - 2", nil, 2},
		{"+x - -x", ad.Point{"x": {2}}, 4},
		{".5 + 2.5e-3 + 1. + 1E2", nil, 101.5025},
		{"pi", nil, math.Pi},
		{"e", nil, math.E},
		{"x # a comment\n", ad.Point{"x": {4}}, 4},
		{"# comment\nr = sqrt(x^2 + y^2 + 1);  # binding\nsin(r) / r", ad.Point{"x": {2}, "y": {2}}, math.Sin(3) / 3},
		{"a = x; b = a * 2\nc = b + a\n\n c", ad.Point{"x": {5}}, 15},
		{"a = 1;;;\n\n;a", nil, 1},
		{"x +\n  y", ad.Point{"x": {1}, "y": {2}}, 3},
		{"sin(\n x\n)", ad.Point{"x": {0}}, 0},

		// Vectors.
		{"sum(v)", ad.Point{"v": {1, 2, 3}}, 6},
		{"mean(v)", ad.Point{"v": {1, 2, 3}}, 2},
		{"dot(v, v)", ad.Point{"v": {1, 2, 3}}, 14},
		{"norm(v)", ad.Point{"v": {2, 3, 6}}, 7},
		{"logsumexp(v)", ad.Point{"v": {0, 0, 0}}, math.Log(3)},
		{"max(v) - min(v)", ad.Point{"v": {1, 5, 3}}, 4},
		{"sum(max(v, 2))", ad.Point{"v": {1, 5, 3}}, 10},
		{"v[0] + 10*v[-1]", ad.Point{"v": {1, 2, 3}}, 31},
		{"sum(v[1:])", ad.Point{"v": {1, 2, 3}}, 5},
		{"sum(v[:-1])", ad.Point{"v": {1, 2, 3}}, 3},
		{"sum(v[::2])", ad.Point{"v": {1, 2, 3}}, 4},
		{"sum(v[::-1] * [1, 10, 100])", ad.Point{"v": {1, 2, 3}}, 123},
		{"n = len(v); sum(v[1:n:2])", ad.Point{"v": {1, 2, 3}}, 2},
		{"len(v)", ad.Point{"v": {1, 2, 3}}, 3},
		{"sum(range(4))", nil, 6},
		{"sum(range(len(v)) * v)", ad.Point{"v": {1, 2, 3}}, 8},
		{"sum([v, x, v[0]])", ad.Point{"v": {1, 2, 3}, "x": {10}}, 17},
		{"[x, 2*x][1]", ad.Point{"x": {4}}, 8},
		{"sum(sin(v))", ad.Point{"v": {0, 0, 0}}, 0},
		{"sum(v + 1) + sum(1 - v) + sum(2 * v / 2)", ad.Point{"v": {1, 2, 3}}, 12},
		{"sum(100*(v[1:] - v[:-1]^2)^2 + (1 - v[:-1])^2)", ad.Point{"v": {1, 1, 1}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f, err := Compile(tt.src, &Options{Sizes: map[string]int{"v": 3}})
			require.NoError(t, err)
			got, err := f.EvalAt(tt.at)
			require.NoError(t, err)
			assert.InDelta(t, tt.want, got, 1e-15*math.Abs(tt.want))
		})
	}
}

func TestFunctions(t *testing.T) {
	x, y := 0.3, 0.7
	tests := []struct {
		src  string
		want float64
	}{
		{"sin(x)", math.Sin(x)},
		{"cos(x)", math.Cos(x)},
		{"tan(x)", math.Tan(x)},
		{"asin(x)", math.Asin(x)},
		{"acos(x)", math.Acos(x)},
		{"atan(x)", math.Atan(x)},
		{"sinh(x)", math.Sinh(x)},
		{"cosh(x)", math.Cosh(x)},
		{"tanh(x)", math.Tanh(x)},
		{"exp(x)", math.Exp(x)},
		{"log(x)", math.Log(x)},
		{"log1p(x)", math.Log1p(x)},
		{"expm1(x)", math.Expm1(x)},
		{"sqrt(x)", math.Sqrt(x)},
		{"abs(-x)", x},
		{"sigmoid(x)", 1 / (1 + math.Exp(-x))},
		{"softplus(x)", math.Log1p(math.Exp(x))},
		{"sign(-x)", -1},
		{"step(x)", 1},
		{"pow(x, y)", math.Pow(x, y)},
		{"x^y", math.Pow(x, y)},
		{"atan2(y, x)", math.Atan2(y, x)},
		{"hypot(x, y)", math.Hypot(x, y)},
		{"min(x, y)", x},
		{"max(x, y)", y},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f, err := Compile(tt.src, &Options{Vars: []string{"x", "y"}})
			require.NoError(t, err)
			got, err := f.EvalAt(ad.Point{"x": {x}, "y": {y}})
			require.NoError(t, err)
			assert.InDelta(t, tt.want, got, 1e-15)
		})
	}
}

func TestGrad(t *testing.T) {
	tests := []struct {
		src  string
		at   ad.Point
		want ad.Point
	}{
		{"x^2 + y^2", ad.Point{"x": {1}, "y": {1}}, ad.Point{"x": {2}, "y": {2}}},
		{"-(x^2 + y^2) + 4", ad.Point{"x": {1}, "y": {-3}}, ad.Point{"x": {-2}, "y": {6}}},
		{"x * y", ad.Point{"x": {3}, "y": {5}}, ad.Point{"x": {5}, "y": {3}}},
		{"r = x*x; r*r", ad.Point{"x": {2}}, ad.Point{"x": {32}}},
		{"sin(x)", ad.Point{"x": {0}}, ad.Point{"x": {1}}},
		{"sum(v^2)", ad.Point{"v": {1, 2, 3}}, ad.Point{"v": {2, 4, 6}}},
		{"v[1] * 3", ad.Point{"v": {1, 2, 3}}, ad.Point{"v": {0, 3, 0}}},
		{"sum(v[::2])", ad.Point{"v": {1, 2, 3}}, ad.Point{"v": {1, 0, 1}}},
		{"dot(v, [1, 2, 3])", ad.Point{"v": {0, 0, 0}}, ad.Point{"v": {1, 2, 3}}},
		{"x + 0*y", ad.Point{"x": {1}, "y": {1}}, ad.Point{"x": {1}, "y": {0}}},
		{"sum(100*(v[1:] - v[:-1]^2)^2 + (1 - v[:-1])^2)", ad.Point{"v": {1, 1, 1}}, ad.Point{"v": {0, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			f, err := Compile(tt.src, &Options{Sizes: map[string]int{"v": 3}})
			require.NoError(t, err)
			_, grad, err := f.GradAt(tt.at)
			require.NoError(t, err)
			assert.Equal(t, tt.want, grad)
		})
	}
}

func TestVecAPI(t *testing.T) {
	f, err := Compile("sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2) + y^3", &Options{Vars: []string{"y", "x"}, Sizes: map[string]int{"x": 2}})
	require.NoError(t, err)
	assert.Equal(t, []ad.Var{{Name: "y", Shape: ad.Scalar()}, {Name: "x", Shape: ad.Vector(2)}}, f.Vars())
	assert.Equal(t, 3, f.Dim())
	x := []float64{2, -1.2, 1}
	v, err := f.Eval(x)
	require.NoError(t, err)
	want := 100*math.Pow(1-1.44, 2) + math.Pow(2.2, 2) + 8
	assert.InDelta(t, want, v, 1e-12)
	grad := make([]float64, 3)
	v, err = f.Grad(x, grad)
	require.NoError(t, err)
	assert.InDelta(t, want, v, 1e-12)
	assert.InDeltaSlice(t, []float64{12, -400*-1.2*(1-1.44) - 2*2.2, 200 * (1 - 1.44)}, grad, 1e-12)
	assert.Zero(t, testing.AllocsPerRun(100, func() { f.Grad(x, grad) }))

	_, err = f.Eval([]float64{1})
	assert.EqualError(t, err, "the point has 1 values, want 3")
	_, err = f.Grad(x, grad[:1])
	assert.EqualError(t, err, "the gradient has room for 1 values, want 3")
}

func TestPointErrors(t *testing.T) {
	f, err := Compile("x + sum(v)", &Options{Sizes: map[string]int{"v": 2}})
	require.NoError(t, err)
	for _, tt := range []struct {
		at   ad.Point
		want string
	}{
		{ad.Point{"v": {1, 2}}, `no value for variable "x"`},
		{ad.Point{"x": {1}}, `no value for variable "v"`},
		{ad.Point{"x": {1, 2}, "v": {1, 2}}, `variable "x" is a scalar but has 2 values`},
		{ad.Point{"x": {1}, "v": {1, 2, 3}}, `variable "v" is a vector(2) but has 3 values`},
		{ad.Point{"x": {1}, "v": {1, 2}, "y": {1}, "b": {2}}, `"b" is not a variable of the function`},
	} {
		_, err := f.EvalAt(tt.at)
		assert.EqualError(t, err, tt.want)
		_, _, err = f.GradAt(tt.at)
		assert.EqualError(t, err, tt.want)
	}
}

func TestNonFinite(t *testing.T) {
	f := MustCompile("log(x) + y")
	v, err := f.EvalAt(ad.Point{"x": {0}, "y": {1}})
	assert.True(t, math.IsInf(v, -1))
	var nf *ad.NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "log(x) is -Inf: log got 0", err.Error())
}

// TestNonFiniteInput checks that a NaN or infinite variable is reported
// the same way whether the expression folds it away (0·x is 0) or not.
func TestNonFiniteInput(t *testing.T) {
	for _, src := range []string{"x*0", "x - x", "0/x + y", "sum(v*0) + x^0", "x + sum(v)"} {
		f, err := Compile(src, &Options{Vars: []string{"x", "y", "v"}, Sizes: map[string]int{"v": 2}})
		require.NoError(t, err)
		for _, tt := range []struct {
			at   ad.Point
			want string
		}{
			{ad.Point{"x": {math.NaN()}, "y": {1}, "v": {1, 2}}, "input x is NaN"},
			{ad.Point{"x": {1}, "y": {1}, "v": {1, math.Inf(1)}}, "input v[1] is +Inf"},
		} {
			_, err := f.EvalAt(tt.at)
			var nf *ad.NonFiniteError
			require.ErrorAs(t, err, &nf, src)
			assert.EqualError(t, err, tt.want, src)
			_, _, err = f.GradAt(tt.at)
			assert.EqualError(t, err, tt.want, src)
			_, _, err = f.JVPAt(tt.at, ad.Point{"x": {1}, "y": {0}, "v": {0, 0}})
			assert.EqualError(t, err, tt.want, src)
		}
	}
}

func TestWarnings(t *testing.T) {
	f, err := Compile("a = 1\nb = x; c = b\nc + 1", nil)
	require.NoError(t, err)
	var got []string
	for _, w := range f.Warnings() {
		got = append(got, w.Error())
	}
	assert.Equal(t, []string{"1:1: binding \"a\" is never used\n  a = 1\n  ^"}, got)
	assert.Equal(t, []ad.Var{{Name: "x", Shape: ad.Scalar()}}, f.Vars())
}

func TestMustCompile(t *testing.T) {
	assert.PanicsWithValue(t, "expr: Compile(\"x +\"): 1:4: unexpected end of input, expected expression\n  x +\n     ^", func() {
		MustCompile("x +")
	})
	assert.Equal(t, "x + 1", MustCompile("x + 1").String())
}

func TestVarsOrder(t *testing.T) {
	tests := []struct {
		src  string
		opts *Options
		want []string
	}{
		{"y + x*z", nil, []string{"y", "x", "z"}},
		{"a = z; b = sin(y) + z; b + x + a", nil, []string{"z", "y", "x"}},
		{"y + x", &Options{Vars: []string{"x", "y", "w"}}, []string{"x", "y", "w"}},
		{"1", nil, nil},
	}
	for _, tt := range tests {
		f, err := Compile(tt.src, tt.opts)
		require.NoError(t, err)
		var names []string
		for _, v := range f.Vars() {
			names = append(names, v.Name)
		}
		assert.Equal(t, tt.want, names, tt.src)
	}
}

func TestErrors(t *testing.T) {
	declared := &Options{Vars: []string{"x", "y", "v"}, Sizes: map[string]int{"v": 3}}
	sized := &Options{Sizes: map[string]int{"v": 3, "w": 2}}
	tests := []struct {
		src  string
		opts *Options
		want string // the messages, each with its excerpt
	}{
		{"", nil, "1:1: empty expression\n  \n  ^"},
		{"  # only a comment\n", nil, "1:1: empty expression\n    # only a comment\n  ^"},
		{"x + sinn(y)", nil, "1:5: unknown function \"sinn\" (did you mean \"sin\"?)\n  x + sinn(y)\n      ^"},
		{"foo(x)", nil, "1:1: unknown function \"foo\"\n  foo(x)\n  ^"},
		{"x + z", declared, "1:5: unknown variable \"z\"\n  x + z\n      ^"},
		{"x + xx", declared, "1:5: unknown variable \"xx\" (did you mean \"x\"?)\n  x + xx\n      ^"},
		{"r = 1; x + rr", declared, "1:12: unknown variable \"rr\" (did you mean \"r\"?)\n  r = 1; x + rr\n             ^"},
		{"x + pii", declared, "1:5: unknown variable \"pii\" (did you mean \"pi\"?)\n  x + pii\n      ^"},
		{"atan2(x)", nil, "1:1: atan2 takes 2 arguments, got 1\n  atan2(x)\n  ^"},
		{"sin(x, y)", nil, "1:1: sin takes 1 argument, got 2\n  sin(x, y)\n  ^"},
		{"sin()", nil, "1:1: sin takes 1 argument, got 0\n  sin()\n  ^"},
		{"max(x, y, 1)", nil, "1:1: max takes 1 or 2 arguments, got 3\n  max(x, y, 1)\n  ^"},
		{"len(v, 0, v)", sized, "1:1: len takes 1 or 2 arguments, got 3\n  len(v, 0, v)\n  ^"},
		{"x(2)", declared, "1:1: cannot call \"x\": it is not a function\n  x(2)\n  ^"},
		{"pi(2)", nil, "1:1: cannot call \"pi\": it is not a function\n  pi(2)\n  ^"},
		{"sin + 1", nil, "1:1: \"sin\" is a function, not a value\n  sin + 1\n  ^"},
		{"(x + 1", nil, "1:1: unclosed \"(\"\n  (x + 1\n  ^"},
		{"sin(x", nil, "1:4: unclosed \"(\"\n  sin(x\n     ^"},
		{"[x, 1", nil, "1:1: unclosed \"[\"\n  [x, 1\n  ^"},
		{"v[1", sized, "1:2: unclosed \"[\"\n  v[1\n   ^"},
		{"x + 1)", nil, "1:6: unmatched \")\"\n  x + 1)\n       ^"},
		{"x]", nil, "1:2: unmatched \"]\"\n  x]\n   ^"},
		{"(x]", nil, "1:3: unexpected \"]\", expected \")\"\n  (x]\n    ^"},
		{"sin(x y)", nil, "1:7: unexpected name \"y\", expected \",\" or \")\"\n  sin(x y)\n        ^"},
		{"x y", nil, "1:3: unexpected name \"y\" after expression (missing operator?)\n  x y\n    ^"},
		{"x 2", nil, "1:3: unexpected number 2 after expression (missing operator?)\n  x 2\n    ^"},
		{"x, y", nil, "1:2: unexpected \",\" after expression\n  x, y\n   ^"},
		{"x +", nil, "1:4: unexpected end of input, expected expression\n  x +\n     ^"},
		{"x + # comment\n", nil, "1:4: unexpected end of input, expected expression\n  x + # comment\n     ^"},
		{"x * / y", nil, "1:5: unexpected \"/\", expected expression\n  x * / y\n      ^"},
		{"()", nil, "1:2: unexpected \")\", expected expression\n  ()\n   ^"},
		{"[]", nil, "1:1: empty vector literal\n  []\n  ^"},
		{"v[]", sized, "1:3: missing index\n  v[]\n    ^"},
		{"1.2.3", nil, "1:1: bad number \"1.2.3\"\n  1.2.3\n  ^"},
		{"2x", nil, "1:1: bad number \"2x\"\n  2x\n  ^"},
		{"1e+", nil, "1:1: bad number \"1e+\": exponent has no digits\n  1e+\n  ^"},
		{"1e999", nil, "1:1: number 1e999 is out of range\n  1e999\n  ^"},
		{"x $ y", nil, "1:3: unexpected character \"$\"\n  x $ y\n    ^"},
		{"x + \xff", nil, "1:5: invalid UTF-8 encoding\n  x + \\xff\n      ^"},
		{"\x1b[31m + x", nil, "1:1: unexpected character \"\\x1b\"\n  \\x1b[31m + x\n  ^"},
		{"\u200ex\t+ \u009b", nil, "1:1: unexpected character \"\\u200e\"\n  \\u200ex\t+ \\u009b\n  ^"},
		{"x\t+ \u009b", nil, "1:5: unexpected character \"\\u009b\"\n  x\t+ \\u009b\n   \t  ^"},
		{"x = 1; x = 2; x", nil, "1:8: cannot rebind \"x\" (bound at 1:1)\n  x = 1; x = 2; x\n         ^"},
		{"sin = 1; sin", nil, "1:1: cannot bind \"sin\": it is a function\n  sin = 1; sin\n  ^"},
		{"pi = 3; pi", nil, "1:1: cannot bind \"pi\": it is a constant\n  pi = 3; pi\n  ^"},
		{"x = 3; x", declared, "1:1: cannot bind \"x\": it is a variable\n  x = 3; x\n  ^"},
		{"y = x; x = 1; y", nil, "1:8: cannot bind \"x\": it is already used as a variable at 1:5\n  y = x; x = 1; y\n         ^"},
		{"x + 1 = 2", nil, "1:1: cannot assign to an expression (the left side of \"=\" must be a name)\n  x + 1 = 2\n  ^"},
		{"r = x^2", nil, "1:1: missing result: the last statement binds \"r\"\n  r = x^2\n  ^"},
		{"a = 1\nb = a\n  * 2\nb", nil, "3:3: unexpected \"*\" at the start of a line: the line break before it ended the statement (to continue, end the previous line with the operator)\n    * 2\n    ^"},
		{"x\n  - y", nil, "1:1: unused expression: the line break after it ended the statement (to continue, end the line with the operator)\n  x\n  ^"},
		{"x + 1; y", nil, "1:1: unused expression (only the last statement is the result)\n  x + 1; y\n  ^"},
		{"v + w", sized, "1:3: shape mismatch: vector(3) + vector(2)\n  v + w\n    ^"},
		{"sum(v / w)", sized, "1:7: shape mismatch: vector(3) / vector(2)\n  sum(v / w)\n        ^"},
		{"sum(v ** w)", sized, "1:7: shape mismatch: vector(3) ** vector(2)\n  sum(v ** w)\n        ^"},
		{"dot(v, w)", sized, "1:1: shape mismatch in dot: vector(3) and vector(2)\n  dot(v, w)\n  ^"},
		{"sum(atan2(v, w))", sized, "1:5: shape mismatch in atan2: vector(3) and vector(2)\n  sum(atan2(v, w))\n      ^"},
		{"v", sized, "1:1: result must be a scalar, got vector(3)\n  v\n  ^"},
		{"2 * v", sized, "1:1: result must be a scalar, got vector(3)\n  2 * v\n  ^"},
		{"v[3]", sized, "1:3: index 3 out of range for vector(3)\n  v[3]\n    ^"},
		{"v[-4]", sized, "1:3: index -4 out of range for vector(3)\n  v[-4]\n    ^"},
		{"v[1.5]", sized, "1:3: index must be an integer, got 1.5\n  v[1.5]\n    ^"},
		{"v[outer(v, w)]", sized, "1:3: index must be a scalar or a vector, got matrix(3×2)\n  v[outer(v, w)]\n    ^"},
		{"x[v]", sized, "1:2: cannot index a scalar\n  x[v]\n   ^"},
		{"v[v]", sized, "1:1: result must be a scalar, got vector(3)\n  v[v]\n  ^"},
		{"sum(v[[0, 1.5]] + v[v])", sized, "1:17: shape mismatch: vector(2) + vector(3)\n  sum(v[[0, 1.5]] + v[v])\n                  ^"},
		{"x[0]", nil, "1:2: cannot index a scalar\n  x[0]\n   ^"},
		{"sum(x[1:])", nil, "1:6: cannot slice a scalar\n  sum(x[1:])\n       ^"},
		{"sum(v[::0])", sized, "1:9: slice step cannot be zero\n  sum(v[::0])\n          ^"},
		{"sum(v[x:])", sized, "1:7: slice bound must be a constant integer\n  sum(v[x:])\n        ^"},
		{"sum(v[2:1])", sized, "1:6: slice [2:1:1] of vector(3) is empty\n  sum(v[2:1])\n       ^"},
		{"sum(range(0))", nil, "1:5: range(0): length must be at least 1\n  sum(range(0))\n      ^"},
		{"len(x)", nil, "1:5: len of a scalar (len takes a vector or a matrix)\n  len(x)\n      ^"},
		{"sum(range(x))", nil, "1:11: range argument must be a constant integer\n  sum(range(x))\n            ^"},
		{"sum(range(2.5))", nil, "1:11: range argument must be an integer, got 2.5\n  sum(range(2.5))\n            ^"},
		{"sum(range(1e9))", nil, "1:11: vector too large: the expression would create more than 16777216 constant elements\n  sum(range(1e9))\n            ^"},
		{"a = 1;\nb = (x +\n  * 2)\nc = sinn(a);\nd = v[\nb + c\ne = (]\nf = 1 +", sized,
			"3:3: unexpected \"*\", expected expression\n    * 2)\n    ^\n" +
				"7:1: unexpected name \"e\", expected \":\", \",\" or \"]\"\n  e = (]\n  ^\n" +
				"8:8: unexpected end of input, expected expression\n  f = 1 +\n         ^"},
		{"a = sinn(x)\nb = v + w\nc = a + q\nb", &Options{Vars: []string{"x", "v", "w"}, Sizes: map[string]int{"v": 3, "w": 2}},
			"1:5: unknown function \"sinn\" (did you mean \"sin\"?)\n  a = sinn(x)\n      ^\n" +
				"2:7: shape mismatch: vector(3) + vector(2)\n  b = v + w\n        ^\n" +
				"3:9: unknown variable \"q\"\n  c = a + q\n          ^"},
		{"\tx +\t$", nil, "1:6: unexpected character \"$\"\n  \tx +\t$\n  \t   \t^"},
		{"θ + 2θ", nil, "1:5: bad number \"2θ\"\n  θ + 2θ\n      ^"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Compile(tt.src, tt.opts)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, strings.SplitN(tt.want, ":", 2)[0], strconv.Itoa(e.Line))
		})
	}
}

// TestFillBomb checks that a count asking for more memory than exists is
// refused before anything is allocated, with the operand a variable.
func TestFillBomb(t *testing.T) {
	for _, n := range []string{"1000000000", "1e12"} {
		src := "sum(fill(x," + n + ")^2)"
		_, err := Compile(src, nil)
		var e *Error
		require.ErrorAs(t, err, &e, src)
		assert.Equal(t, 1, e.Line)
		assert.Equal(t, 12, e.Col, "the caret is under the count")
		assert.Contains(t, e.Msg, "vector too large: ")
	}
}

// TestVectorLengthLimit checks that every vector a source builds is at most
// maxElems longer than the caller's variables together.
func TestVectorLengthLimit(t *testing.T) {
	defer func(n int) { maxElems = n }(maxElems)
	maxElems = 1000
	sized := &Options{Sizes: map[string]int{"v": 5}}
	for _, tt := range []struct {
		src  string
		opts *Options
		want string
	}{
		{"sum(fill(x, 1001))", nil, "1:13: vector too large: 1001 elements (the limit is 1000)\n  sum(fill(x, 1001))\n              ^"},
		{"sum(fill(x, 1e12))", nil, "1:13: vector too large: 1000000000000 elements (the limit is 1000)\n  sum(fill(x, 1e12))\n              ^"},
		{"sum(scatter(x, 1001, 0, 1))", nil, "1:16: vector too large: 1001 elements (the limit is 1000)\n  sum(scatter(x, 1001, 0, 1))\n                 ^"},
		{"sum(fill(x, len(v) + 1001))", sized, "1:13: vector too large: 1006 elements (the limit is 1005)\n  sum(fill(x, len(v) + 1001))\n              ^"},
		{"a = fill(x, 600); sum([a, a])", nil, "1:23: vector too large: 1200 elements (the limit is 1000)\n  a = fill(x, 600); sum([a, a])\n                        ^"},
		// Doubling grows a vector exponentially with the length of the source.
		{"a = [v, v, v, v]; b = [a, a, a, a]; c = [b, b, b, b]; d = [c, c, c, c]; sum(d)", sized,
			"1:59: vector too large: 1280 elements (the limit is 1005)\n  a = [v, v, v, v]; b = [a, a, a, a]; c = [b, b, b, b]; d = [c, c, c, c]; sum(d)\n                                                            ^"},
	} {
		_, err := Compile(tt.src, tt.opts)
		assert.EqualError(t, err, tt.want, tt.src)
	}
	// Up to the limit, and to the caller's sizes plus the limit.
	for _, src := range []string{"sum(fill(x, 1000))", "sum(scatter(x, 1000, 999, 1))", "a = fill(x, 500); sum([a, a])"} {
		f, err := Compile(src, nil)
		require.NoError(t, err, src)
		v, err := f.EvalAt(ad.Point{"x": {2}})
		require.NoError(t, err)
		assert.Equal(t, map[bool]float64{true: 2, false: 2000}[strings.Contains(src, "scatter")], v, src)
	}
	f, err := Compile("sum([fill(x, 1000), v])", sized)
	require.NoError(t, err)
	v, err := f.EvalAt(ad.Point{"x": {1}, "v": {1, 2, 3, 4, 5}})
	require.NoError(t, err)
	assert.Equal(t, 1015.0, v)
}

func TestElementLimit(t *testing.T) {
	defer func(n int) { maxElems = n }(maxElems)
	maxElems = 1000
	for _, tt := range []struct{ src, want string }{
		{"sum(range(1001))", "1:11: vector too large: the expression would create more than 1000 constant elements\n  sum(range(1001))\n            ^"},
		{"sum(fill(1, 1001))", "1:13: vector too large: the expression would create more than 1000 constant elements\n  sum(fill(1, 1001))\n              ^"},
		{"r = range(600); sum(r) + sum(r + 1)", "1:32: vector too large: the expression would create more than 1000 constant elements\n  r = range(600); sum(r) + sum(r + 1)\n                                 ^"},
		{"r = range(600); sum([r, r])", "1:21: vector too large: the expression would create more than 1000 constant elements\n  r = range(600); sum([r, r])\n                      ^"},
	} {
		_, err := Compile(tt.src, nil)
		assert.EqualError(t, err, tt.want, tt.src)
	}
	f, err := Compile("r = range(600); sum([r, x])", nil) // not constant: not counted
	require.NoError(t, err)
	v, err := f.EvalAt(ad.Point{"x": {1}})
	require.NoError(t, err)
	assert.Equal(t, float64(599*600/2+1), v)
}

// TestExcerpt checks that characters that are not printable are shown
// escaped, with the caret still under the fault.
func TestExcerpt(t *testing.T) {
	for _, tt := range []struct {
		src  string
		off  int
		want string
	}{
		{"x=\x1b[31m1", 7, "  x=\\x1b[31m1\n            ^"},
		{"a\nb\xffc\nd", 4, "  b\\xffc\n       ^"},
		{"θ=1,\u202ey", 5, "  θ=1,\\u202ey\n      ^"},
		{"x", 9, "  x\n   ^"},
	} {
		assert.Equal(t, tt.want, Excerpt(tt.src, tt.off), "%q", tt.src)
	}
}
