package main

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// TestKillTwoSheetsSharingTheLedger runs two sheets that share half their
// customers at the same moment, kills both with SIGKILL at random moments,
// again and again, then runs both to the end. Whatever the kills hit, no
// customer is created twice, and no creation is lost: every customer the
// sandbox created is created (with that id) or unknown in an output sheet,
// and created or unknown in the ledger.
func TestKillTwoSheetsSharingTheLedger(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses; not in -short")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 7))
	e := lgStart(t, sandbox.Options{Latency: 8 * time.Millisecond, Jitter: 6 * time.Millisecond, P503: 0.03, RetryAfter: "0.02", Seed: 5})
	sheets := []string{
		lgSheet(t, filepath.Join(e.dir, "a.csv"), lgEmails("kund", 0, 160)),
		lgSheet(t, filepath.Join(e.dir, "b.csv"), lgEmails("kund", 80, 240)),
	}
	env := []string{"SALESBYTE_UUID=" + neverTwiceUUID}
	start := func() []*ntChild {
		var cs []*ntChild
		for _, s := range sheets {
			cs = append(cs, ntStart(t, env, e.args(s, "--concurrency", "6", "--max-attempts", "20")...))
		}
		return cs
	}
	kills := 0
	for round := range 6 {
		before := e.srv.Stats().Created
		cs := start()
		if round == 0 {
			time.Sleep(time.Duration(rnd.IntN(40)) * time.Millisecond) // while starting up
		} else if !ntWaitCreated(e.srv, cs[0], before+int64(5+rnd.IntN(25))) {
			t.Logf("round %d: a run ended before the kill point", round)
		}
		for _, c := range cs {
			time.Sleep(time.Duration(rnd.IntN(15)) * time.Millisecond)
			if err := c.cmd.Process.Signal(syscall.SIGKILL); err == nil {
				kills++
			}
			c.wait(t)
		}
	}
	if got := e.srv.Stats().Created; got >= 240 {
		t.Fatalf("the sandbox created all %d before the last runs: the kills landed too late", got)
	}
	for _, c := range start() {
		if code := c.wait(t); code != 0 && code != 1 {
			t.Fatalf("a final run exited %d:\n%s", code, c.stderr)
		}
	}
	// Once more, one after the other, so rows held back while the other
	// sheet had them in flight are settled.
	for _, s := range sheets {
		if code, stderr := lgRun(t, e.args(s)...); code != 0 && code != 1 {
			t.Fatalf("a last run exited %d:\n%s", code, stderr)
		}
	}
	lgCheckNeverTwiceNeverLost(t, e)
	t.Logf("%d kills; sandbox: %d requests, %d created", kills, e.srv.Stats().Requests, e.srv.Stats().Created)
	ntAssertNoUUID(t, filepath.Dir(testLedger(t)))
}

// lgCheckNeverTwiceNeverLost checks the two outputs and the ledger of
// TestKillTwoSheetsSharingTheLedger against the sandbox.
func lgCheckNeverTwiceNeverLost(t *testing.T, e *lgEnv) {
	t.Helper()
	if d := e.srv.Duplicates(); len(d) > 0 {
		t.Errorf("created more than once at the sandbox: %v", d)
	}
	created := ntCreated(e.srv)
	rows := map[string][]ntRow{}
	for _, out := range []string{"a-result.csv", "b-result.csv"} {
		for _, r := range ntReadOutput(t, filepath.Join(e.dir, out)) {
			rows[r.email] = append(rows[r.email], r)
			switch {
			case r.status == "created" && (len(created[r.email]) != 1 || created[r.email][0] != r.id):
				t.Errorf("%s: %s is created with id %d; the sandbox created %v", out, r.email, r.id, created[r.email])
			case r.status == "skipped" && !strings.Contains(r.error, "(run "):
				t.Errorf("%s: %s is skipped (%s); want a run's outcome or the run that holds it", out, r.email, r.error)
			case r.status != "created" && r.status != "unknown" && r.status != "skipped":
				t.Errorf("%s: %s is %s (%s)", out, r.email, r.status, r.error)
			}
		}
	}
	// A customer never created was in flight at a kill (unknown in its
	// sheet); one reserved but never sent is sent by its sheet's next run.
	for email, rs := range rows {
		unknown := false
		for _, r := range rs {
			unknown = unknown || r.status == "unknown"
		}
		if len(created[email]) == 0 && !unknown {
			t.Errorf("%s was never created and is not unknown anywhere: %+v", email, rs)
		}
	}
	l, err := ledger.Open(context.Background(), testLedger(t), ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for email, ids := range created {
		kept := false
		for _, r := range rows[email] {
			kept = kept || r.status == "unknown" || (r.status == "created" && r.id == ids[0])
		}
		if !kept {
			t.Errorf("%s was created (id %d), but no output sheet says so: %+v", email, ids[0], rows[email])
		}
		es, err := l.KeyHistory(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		inLedger := false
		for _, en := range es {
			inLedger = inLedger || en.Status == ledger.Unknown || (en.Status == ledger.Created && en.SBID == ids[0])
		}
		if !inLedger {
			t.Errorf("%s was created (id %d), but the ledger does not say so: %d entries", email, ids[0], len(es))
		}
	}
}
