package data

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// checkRead fails unless a read gave an *Error, or an array whose
// dimensions hold its values, all of them finite.
func checkRead(t *testing.T, a *Array, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
		return
	}
	if len(a.Dims) > 2 {
		t.Fatalf("%d dimensions", len(a.Dims))
	}
	n := 1
	for _, d := range a.Dims {
		if d < 1 {
			t.Fatalf("dimensions %v", a.Dims)
		}
		n *= d
	}
	if n != len(a.Values) {
		t.Fatalf("dimensions %v for %d values", a.Dims, len(a.Values))
	}
	for _, v := range a.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("value %v", v)
		}
	}
	if s := a.Shape(); s.Len() != len(a.Values) {
		t.Fatalf("Shape of %v is %v", a.Dims, s)
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"x,y\n1,2\n3,4\n",
		"1\n2\n3",
		"# c\n\n\"a\", b\n 1 , \"2\"\r\n",
		"1,2\n3\n",
		"1,,NaN,1e999,0x1p-2\n",
		"a,\"b\nc\",d\n1,2,3\n",
		"\uFEFF1",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadCSV(bytes.NewReader(in))
		checkRead(t, a, err)
	})
}

func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{"1", "[1, 2]", "[[1, 2], [3, 4]]", "[[1], 2]", "[1, [2]]", "[[[1]]]", "{\"x\": 1}", "[1e999]", "[[1, 2], [3]]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadJSON(bytes.NewReader(in))
		checkRead(t, a, err)
	})
}

func FuzzReadNPY(f *testing.F) {
	files, err := filepath.Glob("testdata/*.npy")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1), }", f8(1, 2)))
	f.Add(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (), }", f8(1)[:4]))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadNPY(bytes.NewReader(in))
		checkRead(t, a, err)
	})
}
