// Package rosen holds the Go that nabla gen writes for the engine
// benchmarks: the Rosenbrock function of two variables and the chained
// Rosenbrock function of the catalogue at n = 1e3 and 1e6, with their
// gradients and Hessian-vector products. go generate rewrites the files;
// TestGenerated fails while they differ from what nabla gen writes now.
package rosen

//go:generate go run ../../../cmd/nabla gen -e "(1 - x)^2 + 100*(y - x^2)^2" --package rosen --func Rosenbrock2 --hvp -o rosenbrock2_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/chained_rosenbrock.nabla --sizes x=1000 --package rosen --func Chained1e3 -o chained1e3_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/chained_rosenbrock.nabla --sizes x=1000000 --package rosen --func Chained1e6 --hvp -o chained1e6_gen.go
