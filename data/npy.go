package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/nabla-ad/nabla/internal/text"
)

// maxNPYHeader bounds the header of a .npy file. numpy writes the few
// dozen bytes of a simple array's header padded to 64 (or 4096), and
// refuses to read headers over 10000 bytes itself.
const maxNPYHeader = 1 << 16

// npyTypes are the data types ReadNPY reads, by their NumPy descr, with
// the size of an element and its conversion to float64.
var npyTypes = map[string]struct {
	size   int
	decode func([]byte) float64
}{
	"<f8": {8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }},
	"<f4": {4, func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }},
	"<i8": {8, func(b []byte) float64 { return float64(int64(binary.LittleEndian.Uint64(b))) }},
	"<i4": {4, func(b []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(b))) }},
}

// ReadNPY reads an array in NumPy's .npy format (versions 1 to 3) of zero,
// one or two dimensions, in C order, of little-endian float64, float32,
// int64 or int32 numbers ('<f8', '<f4', '<i8', '<i4'). Integers convert
// to the nearest float64. The shape in the header is checked against
// MaxLen before the numbers are read.
func ReadNPY(r io.Reader) (*Array, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil || string(pre[:6]) != "\x93NUMPY" {
		return nil, npyErrorf("not a .npy file: it does not start with \\x93NUMPY")
	}
	var hlen int
	switch major, minor := pre[6], pre[7]; major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, npyErrorf("the file ends in its header")
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		if _, err := io.ReadFull(r, pre[6:10]); err != nil {
			return nil, npyErrorf("the file ends in its header")
		}
		n := binary.LittleEndian.Uint32(pre[6:10])
		if n > maxNPYHeader {
			return nil, npyErrorf("a header of %d bytes is longer than the %d this reader takes", n, maxNPYHeader)
		}
		hlen = int(n)
	default:
		return nil, npyErrorf("format version %d.%d is not supported (versions 1 to 3 are)", major, minor)
	}
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, npyErrorf("the file ends in its header")
	}
	h, err := parseNPYHeader(string(header))
	if err != nil {
		return nil, err
	}
	typ, ok := npyTypes[h.descr]
	if !ok {
		return nil, npyErrorf("data type %s is not supported: want little-endian float64, float32, int64 or int32 ('<f8', '<f4', '<i8', '<i4')", quoteDescr(h.descr))
	}
	switch {
	case len(h.shape) > 2:
		return nil, npyErrorf("an array of %d dimensions (shape %s): only scalars, vectors and tables of two dimensions are supported", len(h.shape), shapeString(h.shape))
	case h.fortran && len(h.shape) == 2 && h.shape[0] > 1 && h.shape[1] > 1:
		// Fortran order is C order for fewer than two dimensions.
		return nil, npyErrorf("the array is in Fortran order; save it in C order, as np.save(f, np.ascontiguousarray(a)) does")
	}
	n := 1
	for _, d := range h.shape {
		if d == 0 {
			return nil, npyErrorf("no numbers: the array of shape %s is empty", shapeString(h.shape))
		}
		if d > MaxLen || n*d > MaxLen {
			return nil, npyErrorf("the array of shape %s holds %s", shapeString(h.shape), tooMany())
		}
		n *= d
	}
	a := &Array{Dims: h.shape, Values: make([]float64, 0, min(n, 1<<16))}
	var buf [1 << 16]byte
	for len(a.Values) < n {
		chunk := buf[:min(n-len(a.Values), len(buf)/typ.size)*typ.size]
		if _, err := io.ReadFull(r, chunk); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, npyErrorf("the file ends before the %d numbers of shape %s", n, shapeString(h.shape))
			}
			return nil, err
		}
		for k := 0; k < len(chunk); k += typ.size {
			v := typ.decode(chunk[k : k+typ.size])
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, npyErrorf("element %s is %s", index(len(a.Values), h.shape), notFinite(strconv.FormatFloat(v, 'g', -1, 64)))
			}
			a.Values = append(a.Values, v)
		}
	}
	if k, err := r.Read(buf[:1]); k > 0 || (err != nil && err != io.EOF) {
		if err != nil && err != io.EOF {
			return nil, err
		}
		return nil, npyErrorf("the file holds more than the %d numbers of shape %s", n, shapeString(h.shape))
	}
	return a, nil
}

func npyErrorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// index writes the position of the i-th number of an array of the shape.
func index(i int, shape []int) string {
	if len(shape) == 2 {
		return fmt.Sprintf("[%d, %d]", i/shape[1], i%shape[1])
	}
	return fmt.Sprintf("[%d]", i)
}

// shapeString writes a shape as Python does: (), (3,), (3, 4).
func shapeString(shape []int) string {
	s := make([]string, len(shape))
	for i, d := range shape {
		s[i] = strconv.Itoa(d)
	}
	if len(s) == 1 {
		return "(" + s[0] + ",)"
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// quoteDescr writes a data type as NumPy does, with a header's stray bytes
// escaped.
func quoteDescr(s string) string {
	q := strconv.Quote(text.Shorten(s, 40))
	return "'" + q[1:len(q)-1] + "'"
}

// npyHeader is what a .npy header says.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader reads the header, a Python dict literal such as
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//
// padded with spaces and ending in a newline.
func parseNPYHeader(s string) (*npyHeader, error) {
	p := &pyScanner{s: s}
	h := &npyHeader{}
	seen := map[string]bool{}
	if !p.consume('{') {
		return nil, p.errorf("want a dict")
	}
	for !p.consume('}') {
		p.peek()
		at := p.i
		key, ok := p.str()
		if !ok {
			return nil, p.errorf("want a key")
		}
		if seen[key] {
			p.i = at
			return nil, p.errorf("%q is given twice", key)
		}
		seen[key] = true
		if !p.consume(':') {
			return nil, p.errorf("want : after %q", key)
		}
		switch key {
		case "descr":
			if p.peek() == '[' {
				return nil, npyErrorf("structured data types are not supported: want an array of numbers")
			}
			if h.descr, ok = p.str(); !ok {
				return nil, p.errorf("want a string for descr")
			}
		case "fortran_order":
			if h.fortran, ok = p.boolean(); !ok {
				return nil, p.errorf("want True or False for fortran_order")
			}
		case "shape":
			if h.shape, ok = p.tuple(); !ok {
				return nil, p.errorf("want a tuple of sizes for shape")
			}
		default:
			p.i = at
			return nil, p.errorf("unknown key %s", quoteDescr(key))
		}
		if !p.consume(',') && p.peek() != '}' {
			return nil, p.errorf("want , or }")
		}
	}
	if p.peek(); p.i != len(p.s) {
		return nil, p.errorf("unexpected text after the dict")
	}
	for _, key := range []string{"descr", "fortran_order", "shape"} {
		if !seen[key] {
			return nil, npyErrorf("header: no %q", key)
		}
	}
	return h, nil
}

// pyScanner reads the Python literals of a .npy header.
type pyScanner struct {
	s string
	i int
}

func (p *pyScanner) errorf(format string, args ...any) error {
	return npyErrorf("header: %s, at byte %d of %q", fmt.Sprintf(format, args...), p.i, text.Shorten(p.s, 80))
}

// peek skips spaces and returns the next byte, or 0 at the end.
func (p *pyScanner) peek() byte {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
	if p.i == len(p.s) {
		return 0
	}
	return p.s[p.i]
}

// consume reads c if it comes next.
func (p *pyScanner) consume(c byte) bool {
	if p.peek() != c {
		return false
	}
	p.i++
	return true
}

// str reads a string quoted with ' or ", without escapes, which numpy's
// headers do not use.
func (p *pyScanner) str() (string, bool) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", false
	}
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	s := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return s, true
}

// boolean reads True or False.
func (p *pyScanner) boolean() (bool, bool) {
	p.peek()
	for _, word := range []string{"True", "False"} {
		if strings.HasPrefix(p.s[p.i:], word) {
			p.i += len(word)
			return word == "True", true
		}
	}
	return false, false
}

// tuple reads a tuple of sizes: (), (3,), (3, 4). A size may end in L, as
// Python 2 wrote long integers.
func (p *pyScanner) tuple() ([]int, bool) {
	if !p.consume('(') {
		return nil, false
	}
	shape := []int{}
	for !p.consume(')') {
		p.peek()
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		d, err := strconv.Atoi(p.s[start:p.i])
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				d = math.MaxInt // refused as too large by the caller
			} else {
				return nil, false
			}
		}
		if p.i < len(p.s) && p.s[p.i] == 'L' {
			p.i++
		}
		shape = append(shape, d)
		if !p.consume(',') && p.peek() != ')' {
			return nil, false
		}
	}
	if len(shape) == 0 {
		return nil, true
	}
	return shape, true
}
