package importer

import (
	"context"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/sandbox"
)

// A row created in an earlier run keeps its key even when a new row with
// the same key comes before it in the sheet: the new row is a duplicate,
// not a second quote for the same customer.
func TestEarlierCreatedKeyLaterInSheetIsNotSentAgain(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	// Row 2 is invalid (a bad phone), row 3 has the same e-mail and is created.
	e.input = e.write("k.csv", "Förnamn,Efternamn,E-post,Mobil\nA,B,a@example.se,12\nC,D,a@example.se,0701234568\nE,F,e@example.se,0701234569\n")
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Invalid] != 1 || sum.Counts[Created] != 2 {
		t.Fatalf("first run: %v; want 1 invalid, 2 created", sum.Counts)
	}
	// The user fixes row 2's phone in the output sheet and runs it again.
	out := DefaultOutput(e.input)
	rewriteCSV(t, out, func(recs [][]string) { recs[1][3] = "0701234567" })
	cfg := e.config()
	cfg.Input = out
	before := e.srv.Stats().Requests
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests - before; got != 0 {
		t.Errorf("re-run sent %d requests; want 0: a@example.se was created already (row 3)", got)
	}
	if c := e.srv.CountByCustomer()["a@example.se"]; c != 1 {
		t.Errorf("a@example.se has %d quotes; want 1", c)
	}
	if sum.Plan.ToSend != 0 || sum.Plan.Dupes != 1 {
		t.Errorf("plan: to send %d, dupes %d; want 0 and 1", sum.Plan.ToSend, sum.Plan.Dupes)
	}
	_, rows := readCSV(t, out)
	if rows[0]["sb_status"] != "skipped" || !strings.Contains(rows[0]["sb_error"], "row 3") {
		t.Errorf("row 2: %q %q; want skipped as a duplicate of row 3", rows[0]["sb_status"], rows[0]["sb_error"])
	}
}

// An unknown row sent again with --retry-unknown is not a duplicate of itself.
func TestRetryUnknownFromSheetIsNotItsOwnDuplicate(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	rewriteCSV(t, out, func(recs [][]string) { recs[2][4] = "unknown"; recs[2][5] = "" })
	e.srv.Close()
	e2 := newEnv(t, sandbox.Options{}, nil)
	cfg := e2.config()
	cfg.Input = out
	cfg.Mapping = e.mapping
	cfg.RetryUnknown = true
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Plan.ToSend != 1 || e2.srv.Stats().Created != 1 {
		t.Errorf("--retry-unknown: to send %d, created %d; want the unknown row sent once", sum.Plan.ToSend, e2.srv.Stats().Created)
	}
}

// An sb_status sbimport does not write (typed by hand) could mean the row
// was created: the row is invalid, naming the value, never sent as new.
func TestUnknownSbStatusIsInvalidNotSent(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	_, first := readCSV(t, out)
	id := first[1]["sb_id"] // ids follow arrival order, not row order
	rewriteCSV(t, out, func(recs [][]string) { recs[2][4] = "created by hand" })
	cfg := e.config()
	cfg.Input = out
	before := e.srv.Stats().Requests
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Requests - before; got != 0 {
		t.Errorf("sent %d requests; want 0", got)
	}
	_, rows := readCSV(t, out)
	if rows[1]["sb_status"] != "invalid" || !strings.Contains(rows[1]["sb_error"], `"created by hand"`) {
		t.Errorf("row 3: %q %q; want invalid naming the sb_status value", rows[1]["sb_status"], rows[1]["sb_error"])
	}
	if sum.Counts[Created] != 2 {
		t.Errorf("counts %v", sum.Counts)
	}
	// Run again without fixing it: the row keeps its id and is still not sent.
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	_, rows = readCSV(t, out)
	if got := e.srv.Stats().Requests - before; got != 0 || rows[1]["sb_status"] != "invalid" || rows[1]["sb_id"] != id || !strings.Contains(rows[1]["sb_error"], "sb_id "+id) {
		t.Errorf("second re-run: sent %d, row 3 %q id %q %q; want nothing sent, invalid, id %s kept", got, rows[1]["sb_status"], rows[1]["sb_id"], rows[1]["sb_error"], id)
	}
	if c := e.srv.CountByCustomer()["kund1@example.se"]; c != 1 {
		t.Errorf("kund1@example.se has %d quotes; want 1", c)
	}
}
