//go:build !linux || !amd64 || purego

package machine

import (
	"errors"
	"unsafe"
)

// Supported says whether Map makes code that runs: on linux/amd64 only.
const Supported = false

// A Code is machine code mapped executable, which this build cannot make.
type Code struct{}

// Map fails: this build runs no machine code.
func Map(b []byte) (*Code, error) {
	return nil, errors.New("machine: no machine code on this platform")
}

// Run does nothing: there is no Code to run.
func (c *Code) Run(regs unsafe.Pointer) {}

// RunAt does nothing: there is no Code to run.
func (c *Code) RunAt(off int, regs unsafe.Pointer) {}
