package importer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sheet"
)

// The ledger and the journal: how the two never disagree in a way that
// sends a row twice.
//
// The journal (one per output sheet) stays the record a resumed run reads
// back; the ledger (one per user) is the reservation shared by every
// sheet and process. For each group of rows about to be sent, the reader
// reserves them in the ledger in one fsynced transaction (Reserve) BEFORE
// any of their journal intents; a row not granted gets no intent and is
// never sent. Its ledger entry id is journaled in its intent record. The outcome goes to the journal first,
// then to the ledger (batched, by the writer stage). A crash can land:
//
//   - after Reserve, before the intent: the ledger holds a sending entry,
//     the journal nothing. Resumed (the journal names the ledger run, so
//     ResumeRun takes it back), the row is decided "send" again and
//     Reserve grants this run its own entry of the same file and row: the
//     request never went out, so sending it once is right. Any other
//     sheet meanwhile reads the dead run's sending entry as unknown and
//     holds the key back: never twice.
//   - after the intent, before the outcome: the journal says unknown (the
//     row is kept, not resent); the ledger's sending entry of a dead run
//     reads as unknown too, and FinishRun of the resumed run turns it
//     unknown. Both say unknown; reconcile settles both.
//   - after the journal's outcome, before the ledger's: the journal wins
//     on resume, and the outcome is written to the ledger again (Restore,
//     by the entry the journal recorded). Until then the ledger says
//     unknown, which holds the key back: it can only be stricter than the
//     journal, never looser.
//
// So at every point the ledger says "may have been sent" whenever the
// journal does; the only gap is the other way round (ledger unknown,
// journal not sent), which holds a key back, never sends it twice.

// reserveBatch is the most rows reserved in one ledger transaction.
const reserveBatch = 256

// ledgerState is an import's use of the ledger.
type ledgerState struct {
	l     *ledger.Ledger
	scope ledger.Scope
	opt   ledger.ReserveOptions
	file  string // the input's absolute path: what claims name
	run   int64  // the ledger run; 0 before Send
	// check: rows are checked and reserved (there is an integration).
	check bool
}

func newLedgerState(cfg *Config, endpoint string) (*ledgerState, error) {
	if cfg.Ledger == nil {
		return nil, nil
	}
	if cfg.Campaign != "" {
		if err := ledger.CheckCampaign(cfg.Campaign); err != nil {
			return nil, &InputError{Err: err}
		}
	}
	abs, err := filepath.Abs(cfg.Input)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return &ledgerState{
		l:     cfg.Ledger,
		scope: ledger.Scope{Integration: cfg.Integration, Endpoint: endpoint, Campaign: cfg.Campaign},
		opt:   ledger.ReserveOptions{AllowDuplicates: cfg.AllowDuplicates, RetryUnknown: cfg.RetryUnknown, NotWithin: cfg.NotWithin},
		file:  abs,
		check: cfg.Integration != (ledger.Hash{}),
	}, nil
}

// LedgerError is the ledger failing before anything was sent (wrapped in
// an *InputError), or while sending (then sending stopped). Err is one of
// package ledger's typed errors when it knows why.
type LedgerError struct {
	Path string
	Err  error
}

func (e *LedgerError) Error() string { return e.Err.Error() }
func (e *LedgerError) Unwrap() error { return e.Err }

func (ls *ledgerState) err(err error) error {
	return &LedgerError{Path: ls.l.Path(), Err: err}
}

func (ls *ledgerState) claim(it *item) ledger.Claim {
	return ledger.Claim{Key: ls.l.KeyHash(it.d.key), File: ls.file, Row: it.line}
}

// planChecker counts, in the planning pass, the rows the ledger holds
// back: Check in batches, writing nothing.
type planChecker struct {
	ls   *ledgerState
	run  int64 // the run being resumed, whose own entries do not count
	pend []*item
	held []ledger.Decision
}

func (pc *planChecker) add(ctx context.Context, it *item, plan *Plan, tally func(decision)) error {
	pc.pend = append(pc.pend, it)
	if len(pc.pend) < reserveBatch {
		return nil
	}
	return pc.flush(ctx, plan, tally)
}

