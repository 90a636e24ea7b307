package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// holdObserver is the subprocess's observer when SBIMPORT_TEST_HOLD=1:
// at the first row settled it says so on stderr and holds the run until a
// signal comes (or a minute passes), so a test signals a run that is
// certainly mid-way; at the end it prints how many rows it heard of.
type holdObserver struct {
	inner importer.Observer
	sig   chan os.Signal
	rows  atomic.Int64
}

func newHoldObserver(inner importer.Observer) importer.Observer {
	h := &holdObserver{inner: inner, sig: make(chan os.Signal, 1)}
	signal.Notify(h.sig, syscall.SIGTERM, os.Interrupt)
	return h
}

func (h *holdObserver) Observe(e importer.Event) {
	switch e.(type) {
	case importer.RowDone:
		if h.rows.Add(1) == 1 {
			fmt.Fprintln(os.Stderr, "sbimport-test: working")
			select {
			case <-h.sig:
			case <-time.After(time.Minute):
			}
		}
	case importer.Finished:
		h.inner.Observe(e)
		fmt.Fprintf(os.Stderr, "sbimport-test: %d rows\n", h.rows.Load())
		return
	}
	h.inner.Observe(e)
}

// sigChild is an sbimport subprocess whose stderr is read while it runs.
type sigChild struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

func sigStart(t *testing.T, env []string, args ...string) *sigChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "SBIMPORT_BE_MAIN=1", ledger.EnvVar+"="+testLedger(t)), env...)
	c := &sigChild{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout = io.Discard
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = cmd.Wait(); close(c.done) }()
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

// waitFor polls until ok, failing the test if the child ends first or a
// generous deadline passes.
func (c *sigChild) waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok() {
		select {
		case <-c.done:
			t.Fatalf("sbimport ended before %s; stderr:\n%s", what, c.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sign of %s within a minute; stderr:\n%s", what, c.stderr)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (c *sigChild) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait returns the child's exit code, failing after a generous deadline.
func (c *sigChild) wait(t *testing.T) int {
	t.Helper()
	return waitExit(t, c.cmd, c.done, &c.err, c.stderr)
}

// TestSIGTERMStopsValidate: SIGTERM while validate checks a sheet stops
// it there (it does not read on to the end), writes nothing over the
// earlier output, says so in validate's own words and exits 130.
func TestSIGTERMStopsValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	const rows = 20000 // well beyond what the reorder window lets through unchecked
	dir := t.TempDir()
	input, _ := ntCustomers(t, dir, rows)
	m := ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)
	output := filepath.Join(dir, "kunder-result.csv")
	earlier := "Förnamn,Efternamn\nett tidigare,ark\n"
	ntWriteFile(t, output, earlier)

	c := sigStart(t, []string{"SBIMPORT_TEST_HOLD=1"}, "validate", "-m", m, "-i", input)
	c.waitFor(t, "validate checking rows", func() bool { return strings.Contains(c.stderr.String(), "sbimport-test: working") })
	c.signal(t, syscall.SIGTERM)
	code := c.wait(t)
	stderr := c.stderr.String()
	if code != exitInterrupted {
		t.Fatalf("after SIGTERM validate exited %d; want %d. stderr:\n%s", code, exitInterrupted, stderr)
	}
	match := regexp.MustCompile(`sbimport-test: (\d+) rows`).FindStringSubmatch(stderr)
	if match == nil {
		t.Fatalf("no row count from the test progress:\n%s", stderr)
	}
	if n, _ := strconv.Atoi(match[1]); n >= rows {
		t.Errorf("validate went on to check all %d rows after SIGTERM", n)
	}
	for _, want := range []string{"Interrupted", "no output was written"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for _, bad := range []string{"sent", "journal", "Ctrl-C again"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("validate speaks of %q, which is a run's word:\n%s", bad, stderr)
		}
	}
	if got, err := os.ReadFile(output); err != nil || string(got) != earlier {
		t.Errorf("the earlier output changed (%d bytes, %v); want it as it was", len(got), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left behind: %v; want only the input, the mapping and the earlier output", names)
	}
}

// TestSIGTERMStopsRunLikeCtrlC: SIGTERM mid-run stops sending, waits for
// the requests in flight, writes every row and exits 130; a second SIGTERM
// abandons the requests still in flight (their rows unknown), as a second
// Ctrl-C does.
func TestSIGTERMStopsRunLikeCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	for _, twice := range []bool{false, true} {
		t.Run(fmt.Sprintf("twice=%v", twice), func(t *testing.T) { sigtermRun(t, twice) })
	}
}

func sigtermRun(t *testing.T, twice bool) {
	const rows, inFlight = 200, 4
	opts := sandbox.Options{Latency: 5 * time.Millisecond, Seed: 7}
	if twice {
		opts.PHangAfter, opts.HangFor = 1, 5*time.Minute
	}
	srv, _, url, _ := ntSandbox(t, opts)
	dir := t.TempDir()
	input, emails := ntCustomers(t, dir, rows)
	m := ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)
	c := sigStart(t, []string{"SALESBYTE_UUID=" + neverTwiceUUID}, "run", "-m", m, "-i", input, "--base-url", url,
		"--rate", "0", "--concurrency", strconv.Itoa(inFlight), "--yes")
	c.waitFor(t, "requests at the sandbox", func() bool {
		if twice {
			return srv.Stats().Created >= inFlight // every request hangs once created
		}
		return srv.Stats().Created >= 20
	})
	c.signal(t, syscall.SIGTERM)
	if twice {
		c.waitFor(t, "the first SIGTERM heard", func() bool { return strings.Contains(c.stderr.String(), "Interrupted:") })
		c.signal(t, syscall.SIGTERM)
	}
	if code := c.wait(t); code != exitInterrupted {
		t.Fatalf("after SIGTERM sbimport exited %d; want %d. stderr:\n%s", code, exitInterrupted, c.stderr)
	}
	out := ntReadOutput(t, filepath.Join(dir, "kunder-result.csv"))
	if len(out) != rows {
		t.Fatalf("output has %d rows; want %d", len(out), rows)
	}
	created := ntCreated(srv)
	n := map[string]int{}
	for i, r := range out {
		n[r.status]++
		if r.email != emails[i] {
			t.Fatalf("output row %d is %q; want %q", i+2, r.email, emails[i])
		}
		switch {
		case r.status == "created" && !twice:
			if ids := created[r.email]; len(ids) != 1 || ids[0] != r.id {
				t.Errorf("row %d is created with sb_id %d; the sandbox has %v", i+2, r.id, ids)
			}
		case r.status == "unknown" && twice:
			if len(created[r.email]) != 1 {
				t.Errorf("row %d is unknown but the sandbox has %v", i+2, created[r.email])
			}
		case r.status == "skipped":
			if len(created[r.email]) != 0 {
				t.Errorf("row %d is skipped (not sent) but the sandbox created it", i+2)
			}
		default:
			t.Errorf("row %d ended %q (%s); want created (one SIGTERM) or unknown (two) or skipped", i+2, r.status, r.error)
		}
	}
	if twice && n["unknown"] != len(created) {
		t.Errorf("%d unknown rows; the sandbox holds %d requests abandoned in flight", n["unknown"], len(created))
	}
	if !twice && (n["created"] != len(created) || n["created"] == 0) {
		t.Errorf("output says %d created; the sandbox created %d", n["created"], len(created))
	}
	if n["skipped"] == 0 {
		t.Errorf("SIGTERM did not land mid-run: %v", n)
	}
	ntAssertNoUUID(t, dir, c.stderr.String())
}
