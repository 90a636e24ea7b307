package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

const testUUID = "11111111-2222-4333-8444-555555555555"

// quoteMapping is testdata/mapping/quote-basic.yaml.
var quoteMapping = func() string {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "mapping", "quote-basic.yaml"))
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// env is a sandbox plus a folder with a mapping and a sheet.
type env struct {
	t       *testing.T
	dir     string
	srv     *sandbox.Server
	url     string
	client  *salesbyte.Client
	mapping string
	input   string
}

func newEnv(t *testing.T, opts sandbox.Options, handler func(http.Handler) http.Handler) *env {
	t.Helper()
	opts.UUIDs = []string{testUUID}
	opts.Token = "tok"
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if handler != nil {
		h = handler(srv)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	client, err := salesbyte.NewClient(ts.URL, salesbyte.NewSecret(testUUID), &http.Client{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: t.TempDir(), srv: srv, url: ts.URL, client: client}
	e.mapping = e.write("mapping.yaml", quoteMapping)
	return e
}

func (e *env) write(name, content string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// customers writes a CSV of n valid customers; bad lists 0-based rows to
// make invalid (a broken e-mail).
func (e *env) customers(n int, bad ...int) string {
	var b strings.Builder
	b.WriteString("Förnamn,Efternamn,E-post,Mobil\n")
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("kund%d@example.se", i)
		for _, x := range bad {
			if x == i {
				email = "kund-utan-doman@"
			}
		}
		fmt.Fprintf(&b, "Anna%d,Svensson,%s,070-123 45 %02d\n", i, email, i%100)
	}
	e.input = e.write("kunder.csv", b.String())
	return e.input
}

func (e *env) config() Config {
	return Config{
		Input: e.input, Mapping: e.mapping, Sender: e.client, Rate: 0, Concurrency: 8,
		hooks: hooks{backoff: backoff{Base: time.Millisecond, Cap: 5 * time.Millisecond}, pause: 5 * time.Millisecond},
	}
}

func readCSV(t *testing.T, path string) (header []string, rows []map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header = recs[0]
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range header {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return header, rows
}

func TestRunCreatesEveryValidRowOnceInOrder(t *testing.T) {
	e := newEnv(t, sandbox.Options{Latency: 2 * time.Millisecond, Jitter: 2 * time.Millisecond, Seed: 3}, nil)
	e.customers(60, 7, 31)
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Counts[Created]; got != 58 {
		t.Errorf("created = %d; want 58", got)
	}
	if got := sum.Counts[Invalid]; got != 2 {
		t.Errorf("invalid = %d; want 2", got)
	}
	if sum.ExitCode() != 1 {
		t.Errorf("exit code = %d; want 1 (invalid rows)", sum.ExitCode())
	}
	header, rows := readCSV(t, DefaultOutput(e.input))
	want := append([]string{"Förnamn", "Efternamn", "E-post", "Mobil"}, ResultColumns...)
	if strings.Join(header, ",") != strings.Join(want, ",") {
		t.Fatalf("header = %v; want %v", header, want)
	}
	if len(rows) != 60 {
		t.Fatalf("output has %d rows; want 60", len(rows))
	}
	for i, r := range rows {
		if r["Förnamn"] != fmt.Sprintf("Anna%d", i) || r["sb_row"] != fmt.Sprint(i+2) {
			t.Fatalf("row %d out of order: %v", i, r)
		}
		switch i {
		case 7, 31:
			if r["sb_status"] != "invalid" || !strings.Contains(r["sb_error"], "E-post") {
				t.Errorf("row %d: status %q error %q; want invalid naming column E-post", i, r["sb_status"], r["sb_error"])
			}
		default:
			if r["sb_status"] != "created" || r["sb_id"] == "" || !strings.Contains(r["sb_link_customer_view"], "/view/") {
				t.Errorf("row %d: %v; want created with id and links", i, r)
			}
		}
	}
	if d := e.srv.Duplicates(); len(d) != 0 {
		t.Errorf("duplicates at the server: %v", d)
	}
	counts := e.srv.CountByCustomer()
	if len(counts) != 58 {
		t.Errorf("server created %d customers; want 58", len(counts))
	}
	if counts["kund-utan-doman@"] != 0 {
		t.Errorf("an invalid row was sent")
	}
	assertNoSecret(t, e.dir, testUUID)
}

// assertNoSecret fails if any file under dir holds secret.
func assertNoSecret(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), secret) {
			t.Errorf("%s contains the integration uuid", p)
		}
		return nil
	})
}

