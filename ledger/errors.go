package ledger

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrNewerVersion: the ledger was written by a newer sbimport (its
	// schema version is above SchemaVersion). Nothing was changed.
	ErrNewerVersion = errors.New("ledger written by a newer sbimport")
	// ErrNotLedger: the file is an SQLite database of some other program.
	ErrNotLedger = errors.New("not an sbimport ledger")
	// ErrLocked: another process held the ledger longer than the busy timeout.
	ErrLocked = errors.New("ledger locked by another process")
	// ErrReadOnly: the ledger or its folder cannot be written.
	ErrReadOnly = errors.New("ledger is read-only")
	// ErrDiskFull: the disk (or the ledger's size limit) is full.
	ErrDiskFull = errors.New("disk full")
	// ErrRunBusy: ResumeRun of a run another live process holds.
	ErrRunBusy = errors.New("run still in progress in another process")
	// ErrNoRun: no run with that id (never begun, or forgotten).
	ErrNoRun = errors.New("no such run")
	// ErrNoEntry: Record of an entry id the ledger does not hold.
	ErrNoEntry = errors.New("no such ledger entry")
	// ErrClosed: the Ledger was closed.
	ErrClosed = errors.New("ledger closed")
)

// CorruptError says the file is not a readable SQLite database, or is
// damaged. Nothing was written to it.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("ledger %s is damaged or not a database: %v", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// VersionError is the ErrNewerVersion a ledger gets with its version.
type VersionError struct {
	Path         string
	Found, Known int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("ledger %s has schema version %d; this sbimport knows up to %d", e.Path, e.Found, e.Known)
}

func (e *VersionError) Is(target error) bool { return target == ErrNewerVersion }

// classify turns SQLite's result codes into this package's errors; op says
// what was being done. Other errors are returned wrapped as they are.
func (l *Ledger) classify(op string, err error) error {
	return classify(l.path, op, err)
}

func classify(path, op string, err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err // this package's own errors, context errors: as they are
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return &CorruptError{Path: path, Err: err}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("ledger %s: %s: %w (%v)", path, op, ErrLocked, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("ledger %s: %s: %w (%v)", path, op, ErrReadOnly, err)
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("ledger %s: %s: %w (%v)", path, op, ErrDiskFull, err)
	}
	return fmt.Errorf("ledger %s: %s: %w", path, op, err)
}
