package data

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-ad/nabla/ad"
)

// The limits of one file, checked before it is read whole: at MaxLen
// numbers the values take 128 MiB, and a text file of that many numbers
// is below MaxFileSize.
const (
	MaxFileSize = 1 << 29 // bytes
	MaxLen      = 1 << 24 // numbers
)

// An Array holds the numbers of a data file.
type Array struct {
	// Dims holds the size of each dimension: none for a scalar, n for a
	// vector of n numbers, m and n for a table of m rows and n columns.
	// Every size is at least 1.
	Dims []int
	// Values holds the numbers, a table's row after row.
	Values []float64
}

// Shape returns the shape the array binds as: a scalar, a vector of its
// numbers when it is a vector or a table of one row or one column, and
// otherwise a matrix of its rows.
func (a *Array) Shape() ad.Shape {
	switch len(a.Dims) {
	case 0:
		return ad.Scalar()
	case 1:
		return ad.Vector(a.Dims[0])
	}
	m, n := a.Dims[0], a.Dims[1]
	if m == 1 || n == 1 {
		return ad.Vector(m * n)
	}
	return ad.Matrix(m, n)
}

// Columns returns the table of columns i to j-1 of a table, counting from
// 0, as a slice expression would: a.Columns(1, 3) keeps the second and the
// third.
func (a *Array) Columns(i, j int) (*Array, error) {
	if len(a.Dims) != 2 {
		return nil, errors.New("columns are selected from a table, not from a scalar or a vector")
	}
	m, n := a.Dims[0], a.Dims[1]
	if i < 0 || j > n || i >= j {
		return nil, fmt.Errorf("columns [%d, %d) of a table of %d columns", i, j, n)
	}
	c := &Array{Dims: []int{m, j - i}, Values: make([]float64, 0, m*(j-i))}
	for r := range m {
		c.Values = append(c.Values, a.Values[r*n+i:r*n+j]...)
	}
	return c, nil
}

// An Error is a fault in a data file, with where it is.
type Error struct {
	File   string // the file's name, when read by ReadFile
	Line   int    // the line of a text file, from 1; 0 when the fault has none
	Column int    // a CSV file's field or a JSON file's character, from 1; 0 when none
	Msg    string
}

// Error returns "FILE:LINE: column COLUMN: MSG", leaving out what e does
// not know.
func (e *Error) Error() string {
	var where []string
	switch {
	case e.File != "" && e.Line > 0:
		where = append(where, fmt.Sprintf("%s:%d", e.File, e.Line))
	case e.File != "":
		where = append(where, e.File)
	case e.Line > 0:
		where = append(where, fmt.Sprintf("line %d", e.Line))
	}
	if e.Column > 0 {
		where = append(where, fmt.Sprintf("column %d", e.Column))
	}
	return strings.Join(append(where, e.Msg), ": ")
}

// formats maps an extension to its reader.
var formats = map[string]func(io.Reader) (*Array, error){
	".csv":  ReadCSV,
	".json": ReadJSON,
	".npy":  ReadNPY,
}

// ReadFile reads the data file name, in the format its extension names:
// .csv, .json or .npy. A file larger than MaxFileSize is refused before it
// is read; the errors of its contents are *Errors naming the file.
func ReadFile(name string) (*Array, error) {
	ext := strings.ToLower(filepath.Ext(name))
	read, ok := formats[ext]
	if !ok {
		return nil, fmt.Errorf("%s: unknown data format %q: want .csv, .json or .npy", name, ext)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a data file", name)
	case fi.Size() > MaxFileSize:
		return nil, fmt.Errorf("%s has %d bytes, more than the %d a data file may have", name, fi.Size(), MaxFileSize)
	}
	// A pipe or a device has no size to check first; it is cut off.
	a, err := read(&limitReader{r: f, n: MaxFileSize})
	var e *Error
	switch {
	case errors.Is(err, errTooLarge):
		return nil, fmt.Errorf("%s has more than the %d bytes a data file may have", name, MaxFileSize)
	case errors.As(err, &e):
		e.File = name
		return nil, e
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return a, nil
}

var errTooLarge = errors.New("the file is too large")

// A limitReader reads at most n bytes from r, and fails with errTooLarge,
// where io.LimitReader would end the file, if there are more.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	if l.n < 0 {
		return 0, errTooLarge
	}
	return k, err
}

// tooMany is the error of a file holding more than MaxLen numbers.
func tooMany() string {
	return fmt.Sprintf("more than the %d numbers a data file may hold", MaxLen)
}
