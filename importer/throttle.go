package importer

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle decides when the next request may go. It wraps a token bucket
// (golang.org/x/time/rate, burst 1, so requests are evenly spaced) with a
// shared pause and AIMD control: a 429 or 503 pauses every worker until
// Retry-After and cuts the rate; a run of successes raises it again,
// gradually, never above what the user configured.
type throttle struct {
	mu     sync.Mutex
	clock  func() time.Time
	target float64 // configured rate; 0 = unlimited
	cur    float64 // current rate; 0 = unlimited
	lim    *rate.Limiter
	pause  time.Time // nobody sends before this
	// lastCut is when the rate was last cut: answers to requests sent
	// before it say nothing new and do not cut again.
	lastCut time.Time
	// ceiling is the rate at which the server last pushed back; the rate
	// climbs more slowly near it.
	ceiling float64
	// window of recent sends, to know the achieved rate when unlimited
	sent  []time.Time
	floor float64
	// lastSpaced is when Space last let a request go.
	lastSpaced time.Time
	// defaultPause is the pause when the server gives no Retry-After.
	defaultPause time.Duration
}

const (
	cutFactor     = 0.7
	nearCutFactor = 0.9             // a cut at the known limit after a quiet spell
	nearCutQuiet  = 5 * time.Second // how long without a cut makes a spell quiet
	minRate       = 0.2             // requests/s: the slowest a run ever goes
	defaultPause  = time.Second
	recentSendWin = 2 * time.Second
	// minRateSamples is how many recent sends an unlimited run needs
	// before a pushback turns into a rate limit.
	minRateSamples = 10
)

func newThrottle(r float64, clock func() time.Time) *throttle {
	t := &throttle{clock: clock, target: r, cur: r, floor: minRate, defaultPause: defaultPause}
	if r > 0 {
		t.lim = rate.NewLimiter(rate.Limit(r), 1)
	}
	return t
}

// Rate is the current rate (0 = unlimited).
func (t *throttle) Rate() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}

// Wait blocks until a request may be sent, and returns when it was let go.
func (t *throttle) Wait(ctx context.Context) (time.Time, error) {
	for {
		t.mu.Lock()
		pause := t.pause
		lim := t.lim
		t.mu.Unlock()
		if d := pause.Sub(t.clock()); d > 0 {
			tm := time.NewTimer(d)
			select {
			case <-ctx.Done():
				tm.Stop()
				return time.Time{}, ctx.Err()
			case <-tm.C:
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
		if t.target == 0 {
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
	if t.cur <= 0 {
		t.mu.Unlock()
		return ctx.Err()
	}
	gap := time.Duration(float64(time.Second) / t.cur)
	now := t.clock()
	at := t.lastSpaced.Add(gap)
	if at.Before(now) {
		at = now
	}
	t.lastSpaced = at
	t.mu.Unlock()
	d := at.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
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

// SlowDown reacts to a 429 or 503 answering a request sent at sentAt: every
// worker pauses until retryAfter has passed, and the rate is cut, once per
// round trip (answers to requests sent before the last cut are not news).
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
	if sentAt.Before(t.lastCut) {
		return
	}
	cur := t.cur
	if cur == 0 { // unlimited so far: start from what was achieved
		if len(t.sent) < minRateSamples {
			return // too few sends to know a rate: the pause alone must do
		}
		span := recentSendWin
		if len(t.sent) > 1 {
			span = min(span, now.Sub(t.sent[0]))
		}
		cur = max(float64(len(t.sent))/max(span.Seconds(), 0.001), 1)
	}
	factor := cutFactor
	if !t.lastCut.IsZero() && now.Sub(t.lastCut) > nearCutQuiet && t.ceiling > 0 && cur >= 0.95*t.ceiling {
		// A while without trouble, then pushed back at the limit learnt
		// before: the limit is where it was, and only just exceeded.
		factor = nearCutFactor
	}
	t.lastCut = now
	t.ceiling = cur
	t.setRate(math.Max(cur*factor, t.floor))
}

// Success lets the rate creep back towards the target after a cut: by about
// 10% of the ceiling per second's worth of successes below 90% of it, 2%
// up to 97%, and a tenth of that above, so a server limit is regained
// quickly and then approached carefully, not stormed.
func (t *throttle) Success() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ceiling == 0 || (t.target > 0 && t.cur >= t.target) {
		return
	}
	step := 0.02 * t.ceiling / math.Max(t.cur, 1)
	switch {
	case t.cur < t.ceiling*0.9:
		step *= 5 // well below the limit: back near it within about 2 s
	case t.cur >= t.ceiling*0.97:
		step /= 10
	}
	next := t.cur + step
	if t.target > 0 && next >= t.target {
		next = t.target
	}
	t.setRate(next)
}

func (t *throttle) setRate(r float64) {
	t.cur = r
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
