package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// TestMain lets the tests run the command as a real subprocess: the test
// binary re-executes itself with SBIMPORT_BE_MAIN=1 and then behaves as
// sbimport, so SIGKILL and SIGINT reach a process of its own.
func TestMain(m *testing.M) {
	if os.Getenv("SBIMPORT_BE_MAIN") == "1" {
		if os.Getenv("SBIMPORT_TEST_HOLD") == "1" {
			wrapObserver = newHoldObserver
		}
		os.Exit(execute(context.Background(), os.Args[1:], stdio()))
	}
	// A ledger that no test names goes to a folder of its own, never the
	// user's config folder; each test names its own (testLedger).
	dir, err := os.MkdirTemp("", "sbimport-test-config")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Setenv("HOME", dir)
	os.Setenv(ledger.EnvVar, filepath.Join(dir, "stray-ledger.db"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testLedgers holds each test's ledger path.
var testLedgers sync.Map // *testing.T → string

// testLedger is the ledger of test t: one per test, shared by its runs.
func testLedger(t *testing.T) string {
	if p, ok := testLedgers.Load(t); ok {
		return p.(string)
	}
	p := filepath.Join(t.TempDir(), "ledger.db")
	testLedgers.Store(t, p)
	t.Cleanup(func() { testLedgers.Delete(t) })
	return p
}

// The uuid the sandboxes of these tests accept; distinctive, so a leak is
// found by a plain search of every file the runs leave behind.
const (
	neverTwiceUUID  = "7e1f3c2a-9b4d-4e8f-a6c5-d0b1e2f3a4b5"
	neverTwiceToken = "never-twice-token"
)

// neverTwiceMapping is testdata/mapping/quote-basic.yaml.
var neverTwiceMapping = func() string {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mapping", "quote-basic.yaml"))
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// ntCustomers writes a CSV of n valid customers with unique e-mails
// and returns its path and the e-mails in row order.
func ntCustomers(t *testing.T, dir string, n int) (string, []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Förnamn,Efternamn,E-post,Mobil\n")
	emails := make([]string, n)
	for i := range n {
		emails[i] = fmt.Sprintf("kund%d@example.se", i)
		fmt.Fprintf(&b, "Anna%d,Svensson,%s,070-123 %02d %02d\n", i, emails[i], (i/100)%100, i%100)
	}
	p := filepath.Join(dir, "kunder.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, emails
}

func ntWriteFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ntKind is how one write request ended, as the server saw it.
type ntKind int

const (
	ntOK        ntKind = iota // 2xx
	ntRetry                   // 429 or 503: not created, safe to retry
	ntRejected                // another 4xx
	ntAmbiguous               // 5xx other than 503, or the connection dropped / abandoned
)

// ntServerLog records, per customer e-mail, how each write request ended.
// It wraps the sandbox, so the test knows which answers were ambiguous
// from the server's side, independently of what the client concluded.
type ntServerLog struct {
	mu      sync.Mutex
	byEmail map[string][]ntKind
	epochs  map[string][]int64 // the epoch each request arrived in
	epoch   atomic.Int64       // set by the test: which run is sending
}

func ntNewServerLog() *ntServerLog {
	return &ntServerLog{byEmail: make(map[string][]ntKind), epochs: make(map[string][]int64)}
}

// lastEpoch is the epoch of the last request for email (-1: none).
func (l *ntServerLog) lastEpoch(email string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.epochs[email]
	if len(e) == 0 {
		return -1
	}
	return e[len(e)-1]
}

func (l *ntServerLog) kinds(email string) []ntKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ntKind(nil), l.byEmail[email]...)
}

func (l *ntServerLog) emails() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.byEmail))
	for e, k := range l.byEmail {
		out[e] = len(k)
	}
	return out
}

