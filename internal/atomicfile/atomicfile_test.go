package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// names lists the files in dir, temporary ones included.
func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var ns []string
	for _, e := range es {
		ns = append(ns, e.Name())
	}
	return ns
}

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "p.svg")
	require.NoError(t, os.WriteFile(name, []byte("old picture, longer than the new"), 0o600))
	require.NoError(t, WriteFile(name, []byte("new"), 0o644))
	got, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	st, err := os.Stat(name)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "an existing file keeps its permissions")
	assert.Equal(t, []string{"p.svg"}, names(t, dir))
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	diskFull := &os.PathError{Op: "write", Path: "whatever", Err: syscall.ENOSPC}
	for _, tc := range []struct {
		name  string
		write func(w io.Writer) error
	}{
		{"error after part of the data", func(w io.Writer) error {
			if _, err := io.WriteString(w, "<svg>half a pic"); err != nil {
				return err
			}
			return diskFull
		}},
		{"error before any data", func(io.Writer) error { return diskFull }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "p.svg")
			require.NoError(t, os.WriteFile(name, []byte("old picture"), 0o644))
			err := Write(name, 0o644, tc.write)
			require.ErrorIs(t, err, syscall.ENOSPC)
			assert.Equal(t, "writing "+name+": no space left on device", err.Error())
			got, rerr := os.ReadFile(name)
			require.NoError(t, rerr)
			assert.Equal(t, "old picture", string(got))
			assert.Equal(t, []string{"p.svg"}, names(t, dir), "the temporary file is removed")
		})
	}
}

func TestWriteNewFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "new.txt")
	require.Error(t, Write(name, 0o644, func(io.Writer) error { return errors.New("no") }))
	assert.Empty(t, names(t, dir), "a failed write creates nothing")
	require.NoError(t, WriteFile(name, []byte("data"), 0o644))
	got, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "data", string(got))
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o644))
	require.NoError(t, os.Symlink("target.txt", link))
	require.NoError(t, WriteFile(link, []byte("new"), 0o644))
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link stays a link")
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, tc := range []struct{ name, want string }{
		{filepath.Join(dir, "p.svg"), ""},
		{file, ""},
		{filepath.Join(dir, "missing", "p.svg"), "the directory " + filepath.Join(dir, "missing") + " does not exist"},
		{filepath.Join(file, "p.svg"), file + " is not a directory"},
		{dir, dir + " is a directory"},
	} {
		err := CheckWritable(tc.name)
		if tc.want == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.EqualError(t, err, tc.want, tc.name)
		}
	}
	assert.Equal(t, []string{"file"}, names(t, dir), "checking leaves nothing behind")
}

func TestCheckWritableReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write in a read-only directory")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	require.NoError(t, os.Mkdir(dir, 0o555))
	err := CheckWritable(filepath.Join(dir, "p.svg"))
	assert.EqualError(t, err, "cannot write files in "+dir+": permission denied")
}
