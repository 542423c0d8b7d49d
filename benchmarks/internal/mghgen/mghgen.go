package mghgen

// Funcs are the generated functions of one problem, for n variables.
type Funcs struct {
	N       int
	Value   func(x []float64) float64
	Grad    func(x, grad []float64) float64
	HVP     func(x, v, hv []float64)
	Hessian func(x, h []float64)
}

// Problems are the generated functions of the catalogue's problems, by
// name.
var Problems = map[string]Funcs{
	"bard":                       {3, Bard, BardGrad, BardHVP, BardHessian},
	"beale":                      {2, Beale, BealeGrad, BealeHVP, BealeHessian},
	"biggs_exp6":                 {6, BiggsExp6, BiggsExp6Grad, BiggsExp6HVP, BiggsExp6Hessian},
	"box_3d":                     {3, Box3d, Box3dGrad, Box3dHVP, Box3dHessian},
	"brown_almost_linear":        {10, BrownAlmostLinear, BrownAlmostLinearGrad, BrownAlmostLinearHVP, BrownAlmostLinearHessian},
	"brown_badly_scaled":         {2, BrownBadlyScaled, BrownBadlyScaledGrad, BrownBadlyScaledHVP, BrownBadlyScaledHessian},
	"brown_dennis":               {4, BrownDennis, BrownDennisGrad, BrownDennisHVP, BrownDennisHessian},
	"broyden_banded":             {10, BroydenBanded, BroydenBandedGrad, BroydenBandedHVP, BroydenBandedHessian},
	"broyden_tridiagonal":        {10, BroydenTridiagonal, BroydenTridiagonalGrad, BroydenTridiagonalHVP, BroydenTridiagonalHessian},
	"chebyquad":                  {8, Chebyquad, ChebyquadGrad, ChebyquadHVP, ChebyquadHessian},
	"discrete_boundary_value":    {10, DiscreteBoundaryValue, DiscreteBoundaryValueGrad, DiscreteBoundaryValueHVP, DiscreteBoundaryValueHessian},
	"discrete_integral_equation": {10, DiscreteIntegralEquation, DiscreteIntegralEquationGrad, DiscreteIntegralEquationHVP, DiscreteIntegralEquationHessian},
	"extended_powell_singular":   {12, ExtendedPowellSingular, ExtendedPowellSingularGrad, ExtendedPowellSingularHVP, ExtendedPowellSingularHessian},
	"extended_rosenbrock":        {10, ExtendedRosenbrock, ExtendedRosenbrockGrad, ExtendedRosenbrockHVP, ExtendedRosenbrockHessian},
	"freudenstein_roth":          {2, FreudensteinRoth, FreudensteinRothGrad, FreudensteinRothHVP, FreudensteinRothHessian},
	"gaussian":                   {3, Gaussian, GaussianGrad, GaussianHVP, GaussianHessian},
	"gulf":                       {3, Gulf, GulfGrad, GulfHVP, GulfHessian},
	"helical_valley":             {3, HelicalValley, HelicalValleyGrad, HelicalValleyHVP, HelicalValleyHessian},
	"jennrich_sampson":           {2, JennrichSampson, JennrichSampsonGrad, JennrichSampsonHVP, JennrichSampsonHessian},
	"kowalik_osborne":            {4, KowalikOsborne, KowalikOsborneGrad, KowalikOsborneHVP, KowalikOsborneHessian},
	"linear_full_rank":           {10, LinearFullRank, LinearFullRankGrad, LinearFullRankHVP, LinearFullRankHessian},
	"linear_rank1":               {10, LinearRank1, LinearRank1Grad, LinearRank1HVP, LinearRank1Hessian},
	"linear_rank1_zero":          {10, LinearRank1Zero, LinearRank1ZeroGrad, LinearRank1ZeroHVP, LinearRank1ZeroHessian},
	"meyer":                      {3, Meyer, MeyerGrad, MeyerHVP, MeyerHessian},
	"osborne1":                   {5, Osborne1, Osborne1Grad, Osborne1HVP, Osborne1Hessian},
	"osborne2":                   {11, Osborne2, Osborne2Grad, Osborne2HVP, Osborne2Hessian},
	"penalty1":                   {10, Penalty1, Penalty1Grad, Penalty1HVP, Penalty1Hessian},
	"penalty2":                   {10, Penalty2, Penalty2Grad, Penalty2HVP, Penalty2Hessian},
	"powell_badly_scaled":        {2, PowellBadlyScaled, PowellBadlyScaledGrad, PowellBadlyScaledHVP, PowellBadlyScaledHessian},
	"powell_singular":            {4, PowellSingular, PowellSingularGrad, PowellSingularHVP, PowellSingularHessian},
	"rosenbrock":                 {2, Rosenbrock, RosenbrockGrad, RosenbrockHVP, RosenbrockHessian},
	"trigonometric":              {10, Trigonometric, TrigonometricGrad, TrigonometricHVP, TrigonometricHessian},
	"variably_dimensioned":       {10, VariablyDimensioned, VariablyDimensionedGrad, VariablyDimensionedHVP, VariablyDimensionedHessian},
	"watson":                     {6, Watson, WatsonGrad, WatsonHVP, WatsonHessian},
	"wood":                       {4, Wood, WoodGrad, WoodHVP, WoodHessian},
}
