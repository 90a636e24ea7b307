//go:build !linux && !darwin && !windows

package ledger

// detectFS cannot tell on this OS: the kind is unknown (no warning).
func detectFS(dir string) Filesystem { return Filesystem{} }

func isReadOnlyFS(err error) bool { return false }
