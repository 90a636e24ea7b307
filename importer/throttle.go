package importer

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle decides when the next request may go. It enforces what the
// pacing policy (pacer) decides: a token bucket (golang.org/x/time/rate,
// burst 1, so requests are evenly spaced) at the policy's rate, and a
// pause every worker waits out after a 429, for its Retry-After. It holds
// the clock and the lock; the policy holds the maths.
//
// Nothing is reserved ahead: the waiters queue for one turn, and the one
// holding it takes a token only when one is there and no pause is on. A
// cut or a pause therefore applies at once to every request not yet let
// go; slots booked at the old rate would go on clumping requests at the
// server after it said to slow down.
type throttle struct {
	mu    sync.Mutex
	clock func() time.Time
	pol   *pacer
	lim   *rate.Limiter
	pause time.Time // nobody sends before this
	// warnedAt and warnedTil: the latest 429 came at warnedAt and asked
	// to wait until warnedTil.
	warnedAt, warnedTil time.Time
	// changed is closed, and replaced, when the rate or the pause changes,
	// so the waiter holding the turn looks again.
	changed chan struct{}
	// turn is held by the one waiter claiming the next request's slot.
	turn chan struct{}
	// window of recent sends, to know the achieved rate when unlimited
	sent []time.Time
	// lastSpaced is when Space last let a request go.
	lastSpaced time.Time
	// defaultPause is the pause when the server gives no Retry-After.
	defaultPause time.Duration
}

const (
	defaultPause  = time.Second
	recentSendWin = 2 * time.Second
	// minRateSamples is how many recent sends an unlimited run needs
	// before a 429 turns into a rate limit.
	minRateSamples = 10
)

// newThrottle paces requests at r per second (0 = unlimited until a 429).
func newThrottle(r float64, clock func() time.Time) *throttle {
	return newThrottleWith(newPacer(r), clock)
}

func newThrottleWith(p *pacer, clock func() time.Time) *throttle {
	t := &throttle{clock: clock, pol: p, defaultPause: defaultPause,
		changed: make(chan struct{}), turn: make(chan struct{}, 1)}
	if r := p.Rate(); r > 0 {
		t.lim = rate.NewLimiter(rate.Limit(r), 1)
	}
	return t
}

// Rate is the current rate (0 = unlimited).
func (t *throttle) Rate() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pol.Rate()
}

// Found is the rate the run learnt it can keep (see pacer.Found).
func (t *throttle) Found() (rate float64, atLimit bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pol.Found(), t.pol.AtLimit()
}

