package ad

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBLASInfoString(t *testing.T) {
	for _, tc := range []struct {
		info BLASInfo
		want string
	}{
		{BLASInfo{Name: "gonum"}, "gonum (pure Go)"},
		{BLASInfo{Name: "openblas", Config: "OpenBLAS 0.3.21 Zen", Threads: 1}, "openblas (OpenBLAS 0.3.21 Zen), 1 thread"},
		{BLASInfo{Name: "openblas", Config: "OpenBLAS 0.3.21 Zen", Threads: 4}, "openblas (OpenBLAS 0.3.21 Zen), 4 threads"},
	} {
		assert.Equal(t, tc.want, tc.info.String())
	}
}
