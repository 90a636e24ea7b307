package importer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

// workers send rows: one goroutine a row in flight, bounded by a gate sized
// by Little's law, each request let go by the shared throttle.
type workers struct {
	cfg      *Config
	endpoint salesbyte.Endpoint
	j        *journal
	thr      *throttle
	gate     *gate
	size     sizer
	auto     bool
	budget   *budget
	tally    *Tally
	obs      Observer
	inFlight context.Context // requests use it: cancelled, they are abandoned
	stopAll  context.CancelFunc

	mu       sync.Mutex
	created  int
	refused  int  // consecutive 401/403/404 before any success
	retrying int  // rows waiting to retry
	reached  bool // a connection was made: a request got to the server
	noConn   int  // connection failures in a row before any answer
	stopped  *StopReason
	jerr     error
}

// refusedLimit is how many 401/403/404 answers in a row, before any
// success, stop the run: the uuid or the template is wrong, and every other
// row would fail the same way.
const refusedLimit = 3

// unreachableLimit is how many failures to connect in a row, before any
// answer from the server, stop the run: the address is wrong or the server
// is down, and every other row would wait out its retries for nothing.
const unreachableLimit = 3

func newWorkers(cfg *Config, e salesbyte.Endpoint, j *journal, t *Tally, obs Observer, inFlight context.Context, stopAll context.CancelFunc) *workers {
	w := &workers{
		cfg:      cfg,
		endpoint: e,
		j:        j,
		thr:      newThrottleWith(pacerFor(cfg), cfg.now),
		budget:   runBudget(cfg.RetryBudget),
		tally:    t,
		obs:      obs,
		inFlight: inFlight,
		stopAll:  stopAll,
		auto:     cfg.Concurrency <= 0,
	}
	if cfg.pause > 0 {
		w.thr.defaultPause = cfg.pause
	}
	n := cfg.Concurrency
	if w.auto {
		n = w.size.Size(w.thr.Rate())
	}
	w.gate = newGate(n)
	return w
}

func (w *workers) stopReason() *StopReason {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopped
}

// reachedNothing says whether sending stopped because the server could not
// be reached, and no request got to it, not even one in flight then.
func (w *workers) reachedNothing() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopped != nil && w.stopped.Kind == StopUnreachable && !w.reached && w.created == 0
}

func (w *workers) journalErr() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.jerr
}

// dispatch hands each job to a goroutine as the gate allows; once ctx is
// done, the jobs left are settled as not sent.
func (w *workers) dispatch(ctx context.Context, jobs <-chan *item, results chan<- *item) {
	var wg sync.WaitGroup
	for it := range jobs {
		if ctx.Err() != nil || w.gate.Acquire(ctx) != nil {
			it.out = w.notSent(it.d.tries)
			results <- it
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.gate.Release()
			it.out = w.sendRow(ctx, it)
			results <- it
		}()
	}
	wg.Wait()
}

func (w *workers) now() string { return w.cfg.now().Format(time.RFC3339) }

// notSent is the outcome of a row that was not sent because the run stopped.
func (w *workers) notSent(attempts int) *Outcome {
	why := "the run was interrupted; run the same command again to send it"
	if r := w.stopReason(); r != nil {
		why = r.String()
	}
	return &Outcome{Status: Skipped, Error: "not sent: " + why, Attempts: attempts, At: w.now(), NotSent: true}
}

func (w *workers) stop(r *StopReason) {
	w.mu.Lock()
	if w.stopped == nil {
		w.stopped = r
	}
	w.mu.Unlock()
	w.obs.Observe(Stopping{Reason: *r})
	w.stopAll()
}

// journalFailed stops sending: a request whose intent is not durably
// journaled could be sent twice after a crash.
func (w *workers) journalFailed(err error) {
	w.mu.Lock()
	w.jerr = err
	w.mu.Unlock()
	kind := StopJournal
	var gone *JournalReplacedError
	if errors.As(err, &gone) {
		kind = StopJournalReplaced
	}
	w.stop(&StopReason{Kind: kind, Err: err})
}

// sendRow sends one row, retrying what is safe to retry, and returns its
// outcome, journaled.
func (w *workers) sendRow(ctx context.Context, it *item) *Outcome {
	attempts := it.d.tries
	var last *salesbyte.Error
	for {
		sentAt, err := w.thr.Wait(ctx)
		if err != nil {
			return w.settle(it, w.notSentAfter(attempts, last))
		}
		attempts++
		if err := w.j.Intent(it.line, attempts); err != nil {
			w.journalFailed(err)
			return w.notSent(attempts - 1)
		}
		if err := w.thr.Space(ctx); err != nil {
			if w.j != nil {
				w.j.NotSent(it.line, attempts)
			}
			return w.settle(it, w.notSentAfter(attempts-1, last))
		}
		created, err := w.send(it)
		if err == nil {
			return w.settle(it, createdOutcome(created, attempts, w.now()))
		}
		last = w.answerError(err)
		if o := w.retry(ctx, it, sentAt, last, attempts); o != nil {
			return w.settle(it, o)
		}
	}
}

