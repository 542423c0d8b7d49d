package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-ad/nabla/ad"
	"github.com/nabla-ad/nabla/expr"
)

// MaxPointLen bounds the number of values a point may hold in all, so that
// a pattern like x=0*100000000000 is refused with a message instead of
// exhausting memory. Evaluating and differentiating needs several buffers
// of the variables' length: the gradient of extended Rosenbrock at the
// limit, 2²³ variables, takes about 1 GB.
const MaxPointLen = 1 << 23

// A value is one variable's value in a point: a scalar, a vector when it
// was written as a vector (even of one element), or a matrix, written as
// a list of rows, whose elements x holds row by row.
type value struct {
	name  string
	x     []float64
	shape ad.Shape
}

// A point assigns values to variables, in the order they were written.
type point []value

// lookup returns the value of the variable name.
func (p point) lookup(name string) (value, bool) {
	i := slices.IndexFunc(p, func(v value) bool { return v.name == name })
	if i < 0 {
		return value{}, false
	}
	return p[i], true
}

// index maps the name of each variable of p to its position, for points of
// many variables, where lookup would be slow.
func (p point) index() map[string]int {
	m := make(map[string]int, len(p))
	for i, v := range p {
		m[v.name] = i
	}
	return m
}

// len returns the number of values in p.
func (p point) len() int {
	n := 0
	for _, v := range p {
		n += len(v.x)
	}
	return n
}

// A pointError is a malformed point, with the position of the fault in the
// text of the flag that gave it.
type pointError struct {
	flag string // "--at", "--dir"
	text string // the flag's value
	pos  int    // byte offset of the fault in text
	msg  string
}

func (e *pointError) Error() string {
	return fmt.Sprintf("%s: %s\n%s", e.flag, e.msg, expr.Excerpt(e.text, e.pos))
}

// parsePoint parses a point as written after --at or --dir:
//
//	x=1,y=2          scalars
//	x=[1,2,3]        a vector
//	x=-1.2:1.5*500   a vector: the pattern -1.2, 1.5 repeated 500 times
//	x=0*1000         a vector of 1000 zeros
//	W=[[1,2],[3,4]]  a matrix, row by row
//
// Entries are separated by commas; spaces may surround names, numbers and
// punctuation. The texts of a flag given several times make one point, in
// which a name may be given once.
func parsePoint(flag string, texts ...string) (point, error) {
	var p point
	seen := map[string]bool{}
	total := 0
	for _, text := range texts {
		ps := pointScanner{flag: flag, text: text}
		for {
			ps.skipSpace()
			v, err := ps.entry(MaxPointLen - total)
			if err != nil {
				return nil, err
			}
			if seen[v.name] {
				return nil, ps.errorf(ps.start, "%s is given twice", v.name)
			}
			seen[v.name] = true
			p = append(p, v)
			total += len(v.x)
			ps.skipSpace()
			if ps.pos == len(text) {
				break
			}
			if text[ps.pos] != ',' {
				return nil, ps.errorf(ps.pos, "expected a comma before the next name=value, found %q", ps.rest(8))
			}
			ps.pos++
		}
	}
	return p, nil
}

// pointScanner reads a point's text from left to right.
type pointScanner struct {
	flag, text string
	pos        int // the next byte to read
	start      int // where the current entry starts
}

func (ps *pointScanner) errorf(pos int, format string, args ...any) error {
	return &pointError{flag: ps.flag, text: ps.text, pos: pos, msg: fmt.Sprintf(format, args...)}
}

// rest returns up to n characters of the text from the current position,
// for messages.
func (ps *pointScanner) rest(n int) string {
	r := ps.text[ps.pos:]
	for i := range r {
		if n == 0 {
			return r[:i] + "…"
		}
		n--
	}
	return r
}

// skipSpace moves past spaces, tabs and newlines.
func (ps *pointScanner) skipSpace() {
	for ps.pos < len(ps.text) && strings.IndexByte(" \t\r\n", ps.text[ps.pos]) >= 0 {
		ps.pos++
	}
}

