package data

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/nabla-ad/nabla/internal/text"
)

// ReadCSV reads a table of numbers separated by commas, one row a line.
// The first line is a header, and skipped, when none of its fields is a
// number. Lines starting with # and blank lines are skipped; a field may
// be quoted, and spaces around a number are ignored. Every row must have
// as many fields as the first line, and every field must be a finite
// number.
func ReadCSV(r io.Reader) (*Array, error) {
	br := bufio.NewReader(r)
	// Spreadsheets on Windows may start a UTF-8 file with a byte order
	// mark, which would become part of the first field.
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // ragged rows are reported here, with their columns
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var (
		vals      []float64
		rows      int
		cols      int // of the first line, header or not
		firstLine int
		lastLine  int
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{Line: pe.Line, Msg: pe.Err.Error()}
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		lastLine = line
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		if cols == 0 {
			cols, firstLine = len(rec), line
			if isHeader(rec) {
				continue
			}
		}
		if len(rec) != cols {
			col := min(len(rec), cols) + 1
			return nil, &Error{Line: line, Column: col, Msg: fmt.Sprintf("ragged row: %s, but line %d has %d", plural(len(rec), "column"), firstLine, cols)}
		}
		if len(vals)+len(rec) > MaxLen {
			return nil, &Error{Line: line, Msg: tooMany()}
		}
		for i, field := range rec {
			v, msg := parseNumber(field)
			if msg != "" {
				l, _ := cr.FieldPos(i)
				return nil, &Error{Line: l, Column: i + 1, Msg: msg}
			}
			vals = append(vals, v)
		}
		rows++
	}
	if rows == 0 {
		if cols == 0 {
			return nil, &Error{Line: 1, Msg: "no numbers: the file is empty"}
		}
		return nil, &Error{Line: lastLine, Msg: "no numbers: the file has only a header"}
	}
	return &Array{Dims: []int{rows, cols}, Values: vals}, nil
}

// isHeader reports whether a first line is a header: none of its fields is
// a number.
func isHeader(rec []string) bool {
	for _, f := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil || isRange(err) {
			return false
		}
	}
	return true
}

// parseNumber reads a field as a finite number, or says why it is not one.
func parseNumber(field string) (float64, string) {
	s := strings.TrimSpace(field)
	if s == "" {
		return 0, "empty field: want a number"
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && !isRange(err):
		return 0, fmt.Sprintf("%q is not a number", text.Shorten(s, 40))
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, notFinite(text.Shorten(s, 40))
	}
	return v, ""
}

// notFinite is the message for a value that is NaN or infinite.
func notFinite(s string) string {
	return fmt.Sprintf("%s is not finite: data must be finite numbers", s)
}

// isRange reports whether err says a number is too large for a float64;
// ParseFloat then returns an infinity.
func isRange(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && ne.Err == strconv.ErrRange
}

// plural writes "1 column" or "n columns".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