func TestRejectedRowFailsWithServerMessage(t *testing.T) {
	reject := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if strings.Contains(string(body), "kund3@") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(422)
				io.WriteString(w, `{"message":"The salesperson is not registered.","errors":{"customer_email":["The customer email is blocked."]}}`)
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			next.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sandbox.Options{}, reject)
	e.customers(6)
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readCSV(t, DefaultOutput(e.input))
	r := rows[3]
	if r["sb_status"] != "failed" || r["sb_http_status"] != "422" || !strings.Contains(r["sb_error"], "blocked") {
		t.Errorf("rejected row: %v; want failed, 422, the server's message", r)
	}
	if sum.Counts[Created] != 5 || sum.Counts[Failed] != 1 {
		t.Errorf("counts = %v", sum.Counts)
	}
	if r["sb_attempts"] != "1" {
		t.Errorf("a 422 was retried: attempts %s", r["sb_attempts"])
	}
}

func TestRerunSameCommandSendsNothingAgain(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(20)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	first := e.srv.Stats().Requests
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests; got != first {
		t.Errorf("second run sent %d requests; want none", got-first)
	}
	if sum.Counts[Created] != 20 || sum.Plan.ToSend != 0 {
		t.Errorf("second run: counts %v, to send %d", sum.Counts, sum.Plan.ToSend)
	}
}

func TestRerunOutputSheetSendsOnlyUnsettledRows(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(10, 2, 5)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	// The user fixes row 2's e-mail in the output sheet, leaves row 5, and
	// marks row 8 unknown to prove unknown rows are not resent by default.
	b, _ := os.ReadFile(out)
	fixed := strings.Replace(string(b), "kund-utan-doman@,070-123 45 02", "fixad2@example.se,070-123 45 02", 1)
	recs, _ := csv.NewReader(strings.NewReader(fixed)).ReadAll()
	recs[9][4] = "unknown" // row index 8 → record 9; column 4 is sb_status
	recs[9][5] = ""
	var buf strings.Builder
	csv.NewWriter(&buf).WriteAll(recs)
	os.WriteFile(out, []byte(buf.String()), 0o644)

	before := e.srv.Stats().Requests
	cfg := e.config()
	cfg.Input = out
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests - before; got != 1 {
		t.Errorf("re-run sent %d requests; want 1 (the fixed row)", got)
	}
	if DefaultOutput(out) != out {
		t.Fatalf("a result sheet's default output should be itself")
	}
	_, rows := readCSV(t, out)
	if rows[2]["sb_status"] != "created" || rows[5]["sb_status"] != "invalid" || rows[8]["sb_status"] != "unknown" {
		t.Errorf("statuses after re-run: 2=%s 5=%s 8=%s", rows[2]["sb_status"], rows[5]["sb_status"], rows[8]["sb_status"])
	}
	if rows[0]["sb_id"] == "" || rows[0]["sb_status"] != "created" {
		t.Errorf("a created row lost its id: %v", rows[0])
	}
	if sum.Counts[Created] != 8 {
		t.Errorf("created = %d; want 8", sum.Counts[Created])
	}
	// With --retry-unknown the unknown row is sent too.
	before = e.srv.Stats().Requests
	cfg.RetryUnknown = true
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests - before; got != 1 {
		t.Errorf("--retry-unknown sent %d; want 1", got)
	}
}

