package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nabla-ad/nabla/ad"
)

// A readCase is a file's contents and what reading it gives: the array,
// or an error with this message.
type readCase struct {
	name   string
	in     string
	dims   []int
	values []float64
	err    string
}

func runReadCases(t *testing.T, read func(r *strings.Reader) (*Array, error), cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := read(strings.NewReader(tc.in))
			if tc.err != "" {
				require.Error(t, err)
				assert.Equal(t, tc.err, err.Error())
				assert.IsType(t, &Error{}, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.dims, a.Dims)
			assert.Equal(t, tc.values, a.Values)
		})
	}
}

func TestReadCSV(t *testing.T) {
	runReadCases(t, func(r *strings.Reader) (*Array, error) { return ReadCSV(r) }, []readCase{
		{name: "table", in: "1,2\n3,4\n5,6\n", dims: []int{3, 2}, values: []float64{1, 2, 3, 4, 5, 6}},
		{name: "header", in: "x,y\n1,2\n3,4", dims: []int{2, 2}, values: []float64{1, 2, 3, 4}},
		{name: "quoted header", in: "\"x\", \"y value\"\n1,2\n", dims: []int{1, 2}, values: []float64{1, 2}},
		{name: "one column", in: "1\n-2.5\n3e2\n", dims: []int{3, 1}, values: []float64{1, -2.5, 300}},
		{name: "one row", in: "1, 2, 3", dims: []int{1, 3}, values: []float64{1, 2, 3}},
		{name: "spaces comments blank lines", in: "# data\n\n x , y \n 1 , 2 \n   \n3,\"4\"\r\n", dims: []int{2, 2}, values: []float64{1, 2, 3, 4}},
		{name: "byte order mark", in: "\uFEFFx\n1\n", dims: []int{1, 1}, values: []float64{1}},
		{name: "no newline at end", in: "7", dims: []int{1, 1}, values: []float64{7}},

		{name: "empty", in: "", err: "line 1: no numbers: the file is empty"},
		{name: "only comments", in: "# nothing\n\n", err: "line 1: no numbers: the file is empty"},
		{name: "only a header", in: "x,y\n", err: "line 1: no numbers: the file has only a header"},
		{name: "ragged long", in: "1,2\n3,4\n5,6,7\n", err: "line 3: column 3: ragged row: 3 columns, but line 1 has 2"},
		{name: "ragged short", in: "x,y\n1,2\n3\n", err: "line 3: column 2: ragged row: 1 column, but line 1 has 2"},
		{name: "not a number", in: "x,y\n1,2\n3,abc\n", err: `line 3: column 2: "abc" is not a number`},
		{name: "number with junk", in: "1,2\n3,4x\n", err: `line 2: column 2: "4x" is not a number`},
		{name: "first line mixed", in: "x,2\n", err: `line 1: column 1: "x" is not a number`},
		{name: "empty field", in: "1,,3\n", err: "line 1: column 2: empty field: want a number"},
		{name: "nan", in: "1\nNaN\n", err: "line 2: column 1: NaN is not finite: data must be finite numbers"},
		{name: "inf", in: "1,-Inf\n", err: "line 1: column 2: -Inf is not finite: data must be finite numbers"},
		{name: "overflow", in: "1e999\n", err: "line 1: column 1: 1e999 is not finite: data must be finite numbers"},
		{name: "bad quote", in: "1,\"2\n", err: "line 1: extraneous or missing \" in quoted-field"},
		{name: "multiline quoted field", in: "1,2\n3,\"4\n5\"\n", err: "line 2: column 2: \"4 5\" is not a number"},
		{name: "control bytes", in: "1\n\x1b[2J\n", err: `line 2: column 1: "\x1b[2J" is not a number`},
	})
}

