package importer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sbimport/sbimport/sandbox"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func TestThrottleCutsOncePerRoundTripAndPausesEveryone(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	th := newThrottle(50, clk.Now)
	sent := clk.Now()
	clk.Advance(100 * time.Millisecond)
	th.SlowDown(sent, 2*time.Second)
	if got := th.Rate(); got != 35 {
		t.Fatalf("rate after a 429 = %v; want 35 (50 × 0.7)", got)
	}
	// More 429s for requests sent before the cut are not news.
	th.SlowDown(sent, 2*time.Second)
	th.SlowDown(sent.Add(50*time.Millisecond), time.Second)
	if got := th.Rate(); got != 35 {
		t.Errorf("rate after answers to earlier requests = %v; want 35 (one cut per round trip)", got)
	}
	// Everyone waits out Retry-After.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := th.Wait(ctx); err == nil {
		t.Error("Wait returned during the pause")
	}
	// A 429 for a request sent after the cut cuts again.
	clk.Advance(3 * time.Second)
	th.SlowDown(clk.Now(), 0)
	if got := th.Rate(); got != 24.5 {
		t.Errorf("second cut = %v; want 24.5", got)
	}
}

func TestThrottleRecoversGraduallyUpToTarget(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(20, clk.Now)
	th.SlowDown(clk.Now(), time.Second)
	low := th.Rate()
	var steps int
	for th.Rate() < 20 && steps < 100000 {
		th.Success(50 * time.Millisecond)
		steps++
	}
	if th.Rate() != 20 {
		t.Fatalf("rate never recovered: %v after %d successes", th.Rate(), steps)
	}
	// From 14/s back to 20/s takes hundreds of successes, not a handful:
	// a server limit is approached, not stormed.
	if steps < 200 {
		t.Errorf("recovered from %v to 20 in %d successes; want a gradual climb (≥ 200)", low, steps)
	}
	th.Success(50 * time.Millisecond)
	if th.Rate() != 20 {
		t.Errorf("rate went above the target: %v", th.Rate())
	}
}

