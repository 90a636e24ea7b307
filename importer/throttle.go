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
type throttle struct {
	mu    sync.Mutex
	clock func() time.Time
	pol   *pacer
	lim   *rate.Limiter
	pause time.Time // nobody sends before this
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
	t := &throttle{clock: clock, pol: p, defaultPause: defaultPause}
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
func (t *throttle) Found() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pol.Found()
}

// Wait blocks until a request may be sent, and returns when it was let go.
func (t *throttle) Wait(ctx context.Context) (time.Time, error) {
	for {
		t.mu.Lock()
		pause := t.pause
		lim := t.lim
		t.mu.Unlock()
		if d := pause.Sub(t.clock()); d > 0 {
			if err := sleep(ctx, d); err != nil {
				return time.Time{}, err
			}
			continue
		}
		if lim != nil {
			if err := lim.Wait(ctx); err != nil {
				return time.Time{}, err
			}
		} else if err := ctx.Err(); err != nil {
			return time.Time{}, err
		}
		// A pause that began while we waited on the limiter wins.
		t.mu.Lock()
		if t.pause.After(t.clock()) {
			t.mu.Unlock()
			continue
		}
		now := t.clock()
		if t.pol.target == 0 {
			t.recordSend(now)
		}
		t.mu.Unlock()
		return now, nil
	}
}

// Space spreads out requests that Wait let go evenly but that then left
// together (their intents were fsynced by one group commit): each goes at
// least 1/rate after the one before, so the server never sees a clump that
// its own token bucket would answer with 429. The average rate is Wait's.
func (t *throttle) Space(ctx context.Context) error {
	t.mu.Lock()
	cur := t.pol.Rate()
	if cur <= 0 {
		t.mu.Unlock()
		return ctx.Err()
	}
	gap := time.Duration(float64(time.Second) / cur)
	now := t.clock()
	at := t.lastSpaced.Add(gap)
	if at.Before(now) {
		at = now
	}
	t.lastSpaced = at
	t.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}

func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

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
func (t *throttle) SlowDown(sentAt time.Time, retryAfter time.Duration) {
	if retryAfter <= 0 {
		retryAfter = t.defaultPause
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock()
	if until := now.Add(retryAfter); until.After(t.pause) {
		t.pause = until
	}
	if t.pol.Throttled(now, sentAt, t.achieved(now)) {
		t.apply()
	}
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
