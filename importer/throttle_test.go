package importer

import (
	"context"
	"testing"
	"time"
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
		th.Success()
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
	th.Success()
	if th.Rate() != 20 {
		t.Errorf("rate went above the target: %v", th.Rate())
	}
}

func TestThrottleUnlimitedStartsFromAchievedRate(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(0, clk.Now)
	ctx := context.Background()
	for i := 0; i < 100; i++ { // 100 sends in one second
		th.Wait(ctx)
		clk.Advance(10 * time.Millisecond)
	}
	th.SlowDown(clk.Now(), time.Second)
	if got := th.Rate(); got < 60 || got > 80 {
		t.Errorf("rate after a 429 when unlimited = %v; want about 70 (0.7 × the 100/s achieved)", got)
	}
}

func TestThrottleUnlimitedWithFewSendsOnlyPauses(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(0, clk.Now)
	th.Wait(context.Background())
	th.SlowDown(clk.Now(), time.Second)
	if got := th.Rate(); got != 0 {
		t.Errorf("rate after a 503 on the first request = %v; want still unlimited (one send says nothing of a rate)", got)
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
