package importer

import (
	"math"
	"math/rand/v2"
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

// coin says bad for half the answers, at random (seeded).
func coin(seed uint64) func(int) bool {
	r := rand.New(rand.NewPCG(seed, seed))
	return func(int) bool { return r.IntN(2) == 0 }
}

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
			answers(10, 0, burstWindow+time.Second, 50*ms, func(int) bool { return true }),
			10, 10, 0},
		{"refused at once, it starts again at a tenth and climbs fast", newPacer(50),
			[]ev{{kind: 't', at: 100 * ms, sent: 0}},
			5, 5, 5},
		{"429s to requests sent before the cut are not news", newPacer(50),
			[]ev{{kind: 't', at: 100 * ms}, {kind: 't', at: 110 * ms, sent: 50 * ms}, {kind: 't', at: 120 * ms, sent: 90 * ms}},
			5, 5, 5},
		{"refused at once again while climbing, it steps back", newPacer(50),
			[]ev{{kind: 't', at: 100 * ms}, {kind: 't', at: 400 * ms, sent: 300 * ms}},
			4.5, 4.5, 0.95 * 5},
		{"climbing fast, a 429 settles under the middle of the last two rates", newPacer(50),
			cat([]ev{{kind: 't', at: 100 * ms}}, answers(10, 300*ms, 100*ms, 50*ms, never), []ev{{kind: 't', at: 1350 * ms, sent: 1300 * ms}}),
			0.95 * 9.75, 0.95 * 9.75, 0.95 * 9.75},
		{"climbing fast, a slow 429 is read at the rate its request was sent at", newPacer(50),
			cat([]ev{{kind: 't', at: 100 * ms}}, answers(10, 300*ms, 100*ms, 50*ms, never), []ev{{kind: 't', at: 1350 * ms, sent: 600 * ms}}),
			0.95 * 6.75, 0.95 * 6.75, 0.95 * 6.75},
		{"sent before the changes it remembers, a 429 reads the oldest rate it kept", newPacer(1000),
			cat([]ev{{kind: 't', at: 100 * ms}}, answers(300, 200*ms, 10*ms, 5*ms, never), []ev{{kind: 't', at: 3200 * ms, sent: 400 * ms}}),
			0.95 * 110.5, 0.95 * 122, -1},
		{"503s further apart than 5 s in all are not a burst", newPacer(10),
			answers(4, 0, 1800*ms, 50*ms, func(int) bool { return true }),
			10, 10, 0},
		{"after a cut for 503s, the evidence starts afresh", newPacer(10),
			cat(answers(3, 0, 100*ms, 50*ms, never), answers(7, time.Second, 20*ms, 50*ms, func(int) bool { return true }),
				answers(3, 2*time.Second, 100*ms, 50*ms, func(int) bool { return true })),
			7, 7, 0},
		{"503s to requests sent before a cut do not cut again", newPacer(10),
			cat(answers(3, 0, 100*ms, 50*ms, never), answers(7, time.Second, 20*ms, 50*ms, func(int) bool { return true }),
				answers(4, 1140*ms, 20*ms, 300*ms, func(int) bool { return true })),
			7, 7, 0},
		{"refused after a sustained stretch: the limit is about here", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}}),
			19, 19, 19},
		{"just under a limit it met, the rate holds", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}},
				answers(500, 3*time.Second, 50*ms, 50*ms, never)),
			19, 19, 19},
		{"after a quiet spell it probes above, slowly", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}},
				answers(800, 3*time.Second, 50*ms, 50*ms, never)),
			19.05, 19.5, 19},
		{"a 429 at the known limit after a sustained stretch moves the ceiling half way", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}},
				answers(40, 3*time.Second, 50*ms, 50*ms, never), []ev{{kind: 't', at: 5100 * ms, sent: 5050 * ms}}),
			0.95 * 19, 0.95 * 19, 0.95 * 19.5},
		{"refused at once at a rate it had sustained: a step back, not a restart", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}},
				answers(5, 3*time.Second, 50*ms, 50*ms, never), []ev{{kind: 't', at: 3300 * ms, sent: 3250 * ms}}),
			0.9 * 19, 0.9 * 19, 0.95 * 19.5},
		{"refused at once twice in a row: a bigger step", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}},
				answers(5, 3*time.Second, 50*ms, 50*ms, never), []ev{{kind: 't', at: 3300 * ms, sent: 3250 * ms}},
				[]ev{{kind: 't', at: 3500 * ms, sent: 3400 * ms}}),
			0.7 * 0.9 * 19, 0.7 * 0.9 * 19, 0.95 * 0.9 * 19},
		{"three times: half, so a limit that fell far is found in a few steps", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}},
				answers(5, 3*time.Second, 50*ms, 50*ms, never), []ev{{kind: 't', at: 3300 * ms, sent: 3250 * ms}},
				[]ev{{kind: 't', at: 3500 * ms, sent: 3400 * ms}}, []ev{{kind: 't', at: 3700 * ms, sent: 3600 * ms}}),
			0.5 * 0.7 * 0.9 * 19, 0.5 * 0.7 * 0.9 * 19, 0.95 * 0.7 * 0.9 * 19},
		{"sustained again, the steps start small again", newPacer(20),
			cat(answers(40, 0, 50*ms, 50*ms, never), []ev{{kind: 't', at: 2100 * ms, sent: 2050 * ms}},
				answers(5, 3*time.Second, 50*ms, 50*ms, never), []ev{{kind: 't', at: 3300 * ms, sent: 3250 * ms}},
				answers(40, 4*time.Second, 50*ms, 50*ms, never), []ev{{kind: 't', at: 6100 * ms, sent: 6050 * ms}},
				answers(5, 7*time.Second, 50*ms, 50*ms, never), []ev{{kind: 't', at: 7300 * ms, sent: 7250 * ms}}),
			0.9 * 0.95 * 17.1, 0.9 * 0.95 * 19.5, -1},
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
			0.95 * 19.75, 0.95 * 19.75, 0.95 * 19.75},
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

