package expr

import (
	"strconv"
	"strings"
	"testing"
)

// sumSource returns a sum of n distinct terms in the variables x, y and z.
func sumSource(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteByte('*')
		b.WriteByte("xyz"[i%3])
	}
	return b.String()
}

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{100, 1e5} {
		src := sumSource(n)
		b.Run("terms"+strings.ReplaceAll(strconv.FormatFloat(float64(n), 'e', -1, 64), "e+0", "e"), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(src, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGradVec(b *testing.B) {
	f, err := Compile("sum(100*(x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)", &Options{Sizes: map[string]int{"x": 1000}})
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, f.Dim())
	grad := make([]float64, f.Dim())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Grad(x, grad); err != nil {
			b.Fatal(err)
		}
	}
}
