// Package rosenbrock is the chained Rosenbrock function of 100 variables
// and its derivatives as plain Go, written by nabla gen from
// rosenbrock.nabla: Rosen, RosenGrad and RosenHVP need nothing of nabla
// at run time, allocate nothing and run at the speed of hand-written Go.
//
// The workflow: keep the function in a .nabla file beside the package,
// and a go:generate line that writes the Go:
//
//	//go:generate go run github.com/nabla-ad/nabla/cmd/nabla gen -f rosenbrock.nabla --sizes x=100 --package rosenbrock --func Rosen --hvp -o rosen_gen.go
//
// go generate ./examples/rosenbrock (after a change to the .nabla file,
// or to nabla) rewrites rosen_gen.go, replacing it only once it is
// written completely. The vector's length is fixed in the code (--sizes);
// the functions panic on a slice of another length. The test compares the
// generated functions with nabla's interpreter, and checks that the file
// is what nabla gen writes now.
package rosenbrock

//go:generate go run github.com/nabla-ad/nabla/cmd/nabla gen -f rosenbrock.nabla --sizes x=100 --package rosenbrock --func Rosen --hvp -o rosen_gen.go
