package ui

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sbimport/sbimport/importer"
)

// runInput is where a sheet is sent from: a copy in a folder of RunsDir
// named by its content, beside which the output sheet and its journal are
// written. The same sheet chosen again (after a crash, or next time) finds
// its journal there, and the importer resumes it or sends nothing twice,
// as `sbimport run` does with the same command. A sheet already in
// RunsDir (an output being re-sent) is used where it is.
func (s *Server) runInput(path, target string) (string, error) {
	runs, err := filepath.Abs(s.opts.RunsDir)
	if err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(path); err == nil && strings.HasPrefix(abs, runs+string(filepath.Separator)) {
		if !strings.HasSuffix(filepath.Base(filepath.Dir(abs)), "-"+target) {
			return "", errOtherTarget
		}
		return path, nil
	}
	sum, err := importer.FileSHA256(path)
	if err != nil {
		return "", err
	}
	// A folder for each target: a rehearsal in the sandbox and the run to
	// production of the same sheet keep separate outputs and journals (the
	// sandbox's created rows exist only there).
	dir := filepath.Join(runs, sum[:16]+"-"+target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, filepath.Base(path))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	return dst, copyFile(path, dst)
}

// errOtherTarget: the sheet chosen is the output of a run to the other
// target; its created rows exist only there.
var errOtherTarget = errors.New("this output sheet holds a run to the other target (sandbox or production): the rows it marks created exist only there and would not be sent. Choose your original sheet again in step 1 to send it here")

// copyFile copies src to dst through a temporary file, so a crash never
// leaves a half-copied sheet under dst's name.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".copy-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
