package importer

import (
	"math"
	"testing"
	"time"
)

// ev is one answer the policy hears, at a time since the start; sent is
// when its request left (for 429 and 503).
type ev struct {
	kind byte // 's' success, 't' 429, 'u' 503, 'f' another failure
	at   time.Duration
	sent time.Duration
	lat  time.Duration
}

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// play feeds events to p.
func play(p *pacer, evs []ev) {
	for _, e := range evs {
		now := t0.Add(e.at)
		switch e.kind {
		case 's':
			p.Success(now, e.lat)
		case 't':
			p.Throttled(now, t0.Add(e.sent), 0)
		case 'u':
			p.Unavailable(now, t0.Add(e.sent))
		case 'f':
			p.Failed(now)
		}
	}
}

// answers is n answers from start, one every gap, each a 503 when bad(i)
// says so, else a success after lat; each was sent lat before.
func answers(n int, start, gap, lat time.Duration, bad func(i int) bool) []ev {
	out := make([]ev, n)
	for i := range out {
		at := start + time.Duration(i)*gap
		out[i] = ev{kind: 's', at: at, sent: at - lat, lat: lat}
		if bad != nil && bad(i) {
			out[i].kind = 'u'
		}
	}
	return out
}

func never(int) bool { return false }

func cat(parts ...[]ev) []ev {
	var out []ev
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestPacer(t *testing.T) {
	const ms = time.Millisecond
	cases := []struct {
		name     string
		p        *pacer
		evs      []ev
		min, max float64 // the rate after: within [min, max]
		found    float64 // Found() after; -1 = not checked
	}{
		{"a lone 503 does not cut", newPacer(10),
			cat(answers(20, 0, 100*ms, 50*ms, never), []ev{{kind: 'u', at: 2 * time.Second, sent: 1950 * ms}}),
			10, 10, 0},
		{"one 503 in 20, for 40 s, never cuts", newPacer(10),
			answers(400, 0, 100*ms, 50*ms, func(i int) bool { return i%20 == 7 }),
			10, 10, 0},
		{"503s on half the answers are still failed requests (K = 3)", newPacer(10),
			answers(200, 0, 100*ms, 50*ms, func(i int) bool { return i%2 == 0 }),
			10, 10, 0},
		{"a burst of 503s cuts once per round trip, not the ceiling", newPacer(10),
			cat(answers(3, 0, 100*ms, 50*ms, never), answers(8, time.Second, 20*ms, 50*ms, func(int) bool { return true })),
			7, 7, 0},
		{"two 503s for each answer that was not are not a burst", newPacer(10),
			cat(answers(4, 0, 100*ms, 50*ms, never), answers(8, time.Second, 20*ms, 50*ms, func(int) bool { return true })),
			10, 10, 0},
		{"three 503s in a row are not yet a burst", newPacer(10),
			answers(3, 0, 20*ms, 50*ms, func(int) bool { return true }),
			10, 10, 0},
		{"503s spread beyond the window are not a burst", newPacer(10),
			answers(10, 0, time.Second, 50*ms, func(int) bool { return true }),
			10, 10, 0},
		{"a 429 cuts and sets the ceiling", newPacer(50),
			[]ev{{kind: 't', at: 100 * ms, sent: 0}},
			35, 35, 47.5},
		{"429s to requests sent before the cut are not news", newPacer(50),
			[]ev{{kind: 't', at: 100 * ms}, {kind: 't', at: 110 * ms, sent: 50 * ms}, {kind: 't', at: 120 * ms, sent: 90 * ms}},
			35, 35, 47.5},
		{"a 429 after the cut cuts again", newPacer(50),
			[]ev{{kind: 't', at: 100 * ms}, {kind: 't', at: 300 * ms, sent: 200 * ms}},
			24.5, 24.5, 0.95 * 35},
		{"at the known limit after a quiet spell, a 429 cuts by a tenth", newPacer(20),
			cat([]ev{{kind: 't', at: 0}}, answers(400, 100*ms, 20*ms, 50*ms, never), []ev{{kind: 't', at: 8100 * ms, sent: 8050 * ms}}),
			0.9 * 19.5, 0.9 * 20, -1},
		{"a 429 just under the known limit cuts by a tenth and moves the ceiling half way", &pacer{target: 20, cur: 19, floor: minRate, ceiling: 20, lastCut: t0},
			[]ev{{kind: 't', at: 3 * time.Second, sent: 2900 * ms}},
			17.1, 17.1, 0.95 * 19.5},
		{"a 429 well under the known limit is a new, lower limit", &pacer{target: 20, cur: 10, floor: minRate, ceiling: 20, lastCut: t0},
			[]ev{{kind: 't', at: 3 * time.Second, sent: 2900 * ms}},
			7, 7, 0.95 * 10},
		{"the floor holds", newPacer(1),
			answersKind('t', 30, 0, 200*ms),
			minRate, minRate, -1},
		{"after a burst of 503s the rate is regained quickly", newPacer(10),
			cat(answers(8, 0, 20*ms, 50*ms, func(int) bool { return true }), answers(40, time.Second, 100*ms, 50*ms, never)),
			10, 10, 0},
		{"auto climbs while latency is steady and free of 429", newAutoPacer(5, 20),
			answers(30, 0, 100*ms, 50*ms, never),
			20, 20, 20},
		{"auto stops at the most it may", newAutoPacer(5, 20),
			answers(300, 0, 50*ms, 50*ms, never),
			20, 20, 20},
		{"auto does not climb while latency grows", newAutoPacer(5, 50),
			cat(answers(10, 0, 100*ms, 50*ms, never), rising(40, time.Second, 100*ms, 50*ms, 10*ms)),
			10, 11.5, -1},
		{"auto settles under the limit it met", newAutoPacer(5, 50),
			cat(answers(30, 0, 100*ms, 50*ms, never), []ev{{kind: 't', at: 3 * time.Second, sent: 2950 * ms}},
				answers(200, 3100*ms, 50*ms, 50*ms, never)),
			0.9 * 20, 20, 19},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			play(c.p, c.evs)
			if got := c.p.Rate(); got < c.min-1e-9 || got > c.max+1e-9 {
				t.Errorf("rate = %.3f; want %.3f–%.3f", got, c.min, c.max)
			}
			if c.found >= 0 && math.Abs(c.p.Found()-c.found) > 1e-9 {
				t.Errorf("found = %.3f; want %.3f", c.p.Found(), c.found)
			}
		})
	}
}