func TestReadJSON(t *testing.T) {
	runReadCases(t, func(r *strings.Reader) (*Array, error) { return ReadJSON(r) }, []readCase{
		{name: "scalar", in: " 2.5 ", dims: nil, values: []float64{2.5}},
		{name: "vector", in: "[1, 2, 3]", dims: []int{3}, values: []float64{1, 2, 3}},
		{name: "one element", in: "[1]", dims: []int{1}, values: []float64{1}},
		{name: "table", in: "[[1, 2, 3],\n [4, 5, 6]]\n", dims: []int{2, 3}, values: []float64{1, 2, 3, 4, 5, 6}},
		{name: "column", in: "[[1], [2]]", dims: []int{2, 1}, values: []float64{1, 2}},
		{name: "byte order mark", in: "\uFEFF[1e-3]", dims: []int{1}, values: []float64{1e-3}},

		{name: "empty", in: "", err: "line 1: no numbers: the file is empty"},
		{name: "spaces", in: "  \n", err: "line 1: no numbers: the file is empty"},
		{name: "empty array", in: "[]", err: "line 1: column 1: no numbers: the array is empty"},
		{name: "empty row", in: "[[1], []]", err: "line 1: column 7: row 2 is empty"},
		{name: "ragged", in: "[[1, 2],\n [3]]", err: "line 2: column 2: ragged rows: row 2 has 1 number, but row 1 has 2"},
		{name: "string", in: "[1, \"a\"]", err: `line 1: column 5: found the string "a" in an array of numbers: want a number, an array of numbers or an array of arrays of numbers`},
		{name: "object", in: "{\"x\": 1}", err: "line 1: column 1: found an object: want a number, an array of numbers or an array of arrays of numbers"},
		{name: "null", in: "null", err: "line 1: column 1: found null: want a number, an array of numbers or an array of arrays of numbers"},
		{name: "number then row", in: "[1, [2]]", err: `line 1: column 5: found "[" in an array of numbers: want a number, an array of numbers or an array of arrays of numbers`},
		{name: "row then number", in: "[[1], 2]", err: "line 1: column 7: found 2 in an array of arrays: each row must be an array of numbers"},
		{name: "too deep", in: "[[[1]]]", err: "line 1: column 3: arrays nested deeper than rows of a table are not supported"},
		{name: "bool in row", in: "[[true]]", err: "line 1: column 3: found true in a row: a row must hold numbers"},
		{name: "overflow", in: "[1e999]", err: "line 1: column 2: 1e999 is not finite: data must be finite numbers"},
		{name: "syntax", in: "[1 2]", err: "line 1: column 4: invalid character '2' after array element"},
		{name: "unclosed", in: "[1, 2", err: "line 1: column 6: the file ends inside the value"},
		{name: "unopened", in: "1]", err: "line 1: column 2: invalid character ']' looking for beginning of value"},
		{name: "unclosed row", in: "[[1, 2]", err: "line 1: column 8: the file ends inside the value"},
		{name: "trailing", in: "[1] [2]", err: "line 1: column 5: unexpected data after the value"},
	})
}

// The .npy files of testdata were written by NumPy 1.24:
//
//	np.save('table_f8.npy', np.array([[1.5, -2, 3], [4, 5, 6.25]], dtype='<f8'))
//	np.save('vector_f4.npy', np.array([0.5, -1.25, 3], dtype='<f4'))
//	np.save('scalar_i8.npy', np.array(-7, dtype='<i8'))
//	np.save('column_i4.npy', np.array([[1], [2], [2147483647]], dtype='<i4'))
//	np.save('fortran.npy', np.asfortranarray(np.arange(6, dtype='<f8').reshape(2, 3)))
//	np.save('big_endian.npy', np.array([1, 2], dtype='>f8'))
//	np.save('uint8.npy', np.array([1, 2], dtype='u1'))
//	np.save('cube.npy', np.zeros((2, 2, 2)))
//	np.save('nan.npy', np.array([1, np.nan]))
//	np.save('structured.npy', np.zeros(2, dtype=[('a', '<f8'), ('b', '<i4')]))
//	np.save('empty.npy', np.zeros((0, 3)))
//	np.lib.format.write_array(open('v2.npy', 'wb'), np.array([1.0, 2.0]), version=(2, 0))
func TestReadNPYFiles(t *testing.T) {
	for _, tc := range []struct {
		file   string
		dims   []int
		values []float64
		err    string
	}{
		{file: "table_f8.npy", dims: []int{2, 3}, values: []float64{1.5, -2, 3, 4, 5, 6.25}},
		{file: "vector_f4.npy", dims: []int{3}, values: []float64{0.5, -1.25, 3}},
		{file: "scalar_i8.npy", values: []float64{-7}},
		{file: "column_i4.npy", dims: []int{3, 1}, values: []float64{1, 2, 2147483647}},
		{file: "v2.npy", dims: []int{2}, values: []float64{1, 2}},

		{file: "fortran.npy", err: "fortran.npy: the array is in Fortran order; save it in C order, as np.save(f, np.ascontiguousarray(a)) does"},
		{file: "big_endian.npy", err: "big_endian.npy: data type '>f8' is not supported: want little-endian float64, float32, int64 or int32 ('<f8', '<f4', '<i8', '<i4')"},
		{file: "uint8.npy", err: "uint8.npy: data type '|u1' is not supported: want little-endian float64, float32, int64 or int32 ('<f8', '<f4', '<i8', '<i4')"},
		{file: "cube.npy", err: "cube.npy: an array of 3 dimensions (shape (2, 2, 2)): only scalars, vectors and tables of two dimensions are supported"},
		{file: "nan.npy", err: "nan.npy: element [1] is NaN is not finite: data must be finite numbers"},
		{file: "structured.npy", err: "structured.npy: structured data types are not supported: want an array of numbers"},
		{file: "empty.npy", err: "empty.npy: no numbers: the array of shape (0, 3) is empty"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			a, err := ReadFile(filepath.Join("testdata", tc.file))
			if tc.err != "" {
				require.Error(t, err)
				assert.Equal(t, filepath.Join("testdata", tc.err), err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.dims, a.Dims)
			assert.Equal(t, tc.values, a.Values)
		})
	}
}

