package ad

import (
	"math"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuilderHasEveryOp fails when an op of the table has no Builder method
// taking its node and integer parameters.
func TestBuilderHasEveryOp(t *testing.T) {
	bt := reflect.TypeFor[*Builder]()
	nodeT, intT := reflect.TypeFor[Node](), reflect.TypeFor[int]()
	for op := OpNeg; op < numOps; op++ {
		d := &ops[op]
		m, ok := bt.MethodByName(d.goName)
		if !assert.True(t, ok, "Builder has no method %s for %s", d.goName, op) {
			continue
		}
		var want []reflect.Type
		if d.variadic() {
			want = append(want, reflect.SliceOf(nodeT))
		} else {
			for range d.args {
				want = append(want, nodeT)
			}
		}
		for range d.ints {
			want = append(want, intT)
		}
		var have []reflect.Type
		for i := 1; i < m.Type.NumIn(); i++ { // after the receiver
			have = append(have, m.Type.In(i))
		}
		assert.Equal(t, want, have, "parameters of Builder.%s", d.goName)
		assert.Equal(t, d.variadic(), m.Type.IsVariadic(), "Builder.%s is variadic", d.goName)
		require.Equal(t, 1, m.Type.NumOut())
		assert.Equal(t, nodeT, m.Type.Out(0), "Builder.%s returns a Node", d.goName)
	}
}

func TestBuilderKeepsTheFirstError(t *testing.T) {
	other := NewBuilder()
	foreign := other.Var("z", Scalar())
	cases := []struct {
		name  string
		build func(b *Builder, x, u, v Node) Node
		err   string
		is    error
	}{
		{"shapes", func(b *Builder, x, u, v Node) Node { return b.Sin(b.Add(u, v)) },
			"Builder.Add(vector(3), vector(4)): shape mismatch in add: vector(3) and vector(4)", nil},
		{"dot", func(b *Builder, x, u, v Node) Node { return b.Dot(u, v) },
			"Builder.Dot(vector(3), vector(4)): shape mismatch in dot: vector(3) and vector(4)", nil},
		{"fill", func(b *Builder, x, u, v Node) Node { return b.Fill(u, 2) },
			"Builder.Fill(vector(3), 2): shape mismatch in fill: vector(3) (fill takes a scalar)", nil},
		{"index", func(b *Builder, x, u, v Node) Node { return b.Mul(x, b.Index(u, 3)) },
			"Builder.Index(vector(3), 3): index 3 out of range for vector(3)", nil},
		{"slice", func(b *Builder, x, u, v Node) Node { return b.Sum(b.Slice(u, 2, 1, None)) },
			"Builder.Slice(vector(3), 2, 1, None): slice [2:1:1] of vector(3) is empty", nil},
		{"scatter", func(b *Builder, x, u, v Node) Node { return b.Scatter(u, 4, 2, 1) },
			"Builder.Scatter(vector(3), 4, 2, 1): scatter of vector(3) into vector(4) at 2 step 1 is out of range", nil},
		{"another graph", func(b *Builder, x, u, v Node) Node { return b.Mul(x, foreign) },
			"Builder.Mul(scalar, a node of another graph): node does not belong to this graph", ErrForeignNode},
		{"zero node", func(b *Builder, x, u, v Node) Node { return b.Exp(Node{}) },
			"Builder.Exp(the zero Node): node does not belong to this graph", ErrForeignNode},
		{"concat", func(b *Builder, x, u, v Node) Node { return b.Concat() },
			"Builder.Concat(): empty vector", nil},
		{"var", func(b *Builder, x, u, v Node) Node { return b.Var("x", Vector(2)) },
			`Builder.Var("x", vector(2)): variable "x" is scalar, not vector(2)`, nil},
		{"mean", func(b *Builder, x, u, v Node) Node { return b.Mean(foreign) },
			"Builder.Mean(a node of another graph): node does not belong to this graph", ErrForeignNode},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewBuilder()
			x, u, v := b.Var("x", Scalar()), b.Var("u", Vector(3)), b.Var("v", Vector(4))
			n := c.build(b, x, u, v)
			assert.False(t, n.IsValid())
			nodes := b.Graph().Len()
			// Later misuse changes nothing: the first error is the one.
			assert.False(t, b.Add(b.Cos(x), b.Index(x, 7)).IsValid())
			assert.Equal(t, nodes, b.Graph().Len())
			require.EqualError(t, b.Err(), c.err)
			if c.is != nil {
				assert.ErrorIs(t, b.Err(), c.is)
			}
		})
	}
}

