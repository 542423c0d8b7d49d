package main

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

func TestParsePoint(t *testing.T) {
	tests := []struct {
		text string
		want point
	}{
		{"x=1", point{{name: "x", x: []float64{1}}}},
		{"x=1,y=-2.5e-3", point{{name: "x", x: []float64{1}}, {name: "y", x: []float64{-2.5e-3}}}},
		{"x=[1,2,3]", point{{name: "x", x: []float64{1, 2, 3}, shape: ad.Vector(3)}}},
		{"x=[7]", point{{name: "x", x: []float64{7}, shape: ad.Vector(1)}}},
		{"x=-1.2:1.5*2,y=0", point{{name: "x", x: []float64{-1.2, 1.5, -1.2, 1.5}, shape: ad.Vector(4)}, {name: "y", x: []float64{0}}}},
		{"w_1=0*3", point{{name: "w_1", x: []float64{0, 0, 0}, shape: ad.Vector(3)}}},
		{"x=+Inf", point{{name: "x", x: []float64{math.Inf(1)}}}},
		{"x=1e400", point{{name: "x", x: []float64{math.Inf(1)}}}},
		{"x=[1, 2, 3]", point{{name: "x", x: []float64{1, 2, 3}, shape: ad.Vector(3)}}},
		{" x = [ 1 ,2 ] , y = -1.5 : 2 * 2 ", point{{name: "x", x: []float64{1, 2}, shape: ad.Vector(2)}, {name: "y", x: []float64{-1.5, 2, -1.5, 2}, shape: ad.Vector(4)}}},
		{"x=\t1,\ny=2", point{{name: "x", x: []float64{1}}, {name: "y", x: []float64{2}}}},
		{"θ=1,é_2=[2],Δx=0*2", point{{name: "θ", x: []float64{1}}, {name: "é_2", x: []float64{2}, shape: ad.Vector(1)}, {name: "Δx", x: []float64{0, 0}, shape: ad.Vector(2)}}},
	}
	for _, tt := range tests {
		got, err := parsePoint("--at", tt.text)
		require.NoError(t, err, tt.text)
		assert.Equal(t, tt.want, got, tt.text)
	}
}

// TestParsePointRepeated checks that a flag given several times makes one
// point, in which each variable may be given once.
func TestParsePointRepeated(t *testing.T) {
	p, err := parsePoint("--at", "x=1", "y=[2]")
	require.NoError(t, err)
	assert.Equal(t, point{{name: "x", x: []float64{1}}, {name: "y", x: []float64{2}, shape: ad.Vector(1)}}, p)

	_, err = parsePoint("--at", "x=1,y=2", "z=0,y=3")
	assert.EqualError(t, err, "--at: y is given twice\n  z=0,y=3\n      ^")
	_, err = parsePoint("--at", "x=1*5", "y=1*"+strconv.Itoa(MaxPointLen-4))
	assert.ErrorContains(t, err, "y would have 8388604 values; a point may hold at most 8388608")
}

func TestParsePointErrors(t *testing.T) {
	tests := []struct {
		text, msg string
		col       int // of the caret, from 0
	}{
		{"", "expected name=value, found the end", 0},
		{"x", "expected = and a value after x", 1},
		{"x=", "expected a number, found the end", 2},
		{"x=1,", "expected name=value, found the end", 4},
		{"x=1;y=2", `expected a comma before the next name=value, found ";y=2"`, 3},
		{"x=abc", `"abc" is not a number`, 2},
		{"x=1,x=2", "x is given twice", 4},
		{"x=[1,2", "unclosed [ in the value of x", 2},
		{"x=[]", "the vector x is empty", 3},
		{"x=1:2", "the pattern 1:2 needs a repeat count", 5},
		{"x=1*0", "a repeat count must be at least 1", 4},
		{"x=1*", "expected a repeat count after *", 4},
		{"x=1*100000000000", "x would have 100000000000 values; a point may hold at most 8388608", 4},
		{"x=1:2:3*10000000", "x would have 10000000×3 values", 8},
		{"sin=1", "sin is a function of the language", 0},
		{"e=1", "e is a constant of the language", 0},
		{"1x=1", `"1x" is not a valid variable name`, 0},
		{"x y=1", "expected = and a value after x", 2},
		{"x=[1 2]", `expected a comma or ] in the value of x, found "2]"`, 5},
		{"x=[ ]", "the vector x is empty", 4},
		{"x=1 2", `expected a comma before the next name=value, found "2"`, 4},
		{"x=θθθθθθθθθθ", `expected a number, found "θθθθθθθθ…"`, 2},
	}
	for _, tt := range tests {
		_, err := parsePoint("--at", tt.text)
		var pe *pointError
		require.ErrorAs(t, err, &pe, tt.text)
		assert.Contains(t, pe.msg, tt.msg, tt.text)
		lines := strings.Split(err.Error(), "\n")
		require.Len(t, lines, 3, tt.text)
		assert.Equal(t, "  "+tt.text, lines[1])
		assert.Equal(t, "  "+strings.Repeat(" ", tt.col)+"^", lines[2], tt.text)
	}
}

