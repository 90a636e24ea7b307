package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/sheet"
)

// Mode says what an Import is prepared for.
type Mode int

const (
	// Sending checks the output's journal, decides every row and shows a
	// plan; Send then sends the rows to send.
	Sending Mode = iota
	// Validating checks every row with no network and no journal;
	// Validate then writes the output sheet with invalid rows marked.
	Validating
)

// Import is one import, in named stages:
//
//	Prepare  load the mapping and the sheet, check the output and its
//	         journal, decide every row (the planning pass)
//	Plan     what is about to happen, as data
//	Send     pass 2: read rows → workers → ordered writer, journaled
//	Validate pass 2 without sending
//
// Between Plan and Send the caller may ask the user; an Import that is not
// sent is closed without writing anything.
type Import struct {
	cfg    Config
	mode   Mode
	src    *source
	mapper *mapping.Mapper
	learnt *planner // what earlier runs settled; each pass starts from a clone
	plan   Plan
	bind   Binding
	js     *journalState
	inStat os.FileInfo
	tally  *Tally
	lock   *runLock     // on the output, from Prepare to Close
	ls     *ledgerState // nil: no ledger
	// setAside: the output's journal is a finished one of another run,
	// moved away when sending begins.
	setAside bool

	abortCtx context.Context // requests in flight use it; Abort cancels it
	abort    context.CancelFunc
}

// Prepare readies an import: it loads the mapping and the sheet, checks
// the output and its journal and, when sending, decides every row so Plan
// can say what will happen. ctx stops the planning pass. Errors found
// before anything is sent are *InputError, or a typed error it wraps.
func Prepare(ctx context.Context, cfg Config, mode Mode) (*Import, error) {
	cfg.setDefaults()
	imp := &Import{cfg: cfg, mode: mode, tally: newTally(0, cfg.Rate)}
	imp.abortCtx, imp.abort = context.WithCancel(context.Background())
	if err := imp.load(); err != nil {
		imp.Close()
		return nil, err
	}
	if err := imp.takeOutput(); err != nil {
		imp.Close()
		return nil, err
	}
	if err := imp.checkOutput(ctx); err != nil {
		imp.Close()
		return nil, err
	}
	imp.learnt = newPlanner(&imp.cfg, imp.src.cols, imp.mapper, imp.js, maphash.MakeSeed())
	if err := imp.learnt.learnSettled(ctx, imp.src); err != nil {
		imp.Close()
		return nil, readErr(err)
	}
	if mode == Sending {
		if err := imp.planPass(ctx); err != nil {
			imp.Close()
			return nil, err
		}
		imp.tally.start(imp.plan.Rows, cfg.Rate)
	}
	return imp, nil
}

// load reads the mapping and the sheet's header, and compiles one against
// the other.
func (imp *Import) load() error {
	cfg := &imp.cfg
	spec, mapHash, err := loadMapping(cfg.Mapping)
	if err != nil {
		return err
	}
	var origin RowOrigin
	cfg.Read, origin = sheetOptions(cfg.Input, cfg.Read, spec)
	src, err := openSource(cfg.Input, cfg.Read)
	if err != nil {
		if hr := wrongHeaderRow(cfg, spec, nil, origin); hr != nil {
			return &InputError{Err: hr}
		}
		return err
	}
	imp.src = src
	imp.mapper, err = spec.Compile(src.cols.header)
	if err != nil {
		if hr := wrongHeaderRow(cfg, spec, src.cols.header, origin); hr != nil {
			return &InputError{Err: hr}
		}
		return &InputError{Err: err} // a *mapping.Error names the file and line
	}
	if imp.inStat, err = os.Stat(cfg.Input); err != nil {
		return &InputError{Err: err}
	}
	imp.plan = Plan{Endpoint: imp.mapper.Endpoint(), Input: cfg.Input, Sheet: src.format.Sheet, Output: cfg.Output, Rate: cfg.Rate}
	if cfg.AutoRate {
		imp.plan.MaxRate = cfg.MaxRate
	}
	imp.bind = Binding{Sheet: src.format.Sheet, HeaderRow: cfg.Read.HeaderRow, MappingSHA256: mapHash, Endpoint: string(imp.mapper.Endpoint())}
	// The mapping's campaign is the default; one given by the caller wins.
	if cfg.Campaign == "" && spec.Campaign() != "" {
		if err := ledger.CheckCampaign(spec.Campaign()); err != nil {
			return &InputError{Err: fmt.Errorf("%s: campaign: %w", cfg.Mapping, err)}
		}
		cfg.Campaign = spec.Campaign()
	}
	if imp.ls, err = newLedgerState(cfg, string(imp.mapper.Endpoint())); err != nil {
		return err
	}
	if imp.ls != nil {
		imp.plan.Ledger, imp.plan.Campaign = imp.ls.l.Path(), cfg.Campaign
		imp.plan.LedgerUnchecked = !imp.ls.check
	}
	return nil
}

// takeOutput locks the output until Close, so a second sbimport on it is
// refused before it reads the journal or sends a row, and removes the
// temporary files that runs killed while writing it left behind: under
// the lock, no other writer's file can be among them.
func (imp *Import) takeOutput() error {
	lk, err := lockOutput(imp.cfg.Output)
	if err != nil {
		return err
	}
	imp.lock = lk
	imp.plan.RemovedTemps, _ = sheet.RemoveStaleTemps(imp.cfg.Output)
	return nil
}