// send makes one request for the row and tells the throttle, the sizer and
// the tally how it went.
func (w *workers) send(it *item) (salesbyte.Created, error) {
	start := time.Now()
	w.tally.sent(start)
	created, err := w.cfg.Sender.Create(w.inFlight, w.endpoint, it.d.body)
	latency := time.Since(start)
	w.size.Observe(latency)
	w.resize(0)
	if err == nil {
		w.thr.Success(latency)
		w.budget.Earn()
		w.mu.Lock()
		w.created++
		w.refused = 0
		w.mu.Unlock()
	}
	return created, err
}

// answerError is the salesbyte.Error an answer came as; any other error is
// taken as ambiguous: the row may have been created.
func (w *workers) answerError(err error) *salesbyte.Error {
	var se *salesbyte.Error
	if !errors.As(err, &se) {
		se = &salesbyte.Error{Outcome: salesbyte.Ambiguous, Message: err.Error(), Err: err}
	}
	if !se.SlowDown() {
		w.thr.Failed()
	}
	w.noteConnection(se)
	return se
}

// retry settles a row whose request failed with se, or waits to send it
// again (nil): only what certainly was not processed is retried, within
// the attempts allowed and the run's retry budget.
func (w *workers) retry(ctx context.Context, it *item, sentAt time.Time, se *salesbyte.Error, attempts int) *Outcome {
	switch se.Outcome {
	case salesbyte.Rejected:
		w.noteRefusal(se)
		return &Outcome{Status: Failed, Error: se.Error(), HTTPStatus: se.Status, Attempts: attempts, At: w.now()}
	case salesbyte.Ambiguous:
		return &Outcome{Status: Unknown, Error: se.Error() + "; it may have been created: reconcile finds out", HTTPStatus: se.Status, Attempts: attempts, At: w.now()}
	}
	// Retry: certainly not processed.
	if w.j != nil {
		w.j.NotSent(it.line, attempts)
	}
	if se.SlowDown() {
		w.slowDown(sentAt, se)
	}
	if attempts-it.d.tries >= w.cfg.MaxAttempts {
		return &Outcome{Status: Failed, Error: fmt.Sprintf("gave up after %d attempts: %s; it was not created, so it is safe to send again", attempts-it.d.tries, se.Error()), HTTPStatus: se.Status, Attempts: attempts, At: w.now()}
	}
	if !w.budget.Spend() {
		return &Outcome{Status: Failed, Error: "not retried: SalesByte keeps failing and the run's retry budget is spent (" + se.Error() + "); it was not created, so it is safe to send again later", HTTPStatus: se.Status, Attempts: attempts, At: w.now()}
	}
	wait := w.cfg.backoff.Wait(attempts-it.d.tries, se.RetryAfter)
	w.tally.retry(it.line)
	w.obs.Observe(Retrying{Line: it.line, Attempt: attempts + 1, Wait: wait, Status: se.Status})
	w.resize(+1) // a row waiting to retry holds no request in flight
	err := sleep(ctx, wait)
	w.resize(-1)
	if err != nil {
		return w.notSentAfter(attempts, se)
	}
	return nil
}

// resize sizes the gate, when it is sized automatically, for the current
// rate and latency plus the rows waiting to retry (delta: one more, or one
// fewer, now): those hold a place in the gate but no request in flight,
// and must not hold the rate down while they wait.
func (w *workers) resize(delta int) {
	if !w.auto {
		return
	}
	w.mu.Lock()
	w.retrying += delta
	n := w.retrying
	w.mu.Unlock()
	w.gate.SetLimit(w.size.Size(w.thr.Rate()) + n)
}

func (w *workers) notSentAfter(attempts int, last *salesbyte.Error) *Outcome {
	o := w.notSent(attempts)
	if last != nil && !couldNotConnect(last) {
		o.HTTPStatus = last.Status
		o.Error += " (last answer: " + last.Error() + ")"
	}
	return o
}

// settle journals a row's outcome.
func (w *workers) settle(it *item, o *Outcome) *Outcome {
	if w.j != nil && o.Status != Skipped {
		if err := w.j.Outcome(it.line, o); err != nil {
			w.journalFailed(err)
		}
	}
	return o
}

