// Package viz draws the pictures nabla is taught with: contour maps of a
// function of two variables, its gradient field as arrows, optimizer paths
// over the contours, loss-landscape slices of functions of many variables,
// the error-versus-step-size curves of numeric differentiation and
// performance profiles of optimizers.
//
// Everything is drawn with gonum.org/v1/plot; viz chooses what to sample and
// how to present it. A picture is made in three steps:
//
//  1. Sample a Function over a Plane: Sample evaluates it on a grid of
//     (a, b) coordinates, SampleGradient evaluates its gradient projected
//     onto the plane. The evaluation runs on all CPUs; *ad.Func is a
//     Function and is safe for concurrent use.
//  2. Build a Figure: NewMap draws contours (levels log-spaced when the
//     values span orders of magnitude) with a colour bar; AddField adds the
//     gradient arrows and AddPaths the optimizer trajectories, with a legend.
//     NewSlicePlot, NewStepErrorPlot and NewProfilePlot draw line plots.
//  3. Save it: Figure.Save writes SVG, PNG or PDF, chosen by the file's
//     extension.
//
// A Plane is the set of points origin + a·d1 + b·d2. CoordinatePlane
// varies two coordinates and fixes the others, which is the ordinary contour
// map of f(x, y); RandomPlane takes two random orthonormal directions from a
// seed, which is the loss-landscape slice of a function of many variables.
//
// Points where the function is not finite are gaps: they are left out of the
// contours, covered in grey, counted in Surface.NonFinite and reported in
// Figure.Notes.
package viz