// ntRecorder notes the status written and whether the sandbox hijacked the
// connection to drop it.
type ntRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (r *ntRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *ntRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *ntRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.hijacked = true
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

func (l *ntServerLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/integrations/") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var fields struct {
			Email string `json:"customer_email"`
		}
		_ = json.Unmarshal(body, &fields)
		epoch := l.epoch.Load()
		rec := &ntRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		kind := ntOK
		switch {
		case rec.hijacked || rec.status == 0:
			kind = ntAmbiguous
		case rec.status == http.StatusTooManyRequests || rec.status == http.StatusServiceUnavailable:
			kind = ntRetry
		case rec.status >= 400 && rec.status <= 499:
			kind = ntRejected
		case rec.status >= 500:
			kind = ntAmbiguous
		}
		l.mu.Lock()
		email := strings.ToLower(fields.Email)
		l.byEmail[email] = append(l.byEmail[email], kind)
		l.epochs[email] = append(l.epochs[email], epoch)
		l.mu.Unlock()
	})
}

// ntSandbox serves a sandbox on loopback behind a ntServerLog.
// The returned func closes it early (it is closed at cleanup anyway).
func ntSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *ntServerLog, string, func()) {
	t.Helper()
	opts.UUIDs = []string{neverTwiceUUID}
	opts.Token = neverTwiceToken
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	log := ntNewServerLog()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: log.wrap(srv)}}
	hs.Start()
	stop := func() {
		srv.Close() // ends hanging handlers first
		hs.CloseClientConnections()
		hs.Close()
	}
	t.Cleanup(stop)
	return srv, log, hs.URL, stop
}

// ntChild is one sbimport subprocess.
type ntChild struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan struct{}
	err    error
}

func ntStart(t *testing.T, env []string, args ...string) *ntChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "SBIMPORT_BE_MAIN=1", ledger.EnvVar+"="+testLedger(t)), env...)
	c := &ntChild{cmd: cmd, stderr: new(bytes.Buffer), done: make(chan struct{})}
	cmd.Stdout = io.Discard
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

func (c *ntChild) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// wait waits for the ntChild to end and returns its exit code (-1 when a
// signal ended it).
func (c *ntChild) wait(t *testing.T) int {
	t.Helper()
	return waitExit(t, c.cmd, c.done, &c.err, c.stderr)
}

// waitExit waits, with a generous deadline, for a child started with cmd
// whose waiter closes done after setting *err, and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, done chan struct{}, err *error, stderr fmt.Stringer) int {
	t.Helper()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("sbimport did not finish within 2 minutes; stderr:\n%s", stderr)
	}
	var ee *exec.ExitError
	if errors.As(*err, &ee) {
		return ee.ExitCode()
	}
	if *err != nil {
		t.Fatalf("sbimport: %v", *err)
	}
	return 0
}

// ntRow is one row of an output sheet.
type ntRow struct {
	email, status, error string
	id                   int64
	line                 int
}

// ntReadOutput reads an output CSV.
func ntReadOutput(t *testing.T, path string) []ntRow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("output sheet: %v", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("output sheet %s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("output sheet %s is empty", path)
	}
	col := make(map[string]int)
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"E-post", "sb_status", "sb_id", "sb_error", "sb_row"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("output sheet %s has no %s column; header %q", path, h, recs[0])
		}
	}
	rows := make([]ntRow, 0, len(recs)-1)
	for _, r := range recs[1:] {
		o := ntRow{email: strings.ToLower(r[col["E-post"]]), status: r[col["sb_status"]], error: r[col["sb_error"]]}
		if s := r[col["sb_id"]]; s != "" {
			if o.id, err = strconv.ParseInt(s, 10, 64); err != nil {
				t.Fatalf("output sheet %s: sb_id %q of %s is not a number", path, s, o.email)
			}
		}
		o.line, _ = strconv.Atoi(r[col["sb_row"]])
		rows = append(rows, o)
	}
	return rows
}

// ntCreated maps each customer e-mail to the ids the sandbox created for it.
func ntCreated(srv *sandbox.Server) map[string][]int64 {
	out := make(map[string][]int64)
	for _, r := range srv.Created() {
		k := r.CustomerKey()
		out[k] = append(out[k], r.ID)
	}
	return out
}