func TestDuplicateKeysSentOnce(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("k.csv", "Förnamn,Efternamn,E-post,Mobil\nA,B,a@example.se,0701234567\nC,D,A@Example.se,0701234568\nE,F,e@example.se,0701234569\n")
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Plan.Dupes != 1 || sum.Counts[Skipped] != 1 || e.srv.Stats().Created != 2 {
		t.Errorf("dupes %d skipped %d created %d; want 1 1 2", sum.Plan.Dupes, sum.Counts[Skipped], e.srv.Stats().Created)
	}
	_, rows := readCSV(t, DefaultOutput(e.input))
	if !strings.Contains(rows[1]["sb_error"], "duplicate of row 2") {
		t.Errorf("duplicate row error = %q", rows[1]["sb_error"])
	}
}

func TestAmbiguousOutcomesAreUnknownAndNotResent(t *testing.T) {
	e := newEnv(t, sandbox.Options{P500After: 0.3, PDropAfter: 0.2, Seed: 7}, nil)
	e.customers(50)
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	st := e.srv.Stats()
	if sum.Counts[Unknown] == 0 {
		t.Fatal("no unknown rows; the faults did not fire")
	}
	if int64(sum.Counts[Unknown]) != st.ServerErrors+st.DroppedAfter {
		t.Errorf("unknown = %d; want exactly the 500s and drops after creating (%d)", sum.Counts[Unknown], st.ServerErrors+st.DroppedAfter)
	}
	if len(e.srv.Duplicates()) != 0 {
		t.Errorf("duplicates: %v", e.srv.Duplicates())
	}
	// Running again does not resend them.
	before := st.Requests
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests - before; got != 0 {
		t.Errorf("re-run sent %d; want 0", got)
	}
}

func TestRetryableAnswersAreRetried(t *testing.T) {
	e := newEnv(t, sandbox.Options{P503: 0.2, Seed: 11, RetryAfter: "0"}, nil)
	e.customers(40)
	cfg := e.config()
	cfg.MaxAttempts = 20
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 40 {
		t.Errorf("created %d; want 40 (a 503 is safe to retry): %v", sum.Counts[Created], sum.Counts)
	}
	if st := e.srv.Stats(); st.Unavailable == 0 || sum.Throttled != int(st.Unavailable) {
		t.Errorf("503s at the server %d, seen by the run %d", st.Unavailable, sum.Throttled)
	}
	if len(e.srv.Duplicates()) != 0 {
		t.Errorf("duplicates: %v", e.srv.Duplicates())
	}
}

func TestAuthRefusalStopsTheRun(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(30)
	bad, _ := salesbyte.NewClient(e.url, salesbyte.NewSecret("wrong-uuid"), nil)
	cfg := e.config()
	cfg.Sender = bad
	cfg.Concurrency = 1
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r := sum.Stopped; r == nil || r.Kind != StopRefused || r.Status != 404 || r.Count != refusedLimit {
		t.Errorf("stopped = %+v; want refused by 404 %d times", r, refusedLimit)
	}
	if sum.Requests > refusedLimit+1 {
		t.Errorf("sent %d requests after the uuid was refused", sum.Requests)
	}
	if sum.ExitCode() != 1 {
		t.Errorf("exit %d", sum.ExitCode())
	}
}

// slowSender holds every request until released, to interrupt a run
// with requests in flight.
type slowSender struct {
	inner   Sender
	started atomic.Int32
	release chan struct{}
}

func (s *slowSender) Create(ctx context.Context, e salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
	s.started.Add(1)
	<-s.release
	return s.inner.Create(ctx, e, body)
}

