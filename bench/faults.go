package main

import (
	"fmt"
	"regexp"
	"time"

	"github.com/sbimport/sbimport/sandbox"
)

// createdRate is rows created per second at the server, from its first
// request to its last.
func createdRate(st sandbox.Stats) float64 {
	span := st.LastRequest.Sub(st.FirstRequest).Seconds()
	return float64(st.Created) / max(span, 0.001)
}

func share(n, of int64) float64 { return float64(n) / float64(max(of, 1)) }

// p503 and p503Half: a server limited to 10/s, 50 ms latency, that
// answers a share of requests 503 with Retry-After: 1, and --rate 50. A
// sporadic 503 is a failed request, not a rate limit: the run must keep
// to the server's limit.
func (b *bench) p503() (result, error)     { return b.unavailable(0.05, 8.5) }
func (b *bench) p503Half() (result, error) { return b.unavailable(0.5, 4) }

func (b *bench) unavailable(p, want float64) (result, error) {
	const serverLimit = 10.0
	r := result{target: fmt.Sprintf("≥ %.1f created/s (server limit %.0f/s, %.0f%% answered 503 with Retry-After: 1, 50 ms latency, --rate 50)", want, serverLimit, 100*p)}
	in, err := b.input("csv", b.n.p503)
	if err != nil {
		return r, err
	}
	srv, url, err := inProcess(sandbox.Options{RateLimit: serverLimit, Latency: 50 * time.Millisecond, P503: p, Seed: 6})
	if err != nil {
		return r, err
	}
	defer srv.Close()
	c, err := b.sendAt(in, url, "50")
	if err != nil {
		return r, err
	}
	st := srv.Stats()
	got := createdRate(st)
	r.figure = fmt.Sprintf("%.2f created/s; %d requests: %d answered 503, %d answered 429 (%.1f%%); %d rows, %d created, exit %d, run took %s",
		got, st.Requests, st.Unavailable, st.TooMany, 100*share(st.TooMany, st.Requests), b.n.p503, st.Created, c.code, c.wall.Round(100*time.Millisecond))
	r.pass = got >= want
	return r, nil
}

// foundRate is the rate `sbimport run` reports it found.
var foundRate = regexp.MustCompile(`(?m)^Rate found: .*$`)

// auto: a server that limits at 20/s without publishing it, 50 ms latency,
// --rate auto (--max-rate 20 by default).
func (b *bench) auto() (result, error) {
	const serverLimit = 20.0
	r := result{target: "≥ 17 created/s with < 3% of requests answered 429 (server limit 20/s, not published; 50 ms latency; --rate auto)"}
	in, err := b.input("csv", b.n.auto)
	if err != nil {
		return r, err
	}
	srv, url, err := inProcess(sandbox.Options{RateLimit: serverLimit, Latency: 50 * time.Millisecond})
	if err != nil {
		return r, err
	}
	defer srv.Close()
	c, err := b.sendAt(in, url, "auto")
	if err != nil {
		return r, err
	}
	st := srv.Stats()
	got, tooMany := createdRate(st), share(st.TooMany, st.Requests)
	found := foundRate.FindString(c.stderr)
	if found == "" {
		found = "no 'Rate found' line"
	}
	r.figure = fmt.Sprintf("%.2f created/s; %d of %d requests answered 429 (%.2f%%); %d rows, %d created; %q",
		got, st.TooMany, st.Requests, 100*tooMany, b.n.auto, st.Created, found)
	r.pass = got >= 17 && tooMany < 0.03 && st.Created == int64(b.n.auto) && c.code == 0
	return r, nil
}