// A 503 is the row's own failure: nobody else waits for its Retry-After
// and a lone one does not cut the rate; a 429 pauses everyone.
func TestThrottleLoneUnavailablePausesNobody(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(0, clk.Now)
	th.Unavailable(clk.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := th.Wait(ctx); err != nil {
		t.Fatalf("Wait after a 503: %v; want no pause for the others", err)
	}
	if th.Rate() != 0 || th.Found() != 0 {
		t.Errorf("after a 503: rate %v, found %v; want unlimited and nothing learnt", th.Rate(), th.Found())
	}
	th.SlowDown(clk.Now(), 0)
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := th.Wait(short); err == nil {
		t.Error("Wait returned during the pause after a 429")
	}
}

// Success, Failed and Unavailable reach the policy: a burst of 503s
// among few answers cuts the limiter's rate, and the run found nothing.
func TestThrottleBurstOfUnavailableCuts(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(10, clk.Now)
	sent := clk.Now()
	th.Success(50 * time.Millisecond)
	th.Failed()
	for range burstMin + 2 {
		clk.Advance(10 * time.Millisecond)
		th.Unavailable(sent)
	}
	if got := th.Rate(); got != 7 || float64(th.lim.Limit()) != 7 {
		t.Errorf("after a burst of 503s: rate %v, limiter %v; want 7", got, th.lim.Limit())
	}
	if th.Found() != 0 {
		t.Errorf("a burst of 503s set a limit: found %v", th.Found())
	}
}

func TestThrottleAutoStartsCarefullyAndClimbs(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	cfg := &Config{AutoRate: true}
	cfg.setDefaults()
	th := newThrottleWith(pacerFor(cfg), clk.Now)
	if th.Rate() != DefaultAutoStart {
		t.Fatalf("auto starts at %v; want %v", th.Rate(), DefaultAutoStart)
	}
	for range 100 {
		clk.Advance(50 * time.Millisecond)
		th.Success(50 * time.Millisecond)
	}
	if th.Rate() != DefaultMaxRate || float64(th.lim.Limit()) != DefaultMaxRate {
		t.Errorf("auto after 100 fast successes: rate %v, limiter %v; want %v", th.Rate(), th.lim.Limit(), DefaultMaxRate)
	}
}

func TestBackoffFullJitter(t *testing.T) {
	b := backoff{Base: 100 * time.Millisecond, Cap: time.Second}
	cases := []struct {
		attempt    int
		r          float64
		retryAfter time.Duration
		want       time.Duration
	}{
		{1, 0.999999, 0, 99999900 * time.Nanosecond},
		{1, 0.5, 0, 50 * time.Millisecond},
		{3, 0.5, 0, 200 * time.Millisecond},        // up to 400 ms
		{10, 0.5, 0, 500 * time.Millisecond},       // capped at 1 s
		{40, 0.5, 0, 500 * time.Millisecond},       // no overflow
		{1, 0.1, 2 * time.Second, 2 * time.Second}, // Retry-After is a floor
		{5, 0, 0, 0},
	}
	for _, c := range cases {
		b.rand = func() float64 { return c.r }
		if got := b.Wait(c.attempt, c.retryAfter); got != c.want {
			t.Errorf("Wait(attempt %d, r %v, retry-after %v) = %v; want %v", c.attempt, c.r, c.retryAfter, got, c.want)
		}
	}
}

func TestBudgetSpendsAndEarns(t *testing.T) {
	b := newBudget(3, 0.5)
	for i := 0; i < 3; i++ {
		if !b.Spend() {
			t.Fatalf("spend %d refused with tokens left", i)
		}
	}
	if b.Spend() {
		t.Fatal("spent past the budget")
	}
	b.Earn()
	if b.Spend() {
		t.Fatal("half a token bought a retry")
	}
	b.Earn()
	if !b.Spend() {
		t.Fatal("two successes did not earn a retry")
	}
}

func TestGateResizes(t *testing.T) {
	g := newGate(1)
	ctx := context.Background()
	g.Acquire(ctx)
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := g.Acquire(short); err == nil {
		t.Fatal("acquired past the limit")
	}
	done := make(chan struct{})
	go func() { g.Acquire(ctx); close(done) }()
	g.SetLimit(2)
	waitClosed(t, "growing the gate to let a waiter in", done)
	g.Release()
	g.Release()
}

func TestSizerLittlesLaw(t *testing.T) {
	var s sizer
	if got := s.Size(0); got != unlimitedInFlight {
		t.Errorf("unlimited: %d", got)
	}
	s.Observe(time.Second)
	if got, want := s.Size(50), 50*3/2+minInFlight; got != want {
		t.Errorf("50/s at 1 s latency: %d in flight; want %d", got, want)
	}
	s2 := sizer{}
	s2.Observe(10 * time.Millisecond)
	if got := s2.Size(50); got != minInFlight+1 {
		t.Errorf("50/s at 10 ms: %d; want %d", got, minInFlight+1)
	}
	if got := s.Size(100000); got != maxInFlight {
		t.Errorf("capped: %d", got)
	}
}

// A run learns a limit only from 429s: 503s are failed requests, retried
// on their own, and say nothing of the rate the server accepts.
func TestRunLearnsALimitFrom429sNot503s(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  sandbox.Options
		limit bool
	}{
		{"503s", sandbox.Options{P503: 0.3, Seed: 11, RetryAfter: "0"}, false},
		{"429s", sandbox.Options{RateLimit: 20, RetryAfter: "0"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.opts, nil)
			e.customers(30)
			cfg := e.config()
			cfg.Rate, cfg.MaxAttempts, cfg.RetryBudget = 1000, 50, 1000
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			st := e.srv.Stats()
			if sum.Counts[Created] != 30 || st.Unavailable+st.TooMany == 0 {
				t.Fatalf("created %d, %d answered 503 and %d 429; want 30 created after some", sum.Counts[Created], st.Unavailable, st.TooMany)
			}
			if got := sum.FoundRate > 0; got != c.limit {
				t.Errorf("FoundRate = %v after %d answers 503 and %d 429; want a limit learnt: %v", sum.FoundRate, st.Unavailable, st.TooMany, c.limit)
			}
		})
	}
}

// BenchmarkThrottleSuccess is the cost of telling the throttle about one
// success, unlimited (the overhead run) and paced.
func BenchmarkThrottleSuccess(b *testing.B) {
	for _, r := range []float64{0, 1e9} {
		b.Run(fmt.Sprint("rate=", r), func(b *testing.B) {
			clk := &fakeClock{t: time.Unix(0, 0)}
			th := newThrottle(r, clk.Now)
			for b.Loop() {
				clk.Advance(100 * time.Microsecond)
				th.Success(time.Millisecond)
			}
		})
	}
}