func (pc *planChecker) flush(ctx context.Context, plan *Plan, tally func(decision)) error {
	if len(pc.pend) == 0 {
		return nil
	}
	claims := make([]ledger.Claim, len(pc.pend))
	for i, it := range pc.pend {
		claims[i] = pc.ls.claim(it)
	}
	ds, err := pc.ls.l.Check(ctx, pc.run, pc.ls.scope, claims, pc.ls.opt)
	if err != nil {
		return &InputError{Err: pc.ls.err(err)}
	}
	for i, d := range ds {
		if d.Granted {
			tally(pc.pend[i].d)
			continue
		}
		plan.Rows++
		plan.HeldRows++
		pc.held = append(pc.held, d)
	}
	pc.pend = pc.pend[:0]
	return nil
}

// begin takes the ledger run for Send: the one the journal names when it
// is this input's (a resumed run gets its own reservations back), else a
// new one.
func (ls *ledgerState) begin(ctx context.Context, imp *Import) error {
	if !ls.check {
		return &InputError{Err: ls.err(errors.New("the ledger needs the integration uuid's fingerprint to send"))}
	}
	if id := imp.journalLedgerRun(); id != 0 {
		r, err := ls.l.RunByID(ctx, id)
		if err == nil && r.Input == ls.file && r.Integration == ls.scope.Integration {
			if err := ls.l.ResumeRun(ctx, id); err != nil {
				return &InputError{Err: ls.err(err)}
			}
			ls.run = id
			return nil
		}
		if err != nil && !errors.Is(err, ledger.ErrNoRun) {
			return &InputError{Err: ls.err(err)}
		}
	}
	id, err := ls.l.BeginRun(ctx, ledger.RunInfo{
		Input: ls.file, InputSHA256: imp.bind.InputSHA256, Mapping: absOr(imp.cfg.Mapping), MappingSHA256: imp.bind.MappingSHA256,
		Endpoint: ls.scope.Endpoint, Campaign: ls.scope.Campaign, BaseURL: cleanBaseURL(imp.cfg.BaseURL),
		Integration: ls.scope.Integration, Started: imp.cfg.now(),
	})
	if err != nil {
		return &InputError{Err: ls.err(err)}
	}
	ls.run = id
	return nil
}

