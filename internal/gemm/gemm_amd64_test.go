//go:build !purego

package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAsmMatchesGo checks that the assembly kernel gives the Go kernel's
// bits, in full tiles and at edges, with and without beta.
func TestAsmMatchesGo(t *testing.T) {
	if !useAsm {
		t.Skip("the processor lacks AVX2 or FMA")
	}
	defer func() { useAsm = true }()
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{1, 1, 1}, {6, 8, 1}, {13, 17, 9}, {40, 33, 300}, {150, 70, 513}} {
		for _, tA := range transposes {
			for _, tB := range transposes {
				for _, beta := range []float64{0, 1, -2.5} {
					p := newProduct(rng, tA, tB, s[0], s[1], s[2], 1, -2.5, beta)
					useAsm = true
					asm := p.run()
					useAsm = false
					require.Equal(t, p.run(), asm, fmt.Sprintf("%v %c%c beta %v", s, tA, tB, beta))
				}
			}
		}
	}
}
