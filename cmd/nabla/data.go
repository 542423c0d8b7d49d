package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-ad/nabla/data"
	"github.com/nabla-ad/nabla/expr"
)

// A dataFlag is one --data NAME=FILE[:J[:K]].
type dataFlag struct {
	text        string // the flag's value, for messages
	name, file  string
	first, last int // the columns, from 1; 0 for the whole file
}

// columnsSuffix matches the columns after a file name: :J or :J:K.
var columnsSuffix = regexp.MustCompile(`^(.+?):([0-9]+)(?::([0-9]+))?$`)

// dataFlags parses --data; it reads no file.
func (in *inputFlags) dataFlags() ([]dataFlag, error) {
	var flags []dataFlag
	for _, text := range in.data {
		name, file, ok := strings.Cut(text, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || file == "" {
			return nil, fmt.Errorf("--data %s: want NAME=FILE, such as --data xs=points.csv:1", text)
		}
		if err := expr.CheckVarName(name); err != nil {
			return nil, fmt.Errorf("--data %s: %v", text, err)
		}
		if slices.ContainsFunc(flags, func(d dataFlag) bool { return d.name == name }) {
			return nil, fmt.Errorf("--data: %s is given twice", name)
		}
		d := dataFlag{text: text, name: name, file: file}
		if m := columnsSuffix.FindStringSubmatch(file); m != nil {
			d.file = m[1]
			d.first, _ = strconv.Atoi(m[2])
			d.last = d.first
			if m[3] != "" {
				d.last, _ = strconv.Atoi(m[3])
			}
			if d.first < 1 || d.last < d.first {
				return nil, fmt.Errorf("--data %s: want columns J or J:K with 1 ≤ J ≤ K, counting from 1", text)
			}
		}
		flags = append(flags, d)
	}
	return flags, nil
}

// readData reads the files of the --data flags, in all at most
// data.MaxLen numbers.
func readData(flags []dataFlag) (map[string]expr.Const, error) {
	consts := map[string]expr.Const{}
	total := 0
	files := map[string]*data.Array{} // columns of one file are read once
	for _, d := range flags {
		c, err := d.read(files)
		if err != nil {
			return nil, err
		}
		if total += len(c.Values); total > data.MaxLen {
			return nil, fmt.Errorf("--data: the data hold more than the %d numbers nabla takes in all", data.MaxLen)
		}
		consts[d.name] = c
	}
	return consts, nil
}

// read reads the file of a --data flag, unless it is in files, and
// selects its columns.
func (d dataFlag) read(files map[string]*data.Array) (expr.Const, error) {
	a, ok := files[d.file]
	if !ok {
		var err error
		if a, err = data.ReadFile(d.file); err != nil {
			return expr.Const{}, fmt.Errorf("--data %s: %v", d.name, err)
		}
		files[d.file] = a
	}
	if d.first > 0 {
		if len(a.Dims) != 2 {
			return expr.Const{}, fmt.Errorf("--data %s: columns are selected from a table, and %s holds %s", d.text, d.file, describeArray(a))
		}
		if n := a.Dims[1]; d.last > n {
			return expr.Const{}, fmt.Errorf("--data %s: %s has %s", d.text, d.file, plural(n, "column"))
		}
		var err error
		if a, err = a.Columns(d.first-1, d.last); err != nil {
			return expr.Const{}, err
		}
	}
	return expr.Const{Shape: a.Shape(), Values: a.Values}, nil
}

// describeArray says what a file holds that is not a table.
func describeArray(a *data.Array) string {
	if len(a.Dims) == 0 {
		return "a number"
	}
	return fmt.Sprintf("a vector of %d numbers", a.Dims[0])
}

// plural writes "1 column" or "n columns".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// refuseData is the error of a point, given by flag, that names data.
func refuseData(flag string, p point, flags []dataFlag) error {
	for _, d := range flags {
		if _, ok := p.lookup(d.name); ok {
			return fmt.Errorf("%s: %s is data (--data %s), not a variable: data are held fixed and have no derivative; remove %[2]s from the point", flag, d.name, d.text)
		}
	}
	return nil
}

// addWrtFlag declares --wrt on the commands that differentiate.
func (in *inputFlags) addWrtFlag(cmd *cobra.Command) {
	in.hasWrt = true
	cmd.Flags().StringSliceVar(&in.wrt, "wrt", nil, "differentiate only these `VARS` (comma-separated); the others keep their --at values")
}

// wrtNames returns the names --wrt gives, or nil without it.
func (in *inputFlags) wrtNames(cmd *cobra.Command) ([]string, error) {
	if !in.hasWrt || !cmd.Flags().Changed("wrt") {
		return nil, nil
	}
	names := []string{}
	for _, name := range in.wrt {
		name = strings.TrimSpace(name)
		if err := expr.CheckVarName(name); err != nil {
			return nil, fmt.Errorf("--wrt: %v", err)
		}
		if slices.Contains(names, name) {
			return nil, fmt.Errorf("--wrt: %s is given twice", name)
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, &usageError{cmd, errors.New("--wrt: name at least one variable")}
	}
	return names, nil
}

// constOf returns a point's value as a constant, to hold a variable fixed.
func constOf(v value) expr.Const { return expr.Const{Shape: v.shape, Values: v.x} }
