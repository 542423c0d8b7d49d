package gradbench

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A module is an eval that nabla implements: its functions by name.
type module map[string]function

// A function of a module decodes the input of an evaluate message and
// returns what prepares its runs. Decoding is not timed; prepare is, as
// the "prepare" timing.
type function struct {
	// bare marks a function whose input is its argument itself, with no
	// min_runs and min_seconds: hello's.
	bare   bool
	decode func(input json.RawMessage) (prepare func() (*task, error), err error)
}

// A task is an evaluate message made ready to run: run computes the
// function once, output returns the result of the last run as a value for
// encoding/json.
type task struct {
	run    func() error
	output func() any
}

// modules are the evals nabla implements, by name.
var modules = map[string]module{
	"hello":    hello,
	"llsq":     llsq,
	"lse":      lse,
	"ode":      ode,
	"det":      det,
	"saddle":   saddle,
	"particle": particle,
	"kmeans":   kmeans,
	"gmm":      gmm,
	"lstm":     lstm,
	"ba":       ba,
	"ht":       ht,
}

// Modules returns the names of the evals nabla implements, sorted.
func Modules() []string { return slices.Sorted(maps.Keys(modules)) }

// findModule returns the module called name, or an error naming the field
// at fault.
func findModule(name string) (module, error) {
	m, ok := modules[name]
	if !ok {
		return nil, fmt.Errorf("module: nabla has no module %q (it has %s)", name, strings.Join(Modules(), ", "))
	}
	return m, nil
}

// lookup returns the function of a module, or an error naming the field at
// fault.
func lookup(mod, fn string) (function, error) {
	m, err := findModule(mod)
	if err != nil {
		return function{}, err
	}
	f, ok := m[fn]
	if !ok {
		return function{}, fmt.Errorf("function: module %s has no function %q (it has %s)", mod, fn, strings.Join(slices.Sorted(maps.Keys(m)), ", "))
	}
	return f, nil
}

// objectInput adapts a decoder of an input object to a function.
func objectInput(decode func(in *object) func() (*task, error)) function {
	return function{decode: func(raw json.RawMessage) (func() (*task, error), error) {
		in, err := decodeObject("input", raw)
		if err != nil {
			return nil, err
		}
		prepare := decode(in)
		if in.err != nil {
			return nil, in.err
		}
		return prepare, nil
	}}
}

//go:embed *.nabla
var sources embed.FS

// source returns the model of a module written in nabla's language.
func source(name string) string {
	b, err := sources.ReadFile(name)
	if err != nil {
		panic("gradbench: " + err.Error()) // the files are embedded
	}
	return string(b)
}
