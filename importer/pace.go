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
// budget. Only when 503s become over two thirds of what the server answers
// (Google's client-side throttling rule: more requests than K × those
// accepted, here K = 3, so even half the answers failing is not yet an
// overload) is
// the server overloaded, and then the rate is cut as well, but the
// ceiling is left alone: an overload says nothing about the limit.
//
// A 429 costs more than a request sent a little below the limit: its row
// waits out the Retry-After, and a second one within that wait pauses the
// whole run (see throttle), for as long as a real server likes. Hence how a
// 429 is read, at the rate its request was sent at:
//
//   - The first, before a second's worth of successes: the run is over the
//     limit by an unknown amount (a token bucket refuses the second request
//     of any rate above its own). It starts again at a tenth of that rate
//     and climbs fast (half again each second, as TCP's slow start) until
//     the next 429, which marks the limit closely: between the last two
//     rates. The rate settles just under it.
//   - After a sustained stretch: the limit is about the current rate. It
//     becomes the ceiling, and the rate settles just under it.
//   - Before the rate was sustained, later on: still over, or a clump of
//     requests (a busy machine or network). A step back of a tenth, then
//     of 30%, then of half for each one in a row, so a limit that fell is
//     found in a few steps and a lone clump costs little.
//
// Just under the ceiling the rate holds for holdFor, then probes above it
// slowly.
type pacer struct {
	target float64 // the configured rate, or --max-rate when auto; 0 = unlimited
	auto   bool    // climb from the start rate towards target while answers stay good
	cur    float64 // the current rate; 0 = unlimited
	floor  float64

	// ceiling is the limit the server's 429s point to (the rate refused,
	// or between the last two when climbing); 0 = none yet. The rate
	// settles just under it and climbs carefully near it.
	ceiling float64
	// lastCut is when the rate was last cut: answers to requests sent
	// before it say nothing new and do not cut again.
	lastCut time.Time
	// probing is the fast climb (auto's start, or after starting again
	// low): the rate grows by half each second's worth of successes until
	// the first sign of a limit.
	probing bool
	// wins counts the successes since the last cut; strikes, the 429s in
	// a row that came before the rate was sustained (see Throttled).
	wins    int
	strikes int

	// marks are the latest changes of the rate, oldest first; before
	// them the rate was early. A 429 is read at the rate its request was
	// sent at: while climbing, the rate has moved on by its answer.
	marks []rateMark
	early float64

	recent []answer // answers in the last burstWindow, oldest first
	lat    latencyTrend
}

// rateMark is a change of the rate: from at on, the rate was rate.
type rateMark struct {
	at   time.Time
	rate float64
}

// maxMarks bounds the changes remembered: at 50 requests/s, the last few
// seconds' worth, more than any answer takes to come back but for a
// request that timed out, whose rate then reads a little high.
const maxMarks = 256

// answer is one answer in the burst window.
type answer struct {
	at          time.Time
	unavailable bool
}

