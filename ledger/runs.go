package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// RunInfo describes a run when it begins.
type RunInfo struct {
	Input         string // the input file's path, as the user gave it
	InputSHA256   string
	Mapping       string // the mapping file's path
	MappingSHA256 string
	Endpoint      string
	Campaign      string // "" without one
	BaseURL       string // SalesByte's base URL (never holds the uuid)
	Integration   Hash   // Ledger.Fingerprint(uuid)
	Started       time.Time
}

// Counts are a finished run's row counts.
type Counts struct {
	Rows, Created, Failed, Invalid, Unknown, Skipped int
}

// Run is one run as the ledger recorded it.
type Run struct {
	ID int64
	RunInfo
	Ended  time.Time // zero: not finished
	Counts Counts
	// Alive: a process holds the run now (it is under way).
	Alive bool
}

func (l *Ledger) lockPath(id int64) string {
	return filepath.Join(l.path+".runs", strconv.FormatInt(id, 10)+".lock")
}

// BeginRun records a new run and holds it (see the package doc on live
// runs) until FinishRun or Close.
func (l *Ledger) BeginRun(ctx context.Context, info RunInfo) (int64, error) {
	if info.Started.IsZero() {
		info.Started = l.now()
	}
	if err := os.MkdirAll(l.path+".runs", 0o700); err != nil {
		return 0, readOnlyOr(l.path, "begin run", err)
	}
	var id int64
	err := l.tx(ctx, "begin run", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO runs(id, started, input, input_sha256, mapping, mapping_sha256, endpoint, campaign, base_url, integration)
			VALUES (`+nextRunID+`,?,?,?,?,?,?,?,?,?)`, ms(info.Started), info.Input, info.InputSHA256, info.Mapping, info.MappingSHA256,
			info.Endpoint, info.Campaign, info.BaseURL, info.Integration[:])
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		// The lock is taken inside the transaction: no other process can
		// see the run before it is alive.
		return l.hold(id)
	})
	if err != nil {
		l.drop(id)
		return 0, err
	}
	return id, nil
}

// ResumeRun holds an unfinished run again (the journal names it after a
// crash): its own sending entries are granted again to this process.
// ErrRunBusy when another live process holds it; ErrNoRun when missing.
func (l *Ledger) ResumeRun(ctx context.Context, id int64) error {
	var n int
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM runs WHERE id=?", id).Scan(&n); err != nil {
		return l.classify("resume run", err)
	}
	if n == 0 {
		return fmt.Errorf("ledger %s: run %d: %w", l.path, id, ErrNoRun)
	}
	if err := os.MkdirAll(l.path+".runs", 0o700); err != nil {
		return readOnlyOr(l.path, "resume run", err)
	}
	if err := l.hold(id); err != nil {
		return err
	}
	err := l.tx(ctx, "resume run", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE runs SET ended=NULL WHERE id=?", id)
		return err
	})
	if err != nil {
		l.drop(id)
	}
	return err
}

func (l *Ledger) hold(id int64) error {
	lk, err := lockRun(l.lockPath(id))
	if errors.Is(err, ErrRunBusy) {
		return fmt.Errorf("ledger %s: run %d: %w", l.path, id, ErrRunBusy)
	}
	if err != nil {
		return readOnlyOr(l.path, "lock run", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		lk.release()
		return ErrClosed
	}
	l.locks[id] = lk
	return nil
}

func (l *Ledger) drop(id int64) {
	l.mu.Lock()
	lk := l.locks[id]
	delete(l.locks, id)
	l.mu.Unlock()
	if lk != nil {
		lk.release()
	}
}

// holds says whether this Ledger holds run id.
func (l *Ledger) holds(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locks[id] != nil
}

// alive says whether run id is under way, here or in another process.
func (l *Ledger) alive(id int64) bool {
	return l.holds(id) || runAlive(l.lockPath(id))
}

// FinishRun records the run's counts and end; its entries still sending
// (in flight when the run stopped) become unknown. The run is released.
func (l *Ledger) FinishRun(ctx context.Context, id int64, c Counts, ended time.Time) error {
	if ended.IsZero() {
		ended = l.now()
	}
	err := l.tx(ctx, "finish run", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE runs SET ended=?, n_rows=?, n_created=?, n_failed=?, n_invalid=?, n_unknown=?, n_skipped=? WHERE id=?`,
			ms(ended), c.Rows, c.Created, c.Failed, c.Invalid, c.Unknown, c.Skipped, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("ledger %s: run %d: %w", l.path, id, ErrNoRun)
		}
		_, err = tx.ExecContext(ctx, "UPDATE entries SET status='unknown', at=? WHERE run_id=? AND status='sending'", ms(ended), id)
		return err
	})
	if err == nil {
		l.drop(id)
	}
	return err
}

const runColumns = `id, started, ended, input, input_sha256, mapping, mapping_sha256, endpoint, campaign, base_url, integration,
	n_rows, n_created, n_failed, n_invalid, n_unknown, n_skipped`

func (l *Ledger) scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var started int64
	var ended sql.NullInt64
	var integ []byte
	c := &r.Counts
	err := sc.Scan(&r.ID, &started, &ended, &r.Input, &r.InputSHA256, &r.Mapping, &r.MappingSHA256, &r.Endpoint,
		&r.Campaign, &r.BaseURL, &integ, &c.Rows, &c.Created, &c.Failed, &c.Invalid, &c.Unknown, &c.Skipped)
	if err != nil {
		return r, err
	}
	r.Started = time.UnixMilli(started).UTC()
	r.Ended = fromMS(ended)
	copy(r.Integration[:], integ)
	r.Alive = r.Ended.IsZero() && l.alive(r.ID)
	return r, nil
}

// Runs lists the runs, newest first; limit <= 0 means all.
func (l *Ledger) Runs(ctx context.Context, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := l.db.QueryContext(ctx, "SELECT "+runColumns+" FROM runs ORDER BY started DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, l.classify("list runs", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := l.scanRun(rows)
		if err != nil {
			return nil, l.classify("list runs", err)
		}
		out = append(out, r)
	}
	return out, l.classify("list runs", rows.Err())
}
