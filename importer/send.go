package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sheet"
)

// ErrWrongMode is returned by Send on an import prepared for Validating,
// and by Validate on one prepared for Sending.
var ErrWrongMode = errors.New("importer: the import was prepared for another mode")

// ErrNoSender is returned by Send when the Config has no Sender.
var ErrNoSender = errors.New("importer: no sender configured")

// InputChangedError says the sheet changed between the plan and sending:
// nothing was sent.
type InputChangedError struct{ Input string }

func (e *InputChangedError) Error() string {
	return fmt.Sprintf("%s changed while the plan was shown; nothing was sent, run again", e.Input)
}

// Send is pass 2 of a Sending import: it sends the rows the plan said it
// would, journaled, and writes every row's outcome to the output sheet in
// the sheet's order. ctx stops new requests (rows not yet sent are
// skipped, requests in flight finish, the output is written); Abort
// abandons those in flight too. obs may be nil.
func (imp *Import) Send(ctx context.Context, obs Observer) (*Summary, error) {
	if imp.mode != Sending {
		return nil, ErrWrongMode
	}
	if imp.cfg.Sender == nil {
		return nil, ErrNoSender
	}
	sum := imp.newSummary()
	if ctx.Err() != nil {
		sum.Interrupted = true
		return sum, ErrInterrupted
	}
	if imp.inputChanged() {
		return sum, &InputError{Err: &InputChangedError{Input: imp.cfg.Input}}
	}
	if imp.setAside {
		if err := setAsideJournal(sum.Journal); err != nil {
			return sum, err
		}
	}
	if imp.ls != nil {
		if err := imp.ls.begin(ctx, imp); err != nil {
			return sum, err // nothing was sent
		}
	}
	mapAbs, _ := filepath.Abs(imp.cfg.Mapping)
	j, err := openJournal(sum.Journal, imp.bind, imp.cfg.Input, mapAbs, cleanBaseURL(imp.cfg.BaseURL), imp.js, imp.cfg.now())
	if err != nil {
		imp.finishLedger(sum)
		return sum, &InputError{Err: err} // nothing was sent
	}
	if imp.ls != nil {
		if err := j.LedgerRun(imp.ls.run); err != nil {
			j.Close()
			imp.finishLedger(sum)
			return sum, &InputError{Err: err}
		}
	}
	if imp.cfg.wrapJournal != nil {
		j.f = imp.cfg.wrapJournal(j.f)
	}
	defer j.Close()
	err = imp.pass(ctx, obs, sum, j)
	if ferr := imp.finishLedger(sum); err == nil {
		err = ferr
	}
	return sum, err
}

// finishLedger ends the ledger run, if one was begun.
func (imp *Import) finishLedger(sum *Summary) error {
	if imp.ls == nil || imp.ls.run == 0 {
		return nil
	}
	err := imp.ls.finish(sum, imp.cfg.now())
	imp.ls.run = 0
	return err
}

// Validate is pass 2 of a Validating import: every row checked, nothing
// sent, the output sheet written with invalid rows marked. ctx stops it
// early: then nothing is written and ErrInterrupted is returned.
func (imp *Import) Validate(ctx context.Context, obs Observer) (*Summary, error) {
	if imp.mode != Validating {
		return nil, ErrWrongMode
	}
	sum := imp.newSummary()
	if ctx.Err() != nil {
		sum.Interrupted = true
		return sum, ErrInterrupted
	}
	return sum, imp.pass(ctx, obs, sum, nil)
}

// inputChanged says whether the sheet is not what the plan was made from:
// its size or time differ, or, as a copy can keep both, its content (the
// hash the journal is bound to).
func (imp *Import) inputChanged() bool {
	st, err := os.Stat(imp.cfg.Input)
	if err != nil || st.Size() != imp.inStat.Size() || !st.ModTime().Equal(imp.inStat.ModTime()) {
		return true
	}
	sum, err := FileSHA256(imp.cfg.Input)
	return err != nil || sum != imp.bind.InputSHA256
}

func (imp *Import) newSummary() *Summary {
	sum := &Summary{Plan: imp.plan, Output: imp.cfg.Output, Validated: imp.mode == Validating}
	if imp.mode == Sending {
		sum.Journal = JournalPath(imp.cfg.Output)
	}
	return sum
}

// item is one row on its way through pass 2.
type item struct {
	seq   int
	line  int
	cells []string
	dates []bool // which cells were dates
	d     decision
	out   *Outcome
	// entry is the ledger entry Reserve granted (0: none); restore, the
	// entry of a row settled by this run's journal before a crash, whose
	// outcome is written to the ledger again; held, why the ledger held
	// the row back.
	entry, restore int64
	held           ledger.Reason
}

