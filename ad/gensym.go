package ad

import (
	"errors"
	"fmt"
	gofmt "go/format"
	"go/scanner"
	"go/token"
	"io"
	"strconv"
	"strings"
)

// GenerateSymbolic is Generate for code whose vectors take their length
// from the slices at run time instead of having it fixed. build returns
// the function with every vector variable of length n; GenerateSymbolic
// builds it at n, n+1 and n+2 and writes the code the three have in
// common, with each length and index that changes with n written in terms
// of the length of the first vector variable x: a loop over len(x) - 1
// elements for x[1:], x[len(x)-1] for x[-1]. Every vector variable has
// that length, which the functions check.
//
// The function must depend on the length only through its vectors'
// lengths and indices, and linearly: a constant computed from it (mean's
// 1/n), a constant vector or a loop of its length (range(n)), or a strided
// slice, whose length is not n minus a constant, makes the three differ
// otherwise, and is an error. Flat and Hessian are not supported. Without
// opts.Source the comment shows the function as printed for n elements.
func GenerateSymbolic(w io.Writer, opts GenOptions, n int, build func(n int) (*Func, error)) error {
	if n < 1 {
		return fmt.Errorf("gen: length %d: must be positive", n)
	}
	var texts [3][]byte
	var length string
	for k := range texts {
		f, err := build(n + k)
		if err != nil {
			return err
		}
		if opts.Source == "" {
			// The function as printed for n elements, where indices from
			// the end are numbers.
			opts.Source = f.String()
		}
		if texts[k], length, err = f.generate(opts, true); err != nil {
			return err
		}
	}
	src, err := unifyLengths(texts, n, length)
	if err != nil {
		return err
	}
	_, err = w.Write(src)
	return err
}

// genToken is a token of generated code and where it starts.
type genToken struct {
	off int
	tok token.Token
	lit string
}

func genTokens(src []byte) []genToken {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	var toks []genToken
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return toks
		}
		if lit == "" {
			lit = tok.String()
		}
		toks = append(toks, genToken{file.Offset(pos), tok, lit})
	}
}

// unifyLengths returns the code of texts, written for vectors of n, n+1
// and n+2 elements, with every integer that changes with n replaced by its
// expression in length, or an error where they differ otherwise.
func unifyLengths(texts [3][]byte, n int, length string) ([]byte, error) {
	var toks [3][]genToken
	for k, t := range texts {
		toks[k] = genTokens(t)
	}
	line := func(i int) int { return 1 + strings.Count(string(texts[0][:toks[0][i].off]), "\n") }
	differ := func(i int) error {
		a, b := "the end", "the end"
		if i < len(toks[0]) {
			a = toks[0][i].lit
		}
		if i < len(toks[1]) {
			b = toks[1][i].lit
		}
		return fmt.Errorf("gen: the code depends on the vectors' length beyond their lengths and indices (line %d of the code: %s for %d elements, %s for %d): a constant from the length (a mean's 1/n), a constant vector or a loop of its length (range(n)), a strided slice", line(min(i, len(toks[0])-1)), a, n, b, n+1)
	}
	var out strings.Builder
	last := 0
	for i := range max(len(toks[0]), len(toks[1]), len(toks[2])) {
		if i >= len(toks[0]) || i >= len(toks[1]) || i >= len(toks[2]) {
			return nil, differ(i)
		}
		t0, t1, t2 := toks[0][i], toks[1][i], toks[2][i]
		if t0.tok != t1.tok || t0.tok != t2.tok {
			return nil, differ(i)
		}
		if t0.lit == t1.lit && t0.lit == t2.lit {
			continue
		}
		if t0.tok != token.INT {
			return nil, differ(i)
		}
		var v [3]int
		for k, t := range []genToken{t0, t1, t2} {
			x, err := strconv.Atoi(t.lit)
			if err != nil {
				return nil, differ(i)
			}
			v[k] = x
		}
		d := v[1] - v[0]
		if v[2]-v[1] != d {
			return nil, differ(i)
		}
		e := linear(d, v[0]-d*n, length)
		if e != length && i > 0 && i+1 < len(toks[0]) {
			switch toks[0][i-1].tok {
			case token.SUB, token.MUL, token.QUO, token.REM:
				e = "(" + e + ")"
			default:
				switch toks[0][i+1].tok {
				case token.MUL, token.QUO, token.REM:
					e = "(" + e + ")"
				}
			}
		}
		out.Write(texts[0][last:t0.off])
		out.WriteString(e)
		last = t0.off + len(t0.lit)
	}
	out.Write(texts[0][last:])
	src, err := gofmt.Source([]byte(out.String()))
	if err != nil {
		return nil, errors.New("gen: the code with symbolic lengths does not parse (a bug in nabla): " + err.Error())
	}
	return src, nil
}

// linear writes d·length + a.
func linear(d, a int, length string) string {
	e := length
	if d != 1 {
		e = fmt.Sprintf("%d*%s", d, length)
	}
	switch {
	case a > 0:
		return fmt.Sprintf("%s+%d", e, a)
	case a < 0:
		return fmt.Sprintf("%s-%d", e, -a)
	}
	return e
}
