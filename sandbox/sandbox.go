// Package sandbox is a SalesByte-compatible server for rehearsals and
// tests: the three Integration API write endpoints with the documented
// validation, the Quotes API, and injectable faults (latency, rate
// limits, 503s, 500s after creating, dropped and hanging connections).
// It remembers every creation and counts them per customer, so tests can
// prove that nothing was created twice. It only listens on loopback.
package sandbox

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/sbimport/sbimport/salesbyte"
)

// Options configures a Server. The zero value is a well-behaved server
// that accepts no uuid (every write answers 404) and no Quotes API token.
type Options struct {
	UUIDs         []string      // accepted integration uuids; another uuid is answered 404 {"message":"integration not found"}
	Token         string        // Quotes API bearer token ("" = the Quotes API answers 401)
	TemplateIDs   []int64       // templates tied to the integration; another quote_template_id is answered 404; empty = any
	PlainTemplate bool          // a template success answers 200 text/plain "Quote created" instead of JSON
	Latency       time.Duration // added before answering
	Jitter        time.Duration // uniform ± added to Latency
	RateLimit     float64       // write requests/s accepted (token bucket); above it 429 with Retry-After; 0 = no limit
	RetryAfter    string        // Retry-After sent with 429/503: seconds ("1"), or "http-date" for an HTTP date 1 s ahead; "" = "1"
	P503          float64       // share answered 503 (+Retry-After) without creating
	P429          float64       // share answered 429 (+Retry-After) without creating, whatever the rate
	P500After     float64       // share answered 500 after creating
	P502After     float64       // share answered 502 after creating (a gateway that lost the answer)
	PDropBefore   float64       // share whose connection is dropped before creating
	PDropAfter    float64       // share created, then the connection dropped
	PHangAfter    float64       // share created, then the response hangs (until HangFor or the client gives up)
	HangFor       time.Duration // how long a hang lasts before the normal answer; 0 = 1 minute
	Seed          int64         // seeds the fault dice
	StoreFile     string        // creations are appended here as JSON lines and loaded at start
	PublicURL     string        // base of the links in answers; "" = the sandbox's own URL
	Log           io.Writer     // one line per write request (never the uuid, never the body); nil = silent
}

// Server is the sandbox. Create it with New; serve it with Start or use
// it as an http.Handler (e.g. with httptest.NewServer).
type Server struct {
	opts      Options
	uuids     map[string]struct{}
	templates map[int64]struct{}
	limiter   *rate.Limiter // nil = no limit

	diceMu sync.Mutex
	dice   *rand.Rand
	// dice429 are P429's own dice, rolled once for every write request
	// that reaches the check, in arrival order: the n-th such request's
	// fate depends on the seed alone, not on how other faults fell.
	dice429 *rand.Rand

	logMu sync.Mutex

	store store

	// statistics, all atomic so the hot path takes no lock for them
	requests, created, tooMany, unavailable, serverErrors atomic.Int64
	badGateway, invalid, notFound, badRequests            atomic.Int64
	droppedBefore, droppedAfter, hangs                    atomic.Int64
	inFlight, maxInFlight                                 atomic.Int64
	firstNano, lastNano                                   atomic.Int64

	baseURL   atomic.Pointer[string] // set by Start
	done      chan struct{}          // closed by Close: ends hangs and sleeps
	closeOnce sync.Once
	httpSrv   *http.Server

	clock atomic.Pointer[func() time.Time] // the creation clock; nil = time.Now; tests set it
}

func (s *Server) now() time.Time {
	if c := s.clock.Load(); c != nil {
		return (*c)()
	}
	return time.Now()
}

