package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sbimport/sbimport/sandbox"
)

// gatedSandbox answers the first `free` write requests at once and holds
// every later one until open is called, so a run is certainly still
// sending while the test does something else.
func gatedSandbox(t *testing.T, free int32) (srv *sandbox.Server, url string, open func()) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{UUIDs: []string{neverTwiceUUID}, Token: neverTwiceToken})
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var once sync.Once
	open = func() { once.Do(func() { close(gate) }) }
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && n.Add(1) > free {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		srv.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	hs.Start()
	t.Cleanup(func() { open(); srv.Close(); hs.CloseClientConnections(); hs.Close() })
	return srv, hs.URL, open
}

// waitCreated polls until the sandbox has created n, with a deadline.
func waitCreated(t *testing.T, srv *sandbox.Server, c *ntChild, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for srv.Stats().Created < n {
		if c.exited() || time.Now().After(deadline) {
			t.Fatalf("the first run did not create %d within a minute (exited: %v); stderr:\n%s", n, c.exited(), c.stderr)
		}
		time.Sleep(time.Millisecond)
	}
}

// A second sbimport on the same output, started while the first is
// sending, is refused before it sends anything.
func TestSecondRunOnTheSameOutputIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	const rows = 60
	lr := newLockRun(t, rows)
	srv, open, env, args := lr.srv, lr.open, lr.env, lr.args
	emails := lr.emails
	output := lr.output

	first := ntStart(t, env, args...)
	waitCreated(t, srv, first, 5)
	for _, a := range [][]string{args, {"validate", "-m", lr.mapping, "-i", lr.input}} {
		second := ntStart(t, env, a...)
		if code := second.wait(t); code != 2 {
			t.Errorf("%s while a run was sending exited %d; want 2. stderr:\n%s", a[0], code, second.stderr)
		}
		if msg := second.stderr.String(); !strings.Contains(msg, "another sbimport is running on "+output) || !strings.Contains(msg, "Nothing was sent") {
			t.Errorf("%s's message does not say another sbimport is running on %s:\n%s", a[0], output, msg)
		}
	}
	if first.exited() {
		t.Fatalf("the first run ended while its requests were held: %s", first.stderr)
	}
	open()
	if code := first.wait(t); code != 0 {
		t.Fatalf("first run exited %d; stderr:\n%s", code, first.stderr)
	}
	created := ntCreated(srv)
	for _, e := range emails {
		if len(created[e]) != 1 {
			t.Errorf("%s was created %d times; want once", e, len(created[e]))
		}
	}
	if st := srv.Stats(); st.Requests != rows || st.Created != rows {
		t.Errorf("sandbox: %d requests, %d created; want %d each", st.Requests, st.Created, rows)
	}
	if out := ntReadOutput(t, output); len(out) != rows || out[rows-1].status != "created" {
		t.Errorf("output: %d rows, last %+v", len(out), out[len(out)-1])
	}
}

// A run killed with SIGKILL leaves no lock that blocks the next run.
func TestKilledRunLeavesNoStaleLock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	const rows = 30
	lr := newLockRun(t, rows)
	srv, open, env, args := lr.srv, lr.open, lr.env, lr.args
	output := lr.output

	first := ntStart(t, env, args...)
	waitCreated(t, srv, first, 5)
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := first.wait(t); code != -1 {
		t.Fatalf("the run ended by itself (code %d) before SIGKILL", code)
	}
	if _, err := os.Stat(output + ".lock"); err != nil {
		t.Fatalf("the killed run left no lock file to test with: %v", err)
	}
	open()
	again := ntStart(t, env, args...)
	if code := again.wait(t); code != 0 && code != 1 {
		t.Fatalf("the run after a kill exited %d; want 0 or 1 (unknown rows). stderr:\n%s", code, again.stderr)
	}
	if d := srv.Duplicates(); len(d) > 0 {
		t.Errorf("created more than once: %v", d)
	}
	if out := ntReadOutput(t, output); len(out) != rows {
		t.Errorf("output has %d rows; want %d", len(out), rows)
	}
}

// Two runs started at the same moment: one sends every row, the other is
// refused before it sends anything.
func TestTwoRunsStartedTogetherSendEachRowOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	const rows = 40
	lr := newLockRun(t, rows)
	srv, open, env, args := lr.srv, lr.open, lr.env, lr.args
	emails := lr.emails

	a, b := ntStart(t, env, args...), ntStart(t, env, args...)
	// The one that holds the output is stopped at the sandbox's gate, so
	// the other must end first.
	var refused, sender *ntChild
	select {
	case <-a.done:
		refused, sender = a, b
	case <-b.done:
		refused, sender = b, a
	case <-time.After(time.Minute):
		t.Fatalf("neither run ended within a minute; stderrs:\n%s\n%s", a.stderr, b.stderr)
	}
	if code := refused.wait(t); code != 2 || !strings.Contains(refused.stderr.String(), "another sbimport is running on") {
		t.Errorf("the run that ended first exited %d; want 2 with a message. stderr:\n%s", code, refused.stderr)
	}
	open()
	if code := sender.wait(t); code != 0 {
		t.Fatalf("the other run exited %d; stderr:\n%s", code, sender.stderr)
	}
	created := ntCreated(srv)
	for _, e := range emails {
		if len(created[e]) != 1 {
			t.Errorf("%s was created %d times; want once", e, len(created[e]))
		}
	}
	if st := srv.Stats(); st.Requests != rows {
		t.Errorf("sandbox saw %d requests; want %d", st.Requests, rows)
	}
}

// lockRun is a sheet of customers, its mapping and a sandbox whose gate
// holds creations after the first 5, and the run command for them.
type lockRun struct {
	srv               *sandbox.Server
	open              func()
	input, mapping    string
	output            string // the run's default output
	emails, env, args []string
}

func newLockRun(t *testing.T, rows int) lockRun {
	t.Helper()
	srv, url, open := gatedSandbox(t, 5)
	dir := t.TempDir()
	input, emails := ntCustomers(t, dir, rows)
	mapping := ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)
	return lockRun{srv: srv, open: open, input: input, mapping: mapping, emails: emails,
		output: filepath.Join(dir, "kunder-result.csv"),
		env:    []string{"SALESBYTE_UUID=" + neverTwiceUUID},
		args:   []string{"run", "-m", mapping, "-i", input, "--base-url", url, "--rate", "0", "--concurrency", "4", "--yes"}}
}
