package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

// Status is an entry's state.
type Status string

const (
	Sending Status = "sending" // reserved: the request may be going out now
	Created Status = "created"
	Failed  Status = "failed"  // refused or not sent: does not block
	Unknown Status = "unknown" // may have been created: blocks until settled
	Skipped Status = "skipped" // reserved, then not sent: does not block
)

// ErrRunNotHeld: Reserve for a run this Ledger did not begin or resume.
var ErrRunNotHeld = errors.New("run not begun or resumed by this process")

// Scope is where a key may be created once. With a campaign it is the
// integration and the campaign; without, the integration and the endpoint.
type Scope struct {
	Integration Hash
	Endpoint    string
	Campaign    string
}

// Name is how the scope is stored and shown: "campaign:NAME" or
// "endpoint:NAME".
func (s Scope) Name() string {
	if s.Campaign != "" {
		return "campaign:" + s.Campaign
	}
	return "endpoint:" + s.Endpoint
}

// Claim asks to send one row whose key hashes to Key.
type Claim struct {
	Key  Hash
	File string // the input file, as shown to the user
	Row  int    // the sheet row number
}

// ReserveOptions are the user's choices that lift or add rules.
type ReserveOptions struct {
	AllowDuplicates bool          // --allow-duplicates: the scope rule does not apply
	RetryUnknown    bool          // --retry-unknown: unknown entries and dead runs' sending ones do not block
	NotWithin       time.Duration // --not-within: anything for the key from the integration this recently blocks
	Now             time.Time     // the time of the reservation; zero: the Ledger's clock
}

// Reason says why a claim was held back.
type Reason string

const (
	HeldCreated   Reason = "created"    // created earlier in this scope
	HeldUnknown   Reason = "unknown"    // may have been created earlier in this scope (unknown, or a crashed run's intent)
	HeldInFlight  Reason = "in-flight"  // a live run is sending it now (perhaps this very run, from another row)
	HeldNotWithin Reason = "not-within" // the integration sent it something within NotWithin
)

// Decision is Reserve's (or Check's) answer for one claim.
type Decision struct {
	Granted bool
	Entry   int64 // granted by Reserve: the entry to Record the outcome on
	Reason  Reason
	Earlier *Entry // held back: the entry that holds it back (the earliest)
}

// Entry is one row sent (or being sent), with its run's particulars.
type Entry struct {
	ID         int64
	Run        int64
	Scope      string
	Status     Status
	SBID       int64 // SalesByte's id when created
	Links      salesbyte.Links
	HTTPStatus int
	File       string
	Row        int
	Reserved   time.Time // when the intent was recorded
	At         time.Time // when the outcome was recorded; zero while sending
	RunInput   string
	RunStarted time.Time
	RunBaseURL string
}

// When is the entry's time: the outcome's, else the intent's.
func (e *Entry) When() time.Time {
	if !e.At.IsZero() {
		return e.At
	}
	return e.Reserved
}

const entryColumns = `e.id, e.run_id, e.scope, e.status, e.sb_id, e.link_edit, e.link_view, e.link_verificate, e.link_approval,
	e.http_status, e.file, e.row, e.reserved, e.at, r.input, r.started, r.base_url`

func scanEntry(sc interface{ Scan(...any) error }) (*Entry, error) {
	e := &Entry{}
	var reserved, started int64
	var at sql.NullInt64
	err := sc.Scan(&e.ID, &e.Run, &e.Scope, &e.Status, &e.SBID, &e.Links.Edit, &e.Links.CustomerView,
		&e.Links.CustomerVerificate, &e.Links.ProjectApproval, &e.HTTPStatus, &e.File, &e.Row, &reserved, &at,
		&e.RunInput, &started, &e.RunBaseURL)
	e.Reserved = time.UnixMilli(reserved).UTC()
	e.At = fromMS(at)
	e.RunStarted = time.UnixMilli(started).UTC()
	return e, err
}

