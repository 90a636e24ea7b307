package importer

import (
	"math"
	"time"
)

// pacer is the pacing policy: what the rate should be, given what the
// server answered. It is pure: every event carries its own time, and it
// neither reads a clock, nor locks, nor sleeps. The throttle feeds it and
// enforces what it says.
//
// The design follows the AWS SDKs' adaptive retry mode: only a throttling
// answer (429) is a rate limit. It cuts the rate and sets the ceiling,
// the rate the server is known to refuse. A 503 is a failed request: the
// row that got it backs off and is retried on its own, within the retry
// budget. Only when 503s become most of what the server answers (Google's
// client-side throttling rule: more requests than K × those accepted,
// here K = 3, so even half the answers failing is not yet an overload) is
// the server overloaded, and then the rate is cut as well, but the
// ceiling is left alone: an overload says nothing about the limit.
type pacer struct {
	target float64 // the configured rate, or --max-rate when auto; 0 = unlimited
	auto   bool    // climb from the start rate towards target while answers stay good
	cur    float64 // the current rate; 0 = unlimited
	floor  float64

	// ceiling is the rate at which the server last answered 429; 0 =
	// none yet. The rate climbs carefully near it.
	ceiling float64
	// lastCut is when the rate was last cut: answers to requests sent
	// before it say nothing new and do not cut again.
	lastCut time.Time
	// probing (auto) is the fast start: the rate grows by half each
	// second's worth of successes until the first sign of a limit.
	probing bool

	recent []answer // answers in the last burstWindow, oldest first
	lat    latencyTrend
}

// answer is one answer in the burst window.
type answer struct {
	at          time.Time
	unavailable bool
}

const (
	cutFactor     = 0.7
	nearCutFactor = 0.9 // a cut at the known limit
	minRate       = 0.2 // requests/s: the slowest a run ever goes

	// burstWindow, burstMin and burstK decide when 503s are an overload
	// rather than failed requests: at least burstMin of them among the
	// answers of the last burstWindow, and more answers than burstK times
	// the ones that were not 503.
	burstWindow = 2 * time.Second
	burstMin    = 4
	burstK      = 3.0

	// probeGrowth is how much auto's fast start adds per success, in
	// requests/s: half the rate each second's worth of successes.
	probeGrowth = 0.5
	// settleShare is where auto settles, below the rate refused with 429.
	settleShare = 0.95

	// DefaultAutoStart and DefaultMaxRate bound --rate auto.
	DefaultAutoStart = 5.0
	DefaultMaxRate   = 20.0
)

func newPacer(rate float64) *pacer {
	return &pacer{target: rate, cur: rate, floor: minRate}
}

// newAutoPacer starts at start and may climb up to max.
func newAutoPacer(start, max float64) *pacer {
	return &pacer{target: max, cur: min(start, max), floor: minRate, auto: true, probing: true}
}

// Rate is the current rate (0 = unlimited).
func (p *pacer) Rate() float64 { return p.cur }

// Found is the rate this run learnt it can keep: when auto, where it
// settled (just under the limit it met, or the most it was allowed);
// otherwise just under the limit a 429 revealed, or 0 when none did.
func (p *pacer) Found() float64 {
	switch {
	case p.ceiling > 0 && p.target > 0:
		return min(settleShare*p.ceiling, p.target)
	case p.ceiling > 0:
		return settleShare * p.ceiling
	case p.auto:
		return p.cur
	}
	return 0
}

// Success is a request answered at now after latency,
// successfully: the rate may climb.
func (p *pacer) Success(now time.Time, latency time.Duration) {
	if p.cur == 0 {
		return // unlimited: nothing to pace until a 429 gives a rate
	}
	p.remember(now, false)
	p.lat.Observe(latency)
	if p.target > 0 && p.cur >= p.target {
		return
	}
	if p.auto && p.lat.Growing() {
		p.probing = false // the server is queueing: this is near its capacity
		return
	}
	next := p.cur + p.step()
	if p.target > 0 {
		next = min(next, p.target)
	}
	p.cur = next
}

