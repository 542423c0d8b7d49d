//go:build !openblas

package ad

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBLASIsGonum(t *testing.T) {
	assert.Equal(t, BLASInfo{Name: "gonum"}, BLAS())
}
