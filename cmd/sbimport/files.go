package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/sbimport/sbimport/importer"
)

// explainFileErr puts the importer's file-safety errors into words and
// their exit codes; any other error is returned as it is.
func explainFileErr(err error, sum *importer.Summary) error {
	if e, ok := heldOpenWords(err, sum); ok {
		return e
	}
	var locked *importer.LockedError
	var dir *importer.OutputDirError
	var gone *importer.JournalReplacedError
	switch {
	case errors.As(err, &locked):
		return usageErr("another sbimport is running on %s (it holds %s). Nothing was sent.\n"+
			"Wait for it to finish, or choose another output with -o FILE", locked.Output, locked.Lock)
	case errors.As(err, &dir):
		return usageErr("cannot write in folder %s: %s. Nothing was sent.\n"+
			"Choose an output in a folder you can write in with -o FILE", dir.Dir, folderProblem(dir.Err))
	case errors.As(err, &gone):
		out := "the output sheet"
		if sum != nil && sum.Output != "" {
			out = sum.Output
		}
		return &exitError{code: exitRowsFailed, err: fmt.Errorf("the journal %s was removed or replaced while the run was going, "+
			"so sbimport stopped sending; the rows not sent are marked skipped.\n"+
			"%s records every row sent. To send the rest, run again with it as the input: -i %s", gone.Path, out, out)}
	}
	return err
}

// folderProblem says why a folder cannot be written in, in plain words.
func folderProblem(err error) string {
	switch {
	case errors.Is(err, syscall.EROFS):
		return "it is on a read-only disk"
	case errors.Is(err, syscall.ENOTDIR):
		return "it is a file, not a folder"
	case errors.Is(err, os.ErrNotExist):
		return "it does not exist"
	case errors.Is(err, os.ErrPermission):
		return "you may not write in it"
	case errors.Is(err, syscall.ENOSPC):
		return "the disk is full"
	}
	return err.Error()
}