// TestParsePointErrorsQuoted checks that bytes that are not printable are
// shown escaped, never raw, with the caret under the fault.
func TestParsePointErrorsQuoted(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"x=\x1b[31m", "--at: expected a number, found \"\\x1b[31m\"\n  x=\\x1b[31m\n    ^"},
		{"\xff\xfe=1", "--at: \"\\xff\\xfe\" is not a valid variable name\n  \\xff\\xfe=1\n  ^"},
		{"x=1,\u009b2J=1", "--at: \"\\u009b2J\" is not a valid variable name\n  x=1,\\u009b2J=1\n      ^"},
		{"x=\x07\x07\x07\x07\x07\x07\x07\x07\x07", "--at: expected a number, found \"\\a\\a\\a\\a\\a\\a\\a\\a…\"\n  x=\\a\\a\\a\\a\\a\\a\\a\\a\\a\n    ^"},
	} {
		_, err := parsePoint("--at", tt.text)
		assert.EqualError(t, err, tt.want, "%q", tt.text)
	}
}

func TestParsePointJSON(t *testing.T) {
	p, err := parsePointJSON("p.json", []byte(`{"y": [1, 2.5], "x": -3}`))
	require.NoError(t, err)
	assert.Equal(t, point{{name: "y", x: []float64{1, 2.5}, shape: ad.Vector(2)}, {name: "x", x: []float64{-3}}}, p)

	p, err = parsePointJSON("p.json", []byte("\uFEFF"+`{"θ": 1, "x_2": [0]}`))
	require.NoError(t, err, "a leading byte order mark and a name of any script")
	assert.Equal(t, point{{name: "θ", x: []float64{1}}, {name: "x_2", x: []float64{0}, shape: ad.Vector(1)}}, p)

	for _, bad := range []string{`[1]`, `{"x": "1"}`, `{"x": []}`, `{"x": 1} 2`, `{"x": 1, "x": 2}`, `{"pi": 1}`, `{"a b": 1}`, `{"x": 1`, `{" x": 1}`, "\uFEFF\uFEFF{}"} {
		_, err := parsePointJSON("p.json", []byte(bad))
		assert.Error(t, err, bad)
	}
}

// TestAppendFloat checks the JSON numbers against encoding/json on random
// values of every magnitude: the same shortest round-trip text.
func TestAppendFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 1e-7, 1e21, 1e20, 123456789, 5e-324, math.MaxFloat64}
	for range 10000 {
		values = append(values, math.Float64frombits(r.Uint64()))
	}
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			assert.Equal(t, "null", string(appendFloat(nil, v)))
			continue
		}
		want, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendFloat(nil, v)), "%v", v)
	}
}

// TestObjectJSON checks that the encoder writes valid JSON, in order, for
// every kind of value the commands print.
func TestObjectJSON(t *testing.T) {
	o := object{}.add("value", math.NaN()).add("g", object{}.add("x", []float64{1, math.Inf(1)}).add("y", 2.5)).
		add("vars", []string{"x[0]", `q"`}).add("h", [][]float64{{1, 0}, {0, 1}}).add("ok", true).add("n", 3).
		add("steps", []object{object{}.add("f", 1)})
	b := appendJSON(nil, o)
	assert.Equal(t, `{"value":null,"g":{"x":[1,null],"y":2.5},"vars":["x[0]","q\""],"h":[[1,0],[0,1]],"ok":true,"n":3,"steps":[{"f":1}]}`, string(b))
	assert.True(t, json.Valid(b))
}

// TestNum checks the numbers people read: negative zero is 0.
func TestNum(t *testing.T) {
	negZero := math.Copysign(0, -1)
	assert.Equal(t, "0", num(negZero))
	assert.Equal(t, "[0, -1.5, 0]", vec([]float64{negZero, -1.5, 0}))
	assert.Equal(t, "-5e-324", num(-5e-324))
	assert.Equal(t, "-Inf", num(math.Inf(-1)))
	assert.Equal(t, "-0", string(appendFloat(nil, negZero)), "JSON keeps the sign, as encoding/json does")
}
