//go:build unix

package ledger

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// runLock is the OS lock a live run holds on its lock file. flock locks
// belong to the open file, so another Ledger in the same process sees them
// as another process would, and the kernel drops them when a process dies.
type runLock struct {
	f    *os.File
	path string
}

// lockRun takes the run's lock; ErrRunBusy when someone holds it.
func lockRun(path string) (*runLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrRunBusy
		}
		return nil, err
	}
	return &runLock{f: f, path: path}, nil
}

// release removes the lock file, then drops the lock.
func (r *runLock) release() {
	os.Remove(r.path)
	r.f.Close()
}

// runAlive says whether some process holds the run's lock. A missing lock
// file means the run finished or crashed.
func runAlive(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) // cannot tell: assume alive (never resend)
	}
	defer f.Close()
	err = unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB)
	if err == nil {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		return false
	}
	return true
}
