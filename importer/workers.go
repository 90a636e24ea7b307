package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
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
	stopAll  context.CancelFunc

	mu        sync.Mutex
	requests  int
	throttled int
	created   int
	refused   int // consecutive 401/403/404 before any success
	retrying  int // rows waiting to retry
	stopped   string
	jerr      error
	first     time.Time // first request sent
	last      time.Time // last request sent
}

// refusedLimit is how many 401/403/404 answers in a row, before any
// success, stop the run: the uuid or the template is wrong, and every other
// row would fail the same way.
const refusedLimit = 3

func newWorkers(cfg *Config, sum *Summary, e salesbyte.Endpoint, j *journal, stopAll context.CancelFunc) *workers {
	w := &workers{
		cfg:      cfg,
		endpoint: e,
		j:        j,
		thr:      newThrottleWith(pacerFor(cfg), cfg.Now),
		budget:   newBudget(cfg.RetryBudget, 0.1),
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

func (w *workers) stats() (requests, throttled int, stopped string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.requests, w.throttled, w.stopped
}

func (w *workers) sendSpan() (first, last time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first, w.last
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

func (w *workers) now() string { return w.cfg.Now().Format(time.RFC3339) }

// notSent is the outcome of a row that was not sent because the run stopped.
func (w *workers) notSent(attempts int) *Outcome {
	w.mu.Lock()
	why := w.stopped
	w.mu.Unlock()
	if why == "" {
		why = "the run was interrupted; run the same command again to send it"
	}
	return &Outcome{Status: Skipped, Error: "not sent: " + why, Attempts: attempts, At: w.now()}
}

func (w *workers) stop(why string) {
	w.mu.Lock()
	if w.stopped == "" {
		w.stopped = why
	}
	w.mu.Unlock()
	w.stopAll()
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
			w.mu.Lock()
			w.jerr = err
			w.mu.Unlock()
			w.stop("the journal could not be written (" + err.Error() + "); free disk space and run the same command again")
			return w.notSent(attempts - 1)
		}
		if err := w.thr.Space(ctx); err != nil {
			if w.j != nil {
				w.j.NotSent(it.line, attempts)
			}
			return w.settle(it, w.notSentAfter(attempts-1, last))
		}
		start := time.Now()
		w.mu.Lock()
		w.requests++
		if w.first.IsZero() {
			w.first = start
		}
		w.last = start
		w.mu.Unlock()
		created, err := w.cfg.Sender.Create(w.cfg.Abort, w.endpoint, it.d.body)
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
			o := &Outcome{Status: Created, ID: created.ID, Links: created.Links, HTTPStatus: created.Status, Attempts: attempts, At: w.now()}
			if created.ID == 0 {
				o.Error = "created, but SalesByte answered without an id; run sbimport reconcile to fill in the id and links"
			}
			return w.settle(it, o)
		}
		var se *salesbyte.Error
		if !errors.As(err, &se) {
			se = &salesbyte.Error{Outcome: salesbyte.Ambiguous, Message: err.Error(), Err: err}
		}
		last = se
		if !se.SlowDown() {
			w.thr.Failed()
		}
		switch se.Outcome {
		case salesbyte.Rejected:
			w.noteRefusal(se)
			return w.settle(it, &Outcome{Status: Failed, Error: se.Error(), HTTPStatus: se.Status, Attempts: attempts, At: w.now()})
		case salesbyte.Ambiguous:
			return w.settle(it, &Outcome{
				Status:     Unknown,
				Error:      se.Error() + "; run sbimport reconcile to find out whether it was created (or --retry-unknown to send it again)",
				HTTPStatus: se.Status, Attempts: attempts, At: w.now(),
			})
		}
		// Retry: certainly not processed.
		if w.j != nil {
			w.j.NotSent(it.line, attempts)
		}
		if se.SlowDown() {
			w.mu.Lock()
			w.throttled++
			w.mu.Unlock()
			if se.Status == http.StatusTooManyRequests {
				w.thr.SlowDown(sentAt, se.RetryAfter)
			} else {
				w.thr.Unavailable(sentAt) // it waits its own Retry-After below
			}
		}
		if attempts-it.d.tries >= w.cfg.MaxAttempts {
			return w.settle(it, &Outcome{Status: Failed, Error: fmt.Sprintf("gave up after %d attempts: %s; it was not created, so it is safe to send again", attempts-it.d.tries, se.Error()), HTTPStatus: se.Status, Attempts: attempts, At: w.now()})
		}
		if !w.budget.Spend() {
			return w.settle(it, &Outcome{Status: Failed, Error: "not retried: SalesByte keeps failing and the run's retry budget is spent (" + se.Error() + "); it was not created, so it is safe to send again later", HTTPStatus: se.Status, Attempts: attempts, At: w.now()})
		}
		w.resize(+1) // a row waiting to retry holds no request in flight
		err = sleep(ctx, w.cfg.Backoff.Wait(attempts-it.d.tries, se.RetryAfter))
		w.resize(-1)
		if err != nil {
			return w.settle(it, w.notSentAfter(attempts, last))
		}
	}
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
	if last != nil {
		o.HTTPStatus = last.Status
		o.Error += " (last answer: " + last.Error() + ")"
	}
	return o
}

// settle journals a row's outcome.
func (w *workers) settle(it *item, o *Outcome) *Outcome {
	if w.j != nil && o.Status != Skipped {
		if err := w.j.Outcome(it.line, o); err != nil {
			w.mu.Lock()
			w.jerr = err
			w.mu.Unlock()
			w.stop("the journal could not be written (" + err.Error() + "); free disk space and run the same command again")
		}
	}
	return o
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
		hint := "check SALESBYTE_UUID (or --uuid-file) and --base-url"
		if w.endpoint == salesbyte.Template {
			hint += ", and that quote_template_id belongs to this integration"
		}
		w.stop(fmt.Sprintf("SalesByte refused the first %d requests with HTTP %d (%s); %s", n, se.Status, strings.TrimPrefix(se.Message, " "), hint))
	}
}
