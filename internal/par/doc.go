// Package par runs the independent steps of a loop on all CPUs, as the
// samplers of viz and landscape do for the points of a grid or a line. It
// imports nothing of nabla, so every package may use it.
package par