// runInterrupted runs cfg, and interrupts it (the ctx Run stops on) once
// cfg.Concurrency requests are in flight, then lets them finish.
func runInterrupted(t *testing.T, e *env, cfg Config) (*Summary, error) {
	t.Helper()
	slow := &slowSender{inner: e.client, release: make(chan struct{})}
	cfg.Sender = slow
	ctx, cancel := context.WithCancel(context.Background())
	var sum *Summary
	var err error
	done := make(chan struct{})
	go func() { defer close(done); sum, err = Run(ctx, cfg) }()
	t.Cleanup(func() { cancel() })
	waitFor(t, "requests in flight", func() bool { return slow.started.Load() >= int32(cfg.Concurrency) })
	cancel()
	time.Sleep(20 * time.Millisecond)
	close(slow.release)
	waitClosed(t, "the interrupted run to end", done)
	return sum, err
}

func TestInterruptWaitsForInFlightAndResumes(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(30)
	cfg := e.config()
	cfg.Concurrency = 4
	sum, err := runInterrupted(t, e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted || sum.ExitCode() != 130 {
		t.Errorf("interrupted=%v exit=%d", sum.Interrupted, sum.ExitCode())
	}
	if sum.Counts[Created] != 4 || sum.Counts[Skipped] != 26 {
		t.Errorf("counts %v; want the 4 in flight created, 26 skipped", sum.Counts)
	}
	// The same command again sends the rest, and nothing twice.
	sum, err = Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 30 || e.srv.Stats().Created != 30 || len(e.srv.Duplicates()) != 0 {
		t.Errorf("after resume: counts %v, server created %d", sum.Counts, e.srv.Stats().Created)
	}
}

func TestJournalOfAnotherSheetIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	out := filepath.Join(e.dir, "out.csv")
	cfg := e.config()
	cfg.Output = out
	// An unfinished journal of another sheet sits beside the output.
	j, err := openJournal(JournalPath(out), Binding{InputSHA256: "other", MappingSHA256: "m", Endpoint: "quote"}, "other.csv", "m.yaml", "", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	_, err = Run(context.Background(), cfg)
	var ie *InputError
	if err == nil || !asInputErr(err, &ie) || !strings.Contains(err.Error(), "unfinished run of other.csv") {
		t.Fatalf("err = %v; want an input error naming the unfinished run", err)
	}
	if e.srv.Stats().Requests != 0 {
		t.Error("requests were sent")
	}
}

func asInputErr(err error, target **InputError) bool {
	ie, ok := err.(*InputError)
	*target = ie
	return ok
}

func TestJournalTornTailIsDropped(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.journal")
	j, err := openJournal(p, Binding{InputSHA256: "a"}, "in.csv", "m.yaml", "", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	j.Intent(2, 1)
	j.Outcome(2, &Outcome{Status: Created, ID: 7, Attempts: 1})
	j.Intent(3, 1)
	j.Close()
	// A crash tore the last record in half.
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-5], 0o600)
	st, err := readJournal(p)
	if err != nil {
		t.Fatal(err)
	}
	if o := st.rows[2].Outcome; o == nil || o.ID != 7 {
		t.Errorf("row 2 = %+v; want created id 7", st.rows[2])
	}
	if st.rows[3] != nil {
		t.Errorf("the torn record for row 3 was read: %+v", st.rows[3])
	}
	// A damaged checksum in the middle ends the readable part there.
	lines := strings.SplitAfter(string(b), "\n")
	lines[1] = "00000000" + lines[1][8:]
	os.WriteFile(p, []byte(strings.Join(lines, "")), 0o600)
	st, err = readJournal(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.rows) != 0 {
		t.Errorf("records after a bad checksum were applied: %v", st.rows)
	}
	// Appending after a torn tail cuts it first.
	os.WriteFile(p, b[:len(b)-5], 0o600)
	st, _ = readJournal(p)
	j, err = openJournal(p, st.Binding, "in.csv", "m.yaml", "", st, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	j.Outcome(4, &Outcome{Status: Failed, Attempts: 1})
	j.Close()
	st, _ = readJournal(p)
	if st.rows[4] == nil || st.rows[4].Outcome.Status != Failed {
		t.Errorf("record appended after a torn tail was lost: %+v", st.rows)
	}
}

func TestIntentWithoutOutcomeIsUnknownOnResume(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5)
	cfg := e.config()
	// Simulate a crash: the journal says row 3's request went out, nothing more.
	in, _ := FileSHA256(e.input)
	mb, _ := os.ReadFile(e.mapping)
	out := DefaultOutput(e.input)
	j, err := openJournal(JournalPath(out), Binding{InputSHA256: in, MappingSHA256: bytesSHA256(mb), HeaderRow: 1, Endpoint: "quote"}, e.input, e.mapping, "", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	j.Intent(3, 1)
	j.Close()
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Unknown] != 1 || sum.Counts[Created] != 4 || e.srv.Stats().Requests != 4 {
		t.Errorf("counts %v, requests %d; want row 3 unknown and not sent", sum.Counts, e.srv.Stats().Requests)
	}
}