// entry reads name=value; the value may hold at most limit numbers.
func (ps *pointScanner) entry(limit int) (value, error) {
	ps.start = ps.pos
	// The name runs to the first byte that cannot follow it; whether it
	// is a name is the language's to say.
	end := ps.pos + strings.IndexAny(ps.text[ps.pos:], "=,[]*: \t\r\n")
	if end < ps.pos {
		end = len(ps.text)
	}
	name := ps.text[ps.pos:end]
	if name == "" {
		if ps.pos == len(ps.text) {
			return value{}, ps.errorf(ps.pos, "expected name=value, found the end")
		}
		return value{}, ps.errorf(ps.pos, "expected a variable name, found %q", ps.rest(8))
	}
	if err := expr.CheckVarName(name); err != nil {
		return value{}, ps.errorf(ps.pos, "%v", err)
	}
	ps.pos = end
	ps.skipSpace()
	if ps.pos == len(ps.text) || ps.text[ps.pos] != '=' {
		return value{}, ps.errorf(ps.pos, "expected = and a value after %s", name)
	}
	ps.pos++
	ps.skipSpace()
	if ps.pos < len(ps.text) && ps.text[ps.pos] == '[' {
		if ps.nextIs('[') {
			return ps.matrix(name, limit)
		}
		x, err := ps.list(name, limit)
		return value{name: name, x: x, shape: ad.Vector(len(x))}, err
	}
	first := ps.pos
	x, err := ps.numbers(':')
	if err != nil {
		return value{}, err
	}
	if ps.pos == len(ps.text) || ps.text[ps.pos] != '*' {
		if len(x) > 1 {
			return value{}, ps.errorf(ps.pos, "the pattern %s needs a repeat count, as in %[1]s*10", ps.text[first:ps.pos])
		}
		return value{name: name, x: x}, nil
	}
	ps.pos++
	ps.skipSpace()
	x, err = ps.repeat(name, x, limit)
	return value{name: name, x: x, shape: ad.Vector(len(x))}, err
}

// nextIs reports whether the first byte after the current one and the
// spaces after it is c.
func (ps *pointScanner) nextIs(c byte) bool {
	i := ps.pos + 1
	for i < len(ps.text) && strings.IndexByte(" \t\r\n", ps.text[i]) >= 0 {
		i++
	}
	return i < len(ps.text) && ps.text[i] == c
}

// matrix reads a matrix literal [[a,b],[c,d]] of rows of one length.
func (ps *pointScanner) matrix(name string, limit int) (value, error) {
	open := ps.pos
	ps.pos++
	var x []float64
	rows := 0
	for {
		ps.skipSpace()
		start := ps.pos
		if ps.pos == len(ps.text) || ps.text[ps.pos] != '[' {
			return value{}, ps.errorf(ps.pos, "expected [ to start a row of the matrix %s, found %q", name, ps.rest(8))
		}
		row, err := ps.list(name, limit-len(x))
		if err != nil {
			return value{}, err
		}
		if rows > 0 && len(row) != len(x)/rows {
			return value{}, ps.errorf(start, "row %d of the matrix %s has %d values, row 1 has %d", rows+1, name, len(row), len(x)/rows)
		}
		x = append(x, row...)
		rows++
		ps.skipSpace()
		switch {
		case ps.pos == len(ps.text):
			return value{}, ps.errorf(open, "unclosed [ in the value of %s", name)
		case ps.text[ps.pos] == ']':
			ps.pos++
			return value{name: name, x: x, shape: ad.Matrix(rows, len(x)/rows)}, nil
		case ps.text[ps.pos] != ',':
			return value{}, ps.errorf(ps.pos, "expected a comma or ] in the value of %s, found %q", name, ps.rest(8))
		}
		ps.pos++
	}
}

// list reads a vector literal [a,b,…].
func (ps *pointScanner) list(name string, limit int) ([]float64, error) {
	open := ps.pos
	ps.pos++
	ps.skipSpace()
	if ps.pos < len(ps.text) && ps.text[ps.pos] == ']' {
		return nil, ps.errorf(ps.pos, "the vector %s is empty; a vector needs at least one value", name)
	}
	x, err := ps.numbers(',')
	if err != nil {
		return nil, err
	}
	switch {
	case ps.pos == len(ps.text):
		return nil, ps.errorf(open, "unclosed [ in the value of %s", name)
	case ps.text[ps.pos] != ']':
		return nil, ps.errorf(ps.pos, "expected a comma or ] in the value of %s, found %q", name, ps.rest(8))
	}
	ps.pos++
	if len(x) > limit {
		return nil, ps.errorf(open, "the vector %s has %d values; a point may hold at most %d", name, len(x), MaxPointLen)
	}
	return x, nil
}

// repeat reads the count after pattern* and returns the repeated pattern.
func (ps *pointScanner) repeat(name string, pattern []float64, limit int) ([]float64, error) {
	start := ps.pos
	for ps.pos < len(ps.text) && ps.text[ps.pos] >= '0' && ps.text[ps.pos] <= '9' {
		ps.pos++
	}
	count, err := strconv.ParseUint(ps.text[start:ps.pos], 10, 64)
	switch {
	case start == ps.pos:
		return nil, ps.errorf(start, "expected a repeat count after *, found %q", ps.rest(8))
	case err != nil || count > uint64(limit) || count*uint64(len(pattern)) > uint64(limit):
		n := ps.text[start:ps.pos]
		if len(pattern) > 1 {
			n += "×" + strconv.Itoa(len(pattern))
		}
		return nil, ps.errorf(start, "%s would have %s values; a point may hold at most %d", name, n, MaxPointLen)
	case count == 0:
		return nil, ps.errorf(start, "a repeat count must be at least 1")
	}
	x := make([]float64, 0, int(count)*len(pattern))
	for range count {
		x = append(x, pattern...)
	}
	return x, nil
}

