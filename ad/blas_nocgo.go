//go:build openblas && !cgo

package ad

// The tag openblas links OpenBLAS through cgo. A build with the tag but
// without cgo (CGO_ENABLED=0, or no C compiler found) fails here, naming
// the cause, rather than run on gonum's BLAS unasked.
var blasInUse = openblasNeedsCgo
