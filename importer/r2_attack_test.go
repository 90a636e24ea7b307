package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
	"github.com/sbimport/sbimport/sheet"
)

// A run made before the ledger existed, then resumed with it: the rows it
// created are in its journal only. The sheet fixed in place afterwards
// must not set that journal aside, or those rows are sent again.
func TestEditedOriginalKeepsAJournalWhoseRowsTheLedgerDoesNotKnow(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	if _, err := Run(context.Background(), e.config()); err != nil { // no ledger yet
		t.Fatal(err)
	}
	dropJournalEnd(t, JournalPath(DefaultOutput(e.input)))
	os.Remove(DefaultOutput(e.input)) // killed before the output was written
	l := openTestLedger(t, filepath.Join(t.TempDir(), "ledger.db"))
	if _, err := Run(context.Background(), e.ledgerConfig(l)); err != nil { // resumed with the ledger
		t.Fatal(err)
	}
	e.customers(4) // fixed, one row more
	Run(context.Background(), e.ledgerConfig(l))
	for key, n := range e.srv.CountByCustomer() {
		if n > 1 {
			t.Errorf("%s created %d times", key, n)
		}
	}
}

// A run killed after its journal got the outcomes, resumed with another
// ledger (another --ledger, $SBIMPORT_LEDGER): the entry ids its journal
// recorded name other rows there, which keep what they were (no other
// customer's id and links written over them).
func TestResumeWithAnotherLedgerLeavesItsEntriesAlone(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	dir := t.TempDir()
	b := openTestLedger(t, filepath.Join(dir, "b.db"))
	e.input = e.write("andra.csv", "Förnamn,Efternamn,E-post,Mobil\nBo,B,bo@example.se,0701234500\nCia,C,cia@example.se,0701234501\n")
	if _, err := Run(context.Background(), e.ledgerConfig(b)); err != nil {
		t.Fatal(err)
	}
	before := map[string]int64{}
	for _, key := range []string{"bo@example.se", "cia@example.se"} {
		es, _ := b.KeyHistory(context.Background(), key)
		if len(es) != 1 || es[0].Status != ledger.Created {
			t.Fatalf("%s in b: %+v", key, es)
		}
		before[key] = es[0].SBID
	}
	e.customers(2)
	a := openTestLedger(t, filepath.Join(dir, "a.db"))
	if _, err := Run(context.Background(), e.ledgerConfig(a)); err != nil {
		t.Fatal(err)
	}
	dropJournalEnd(t, JournalPath(DefaultOutput(e.input)))
	os.Remove(DefaultOutput(e.input)) // killed before the output was written
	if _, err := Run(context.Background(), e.ledgerConfig(b)); err != nil {
		t.Fatal(err)
	}
	for key, id := range before {
		es, _ := b.KeyHistory(context.Background(), key)
		if len(es) != 1 || es[0].Status != ledger.Created || es[0].SBID != id {
			t.Errorf("%s in b after the resume: %d entries, the first %s id %d; want one, created with id %d", key, len(es), es[0].Status, es[0].SBID, id)
		}
	}
}

// A run whose output could not be written (held open, and the user gave
// up) leaves the ledger's record of that sheet as it was: a hand edit
// made to it afterwards is still never written over.
func TestOutputNotWrittenKeepsTheHandEditGuard(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3, 1)
	l := openTestLedger(t, filepath.Join(t.TempDir(), "ledger.db"))
	if _, err := Run(context.Background(), e.ledgerConfig(l)); err != nil {
		t.Fatal(err)
	}
	held := e.ledgerConfig(l)
	held.wrapWriter = func(w sheet.Writer) sheet.Writer { return &heldWriter{Writer: w, held: -1} }
	held.HeldOpen = &scriptedAnswers{}
	var le *sheet.LockedFileError
	if _, err := Run(context.Background(), held); !errors.As(err, &le) {
		t.Fatalf("run with the output held open: %v; want a *sheet.LockedFileError", err)
	}
	out := DefaultOutput(e.input)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "kund-utan-doman@", "kund1@example.se", 1)
	if edited == string(b) {
		t.Fatal("the test's edit changed nothing")
	}
	if err := os.WriteFile(out, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), e.ledgerConfig(l))
	var he *HandEditedError
	if !errors.As(err, &he) {
		t.Errorf("run over the sheet edited by hand: %v; want a HandEditedError", err)
	}
	if after, _ := os.ReadFile(out); string(after) != edited {
		t.Error("the sheet edited by hand was written over")
	}
}

