package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-ad/nabla/ad"
)

// An object is a JSON object whose members keep the order they were added
// in, so that output reads in the order of the contract ("value" first) and
// of the variables.
type object []member

type member struct {
	key string
	val any
}

// add appends a member and returns the object.
func (o object) add(key string, val any) object { return append(o, member{key, val}) }

// appendJSON appends v encoded as JSON. It knows the few types the
// commands print; a non-finite number becomes null, so the output is always
// valid JSON. Vectors of millions of numbers are encoded without a value
// per element passing through encoding/json's reflection.
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case object:
		b = append(b, '{')
		for i, m := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, m.key)
			b = append(b, ':')
			b = appendJSON(b, m.val)
		}
		return append(b, '}')
	case float64:
		return appendFloat(b, v)
	case []float64:
		return appendList(b, v, appendFloat)
	case [][]float64:
		return appendList(b, v, func(b []byte, x []float64) []byte { return appendJSON(b, x) })
	case []object:
		return appendList(b, v, func(b []byte, x object) []byte { return appendJSON(b, x) })
	}
	// Strings, booleans, integers and lists of strings.
	s, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("nabla: cannot encode %T as JSON: %v", v, err))
	}
	return append(b, s...)
}

// appendFloat appends x in the shortest form that reads back as x, the
// form encoding/json uses, or null when x is NaN or infinite.
func appendFloat(b []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "null"...)
	}
	if a := math.Abs(x); a != 0 && (a < 1e-6 || a >= 1e21) {
		b = strconv.AppendFloat(b, x, 'e', -1, 64)
		// Like encoding/json: 1e-07 becomes 1e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
}

// writeJSON writes o as one line of JSON.
func writeJSON(w io.Writer, o object) error {
	b := appendJSON(nil, o)
	_, err := w.Write(append(b, '\n'))
	return err
}

// num formats x for people: the shortest form that reads back as x, in
// the notation JSON uses (1299999, not 1.299999e+06), or NaN, +Inf, -Inf.
// Negative zero is 0: its sign is an artefact of the arithmetic (-x at
// x = 0), not something people should have to read past.
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	if x == 0 {
		x = 0
	}
	return string(appendFloat(nil, x))
}

// maxShown is the longest list human output prints in full: the elements
// of a vector, the variables of a signature, the rows of a gradient. A
// longer one shows its ends (--json prints every element).
const maxShown = 10

// elided stands, among the indices shown yields, for the items a long list
// leaves out.
const elided = -1

// shown yields the indices of the items of an n-long list that human
// output prints: all of them when n is at most maxShown, else the first
// maxShown-3, then elided, then the last two.
func shown(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if n > maxShown && i == maxShown-3 {
				if !yield(elided) {
					return
				}
				i = n - 2
			}
			if !yield(i) {
				return
			}
		}
	}
}

// join formats the items of an n-long list that shown yields, separated by
// commas, with … for those left out.
func join(n int, item func(i int) string) string {
	var b strings.Builder
	for i := range shown(n) {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if i == elided {
			b.WriteString("…")
		} else {
			b.WriteString(item(i))
		}
	}
	return b.String()
}

// vec formats a vector for people.
func vec(x []float64) string {
	s := "[" + join(len(x), func(i int) string { return num(x[i]) }) + "]"
	if len(x) > maxShown {
		s += fmt.Sprintf(" (%d values)", len(x))
	}
	return s
}

// varValue formats the part of a flat vector that belongs to a variable, as
// a JSON value: a number for a scalar, an array for a vector, an array of
// rows for a matrix.
func varValue(v ad.Var, x []float64) any {
	switch v.Shape.Rank() {
	case 0:
		return x[0]
	case 1:
		return x
	}
	return rows(x, v.Shape.Dim(1))
}

// rows splits the elements of a matrix of n columns into its rows.
func rows(x []float64, n int) [][]float64 {
	r := make([][]float64, len(x)/n)
	for i := range r {
		r[i] = x[i*n : (i+1)*n]
	}
	return r
}

// varText formats the same for people. A long vector shows its ends, and
// a large matrix the ends of its rows and of each row.
func varText(v ad.Var, x []float64) string {
	switch v.Shape.Rank() {
	case 0:
		return num(x[0])
	case 1:
		return vec(x)
	}
	m, n := v.Shape.Dim(0), v.Shape.Dim(1)
	s := "[" + join(m, func(i int) string {
		row := x[i*n : (i+1)*n]
		return "[" + join(n, func(j int) string { return num(row[j]) }) + "]"
	}) + "]"
	if m > maxShown || n > maxShown {
		s += fmt.Sprintf(" (%d×%d)", m, n)
	}
	return s
}

// table writes aligned "name = value" lines for people.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer) *table {
	return &table{tw: tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)}
}

// newMatrix returns a table for columns of numbers, aligned on the right.
func newMatrix(w io.Writer) *table {
	return &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)}
}

// cells writes one line of a matrix: every cell, the last included, is
// terminated, so that all are aligned.
func (t *table) cells(cells ...string) {
	fmt.Fprintln(t.tw, strings.Join(cells, "\t")+"\t")
}

// row writes one line: its cells are separated by tabs in the output's
// alignment.
func (t *table) row(cells ...string) {
	// An empty last cell would pad the line with trailing spaces.
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// nonFinite describes a *ad.NonFiniteError for the "nonfinite" member of
// the JSON output.
func nonFinite(e *ad.NonFiniteError) object {
	o := object{}
	if e.Input != "" {
		o = o.add("input", e.Input)
	} else {
		o = o.add("expr", e.Expr).add("op", e.Op)
		if e.Index > 0 || strings.Contains(e.Expr, "[") {
			o = o.add("index", e.Index)
		}
	}
	return o.add("value", num(e.Value)).add("message", e.Error())
}

// A result is what a command prints: the JSON object and the lines for
// people. When err is a *ad.NonFiniteError the job ran but its answer is
// not finite: the result is printed with the explanation and the command
// exits with status 1.
type result struct {
	json  object
	human func(t *table)
}

// print writes r in the form the --json flag chose. err is the error of the
// computation: nil, a *ad.NonFiniteError, or an input error, which prints
// nothing and is returned.
func (r result) print(w io.Writer, asJSON bool, err error) error {
	var nf *ad.NonFiniteError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	if asJSON {
		o := r.json
		if nf != nil {
			o = o.add("nonfinite", nonFinite(nf))
		}
		if err := writeJSON(w, o); err != nil {
			return err
		}
	} else {
		t := newTable(w)
		r.human(t)
		if err := t.flush(); err != nil {
			return err
		}
	}
	if nf != nil {
		// A result at a point that is not finite is reported so even
		// where the expression folded the input away and came out finite.
		if nf.Input != "" {
			return &answerError{msg: "the point is not finite: " + nf.Error()}
		}
		return &answerError{msg: "the result is not finite: " + nf.Error()}
	}
	return nil
}

// norm returns the Euclidean norm of x. The square root of the plain sum of
// squares gives the exact answer people check by hand (√13, not gonum's
// scaled sum's neighbour of it); the scaled sum is the fallback when the
// plain one overflows or underflows.
func norm(x []float64) float64 {
	s := floats.Dot(x, x)
	if math.IsInf(s, 0) || s < 0x1p-1000 {
		return floats.Norm(x, 2)
	}
	return math.Sqrt(s)
}

// appendList appends a JSON array of xs, each written by each.
func appendList[T any](b []byte, xs []T, each func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, x)
	}
	return append(b, ']')
}
