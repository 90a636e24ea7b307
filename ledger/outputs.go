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

// Restore is Record for outcomes a resumed run read back from its own
// journal: an entry the ledger no longer holds (forgotten) is passed
// over instead of failing the batch.
func (l *Ledger) Restore(ctx context.Context, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	ids := make([]Outcome, 0, len(outcomes))
	err := l.tx(ctx, "restore", func(tx *sql.Tx) error {
		ids = ids[:0]
		for _, o := range outcomes {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM entries WHERE id=?", o.Entry).Scan(&n); err != nil {
				return err
			}
			if n == 1 {
				ids = append(ids, o)
			}
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return err
	}
	return l.Record(ctx, ids)
}