// ntAssertNoUUID fails if any file in dir, or text, holds the uuid.
func ntAssertNoUUID(t *testing.T, dir string, texts ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		checked++
		if bytes.Contains(b, []byte(neverTwiceUUID)) {
			t.Errorf("%s holds the integration uuid", e.Name())
		}
	}
	if checked == 0 {
		t.Errorf("no files in %s to check for the uuid", dir)
	}
	for i, s := range texts {
		if strings.Contains(s, neverTwiceUUID) {
			t.Errorf("output %d of sbimport holds the integration uuid:\n%s", i, s)
		}
	}
}

// ntWaitCreated polls the sandbox until it has created at least n, the
// child ends, or a generous deadline passes; it says whether n was reached.
func ntWaitCreated(srv *sandbox.Server, c *ntChild, n int64) bool {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if srv.Stats().Created >= n {
			return true
		}
		if c.exited() {
			return false
		}
		time.Sleep(500 * time.Microsecond)
	}
	return false
}

// TestKillAndResume kills sbimport run with SIGKILL at several points while
// it sends, runs it again until it finishes, and checks that every row was
// created exactly once and that the output agrees with the sandbox.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	const rows, concurrency = 300, 8
	srv, log, url, _ := ntSandbox(t, sandbox.Options{
		Latency: 12 * time.Millisecond, Jitter: 8 * time.Millisecond,
		P503: 0.03, P500After: 0.01, PDropBefore: 0.01,
		RetryAfter: "0.02", Seed: 3,
	})
	dir := t.TempDir()
	input, emails := ntCustomers(t, dir, rows)
	mappingPath := ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)
	output := filepath.Join(dir, "kunder-result.csv")
	args := []string{"run", "-m", mappingPath, "-i", input, "--base-url", url,
		"--rate", "0", "--concurrency", strconv.Itoa(concurrency), "--yes", "--max-attempts", "20"}
	env := []string{"SALESBYTE_UUID=" + neverTwiceUUID}

	// Kill points: the first while it starts up, the others after the
	// sandbox has created this many more.
	steps := []int64{0, 15, 30, 45, 40, 50}
	kills, sendingKills := 0, 0
	var stderrs []string
	for i, step := range steps {
		before := srv.Stats().Created
		log.epoch.Store(int64(i + 1))
		c := ntStart(t, env, args...)
		if step == 0 {
			time.Sleep(time.Duration(i*10+15) * time.Millisecond)
		} else if !ntWaitCreated(srv, c, before+step) {
			stderrs = append(stderrs, c.stderr.String())
			t.Logf("run %d finished before the kill point (code %d)", i+1, c.wait(t))
			break
		}
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil && !c.exited() {
			t.Fatal(err)
		}
		code := c.wait(t)
		stderrs = append(stderrs, c.stderr.String())
		if code != -1 {
			t.Logf("run %d ended by itself (code %d) before SIGKILL", i+1, code)
			break
		}
		kills++
		if step > 0 {
			sendingKills++
		}
		if _, err := os.Stat(output + ".journal"); err != nil && step > 0 {
			t.Fatalf("after kill %d there is no journal: %v", kills, err)
		}
	}
	if sendingKills < 4 {
		t.Fatalf("only %d kills landed during sending; want at least 4 (the run is too fast for the kill points)", sendingKills)
	}
	if got := srv.Stats().Created; got >= rows {
		t.Fatalf("the sandbox created %d of %d before the last run: the kills landed too late to test anything", got, rows)
	}

	// Run to completion.
	const finalEpoch = 1000
	log.epoch.Store(finalEpoch)
	final := ntStart(t, env, args...)
	code := final.wait(t)
	stderrs = append(stderrs, final.stderr.String())
	if code != 0 && code != 1 {
		t.Fatalf("final run exited %d; want 0 or 1. stderr:\n%s", code, final.stderr)
	}

	out := ntReadOutput(t, output)
	if len(out) != rows {
		t.Fatalf("output has %d rows; want %d (one per input row)", len(out), rows)
	}
	// Each kill left half an output behind; the final run cleared them.
	if left, _ := filepath.Glob(filepath.Join(dir, ".kunder-result.csv.tmp-*")); len(left) > 0 {
		t.Errorf("%d temporary output files left after %d kills and a full run: %v", len(left), kills, left)
	}
	created := ntCreated(srv)
	if d := srv.Duplicates(); len(d) > 0 {
		t.Errorf("created more than once at the sandbox: %v", d)
	}
	counts := map[string]int{}
	notArrived := 0
	for i, r := range out {
		counts[r.status]++
		if r.email != emails[i] {
			t.Fatalf("output row %d is %q; want %q (rows out of order or lost)", i+1, r.email, emails[i])
		}
		if r.line != i+2 {
			t.Errorf("output row %d: sb_row = %d; want %d", i+1, r.line, i+2)
		}
		// Never twice: only an answer that says "not created" (429, 503)
		// may be followed by another request for the same row, whatever
		// run sent it and wherever the kills landed.
		kinds := log.kinds(r.email)
		for _, k := range kinds[:max(len(kinds)-1, 0)] {
			if k != ntRetry {
				t.Errorf("row %d (%s) was sent again after an answer that was not safe to retry (%v)", i+2, r.email, kinds)
				break
			}
		}
		// A row whose last request went out in the final, unkilled run is
		// unknown exactly when the server answered it ambiguously.
		if len(kinds) > 0 && log.lastEpoch(r.email) == finalEpoch {
			if ambiguous := kinds[len(kinds)-1] == ntAmbiguous; ambiguous != (r.status == "unknown") {
				t.Errorf("row %d (%s), sent by the final run: server answers %v, but the row is %q (%s)", i+2, r.email, kinds, r.status, r.error)
			}
		}
		ids := created[r.email]
		switch r.status {
		case "created":
			if r.id == 0 || len(ids) != 1 || ids[0] != r.id {
				t.Errorf("row %d (%s) is created with sb_id %d; the sandbox created %v", i+2, r.email, r.id, ids)
			}
			if len(kinds) == 0 {
				t.Errorf("row %d (%s) is created, but the sandbox never saw a request for it", i+2, r.email)
			}
		case "unknown":
			if len(kinds) == 0 {
				// An intent was journaled but the process died before the
				// request left: allowed (the journal is written first).
				notArrived++
			}
			if len(ids) > 1 {
				t.Errorf("row %d (%s) is unknown and was created %d times", i+2, r.email, len(ids))
			}
		default:
			t.Errorf("row %d (%s) ended %q (%s); want created or unknown", i+2, r.email, r.status, r.error)
		}
	}
	// Every creation belongs to a row of the sheet.
	inSheet := make(map[string]bool, rows)
	for _, e := range emails {
		inSheet[e] = true
	}
	for e := range created {
		if !inSheet[e] {
			t.Errorf("the sandbox created %s, which is not in the sheet", e)
		}
	}
	st := srv.Stats()
	injected := int(st.ServerErrors + st.Drops() + st.Hangs)
	// A kill leaves unknown at most the rows in flight (one per worker):
	// every record is written to the kernel as soon as it is known, so an
	// answered row's outcome survives a kill of the process.
	if limit := kills*concurrency + injected; counts["unknown"] > limit {
		t.Errorf("%d rows unknown; at most %d kills × %d workers + %d ambiguous answers = %d can be", counts["unknown"], kills, concurrency, injected, limit)
	}
	if counts["created"] != len(created) {
		t.Logf("created rows %d, sandbox creations %d (the difference were in flight at a kill or answered ambiguously)", counts["created"], len(created))
	}
	wantCode := 0
	if counts["unknown"] > 0 {
		wantCode = 1
	}
	if code != wantCode {
		t.Errorf("final run exited %d with %d unknown rows; want %d", code, counts["unknown"], wantCode)
	}
	t.Logf("%d unknown rows never reached the sandbox (killed between journaling and sending)", notArrived)
	t.Logf("%d kills; %d created, %d unknown; sandbox: %d requests, %d created, %d 503, %d 500, %d dropped", kills, counts["created"], counts["unknown"], st.Requests, st.Created, st.Unavailable, st.ServerErrors, st.Drops())
	ntAssertNoUUID(t, dir, stderrs...)
}