// Wait blocks until a request may be sent, and returns when it was let go.
func (t *throttle) Wait(ctx context.Context) (time.Time, error) {
	select {
	case t.turn <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	defer func() { <-t.turn }()
	var due time.Time // when the token was due, as last worked out
	for {
		t.mu.Lock()
		now := t.clock()
		d := t.delay(now)
		if d <= 0 {
			t.take(now, due)
			t.mu.Unlock()
			return now, ctx.Err()
		}
		due = now.Add(d)
		changed := t.changed
		t.mu.Unlock()
		if err := sleepOrChange(ctx, d, changed); err != nil {
			return time.Time{}, err
		}
	}
}

// slack is the share of 1/rate by which a request may follow the one
// before it closer than 1/rate, so that a timer firing late (a busy
// machine) costs no rate: half while no limit is known, where keeping the
// rate asked for matters; 2.5% once SalesByte has refused a rate, where
// the rate is kept 5% under the limit and each gap must stay above it.
func (t *throttle) slack() float64 {
	if t.pol.ceiling > 0 {
		return 0.025
	}
	return 0.5
}

// interval is 1/rate, or 0 when unlimited.
func (t *throttle) interval() time.Duration {
	if cur := t.pol.Rate(); cur > 0 {
		return time.Duration(float64(time.Second) / cur)
	}
	return 0
}

// delay is how long the next request must still wait at now: out the
// pause, then for a token.
func (t *throttle) delay(now time.Time) time.Duration {
	if d := t.pause.Sub(now); d > 0 {
		return d
	}
	if t.lim == nil {
		return 0
	}
	missing := 1 - t.lim.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return max(time.Duration(missing/float64(t.lim.Limit())*float64(time.Second)), time.Microsecond)
}

// take lets one request go at now, its token due at due (zero: not
// known). A token taken late is counted as taken when it was due, up to
// the slack, so the next is due that much sooner.
func (t *throttle) take(now, due time.Time) {
	if t.lim != nil {
		at := now
		if !due.IsZero() && due.Before(now) {
			at = latest(due, now.Add(-time.Duration(t.slack()*float64(t.interval()))))
		}
		t.lim.AllowN(at, 1)
	}
	if t.pol.target == 0 {
		t.recordSend(now)
	}
}

// changedLocked wakes the waiter holding the turn, to look again.
func (t *throttle) changedLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// Space spreads out requests that Wait let go evenly but that then left
// together (their intents were fsynced by one group commit): each goes at
// least 1/rate (less the slack) after the one before actually went, so the
// server never sees a clump that its own token bucket would answer with
// 429. The average rate is Wait's. A pause that began after Wait let the
// request go, or while Space held it back, is waited out too.
func (t *throttle) Space(ctx context.Context) error {
	for {
		t.mu.Lock()
		now := t.clock()
		gap := time.Duration((1 - t.slack()) * float64(t.interval()))
		at := latest(now, t.pause, t.lastSpaced.Add(gap))
		if !at.After(now) {
			t.lastSpaced = now
			t.mu.Unlock()
			return ctx.Err()
		}
		changed := t.changed
		t.mu.Unlock()
		if err := sleepOrChange(ctx, at.Sub(now), changed); err != nil {
			return err
		}
	}
}

func latest(ts ...time.Time) time.Time {
	l := ts[0]
	for _, t := range ts[1:] {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// sleepOrChange sleeps for d, or until changed is closed (a nil changed
// never is), or until ctx is done.
func sleepOrChange(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
		return nil
	case <-tm.C:
		return nil
	}
}

// sleep sleeps for d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error { return sleepOrChange(ctx, d, nil) }

func (t *throttle) recordSend(now time.Time) {
	cut := now.Add(-recentSendWin)
	i := 0
	for i < len(t.sent) && t.sent[i].Before(cut) {
		i++
	}
	t.sent = append(t.sent[i:], now)
}

// achieved is the rate sent lately when unlimited; 0 when too few
// requests were sent to know it.
func (t *throttle) achieved(now time.Time) float64 {
	if len(t.sent) < minRateSamples {
		return 0
	}
	span := min(recentSendWin, now.Sub(t.sent[0]))
	return float64(len(t.sent)) / max(span.Seconds(), 0.001)
}

// SlowDown reacts to a 429 answering a request sent at sentAt: the server
// limits the rate. Every worker pauses until retryAfter has passed, and
// the policy cuts the rate, once per round trip.
func (t *throttle) SlowDown(sentAt time.Time, retryAfter time.Duration) time.Duration {
	if retryAfter <= 0 {
		retryAfter = t.defaultPause
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock()
	// Refused again although it was sent after an earlier 429 and within
	// the wait that one asked for: the server means the whole client.
	insist := !sentAt.Before(t.warnedAt) && sentAt.Before(t.warnedTil)
	if t.pol.Throttled(now, sentAt, t.achieved(now)) {
		t.apply()
	}
	until := now.Add(retryAfter)
	if !insist {
		// The news is the first 429 of a wait: later ones to requests
		// sent before it came back extend the wait, not the news.
		if !now.Before(t.warnedTil) {
			t.warnedAt = now
		}
		t.warnedTil = latest(t.warnedTil, until)
		return 0
	}
	if until.After(t.pause) {
		t.pause = until
		t.changedLocked()
	}
	return retryAfter
}

// Unavailable reacts to a 503 answering a request sent at sentAt: nobody
// else pauses (the row that got it waits its own Retry-After); the rate
// is cut only when 503s come in a burst.
func (t *throttle) Unavailable(sentAt time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pol.Unavailable(t.clock(), sentAt) {
		t.apply()
	}
}

// Success is a request answered successfully after latency: the rate
// may climb.
func (t *throttle) Success(latency time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	before := t.pol.Rate()
	t.pol.Success(t.clock(), latency)
	if t.pol.Rate() != before {
		t.apply()
	}
}

// Failed is any other answer: it counts towards telling a burst of 503s
// from a lone one.
func (t *throttle) Failed() {
	t.mu.Lock()
	t.pol.Failed(t.clock())
	t.mu.Unlock()
}

// apply sets the limiter to the policy's rate.
func (t *throttle) apply() {
	r := t.pol.Rate()
	defer t.changedLocked()
	if t.lim == nil {
		t.lim = rate.NewLimiter(rate.Limit(r), 1)
		return
	}
	t.lim.SetLimitAt(t.clock(), rate.Limit(r))
}

// gate is a counting semaphore whose size can change while it is in use:
// it bounds the requests in flight.
type gate struct {
	mu    sync.Mutex
	cond  *sync.Cond
	limit int
	inUse int
}

func newGate(n int) *gate {
	g := &gate{limit: n}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *gate) Acquire(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inUse < g.limit {
		g.inUse++
		return nil
	}
	stop := context.AfterFunc(ctx, func() {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	})
	defer stop()
	for g.inUse >= g.limit {
		if err := ctx.Err(); err != nil {
			return err
		}
		g.cond.Wait()
	}
	g.inUse++
	return nil
}

func (g *gate) Release() {
	g.mu.Lock()
	g.inUse--
	g.cond.Signal()
	g.mu.Unlock()
}

func (g *gate) SetLimit(n int) {
	g.mu.Lock()
	if n > g.limit {
		g.cond.Broadcast()
	}
	g.limit = n
	g.mu.Unlock()
}

// sizer sizes the gate by Little's law: requests in flight = rate × latency,
// with headroom so that slow answers never hold the rate down.
type sizer struct {
	mu      sync.Mutex
	ewma    time.Duration // smoothed latency
	samples int
}

const (
	minInFlight       = 4
	maxInFlight       = 1024
	unlimitedInFlight = 32
)

func (s *sizer) Observe(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.samples == 0 {
		s.ewma = d
	} else {
		s.ewma += (d - s.ewma) / 8
	}
	s.samples++
}

// Size is the in-flight bound for rate r (0 = unlimited).
func (s *sizer) Size(r float64) int {
	if r <= 0 {
		return unlimitedInFlight
	}
	s.mu.Lock()
	lat := s.ewma
	s.mu.Unlock()
	if lat <= 0 {
		lat = time.Second // assume slow until measured
	}
	n := int(math.Ceil(r*lat.Seconds()*1.5)) + minInFlight
	return min(max(n, minInFlight), maxInFlight)
}

// pacerFor is the pacing policy a run's configuration asks for.
func pacerFor(cfg *Config) *pacer {
	if cfg.AutoRate {
		return newAutoPacer(cfg.Rate, cfg.MaxRate)
	}
	return newPacer(cfg.Rate)
}
