package ledger

import (
	"context"
	"testing"
	"time"
)

// Restore writes a journal's outcome only on the entry granted for that
// very claim and still sending: an id that names another row here (a
// journal resumed with another ledger), another scope's entry, or an
// entry settled since, is left as it is.
func TestRestoreWritesOnlyThatClaimsSendingEntry(t *testing.T) {
	l, _ := newLedger(t)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", s)
	ds := reserve(t, l, run, s, ReserveOptions{}, "a.csv", "anna", "bo", "cia", "dan")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created, SBID: 7}, Outcome{Entry: ds[2].Entry, Status: Created, SBID: 9})
	claim := func(key string, row int) Claim { return Claim{Key: l.KeyHash(key), File: "a.csv", Row: row} }
	err := l.Restore(ctx, s, []Restored{
		{Outcome{Entry: ds[0].Entry, Status: Failed}, claim("other", 2)},                                   // another row's entry
		{Outcome{Entry: ds[1].Entry, Status: Created, SBID: 8}, claim("bo", 3)},                            // its own, sending
		{Outcome{Entry: ds[2].Entry, Status: Unknown}, claim("cia", 4)},                                    // settled since
		{Outcome{Entry: ds[3].Entry, Status: Failed}, Claim{Key: l.KeyHash("dan"), File: "b.csv", Row: 5}}, // another file
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		st Status
		id int64
	}{"anna": {Created, 7}, "bo": {Created, 8}, "cia": {Created, 9}, "dan": {Sending, 0}}
	for key, w := range want {
		es, err := l.KeyHistory(ctx, key)
		if err != nil || len(es) != 1 {
			t.Fatalf("%s: %v %v", key, es, err)
		}
		if es[0].Status != w.st || es[0].SBID != w.id {
			t.Errorf("%s after Restore: %s id %d; want %s id %d", key, es[0].Status, es[0].SBID, w.st, w.id)
		}
	}
	other := Scope{Integration: s.Integration, Campaign: "vår"}
	if err := l.Restore(ctx, other, []Restored{{Outcome{Entry: ds[3].Entry, Status: Failed}, claim("dan", 5)}}); err != nil {
		t.Fatal(err)
	}
	if es, _ := l.KeyHistory(ctx, "dan"); es[0].Status != Sending {
		t.Errorf("Restore in another scope wrote %s", es[0].Status)
	}
}

// Known finds an entry only as the journal names it: same id, file and
// row, in the scope; a dead run's sending entry reads as unknown.
func TestKnownNamesOnlyEntriesAsTheJournalRecordedThem(t *testing.T) {
	l, _ := newLedger(t)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", s)
	ds := reserve(t, l, run, s, ReserveOptions{}, "a.csv", "anna", "bo")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created, SBID: 7})
	refs := []EntryRef{{ds[0].Entry, "a.csv", 2}, {ds[1].Entry, "a.csv", 3}, {ds[0].Entry, "a.csv", 3}, {ds[1].Entry, "b.csv", 3}, {99, "a.csv", 2}}
	got, err := l.Known(ctx, s, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[ds[0].Entry] != Created || got[ds[1].Entry] != Sending {
		t.Errorf("Known: %v; want entry %d created and %d sending only", got, ds[0].Entry, ds[1].Entry)
	}
	if got, _ := l.Known(ctx, Scope{Integration: l.Fingerprint("v"), Endpoint: "quote"}, refs); len(got) != 0 {
		t.Errorf("Known in another integration's scope: %v", got)
	}
	if err := l.FinishRun(ctx, run, Counts{}, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Known(ctx, s, refs[1:2]); got[ds[1].Entry] != Unknown {
		t.Errorf("a finished run's sending entry reads %q; want unknown", got[ds[1].Entry])
	}
}

// A run or entry id forgotten is never given again: a journal still
// names it, and a resumed run would take another run (or its entries)
// for its own.
func TestForgetNeverLetsAnIDBeUsedAgain(t *testing.T) {
	l, c := newLedger(t)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	old := beginRun(t, l, "a.csv", s)
	ds := reserve(t, l, old, s, ReserveOptions{}, "a.csv", "anna", "bo")
	if err := l.FinishRun(ctx, old, Counts{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c.t = t0.Add(48 * time.Hour)
	if f, err := l.Forget(ctx, c.t); err != nil || f.Runs != 1 {
		t.Fatalf("Forget: %+v, %v", f, err)
	}
	run := beginRun(t, l, "a.csv", s)
	if run <= old {
		t.Errorf("the run after Forget got id %d; the forgotten one had %d", run, old)
	}
	if ds2 := reserve(t, l, run, s, ReserveOptions{}, "a.csv", "anna"); ds2[0].Entry <= ds[1].Entry {
		t.Errorf("the entry after Forget got id %d; the forgotten ones went up to %d", ds2[0].Entry, ds[1].Entry)
	}
}

// Reconciling one run's sheet settles that run's entries only: another
// run that sent the same key later (with retry-unknown) may have created
// it where the first did not, and stays unknown.
func TestSettleTouchesOnlyTheRunReconciled(t *testing.T) {
	l, _ := newLedger(t)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	first := beginRun(t, l, "a.csv", s)
	d1 := reserve(t, l, first, s, ReserveOptions{}, "a.csv", "anna")
	record(t, l, Outcome{Entry: d1[0].Entry, Status: Unknown})
	second := beginRun(t, l, "b.csv", s)
	d2 := reserve(t, l, second, s, ReserveOptions{RetryUnknown: true}, "b.csv", "anna")
	record(t, l, Outcome{Entry: d2[0].Entry, Status: Unknown})
	n, err := l.Settle(ctx, []Settlement{{Run: first, Scope: s, Key: l.KeyHash("anna"), Status: Failed}})
	if err != nil || n != 1 {
		t.Fatalf("Settle: %d, %v", n, err)
	}
	es, _ := l.KeyHistory(ctx, "anna")
	if len(es) != 2 || es[0].Run != first || es[0].Status != Failed || es[1].Status != Unknown {
		t.Errorf("after settling run %d: %v %v; want its entry failed and run %d's still unknown", first, es[0].Status, es[1].Status, second)
	}
}
