package gradbench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// An object is a JSON object whose members are decoded on demand, so that
// an error can name the member at fault. Its methods keep the first error
// and return zero values after it.
type object struct {
	path    string // how errors name the object: "input", or "" for a message
	members map[string]json.RawMessage
	err     error
}

// decodeObject returns raw, which must be a JSON object, as an object
// called path.
func decodeObject(path string, raw json.RawMessage) (*object, error) {
	var m map[string]json.RawMessage
	err := json.Unmarshal(raw, &m)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) || err == nil && m == nil {
		err = fmt.Errorf("want an object, got %s", jsonKind(raw))
	}
	if err != nil {
		if path != "" {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return nil, err
	}
	return &object{path: path, members: m}, nil
}

// jsonKind says what kind of JSON value raw is, for error messages.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// failf keeps the first error, naming the member name.
func (o *object) failf(name, format string, args ...any) {
	if o.err != nil {
		return
	}
	if o.path != "" {
		name = o.path + "." + name
	}
	o.err = fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
}

// member returns the raw value of the member name, or nil and an error
// when it is missing.
func (o *object) member(name string) json.RawMessage {
	if o.err != nil {
		return nil
	}
	raw, ok := o.members[name]
	if !ok {
		o.failf(name, "missing")
		return nil
	}
	return raw
}

// has reports whether the object has the member name.
func (o *object) has(name string) bool {
	_, ok := o.members[name]
	return ok
}

// string returns the member name, a string.
func (o *object) string(name string) string {
	raw := o.member(name)
	if raw == nil {
		return ""
	}
	var s string
	if kind := jsonKind(raw); kind != "a string" {
		o.failf(name, "want a string, got %s", kind)
		return ""
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		o.failf(name, "%v", err)
	}
	return s
}

// number returns the member name, a finite number.
func (o *object) number(name string) float64 {
	raw := o.member(name)
	if raw == nil {
		return 0
	}
	x, err := decodeNumber(raw)
	if err != nil {
		o.failf(name, "%v", err)
	}
	return x
}

// integer returns the member name, an integer from lo to hi.
func (o *object) integer(name string, lo, hi int) int {
	x := o.number(name)
	if o.err != nil {
		return 0
	}
	if x != math.Trunc(x) || x < float64(lo) || x > float64(hi) {
		o.failf(name, "want an integer from %d to %d, got %v", lo, hi, x)
		return 0
	}
	return int(x)
}

// vector returns the member name, a non-empty array of finite numbers.
func (o *object) vector(name string) []float64 {
	raw := o.member(name)
	if raw == nil {
		return nil
	}
	v, err := decodeVector(raw)
	if err != nil {
		o.failf(name, "%v", err)
	}
	return v
}

// decodeNumber decodes a finite number. JSON has no NaN or infinity, but a
// number too large for a float64 decodes as an error.
func decodeNumber(raw json.RawMessage) (float64, error) {
	if kind := jsonKind(raw); kind != "a number" {
		return 0, fmt.Errorf("want a number, got %s", kind)
	}
	var x float64
	if err := json.Unmarshal(raw, &x); err != nil {
		return 0, fmt.Errorf("want a number: %v", err)
	}
	return x, nil
}

// decodeVector decodes a non-empty array of numbers.
func decodeVector(raw json.RawMessage) ([]float64, error) {
	if kind := jsonKind(raw); kind != "an array" {
		return nil, fmt.Errorf("want an array of numbers, got %s", kind)
	}
	var v []float64
	// encoding/json decodes null as zero, so an array holding null (which
	// no array of numbers contains, even within a number) takes the slow
	// path that names the element.
	if err := json.Unmarshal(raw, &v); err != nil || bytes.Contains(raw, []byte("null")) {
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return nil, fmt.Errorf("want an array of numbers: %v", err)
		}
		for i, e := range elems {
			if _, err := decodeNumber(e); err != nil {
				return nil, fmt.Errorf("element %d: %v", i, err)
			}
		}
		return nil, fmt.Errorf("want an array of numbers: %v", err)
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("want an array of numbers, got an empty array")
	}
	return v, nil
}