// TestBuilderNeverPanics calls every method of the op table with every
// combination of scalars, vectors of two lengths, invalid nodes and awkward
// integers: each call either builds a node or keeps an error.
func TestBuilderNeverPanics(t *testing.T) {
	ints := []int{-7, -1, 0, 1, 2, 1 << 40, None}
	bt := reflect.TypeFor[*Builder]()
	for op := OpNeg; op < numOps; op++ {
		d := &ops[op]
		m, _ := bt.MethodByName(d.goName)
		nargs := len(d.args)
		if d.variadic() {
			nargs = 2
		}
		for k := range int(math.Pow(5, float64(nargs)) * math.Pow(float64(len(ints)), float64(len(d.ints)))) {
			b := NewBuilder()
			choices := []Node{b.Var("x", Scalar()), b.Var("u", Vector(3)), b.Var("v", Vector(4)), {}, NewBuilder().Var("y", Scalar())}
			in := []reflect.Value{reflect.ValueOf(b)}
			for range nargs {
				in = append(in, reflect.ValueOf(choices[k%5]))
				k /= 5
			}
			for range d.ints {
				in = append(in, reflect.ValueOf(ints[k%len(ints)]))
				k /= len(ints)
			}
			n := m.Func.Call(in)[0].Interface().(Node)
			assert.True(t, n.IsValid() != (b.Err() != nil), "%s%v: a node or an error", d.goName, in[1:])
		}
	}
}

func TestBuilderFunc(t *testing.T) {
	b := NewBuilder()
	x, u := b.Var("x", Scalar()), b.Var("u", Vector(3))
	f, err := b.Func(b.Dot(u, u), u)
	require.NoError(t, err)
	assert.Equal(t, []Var{{Name: "u", Shape: Vector(3)}}, f.Vars(), "the variables asked for")

	f, err = b.Func(b.Mul(x, b.Dot(u, u)))
	require.NoError(t, err)
	b.Sin(x) // building on does not change f
	grad := make([]float64, 4)
	v, err := f.Grad([]float64{2, 1, 2, 3}, grad)
	require.NoError(t, err)
	assert.Equal(t, 28.0, v)
	assert.Equal(t, []float64{14, 4, 8, 12}, grad)

	_, err = b.Func(u)
	assert.EqualError(t, err, "Builder.Func(vector(3)): shape mismatch in Func: vector(3) (the function's value must be a scalar)")
	var se *ShapeError
	assert.ErrorAs(t, err, &se)
	_, err = b.Func(x)
	assert.Equal(t, b.Err(), err, "the first error stays")

	b = NewBuilder()
	_, err = b.Func(NewBuilder().Var("y", Scalar()))
	assert.EqualError(t, err, "Builder.Func(a node of another graph): node does not belong to this graph")

	vf, err := b.VectorFunc(u)
	assert.Nil(t, vf)
	assert.Equal(t, b.Err(), err, "the first error stays")

	b = NewBuilder()
	x, u = b.Var("x", Scalar()), b.Var("u", Vector(3))
	vf, err = b.VectorFunc(b.Concat(b.Sin(x), b.Mul(x, u)))
	require.NoError(t, err)
	y := make([]float64, 4)
	require.NoError(t, vf.Eval([]float64{2, 1, 2, 3}, y))
	assert.Equal(t, []float64{math.Sin(2), 2, 4, 6}, y)

	b = NewBuilder()
	x, u = b.Var("x", Scalar()), b.Var("u", Vector(3))
	_, err = b.Func(b.Mul(x, b.Sum(u)), u)
	assert.EqualError(t, err, "Builder.Func(scalar, vector(3)): compile: the outputs depend on variable x, which is not an input")
}

func TestFuncOfVector(t *testing.T) {
	f, err := FuncOfVector(3, func(b *Builder, x Node) Node { return b.LogSumExp(x) })
	require.NoError(t, err)
	assert.Equal(t, 3, f.Dim())
	grad := make([]float64, 3)
	v, err := f.Grad([]float64{0, 0, 0}, grad)
	require.NoError(t, err)
	assert.InDelta(t, math.Log(3), v, 1e-15)
	assert.InDeltaSlice(t, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, grad, 1e-15)

	_, err = FuncOfVector(0, func(b *Builder, x Node) Node { return b.Sum(x) })
	assert.EqualError(t, err, `Builder.Var("x", vector(0)): variable "x": vector length 0 must be at least 1`)
	_, err = FuncOfVector(2, func(b *Builder, x Node) Node { return x })
	assert.EqualError(t, err, "Builder.Func(vector(2)): shape mismatch in Func: vector(2) (the function's value must be a scalar)")
}