// numbers reads numbers separated by sep, stopping before any other byte
// but a space.
func (ps *pointScanner) numbers(sep byte) ([]float64, error) {
	var x []float64
	for {
		ps.skipSpace()
		start := ps.pos
		for ps.pos < len(ps.text) && isNumberByte(ps.text, ps.pos, start) {
			ps.pos++
		}
		s := ps.text[start:ps.pos]
		if s == "" {
			if ps.pos == len(ps.text) {
				return nil, ps.errorf(start, "expected a number, found the end")
			}
			return nil, ps.errorf(start, "expected a number, found %q", ps.rest(8))
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil && !isRangeError(err) {
			return nil, ps.errorf(start, "%q is not a number", s)
		}
		x = append(x, v)
		ps.skipSpace()
		if ps.pos == len(ps.text) || ps.text[ps.pos] != sep {
			return x, nil
		}
		ps.pos++
	}
}

// isRangeError reports whether err says a number overflowed; ParseFloat
// then returns ±Inf, which is a value like any other.
func isRangeError(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && ne.Err == strconv.ErrRange
}

// isNumberByte reports whether text[i] can continue the number that starts
// at start: digits, a point, an exponent, a sign at the start or after an
// exponent, and the letters of Inf and NaN.
func isNumberByte(text string, i, start int) bool {
	c := text[i]
	switch {
	case c >= '0' && c <= '9', c == '.':
		return true
	case c == '+' || c == '-':
		return i == start || text[i-1] == 'e' || text[i-1] == 'E'
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	}
	return false
}

// parsePointJSON parses a point file: a JSON object mapping each variable to
// a number or an array of numbers.
func parsePointJSON(name string, data []byte) (point, error) {
	// Editors on Windows may start a UTF-8 file with a byte order mark,
	// which JSON does not allow.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	// What nabla optimize --json prints (or --save writes) holds its point
	// under "x", beside the run's "status".
	var result struct {
		X      json.RawMessage `json:"x"`
		Status json.RawMessage `json:"status"`
	}
	if json.Unmarshal(data, &result) == nil && result.Status != nil && bytes.HasPrefix(result.X, []byte("{")) {
		data = result.X
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%s: a point file must hold a JSON object such as {\"x\": 1, \"y\": [1, 2]}", name)
	}
	var p point
	seen := map[string]bool{}
	total := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s: value of %q: %v", name, key, err)
		}
		v, err := pointValueJSON(key, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("%s: %s is given twice", name, key)
		}
		seen[key] = true
		if total += len(v.x); total > MaxPointLen {
			return nil, fmt.Errorf("%s: the point has more than the %d values a point may hold", name, MaxPointLen)
		}
		p = append(p, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("%s: unexpected data after the JSON object", name)
	}
	return p, nil
}

// pointValueJSON converts one entry of a point file.
func pointValueJSON(key string, raw json.RawMessage) (value, error) {
	if err := expr.CheckVarName(key); err != nil {
		return value{}, err
	}
	var s float64
	if err := json.Unmarshal(raw, &s); err == nil {
		return value{name: key, x: []float64{s}}, nil
	}
	var x []float64
	if err := json.Unmarshal(raw, &x); err == nil {
		if len(x) == 0 {
			return value{}, fmt.Errorf("the vector %s is empty; a vector needs at least one value", key)
		}
		return value{name: key, x: x, shape: ad.Vector(len(x))}, nil
	}
	var rows [][]float64
	if err := json.Unmarshal(raw, &rows); err != nil {
		return value{}, fmt.Errorf("the value of %s must be a number, an array of numbers or an array of rows of numbers", key)
	}
	if len(rows) == 0 || len(rows[0]) == 0 {
		return value{}, fmt.Errorf("the matrix %s is empty; a matrix needs at least one value", key)
	}
	flat := make([]float64, 0, len(rows)*len(rows[0]))
	for i, r := range rows {
		if len(r) != len(rows[0]) {
			return value{}, fmt.Errorf("row %d of the matrix %s has %d values, row 1 has %d", i+1, key, len(r), len(rows[0]))
		}
		flat = append(flat, r...)
	}
	return value{name: key, x: flat, shape: ad.Matrix(len(rows), len(rows[0]))}, nil
}
