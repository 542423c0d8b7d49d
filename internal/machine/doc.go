// Package machine writes amd64 machine code for scalar floating-point
// arithmetic on a register file in memory, maps it executable and runs
// it. nabla compiles the programs that are scalar arithmetic alone to
// such code, which runs them with no interpreter dispatch at all.
//
// An Asm writes the instructions: SSE2 loads, stores, copies, adds,
// subtracts, multiplies, divides and sign flips of float64s, with the
// register file at SI, and a return. Map makes the code executable and
// Code.Run calls it; both work on linux/amd64 only (Supported), the
// others run their programs interpreted. Mapped code is unmapped when its
// Code is garbage collected, and at most MaxMaps codes are mapped at once,
// so that the mappings leave the process's limit to the Go heap.
//
// The code keeps nothing on the stack but its return address and uses
// the registers SI, AX and X0 to X14 (X15 is Go's zero register and left
// alone). The Go runtime cannot preempt it, so it must be short: a
// program's arithmetic, not a loop.
package machine