func TestValidateSendsNothing(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5, 1)
	cfg := e.config()
	cfg.Sender = nil
	sum, err := validateRun(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Invalid] != 1 || sum.Counts[Pending] != 4 || e.srv.Stats().Requests != 0 {
		t.Errorf("counts %v", sum.Counts)
	}
	if _, err := os.Stat(JournalPath(DefaultOutput(e.input))); err == nil {
		t.Error("validate wrote a journal")
	}
}

func TestPlanCountsMessages(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(4, 0)
	cfg := e.config()
	imp, err := Prepare(context.Background(), cfg, Sending)
	if err != nil {
		t.Fatal(err)
	}
	seen := imp.Plan()
	imp.Close()
	want := Delivery{SendType: "email", Notify: true}
	if seen.ToSend != 3 || seen.Invalid != 1 || len(seen.Deliveries) != 1 || seen.Deliveries[0] != (DeliveryCount{want, 3}) {
		t.Errorf("plan = %+v", seen)
	}
	if e.srv.Stats().Requests != 0 {
		t.Error("sent before Send")
	}
	if _, err := os.Stat(DefaultOutput(e.input)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an import closed without Send wrote its output (%v)", err)
	}
	_ = json.Valid
}

// fullDisk fails every write after the first n bytes, as a full disk does.
type fullDisk struct {
	journalFile
	left int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.left {
		return 0, fmt.Errorf("write: no space left on device")
	}
	d.left -= len(p)
	return d.journalFile.Write(p)
}

func TestFullDiskStopsSendingAndResumes(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(40)
	cfg := e.config()
	cfg.Concurrency = 1
	cfg.wrapJournal = func(f journalFile) journalFile { return &fullDisk{journalFile: f, left: 1500} }
	sum, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err = %v; want the journal's write error", err)
	}
	sent := e.srv.Stats().Created
	if sent == 0 || sent >= 40 {
		t.Fatalf("created %d before the disk filled; want some, not all", sent)
	}
	if sum.Requests != int(sent) {
		t.Errorf("%d requests for %d creations: a request went out without a journaled intent", sum.Requests, sent)
	}
	// Space freed: the same command finishes, and nothing is sent twice.
	sum, err = Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if len(e.srv.Duplicates()) != 0 {
		t.Errorf("duplicates after the full disk: %v", e.srv.Duplicates())
	}
	if got := sum.Counts[Created] + sum.Counts[Unknown]; got != 40 {
		t.Errorf("created+unknown = %d; want 40: %v", got, sum.Counts)
	}
	// Rows whose outcome the full disk swallowed are unknown (their
	// requests did go out), and every row exists exactly once.
	if got := e.srv.Stats().Created; got != 40 {
		t.Errorf("server created %d; want 40", got)
	}
}