// noteConnection counts failures to connect (refused, DNS, TLS
// handshake: the request certainly never left) until a request first gets
// to the server; unreachableLimit of them in a row stop the run.
func (w *workers) noteConnection(se *salesbyte.Error) {
	w.mu.Lock()
	if !couldNotConnect(se) {
		w.reached = true
		w.noConn = 0
		w.mu.Unlock()
		return
	}
	if w.reached || w.created > 0 {
		w.mu.Unlock()
		return
	}
	w.noConn++
	n := w.noConn
	w.mu.Unlock()
	if n >= unreachableLimit {
		w.stop(&StopReason{Kind: StopUnreachable, Message: strings.TrimPrefix(se.Error(), se.Message+": ")})
	}
}

// couldNotConnect recognises the transport errors that happen before a
// request goes out: DNS, connect and TLS handshake failures.
func couldNotConnect(se *salesbyte.Error) bool {
	if se.Outcome != salesbyte.Retry || se.Err == nil {
		return false
	}
	err := se.Err
	var dns *net.DNSError
	var op *net.OpError
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	var cv *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dns), errors.As(err, &rh), errors.As(err, &alert), errors.As(err, &cv):
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return true
	case errors.As(err, &op) && op.Op == "dial":
		return true
	}
	return strings.Contains(err.Error(), "TLS handshake")
}

func (w *workers) noteRefusal(se *salesbyte.Error) {
	if se.Status != 401 && se.Status != 403 && se.Status != 404 {
		return
	}
	w.mu.Lock()
	if w.created > 0 {
		w.mu.Unlock()
		return
	}
	w.refused++
	n := w.refused
	w.mu.Unlock()
	if n >= refusedLimit {
		w.stop(&StopReason{Kind: StopRefused, Status: se.Status, Count: n, Message: strings.TrimSpace(se.Message), Template: w.endpoint == salesbyte.Template})
	}
}

// slowDown tells the throttle SalesByte asked to slow down, and whoever
// watches. A 429 lowers the rate (its row waits its own Retry-After); one
// to a request sent after an earlier 429, within its wait, pauses every
// request (see throttle.SlowDown). A 503 is one failed request, which
// lowers the rate only in a burst (see pacer).
func (w *workers) slowDown(sentAt time.Time, se *salesbyte.Error) {
	if se.Status != http.StatusTooManyRequests {
		w.thr.Unavailable(sentAt)
		w.tally.slowedDown(time.Time{}, w.thr.Rate())
		return
	}
	pause := w.thr.SlowDown(sentAt, se.RetryAfter)
	if w.cfg.slowedDown != nil {
		w.cfg.slowedDown()
	}
	rate := w.thr.Rate()
	w.tally.slowedDown(w.cfg.now().Add(pause), rate)
	w.obs.Observe(SlowedDown{Status: se.Status, Pause: pause, Rate: rate})
}

// StopKind is why sending stopped early on its own.
type StopKind int

const (
	// StopRefused: SalesByte refused the first requests with 401, 403 or
	// 404: the uuid, the address or the template is wrong, and every
	// other row would fail the same way.
	StopRefused StopKind = iota + 1
	// StopJournal: the journal could not be written (a full disk, most
	// likely), so no request may go out.
	StopJournal
	// StopJournalReplaced: the journal was removed or replaced while the
	// run went on; the output sheet is then the record of what was sent.
	StopJournalReplaced
	// StopUnreachable: no connection to SalesByte could be made (refused,
	// DNS, TLS handshake) before any request reached it.
	StopUnreachable
)

// StopReason says why sending stopped early on its own.
type StopReason struct {
	Kind     StopKind
	Status   int    // StopRefused: the HTTP status
	Count    int    // StopRefused: how many requests were refused
	Message  string // StopRefused: SalesByte's message; StopUnreachable: the connection error
	Template bool   // StopRefused: the mapping names a quote template
	Err      error  // StopJournal: what went wrong
}

// String says it plainly, for the output sheet's sb_error.
func (r StopReason) String() string {
	switch r.Kind {
	case StopRefused:
		what := "the integration uuid or the address"
		if r.Template {
			what = "the integration uuid, the address or the quote template"
		}
		return fmt.Sprintf("SalesByte refused the first %d requests with HTTP %d (%s): %s may be wrong", r.Count, r.Status, r.Message, what)
	case StopJournal:
		return fmt.Sprintf("the journal could not be written (%v); free disk space and run the same command again", r.Err)
	case StopUnreachable:
		return fmt.Sprintf("SalesByte could not be reached (%s)", r.Message)
	case StopLedger:
		return ledgerStopString(r)
	case StopJournalReplaced:
		return fmt.Sprintf("%v; the output sheet records what was sent: run again with it as the input to send the rest", r.Err)
	}
	return "sending stopped"
}
