package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/convene/convene"
)

// createFile creates path for writing with mode 0600 (reports, letters, the
// venue QR and backups hold phones, tokens and feedback). It never follows
// a symlink at path: O_CREATE|O_EXCL refuses any existing name, a dangling
// or planted link included. Without force an existing path is an ECONFLICT
// error ("report.pdf exists; use --force to replace it"); with force an
// existing regular file or symlink is removed first — the link itself, so
// the file it pointed to is left untouched — and anything else (a
// directory, a device) is refused.
func createFile(path string, force bool) (*os.File, error) {
	if force {
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		case fi.Mode().IsRegular() || fi.Mode()&fs.ModeSymlink != 0:
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		default:
			return nil, convene.Errorf(convene.ECONFLICT, "%s exists and is not a regular file; not replacing it", path)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, convene.Errorf(convene.ECONFLICT, "%s exists; use --force to replace it", path)
	}
	if err != nil {
		return nil, err
	}
	// A umask can only take bits away, but say it plainly.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return f, nil
}

// writeNewFile writes data to a file createFile makes; on failure the
// half-written file is removed.
func writeNewFile(path string, data []byte, force bool) error {
	f, err := createFile(path, force)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
