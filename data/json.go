package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/nabla-ad/nabla/internal/text"
)

// ReadJSON reads a number (a scalar), an array of numbers (a vector), or an
// array of arrays of numbers, all of the same length (a table, one array a
// row).
func ReadJSON(r io.Reader) (*Array, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	// Editors on Windows may start a UTF-8 file with a byte order mark,
	// which JSON does not allow.
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	jr := &jsonReader{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	jr.dec.UseNumber()
	a, err := jr.read()
	if err != nil {
		return nil, err
	}
	if _, err := jr.token(); err != io.EOF {
		if err == nil {
			err = jr.errorf(jr.start, "unexpected data after the value")
		}
		return nil, err
	}
	return a, nil
}

// jsonReader reads the tokens of a JSON value and knows where each starts.
type jsonReader struct {
	src   []byte
	dec   *json.Decoder
	start int64 // where the last token read starts
}

// errWant says what a data file in JSON holds.
const errWant = "want a number, an array of numbers or an array of arrays of numbers"

func (jr *jsonReader) read() (*Array, error) {
	tok, err := jr.token()
	if err == io.EOF {
		return nil, &Error{Line: 1, Msg: "no numbers: the file is empty"}
	}
	if err != nil {
		return nil, err
	}
	if n, ok := tok.(json.Number); ok {
		v, err := jr.number(n)
		if err != nil {
			return nil, err
		}
		return &Array{Values: []float64{v}}, nil
	}
	if tok != json.Delim('[') {
		return nil, jr.errorf(jr.start, "found %s: %s", describeToken(tok), errWant)
	}
	open := jr.start
	var a Array
	for jr.dec.More() {
		tok, err := jr.next()
		if err != nil {
			return nil, err
		}
		if len(a.Dims) == 0 {
			// The first element says whether this is a vector or a table.
			if tok == json.Delim('[') {
				a.Dims = []int{0, 0}
			} else {
				a.Dims = []int{0}
			}
		}
		if len(a.Dims) == 1 {
			n, ok := tok.(json.Number)
			if !ok {
				return nil, jr.errorf(jr.start, "found %s in an array of numbers: %s", describeToken(tok), errWant)
			}
			v, err := jr.number(n)
			if err != nil {
				return nil, err
			}
			if err := jr.add(&a, v); err != nil {
				return nil, err
			}
			a.Dims[0]++
			continue
		}
		if tok != json.Delim('[') {
			return nil, jr.errorf(jr.start, "found %s in an array of arrays: each row must be an array of numbers", describeToken(tok))
		}
		if err := jr.row(&a); err != nil {
			return nil, err
		}
	}
	if _, err := jr.next(); err != nil { // the closing ]
		return nil, err
	}
	if len(a.Dims) == 0 {
		return nil, jr.errorf(open, "no numbers: the array is empty")
	}
	return &a, nil
}

// row reads a row of a table, whose [ has been read.
func (jr *jsonReader) row(a *Array) error {
	open := jr.start
	n := 0
	for jr.dec.More() {
		tok, err := jr.next()
		if err != nil {
			return err
		}
		num, ok := tok.(json.Number)
		if !ok {
			if tok == json.Delim('[') {
				return jr.errorf(jr.start, "arrays nested deeper than rows of a table are not supported")
			}
			return jr.errorf(jr.start, "found %s in a row: a row must hold numbers", describeToken(tok))
		}
		v, err := jr.number(num)
		if err != nil {
			return err
		}
		if err := jr.add(a, v); err != nil {
			return err
		}
		n++
	}
	if _, err := jr.next(); err != nil { // the closing ]
		return err
	}
	rows, cols := a.Dims[0], a.Dims[1]
	switch {
	case n == 0:
		return jr.errorf(open, "row %d is empty", rows+1)
	case rows > 0 && n != cols:
		return jr.errorf(open, "ragged rows: row %d has %s, but row 1 has %d", rows+1, plural(n, "number"), cols)
	}
	a.Dims[0], a.Dims[1] = rows+1, n
	return nil
}

// add appends v to the array, if it may hold another number.
func (jr *jsonReader) add(a *Array, v float64) error {
	if len(a.Values) == MaxLen {
		return jr.errorf(jr.start, "%s", tooMany())
	}
	a.Values = append(a.Values, v)
	return nil
}

// token reads the next token and notes where it starts; a syntax error
// becomes an *Error at its place.
func (jr *jsonReader) token() (json.Token, error) {
	off := jr.dec.InputOffset()
	// Between tokens lie spaces and the separators the decoder checks.
	for off < int64(len(jr.src)) && strings.IndexByte(" \t\r\n,:", jr.src[off]) >= 0 {
		off++
	}
	jr.start = off
	tok, err := jr.dec.Token()
	if err == nil || err == io.EOF {
		return tok, err
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, jr.errorf(se.Offset, "%v", err)
	}
	if err == io.ErrUnexpectedEOF {
		return nil, jr.errorf(int64(len(jr.src)), "the file ends inside the value")
	}
	return nil, jr.errorf(off, "%v", err)
}

// next reads a token inside the value, where the end of the file is an
// error.
func (jr *jsonReader) next() (json.Token, error) {
	tok, err := jr.token()
	if err == io.EOF {
		return nil, jr.errorf(int64(len(jr.src)), "the file ends inside the value")
	}
	return tok, err
}

// number converts a number token, which must be finite.
func (jr *jsonReader) number(n json.Number) (float64, error) {
	// The decoder has checked the syntax: the only error left is a number
	// too large for a float64.
	v, err := n.Float64()
	if err != nil {
		return 0, jr.errorf(jr.start, "%s", notFinite(text.Shorten(string(n), 40)))
	}
	return v, nil
}

// errorf returns an *Error at byte offset off of the source.
func (jr *jsonReader) errorf(off int64, format string, args ...any) error {
	off = max(0, min(off, int64(len(jr.src))))
	before := jr.src[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return &Error{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// describeToken names a token that is not where it should be.
func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("the string %q", text.Shorten(t, 40))
	case bool:
		return fmt.Sprint(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}
