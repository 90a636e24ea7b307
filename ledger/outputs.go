package ledger

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"time"
)

// Output is an output sheet as sbimport last wrote it.
type Output struct {
	Path    string // absolute
	SHA256  string
	Written time.Time
}

// RecordOutput remembers the SHA-256 of an output sheet sbimport has
// just written at path, so a later run can tell whether it was changed
// since (by hand, in Excel) before writing over it.
func (l *Ledger) RecordOutput(ctx context.Context, path, sha256 string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	return l.tx(ctx, "record output", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outputs(path, sha256, written) VALUES (?,?,?)
			ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256, written=excluded.written`, abs, sha256, ms(l.now()))
		return err
	})
}

// ForgetOutput drops the record of path: sbimport did not write what
// is there after all.
func (l *Ledger) ForgetOutput(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	return l.tx(ctx, "forget output", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM outputs WHERE path=?", abs)
		return err
	})
}

// LastOutput is what RecordOutput last recorded for path; ok is false
// when sbimport never recorded writing it.
func (l *Ledger) LastOutput(ctx context.Context, path string) (o Output, ok bool, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return o, false, err
	}
	var written int64
	err = l.db.QueryRowContext(ctx, "SELECT path, sha256, written FROM outputs WHERE path=?", abs).Scan(&o.Path, &o.SHA256, &written)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	if err != nil {
		return o, false, l.classify("read outputs", err)
	}
	o.Written = time.UnixMilli(written).UTC()
	return o, true, nil
}

// RunByID is one run; ErrNoRun when the ledger holds none with that id.
func (l *Ledger) RunByID(ctx context.Context, id int64) (Run, error) {
	r, err := l.scanRun(l.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id=?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNoRun
	}
	return r, l.classify("read run", err)
}

// Restored is an outcome a resumed run read back from its own journal,
// with the claim its entry was granted for.
type Restored struct {
	Outcome
	Claim Claim
}

// Restore is Record for outcomes a resumed run read back from its own
// journal. Only an entry still sending, of this claim's key, file and row
// in scope, is written: an entry forgotten, settled since, or not this
// row's (a journal resumed with another ledger, whose entry ids mean
// other rows here) is passed over instead of being overwritten.
func (l *Ledger) Restore(ctx context.Context, scope Scope, restored []Restored) error {
	if len(restored) == 0 {
		return nil
	}
	var ids []Outcome
	err := l.tx(ctx, "restore", func(tx *sql.Tx) error {
		ids = ids[:0]
		for _, r := range restored {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE id=? AND status='sending' AND key_hash=?
				AND file=? AND row=? AND integration=? AND scope=?`, r.Entry, r.Claim.Key[:], r.Claim.File, r.Claim.Row,
				scope.Integration[:], scope.Name()).Scan(&n); err != nil {
				return err
			}
			if n == 1 {
				ids = append(ids, r.Outcome)
			}
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return err
	}
	return l.Record(ctx, ids)
}

// EntryRef names one entry as a journal recorded it: its id, and the
// file and row it was granted for.
type EntryRef struct {
	ID   int64
	File string
	Row  int
}

// Known returns, of the entries refs name, those this ledger holds as
// the refs say (the same file and row) in scope, by id, with their
// status as it reads now (a dead run's sending entry as Unknown). An
// entry forgotten, or one of another ledger, is not among them.
func (l *Ledger) Known(ctx context.Context, scope Scope, refs []EntryRef) (map[int64]Status, error) {
	out := make(map[int64]Status)
	err := l.tx(ctx, "known", func(tx *sql.Tx) error {
		for _, r := range refs {
			var st Status
			var run int64
			err := tx.QueryRowContext(ctx, `SELECT status, run_id FROM entries WHERE id=? AND file=? AND row=? AND integration=? AND scope=?`,
				r.ID, r.File, r.Row, scope.Integration[:], scope.Name()).Scan(&st, &run)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if st == Sending && !l.alive(run) {
				st = Unknown
			}
			out[r.ID] = st
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