// reorderWindow is how many rows may wait for an earlier row's outcome
// before reading stops: what bounds the writer's memory.
const reorderWindow = 4096

// pass is pass 2, in three stages: readRows maps and decides rows in the
// sheet's order, workers send the ones to send under the throttle, and
// writeInOrder writes every outcome in the sheet's order. j is nil when
// validating.
func (imp *Import) pass(ctx context.Context, obs Observer, sum *Summary, j *journal) error {
	if obs == nil {
		obs = nopObserver{}
	}
	r, err := imp.src.reader()
	if err != nil {
		return &InputError{Err: err}
	}
	defer r.Close()
	header := append(append([]string{}, imp.src.cols.header...), ResultColumns...)
	w, err := sheet.Create(imp.cfg.Output, header, imp.src.format, imp.src.top)
	if err != nil {
		return &InputError{Err: fmt.Errorf("output: %w", err)}
	}
	if imp.cfg.wrapWriter != nil {
		w = imp.cfg.wrapWriter(w)
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	imp.tally.start(imp.plan.Rows, imp.cfg.Rate)
	wk := newWorkers(&imp.cfg, imp.mapper.Endpoint(), j, imp.tally, obs, imp.abortCtx, stop)
	sum.Started = imp.cfg.now()
	obs.Observe(Started{Rows: imp.plan.Rows})

	results := make(chan *item, 256)
	window := make(chan struct{}, reorderWindow)
	rd := rowReader{imp: imp, r: r, p: imp.learnt.clone(), stop: stop}
	rec := imp.startStages(stopCtx, &rd, wk, j, results, window)

	ow := orderedWriter{imp: imp, w: w, obs: obs, window: window, stop: stop, rec: rec}
	ow.run(results)
	imp.finishSummary(ctx, sum, wk)
	if imp.mode == Validating && ctx.Err() != nil {
		// A sheet half checked is no answer: the output is left as it was.
		obs.Observe(Finished{Summary: sum})
		return ErrInterrupted
	}
	if err := imp.passErr(rd.err, ow.err); err != nil {
		obs.Observe(Finished{Summary: sum})
		return err
	}
	committed, err = imp.commit(sum, wk.journalErr(), j, w)
	if err == nil && rec != nil && rec.err != nil {
		err = rec.err
	}
	obs.Observe(Finished{Summary: sum})
	return err
}

// commit ends the journal and commits the output sheet. The journal's end
// record goes first: a crash between it and the rename leaves the input
// as it was and a journal that replays it; a crash after it (an in-place
// re-run) leaves a journal whose sheet holds every outcome.
func (imp *Import) commit(sum *Summary, jerr error, j *journal, w sheet.Writer) (committed bool, err error) {
	if jerr == nil && j != nil {
		jerr = j.End(!sum.Interrupted)
	}
	var gone *JournalReplacedError
	if jerr != nil && !errors.As(jerr, &gone) {
		return false, jerr // the journal keeps what was sent: the same command resumes
	}
	// Without its journal, the output sheet is the only record of what
	// was sent: it is written.
	undo, err := imp.markOutput()
	if err != nil {
		return false, err
	}
	if err := commitOutput(w, summaryTable(&imp.cfg, sum), imp.cfg.Output, imp.cfg.HeldOpen); err != nil {
		undo()
		return false, fmt.Errorf("write %s: %w", imp.cfg.Output, err)
	}
	if err := imp.recordOutput(); err != nil && jerr == nil {
		jerr = err
	}
	return true, jerr
}

// commitOutput commits w; while the target is held open by another
// program and ask says to, it tries again. A *sheet.LockedFileError left
// at the end means the user gave up: the caller aborts w, and the target
// is as it was.
func commitOutput(w sheet.Writer, summary [][]string, path string, ask RetryPrompt) error {
	err := w.Commit(summary)
	var held *sheet.LockedFileError
	for errors.As(err, &held) && ask != nil && ask.AskRetry(path) {
		err = w.Commit(summary)
	}
	return err
}

func (imp *Import) finishSummary(ctx context.Context, sum *Summary, wk *workers) {
	sum.Finished = imp.cfg.now()
	imp.tally.fill(sum)
	sum.Stopped = wk.stopReason()
	sum.Unreachable = wk.reachedNothing()
	sum.FoundRate, sum.FoundAtLimit = wk.thr.Found()
	sum.Interrupted = ctx.Err() != nil
}

// ReadError is the sheet failing part-way through pass 2: the rows after
// Err were not sent (validating: not checked).
type ReadError struct {
	Input      string
	Validating bool
	Err        error
}

func (e *ReadError) Error() string { return e.Input + ": " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// startStages starts pass 2's reader, the ledger's reservations (with a
// ledger) and the workers; results is closed when they are all done. It
// returns the ledger's outcome recorder for the writer (nil: no ledger).
func (imp *Import) startStages(ctx context.Context, rd *rowReader, wk *workers, j *journal, results chan *item, window chan struct{}) *ledgerRecorder {
	jobs := make(chan *item, 64)
	toSend := jobs
	var rs *reserver
	var rec *ledgerRecorder
	if imp.ls != nil && j != nil {
		// The ledger reserves the rows between the reader and the workers,
		// with room for a batch reserved while the one before is sent.
		jobs = make(chan *item, 2*reserveBatch)
		toSend = make(chan *item, reserveBatch)
		rs = &reserver{ls: imp.ls, j: j, stopWith: wk.stop, now: wk.now}
		rec = &ledgerRecorder{ls: imp.ls, stopWith: wk.stop}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); rd.run(ctx, toSend, results, window) }()
	go func() { defer wg.Done(); wk.dispatch(ctx, jobs, results) }()
	if rs != nil {
		wg.Add(1)
		go func() { defer wg.Done(); rs.run(ctx, toSend, jobs, results) }()
	}
	go func() { wg.Wait(); close(results) }()
	return rec
}

func (imp *Import) passErr(readErr, writeErr error) error {
	switch {
	case readErr != nil && imp.mode == Validating:
		// Nothing was sent and nothing is written: an input error.
		return &InputError{Err: &ReadError{Input: imp.cfg.Input, Validating: true, Err: readErr}}
	case readErr != nil:
		return &ReadError{Input: imp.cfg.Input, Err: readErr}
	}
	return writeErr
}

// rowReader is pass 2's first stage: it reads the sheet in order and
// decides each row, handing the rows to send to the workers and the rest
// straight to the writer.
type rowReader struct {
	imp  *Import
	r    sheet.Reader
	p    *planner
	stop context.CancelFunc
	err  error
}

func (rd *rowReader) run(ctx context.Context, jobs, results chan<- *item, window chan struct{}) {
	defer close(jobs)
	cols := rd.imp.src.cols
	for seq := 0; ; seq++ {
		row, err := rd.r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			rd.err = err
			rd.stop()
			return
		}
		window <- struct{}{}
		uc := cols.userCells(row.Cells)
		it := &item{seq: seq, line: row.Line, cells: uc, dates: cols.userDates(row), d: rd.p.decide(row, uc)}
		switch {
		case !it.d.send:
			it.out = it.d.outcome
			if rd.imp.plan.Resumed {
				it.restore = it.d.entry
			}
			results <- it
		case rd.imp.mode == Validating:
			it.out = &Outcome{Status: Pending}
			results <- it
		default:
			jobs <- it
		}
		if rd.imp.mode == Validating && ctx.Err() != nil {
			return
		}
	}
}