// The same when sbimport had no record of the sheet before: a result
// sheet put there after a run that could not write it is not taken for
// sbimport's own.
func TestFirstOutputNotWrittenLeavesNoRecord(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(2)
	l := openTestLedger(t, filepath.Join(t.TempDir(), "ledger.db"))
	held := e.ledgerConfig(l)
	held.wrapWriter = func(w sheet.Writer) sheet.Writer { return &heldWriter{Writer: w, held: -1} }
	held.HeldOpen = &scriptedAnswers{}
	var le *sheet.LockedFileError
	if _, err := Run(context.Background(), held); !errors.As(err, &le) {
		t.Fatalf("run with the output held open: %v; want a *sheet.LockedFileError", err)
	}
	if _, ok, err := l.LastOutput(context.Background(), DefaultOutput(e.input)); ok || err != nil {
		t.Errorf("the ledger records an output never written (%v)", err)
	}
	mine := "Förnamn,Efternamn,E-post,Mobil,sb_status\nAnna0,Svensson,kund0@example.se,0701234500,created\n"
	e.write(filepath.Base(DefaultOutput(e.input)), mine)
	os.Remove(JournalPath(DefaultOutput(e.input)))
	_, err := Prepare(context.Background(), e.ledgerConfig(l), Validating)
	var he *HandEditedError
	if !errors.As(err, &he) {
		t.Errorf("validate over a result sheet sbimport never wrote: %v; want a HandEditedError", err)
	}
}

// Reconcile settles in the ledger the entries of the run whose sheet it
// reconciled, not another run's entry of the same key: that run sent it
// later, and what reconcile found out for this sheet's window says
// nothing about it.
func TestReconcileSettlesOnlyItsOwnRunsEntries(t *testing.T) {
	e := newEnv(t, sandbox.Options{PDropBefore: 1, Seed: 3}, nil)
	e.customers(1)
	l := openTestLedger(t, filepath.Join(t.TempDir(), "ledger.db"))
	cfg := e.ledgerConfig(l)
	if sum, _ := Run(context.Background(), cfg); sum == nil || sum.Counts[Unknown] != 1 {
		t.Fatalf("the run: %+v; want its row unknown", sum)
	}
	ctx := context.Background()
	scope := ledger.Scope{Integration: cfg.Integration, Endpoint: "quote"}
	other, err := l.BeginRun(ctx, ledger.RunInfo{Input: "/elsewhere/b.csv", Endpoint: "quote", Integration: cfg.Integration})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := l.Reserve(ctx, other, scope, []ledger.Claim{{Key: l.KeyHash("kund0@example.se"), File: "/elsewhere/b.csv", Row: 2}}, ledger.ReserveOptions{RetryUnknown: true})
	if err != nil || !ds[0].Granted {
		t.Fatalf("reserve in another run: %+v %v", ds, err)
	}
	if err := l.Record(ctx, []ledger.Outcome{{Entry: ds[0].Entry, Status: ledger.Unknown}}); err != nil {
		t.Fatal(err)
	}
	if err := l.FinishRun(ctx, other, ledger.Counts{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Reconcile(ctx, ReconcileConfig{Input: DefaultOutput(e.input), Quotes: listing(quotesClient(t, e)), Ledger: l}); err != nil {
		t.Fatal(err)
	}
	es, err := l.KeyHistory(ctx, "kund0@example.se")
	if err != nil || len(es) != 2 {
		t.Fatalf("history: %d entries, %v", len(es), err)
	}
	if es[0].Status != ledger.Failed || es[1].Status != ledger.Unknown {
		t.Errorf("after reconciling the first run: its entry %s, the other run's %s; want failed and unknown", es[0].Status, es[1].Status)
	}
}

// What a run puts in the ledger's files (the database, its WAL, the runs'
// lock folder) holds no customer's e-mail, phone or name and not the
// uuid, whatever the row's outcome (created, held back, failed).
func TestARunLeavesNoCustomerDataInTheLedgerFiles(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3, 1)
	dir := t.TempDir()
	l := openTestLedger(t, filepath.Join(dir, "ledger.db"))
	if _, err := Run(context.Background(), e.ledgerConfig(l)); err != nil {
		t.Fatal(err)
	}
	e.input = e.write("andra.csv", "Förnamn,Efternamn,E-post,Mobil\nAnna0,Svensson,kund0@example.se,070-123 45 00\n")
	if _, err := Run(context.Background(), e.ledgerConfig(l)); err != nil {
		t.Fatal(err)
	}
	secrets := []string{testUUID, "kund0@example.se", "kund2@example.se", "kund-utan-doman@", "070-123 45 00", "0701234500", "Anna0", "Svensson"}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.Contains(strings.ToLower(string(b)), strings.ToLower(s)) {
				t.Errorf("%s holds %q in clear", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