func TestOnlySendsSelectedStatuses(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(6, 1, 4)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	// Fix both invalid rows, but ask for failed rows only: none is sent.
	b, _ := os.ReadFile(out)
	fixed := strings.ReplaceAll(string(b), "kund-utan-doman@", "fixad@example.se")
	fixed = strings.Replace(fixed, "fixad@example.se", "fixad1@example.se", 1)
	os.WriteFile(out, []byte(fixed), 0o644)
	cfg := e.config()
	cfg.Input = out
	cfg.Only = []Status{Failed}
	before := e.srv.Stats().Requests
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests - before; got != 0 || sum.Counts[Invalid] != 2 {
		t.Errorf("--only failed sent %d and left %d invalid; want 0 and the 2 invalid rows kept", got, sum.Counts[Invalid])
	}
	cfg.Only = []Status{Invalid}
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests - before; got != 2 || sum.Counts[Created] != 6 {
		t.Errorf("--only invalid sent %d, created %d; want 2 and 6", got, sum.Counts[Created])
	}
}

func TestEarlierOutputWithoutJournalIsNotOverwritten(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	os.Remove(JournalPath(DefaultOutput(e.input)))
	_, err := Run(context.Background(), e.config())
	if err == nil || !strings.Contains(err.Error(), "already holds the results of an earlier run (5 rows created") {
		t.Fatalf("err = %v; want a refusal naming the earlier results", err)
	}
	if got := e.srv.Stats().Created; got != 5 {
		t.Errorf("server created %d; want 5 (nothing twice)", got)
	}
}

// A re-run of one output sheet written over another run's output would lose
// that run's ids and links: refused, naming the sheet it would overwrite.
func TestRerunOntoAnotherRunsOutputIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	other := e.write("andra.csv", "Förnamn,Efternamn,E-post,Mobil\nB,C,b@example.se,0701234599\n")
	cfg := e.config()
	cfg.Input = other
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Input = DefaultOutput(other)    // andra-result.csv, a result sheet
	cfg.Output = DefaultOutput(e.input) // kunder-result.csv, another run's output
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), DefaultOutput(e.input)+" holds the results of an earlier run of "+e.input) {
		t.Fatalf("err = %v; want a refusal naming %s", err, DefaultOutput(e.input))
	}
	_, rows := readCSV(t, DefaultOutput(e.input))
	if len(rows) != 3 || rows[0]["sb_id"] == "" {
		t.Errorf("the earlier output was touched: %v", rows)
	}
}

// events collects an import's events.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (ev *events) Observe(e Event) { ev.mu.Lock(); ev.all = append(ev.all, e); ev.mu.Unlock() }

func (ev *events) rowsDone() []RowDone {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var out []RowDone
	for _, e := range ev.all {
		if r, ok := e.(RowDone); ok {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b RowDone) int { return a.Line - b.Line })
	return out
}

// send prepares and sends cfg's import, reporting to obs.
func send(ctx context.Context, cfg Config, obs Observer) (*Summary, error) {
	imp, err := Prepare(ctx, cfg, Sending)
	if err != nil {
		return nil, err
	}
	defer imp.Close()
	return imp.Send(ctx, obs)
}

func TestEventsTellKeptRowsFromSentOnes(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(2)
	cfg := e.config()
	ev := &events{}
	if _, err := send(context.Background(), cfg, ev); err != nil {
		t.Fatal(err)
	}
	rows := ev.rowsDone()
	if len(rows) != 2 || rows[0].Line != 2 || rows[0].Kept || rows[0].Outcome.Status != Created || rows[0].Outcome.ID == 0 {
		t.Fatalf("first run: %+v", rows)
	}
	if _, ok := ev.all[0].(Started); !ok {
		t.Errorf("first event %T; want Started", ev.all[0])
	}
	if f, ok := ev.all[len(ev.all)-1].(Finished); !ok || f.Summary.Counts[Created] != 2 {
		t.Errorf("last event %+v; want Finished with 2 created", ev.all[len(ev.all)-1])
	}
	ev = &events{}
	if _, err := send(context.Background(), cfg, ev); err != nil {
		t.Fatal(err)
	}
	if rows := ev.rowsDone(); len(rows) != 2 || !rows[0].Kept || rows[0].Outcome.Status != Created {
		t.Errorf("second run: %+v; want rows kept from the first run said so", rows)
	}
	_, err := validateRun(context.Background(), Config{Input: e.input, Mapping: filepath.Join(e.dir, "saknas.yaml")})
	var mm *MappingMissingError
	if !errors.As(err, &mm) || !strings.HasSuffix(mm.Path, "saknas.yaml") {
		t.Errorf("missing mapping: %v", err)
	}
}

