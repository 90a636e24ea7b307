package importer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sbimport/sbimport/sandbox"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// A lone 429 cuts the rate (its row waits its own Retry-After) but
// pauses nobody else; a 429 to a request sent after it, within the wait
// it asked for, means the whole client: every request waits it out.
func TestThrottleRefusedAgainPausesEveryone(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	th := newThrottle(50, clk.Now)
	first := clk.Now()
	clk.Advance(70 * time.Millisecond)
	if pause := th.SlowDown(first, time.Second); pause != 0 {
		t.Fatalf("a lone 429 paused everyone for %v; want only its row to wait", pause)
	}
	if got := th.Rate(); got != 5 {
		t.Fatalf("rate after a 429 at once = %v; want 5 (a tenth of 50)", got)
	}
	// Answers to requests let go before the news are not a second refusal.
	if pause := th.SlowDown(first.Add(20*time.Millisecond), time.Second); pause != 0 || th.Rate() != 5 {
		t.Errorf("a 429 to a request sent before the first came back: pause %v, rate %v; want none and still 5", pause, th.Rate())
	}
	clk.Advance(300 * time.Millisecond)
	mustWait(t, th, "after a lone 429")
	// Sent after the first 429, refused within its Retry-After: everyone waits.
	again := clk.Now()
	clk.Advance(50 * time.Millisecond)
	if pause := th.SlowDown(again, time.Second); pause != time.Second {
		t.Fatalf("refused again within Retry-After: pause %v; want 1s for every request", pause)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := th.Wait(ctx); err == nil {
		t.Error("Wait returned during the pause")
	}
	// After the pause, at the rate it now has (a tenth again: 0.5/s).
	clk.Advance(2 * time.Second)
	mustWait(t, th, "once the pause is over")
}

// mustWait fails unless Wait lets a request go at once.
func mustWait(t *testing.T, th *throttle, when string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	if _, err := th.Wait(ctx); err != nil {
		t.Fatalf("Wait %s: %v; want a request let go", when, err)
	}
}

// A cut applies at once to requests already waiting: nothing is booked
// ahead at the old rate, where they would go on clumping at the server
// after it said to slow down.
func TestThrottleCutAppliesToWaiters(t *testing.T) {
	th := newThrottle(20, time.Now)
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	if _, err := th.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var went []time.Time
	var wg sync.WaitGroup
	for range 4 { // booked at 20/s, these would all go within 200 ms
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := th.Wait(ctx); err == nil {
				mu.Lock()
				went = append(went, time.Now())
				mu.Unlock()
			}
		}()
	}
	time.Sleep(5 * time.Millisecond) // let them queue; fewer queued only weakens the test
	cut := time.Now()
	th.SlowDown(cut, time.Millisecond) // refused at once: 20/s → 2/s
	time.Sleep(300 * time.Millisecond)
	// After the cut, at most the one token the bucket can hold, and what
	// 2/s adds since: however slow the machine, no more may have gone.
	mu.Lock()
	elapsed, after := time.Since(cut), 0
	for _, at := range went {
		if at.After(cut) {
			after++
		}
	}
	mu.Unlock()
	if allowed := int(1 + elapsed.Seconds()*th.Rate()); after > allowed {
		t.Errorf("%d waiting requests went within %v of the cut to %v/s; want at most %d", after, elapsed.Round(time.Millisecond), th.Rate(), allowed)
	}
	cancel()
	wg.Wait()
}

func TestThrottleHoldsUnderALimitItMet(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(20, clk.Now)
	for range 40 {
		clk.Advance(50 * time.Millisecond)
		th.Success(50 * time.Millisecond)
	}
	th.SlowDown(clk.Now().Add(-50*time.Millisecond), time.Second)
	held := th.Rate()
	if held != 19 {
		t.Fatalf("refused after a sustained stretch at 20/s: rate %v; want 19 (just under)", held)
	}
	for range 500 { // 25 s
		clk.Advance(50 * time.Millisecond)
		th.Success(50 * time.Millisecond)
	}
	if th.Rate() != held {
		t.Errorf("rate moved from %v to %v within %v of the 429; want it held", held, th.Rate(), holdFor)
	}
	var steps int
	for th.Rate() < 20 && steps < 100000 {
		clk.Advance(50 * time.Millisecond)
		th.Success(50 * time.Millisecond)
		steps++
	}
	// From 19/s back to 20/s takes hundreds of successes, not a handful:
	// a server limit is approached, not stormed.
	if th.Rate() != 20 || steps < 200 {
		t.Errorf("after the hold: %v after %d successes; want 20 after a gradual climb (≥ 200)", th.Rate(), steps)
	}
	th.Success(50 * time.Millisecond)
	if th.Rate() != 20 {
		t.Errorf("rate went above the target: %v", th.Rate())
	}
}