// orderedWriter is pass 2's last stage: it counts each outcome as it
// arrives and writes the rows in the sheet's order.
type orderedWriter struct {
	imp     *Import
	w       sheet.Writer
	obs     Observer
	window  chan struct{}
	stop    context.CancelFunc
	rec     *ledgerRecorder // nil: no ledger
	pending map[int]*item
	next    int
	err     error
}

func (ow *orderedWriter) run(results <-chan *item) {
	ow.pending = make(map[int]*item)
	for it := range results {
		ow.imp.tally.settled(it.line, it.out)
		ow.imp.tally.heldBack(it.held)
		ow.rec.add(it)
		ow.obs.Observe(RowDone{Line: it.line, Outcome: *it.out, Kept: it.d.kept})
		ow.pending[it.seq] = it
		for ow.writeNext() {
		}
	}
	ow.rec.flush()
}

// writeNext writes the next row in order if its outcome is in.
func (ow *orderedWriter) writeNext() bool {
	x, ok := ow.pending[ow.next]
	if !ok {
		return false
	}
	delete(ow.pending, ow.next)
	ow.next++
	<-ow.window
	ow.imp.tally.written(x.line, x.out, x.d.kept)
	if ow.err == nil {
		row := append(x.cells[:len(x.cells):len(x.cells)], x.out.cells(x.line)...)
		if err := ow.w.Write(sheet.Row{Line: x.line, Cells: row, Date: x.dates}); err != nil {
			ow.err = fmt.Errorf("write %s: %w", ow.imp.cfg.Output, err)
			ow.stop()
		}
	}
	return true
}

// commitOrAbort is commitOutput, aborting w when it fails: a sheet held
// open and given up on keeps no finished copy beside it.
func commitOrAbort(w sheet.Writer, summary [][]string, path string, ask RetryPrompt) error {
	err := commitOutput(w, summary, path, ask)
	if err != nil {
		w.Abort()
	}
	return err
}
