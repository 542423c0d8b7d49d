package ad

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTracksInputs(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(b *Builder, x, y, v Node) Node
		want bool
	}{
		{"x + y + sum(v)", func(b *Builder, x, y, v Node) Node { return b.Add(b.Add(x, y), b.Sum(v)) }, true},
		{"x*y - sum(v^2)", func(b *Builder, x, y, v Node) Node {
			return b.Sub(b.Mul(x, y), b.Sum(b.Pow(v, b.Const(2))))
		}, true},
		{"x/y + sum(v)", func(b *Builder, x, y, v Node) Node { return b.Add(b.Div(x, y), b.Sum(v)) }, false},
		{"exp(x) + y + sum(v)", func(b *Builder, x, y, v Node) Node { return b.Add(b.Add(b.Exp(x), y), b.Sum(v)) }, false},
		{"x + y + sum(tanh(v))", func(b *Builder, x, y, v Node) Node { return b.Add(b.Add(x, y), b.Sum(b.Tanh(v))) }, false},
		{"x + y + sum(v[1:])", func(b *Builder, x, y, v Node) Node {
			return b.Add(b.Add(x, y), b.Sum(b.Slice(v, 1, None, None)))
		}, false},
		{"x + y + sum(v[1:]) + v[0]", func(b *Builder, x, y, v Node) Node {
			return b.Add(b.Add(b.Add(x, y), b.Sum(b.Slice(v, 1, None, None))), b.Index(v, 0))
		}, true},
		{"x + y + (v*v)[0]", func(b *Builder, x, y, v Node) Node {
			return b.Add(b.Add(x, y), b.Index(b.Mul(v, v), 0))
		}, false},
		{"0*x + y + sum(v)", func(b *Builder, x, y, v Node) Node {
			return b.Add(b.Add(b.Mul(b.Const(0), x), y), b.Sum(v))
		}, false},
		{"pow(x, -1) + y + sum(v)", func(b *Builder, x, y, v Node) Node {
			return b.Add(b.Add(b.Pow(x, b.Const(-1)), y), b.Sum(v))
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := NewBuilder()
			x, y, v := b.Var("x", Scalar()), b.Var("y", Scalar()), b.Var("v", Vector(3))
			out := c.f(b, x, y, v)
			require.NoError(t, b.Err())
			p, err := b.Graph().Compile(out)
			require.NoError(t, err)
			assert.Equal(t, c.want, p.tracksInputs())
		})
	}
}

// TestTrackedInputsReported checks that a program that skips the pass over
// its inputs still names a non-finite one.
func TestTrackedInputsReported(t *testing.T) {
	f := extendedRosenbrock(t, 5)
	p, err := f.gradProgram()
	require.NoError(t, err)
	require.True(t, p.prog.tracksInputs())
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := f.Grad([]float64{1, 2, bad, 0, 1}, make([]float64, 5))
		var nf *NonFiniteError
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, "x[2]", nf.Input)
	}
}
