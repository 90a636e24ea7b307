package importer

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// timedSender records when each request starts. The first waits until
// inFlight requests are in Create, so every request let go before the 429
// is known has started by then; the others wait, inside Create, until the
// run has slowed down, so no other worker can be let go before the news.
type timedSender struct {
	t        *testing.T
	inner    Sender
	inFlight int32
	calls    atomic.Int32
	slowed   chan struct{}
	mu       sync.Mutex
	starts   []time.Time
	firstAt  time.Time // when the first (429) answer came back
}

func (s *timedSender) Create(ctx context.Context, e salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
	start := time.Now()
	s.mu.Lock()
	s.starts = append(s.starts, start)
	s.mu.Unlock()
	if s.calls.Add(1) == 1 {
		for deadline := time.Now().Add(testDeadline); s.calls.Load() < s.inFlight; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				s.t.Errorf("only %d of %d workers sent within %v", s.calls.Load(), s.inFlight, testDeadline)
				break
			}
		}
		c, err := s.inner.Create(ctx, e, body)
		s.mu.Lock()
		s.firstAt = time.Now()
		s.mu.Unlock()
		return c, err
	}
	select {
	case <-s.slowed:
	case <-time.After(testDeadline):
		s.t.Error("the workers never asked the throttle to slow down after a 429")
	}
	return s.inner.Create(ctx, e, body)
}

// After a 429 with Retry-After: N, no worker sends again before N has
// passed: not the row that got it, and not the others (the slow-down is
// shared). The 429 comes through the real client, so the header is read
// as SalesByte sends it.
func TestRetryAfterPausesEveryWorker(t *testing.T) {
	const retryAfter = time.Second
	var served atomic.Int32
	e := newEnv(t, sandbox.Options{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				w.Write([]byte(`{"message":"Too Many Attempts."}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	e.customers(12)
	s := &timedSender{t: t, inner: e.client, inFlight: 4, slowed: make(chan struct{})}
	var once sync.Once
	var slowDowns atomic.Int32
	cfg := e.config()
	cfg.Sender = s
	cfg.Concurrency = 4
	cfg.pause = time.Millisecond // were Retry-After ignored, the pause would be this
	cfg.slowedDown = func() { slowDowns.Add(1); once.Do(func() { close(s.slowed) }) }
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 12 || sum.Throttled != 1 || slowDowns.Load() != 1 {
		t.Fatalf("counts %v, throttled %d, slow-downs %d; want 12 created after one 429 and one slow-down", sum.Counts, sum.Throttled, slowDowns.Load())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	after := 0
	for _, at := range s.starts {
		if !at.After(s.firstAt) {
			continue // let go before the 429 came back
		}
		after++
		if waited := at.Sub(s.firstAt); waited < retryAfter {
			t.Errorf("a request went out %v after the 429; want none before its Retry-After of %v", waited, retryAfter)
		}
	}
	if after < 12-4+1 {
		t.Errorf("%d requests after the 429; want at least the 9 not let go before it", after)
	}
}
