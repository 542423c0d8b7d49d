// Package gradbench makes nabla a tool of GradBench
// (github.com/gradbench/gradbench), the shared benchmark of automatic
// differentiation tools: Serve speaks its protocol, and each of its evals
// that nabla implements is a module here, written with nabla's own
// machinery.
//
// # The protocol
//
// The eval sends one JSON object a line; Serve answers each with exactly
// one line, in order, flushed, with the message's id:
//
//   - start → {"id", "tool": "nabla", "config"}, the config saying how the
//     functions run (compiled programs, not generated code), on how many
//     threads and on which BLAS;
//   - define {"module"} → {"id", "success": true} when nabla has the
//     module, else success false and an error listing the modules;
//   - evaluate {"module", "function", "input"} → {"id", "success": true,
//     "output", "timings"}, or success false and an error naming the field
//     at fault (input.x: want an array of numbers, got a string);
//   - analysis and every other kind → {"id"}; a failed analysis (the eval
//     judged an output wrong) is logged, and an unknown kind is answered
//     with success false as well.
//
// A line that is not a JSON object with a numeric id is answered with a
// null id, success false and the error, so that every line has its
// answer and the ids never get out of step. Diagnostics go to the log
// writer, never to the output.
//
// # Timings
//
// Except in hello, whose input is a bare number, an input has min_runs and
// min_seconds: the function runs until it has run at least min_runs times
// and its runs have taken at least min_seconds together. The response has
// one "evaluate" timing per run, the time of the function alone, and one
// "prepare" timing for what is done once per message before the runs:
// converting the input to constants, building the graph and compiling the
// value and derivative programs (a gradient's by computing it once).
// Decoding the JSON is in neither. Timings
// are written as the response is, so that a response of millions of runs
// needs no more memory than their durations.
//
// # Modules
//
// Each module is a model written in nabla's expression language (the
// .nabla files of this package, with the data bound as constants) or with
// ad.Builder, and Go glue that converts the input and calls the model's
// Func: nothing is differentiated by hand.
//
//   - hello (hello.nabla): square x → x², double x → its derivative 2x.
//   - llsq (llsq.nabla): primal and gradient of half the squared error of
//     a polynomial of m coefficients against sign(t) at n points, with the
//     Vandermonde matrix of the points as a constant.
//   - lse (lse.nabla): primal and gradient of log Σ exp(xᵢ), shifted by
//     the maximum, from max, exp, sum and log.
//   - ode (ode.nabla): primal (the solution at t = 2, a vector) and
//     gradient (of its last element, one reverse pass) of s classical
//     Runge–Kutta steps, written with the language's loop.
//   - det (det.go): primal and gradient of the determinant of an ℓ×ℓ
//     matrix by expansion by minors, built with ad.Builder, each minor
//     once.
//   - gmm (gmm.nabla): objective, the log posterior of a Gaussian mixture
//     with a Wishart prior on its precision matrices, and jacobian, its
//     gradient; one matrix product gives every component's Q(x - μ) at
//     every point.
//   - kmeans (kmeans.nabla): cost, the sum of the squared distances of
//     the points to their nearest centroids, and dir, the Newton direction
//     J ⊘ diag(H), its gradient over the diagonal of its Hessian, built
//     with nabla's gradient and Hessian-vector product (H is diagonal, so
//     H·1 is its diagonal) and compiled as one program.
//   - lstm (lstm.go): objective, the loss of an LSTM of diagonal weights
//     predicting each character of a sequence from those before, and
//     jacobian, its gradient, built with ad.Builder; the weights are
//     diagonal, so the layers run as a pipeline, one character apart, a
//     step of every layer in one vector operation.
//   - ba (ba.nabla): objective, the reprojection error of each
//     observation of a point by a camera and the error 1 - w² of each
//     weight, and jacobian, their sparse Jacobian: the model of one
//     observation is compiled once and run for each, its two rows from
//     two reverse passes.
//   - ht (ht.go): objective, the distances of measured points to a hand
//     model of 22 bones posed by 26 parameters, with ad.Builder, and
//     jacobian, their Jacobian in the parameters (and in the points'
//     barycentric coordinates on the model's surface), by forward passes.
//   - saddle (saddle.nabla) and particle (particle.nabla): nested
//     differentiation through GradBench's gradient-descent solver, in the
//     four combinations ff, fr, rf and rr of the outer and the inner mode,
//     forward (JVPs) or reverse (gradients).
//
// # Control flow
//
// The gradient-descent solver of saddle and particle, and the particle's
// path, stop on conditions of the values they compute, and nabla's graphs
// have no control flow. So those loops run in Go, around nabla's values
// and derivatives, and where a derivative must see through one (the outer
// derivative of saddle through the inner search, that of particle through
// the particle's path), nabla differentiates the straight-line program
// the loop ran: the model compiled with the loop's trip count and step
// sizes as constants, so that its derivative holds the inner derivatives'
// own (nested differentiation). Such a program is compiled on first use,
// inside the timed run, and kept for the message's later runs, which take
// the same paths.
package gradbench