// step is how much one success raises the rate: by about 10% of the
// reference (the ceiling, or else the target) per second's worth of
// successes while no limit is known or well below it, 2% near a limit,
// and a tenth of that above 97% of it, so a limit is regained quickly and
// then approached carefully.
func (p *pacer) step() float64 {
	if p.probing {
		return probeGrowth
	}
	ref := p.ceiling
	if ref == 0 {
		ref = p.target
	}
	if ref == 0 {
		return 0
	}
	s := 0.02 * ref / math.Max(p.cur, 1)
	switch {
	case p.ceiling == 0 || p.cur < 0.9*ref: // no known limit, or well below it
		s *= 5
	case p.cur >= 0.97*p.ceiling:
		s /= 10
	}
	return s
}

// Throttled is a 429 answering a request sent at sentAt: the server's
// limit is the current rate. achieved is the rate actually sent when the
// run is unlimited (0 when too few requests were sent to know it). It
// reports whether the rate was cut.
func (p *pacer) Throttled(now, sentAt time.Time, achieved float64) bool {
	p.remember(now, false)
	p.probing = false
	if sentAt.Before(p.lastCut) {
		return false // answers a request sent before the last cut: no news
	}
	cur := p.cur
	if cur == 0 {
		if achieved <= 0 {
			return false // too few sends to know a rate
		}
		cur = max(achieved, 1)
	}
	factor, ceiling := cutFactor, cur
	if p.ceiling > 0 && cur >= 0.9*p.ceiling && cur <= 1.02*p.ceiling {
		// Refused at the limit already known: the limit is about where it
		// was, and only just exceeded (or a clump of requests, bunched by
		// the network or a busy machine, met it). A small step back; the
		// remembered limit moves only half way down, so such clumps do not
		// ratchet it ever lower.
		factor, ceiling = nearCutFactor, (p.ceiling+cur)/2
	}
	p.ceiling = ceiling
	p.cut(now, cur*factor)
	return true
}

// Unavailable is a 503 answering a request sent at sentAt. One is a failed
// request; only a burst of them (see burstK) cuts the rate, and never the
// ceiling. It reports whether the rate was cut.
func (p *pacer) Unavailable(now, sentAt time.Time) bool {
	if p.cur == 0 {
		return false // unlimited: only a 429 gives it a rate
	}
	p.remember(now, true)
	if !p.burst() || sentAt.Before(p.lastCut) {
		return false
	}
	p.probing = false
	p.cut(now, p.cur*cutFactor)
	return true
}

// Failed is any other answer (a rejected row, a lost connection): it
// counts as answered in the burst window and changes nothing else.
func (p *pacer) Failed(now time.Time) {
	if p.cur > 0 {
		p.remember(now, false)
	}
}

func (p *pacer) cut(now time.Time, r float64) {
	p.lastCut = now
	p.cur = math.Max(r, p.floor)
}

// burst reports whether 503s are an overload: enough of them, and more
// answers than burstK times those that were not 503.
func (p *pacer) burst() bool {
	n, bad := len(p.recent), 0
	for _, a := range p.recent {
		if a.unavailable {
			bad++
		}
	}
	return bad >= burstMin && float64(n) > burstK*float64(n-bad)
}

func (p *pacer) remember(now time.Time, unavailable bool) {
	cut := now.Add(-burstWindow)
	i := 0
	for i < len(p.recent) && p.recent[i].at.Before(cut) {
		i++
	}
	p.recent = append(p.recent[i:], answer{at: now, unavailable: unavailable})
}

// latencyTrend tells whether answers are getting slower: a fast average
// of the latency well above a slow one means requests queue at the
// server, as TCP Vegas reads a growing round trip.
type latencyTrend struct {
	fast, slow time.Duration
	n          int
}

const (
	// latencyGrowth and latencySlack: growing means the fast average
	// exceeds the slow one by a fifth and by at least latencySlack, so
	// the jitter of a busy machine is not taken for a struggling server.
	latencyGrowth = 1.2
	latencySlack  = 10 * time.Millisecond
	latencyWarmup = 8 // answers before a trend is believed
)

func (l *latencyTrend) Observe(d time.Duration) {
	if l.n == 0 {
		l.fast, l.slow = d, d
	} else {
		l.fast += (d - l.fast) / 4
		l.slow += (d - l.slow) / 32
	}
	l.n++
}

// Growing reports whether latency is rising.
func (l *latencyTrend) Growing() bool {
	if l.n < latencyWarmup {
		return false
	}
	return float64(l.fast) > latencyGrowth*float64(l.slow) && l.fast-l.slow >= latencySlack
}