// TestInterruptAndResume sends SIGINT mid-run: sbimport stops sending,
// waits for its requests in flight, writes the output and exits 130; the
// same command then finishes with nothing created twice.
func TestInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	const rows = 300
	srv, _, url, _ := ntSandbox(t, sandbox.Options{Latency: 12 * time.Millisecond, Jitter: 8 * time.Millisecond, Seed: 5})
	dir := t.TempDir()
	input, emails := ntCustomers(t, dir, rows)
	mappingPath := ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)
	output := filepath.Join(dir, "kunder-result.csv")
	args := []string{"run", "-m", mappingPath, "-i", input, "--base-url", url, "--rate", "0", "--concurrency", "8", "--yes"}
	env := []string{"SALESBYTE_UUID=" + neverTwiceUUID}

	c := ntStart(t, env, args...)
	if !ntWaitCreated(srv, c, 40) {
		t.Fatalf("the run ended before 40 creations (code %d):\n%s", c.wait(t), c.stderr)
	}
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(t); code != exitInterrupted {
		t.Fatalf("after SIGINT sbimport exited %d; want %d. stderr:\n%s", code, exitInterrupted, c.stderr)
	}
	first := ntReadOutput(t, output)
	if len(first) != rows {
		t.Fatalf("interrupted output has %d rows; want %d", len(first), rows)
	}
	created := ntCreated(srv)
	n := map[string]int{}
	for i, r := range first {
		n[r.status]++
		if r.email != emails[i] {
			t.Fatalf("interrupted output row %d is %q; want %q", i+1, r.email, emails[i])
		}
		switch r.status {
		case "created":
			if ids := created[r.email]; len(ids) != 1 || ids[0] != r.id {
				t.Errorf("row %d is created with sb_id %d; the sandbox has %v", i+2, r.id, ids)
			}
		case "skipped":
			if len(created[r.email]) != 0 {
				t.Errorf("row %d is skipped (not sent) but the sandbox created it", i+2)
			}
		default:
			// Ctrl-C waits for requests in flight, so nothing is left unknown.
			t.Errorf("row %d ended %q (%s) after Ctrl-C; want created or skipped", i+2, r.status, r.error)
		}
	}
	if n["created"] == 0 || n["skipped"] == 0 {
		t.Fatalf("SIGINT did not land mid-run: %d created, %d skipped", n["created"], n["skipped"])
	}
	if n["created"] != len(created) {
		t.Errorf("output says %d created; the sandbox created %d", n["created"], len(created))
	}

	c2 := ntStart(t, env, args...)
	if code := c2.wait(t); code != 0 {
		t.Fatalf("resumed run exited %d; want 0. stderr:\n%s", code, c2.stderr)
	}
	if d := srv.Duplicates(); len(d) > 0 {
		t.Errorf("created more than once: %v", d)
	}
	created = ntCreated(srv)
	out := ntReadOutput(t, output)
	for i, r := range out {
		if r.email != emails[i] || r.status != "created" {
			t.Errorf("row %d: %s %q; want %s created", i+2, r.email, r.status, emails[i])
			continue
		}
		if ids := created[r.email]; len(ids) != 1 || ids[0] != r.id {
			t.Errorf("row %d has sb_id %d; the sandbox has %v", i+2, r.id, ids)
		}
		if i < len(first) && first[i].status == "created" && first[i].id != r.id {
			t.Errorf("row %d changed id from %d to %d on resume", i+2, first[i].id, r.id)
		}
	}
	if got := len(created); got != rows {
		t.Errorf("the sandbox created %d customers; want %d", got, rows)
	}
	ntAssertNoUUID(t, dir, c.stderr.String(), c2.stderr.String())
}