// npy builds a .npy file of format version 1 with the given header dict
// and data.
func npy(dict string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)+1))
	b.WriteString(dict + "\n")
	b.Write(data)
	return b.Bytes()
}

// f8 encodes numbers as little-endian float64s.
func f8(xs ...float64) []byte {
	b := make([]byte, 0, 8*len(xs))
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func TestReadNPY(t *testing.T) {
	const vec2 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
	v3 := []byte("\x93NUMPY\x03\x00")
	v3 = binary.LittleEndian.AppendUint32(v3, uint32(len(vec2)+1))
	v3 = append(append(v3, vec2+"\n"...), f8(1, 2)...)
	runReadCases(t, func(r *strings.Reader) (*Array, error) { return ReadNPY(r) }, []readCase{
		{name: "version 3", in: string(v3), dims: []int{2}, values: []float64{1, 2}},
		{name: "keys in any order, python 2 sizes", in: string(npy(`{"shape": (1L, 2L), "fortran_order": False, "descr": "<f8"}`, f8(3, 4))), dims: []int{1, 2}, values: []float64{3, 4}},
		{name: "fortran order of a vector", in: string(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2,)}", f8(1, 2))), dims: []int{2}, values: []float64{1, 2}},

		{name: "empty", in: "", err: `not a .npy file: it does not start with \x93NUMPY`},
		{name: "csv", in: "1,2,3\n4,5,6\n", err: `not a .npy file: it does not start with \x93NUMPY`},
		{name: "version 4", in: "\x93NUMPY\x04\x00\x00\x00", err: "format version 4.0 is not supported (versions 1 to 3 are)"},
		{name: "short header", in: string(npy(vec2, nil)[:20]), err: "the file ends in its header"},
		{name: "huge header", in: "\x93NUMPY\x02\x00\xff\xff\xff\x7f", err: "a header of 2147483647 bytes is longer than the 65536 this reader takes"},
		{name: "truncated data", in: string(npy(vec2, f8(1))), err: "the file ends before the 2 numbers of shape (2,)"},
		{name: "trailing data", in: string(npy(vec2, f8(1, 2, 3))), err: "the file holds more than the 2 numbers of shape (2,)"},
		{name: "huge shape", in: string(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000)}", nil)), err: "the array of shape (100000, 100000) holds more than the 16777216 numbers a data file may hold"},
		{name: "size overflows int", in: string(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", nil)), err: "the array of shape (9223372036854775807,) holds more than the 16777216 numbers a data file may hold"},
		{name: "infinity", in: string(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2)}", f8(1, math.Inf(-1)))), err: "element [0, 1] is -Inf is not finite: data must be finite numbers"},
		{name: "missing key", in: string(npy("{'descr': '<f8', 'shape': (2,)}", f8(1, 2))), err: `header: no "fortran_order"`},
		{name: "unknown key", in: string(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", f8(1, 2))), err: `header: unknown key 'x', at byte 56 of "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}"`},
		{name: "key twice", in: string(npy("{'descr': '<f8', 'descr': '<f8'}", nil)), err: `header: "descr" is given twice, at byte 17 of "{'descr': '<f8', 'descr': '<f8'}"`},
		{name: "not a dict", in: string(npy("[1, 2]", nil)), err: `header: want a dict, at byte 0 of "[1, 2]"`},
		{name: "bad shape", in: string(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (a,)}", nil)), err: `header: want a tuple of sizes for shape, at byte 51 of "{'descr': '<f8', 'fortran_order': False, 'shape': (a,)}"`},
		{name: "bad bool", in: string(npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", nil)), err: `header: want True or False for fortran_order, at byte 34 of "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}"`},
		{name: "text after dict", in: string(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x", f8(1, 2))), err: `header: unexpected text after the dict, at byte 56 of "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x"`},
	})
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	a, err := ReadFile(write("xy.csv", "x,y\n1,2\n3,4\n"))
	require.NoError(t, err)
	assert.Equal(t, &Array{Dims: []int{2, 2}, Values: []float64{1, 2, 3, 4}}, a)
	a, err = ReadFile(write("v.JSON", "[1, 2]"))
	require.NoError(t, err)
	assert.Equal(t, &Array{Dims: []int{2}, Values: []float64{1, 2}}, a)

	p := write("bad.csv", "1\nx\n")
	_, err = ReadFile(p)
	assert.EqualError(t, err, p+`:2: column 1: "x" is not a number`)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, Error{File: p, Line: 2, Column: 1, Msg: `"x" is not a number`}, *e)

	_, err = ReadFile(write("v.txt", "1"))
	assert.EqualError(t, err, filepath.Join(dir, "v.txt")+`: unknown data format ".txt": want .csv, .json or .npy`)
	_, err = ReadFile(filepath.Join(dir, "missing.csv"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "d.csv"), 0o755))
	_, err = ReadFile(filepath.Join(dir, "d.csv"))
	assert.EqualError(t, err, filepath.Join(dir, "d.csv")+" is a directory, not a data file")

	// A file over the limit is refused by its size, before it is read: a
	// sparse file takes no time to make or to refuse.
	big := filepath.Join(dir, "big.csv")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(MaxFileSize+1))
	require.NoError(t, f.Close())
	_, err = ReadFile(big)
	assert.EqualError(t, err, big+" has 536870913 bytes, more than the 536870912 a data file may have")
}

// A reader that is not a regular file is cut off at the limit.
func TestLimitReader(t *testing.T) {
	for _, tc := range []struct {
		n, size int
		tooBig  bool
	}{{4, 3, false}, {4, 4, false}, {4, 5, true}, {0, 0, false}, {0, 1, true}} {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(&limitReader{r: bytes.NewReader(make([]byte, tc.size)), n: int64(tc.n)})
		if tc.tooBig {
			assert.ErrorIs(t, err, errTooLarge, "%d bytes, limit %d", tc.size, tc.n)
		} else {
			assert.NoError(t, err, "%d bytes, limit %d", tc.size, tc.n)
			assert.Equal(t, tc.size, buf.Len())
		}
	}
}

func TestShape(t *testing.T) {
	for _, tc := range []struct {
		dims []int
		want ad.Shape
	}{
		{dims: nil, want: ad.Scalar()},
		{dims: []int{3}, want: ad.Vector(3)},
		{dims: []int{1, 1}, want: ad.Vector(1)},
		{dims: []int{4, 1}, want: ad.Vector(4)},
		{dims: []int{1, 4}, want: ad.Vector(4)},
		{dims: []int{150, 4}, want: ad.Matrix(150, 4)},
	} {
		n := 1
		for _, d := range tc.dims {
			n *= d
		}
		assert.Equal(t, tc.want, (&Array{Dims: tc.dims, Values: make([]float64, n)}).Shape(), "%v", tc.dims)
	}
}

func TestColumns(t *testing.T) {
	a := &Array{Dims: []int{2, 3}, Values: []float64{1, 2, 3, 4, 5, 6}}
	c, err := a.Columns(1, 3)
	require.NoError(t, err)
	assert.Equal(t, &Array{Dims: []int{2, 2}, Values: []float64{2, 3, 5, 6}}, c)
	c, err = a.Columns(0, 1)
	require.NoError(t, err)
	assert.Equal(t, &Array{Dims: []int{2, 1}, Values: []float64{1, 4}}, c)
	for _, ij := range [][2]int{{-1, 1}, {2, 4}, {2, 2}, {3, 1}} {
		_, err := a.Columns(ij[0], ij[1])
		assert.EqualError(t, err, fmt.Sprintf("columns [%d, %d) of a table of 3 columns", ij[0], ij[1]))
	}
	_, err = (&Array{Dims: []int{2}, Values: []float64{1, 2}}).Columns(0, 1)
	assert.EqualError(t, err, "columns are selected from a table, not from a scalar or a vector")
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.csv", Line: 3, Column: 2, Msg: "m"}, "a.csv:3: column 2: m"},
		{Error{File: "a.csv", Line: 3, Msg: "m"}, "a.csv:3: m"},
		{Error{File: "a.npy", Msg: "m"}, "a.npy: m"},
		{Error{Line: 3, Column: 2, Msg: "m"}, "line 3: column 2: m"},
		{Error{Msg: "m"}, "m"},
	} {
		assert.Equal(t, tc.want, tc.e.Error())
	}
}