// A 503 is the row's own failure: nobody else waits for its Retry-After
// and a lone one does not cut the rate.
func TestThrottleLoneUnavailablePausesNobody(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(0, clk.Now)
	th.Unavailable(clk.Now())
	mustWait(t, th, "after a 503")
	if found, _ := th.Found(); th.Rate() != 0 || found != 0 {
		t.Errorf("after a 503: rate %v, found %v; want unlimited and nothing learnt", th.Rate(), found)
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
	if found, _ := th.Found(); found != 0 {
		t.Errorf("a burst of 503s set a limit: found %v", found)
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
		{3, 0.5, 0, 200 * time.Millisecond},                      // up to 400 ms
		{10, 0.5, 0, 500 * time.Millisecond},                     // capped at 1 s
		{40, 0.5, 0, 500 * time.Millisecond},                     // no overflow
		{1, 0.1, 2 * time.Second, 2 * time.Second},               // Retry-After is the wait…
		{6, 0.9, 100 * time.Millisecond, 100 * time.Millisecond}, // …not a floor under the backoff
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

// A run's budget lasts while at most half the requests fail, however
// long the run, and runs out soon when none succeeds.
func TestRunBudgetLastsAtHalfFailing(t *testing.T) {
	b := runBudget(200)
	for i := range 10000 {
		b.Earn()
		if !b.Spend() {
			t.Fatalf("a retry for each success: the budget ran out after %d", i)
		}
	}
	n, fresh := 0, runBudget(200)
	for fresh.Spend() {
		n++
	}
	if n != 200 {
		t.Errorf("with no success: %d retries; want the 200 it started with", n)
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

// Requests in flight when the first 429 comes back are refused too (a
// fixed window refuses everything until it resets), and their 429s come
// back later still. Those must not move the news on: a request sent
// after the first 429 came back and refused within its wait is refused
// again, however many answers to older requests came back meanwhile.
// Were each late 429 to restart the warning, a server whose latency
// exceeds the gap between requests would never pause the run: every
// refusal answers a request sent before the one before it came back,
// and the run would be refused once a request all window long.
func TestThrottleLate429sDoNotHideARefusalAgain(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	th := newThrottle(10, clk.Now)
	start := clk.Now()
	at := func(d time.Duration) time.Time { return start.Add(d) }
	const lat, ra = time.Second, 60 * time.Second
	// Sent at 0, 0.5 s: back at 1 s, 1.5 s.
	clk.t = at(lat)
	if p := th.SlowDown(at(0), ra); p != 0 {
		t.Fatalf("a lone 429 paused everyone for %v", p)
	}
	// The late one asks for less: the first one's wait still stands.
	clk.t = at(lat + 500*time.Millisecond)
	if p := th.SlowDown(at(500*time.Millisecond), time.Second); p != 0 {
		t.Fatalf("a 429 to a request sent before the first came back paused everyone for %v", p)
	}
	// Sent at 3 s, after the first 429 came back; refused at 4 s.
	clk.t = at(lat + 3*time.Second)
	if p := th.SlowDown(at(3*time.Second), ra); p != ra {
		t.Errorf("refused again, sent after the first 429 came back and within its wait: pause %v; want %v for every request", p, ra)
	}
}

// Space waits out a pause that began after Wait let the request go: its
// intent was being written while another request was refused again.
func TestSpaceWaitsOutAPauseThatBeganAfterWait(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	th := newThrottle(10, clk.Now)
	mustWait(t, th, "at the start")
	th.SlowDown(clk.Now(), time.Hour) // the first 429: its row waits
	clk.Advance(time.Millisecond)
	if p := th.SlowDown(clk.Now(), time.Hour); p != time.Hour {
		t.Fatalf("refused again: pause %v; want an hour", p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := th.Space(ctx); err == nil {
		t.Fatal("Space let a request go during the pause")
	}
	clk.Advance(time.Hour + 10*time.Second)
	ctx2, cancel2 := context.WithTimeout(context.Background(), testDeadline)
	defer cancel2()
	if err := th.Space(ctx2); err != nil {
		t.Fatalf("Space after the pause: %v; want the request let go", err)
	}
}

// syncClock is a fakeClock several goroutines may read while the test
// moves it.
type syncClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *syncClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *syncClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Space keeps 1/rate (less the slack) after the previous request actually
// went: one whose timer fired late must not bring the next one closer.
func TestSpaceCountsFromWhenTheLastWent(t *testing.T) {
	t0 := time.Unix(1000, 0)
	clk := &syncClock{t: t0}
	th := newThrottle(10, clk.Now)
	th.pol.ceiling = 20 // a limit is known: gaps of 1/rate less 2.5%, 97.5 ms
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	if err := th.Space(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(50 * time.Millisecond))
	done := make(chan error, 1)
	go func() { done <- th.Space(ctx) }()   // due at 97.5 ms
	clk.Set(t0.Add(130 * time.Millisecond)) // …and it goes late, at 130 ms
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testDeadline):
		t.Fatal("Space never let the second request go")
	}
	clk.Set(t0.Add(131 * time.Millisecond))
	short, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel2()
	// The clock stands still: due at 227.5 ms, the third never goes.
	// (Counted from when the second was due, it would go at 195 ms.)
	if err := th.Space(short); err == nil {
		t.Error("the third request went within 97.5 ms of the second; want the gap counted from when it actually went")
	}
}

// A token taken late counts as taken when it was due, up to the slack, so
// a busy machine's late timers cost no rate; near a known limit the slack
// is small, so no gap comes much closer than 1/rate.
func TestLateTokenCountsAsDue(t *testing.T) {
	for _, c := range []struct {
		name    string
		ceiling float64
		next    time.Duration // when the next token is due, after a take 8 ms late
	}{
		{"no limit known", 0, 200 * time.Millisecond},                      // as if taken at 100 ms
		{"near a limit", 20, 200*time.Millisecond + 5500*time.Microsecond}, // at 105.5 ms: 8 ms late, 2.5 ms made up
	} {
		t.Run(c.name, func(t *testing.T) {
			t0 := time.Unix(1000, 0)
			th := newThrottle(10, func() time.Time { return t0 })
			th.pol.ceiling = c.ceiling
			th.take(t0, time.Time{}) // the bucket is empty at t0
			due := t0.Add(100 * time.Millisecond)
			late := due.Add(8 * time.Millisecond)
			th.take(late, due)
			if got := th.delay(t0.Add(c.next - time.Millisecond)); got <= 0 {
				t.Errorf("a token was there before %v", c.next)
			}
			if got := th.delay(t0.Add(c.next + time.Millisecond)); got > 0 {
				t.Errorf("no token by %v: %v to wait", c.next+time.Millisecond, got)
			}
		})
	}
}

// A request Space holds back, to leave 1/rate after the one before, is
// not yet sent: a pause that begins meanwhile holds it too, and it is
// spaced again after the pause, not let out during it. (Space holds
// requests back longest just after a cut, which is when SalesByte
// refuses again.)
func TestSpaceHoldsThroughAPauseThatBeganWhileItWaited(t *testing.T) {
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clk := &syncClock{t: start}
	th := newThrottle(10, clk.Now)
	th.mu.Lock()
	th.lastSpaced = start // the request before has just left
	th.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	type left struct {
		err error
		at  time.Time
	}
	done := make(chan left, 1)
	go func() {
		err := th.Space(ctx)
		done <- left{err, clk.Now()}
	}()
	th.SlowDown(start, 2*time.Hour) // a lone 429
	if p := th.SlowDown(start, 2*time.Hour); p != 2*time.Hour {
		t.Fatalf("refused again: pause %v; want 2h", p)
	}
	pauseEnd := start.Add(2 * time.Hour)
	clk.Set(start.Add(time.Hour)) // well past its spacing, inside the pause
	wake(th)
	// However slow the machine, a correct Space never lets it go while
	// the clock stands inside the pause.
	select {
	case l := <-done:
		t.Fatalf("Space let the request go %v into a 2h pause (err %v)", l.at.Sub(start), l.err)
	case <-time.After(100 * time.Millisecond):
	}
	clk.Set(start.Add(3 * time.Hour))
	wake(th)
	select {
	case l := <-done:
		if l.err != nil || l.at.Before(pauseEnd) {
			t.Errorf("Space let the request go at %v (err %v); want after the pause, at %v", l.at.Sub(start), l.err, pauseEnd.Sub(start))
		}
	case <-time.After(testDeadline):
		t.Fatal("Space did not let the request go once the pause was over")
	}
}

// wake makes the throttle's waiters look at the clock again.
func wake(th *throttle) {
	th.mu.Lock()
	th.changedLocked()
	th.mu.Unlock()
}

// Many workers waiting, giving up, sending and hearing every kind of
// answer at once: the race detector stays quiet, nobody is left waiting
// once the run is over, and the turn is free for the next request.
func TestThrottleUnderConcurrentUse(t *testing.T) {
	for _, r := range []float64{0, 50} {
		th := newThrottle(r, time.Now)
		th.defaultPause = time.Millisecond
		run, stop := context.WithTimeout(context.Background(), 300*time.Millisecond)
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; run.Err() == nil; n++ {
					ctx, cancel := context.WithTimeout(run, time.Duration((i+n)%7)*time.Millisecond)
					if sent, err := th.Wait(ctx); err == nil && th.Space(ctx) == nil {
						switch (i + n) % 5 {
						case 0:
							th.SlowDown(sent, time.Duration(n%3)*time.Millisecond)
						case 1:
							th.Unavailable(sent)
						case 2:
							th.Failed()
						default:
							th.Success(time.Millisecond)
						}
					}
					cancel()
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		waitClosed(t, fmt.Sprintf("every worker to stop (rate %v)", r), done)
		stop()
		mustWait(t, th, fmt.Sprintf("after the busy run at rate %v", r))
	}
}