// answersKind is n answers of one kind, one every gap from start, each to
// a request sent just before it.
func answersKind(kind byte, n int, start, gap time.Duration) []ev {
	out := make([]ev, n)
	for i := range out {
		at := start + time.Duration(i)*gap
		out[i] = ev{kind: kind, at: at, sent: at - time.Millisecond}
	}
	return out
}

// rising is n successes whose latency grows by step each.
func rising(n int, start, gap, lat, step time.Duration) []ev {
	out := answers(n, start, gap, lat, never)
	for i := range out {
		out[i].lat = lat + time.Duration(i+1)*step
	}
	return out
}

func TestPacerUnlimited(t *testing.T) {
	p := newPacer(0)
	if p.Throttled(t0, t0, 0) || p.Rate() != 0 {
		t.Errorf("a 429 with too few sends to know a rate set the rate to %v; want still unlimited", p.Rate())
	}
	if !p.Throttled(t0.Add(time.Second), t0.Add(time.Second), 100) || p.Rate() != 70 {
		t.Errorf("a 429 at 100/s achieved: rate %v; want 70", p.Rate())
	}
	q := newPacer(0)
	play(q, answers(20, 0, 10*time.Millisecond, time.Millisecond, func(int) bool { return true }))
	if q.Rate() != 0 {
		t.Errorf("503s cut an unlimited run to %v; only a 429 gives it a rate", q.Rate())
	}
}

func TestLatencyTrend(t *testing.T) {
	var l latencyTrend
	for range 50 {
		l.Observe(50 * time.Millisecond)
	}
	if l.Growing() {
		t.Fatal("steady latency read as growing")
	}
	l.Observe(52 * time.Millisecond)
	l.Observe(55 * time.Millisecond)
	if l.Growing() {
		t.Error("a few milliseconds of jitter read as growing")
	}
	for range 3 {
		l.Observe(150 * time.Millisecond)
	}
	if !l.Growing() {
		t.Error("latency tripling not read as growing")
	}
	var warm latencyTrend
	warm.Observe(10 * time.Millisecond)
	warm.Observe(500 * time.Millisecond)
	if warm.Growing() {
		t.Error("two answers are not a trend")
	}
}