// Half the answers 503 at random, for a minute, are failed requests: a
// chance run of them may cut the rate for a while (more than two thirds
// in the window), but the rate stays near what was asked, whatever the
// dice.
func TestPacerHalfRandom503sCostLittle(t *testing.T) {
	for seed := uint64(1); seed <= 100; seed++ {
		p := newPacer(10)
		var sum float64
		evs := answers(600, 0, 100*time.Millisecond, 50*time.Millisecond, coin(seed))
		for _, e := range evs {
			play(p, []ev{e})
			sum += p.Rate()
		}
		if mean := sum / float64(len(evs)); mean < 8 {
			t.Fatalf("seed %d: mean rate %.2f over a minute of half the answers 503; want ≥ 8 of 10", seed, mean)
		}
	}
}

// Found is just under a limit only once a 429 marked one and the rate
// settled under it: not while it climbs again after a first refusal, and
// not at --max-rate with no refusal at all.
func TestPacerFoundAtLimit(t *testing.T) {
	const ms = time.Millisecond
	for _, c := range []struct {
		name string
		p    *pacer
		evs  []ev
		want bool
	}{
		{"auto at its most, never refused", newAutoPacer(5, 20), answers(300, 0, 50*ms, 50*ms, never), false},
		{"climbing again after a first refusal", newPacer(50), []ev{{kind: 't', at: 100 * ms}}, false},
		{"settled under the limit it met", newPacer(50),
			cat([]ev{{kind: 't', at: 100 * ms}}, answers(10, 300*ms, 100*ms, 50*ms, never), []ev{{kind: 't', at: 1350 * ms, sent: 1300 * ms}}), true},
	} {
		play(c.p, c.evs)
		if got := c.p.AtLimit(); got != c.want {
			t.Errorf("%s: AtLimit = %v; want %v (found %.2f)", c.name, got, c.want, c.p.Found())
		}
	}
}

func TestPacerUnlimited(t *testing.T) {
	p := newPacer(0)
	if p.Throttled(t0, t0, 0) || p.Rate() != 0 {
		t.Errorf("a 429 with too few sends to know a rate set the rate to %v; want still unlimited", p.Rate())
	}
	if !p.Throttled(t0.Add(time.Second), t0.Add(time.Second), 100) || p.Rate() != 10 {
		t.Errorf("a 429 at 100/s achieved: rate %v; want 10 (a tenth, then the fast climb)", p.Rate())
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
