// Package mghgen holds the Go that nabla gen writes for the
// Moré–Garbow–Hillstrom problems of the catalogue, at the sizes the
// optimizer suite runs them, flat (one slice of variables), with their
// gradients, Hessian-vector products and Hessians: the gradient source of
// the suite's gen engine. go generate rewrites the files; TestGenerated
// fails while they differ from what nabla gen writes now, or while a
// problem of the catalogue has none.
package mghgen

//go:generate go run ../../../cmd/nabla gen -f ../../problems/bard.nabla --sizes x=3 --package mghgen --func Bard --flat --hvp --hessian -o bard_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/beale.nabla --sizes x=2 --package mghgen --func Beale --flat --hvp --hessian -o beale_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/biggs_exp6.nabla --sizes x=6 --package mghgen --func BiggsExp6 --flat --hvp --hessian -o biggs_exp6_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/box_3d.nabla --sizes x=3 --package mghgen --func Box3d --flat --hvp --hessian -o box_3d_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/brown_almost_linear.nabla --sizes x=10 --package mghgen --func BrownAlmostLinear --flat --hvp --hessian -o brown_almost_linear_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/brown_badly_scaled.nabla --sizes x=2 --package mghgen --func BrownBadlyScaled --flat --hvp --hessian -o brown_badly_scaled_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/brown_dennis.nabla --sizes x=4 --package mghgen --func BrownDennis --flat --hvp --hessian -o brown_dennis_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/broyden_banded.nabla --sizes x=10 --package mghgen --func BroydenBanded --flat --hvp --hessian -o broyden_banded_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/broyden_tridiagonal.nabla --sizes x=10 --package mghgen --func BroydenTridiagonal --flat --hvp --hessian -o broyden_tridiagonal_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/chebyquad.nabla --sizes x=8 --package mghgen --func Chebyquad --flat --hvp --hessian -o chebyquad_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/discrete_boundary_value.nabla --sizes x=10 --package mghgen --func DiscreteBoundaryValue --flat --hvp --hessian -o discrete_boundary_value_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/discrete_integral_equation.nabla --sizes x=10 --package mghgen --func DiscreteIntegralEquation --flat --hvp --hessian -o discrete_integral_equation_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/extended_powell_singular.nabla --sizes x=12 --package mghgen --func ExtendedPowellSingular --flat --hvp --hessian -o extended_powell_singular_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/extended_rosenbrock.nabla --sizes x=10 --package mghgen --func ExtendedRosenbrock --flat --hvp --hessian -o extended_rosenbrock_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/freudenstein_roth.nabla --sizes x=2 --package mghgen --func FreudensteinRoth --flat --hvp --hessian -o freudenstein_roth_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/gaussian.nabla --sizes x=3 --package mghgen --func Gaussian --flat --hvp --hessian -o gaussian_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/gulf.nabla --sizes x=3 --package mghgen --func Gulf --flat --hvp --hessian -o gulf_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/helical_valley.nabla --sizes x=3 --package mghgen --func HelicalValley --flat --hvp --hessian -o helical_valley_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/jennrich_sampson.nabla --sizes x=2 --package mghgen --func JennrichSampson --flat --hvp --hessian -o jennrich_sampson_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/kowalik_osborne.nabla --sizes x=4 --package mghgen --func KowalikOsborne --flat --hvp --hessian -o kowalik_osborne_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/linear_full_rank.nabla --sizes x=10 --package mghgen --func LinearFullRank --flat --hvp --hessian -o linear_full_rank_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/linear_rank1.nabla --sizes x=10 --package mghgen --func LinearRank1 --flat --hvp --hessian -o linear_rank1_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/linear_rank1_zero.nabla --sizes x=10 --package mghgen --func LinearRank1Zero --flat --hvp --hessian -o linear_rank1_zero_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/meyer.nabla --sizes x=3 --package mghgen --func Meyer --flat --hvp --hessian -o meyer_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/osborne1.nabla --sizes x=5 --package mghgen --func Osborne1 --flat --hvp --hessian -o osborne1_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/osborne2.nabla --sizes x=11 --package mghgen --func Osborne2 --flat --hvp --hessian -o osborne2_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/penalty1.nabla --sizes x=10 --package mghgen --func Penalty1 --flat --hvp --hessian -o penalty1_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/penalty2.nabla --sizes x=10 --package mghgen --func Penalty2 --flat --hvp --hessian -o penalty2_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/powell_badly_scaled.nabla --sizes x=2 --package mghgen --func PowellBadlyScaled --flat --hvp --hessian -o powell_badly_scaled_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/powell_singular.nabla --sizes x=4 --package mghgen --func PowellSingular --flat --hvp --hessian -o powell_singular_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/rosenbrock.nabla --sizes x=2 --package mghgen --func Rosenbrock --flat --hvp --hessian -o rosenbrock_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/trigonometric.nabla --sizes x=10 --package mghgen --func Trigonometric --flat --hvp --hessian -o trigonometric_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/variably_dimensioned.nabla --sizes x=10 --package mghgen --func VariablyDimensioned --flat --hvp --hessian -o variably_dimensioned_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/watson.nabla --sizes x=6 --package mghgen --func Watson --flat --hvp --hessian -o watson_gen.go
//go:generate go run ../../../cmd/nabla gen -f ../../problems/wood.nabla --sizes x=4 --package mghgen --func Wood --flat --hvp --hessian -o wood_gen.go
