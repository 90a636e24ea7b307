package importer

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// LockedError says another sbimport holds the lock of this output: it is
// running on the same output sheet and journal. Nothing was sent.
type LockedError struct {
	Output string // the output sheet
	Lock   string // the lock file
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another sbimport is running on %s (it holds %s)", e.Output, e.Lock)
}

// OutputDirError says the folder of the output sheet cannot be written in.
// Nothing was sent.
type OutputDirError struct {
	Dir string
	Err error
}

func (e *OutputDirError) Error() string {
	return fmt.Sprintf("cannot write in folder %s: %v", e.Dir, e.Err)
}

func (e *OutputDirError) Unwrap() error { return e.Err }

// errWouldBlock is what tryLock returns when another process holds the lock.
var errWouldBlock = errors.New("the lock is held by another process")

// LockPath is the lock file a run or validate holds beside its output.
func LockPath(output string) string { return output + ".lock" }

// runLock is an exclusive OS lock on "<output>.lock", held for a whole run
// so that two processes never send the same sheet, write the same journal
// or replace the same output at once. The kernel drops it when the process
// dies, so a killed run never leaves a lock that blocks the next.
type runLock struct {
	path string
	f    *os.File
}

// lockOutput takes the lock of output without waiting: *LockedError when
// another process holds it, *OutputDirError when the folder refuses the
// lock file. Both come wrapped in *InputError (nothing was sent).
func lockOutput(output string) (*runLock, error) {
	path := LockPath(output)
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the folder is named; the lock file's name says nothing
			}
			return nil, &InputError{Err: &OutputDirError{Dir: dirOf(output), Err: err}}
		}
		if err := tryLock(f); err != nil {
			f.Close()
			if errors.Is(err, errWouldBlock) {
				return nil, &InputError{Err: &LockedError{Output: output, Lock: path}}
			}
			return nil, &InputError{Err: fmt.Errorf("lock %s: %w", path, err)}
		}
		// The holder before us removes the file before letting go: the
		// file we locked must still be the one at the path.
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(fi, pi) {
			return &runLock{path: path, f: f}, nil
		}
		unlock(f)
		f.Close()
	}
	return nil, &InputError{Err: &LockedError{Output: output, Lock: path}}
}

// Release removes the lock file and lets go of the lock. The file goes
// first, while still held, so a process that opened it meanwhile sees that
// its lock is on a removed file and tries again.
func (l *runLock) Release() {
	if l == nil {
		return
	}
	if runtime.GOOS != "windows" {
		// Windows cannot remove a file another process has open; the
		// file stays there, unlocked, for the next run.
		os.Remove(l.path)
	}
	unlock(l.f)
	l.f.Close()
}
