//go:build !purego

package machine

import (
	"errors"
	"runtime"
	"syscall"
	"unsafe"
)

// Supported says whether Map makes code that runs: on linux/amd64.
const Supported = true

// A Code is machine code mapped executable.
type Code struct {
	entry unsafe.Pointer
	size  int
}

// Map copies the machine code b to memory of its own, executable and
// not writable, and returns it. It fails when MaxMaps codes are mapped or
// the system refuses the mapping.
func Map(b []byte) (*Code, error) {
	if maps.Add(1) > MaxMaps {
		maps.Add(-1)
		return nil, errMaps
	}
	m, err := syscall.Mmap(-1, 0, len(b), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err == nil {
		copy(m, b)
		if err = syscall.Mprotect(m, syscall.PROT_READ|syscall.PROT_EXEC); err != nil {
			syscall.Munmap(m)
		}
	}
	if err != nil {
		maps.Add(-1)
		return nil, err
	}
	c := &Code{entry: unsafe.Pointer(unsafe.SliceData(m)), size: len(b)}
	runtime.AddCleanup(c, unmap, m)
	return c, nil
}

// unmap unmaps the memory of a Code that is gone.
func unmap(m []byte) {
	syscall.Munmap(m)
	maps.Add(-1)
}

// Run runs the code from its start with SI = regs, the register file,
// which must hold every register the code reads or writes.
func (c *Code) Run(regs unsafe.Pointer) {
	call(c.entry, regs)
	// c must outlive the call: were it collected during it, its cleanup
	// would unmap the code that runs.
	runtime.KeepAlive(c)
}

// RunAt runs the code from byte off, the start of an instruction, as Run
// runs it from 0: code of several parts, each ending in a return, has an
// entry at the start of each. It panics for an off outside the code.
func (c *Code) RunAt(off int, regs unsafe.Pointer) {
	if uint(off) >= uint(c.size) {
		panic("machine: RunAt outside the code")
	}
	call(unsafe.Add(c.entry, off), regs)
	runtime.KeepAlive(c)
}

// call calls the code at entry with SI = regs.
//
//go:noescape
func call(entry, regs unsafe.Pointer)

var errMaps = errors.New("machine: too many codes mapped")
