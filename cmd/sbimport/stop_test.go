package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/sandbox"
)

// closedLoopbackURL is an address on loopback where nothing listens.
func closedLoopbackURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestUnreachableServerStopsAtOnce: a --base-url where nothing listens
// stops the run after a few refused connections, says the server could not
// be reached (and where), marks no row as one to fix, leaves every row to
// be sent by the same command, and exits 2: nothing was sent.
func TestUnreachableServerStopsAtOnce(t *testing.T) {
	dir := t.TempDir()
	in, emails := ntCustomers(t, dir, 38)
	m := ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)
	url := closedLoopbackURL(t)
	c := &cli{t: t, env: map[string]string{"SALESBYTE_UUID": neverTwiceUUID}}
	code, _, stderr := c.run("run", "-m", m, "-i", in, "--base-url", url, "--rate", "0", "--concurrency", "4", "--yes")
	if code != exitUsage {
		t.Errorf("exit %d; want %d (nothing was sent)\n%s", code, exitUsage, stderr)
	}
	for _, want := range []string{"could not be reached at " + url, "no row needs fixing", "check --base-url and the network", "run the same command again"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	for _, bad := range []string{"marked failed", "Rows to look at", neverTwiceUUID} {
		if strings.Contains(stderr, bad) {
			t.Errorf("summary says %q:\n%s", bad, stderr)
		}
	}
	out := ntReadOutput(t, filepath.Join(dir, "kunder-result.csv"))
	if len(out) != len(emails) {
		t.Fatalf("output has %d rows; want %d", len(out), len(emails))
	}
	for i, r := range out {
		if r.status != "skipped" || !strings.HasPrefix(r.error, "not sent: SalesByte could not be reached") {
			t.Errorf("row %d: %s %q; want skipped, not sent: SalesByte could not be reached", i+2, r.status, r.error)
		}
	}
	ntAssertNoUUID(t, dir, stderr)

	// The same command, once the server is there, sends every row.
	e := startSandbox(t, sandbox.Options{}, nil)
	code, _, stderr = e.cli.run("run", "-m", m, "-i", filepath.Join(dir, "kunder-result.csv"), "--base-url", e.url, "--rate", "0", "--yes")
	if code != 0 {
		t.Fatalf("re-run against a reachable server: exit %d\n%s", code, stderr)
	}
	if got := e.srv.Stats().Created; got != int64(len(emails)) {
		t.Errorf("the re-run created %d; want %d", got, len(emails))
	}
}

// TestRowsToLookAtSaysHowManyMore: past the first rows listed, the
// summary says how many more the output sheet holds.
func TestRowsToLookAtSaysHowManyMore(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Förnamn,Efternamn,E-post,Mobil\n")
	for i := range 23 {
		fmt.Fprintf(&b, "Anna%d,Svensson,inte-en-adress-%d,070-123 45 67\n", i, i)
	}
	in := ntWriteFile(t, filepath.Join(dir, "k.csv"), b.String())
	m := ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)
	c := &cli{t: t, env: map[string]string{}}
	code, _, stderr := c.run("validate", "-m", m, "-i", in)
	if code != exitRowsFailed {
		t.Fatalf("exit %d; want 1\n%s", code, stderr)
	}
	listed := strings.Count(stderr, "\n  row ")
	if listed == 0 || listed >= 23 {
		t.Fatalf("%d rows listed; want the first few of 23:\n%s", listed, stderr)
	}
	if want := fmt.Sprintf("…and %d more", 23-listed); !strings.Contains(stderr, want) {
		t.Errorf("summary lacks %q:\n%s", want, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "k-result.csv")); err != nil {
		t.Error(err)
	}
}

// An interrupt while the prompt waits for an answer ends the run at once:
// nothing sent, nothing written, exit 130.
func TestInterruptAtThePrompt(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in, _ := ntCustomers(t, e.dir, 5)
	m := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	stdin, never := io.Pipe() // no answer ever comes
	defer never.Close()
	sig := make(chan os.Signal, 1)
	var errb syncBuffer
	s := streams{In: stdin, Out: io.Discard, Err: &errb, Terminal: true, Getenv: func(k string) string { return e.cli.env[k] },
		Signals: func() (<-chan os.Signal, func()) { return sig, func() {} }}
	codes := make(chan int, 1)
	go func() {
		codes <- execute(context.Background(), []string{"run", "-m", m, "-i", in, "--base-url", e.url, "--rate", "0"}, s)
	}()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(errb.String(), "[y/N]") {
		if time.Now().After(deadline) {
			t.Fatalf("no prompt within a minute:\n%s", errb.String())
		}
		time.Sleep(time.Millisecond)
	}
	sig <- os.Interrupt
	select {
	case code := <-codes:
		if code != exitInterrupted {
			t.Errorf("exit %d; want %d\n%s", code, exitInterrupted, errb.String())
		}
	case <-time.After(time.Minute):
		never.Close() // lets the old prompt read an empty answer and end
		<-codes
		t.Fatalf("Ctrl-C at the prompt did not end the run within a minute:\n%s", errb.String())
	}
	if !strings.Contains(errb.String(), "nothing was sent and nothing was written") {
		t.Errorf("stderr does not say nothing was sent:\n%s", errb.String())
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent after Ctrl-C at the prompt", n)
	}
	out := filepath.Join(e.dir, "kunder-result.csv")
	for _, p := range []string{out, out + ".journal"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was written (%v)", p, err)
		}
	}
}