// hangingSender holds every request until its ctx ends, then reports what
// the client would: the request was written, its answer is unknown.
type hangingSender struct{ started atomic.Int32 }

func (h *hangingSender) Create(ctx context.Context, e salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
	h.started.Add(1)
	<-ctx.Done()
	return salesbyte.Created{}, &salesbyte.Error{Outcome: salesbyte.Ambiguous, Message: "stopped waiting after the request was sent; it may have been created", Err: ctx.Err()}
}

// A second Ctrl-C (Import.Abort) abandons the requests in flight: their
// rows are unknown, the rest skipped, and the output is still written.
func TestAbortAbandonsRequestsInFlight(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(10)
	h := &hangingSender{}
	cfg := e.config()
	cfg.Sender = h
	cfg.Concurrency = 3
	stop, cancelStop := context.WithCancel(context.Background())
	imp, err := Prepare(stop, cfg, Sending)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	done := make(chan struct{})
	var sum *Summary
	go func() { defer close(done); sum, err = imp.Send(stop, nil) }()
	waitFor(t, "3 requests in flight", func() bool { return h.started.Load() >= 3 })
	cancelStop() // first Ctrl-C: no new requests
	imp.Abort()  // second: give up on those in flight
	waitClosed(t, "the aborted run to end", done)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Unknown] != 3 || sum.Counts[Skipped] != 7 || sum.ExitCode() != 130 {
		t.Errorf("counts %v, exit %d; want 3 unknown, 7 skipped, 130", sum.Counts, sum.ExitCode())
	}
	_, rows := readCSV(t, DefaultOutput(e.input))
	if len(rows) != 10 {
		t.Errorf("output has %d rows; want 10", len(rows))
	}
}

// validateRun validates cfg's sheet the way the validate command does.
func validateRun(ctx context.Context, cfg Config) (*Summary, error) {
	imp, err := Prepare(ctx, cfg, Validating)
	if err != nil {
		return nil, err
	}
	defer imp.Close()
	return imp.Validate(ctx, nil)
}

// Validating stops when its ctx ends, and leaves the output as it was: a
// sheet half checked must not replace one a person may have fixed by hand.
func TestValidateInterruptedWritesNothing(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(50)
	cfg := e.config()
	cfg.Sender = nil
	imp, err := Prepare(context.Background(), cfg, Validating)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := imp.Validate(ctx, nil); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Validate after cancel: %v; want ErrInterrupted", err)
	}
	if _, err := os.Stat(DefaultOutput(e.input)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an interrupted validate wrote its output (%v)", err)
	}
}

// runMode sends cfg's import, or validates it.
func runMode(ctx context.Context, cfg Config, validate bool) (*Summary, error) {
	if validate {
		return validateRun(ctx, cfg)
	}
	return Run(ctx, cfg)
}

// Progress may be read from another goroutine at any time, before and
// while Send runs (a web page polls it): the race detector watches.
func TestProgressIsSafeWhileSending(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(40)
	imp, err := Prepare(context.Background(), e.config(), Sending)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	if got := imp.Progress().Rows; got != 40 {
		t.Errorf("Progress before Send: %d rows; want 40", got)
	}
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stop:
				return
			default:
				_ = imp.Progress()
			}
		}
	}()
	sum, err := imp.Send(context.Background(), nil)
	close(stop)
	waitClosed(t, "the poller to stop", polled)
	if err != nil || sum.Counts[Created] != 40 {
		t.Fatalf("Send: %v, %v", sum, err)
	}
	if p := imp.Progress(); p.Done != 40 || p.Counts[Created] != 40 {
		t.Errorf("Progress after Send: %+v; want 40 done and created", p)
	}
}