func (imp *Import) journalLedgerRun() int64 {
	if imp.js == nil {
		return 0
	}
	return imp.js.LedgerRun
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// finish records the run's counts and end; entries still sending (in
// flight when it stopped) become unknown, as the journal has them.
func (ls *ledgerState) finish(sum *Summary, now time.Time) error {
	c := sum.Counts
	n := 0
	for _, v := range c {
		n += v
	}
	err := ls.l.FinishRun(context.Background(), ls.run, ledger.Counts{Rows: n, Created: c[Created], Failed: c[Failed],
		Invalid: c[Invalid], Unknown: c[Unknown], Skipped: c[Skipped]}, now)
	if err != nil {
		return ls.err(err)
	}
	return nil
}

// reserver is the reader's side of the ledger in pass 2: it gathers the
// rows to send and reserves them in batches (one fsynced transaction
// each) before they reach the workers. Rows not granted go to the writer
// with the outcome that says why.
type reserver struct {
	ls       *ledgerState
	j        *journal
	stopWith func(*StopReason)
	now      func() string
	batch    []*item
	failed   bool
}

// run reserves the rows to send as they come, in group commits: it
// takes every row waiting (up to reserveBatch) into one Reserve, so while
// one transaction is synced the next batch gathers. It closes jobs.
func (rs *reserver) run(ctx context.Context, in <-chan *item, jobs chan<- *item, results chan<- *item) {
	defer close(jobs)
	for it := range in {
		rs.batch = append(rs.batch, it)
	more:
		for len(rs.batch) < reserveBatch {
			select {
			case it, ok := <-in:
				if !ok {
					break more
				}
				rs.batch = append(rs.batch, it)
			default:
				break more
			}
		}
		rs.flush(ctx, jobs, results)
	}
}

func (rs *reserver) flush(ctx context.Context, jobs chan<- *item, results chan<- *item) {
	if len(rs.batch) == 0 {
		return
	}
	batch := rs.batch
	rs.batch = rs.batch[:0:0]
	if rs.failed || ctx.Err() != nil {
		// Sending has stopped: the workers settle these as not sent
		// without a request, so there is nothing to reserve.
		for _, it := range batch {
			jobs <- it
		}
		return
	}
	claims := make([]ledger.Claim, len(batch))
	for i, it := range batch {
		claims[i] = rs.ls.claim(it)
	}
	ds, err := rs.ls.l.Reserve(ctx, rs.ls.run, rs.ls.scope, claims, rs.ls.opt)
	if err != nil {
		rs.failed = true
		rs.stopWith(&StopReason{Kind: StopLedger, Err: rs.ls.err(err)})
		for _, it := range batch {
			jobs <- it // stopped: settled as not sent
		}
		return
	}
	for i, it := range batch {
		d := ds[i]
		if !d.Granted {
			it.out, it.held = heldOutcome(d, rs.now()), d.Reason
			it.d.kept = d.Reason == ledger.HeldCreated
			results <- it
			continue
		}
		it.entry = d.Entry
		if rs.j != nil {
			rs.j.Entry(it.line, d.Entry) // written with the row's intent
		}
		jobs <- it
	}
}

// heldOutcome is the output of a row the ledger held back: created by an
// earlier run (its id and links carried over), or skipped, saying by
// which run and why.
func heldOutcome(d ledger.Decision, at string) *Outcome {
	e := d.Earlier
	if e == nil {
		return &Outcome{Status: Skipped, Error: "held back by the ledger; not sent", At: at}
	}
	where := fmt.Sprintf("%s from %s row %d (run %d)", e.When().Local().Format("2006-01-02 15:04"), filepath.Base(e.File), e.Row, e.Run)
	switch d.Reason {
	case ledger.HeldCreated:
		return &Outcome{Status: Created, ID: e.SBID, Links: e.Links, HTTPStatus: e.HTTPStatus, At: at,
			Error: "created earlier: " + where + "; not sent again"}
	case ledger.HeldUnknown:
		return &Outcome{Status: Skipped, At: at,
			Error: "may have been created earlier: " + where + " got no answer; not sent: reconcile that run's output sheet first, or send it with retry-unknown"}
	case ledger.HeldInFlight:
		return &Outcome{Status: Skipped, At: at,
			Error: "being sent right now by another run: " + where + "; not sent: run this sheet again after it ends"}
	case ledger.HeldNotWithin:
		return &Outcome{Status: Skipped, At: at,
			Error: "this customer already got something recently: " + where + "; not sent (not-within)"}
	}
	return &Outcome{Status: Skipped, Error: "held back by the ledger (" + string(d.Reason) + "): " + where, At: at}
}

// ledgerRecorder is the writer's side of the ledger: it writes the outcomes of
// granted rows (after the journal has them) in batches, and the outcomes
// a resumed run reads back from its journal.
type ledgerRecorder struct {
	ls       *ledgerState
	stopWith func(*StopReason)
	out      []ledger.Outcome
	restore  []ledger.Restored
	since    time.Time // when the oldest outcome not yet written came
	err      error
}

// recordEvery is the longest an outcome waits to be written to the
// ledger: until then other runs read its row as in flight, which holds
// it back as surely.
const recordEvery = time.Second

func ledgerStatus(s Status) (ledger.Status, bool) {
	switch s {
	case Created:
		return ledger.Created, true
	case Failed:
		return ledger.Failed, true
	case Unknown:
		return ledger.Unknown, true
	case Skipped:
		return ledger.Skipped, true
	}
	return "", false
}

func (rc *ledgerRecorder) add(it *item) {
	if rc == nil {
		return
	}
	if len(rc.out)+len(rc.restore) == 0 {
		rc.since = time.Now()
	}
	if st, ok := ledgerStatus(it.out.Status); ok {
		o := ledger.Outcome{Status: st, SBID: it.out.ID, Links: it.out.Links, HTTPStatus: it.out.HTTPStatus}
		switch {
		case it.entry != 0:
			o.Entry = it.entry
			rc.out = append(rc.out, o)
		case it.restore != 0 && st != ledger.Skipped:
			o.Entry = it.restore
			rc.restore = append(rc.restore, ledger.Restored{Outcome: o, Claim: rc.ls.claim(it)})
		}
	}
	if n := len(rc.out) + len(rc.restore); n >= reserveBatch || (n > 0 && time.Since(rc.since) >= recordEvery) {
		rc.flush()
	}
}

func (rc *ledgerRecorder) flush() {
	if rc == nil || rc.err != nil {
		return
	}
	ctx := context.Background() // outcomes are written even after Ctrl-C
	err := rc.ls.l.Record(ctx, rc.out)
	if err == nil {
		err = rc.ls.l.Restore(ctx, rc.ls.scope, rc.restore)
	}
	rc.out, rc.restore = rc.out[:0], rc.restore[:0]
	if err != nil {
		rc.err = rc.ls.err(err)
		rc.stopWith(&StopReason{Kind: StopLedger, Err: rc.err})
	}
}

// StopLedger: the ledger could not be written (a full disk, or another
// process holding it too long), so no request may go out.
const StopLedger StopKind = 100

func ledgerStopString(r StopReason) string {
	return fmt.Sprintf("the ledger could not be written (%v); mend that and run the same command again", r.Err)
}

// checkHandEdit refuses to write over an output sheet changed since
// sbimport wrote it: a hand edit there (fixed rows, notes) would be lost.
// A result sheet the ledger never saw written is taken as edited when it
// holds any sb_status.
func checkHandEdit(ctx context.Context, l *ledger.Ledger, output, sheetName string) error {
	sum, err := FileSHA256(output)
	if err != nil {
		return nil // nothing there (or unreadable: checkEarlierOutput says so)
	}
	last, ok, err := l.LastOutput(ctx, output)
	if err != nil {
		return &InputError{Err: &LedgerError{Path: l.Path(), Err: err}}
	}
	if ok && (last.SHA256 == sum || last.SHA256 == beingWritten) {
		return nil
	}
	if !ok {
		n, err := countStatuses(output, sheetName)
		if err != nil || n == 0 {
			return nil
		}
	}
	return &InputError{Err: &HandEditedError{Output: output, Written: last.Written}}
}

// countStatuses counts the rows of a result sheet with an sb_status.
func countStatuses(path, sheetName string) (int, error) {
	src, err := openSource(path, sheet.Options{Sheet: sheetName})
	if err != nil {
		return 0, err
	}
	defer src.Close()
	if !src.cols.isResult {
		return 0, nil
	}
	n := 0
	err = src.each(context.Background(), func(row sheet.Row) {
		if cellAt(row.Cells, src.cols.result[colStatus]) != "" {
			n++
		}
	})
	return n, err
}

// HandEditedError: the output sheet was changed since sbimport wrote it
// (or sbimport has no record of writing it and it holds results), so it
// is not written over. Giving it as the input keeps the changes.
type HandEditedError struct {
	Output  string
	Written time.Time // when sbimport last wrote it; zero: no record
}

func (e *HandEditedError) Error() string {
	return fmt.Sprintf("%s was changed since sbimport wrote it; it is not written over, and nothing was sent", e.Output)
}

// beingWritten is the hash recorded for an output while it is replaced:
// a crash between the rename and recordOutput leaves it, and the sheet
// there is then taken as sbimport's own (the old one or the new one).
const beingWritten = "being-written"

// markOutput records that the output is about to be replaced. undo
// puts back what was recorded before, for an output not written after
// all (held open, a full disk): left marked, a hand edit made to the
// sheet afterwards would pass as sbimport's own.
func (imp *Import) markOutput() (undo func(), err error) {
	l := imp.cfg.Ledger
	if l == nil {
		return func() {}, nil
	}
	ctx := context.Background()
	last, ok, err := l.LastOutput(ctx, imp.cfg.Output)
	if err == nil {
		err = l.RecordOutput(ctx, imp.cfg.Output, beingWritten)
	}
	if err != nil {
		return nil, &LedgerError{Path: l.Path(), Err: err}
	}
	return func() {
		if ok {
			l.RecordOutput(ctx, imp.cfg.Output, last.SHA256)
		} else {
			l.ForgetOutput(ctx, imp.cfg.Output)
		}
	}, nil
}

// recordOutput remembers the output sheet's hash as written.
func (imp *Import) recordOutput() error {
	if imp.cfg.Ledger == nil {
		return nil
	}
	sum, err := FileSHA256(imp.cfg.Output)
	if err == nil {
		err = imp.cfg.Ledger.RecordOutput(context.Background(), imp.cfg.Output, sum)
	}
	if err != nil {
		return &LedgerError{Path: imp.cfg.Ledger.Path(), Err: err}
	}
	return nil
}

// editedOriginal says whether the journal st is a finished run of an
// earlier version of this very input, recorded in this ledger, that can
// be set aside (the user fixed rows in the original sheet and runs the
// same command again): only when the ledger, in this run's scope, holds
// the entry of every row the journal says was created or may have been.
// A row created before the ledger was used, or recorded in another
// ledger or scope, would otherwise be sent again.
func editedOriginal(ctx context.Context, cfg *Config, ls *ledgerState, st *journalState) bool {
	if cfg.Ledger == nil || ls == nil || !ls.check || st.LedgerRun == 0 || !st.Ended {
		return false
	}
	r, err := cfg.Ledger.RunByID(ctx, st.LedgerRun)
	if err != nil || r.Input != absOr(cfg.Input) || r.InputSHA256 != st.Binding.InputSHA256 || r.Alive {
		return false
	}
	return ledgerKnowsJournal(ctx, ls, st)
}

// ledgerKnowsJournal says whether the ledger holds, in ls's scope, the
// entry of every row st says was sent and created or may have been, as
// created or unknown (a journal's created row the ledger calls failed is
// not known either).
func ledgerKnowsJournal(ctx context.Context, ls *ledgerState, st *journalState) bool {
	var refs []ledger.EntryRef
	created := make(map[int64]bool)
	for line, jr := range st.rows {
		mayHave := jr.Intent || (jr.Outcome != nil && (jr.Outcome.Status == Created || jr.Outcome.Status == Unknown))
		if !mayHave {
			continue
		}
		if jr.Entry == 0 {
			return false
		}
		refs = append(refs, ledger.EntryRef{ID: jr.Entry, File: ls.file, Row: line})
		created[jr.Entry] = jr.Outcome != nil && jr.Outcome.Status == Created
	}
	known, err := ls.l.Known(ctx, ls.scope, refs)
	if err != nil {
		return false
	}
	for _, ref := range refs {
		s, ok := known[ref.ID]
		if !ok || (created[ref.ID] && s != ledger.Created && s != ledger.Unknown) {
			return false
		}
	}
	return true
}

// settleLedger tells the ledger what reconcile found: the rows that were
// unknown are settled (created or failed) in the scope of the run that
// sent them, and the sheet as rewritten is recorded.
func settleLedger(ctx context.Context, cfg ReconcileConfig, js *journalState, rows []*unsettledRow) error {
	l := cfg.Ledger
	if l == nil {
		return nil
	}
	lerr := func(err error) error { return &LedgerError{Path: l.Path(), Err: err} }
	if js != nil && js.LedgerRun != 0 {
		run, err := l.RunByID(ctx, js.LedgerRun)
		if err != nil && !errors.Is(err, ledger.ErrNoRun) {
			return lerr(err)
		}
		if err == nil {
			scope := ledger.Scope{Integration: run.Integration, Endpoint: run.Endpoint, Campaign: run.Campaign}
			var ss []ledger.Settlement
			for _, r := range rows {
				if r.settled == nil || r.prior.Status != Unknown || (r.settled.Status != Created && r.settled.Status != Failed) {
					continue
				}
				st, _ := ledgerStatus(r.settled.Status)
				ss = append(ss, ledger.Settlement{Run: js.LedgerRun, Scope: scope, Key: l.KeyHash(r.key), Status: st, SBID: r.settled.ID, Links: r.settled.Links})
			}
			if _, err := l.Settle(ctx, ss); err != nil {
				return lerr(err)
			}
		}
	}
	sum, err := FileSHA256(cfg.Output)
	if err == nil {
		err = l.RecordOutput(ctx, cfg.Output, sum)
	}
	if err != nil {
		return lerr(err)
	}
	return nil
}
