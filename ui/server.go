// Package ui is `sbimport ui`: the import wizard as a local web page. It
// serves embedded static files and a small JSON API over net/http, and
// drives the same importer, mapping and output sheet as the command line.
// Only loopback is served, every API request needs the per-start token
// (in a header; the page reads it from its address's fragment), Host and
// Origin are checked, and the integration uuid stays in this process's
// memory.
package ui

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/salesbyte"
)

//go:embed static
var staticFiles embed.FS

// DefaultMaxUpload is the largest sheet or mapping the page accepts.
const DefaultMaxUpload = 100 << 20

// DefaultBaseURL is production SalesByte.
const DefaultBaseURL = "https://app.salesbyte.se"

// Options configure a Server.
type Options struct {
	// Getenv reads SALESBYTE_UUID and SALESBYTE_API_TOKEN; nil = no
	// environment.
	Getenv func(string) string
	// MaxUpload limits an upload's size in bytes; 0 = DefaultMaxUpload.
	MaxUpload int64
	// RunsDir keeps each sent sheet with its output and journal, in a
	// folder named by the sheet's content, so that the same sheet chosen
	// again after a crash resumes as `sbimport run` does. "" = inside the
	// private temporary folder (nothing survives the program).
	RunsDir string
	// ProductionURL is where "production" sends; "" = DefaultBaseURL.
	// Tests point it at a local server.
	ProductionURL string
	// Ledger, when set, is the user's ledger: production runs reserve
	// every row in it and are held back by what earlier runs (from the
	// page or the command line) created, as run is. The page's sandbox
	// starts empty each time and is not recorded in it.
	Ledger *ledger.Ledger
}

// ErrNotLoopback is returned by Start for an address that is not loopback.
var ErrNotLoopback = errors.New("ui: the page is served on loopback only (127.0.0.1, ::1 or localhost)")

// Server is one `sbimport ui`: its token, its private folder and the one
// import it holds.
type Server struct {
	opts  Options
	token string
	dir   string // private temporary folder: uploads, mapping, output
	host  string // the bound host:port, what Host must say
	hs    *http.Server
	mux   *http.ServeMux

	mu  sync.Mutex
	st  state
	box *sandboxRun
}

// New makes a Server with a fresh token and a private temporary folder.
func New(opts Options) (*Server, error) {
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.ProductionURL == "" {
		opts.ProductionURL = DefaultBaseURL
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sbimport-ui-")
	if err != nil {
		return nil, err
	}
	if opts.RunsDir == "" {
		opts.RunsDir = filepath.Join(dir, "runs")
	}
	s := &Server{opts: opts, token: hex.EncodeToString(b), dir: dir}
	s.mux = s.routes()
	return s, nil
}

// Start listens on addr (loopback only) and serves in the background. It
// returns the page's address, with the token (see URL).
func (s *Server) Start(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("ui: address %q: %w", addr, err)
	}
	if !salesbyte.IsLoopback(host) {
		return "", ErrNotLoopback
	}
	if host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", addr[len(host)+1:])
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.host = ln.Addr().String()
	s.hs = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go s.hs.Serve(ln)
	return s.URL(), nil
}

// URL is the page's address, with the token in its fragment: a browser
// sends a fragment to no server, log or Referer.
func (s *Server) URL() string { return "http://" + s.host + "/#token=" + s.token }

// Token is the per-start token (for tests that build requests).
func (s *Server) Token() string { return s.token }

// Dir is the private folder that holds uploads and outputs.
func (s *Server) Dir() string { return s.dir }

// SetHost names the host:port requests must carry, for a Server served by
// something other than Start (httptest).
func (s *Server) SetHost(hostport string) { s.host = hostport }

// Close stops serving, stops a run the way Ctrl-C does and waits for it
// to write its output, stops the sandbox and removes the private folder.
func (s *Server) Close() error {
	if s.hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.hs.Shutdown(ctx)
		cancel()
	}
	s.mu.Lock()
	r := s.st.run
	s.mu.Unlock()
	if r != nil && r.running() {
		r.stop()
		<-r.done
	}
	s.mu.Lock()
	s.closePrepared()
	if s.box != nil {
		s.box.srv.Close()
		s.box = nil
	}
	s.mu.Unlock()
	return os.RemoveAll(s.dir)
}

// Handler is the whole site behind its guards.
func (s *Server) Handler() http.Handler { return s.guard(s.mux) }

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /api/state", s.handleState)
	mux.HandleFunc("POST /api/sheet", s.handleUpload)
	mux.HandleFunc("POST /api/format", s.handleFormat)
	mux.HandleFunc("GET /api/fields", s.handleFields)
	mux.HandleFunc("POST /api/mapping/auto", s.handleAuto)
	mux.HandleFunc("POST /api/mapping/load", s.handleLoadMapping)
	mux.HandleFunc("POST /api/preview", s.handlePreview)
	mux.HandleFunc("POST /api/plan", s.handlePlan)
	mux.HandleFunc("POST /api/send", s.handleSend)
	mux.HandleFunc("POST /api/stop", s.handleStop)
	mux.HandleFunc("GET /api/events", s.handleEvents)
	mux.HandleFunc("GET /api/results", s.handleResults)
	mux.HandleFunc("GET /api/output", s.handleOutput)
	mux.HandleFunc("POST /api/resend", s.handleResend)
	mux.HandleFunc("POST /api/reconcile", s.handleReconcile)
	mux.HandleFunc("POST /api/fix", s.handleFix)
	return mux
}
