// Package atomicfile writes files so that a reader, or a failure, never
// leaves a file half written: the new contents go to a temporary file in the
// same directory, which is synced and then renamed over the old file. A
// write that fails, because the disk is full for instance, leaves the old
// file as it was.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Write calls write with a temporary file in the directory of name and,
// when write and every step after it succeed, renames the file to name,
// replacing any file there. A file that exists keeps its permissions, a
// new one gets perm (less the umask), as with os.WriteFile; a symbolic link
// at name is written through. When an error is returned, name is as it was
// and the temporary file is removed.
func Write(name string, perm fs.FileMode, write func(w io.Writer) error) error {
	if target, err := filepath.EvalSymlinks(name); err == nil {
		name = target
	}
	f, err := createTemp(name, perm)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, pathless(err))
	}
	if st, serr := os.Stat(name); serr == nil {
		err = f.Chmod(st.Mode().Perm())
	}
	if err == nil {
		err = write(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", name, pathless(err))
	}
	return nil
}

// WriteFile writes data to the named file as Write does, in the manner of
// os.WriteFile.
func WriteFile(name string, data []byte, perm fs.FileMode) error {
	return Write(name, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// CheckWritable returns an error when Write could not write name: its
// directory does not exist, is not a directory or does not accept new
// files, or name is a directory. Commands call it before long work whose
// result goes to name, so that a mistyped path fails at once.
func CheckWritable(name string) error {
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", name)
	}
	dir := filepath.Dir(name)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	// Permissions, a read-only file system and the like all show in one
	// try; the mode bits alone would not tell (root may write anywhere
	// they allow nothing).
	f, err := createTemp(name, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write files in %s: %v", dir, pathless(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// createTemp creates a new file beside name with a name of its own,
// starting with a dot so that listings leave it out.
func createTemp(name string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(name)
	var err error
	for range 100 {
		var f *os.File
		tmp := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		// os.CreateTemp would make the file 0600 whatever the umask;
		// opening it ourselves applies perm and the umask as
		// os.WriteFile does.
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, err
}

// pathless returns the cause of a *fs.PathError or *os.LinkError, whose
// path would name the temporary file the user never asked for.
func pathless(err error) error {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Err
	case *os.LinkError:
		return e.Err
	}
	return err
}
