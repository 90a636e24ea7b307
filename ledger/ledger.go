package ledger

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Sync is how hard a commit waits for the disk (PRAGMA synchronous).
type Sync string

const (
	// SyncFull fsyncs the WAL at every commit: a reservation that returned
	// survives a power cut. The default.
	SyncFull Sync = "FULL"
	// SyncNormal fsyncs only at checkpoints: a reservation survives a
	// crash of the process, not of the machine. For benchmarks and tests.
	SyncNormal Sync = "NORMAL"
)

// Options tune Open; the zero value is what sbimport uses.
type Options struct {
	// BusyTimeout is how long a statement waits for another process's
	// lock before ErrLocked; 0 means 30 s: transactions are short, and a
	// busy machine running two imports should wait, not stop one.
	BusyTimeout time.Duration
	// Sync is PRAGMA synchronous; "" means SyncFull.
	Sync Sync
	// Now is the clock for times the caller does not give; nil: time.Now.
	Now func() time.Time
	// MaxPages caps the database size in pages (PRAGMA max_page_count):
	// beyond it writes fail with ErrDiskFull as on a full disk. 0: no cap.
	MaxPages int64
	// Verify runs PRAGMA quick_check at Open (time grows with the
	// ledger's size): damage inside the file is then a *CorruptError
	// before anything is sent, not at the first query that meets it.
	Verify bool

	readOnly bool // tests: open as on a read-only medium
}

// Ledger is an open ledger. Its methods are safe for concurrent use.
type Ledger struct {
	path string
	db   *sql.DB
	salt []byte
	now  func() time.Time
	fs   Filesystem
	sync Sync

	mu     sync.Mutex
	locks  map[int64]*runLock // runs this Ledger began or resumed and holds
	closed bool
}

// Open opens the ledger at path, creating it (and its folder) if need be,
// and brings its schema up to date. Every error is one of this package's
// typed errors when SQLite says why (see the package doc).
func Open(ctx context.Context, path string, opt Options) (*Ledger, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	if err := createFile(abs); err != nil {
		return nil, err
	}
	if opt.BusyTimeout <= 0 {
		opt.BusyTimeout = 30 * time.Second
	}
	if opt.Sync == "" {
		opt.Sync = SyncFull
	}
	if opt.Sync != SyncFull && opt.Sync != SyncNormal {
		return nil, fmt.Errorf("ledger: unknown sync mode %q", opt.Sync)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	db, err := sql.Open("sqlite", dsn(abs, opt))
	if err != nil {
		return nil, classify(abs, "open", err)
	}
	db.SetMaxOpenConns(1) // one writer per process; SQLite serialises writers anyway
	l := &Ledger{path: abs, db: db, now: opt.Now, sync: opt.Sync, locks: make(map[int64]*runLock)}
	if err := l.setupRetrying(ctx, opt); err != nil {
		db.Close()
		return nil, err
	}
	l.fs = detectFS(filepath.Dir(abs))
	return l, nil
}

// setupRetrying is setup, tried again while another process holds the
// file in a way SQLite's busy handler does not wait for (two processes
// opening a new ledger at once both switch it to WAL), up to the busy
// timeout.
func (l *Ledger) setupRetrying(ctx context.Context, opt Options) error {
	deadline := time.Now().Add(opt.BusyTimeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err := l.setup(ctx, opt)
		if err == nil || !errors.Is(err, ErrLocked) || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// createFile makes the folder (0700) and an empty file (0600) when they
// are missing, so SQLite never creates the ledger with the umask's mode.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return readOnlyOr(path, "create folder", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return readOnlyOr(path, "create", err)
	}
	return f.Close()
}

func readOnlyOr(path, op string, err error) error {
	if errors.Is(err, os.ErrPermission) || isReadOnlyFS(err) {
		return fmt.Errorf("ledger %s: %s: %w (%v)", path, op, ErrReadOnly, err)
	}
	return fmt.Errorf("ledger %s: %s: %w", path, op, err)
}

func dsn(path string, opt Options) string {
	u := url.URL{Path: filepath.ToSlash(path)}
	q := url.Values{}
	ms := opt.BusyTimeout.Milliseconds()
	for _, p := range []string{
		fmt.Sprintf("busy_timeout(%d)", ms),
		"foreign_keys(1)",
		"secure_delete(1)",
		"synchronous(" + string(opt.Sync) + ")",
	} {
		q.Add("_pragma", p)
	}
	if opt.MaxPages > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", opt.MaxPages))
	}
	if opt.readOnly {
		q.Set("mode", "ro")
	}
	q.Set("_txlock", "immediate")
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

// Path is the ledger's absolute path.
func (l *Ledger) Path() string { return l.path }

// Close releases the runs this Ledger still holds (their sending entries
// then count as unknown) and closes the database.
func (l *Ledger) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	locks := l.locks
	l.locks = nil
	l.mu.Unlock()
	for _, lk := range locks {
		lk.release()
	}
	return l.db.Close()
}

func (l *Ledger) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// tx runs fn in one transaction (BEGIN IMMEDIATE: the write lock is taken
// at once, so two processes never both read-then-write the same key).
func (l *Ledger) tx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	if l.isClosed() {
		return ErrClosed
	}
	c, err := l.db.Conn(ctx)
	if err != nil {
		return l.classify(op, err)
	}
	defer c.Close()
	return l.connTx(ctx, c, op, fn)
}

// lazyTx is tx whose commit does not wait for the disk: with WAL, the
// next synchronous=FULL commit (the next Reserve, FinishRun, or Close)
// fsyncs it along with its own. Outcomes use it, as the journal does: an
// outcome lost in a power cut leaves its intent, which reads as unknown,
// never as "not sent".
func (l *Ledger) lazyTx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	if l.sync != SyncFull || l.isClosed() {
		return l.tx(ctx, op, fn)
	}
	c, err := l.db.Conn(ctx)
	if err != nil {
		return l.classify(op, err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		return l.classify(op, err)
	}
	err = l.connTx(ctx, c, op, fn)
	if _, rerr := c.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=FULL"); rerr != nil {
		// Never leave a lazy connection in the pool.
		c.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			err = l.classify(op, rerr)
		}
	}
	return err
}

func (l *Ledger) connTx(ctx context.Context, c *sql.Conn, op string, fn func(*sql.Tx) error) error {
	t, err := c.BeginTx(ctx, nil)
	if err != nil {
		return l.classify(op, err)
	}
	if err := fn(t); err != nil {
		t.Rollback()
		return l.classify(op, err)
	}
	if err := t.Commit(); err != nil {
		t.Rollback()
		return l.classify(op, err)
	}
	return nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}
