package importer

import (
	"maps"

	"github.com/sbimport/sbimport/ledger"
	"sync"
	"time"
)

// Tally counts an import as it goes. It is the one source of counts: the
// progress a caller shows (Import.Progress), the Summary, and the output
// sheet's Summary sheet all read it. Rows are counted as their outcomes
// arrive; problems are listed in the sheet's order, as rows are written.
type Tally struct {
	mu        sync.Mutex
	rows      int // rows the sheet holds
	done      int
	counts    map[Status]int
	errs      map[ErrorCount]int // by class; N is zero
	problems  []RowProblem
	probRows  map[Status]int // every problem row, listed or not
	requests  int
	throttled int
	retrying  map[int]bool // rows waiting to be sent again
	held      map[ledger.Reason]int
	pausedTil time.Time
	rate      float64
	first     time.Time // first request sent
	last      time.Time // last request sent
}

func newTally(rows int, rate float64) *Tally {
	return &Tally{rows: rows, rate: rate, counts: make(map[Status]int), errs: make(map[ErrorCount]int), probRows: make(map[Status]int), retrying: make(map[int]bool)}
}

// start readies the tally for a pass over rows rows, sent at rate.
func (t *Tally) start(rows int, rate float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows, t.rate = rows, rate
}

// Snapshot is the tally at one moment.
type Snapshot struct {
	Rows        int // rows the sheet holds
	Done        int // rows settled so far
	Counts      map[Status]int
	Requests    int
	Throttled   int       // answers 429 or 503
	Retrying    int       // rows waiting to be sent again
	PausedUntil time.Time // SalesByte asked every request to wait until then
	Rate        float64   // the rate requests are let go at now; 0 = unlimited
}

// Snapshot copies the counts.
func (t *Tally) Snapshot() Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Snapshot{
		Rows: t.rows, Done: t.done, Counts: maps.Clone(t.counts),
		Requests: t.requests, Throttled: t.throttled, Retrying: len(t.retrying),
		PausedUntil: t.pausedTil, Rate: t.rate,
	}
}

// settled counts a row's outcome as it arrives.
func (t *Tally) settled(line int, o *Outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done++
	t.counts[o.Status]++
	delete(t.retrying, line)
	if o.Error != "" && o.Status != Created {
		t.errs[ErrorCount{Error: errorClass(o.Error), NotSent: o.NotSent}]++
	}
}

// heldBack counts a row the ledger held back (why "" counts nothing).
func (t *Tally) heldBack(why ledger.Reason) {
	if why == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.held == nil {
		t.held = make(map[ledger.Reason]int)
	}
	t.held[why]++
}

// written lists a row among the problems, in the sheet's order.
func (t *Tally) written(line int, o *Outcome, kept bool) {
	if o.Error == "" || o.Status == Created || kept {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.probRows[o.Status]++
	if len(t.problems) < maxProblems {
		t.problems = append(t.problems, RowProblem{Line: line, Status: o.Status, Error: o.Error})
	}
}

func (t *Tally) sent(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests++
	if t.first.IsZero() {
		t.first = at
	}
	t.last = at
}

func (t *Tally) retry(line int) {
	t.mu.Lock()
	t.retrying[line] = true
	t.mu.Unlock()
}

func (t *Tally) slowedDown(until time.Time, rate float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.throttled++
	if until.After(t.pausedTil) {
		t.pausedTil = until
	}
	t.rate = rate
}

// fill copies the final counts into a Summary.
func (t *Tally) fill(s *Summary) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s.Counts = maps.Clone(t.counts)
	s.Errors = topErrors(t.errs, 10)
	s.Problems = append([]RowProblem(nil), t.problems...)
	s.ProblemRows = maps.Clone(t.probRows)
	s.Requests, s.Throttled = t.requests, t.throttled
	s.FirstSent, s.LastSent = t.first, t.last
	s.Held = maps.Clone(t.held)
}
