package ledger

import (
	"context"
	"database/sql"
	"os"
	"time"
)

// KeyHistory lists every entry of key (any scope, any integration),
// oldest first, with its run's particulars. Sending entries of runs no
// longer alive are shown as Unknown.
func (l *Ledger) KeyHistory(ctx context.Context, key string) ([]*Entry, error) {
	h := l.KeyHash(key)
	rows, err := l.db.QueryContext(ctx, "SELECT "+entryColumns+` FROM entries e JOIN runs r ON r.id = e.run_id
		WHERE e.key_hash = ? ORDER BY e.id`, h[:])
	if err != nil {
		return nil, l.classify("key history", err)
	}
	defer rows.Close()
	var out []*Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, l.classify("key history", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, l.classify("key history", err)
	}
	for _, e := range out {
		if e.Status == Sending && !l.alive(e.Run) {
			e.Status = Unknown
		}
	}
	return out, nil
}

// Forgotten counts what Forget deleted.
type Forgotten struct {
	Runs, Entries int64
}

// Forget deletes the runs that started before before, with all their
// entries, except runs still under way. Deleted pages are overwritten
// (secure_delete) and the WAL is checkpointed and truncated, so nothing
// forgotten stays in the files. Keys forgotten can be sent again.
func (l *Ledger) Forget(ctx context.Context, before time.Time) (Forgotten, error) {
	var f Forgotten
	var forgotten []int64
	err := l.tx(ctx, "forget", func(tx *sql.Tx) error {
		f = Forgotten{}
		rows, err := tx.QueryContext(ctx, "SELECT id, ended IS NULL FROM runs WHERE started < ?", ms(before))
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var open bool
			if err := rows.Scan(&id, &open); err != nil {
				rows.Close()
				return err
			}
			if !open || !l.alive(id) {
				ids = append(ids, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		forgotten = ids
		if err := keepHighWater(ctx, tx); err != nil {
			return err
		}
		for _, id := range ids {
			if err := forgetRun(ctx, tx, id, &f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	for _, id := range forgotten {
		os.Remove(l.lockPath(id)) // a crashed run's lock file
	}
	if _, err := l.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return f, l.classify("forget", err)
	}
	return f, nil
}

func forgetRun(ctx context.Context, tx *sql.Tx, id int64, f *Forgotten) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM entries WHERE run_id = ?", id)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	f.Entries += n
	if _, err := tx.ExecContext(ctx, "DELETE FROM runs WHERE id = ?", id); err != nil {
		return err
	}
	f.Runs++
	return nil
}

// nextRunID and nextEntryID are the ids the next run and entry get: one
// past the highest ever given, even when Forget deleted it (SQLite
// would give the highest left plus one, and a journal naming a
// forgotten run or entry would then name another).
const (
	nextRunID   = `(SELECT max(coalesce((SELECT max(id) FROM runs), 0), coalesce((SELECT v FROM meta WHERE k = 'runs_hw'), 0)) + 1)`
	nextEntryID = `(SELECT max(coalesce((SELECT max(id) FROM entries), 0), coalesce((SELECT v FROM meta WHERE k = 'entries_hw'), 0)) + 1)`
)

// keepHighWater remembers the highest run and entry ids given, before
// Forget deletes any.
func keepHighWater(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(k, v) VALUES ('runs_hw', `+nextRunID+` - 1), ('entries_hw', `+nextEntryID+` - 1)`)
	return err
}
