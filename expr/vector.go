package expr

import (
	"slices"

	"github.com/nabla-ad/nabla/ad"
)

// A VectorFunc is a compiled expression whose result may be a vector, such
// as [x*y, sin(x)]: an *ad.VectorFunc, whose methods evaluate it and give
// its Jacobian and its Jacobian-vector and vector-Jacobian products,
// together with its source. A VectorFunc is safe for concurrent use by
// multiple goroutines.
type VectorFunc struct {
	*ad.VectorFunc
	src      string
	g        *ad.Graph
	out      ad.Node
	warnings []Error
}

// CompileVector is like Compile, but the result may be a vector.
func CompileVector(src string, opts *Options) (*VectorFunc, error) {
	g, out, warnings, err := build(src, opts, true)
	if err != nil {
		return nil, err
	}
	vf, err := ad.NewVectorFunc(g, out)
	if err != nil {
		return nil, &Error{Msg: "expr: " + err.Error()}
	}
	return &VectorFunc{VectorFunc: vf, src: src, g: g, out: out, warnings: warnings}, nil
}

// Graph returns the graph the function was built into, as Func.Graph does.
func (f *VectorFunc) Graph() *ad.Graph { return f.g }

// Output returns the node of the function's value.
func (f *VectorFunc) Output() ad.Node { return f.out }

// String returns the source text the function was compiled from.
func (f *VectorFunc) String() string { return f.src }

// Warnings returns problems that did not stop the compilation.
func (f *VectorFunc) Warnings() []Error { return slices.Clone(f.warnings) }
