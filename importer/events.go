package importer

import "time"

// Event is something that happened during an import, for whoever shows
// it: a terminal bar, a log, a web page. Events carry data, never words.
type Event interface{ isEvent() }

// Started says the second pass began: Rows rows are about to be settled.
type Started struct{ Rows int }

// RowDone says one row is settled. Rows are reported as their outcomes
// arrive, which is not the sheet's order: one row in retry holds up
// nothing. Kept is true when the outcome was carried over from an earlier
// run rather than decided now.
type RowDone struct {
	Line    int
	Outcome Outcome
	Kept    bool
}

// Retrying says a row's request certainly did not create anything and the
// row waits Wait before it is sent again (attempt Attempt).
type Retrying struct {
	Line    int
	Attempt int
	Wait    time.Duration
	Status  int // the HTTP status that asked for it; 0 for a connection failure
}

// SlowedDown says SalesByte answered 429: the rate becomes Rate, and the
// refused row waits its Retry-After. Pause is set when SalesByte refused
// again within a Retry-After it had given: every request waits it out.
type SlowedDown struct {
	Status int
	Pause  time.Duration
	Rate   float64
}

// Stopping says sending stops early on its own: Reason is why.
type Stopping struct{ Reason StopReason }

// Finished says the import is over; the Summary is final.
type Finished struct{ Summary *Summary }

func (Started) isEvent()    {}
func (RowDone) isEvent()    {}
func (Retrying) isEvent()   {}
func (SlowedDown) isEvent() {}
func (Stopping) isEvent()   {}
func (Finished) isEvent()   {}

// Observer hears an import's events. Observe is called from several
// goroutines at once and must not block for long: copy what is needed and
// return.
type Observer interface{ Observe(Event) }

// ObserverFunc adapts a function to an Observer.
type ObserverFunc func(Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }

// nopObserver is used when nobody listens.
type nopObserver struct{}

func (nopObserver) Observe(Event) {}
