package importer

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// The planner's duplicate check and the ledger read a key alike: "Åsa"
// typed on a Mac (A and a combining ring) and on Windows (one letter) are
// one key for both.
func TestDuplicateKeysAreNormalisedAsTheLedgerDoes(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.mapping = e.write("by-name.yaml", strings.Replace(quoteMapping, "key: E-post", "key: Förnamn", 1))
	e.input = e.write("k.csv", "Förnamn,Efternamn,E-post,Mobil\n\u00c5sa,B,a@example.se,0701234567\nA\u030asa,D,b@example.se,0701234568\n")
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Plan.Dupes != 1 || e.srv.Stats().Created != 1 {
		t.Errorf("plan dupes %d, created %d; want the second row a duplicate of the first", sum.Plan.Dupes, e.srv.Stats().Created)
	}
	if ledger.NormalizeKey("\u00c5sa") != ledger.NormalizeKey("A\u030asa") {
		t.Error("the ledger reads the two keys apart")
	}
}

func openTestLedger(t *testing.T, path string) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(context.Background(), path, ledger.Options{Sync: ledger.SyncNormal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func (e *env) ledgerConfig(l *ledger.Ledger) Config {
	cfg := e.config()
	cfg.Ledger, cfg.Integration = l, l.Fingerprint(testUUID)
	return cfg
}

// dropJournalEnd removes the journal's end record: the run looks killed
// after its last outcome.
func dropJournalEnd(t *testing.T, journal string) {
	t.Helper()
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	if !strings.Contains(lines[len(lines)-1], `"t":"end"`) {
		t.Fatalf("the journal's last record is not its end: %s", lines[len(lines)-1])
	}
	if err := os.WriteFile(journal, []byte(strings.Join(lines[:len(lines)-1], "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A run killed after its journal got the outcomes but before the ledger
// did: resumed, it writes them to the ledger from the journal, so the
// ledger says created (with the id), not unknown.
func TestResumeWritesTheJournalsOutcomesToTheLedger(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	path := filepath.Join(t.TempDir(), "ledger.db")
	l := openTestLedger(t, path)
	if _, err := Run(context.Background(), e.ledgerConfig(l)); err != nil {
		t.Fatal(err)
	}
	dropJournalEnd(t, JournalPath(DefaultOutput(e.input)))
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE entries SET status='sending', sb_id=0, at=NULL; UPDATE runs SET ended=NULL"); err != nil {
		t.Fatal(err)
	}
	requests := e.srv.Stats().Requests
	if _, err := Run(context.Background(), e.ledgerConfig(l)); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Stats().Requests - requests; n != 0 {
		t.Errorf("the resumed run sent %d requests; want none", n)
	}
	ids := e.srv.CountByCustomer()
	for _, key := range []string{"kund0@example.se", "kund2@example.se"} {
		es, err := l.KeyHistory(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Status != ledger.Created || es[0].SBID == 0 || ids[key] != 1 {
			t.Errorf("%s in the ledger: %+v; want one entry, created with its id", key, es)
		}
	}
}

// The original sheet fixed in place: a finished run of its earlier
// version is set aside (the ledger knows what it created); an unfinished
// one is still refused.
func TestEditedOriginalNeedsTheEarlierRunFinished(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3, 1)
	l := openTestLedger(t, filepath.Join(t.TempDir(), "ledger.db"))
	if _, err := Run(context.Background(), e.ledgerConfig(l)); err != nil {
		t.Fatal(err)
	}
	dropJournalEnd(t, JournalPath(DefaultOutput(e.input)))
	e.customers(4) // fixed, one row more
	_, err := Prepare(context.Background(), e.ledgerConfig(l), Sending)
	var jo *JournalOtherRunError
	if !errors.As(err, &jo) || !jo.Unfinished {
		t.Fatalf("Prepare on an unfinished earlier run: %v; want JournalOtherRunError, unfinished", err)
	}
	// Without the ledger, a finished one is refused as before.
	e2 := newEnv(t, sandbox.Options{}, nil)
	e2.customers(2, 1)
	if _, err := Run(context.Background(), e2.config()); err != nil {
		t.Fatal(err)
	}
	e2.customers(3)
	if _, err := Prepare(context.Background(), e2.config(), Sending); !errors.As(err, &jo) || jo.Unfinished {
		t.Fatalf("Prepare without a ledger: %v; want JournalOtherRunError, finished", err)
	}
}

// An output sheet the ledger has no record of writing is written over
// only when it holds no sb_status: one with results came from another
// ledger or an older sbimport, and may hold fixes.
func TestUnrecordedResultSheetIsNotWrittenOver(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(2, 1)
	out := DefaultOutput(e.input)
	if _, err := Run(context.Background(), e.config()); err != nil { // no ledger: nothing recorded
		t.Fatal(err)
	}
	os.Remove(JournalPath(out))
	l := openTestLedger(t, filepath.Join(t.TempDir(), "ledger.db"))
	_, err := Prepare(context.Background(), e.ledgerConfig(l), Validating)
	var he *HandEditedError
	if !errors.As(err, &he) || he.Output != out || !he.Written.IsZero() {
		t.Fatalf("validate over an unrecorded result sheet: %v; want HandEditedError with no record", err)
	}
	e.write(filepath.Base(out), "Förnamn,sb_status\nA,\n")
	imp, err := Prepare(context.Background(), e.ledgerConfig(l), Validating)
	if err != nil {
		t.Fatalf("a result sheet with no sb_status is refused: %v", err)
	}
	imp.Close()
}

// The mapping's campaign: is the run's scope unless the caller names one;
// a name the ledger does not take is refused before anything is sent.
func TestMappingCampaignIsTheDefaultScope(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	e.mapping = e.write("vinter.yaml", "campaign: vinter-2026\n"+quoteMapping)
	l := openTestLedger(t, filepath.Join(e.dir, "ledger.db"))
	imp, err := Prepare(context.Background(), e.ledgerConfig(l), Sending)
	if err != nil {
		t.Fatal(err)
	}
	if got := imp.Plan().Campaign; got != "vinter-2026" {
		t.Errorf("plan campaign %q; want the mapping's vinter-2026", got)
	}
	imp.Close()
	cfg := e.ledgerConfig(l)
	cfg.Campaign = "var-2027"
	if imp, err = Prepare(context.Background(), cfg, Sending); err != nil {
		t.Fatal(err)
	}
	if got := imp.Plan().Campaign; got != "var-2027" {
		t.Errorf("plan campaign %q; want the one given, var-2027", got)
	}
	imp.Close()
	e.mapping = e.write("bad.yaml", "campaign: \"vinter 2026!\"\n"+quoteMapping)
	if _, err := Prepare(context.Background(), e.ledgerConfig(l), Sending); err == nil || !strings.Contains(err.Error(), "campaign") {
		t.Errorf("a campaign name the ledger refuses: %v; want an input error naming campaign", err)
	}
}