// New checks the options, loads the store file if there is one and
// returns a server ready to handle requests.
func New(opts Options) (*Server, error) {
	for _, p := range []struct {
		name string
		v    float64
	}{{"P503", opts.P503}, {"P429", opts.P429}, {"P500After", opts.P500After}, {"P502After", opts.P502After}, {"PDropBefore", opts.PDropBefore},
		{"PDropAfter", opts.PDropAfter}, {"PHangAfter", opts.PHangAfter}} {
		if p.v < 0 || p.v > 1 || math.IsNaN(p.v) {
			return nil, fmt.Errorf("sandbox: %s is %v; give a share between 0 and 1", p.name, p.v)
		}
	}
	if after := opts.P500After + opts.P502After + opts.PDropAfter + opts.PHangAfter; after > 1+1e-9 {
		return nil, fmt.Errorf("sandbox: P500After+P502After+PDropAfter+PHangAfter is %v; together they must not exceed 1", after)
	}
	if opts.Latency < 0 || opts.Jitter < 0 || opts.HangFor < 0 {
		return nil, errors.New("sandbox: Latency, Jitter and HangFor must not be negative")
	}
	if opts.RateLimit < 0 || math.IsNaN(opts.RateLimit) || math.IsInf(opts.RateLimit, 0) {
		return nil, fmt.Errorf("sandbox: RateLimit is %v; give requests per second, or 0 for no limit", opts.RateLimit)
	}
	if opts.RetryAfter == "" {
		opts.RetryAfter = "1"
	}
	if opts.HangFor == 0 {
		opts.HangFor = time.Minute
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	s := &Server{
		opts:      opts,
		uuids:     make(map[string]struct{}, len(opts.UUIDs)),
		templates: make(map[int64]struct{}, len(opts.TemplateIDs)),
		dice:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x5b1e5eed)),
		dice429:   rand.New(rand.NewPCG(uint64(opts.Seed), 0x429)),
		done:      make(chan struct{}),
	}
	for _, u := range opts.UUIDs {
		s.uuids[u] = struct{}{}
	}
	for _, id := range opts.TemplateIDs {
		s.templates[id] = struct{}{}
	}
	if opts.RateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), burstFor(opts.RateLimit))
	}
	if err := s.store.open(opts.StoreFile); err != nil {
		return nil, err
	}
	return s, nil
}

// burstFor is the token bucket's size: small, so a limit is a limit, but
// at least one.
func burstFor(perSecond float64) int {
	return max(1, int(perSecond/10))
}

// Start listens on addr ("" = "127.0.0.1:0", a free port) and serves in
// the background. It refuses addresses that are not loopback. It returns
// the base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) Start(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sandbox: cannot listen on %s: %w; pick another port or 127.0.0.1:0 for a free one", addr, err)
	}
	base := "http://" + ln.Addr().String()
	s.baseURL.Store(&base)
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return base, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: address %q is not host:port; use e.g. 127.0.0.1:8080", addr)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("sandbox: refusing to listen on %q: not a loopback address; use 127.0.0.1:PORT or localhost:PORT", addr)
}

// Close stops the server, ends hanging and sleeping handlers and closes
// the store file. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		if s.httpSrv != nil {
			err = s.httpSrv.Close()
		}
		if cerr := s.store.close(); err == nil {
			err = cerr
		}
	})
	return err
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == pathLead:
		s.serveWrite(w, r, salesbyte.Lead)
	case p == pathQuote:
		s.serveWrite(w, r, salesbyte.Quote)
	case p == pathTemplate:
		s.serveWrite(w, r, salesbyte.Template)
	case p == "/api/quotes" || strings.HasPrefix(p, "/api/quotes/"):
		s.serveQuotes(w, r)
	case p == "/_sandbox/stats":
		s.serveStats(w, r)
	case p == "/_sandbox/reset":
		s.serveReset(w, r)
	case strings.HasPrefix(p, "/view/"), strings.HasPrefix(p, "/signed/"), strings.HasPrefix(p, "/offerter/"):
		s.servePage(w, r)
	default:
		writeJSON(w, http.StatusNotFound, message{"no such page in the sandbox: " + p})
	}
}

// Endpoint paths, as SalesByte's documentation gives them.
const (
	pathLead     = "/integrations/create_brandawareness"
	pathQuote    = "/integrations/create_quote"
	pathTemplate = "/integrations/create_quote/template"
)

// roll returns a uniform number in [0,1) from the seeded dice.
func (s *Server) roll() float64 {
	s.diceMu.Lock()
	v := s.dice.Float64()
	s.diceMu.Unlock()
	return v
}

// hit429 rolls P429's own dice.
func (s *Server) hit429() bool {
	if s.opts.P429 <= 0 {
		return false
	}
	s.diceMu.Lock()
	v := s.dice429.Float64()
	s.diceMu.Unlock()
	return v < s.opts.P429
}

// hit rolls the dice for a share p; p == 0 never rolls, so adding a
// fault does not disturb the sequence of the others when it is off.
func (s *Server) hit(p float64) bool {
	return p > 0 && s.roll() < p
}

// linkBase is where the links in answers point.
func (s *Server) linkBase(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	return s.selfBase(r)
}

// selfBase is the sandbox's own URL.
func (s *Server) selfBase(r *http.Request) string {
	if b := s.baseURL.Load(); b != nil {
		return *b
	}
	return "http://" + r.Host
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	s.logMu.Lock()
	_, _ = io.WriteString(s.opts.Log, line+"\n")
	s.logMu.Unlock()
}

// atomicMax raises v to n if n is larger.
func atomicMax(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n <= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}
