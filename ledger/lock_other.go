//go:build !unix && !windows

package ledger

import "os"

// runLock on this OS is a marker file without an OS lock: a run whose
// marker is there counts as alive, so a crashed run's sending entries keep
// blocking (the safe answer) until reconcile settles them.
type runLock struct{ path string }

func lockRun(path string) (*runLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	return &runLock{path: path}, nil
}

func (r *runLock) release() { os.Remove(r.path) }

func runAlive(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