// matrix returns the member name, a non-empty array of rows of finite
// numbers, all of one non-zero length, flattened row by row.
func (o *object) matrix(name string) (values []float64, rows, cols int) {
	raw := o.member(name)
	if raw == nil {
		return nil, 0, 0
	}
	values, rows, cols, err := decodeMatrix(raw)
	if err != nil {
		o.failf(name, "%v", err)
	}
	return values, rows, cols
}

// decodeMatrix decodes a non-empty array of rows of numbers, all of one
// non-zero length, flattened row by row.
func decodeMatrix(raw json.RawMessage) (values []float64, rows, cols int, err error) {
	elems, err := decodeArray(raw, "rows of numbers")
	if err != nil {
		return nil, 0, 0, err
	}
	for i, e := range elems {
		row, err := decodeVector(e)
		if err == nil && i > 0 && len(row) != cols {
			err = fmt.Errorf("has %d numbers, row 0 has %d", len(row), cols)
		}
		if err != nil {
			return nil, 0, 0, fmt.Errorf("row %d: %v", i, err)
		}
		cols = len(row)
		values = append(values, row...)
	}
	return values, len(elems), cols, nil
}

// decodeArray decodes a non-empty array of what, not yet decoded.
func decodeArray(raw json.RawMessage, what string) ([]json.RawMessage, error) {
	if kind := jsonKind(raw); kind != "an array" {
		return nil, fmt.Errorf("want an array of %s, got %s", what, kind)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, fmt.Errorf("want an array of %s, got an empty array", what)
	}
	return elems, nil
}

// matrices returns the member name, a non-empty array of matrices of one
// size, flattened one after the other, row by row.
func (o *object) matrices(name string) (values []float64, count, rows, cols int) {
	raw := o.member(name)
	if raw == nil {
		return nil, 0, 0, 0
	}
	elems, err := decodeArray(raw, "matrices")
	if err != nil {
		o.failf(name, "%v", err)
		return nil, 0, 0, 0
	}
	for i, e := range elems {
		m, r, c, err := decodeMatrix(e)
		if err == nil && i > 0 && (r != rows || c != cols) {
			err = fmt.Errorf("is %d×%d, matrix 0 is %d×%d", r, c, rows, cols)
		}
		if err != nil {
			o.failf(name, "matrix %d: %v", i, err)
			return nil, 0, 0, 0
		}
		rows, cols = r, c
		values = append(values, m...)
	}
	return values, len(elems), rows, cols
}

// integers returns the member name, a non-empty array of integers from lo
// to hi.
func (o *object) integers(name string, lo, hi int) []int {
	v := o.vector(name)
	ints := make([]int, len(v))
	for i, x := range v {
		if x != math.Trunc(x) || x < float64(lo) || x > float64(hi) {
			o.failf(name, "element %d: want an integer from %d to %d, got %v", i, lo, hi, x)
			return nil
		}
		ints[i] = int(x)
	}
	return ints
}

// boolean returns the member name, true or false.
func (o *object) boolean(name string) bool {
	raw := o.member(name)
	if raw == nil {
		return false
	}
	if kind := jsonKind(raw); kind != "a boolean" {
		o.failf(name, "want a boolean, got %s", kind)
		return false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		o.failf(name, "%v", err)
	}
	return b
}

// object returns the member name, an object.
func (o *object) object(name string) *object {
	path := name
	if o.path != "" {
		path = o.path + "." + name
	}
	raw := o.member(name)
	if raw == nil {
		return &object{path: path, err: o.err}
	}
	in, err := decodeObject(path, raw)
	if err != nil {
		o.err = err
		return &object{path: path, err: err}
	}
	return in
}
