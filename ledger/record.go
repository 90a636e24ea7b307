package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

// Outcome is what became of a granted claim.
type Outcome struct {
	Entry      int64  // Decision.Entry
	Status     Status // Created, Failed, Unknown or Skipped
	SBID       int64
	Links      salesbyte.Links
	HTTPStatus int
	At         time.Time // zero: the Ledger's clock
}

// Record writes outcomes in one transaction: one per batch of answers.
// With SyncFull its commit is fsynced by the next Reserve or FinishRun
// (see lazyTx): an outcome is never more durable than the next intent
// needs.
// It fails as a whole (nothing written) on an unknown entry or status.
func (l *Ledger) Record(ctx context.Context, outcomes []Outcome) error {
	for _, o := range outcomes {
		switch o.Status {
		case Created, Failed, Unknown, Skipped:
		default:
			return fmt.Errorf("ledger: record entry %d: status %q is not an outcome", o.Entry, o.Status)
		}
	}
	return l.lazyTx(ctx, "record", func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE entries SET status=?, sb_id=?, link_edit=?, link_view=?, link_verificate=?,
			link_approval=?, http_status=?, at=? WHERE id=?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, o := range outcomes {
			at := o.At
			if at.IsZero() {
				at = l.now()
			}
			res, err := st.ExecContext(ctx, o.Status, o.SBID, o.Links.Edit, o.Links.CustomerView, o.Links.CustomerVerificate,
				o.Links.ProjectApproval, o.HTTPStatus, ms(at), o.Entry)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("ledger %s: record entry %d: %w", l.path, o.Entry, ErrNoEntry)
			}
		}
		return nil
	})
}

// Settlement is what reconcile found out about a key whose outcome was
// unknown in a scope.
type Settlement struct {
	// Run is the run whose output was reconciled: only its entries are
	// settled (another run's request for the key, at another time, may
	// have had another fate). 0: any run's.
	Run    int64
	Scope  Scope
	Key    Hash
	Status Status // Created or Failed
	SBID   int64
	Links  salesbyte.Links
	At     time.Time // zero: the Ledger's clock
}

// Settle turns, for each settlement, the latest unknown entry of the key
// in the scope (or the sending entry of a run no longer alive) into its
// status, in one transaction. It returns how many entries changed; a
// settlement with nothing unknown to settle changes none.
func (l *Ledger) Settle(ctx context.Context, ss []Settlement) (int, error) {
	for _, s := range ss {
		if s.Status != Created && s.Status != Failed {
			return 0, fmt.Errorf("ledger: settle: status %q is not created or failed", s.Status)
		}
	}
	n := 0
	err := l.tx(ctx, "settle", func(tx *sql.Tx) error {
		n = 0
		for _, s := range ss {
			id, err := l.settleable(ctx, tx, s)
			if err != nil || id == 0 {
				return err
			}
			at := s.At
			if at.IsZero() {
				at = l.now()
			}
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET status=?, sb_id=?, link_edit=?, link_view=?, link_verificate=?,
				link_approval=?, at=? WHERE id=?`, s.Status, s.SBID, s.Links.Edit, s.Links.CustomerView,
				s.Links.CustomerVerificate, s.Links.ProjectApproval, ms(at), id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// settleable is the entry a settlement applies to, or 0.
func (l *Ledger) settleable(ctx context.Context, tx *sql.Tx, s Settlement) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, run_id, status FROM entries WHERE key_hash=? AND integration=? AND scope=?
		AND status IN ('unknown','sending') AND (? = 0 OR run_id = ?) ORDER BY id DESC`, s.Key[:], s.Scope.Integration[:], s.Scope.Name(), s.Run, s.Run)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, run int64
		var st Status
		if err := rows.Scan(&id, &run, &st); err != nil {
			return 0, err
		}
		if st == Unknown || !l.alive(run) {
			return id, nil
		}
	}
	return 0, rows.Err()
}
