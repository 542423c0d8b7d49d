package gemm

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
)

// The blocking. A micro-tile of C is mr×nr; the k dimension is cut into
// runs of kc, B into column blocks of nc and A into row blocks of mc.
const (
	mr = 6
	nr = 8
	kc = 256
	mc = 144
	nc = 4080
)

// panels are the packing buffers of one product. They are pooled rather
// than allocated per call: a program runs the same products over and over.
type panels struct{ a, b []float64 }

var pool = sync.Pool{New: func() any { return new(panels) }}

// grow returns buf resliced to n elements, reallocated if it is shorter.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

// roundUp returns n rounded up to a multiple of m.
func roundUp(n, m int) int { return (n + m - 1) / m * m }

// Dgemm computes C = alpha·op(A)·op(B) + beta·C, where op(A) is m×k, op(B)
// is k×n and C is m×n, all row-major with strides lda, ldb and ldc; op(X)
// is X or Xᵀ as tX says. Its arguments are gonum's Dgemm's, which it
// replaces; like it, it panics if a slice is too short for its matrix.
func Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	p := pool.Get().(*panels)
	defer pool.Put(p)
	kb := min(k, kc)
	p.a = grow(p.a, roundUp(min(m, mc), mr)*kb)
	p.b = grow(p.b, roundUp(min(n, nc), nr)*kb)
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(tB == blas.Trans, kb, nb, b, ldb, pc, jc, p.b)
			bt := beta
			if pc > 0 {
				bt = 1
			}
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				packA(tA == blas.Trans, mb, kb, a, lda, ic, pc, p.a)
				block(mb, nb, kb, alpha, p.a, p.b, bt, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// scale sets C = beta·C, and C = 0 where beta is 0, NaNs included.
func scale(m, n int, beta float64, c []float64, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// packA copies the m×k block of op(A) at row i0 and column p0 into dst as
// panels of mr rows, each stored column by column (mr elements for every
// l in [0, k)); the rows past m of the last panel are zero.
func packA(trans bool, m, k int, a []float64, lda, i0, p0 int, dst []float64) {
	for i := 0; i < m; i += mr {
		rows, panel := min(mr, m-i), dst[i*k:(i+mr)*k]
		if trans {
			copyRows(panel, k, mr, rows, a[p0*lda+i0+i:], lda)
		} else {
			transpose(panel, k, mr, rows, a[(i0+i)*lda+p0:], lda)
		}
	}
}

// packB copies the k×n block of op(B) at row p0 and column j0 into dst as
// panels of nr columns, each stored row by row (nr elements for every l in
// [0, k)); the columns past n of the last panel are zero.
func packB(trans bool, k, n int, b []float64, ldb, p0, j0 int, dst []float64) {
	for j := 0; j < n; j += nr {
		cols, panel := min(nr, n-j), dst[j*k:(j+nr)*k]
		if trans {
			transpose(panel, k, nr, cols, b[(j0+j)*ldb+p0:], ldb)
		} else {
			copyRows(panel, k, nr, cols, b[p0*ldb+j0+j:], ldb)
		}
	}
}

// copyRows sets dst, k rows of w, to the first n elements of k rows of
// src (stride ld), and the rest of each row to zero. Full panels are
// copied element by element: copy, and the assignment of an array of six
// or eight, would call memmove for every row.
func copyRows(dst []float64, k, w, n int, src []float64, ld int) {
	switch {
	case w == mr && n == mr:
		dst = dst[:k*mr]
		for i := 0; i < len(dst); i += mr {
			d, s := dst[i:i+mr:i+mr], src[:mr:mr]
			d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
			if i+mr < len(dst) {
				src = src[ld:]
			}
		}
	case w == nr && n == nr:
		dst = dst[:k*nr]
		for i := 0; i < len(dst); i += nr {
			d, s := dst[i:i+nr:i+nr], src[:nr:nr]
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
			if i+nr < len(dst) {
				src = src[ld:]
			}
		}
	default:
		for l := range k {
			d, s := dst[l*w:l*w+w], src[l*ld:l*ld+n]
			for r, v := range s {
				d[r] = v
			}
			clear(d[n:])
		}
	}
}

// transpose sets dst, k rows of w, to the transpose of the first k
// elements of n rows of src (stride ld), and the rest of each row to zero.
func transpose(dst []float64, k, w, n int, src []float64, ld int) {
	row := func(r int) []float64 { return src[r*ld:] }
	switch {
	case w == mr && n == mr:
		interleave6(dst, k, row(0), row(1), row(2), row(3), row(4), row(5))
	case w == nr && n == nr:
		l := transposeAsm(dst, k, src, ld)
		row := func(r int) []float64 { return src[r*ld+l:] }
		interleave8(dst[l*nr:], k-l, row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
	default:
		for l := range k {
			d := dst[l*w : l*w+w]
			for r := range n {
				d[r] = src[r*ld+l]
			}
			clear(d[n:])
		}
	}
}

// interleave6 and interleave8 store the first k elements of their rows
// in dst column by column: row r's element l at dst[l·rows+r]. They are
// the transposing packs of full panels, written out so that the loop
// carries no bounds checks.
func interleave6(dst []float64, k int, r0, r1, r2, r3, r4, r5 []float64) {
	r0, r1, r2, r3, r4, r5 = r0[:k], r1[:k], r2[:k], r3[:k], r4[:k], r5[:k]
	for l := range k {
		d := (*[6]float64)(dst[l*6:])
		d[0], d[1], d[2], d[3], d[4], d[5] = r0[l], r1[l], r2[l], r3[l], r4[l], r5[l]
	}
}

func interleave8(dst []float64, k int, r0, r1, r2, r3, r4, r5, r6, r7 []float64) {
	r0, r1, r2, r3, r4, r5, r6, r7 = r0[:k], r1[:k], r2[:k], r3[:k], r4[:k], r5[:k], r6[:k], r7[:k]
	for l := range k {
		d := (*[8]float64)(dst[l*8:])
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = r0[l], r1[l], r2[l], r3[l], r4[l], r5[l], r6[l], r7[l]
	}
}

// block computes C = alpha·A·B + beta·C for the packed m×k block A and k×n
// block B, tile by tile. The outer loop is over B's panels, so that each
// stays in L1 while the kernel runs through all of A's.
func block(m, n, k int, alpha float64, pa, pb []float64, beta float64, c []float64, ldc int) {
	var edge [mr * nr]float64
	for j := 0; j < n; j += nr {
		b := pb[j*k : (j+nr)*k]
		for i := 0; i < m; i += mr {
			a := pa[i*k : (i+mr)*k]
			if i+mr <= m && j+nr <= n {
				kernel(k, a, b, c[i*ldc+j:], ldc, alpha, beta)
				continue
			}
			// An edge tile is computed into edge, then its part in C is
			// updated with the kernel's arithmetic.
			if n-j <= nr/2 {
				narrow(k, a, b, &edge)
			} else {
				kernel(k, a, b, edge[:], nr, 1, 0)
			}
			for r := range min(mr, m-i) {
				update(c[(i+r)*ldc+j:][:min(nr, n-j)], edge[r*nr:], alpha, beta)
			}
		}
	}
}

// kernel sets the mr×nr tile C (stride ldc) to alpha·A·B + beta·C, for A
// an mr×k panel and B a k×nr panel as packA and packB store them.
func kernel(k int, a, b, c []float64, ldc int, alpha, beta float64) {
	_, _, _ = a[mr*k-1], b[nr*k-1], c[(mr-1)*ldc+nr-1]
	if kernelAsm(k, a, b, c, ldc, alpha, beta) {
		return
	}
	var acc [mr * nr]float64
	for l := range k {
		al, bl := a[l*mr:l*mr+mr], b[l*nr:l*nr+nr]
		for r, x := range al {
			row := acc[r*nr : r*nr+nr]
			for j, y := range bl {
				row[j] = math.FMA(x, y, row[j])
			}
		}
	}
	for r := range mr {
		update(c[r*ldc:r*ldc+nr], acc[r*nr:], alpha, beta)
	}
}

// narrow sets the first nr/2 columns of tile, a tile of stride nr, to
// A·B, for A and B as kernel takes them; it leaves the others as they
// are, or sets them to their part of A·B.
func narrow(k int, a, b []float64, tile *[mr * nr]float64) {
	_, _ = a[mr*k-1], b[nr*k-1]
	if !narrowAsm(k, a, b, tile) {
		kernel(k, a, b, tile[:], nr, 1, 0)
	}
}

// update sets c = alpha·acc + beta·c, as fma(beta, c, alpha·acc) with a
// single rounding, and without reading c where beta is 0.
func update(c, acc []float64, alpha, beta float64) {
	acc = acc[:len(c)]
	if beta == 0 {
		for j, v := range acc {
			c[j] = alpha * v
		}
		return
	}
	for j, v := range acc {
		c[j] = math.FMA(beta, c[j], alpha*v)
	}
}
