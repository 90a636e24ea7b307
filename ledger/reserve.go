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

// scanEntry reads entryColumns, then any extra columns into extra.
func scanEntry(sc interface{ Scan(...any) error }, extra ...any) (*Entry, error) {
	e := &Entry{}
	var reserved, started int64
	var at sql.NullInt64
	err := sc.Scan(append([]any{&e.ID, &e.Run, &e.Scope, &e.Status, &e.SBID, &e.Links.Edit, &e.Links.CustomerView,
		&e.Links.CustomerVerificate, &e.Links.ProjectApproval, &e.HTTPStatus, &e.File, &e.Row, &reserved, &at,
		&e.RunInput, &started, &e.RunBaseURL}, extra...)...)
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

// decider decides one batch in one transaction.
type decider struct {
	l            *Ledger
	ins, regrant *sql.Stmt // nil for Check
	alive        map[int64]bool
	run          int64
	scope        Scope
	opt          ReserveOptions
	byKey        map[Hash][]*Entry // the batch's keys' blocking entries, oldest first
	cutoff       time.Time         // NotWithin: entries since then count
	runInput     string
	runStarted   time.Time
	runBaseURL   string
}

// maxKeysPerQuery bounds the IN (...) list of one lookup.
const maxKeysPerQuery = 500

func (l *Ledger) decide(ctx context.Context, tx *sql.Tx, run int64, scope Scope, claims []Claim, opt ReserveOptions, write bool) ([]Decision, error) {
	if opt.Now.IsZero() {
		opt.Now = l.now()
	}
	d := &decider{l: l, run: run, scope: scope, opt: opt, alive: make(map[int64]bool), byKey: make(map[Hash][]*Entry),
		cutoff: opt.Now.Add(-opt.NotWithin)}
	for i := 0; i < len(claims); i += maxKeysPerQuery {
		if err := d.load(ctx, tx, claims[i:min(i+maxKeysPerQuery, len(claims))]); err != nil {
			return nil, err
		}
	}
	if write {
		var started int64
		if err := tx.QueryRowContext(ctx, "SELECT input, started, base_url FROM runs WHERE id = ?", run).Scan(
			&d.runInput, &started, &d.runBaseURL); err != nil {
			return nil, err
		}
		d.runStarted = time.UnixMilli(started).UTC()
		var err error
		if d.ins, err = tx.PrepareContext(ctx, `INSERT INTO entries(id, run_id, integration, scope, key_hash, status, file, row, reserved) VALUES (`+nextEntryID+`,?,?,?,?,'sending',?,?,?)`); err != nil {
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
		var err error
		if out[i], err = d.one(ctx, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// load reads, in one query, every entry of the claims' keys and the
// integration that could hold one back.
func (d *decider) load(ctx context.Context, tx *sql.Tx, claims []Claim) error {
	args := make([]any, 0, len(claims)+1)
	args = append(args, d.scope.Integration[:])
	marks := make([]byte, 0, 2*len(claims))
	for i, c := range claims {
		if i > 0 {
			marks = append(marks, ',')
		}
		marks = append(marks, '?')
		args = append(args, c.Key[:])
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+entryColumns+`, e.key_hash FROM entries e JOIN runs r ON r.id = e.run_id
		WHERE e.integration = ? AND e.key_hash IN (`+string(marks)+`) AND e.status IN ('sending','created','unknown') ORDER BY e.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key []byte
		e, err := scanEntry(rows, &key)
		if err != nil {
			return err
		}
		var h Hash
		copy(h[:], key)
		d.byKey[h] = append(d.byKey[h], e)
	}
	return rows.Err()
}

func (d *decider) one(ctx context.Context, c Claim) (Decision, error) {
	es := d.byKey[c.Key]
	var own *Entry // this run's own sending entry of this very row
	if !d.opt.AllowDuplicates {
		for _, e := range es {
			if e.Scope != d.scope.Name() {
				continue
			}
			if d.run != 0 && e.Run == d.run && e.Status == Sending && e.File == c.File && e.Row == c.Row {
				own = e
				continue
			}
			if why := d.blocks(e); why != "" {
				return Decision{Reason: why, Earlier: e}, nil
			}
		}
	}
	if d.opt.NotWithin > 0 {
		for _, e := range es {
			if e != own && !e.When().Before(d.cutoff) && d.blocks(e) != "" {
				return Decision{Reason: HeldNotWithin, Earlier: e}, nil
			}
		}
	}
	dec := Decision{Granted: true}
	switch {
	case d.ins == nil: // Check
	case own != nil:
		dec.Entry = own.ID
		_, err := d.regrant.ExecContext(ctx, ms(d.opt.Now), own.ID)
		return dec, err
	default:
		res, err := d.ins.ExecContext(ctx, d.run, d.scope.Integration[:], d.scope.Name(), c.Key[:], c.File, c.Row, ms(d.opt.Now))
		if err != nil {
			return dec, err
		}
		if dec.Entry, err = res.LastInsertId(); err != nil {
			return dec, err
		}
		// Later claims of this batch see it as the ledger now holds it.
		d.byKey[c.Key] = append(es, &Entry{ID: dec.Entry, Run: d.run, Scope: d.scope.Name(), Status: Sending,
			File: c.File, Row: c.Row, Reserved: time.UnixMilli(ms(d.opt.Now)).UTC(), RunInput: d.runInput,
			RunStarted: d.runStarted, RunBaseURL: d.runBaseURL})
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