// Reserve decides every claim in one BEGIN IMMEDIATE transaction, writing
// a sending entry (the intent) for each one granted; when it returns nil
// the intents are on disk. Claims are decided in order, so a second claim
// of a key in the same batch is held back by the first. Call it once per
// group commit. The run must be held (BeginRun or ResumeRun).
func (l *Ledger) Reserve(ctx context.Context, run int64, scope Scope, claims []Claim, opt ReserveOptions) ([]Decision, error) {
	if !l.holds(run) {
		return nil, fmt.Errorf("ledger %s: reserve for run %d: %w", l.path, run, ErrRunNotHeld)
	}
	var out []Decision
	err := l.tx(ctx, "reserve", func(tx *sql.Tx) error {
		var err error
		out, err = l.decide(ctx, tx, run, scope, claims, opt, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Check is Reserve without writing anything: what the plan shows. run may
// be 0 (no run yet) or the run being resumed.
func (l *Ledger) Check(ctx context.Context, run int64, scope Scope, claims []Claim, opt ReserveOptions) ([]Decision, error) {
	var out []Decision
	err := l.tx(ctx, "check", func(tx *sql.Tx) error {
		var err error
		out, err = l.decide(ctx, tx, run, scope, claims, opt, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decider holds one transaction's prepared statements.
type decider struct {
	l                    *Ledger
	inScope, within, ins *sql.Stmt
	regrant              *sql.Stmt
	alive                map[int64]bool
	run                  int64
	scope                Scope
	opt                  ReserveOptions
}

func (l *Ledger) decide(ctx context.Context, tx *sql.Tx, run int64, scope Scope, claims []Claim, opt ReserveOptions, write bool) ([]Decision, error) {
	if opt.Now.IsZero() {
		opt.Now = l.now()
	}
	d := &decider{l: l, run: run, scope: scope, opt: opt, alive: make(map[int64]bool)}
	var err error
	blocking := `FROM entries e JOIN runs r ON r.id = e.run_id WHERE e.key_hash = ? AND e.integration = ? AND e.status IN ('sending','created','unknown')`
	if d.inScope, err = tx.PrepareContext(ctx, "SELECT "+entryColumns+" "+blocking+" AND e.scope = ? ORDER BY e.id"); err != nil {
		return nil, err
	}
	defer d.inScope.Close()
	if d.within, err = tx.PrepareContext(ctx, "SELECT "+entryColumns+" "+blocking+" AND coalesce(e.at, e.reserved) >= ? ORDER BY e.id"); err != nil {
		return nil, err
	}
	defer d.within.Close()
	if write {
		if d.ins, err = tx.PrepareContext(ctx, `INSERT INTO entries(run_id, integration, scope, key_hash, status, file, row, reserved) VALUES (?,?,?,?,'sending',?,?,?)`); err != nil {
			return nil, err
		}
		defer d.ins.Close()
		if d.regrant, err = tx.PrepareContext(ctx, `UPDATE entries SET reserved = ? WHERE id = ?`); err != nil {
			return nil, err
		}
		defer d.regrant.Close()
	}
	out := make([]Decision, len(claims))
	for i, c := range claims {
		if out[i], err = d.one(ctx, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *decider) one(ctx context.Context, c Claim) (Decision, error) {
	var own int64 // this run's own sending entry of this very row
	if !d.opt.AllowDuplicates {
		es, err := d.query(ctx, d.inScope, c.Key[:], d.scope.Integration[:], d.scope.Name())
		if err != nil {
			return Decision{}, err
		}
		for _, e := range es {
			if d.run != 0 && e.Run == d.run && e.Status == Sending && e.File == c.File && e.Row == c.Row {
				own = e.ID
				continue
			}
			if why := d.blocks(e); why != "" {
				return Decision{Reason: why, Earlier: e}, nil
			}
		}
	}
	if d.opt.NotWithin > 0 {
		es, err := d.query(ctx, d.within, c.Key[:], d.scope.Integration[:], ms(d.opt.Now.Add(-d.opt.NotWithin)))
		if err != nil {
			return Decision{}, err
		}
		for _, e := range es {
			if e.ID != own && d.blocks(e) != "" {
				return Decision{Reason: HeldNotWithin, Earlier: e}, nil
			}
		}
	}
	dec := Decision{Granted: true, Entry: own}
	switch {
	case d.ins == nil: // Check
	case own != 0:
		_, err := d.regrant.ExecContext(ctx, ms(d.opt.Now), own)
		return dec, err
	default:
		res, err := d.ins.ExecContext(ctx, d.run, d.scope.Integration[:], d.scope.Name(), c.Key[:], c.File, c.Row, ms(d.opt.Now))
		if err != nil {
			return dec, err
		}
		dec.Entry, err = res.LastInsertId()
		return dec, err
	}
	return dec, nil
}

// blocks says why e holds a key back, or "" when it does not.
func (d *decider) blocks(e *Entry) Reason {
	switch e.Status {
	case Created:
		return HeldCreated
	case Unknown:
		if !d.opt.RetryUnknown {
			return HeldUnknown
		}
	case Sending:
		alive, ok := d.alive[e.Run]
		if !ok {
			alive = d.l.alive(e.Run)
			d.alive[e.Run] = alive
		}
		if alive {
			return HeldInFlight
		}
		if !d.opt.RetryUnknown {
			return HeldUnknown
		}
	}
	return ""
}

func (d *decider) query(ctx context.Context, st *sql.Stmt, args ...any) ([]*Entry, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
