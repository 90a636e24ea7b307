package ledger

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSummarizeGroupsByReasonAndScopeWithTheFirst(t *testing.T) {
	l, c := newLedger(t)
	camp := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote", Campaign: "vinter-2026"}
	r1 := beginRun(t, l, "kunder.xlsx", camp)
	c.t = t0.Add(time.Hour)
	ds := reserve(t, l, r1, camp, ReserveOptions{}, "kunder.xlsx", "b", "c", "d")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created, At: t0.Add(2 * time.Hour)},
		Outcome{Entry: ds[1].Entry, Status: Created, At: t0.Add(time.Hour)},
		Outcome{Entry: ds[2].Entry, Status: Unknown})
	l.FinishRun(context.Background(), r1, Counts{}, time.Time{})
	r2 := beginRun(t, l, "nya.csv", camp)
	got := Summarize(reserve(t, l, r2, camp, ReserveOptions{}, "nya.csv", "d", "b", "new", "c"))
	if len(got) != 2 {
		t.Fatalf("Summarize: %+v, want 2 groups", got)
	}
	if g := got[0]; g.Reason != HeldCreated || g.Scope != "campaign:vinter-2026" || g.N != 2 ||
		!g.First.When().Equal(t0.Add(time.Hour)) || g.First.File != "kunder.xlsx" {
		t.Errorf("created group: %+v (first %+v), want 2 in campaign:vinter-2026, first at %v from kunder.xlsx", g, g.First, t0.Add(time.Hour))
	}
	if g := got[1]; g.Reason != HeldUnknown || g.N != 1 {
		t.Errorf("unknown group: %+v", g)
	}
}

func TestCheckCampaign(t *testing.T) {
	for _, ok := range []string{"vinter-2026", "V26", "a.b_c-1"} {
		if err := CheckCampaign(ok); err != nil {
			t.Errorf("CheckCampaign(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-x", "vinter 2026", "kampanj/1", "å", string(make([]byte, 65))} {
		if err := CheckCampaign(bad); !errors.Is(err, ErrCampaignName) {
			t.Errorf("CheckCampaign(%q): %v, want ErrCampaignName", bad, err)
		}
	}
}

func TestVerifyFindsDamageInsideTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l := openAt(t, path, Options{})
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", s)
	keys := make([]string, 400)
	for i := range keys {
		keys[i] = string(rune('a'+i%26)) + time.Duration(i).String()
	}
	reserve(t, l, run, s, ReserveOptions{}, "a.csv", keys...)
	l.FinishRun(context.Background(), run, Counts{}, time.Time{})
	l.Close() // checkpoints the WAL into the file
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if fi.Size() < 8*4096 {
		t.Fatalf("ledger only %d bytes: too small to damage a middle page", fi.Size())
	}
	junk := make([]byte, 4096)
	rand.Read(junk)
	f.WriteAt(junk, 5*4096) // a page of the entries, not the header
	f.Close()
	if l, err := Open(context.Background(), path, Options{}); err == nil {
		l.Close() // without Verify the damage is not seen at Open: Verify is what finds it
	}
	_, err = Open(context.Background(), path, Options{Verify: true})
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Open with Verify of a damaged ledger: %v, want *CorruptError", err)
	}
}

func TestForgetLeavesNothingOfTheForgottenInTheFiles(t *testing.T) {
	dir := t.TempDir()
	l, c := newLedgerIn(t, dir)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	old := beginRun(t, l, "gammal-kundlista-2025.xlsx", s)
	ds := reserve(t, l, old, s, ReserveOptions{}, "gammal-kundlista-2025.xlsx", "anna", "bo")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created}, Outcome{Entry: ds[1].Entry, Status: Created})
	l.FinishRun(ctx, old, Counts{}, time.Time{})
	c.t = t0.Add(48 * time.Hour)
	keep := beginRun(t, l, "ny.csv", s)
	reserve(t, l, keep, s, ReserveOptions{}, "ny.csv", "cia")
	if _, err := l.Forget(ctx, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	scanDir(t, dir, []string{"gammal-kundlista-2025.xlsx"})
}

func newLedgerIn(t *testing.T, dir string) (*Ledger, *clock) {
	c := &clock{t: t0}
	return openAt(t, filepath.Join(dir, "ledger.db"), Options{Now: c.now}), c
}

func TestMissingRunsAreTypedErrors(t *testing.T) {
	l, _ := newLedger(t)
	ctx := context.Background()
	if err := l.ResumeRun(ctx, 42); !errors.Is(err, ErrNoRun) {
		t.Errorf("ResumeRun of a missing run: %v, want ErrNoRun", err)
	}
	if err := l.FinishRun(ctx, 42, Counts{}, time.Time{}); !errors.Is(err, ErrNoRun) {
		t.Errorf("FinishRun of a missing run: %v, want ErrNoRun", err)
	}
}