// checkOutput makes sure writing the output loses nothing: not the input,
// not an earlier run's results, not another run's journal.
func (imp *Import) checkOutput(ctx context.Context) error {
	cfg, cols := &imp.cfg, imp.src.cols
	inPlace := sameFile(cfg.Input, cfg.Output)
	if inPlace && !cols.isResult {
		return &OverwriteInputError{Output: cfg.Output}
	}
	if cfg.Ledger != nil && !inPlace {
		if err := checkHandEdit(ctx, cfg.Ledger, cfg.Output, cfg.Read.Sheet); err != nil {
			return err
		}
	}
	if imp.mode == Validating {
		// validate writes the same output sheet. An earlier run's results
		// there are never replaced, journal or not: validate's sheet is
		// a valid input, and a run of it in place would set that journal
		// aside and send every row again.
		if !cols.isResult && !inPlace {
			err := checkEarlierOutput(cfg.Output, cfg.Read.Sheet)
			var eo *EarlierOutputError
			if errors.As(err, &eo) {
				_, jerr := os.Stat(JournalPath(cfg.Output))
				eo.Journal = jerr == nil
			}
			return err
		}
		return nil
	}
	imp.plan.Journal = JournalPath(cfg.Output)
	inHash, err := FileSHA256(cfg.Input)
	if err != nil {
		return &InputError{Err: err}
	}
	imp.bind.InputSHA256 = inHash
	editedOK := false
	imp.js, imp.setAside, err = checkJournal(imp.plan.Journal, imp.bind, cols.isResult, inPlace, func(st *journalState) bool {
		editedOK = editedOriginal(ctx, cfg, imp.ls, st)
		return editedOK
	})
	if err != nil {
		return err
	}
	// An earlier version of this input, run with the ledger: the ledger
	// holds what that run created, so its output may be rewritten.
	if imp.js == nil && !cols.isResult && !inPlace && !editedOK {
		if err := checkEarlierOutput(cfg.Output, cfg.Read.Sheet); err != nil {
			return err
		}
	}
	if err := checkJournalVersion(imp.plan.Journal, imp.js, imp.src.format); err != nil {
		return err
	}
	imp.plan.Resumed = imp.js != nil && !imp.js.Complete
	return nil
}

// planPass is pass 1: decide every row, to show the plan before anything
// is sent.
func (imp *Import) planPass(ctx context.Context) error {
	p := imp.learnt.clone()
	cols := imp.src.cols
	deliveries := make(map[Delivery]int)
	tally := func(d decision) { imp.plan.tally(imp.plan.Endpoint, d, deliveries) }
	var pc *planChecker
	if imp.ls != nil && imp.ls.check {
		pc = &planChecker{ls: imp.ls, run: imp.journalLedgerRun()}
	}
	var cerr error
	var elsewhere elsewhereRows
	err := imp.src.each(ctx, func(row sheet.Row) {
		d := p.decide(row, cols.userCells(row.Cells))
		elsewhere.note(d, imp.cfg.BaseURL)
		if pc == nil || !d.send || cerr != nil {
			tally(d)
			return
		}
		cerr = pc.add(ctx, &item{line: row.Line, d: d}, &imp.plan, tally)
	})
	if err != nil {
		return readErr(err)
	}
	if elsewhere.n > 0 && !imp.cfg.ForceBaseURL {
		return &InputError{Err: &CreatedElsewhereError{Input: imp.cfg.Input, Host: elsewhere.host, BaseURL: imp.cfg.BaseURL, Rows: elsewhere.n}}
	}
	if pc != nil {
		if cerr == nil {
			cerr = pc.flush(ctx, &imp.plan, tally)
		}
		if cerr != nil {
			return cerr
		}
		imp.plan.Held = ledger.Summarize(pc.held)
	}
	imp.plan.Deliveries = sortedDeliveries(deliveries)
	return nil
}

// ErrInterrupted is returned when the ctx given to Prepare, Send or
// Validate was done before sending began, or while validating: nothing was
// sent and no output was written (an earlier one is left as it was).
var ErrInterrupted = errors.New("interrupted before anything was sent or written")

// readErr is an error met while reading the sheet before anything was
// sent: an interruption is ErrInterrupted, anything else an input error.
func readErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ErrInterrupted
	}
	return &InputError{Err: err}
}

// Plan is what the import is about to do. With Validating, only where
// it reads and writes.
func (imp *Import) Plan() Plan { return imp.plan }

// Progress is the tally so far; zero before Send or Validate begins.
func (imp *Import) Progress() Snapshot {
	return imp.tally.Snapshot()
}

// Abort abandons the requests in flight: their rows become unknown. The
// ctx given to Send only stops new requests.
func (imp *Import) Abort() { imp.abort() }

// Close releases what the import holds. An import that was not sent
// writes nothing.
func (imp *Import) Close() error {
	imp.abort()
	if imp.src != nil {
		imp.src.Close()
	}
	if imp.lock != nil {
		imp.lock.Release()
		imp.lock = nil
	}
	return nil
}

// Run prepares an import for sending and sends it without asking: for
// callers that have nobody to show the plan to.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	imp, err := Prepare(ctx, cfg, Sending)
	if err != nil {
		return nil, err
	}
	defer imp.Close()
	return imp.Send(ctx, nil)
}
