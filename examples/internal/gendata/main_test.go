package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCommitted checks that the examples' committed data files are what
// gendata writes, so that the data and their generator cannot drift apart.
func TestCommitted(t *testing.T) {
	for _, f := range files() {
		t.Run(f.name, func(t *testing.T) {
			have, err := os.ReadFile(filepath.Join("../..", f.name))
			require.NoError(t, err)
			assert.Equal(t, string(f.data), string(have), "%s is not what gendata writes: run go run ./internal/gendata in examples", f.name)
		})
	}
}

// TestDeterministic checks that the data depend on nothing but their seeds.
func TestDeterministic(t *testing.T) {
	assert.Equal(t, files(), files())
}
