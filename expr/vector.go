package expr

import (
	"github.com/nabla-ad/nabla/ad"
)

// A VectorFunc is a compiled expression whose result may be a vector, such
// as [x*y, sin(x)]: an *ad.VectorFunc, whose methods evaluate it and give
// its Jacobian and its Jacobian-vector and vector-Jacobian products,
// together with its source. A VectorFunc is safe for concurrent use by
// multiple goroutines.
type VectorFunc struct {
	*ad.VectorFunc
	source
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
	return &VectorFunc{VectorFunc: vf, source: source{src, g, out, warnings}}, nil
}

// String returns the source text the function was compiled from.
func (f *VectorFunc) String() string { return f.src }
