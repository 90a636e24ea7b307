package importer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// attempt is one request a recordingSender made.
type attempt struct {
	row        string // the customer's e-mail
	start, end time.Time
	status     int // the HTTP status of a refusal; 0 when created
}

// recordingSender records every request: its row, when it started and
// ended, and how it was answered.
type recordingSender struct {
	inner Sender
	mu    sync.Mutex
	log   []attempt
}

func (s *recordingSender) Create(ctx context.Context, e salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
	a := attempt{row: fmt.Sprint(body["customer_email"]), start: time.Now()}
	c, err := s.inner.Create(ctx, e, body)
	a.end = time.Now()
	var se *salesbyte.Error
	if errors.As(err, &se) {
		a.status = se.Status
	}
	s.mu.Lock()
	s.log = append(s.log, a)
	s.mu.Unlock()
	return c, err
}

// closedWindow answers 429 with Retry-After to every request from the
// first one until d has passed, as a fixed-window limiter does (Laravel's
// throttle, say), then lets every request through.
func closedWindow(d time.Duration) func(http.Handler) http.Handler {
	var mu sync.Mutex
	var opened time.Time
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if opened.IsZero() {
				opened = time.Now()
			}
			left := d - time.Since(opened)
			mu.Unlock()
			if left > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(left.Seconds()))))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				w.Write([]byte(`{"message":"Too Many Attempts."}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// A lone 429 cuts the rate and its row waits its Retry-After; refused
// again, for a request sent after that 429 and within the wait it asked
// for, the server means the whole client: no worker sends before the
// Retry-After has passed. The 429s come through the real client, so the
// header is read as SalesByte sends it.
//
// The pause is measured from when the run reported it (SlowedDown with a
// Pause), not from when the refusal came back: on a busy machine the
// worker that got it may take a while to tell the throttle, and a row let
// go meanwhile is sent at the rate, as it should be.
func TestRefusedAgainEveryWorkerWaitsRetryAfter(t *testing.T) {
	const window = 3 * time.Second
	e := newEnv(t, sandbox.Options{}, closedWindow(window))
	e.customers(8)
	s := &recordingSender{inner: e.client}
	cfg := e.config()
	cfg.Sender = s
	cfg.Rate, cfg.Concurrency = 100, 4
	cfg.pause = time.Millisecond // were Retry-After ignored, the pause would be this
	var mu sync.Mutex
	var pausedAt time.Time
	obs := ObserverFunc(func(ev Event) {
		if sd, ok := ev.(SlowedDown); ok && sd.Pause > 0 {
			mu.Lock()
			if pausedAt.IsZero() {
				pausedAt = time.Now()
			}
			mu.Unlock()
		}
	})
	imp, err := Prepare(context.Background(), cfg, Sending)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	sum, err := imp.Send(context.Background(), obs)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 8 {
		t.Fatalf("counts %v; want all 8 created once the window opened", sum.Counts)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	if pausedAt.IsZero() {
		t.Fatalf("refused again within the window, yet the run never paused: %+v", s.log)
	}
	// A row the throttle let go just before the pause began may start a
	// moment after it was reported; more than that one is the pause
	// not applied.
	var during []time.Duration
	for _, a := range s.log {
		if a.start.After(pausedAt) && a.start.Before(pausedAt.Add(window-time.Second)) {
			during = append(during, a.start.Sub(pausedAt).Round(time.Millisecond))
		}
	}
	if len(during) > 1 {
		t.Errorf("requests went out %v after the run paused; want none before the Retry-After", during)
	}
	if firstRefusal(s.log) == nil {
		t.Fatal("no 429 at all")
	}
	checkRowsWaited(t, s.log)
	if n := len(s.log) - 8; n > cfg.Concurrency+2 {
		t.Errorf("%d requests refused; want at most the %d in flight plus the one sent again", n, cfg.Concurrency+2)
	}
}

// A lone 429 is its row's own: that row waits its Retry-After before it
// is sent again, and the other rows go on meanwhile.
func TestLone429WaitsItsOwnRetryAfter(t *testing.T) {
	const retryAfter = 2 * time.Second
	var served atomic.Int32
	e := newEnv(t, sandbox.Options{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) == 1 {
				w.Header().Set("Retry-After", "2")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				w.Write([]byte(`{"message":"Too Many Attempts."}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	e.customers(12)
	s := &recordingSender{inner: e.client}
	cfg := e.config()
	cfg.Sender, cfg.Concurrency = s, 2
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 12 || sum.Throttled != 1 {
		t.Fatalf("counts %v, throttled %d; want 12 created after one 429", sum.Counts, sum.Throttled)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	first := firstRefusal(s.log)
	if first == nil {
		t.Fatal("no 429 recorded")
	}
	during := 0
	for _, a := range s.log {
		switch {
		case a.row == first.row && a.start.After(first.end) && a.start.Sub(first.end) < retryAfter:
			t.Errorf("the refused row went again %v after its 429; want its Retry-After of %v waited out", a.start.Sub(first.end).Round(time.Millisecond), retryAfter)
		case a.row != first.row && a.start.After(first.end) && a.start.Before(first.end.Add(retryAfter)):
			during++
		}
	}
	if during == 0 {
		t.Error("no other row was sent while the refused one waited; a lone 429 must not pause the run")
	}
}

// firstRefusal is the 429 that came back first.
func firstRefusal(log []attempt) *attempt {
	var first *attempt
	for i := range log {
		a := &log[i]
		if a.status == http.StatusTooManyRequests && (first == nil || a.end.Before(first.end)) {
			first = a
		}
	}
	return first
}

// checkRowsWaited fails when a row refused with 429 was sent again before
// a second (the shortest Retry-After the window gives) had passed.
func checkRowsWaited(t *testing.T, log []attempt) {
	t.Helper()
	for i, a := range log {
		if a.status != http.StatusTooManyRequests {
			continue
		}
		for _, b := range log[i+1:] {
			if b.row == a.row && b.start.After(a.end) && b.start.Sub(a.end) < time.Second {
				t.Errorf("row %s was sent again %v after its 429; want its Retry-After waited out", a.row, b.start.Sub(a.end).Round(time.Millisecond))
			}
		}
	}
}