const (
	cutFactor     = 0.7
	nearCutFactor = 0.9
	minRate       = 0.2 // requests/s: the slowest a run ever goes
	// restartShare is where a run refused at once starts again, as a
	// share of the refused rate.
	restartShare = 0.1
	// holdFor is how long the rate stays just under a limit it met
	// before it probes above it again.
	holdFor = 30 * time.Second

	// burstWindow, burstMin and burstK decide when 503s are an overload
	// rather than failed requests: at least burstMin of them among the
	// answers of the last burstWindow, and more answers than burstK times
	// the ones that were not 503.
	burstWindow = 5 * time.Second
	burstMin    = 4
	burstK      = 3.0

	// probeGrowth is how much the fast climb adds per success, in
	// requests/s: half the rate each second's worth of successes.
	probeGrowth = 0.5
	// settleShare is where the rate settles, below the rate refused with
	// 429.
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

// AtLimit reports whether Found is just under a limit SalesByte showed
// with 429s, rather than the fastest rate sent without one.
func (p *pacer) AtLimit() bool { return p.ceiling > 0 && !p.probing }

// Found is the rate this run learnt it can keep: when auto, where it
// settled (just under the limit it met, or the most it was allowed);
// otherwise just under the limit a 429 revealed, or 0 when none did; while
// it climbs again after a refusal, the fastest rate it has sustained.
func (p *pacer) Found() float64 {
	switch {
	case p.probing:
		return p.cur // climbing: the fastest rate not refused yet
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
	p.wins++
	if p.sustained() {
		p.strikes = 0
	}
	if p.target > 0 && p.cur >= p.target {
		return
	}
	if p.auto && p.lat.Growing() {
		p.probing = false // the server is queueing: this is near its capacity
		return
	}
	next := p.cur + p.step(now)
	if p.target > 0 {
		next = min(next, p.target)
	}
	if next != p.cur {
		p.set(now, next)
	}
}

// set makes r the rate from now on.
func (p *pacer) set(now time.Time, r float64) {
	if len(p.marks) == maxMarks {
		p.early = p.marks[0].rate
		p.marks = append(p.marks[:0], p.marks[1:]...)
	} else if len(p.marks) == 0 {
		p.early = p.cur
	}
	p.cur = r
	p.marks = append(p.marks, rateMark{at: now, rate: r})
}

// rateAt is the rate requests were sent at, at t, and the rate before
// that one.
func (p *pacer) rateAt(t time.Time) (at, before float64) {
	for i := len(p.marks) - 1; i >= 0; i-- {
		if !p.marks[i].at.After(t) {
			before = p.early
			if i > 0 {
				before = p.marks[i-1].rate
			}
			return p.marks[i].rate, before
		}
	}
	if len(p.marks) == 0 {
		return p.cur, p.cur
	}
	return p.early, p.early
}

// sustained reports whether the rate has held for a second's worth of
// successes since the last cut.
func (p *pacer) sustained() bool {
	return float64(p.wins) >= max(p.cur, 2)
}

// step is how much one success raises the rate: fast while probing; by
// about 10% of the reference (the ceiling, or else the target) per
// second's worth of successes while no limit is known or well below it;
// 2% nearer; nothing just under a limit met within holdFor, and a tenth
// of 2% after that, so a limit is regained quickly, then held, then
// probed carefully.
func (p *pacer) step(now time.Time) float64 {
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
	case p.cur >= settleShare*p.ceiling && now.Sub(p.lastCut) < holdFor:
		s = 0
	case p.cur >= settleShare*p.ceiling:
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
	if sentAt.Before(p.lastCut) {
		return false // answers a request sent before the last cut: no news
	}
	cur, before := p.rateAt(sentAt)
	if cur == 0 {
		if achieved <= 0 {
			return false // too few sends to know a rate
		}
		cur = max(achieved, 1)
	}
	switch {
	case p.ceiling == 0 && !p.sustained():
		// The first refusal, at once: over the limit by an unknown
		// amount. Start low and climb fast.
		p.ceiling = cur
		p.probing = true
		p.cut(now, cur*restartShare)
	case p.probing && p.sustained():
		// Climbing fast, refused: the limit lies between this rate and
		// the one before it.
		p.ceiling = (cur + min(before, cur)) / 2
		p.settle(now, settleShare*p.ceiling)
	case p.sustained():
		// Refused after a sustained stretch: the limit is about here.
		p.ceiling = p.nearer(cur)
		p.settle(now, min(settleShare*p.ceiling, cur*settleShare))
	default:
		// Refused before the rate was sustained: still over the limit,
		// or a clump of requests. Step back, further each time in a row.
		p.strikes++
		p.ceiling = p.nearer(cur)
		p.settle(now, cur*strikeFactor(p.strikes))
	}
	return true
}

// strikeFactor is the cut for the n-th 429 in a row before the rate was
// sustained: a tenth, then more, then half, so a limit that fell far is
// found in a few steps and a lone clump costs little.
func strikeFactor(n int) float64 {
	switch n {
	case 1:
		return nearCutFactor
	case 2:
		return cutFactor
	}
	return 0.5
}

// settle cuts the rate to r, ends any fast climb, and holds there.
func (p *pacer) settle(now time.Time, r float64) {
	p.probing = false
	p.cut(now, r)
}

// nearer is the ceiling after a 429 at cur: cur, but when cur is about
// the limit already known, the remembered limit moves only half way down,
// so clumps of requests (bunched by the network or a busy machine) do not
// ratchet it ever lower.
func (p *pacer) nearer(cur float64) float64 {
	if p.ceiling > 0 && cur >= 0.9*p.ceiling && cur <= 1.02*p.ceiling {
		return (p.ceiling + cur) / 2
	}
	return cur
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

// cut makes r the rate from now on. The burst window starts afresh: the
// answers that led to a cut do not lead to the next.
func (p *pacer) cut(now time.Time, r float64) {
	p.lastCut = now
	p.wins = 0
	p.recent = p.recent[:0]
	p.set(now, math.Max(r, p.floor))
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
