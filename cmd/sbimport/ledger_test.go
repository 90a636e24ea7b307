package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// lgSheet writes a CSV of customers with these e-mails (one that is not
// an e-mail makes its row invalid).
func lgSheet(t *testing.T, path string, emails []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Förnamn,Efternamn,E-post,Mobil\n")
	for i, e := range emails {
		fmt.Fprintf(&b, "Anna%d,Svensson,%s,070-123 45 %02d\n", i, e, i%100)
	}
	return ntWriteFile(t, path, b.String())
}

func lgEmails(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%d@example.se", prefix, i))
	}
	return out
}

// lgRun runs sbimport as a process of its own and returns its exit code
// and what it printed.
func lgRun(t *testing.T, args ...string) (int, string) {
	t.Helper()
	c := ntStart(t, []string{"SALESBYTE_UUID=" + neverTwiceUUID}, args...)
	code := c.wait(t)
	return code, c.stderr.String()
}

type lgEnv struct {
	srv     *sandbox.Server
	url     string
	dir     string
	mapping string
}

func lgStart(t *testing.T, opts sandbox.Options) *lgEnv {
	srv, _, url, _ := ntSandbox(t, opts)
	dir := t.TempDir()
	return &lgEnv{srv: srv, url: url, dir: dir, mapping: ntWriteFile(t, filepath.Join(dir, "mapping.yaml"), neverTwiceMapping)}
}

func (e *lgEnv) args(input string, more ...string) []string {
	return append([]string{"run", "-m", e.mapping, "-i", input, "--base-url", e.url, "--rate", "0", "--yes"}, more...)
}

// byEmail indexes an output sheet's rows by e-mail.
func byEmail(rows []ntRow) map[string]ntRow {
	m := make(map[string]ntRow, len(rows))
	for _, r := range rows {
		m[r.email] = r
	}
	return m
}

// assertCreatedOnce fails unless the sandbox created each of emails
// exactly once and nothing else.
func (e *lgEnv) assertCreatedOnce(t *testing.T, emails []string) {
	t.Helper()
	created := ntCreated(e.srv)
	if d := e.srv.Duplicates(); len(d) > 0 {
		t.Errorf("created more than once at the sandbox: %v", d)
	}
	for _, em := range emails {
		if len(created[em]) != 1 {
			t.Errorf("%s created %d times; want once", em, len(created[em]))
		}
	}
	if len(created) != len(emails) {
		t.Errorf("the sandbox created %d customers; want %d", len(created), len(emails))
	}
}

// Done 1: the same command on the original sheet, fixed in place with one
// row more, sends exactly the fixed and the new rows; the rows created
// before keep their ids and links in the output.
func TestFixedOriginalSheetSendsOnlyFixedAndNewRows(t *testing.T) {
	e := lgStart(t, sandbox.Options{})
	good := lgEmails("kund", 0, 5)
	input := lgSheet(t, filepath.Join(e.dir, "kunder.csv"), append(append([]string{}, good...), "kund5-at-example.se", "kund6(at)example.se"))
	output := filepath.Join(e.dir, "kunder-result.csv")
	code, stderr := lgRun(t, e.args(input)...)
	if code != 1 {
		t.Fatalf("first run exited %d; want 1 (two invalid rows). stderr:\n%s", code, stderr)
	}
	first := byEmail(ntReadOutput(t, output))

	all := lgEmails("kund", 0, 8)
	lgSheet(t, input, all) // rows 6 and 7 fixed in place, row 8 new
	code, stderr = lgRun(t, e.args(input)...)
	if code != 0 {
		t.Fatalf("the same command on the fixed sheet exited %d; want 0. stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "5 customers already have a quote") {
		t.Errorf("the plan does not say 5 customers already have a quote:\n%s", stderr)
	}
	e.assertCreatedOnce(t, all)
	out := ntReadOutput(t, output)
	if len(out) != len(all) {
		t.Fatalf("output has %d rows; want %d", len(out), len(all))
	}
	created := ntCreated(e.srv)
	for _, r := range out {
		if r.status != "created" || r.id == 0 || created[r.email][0] != r.id {
			t.Errorf("%s: %s id %d (%s); want created with the sandbox's id %v", r.email, r.status, r.id, r.error, created[r.email])
		}
		if f, ok := first[r.email]; ok && f.status == "created" {
			if f.id != r.id || !strings.Contains(r.error, "created earlier") || !strings.Contains(r.error, "kunder.csv row") {
				t.Errorf("%s: id %d, sb_error %q; want the first run's id %d and where it was created", r.email, r.id, r.error, f.id)
			}
		}
	}
	ntAssertNoUUID(t, filepath.Dir(testLedger(t)))
}

// Done 2: a second sheet that repeats customers created from the first
// sends only the new ones, and says where the others were created.
func TestSecondSheetSendsOnlyNewCustomers(t *testing.T) {
	e := lgStart(t, sandbox.Options{})
	first := lgSheet(t, filepath.Join(e.dir, "kunder.csv"), lgEmails("kund", 0, 10))
	if code, stderr := lgRun(t, e.args(first)...); code != 0 {
		t.Fatalf("first sheet exited %d:\n%s", code, stderr)
	}
	second := lgSheet(t, filepath.Join(e.dir, "vecka2.csv"), lgEmails("kund", 5, 13))
	code, stderr := lgRun(t, e.args(second)...)
	if code != 0 {
		t.Fatalf("second sheet exited %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "5 customers already have a quote") || !strings.Contains(stderr, "from kunder.csv") {
		t.Errorf("the plan does not say 5 customers already have a quote from kunder.csv:\n%s", stderr)
	}
	e.assertCreatedOnce(t, lgEmails("kund", 0, 13))
	out := byEmail(ntReadOutput(t, filepath.Join(e.dir, "vecka2-result.csv")))
	for _, em := range lgEmails("kund", 5, 10) {
		if r := out[em]; r.status != "created" || !strings.Contains(r.error, "from kunder.csv row") {
			t.Errorf("%s in the second sheet: %s (%s); want created earlier from kunder.csv", em, r.status, r.error)
		}
	}
}

// Done 3: two sheets run at the same moment, sharing customers, create
// each customer once; a row held back says by which run.
func TestTwoSheetsAtOnceCreateEachCustomerOnce(t *testing.T) {
	e := lgStart(t, sandbox.Options{Latency: 3 * time.Millisecond, Jitter: 3 * time.Millisecond})
	a := lgSheet(t, filepath.Join(e.dir, "a.csv"), lgEmails("kund", 0, 60))
	b := lgSheet(t, filepath.Join(e.dir, "b.csv"), lgEmails("kund", 30, 90))
	env := []string{"SALESBYTE_UUID=" + neverTwiceUUID}
	ca := ntStart(t, env, e.args(a, "--concurrency", "4")...)
	cb := ntStart(t, env, e.args(b, "--concurrency", "4")...)
	for _, c := range []*ntChild{ca, cb} {
		if code := c.wait(t); code != 0 {
			t.Fatalf("a run exited %d:\n%s", code, c.stderr)
		}
	}
	e.assertCreatedOnce(t, lgEmails("kund", 0, 90))
	outA := byEmail(ntReadOutput(t, filepath.Join(e.dir, "a-result.csv")))
	outB := byEmail(ntReadOutput(t, filepath.Join(e.dir, "b-result.csv")))
	for _, em := range lgEmails("kund", 30, 60) {
		ra, rb := outA[em], outB[em]
		held := 0
		for _, r := range []ntRow{ra, rb} {
			if strings.Contains(r.error, "(run ") {
				held++
			}
		}
		if held != 1 {
			t.Errorf("%s: a.csv %s (%s), b.csv %s (%s); want one sent, the other held back naming the run", em, ra.status, ra.error, rb.status, rb.error)
		}
	}
}

// Done 4 and 5: a campaign is a scope of its own: its run sends again to
// the customers of an earlier run, and once more in the same campaign
// sends nothing; --not-within holds back customers who got something
// recently, whatever the campaign.
func TestCampaignScopeAndNotWithin(t *testing.T) {
	e := lgStart(t, sandbox.Options{})
	emails := lgEmails("kund", 0, 6)
	first := lgSheet(t, filepath.Join(e.dir, "kunder.csv"), emails)
	if code, stderr := lgRun(t, e.args(first)...); code != 0 {
		t.Fatalf("first run exited %d:\n%s", code, stderr)
	}
	vinter := lgSheet(t, filepath.Join(e.dir, "vinter.csv"), emails)
	if code, stderr := lgRun(t, e.args(vinter, "--campaign", "vinter-2026")...); code != 0 {
		t.Fatalf("campaign run exited %d:\n%s", code, stderr)
	}
	for _, em := range emails {
		if n := len(ntCreated(e.srv)[em]); n != 2 {
			t.Errorf("%s created %d times; want 2 (once, then once in campaign vinter-2026)", em, n)
		}
	}
	again := lgSheet(t, filepath.Join(e.dir, "vinter2.csv"), emails)
	code, stderr := lgRun(t, e.args(again, "--campaign", "vinter-2026")...)
	if code != 0 || !strings.Contains(stderr, "6 customers already have a quote in campaign vinter-2026 (first ") || !strings.Contains(stderr, "from vinter.csv); not sent again") {
		t.Errorf("the same campaign again exited %d; want 0 and the plan to say the 6 customers already have a quote in it:\n%s", code, stderr)
	}
	var before int64 = e.srv.Stats().Created
	var within = lgSheet(t, filepath.Join(e.dir, "var.csv"), emails)
	code, stderr = lgRun(t, e.args(within, "--campaign", "var-2027", "--not-within", "30d")...)
	if code != 0 {
		t.Fatalf("--not-within run exited %d:\n%s", code, stderr)
	}
	if got := e.srv.Stats().Created; got != before {
		t.Errorf("--not-within 30d: %d more created; want none (each customer got a quote minutes ago)", got-before)
	}
	for _, r := range ntReadOutput(t, filepath.Join(e.dir, "var-result.csv")) {
		if r.status != "skipped" || !strings.Contains(r.error, "recently") {
			t.Errorf("%s: %s (%s); want skipped, saying it got something recently", r.email, r.status, r.error)
		}
	}
	if n := e.srv.Stats().Created; n != 12 {
		t.Errorf("the sandbox created %d; want 12", n)
	}
}

// The fix that validate asks for, made in its output sheet, is never
// written over by a run of the original sheet: the message gives the
// command that uses it.
func TestHandFixedOutputIsNeverOverwritten(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	m := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	input := filepath.Join(e.dir, "kunder.csv")
	writeCSV(t, input, [][]string{{"Förnamn", "Efternamn", "E-post", "Mobil"}, {"Anna", "A", "anna@example.se", "0701234567"}, {"Bo", "B", "bo-at-example.se", "0701234568"}}, ',', false)
	code, _, stderr := e.cli.run("validate", "-m", m, "-i", input)
	output := filepath.Join(e.dir, "kunder-result.csv")
	want := quoteFor(posixShell, []string{"sbimport", "run", "-m", m, "-i", output})
	if code != 1 || !strings.Contains(stderr, "then run:\n  "+want) {
		t.Fatalf("validate exited %d; want 1 and its closing words to give %q:\n%s", code, want, stderr)
	}
	fixed := strings.Replace(fileText(t, output), "bo-at-example.se", "bo@example.se", 1)
	ntWriteFile(t, output, fixed)
	code, _, stderr = e.cli.run("run", "-m", m, "-i", input, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 2 || !strings.Contains(stderr, "was changed") || !strings.Contains(stderr, "--base-url "+e.url) || !strings.Contains(stderr, "-i "+output) {
		t.Fatalf("run of the original exited %d; want 2 and the command that uses %s:\n%s", code, output, stderr)
	}
	if fileText(t, output) != fixed {
		t.Error("the hand-fixed output was changed")
	}
	if n := e.srv.Stats().Created; n != 0 {
		t.Errorf("%d created; want nothing sent", n)
	}
	if code, _, stderr = e.cli.run("run", "-m", m, "-i", output, "--base-url", e.url, "--rate", "0", "--yes"); code != 0 {
		t.Fatalf("run of the fixed output exited %d:\n%s", code, stderr)
	}
	if n := e.srv.Stats().Created; n != 2 {
		t.Errorf("%d created; want both rows", n)
	}
}

// A damaged ledger stops the run before anything is sent, with exit 2.
func TestCorruptLedgerSendsNothing(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	m := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	input := filepath.Join(e.dir, "kunder.csv")
	writeCSV(t, input, [][]string{{"Förnamn", "Efternamn", "E-post", "Mobil"}, {"Anna", "A", "anna@example.se", "0701234567"}}, ',', false)
	bad := filepath.Join(e.dir, "ledger.db")
	junk := []byte("SQLite format 3\x00" + strings.Repeat("\xff", 4096))
	if err := os.WriteFile(bad, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	e.cli.env[ledger.EnvVar] = bad
	code, _, stderr := e.cli.run("run", "-m", m, "-i", input, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 2 || !strings.Contains(stderr, "is damaged") || !strings.Contains(stderr, "Nothing was sent") {
		t.Fatalf("exited %d; want 2 saying the ledger is damaged:\n%s", code, stderr)
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests; want none", n)
	}
	if b, _ := os.ReadFile(bad); string(b) != string(junk) {
		t.Error("the damaged ledger was changed")
	}
}

// history lists the runs, newest first, and what was sent for one key,
// as text and as JSON; --forget-before forgets them.
func TestHistory(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	m := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	a := filepath.Join(e.dir, "kunder.csv")
	writeCSV(t, a, [][]string{{"Förnamn", "Efternamn", "E-post", "Mobil"}, {"Anna", "A", "anna@example.se", "0701234567"}}, ',', false)
	b := filepath.Join(e.dir, "vinter.csv")
	writeCSV(t, b, [][]string{{"Förnamn", "Efternamn", "E-post", "Mobil"}, {"Anna", "A", "Anna@Example.se", "0701234567"}, {"Bo", "B", "bo@example.se", "0701234568"}}, ',', false)
	for _, args := range [][]string{{"-i", a}, {"-i", b, "--campaign", "vinter-2026"}} {
		if code, _, stderr := e.cli.run(append([]string{"run", "-m", m, "--base-url", e.url, "--rate", "0", "--yes"}, args...)...); code != 0 {
			t.Fatalf("run %v exited %d:\n%s", args, code, stderr)
		}
	}
	code, out, stderr := e.cli.run("history")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(lines[1], "vinter.csv") || !strings.Contains(lines[1], "vinter-2026") || !strings.Contains(lines[2], "kunder.csv") || !strings.Contains(lines[1], e.url) {
		t.Fatalf("history exited %d; want a header, then vinter.csv's run, then kunder.csv's:\n%s%s", code, out, stderr)
	}
	code, out, _ = e.cli.run("history", "--key", "ANNA@example.se", "--json")
	var es []entryJSON
	if err := json.Unmarshal([]byte(out), &es); code != 0 || err != nil || len(es) != 2 {
		t.Fatalf("history --key --json exited %d (%v); want 2 entries:\n%s", code, err, out)
	}
	created := ntCreatedIDs(e.srv, "anna@example.se")
	for i, en := range es {
		if en.Status != "created" || en.ID != created[i] || en.LinkView == "" {
			t.Errorf("entry %d: %+v; want created with id %d and its links", i, en, created[i])
		}
	}
	if es[1].Scope != "campaign:vinter-2026" || filepath.Base(es[1].File) != "vinter.csv" || es[1].Row != 2 {
		t.Errorf("the second entry is %+v; want campaign vinter-2026, vinter.csv row 2", es[1])
	}
	code, out, _ = e.cli.run("history", "--key", "anna@example.se")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("id %d", created[1])) || !strings.Contains(out, "in campaign vinter-2026") {
		t.Errorf("history --key exited %d:\n%s", code, out)
	}
	code, _, stderr = e.cli.run("history", "--forget-before", "2999-01-01")
	if code != 0 || !strings.Contains(stderr, "Forgot 2 runs and 3 rows") {
		t.Errorf("--forget-before exited %d:\n%s", code, stderr)
	}
	if _, out, _ = e.cli.run("history", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("after forgetting, history --json is %s; want []", out)
	}
}

func ntCreatedIDs(srv *sandbox.Server, email string) []int64 {
	return ntCreated(srv)[email]
}

// Reconcile settles unknown rows in the ledger too: another sheet with the
// same customers holds them back while they are unknown, and carries them
// over as created, with their ids, once reconcile found them.
func TestReconcileSettlesTheLedger(t *testing.T) {
	e := startSandbox(t, sandbox.Options{P500After: 1, Seed: 1}, nil)
	m := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	rows := [][]string{{"Förnamn", "Efternamn", "E-post", "Mobil"}, {"Anna", "A", "anna@example.se", "0701234567"}, {"Bo", "B", "bo@example.se", "0701234568"}}
	first, second := filepath.Join(e.dir, "kunder.csv"), filepath.Join(e.dir, "igen.csv")
	writeCSV(t, first, rows, ',', false)
	writeCSV(t, second, rows, ',', false)
	run := func(in string) (int, string) {
		code, _, stderr := e.cli.run("run", "-m", m, "-i", in, "--base-url", e.url, "--rate", "0", "--yes")
		return code, stderr
	}
	if code, stderr := run(first); code != 1 {
		t.Fatalf("first run exited %d; want 1 (every answer a 500):\n%s", code, stderr)
	}
	if code, stderr := run(second); code != 0 || !strings.Contains(stderr, "2 customers may already have a quote") {
		t.Fatalf("second sheet while unknown exited %d; want 0, holding both back:\n%s", code, stderr)
	}
	for _, r := range readOutput(t, filepath.Join(e.dir, "igen-result.csv")) {
		if r["sb_status"] != "skipped" || !strings.Contains(r["sb_error"], "reconcile that run") {
			t.Errorf("%s: %s (%s); want skipped until the first run is reconciled", r["E-post"], r["sb_status"], r["sb_error"])
		}
	}
	if code, _, stderr := e.cli.run("reconcile", "-i", filepath.Join(e.dir, "kunder-result.csv")); code != 0 {
		t.Fatalf("reconcile exited %d:\n%s", code, stderr)
	}
	created := e.srv.Stats().Created
	if code, stderr := run(filepath.Join(e.dir, "igen-result.csv")); code != 0 || !strings.Contains(stderr, "2 customers already have a quote") {
		t.Fatalf("second sheet after reconcile exited %d; want 0, both carried over:\n%s", code, stderr)
	}
	if n := e.srv.Stats().Created; n != created {
		t.Errorf("%d more created; want none", n-created)
	}
	ids := map[string]int64{}
	for _, r := range e.srv.Created() {
		ids[r.CustomerEmail] = r.ID
	}
	for _, r := range readOutput(t, filepath.Join(e.dir, "igen-result.csv")) {
		if r["sb_status"] != "created" || r["sb_id"] != fmt.Sprint(ids[r["E-post"]]) {
			t.Errorf("%s: %s id %s; want created with id %d", r["E-post"], r["sb_status"], r["sb_id"], ids[r["E-post"]])
		}
	}
}

// A ledger written by a newer sbimport is left as it is, and nothing is
// sent.
func TestNewerLedgerSendsNothing(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	m := ntWriteFile(t, filepath.Join(e.dir, "mapping.yaml"), neverTwiceMapping)
	input := filepath.Join(e.dir, "kunder.csv")
	writeCSV(t, input, [][]string{{"Förnamn", "Efternamn", "E-post", "Mobil"}, {"Anna", "A", "anna@example.se", "0701234567"}}, ',', false)
	path := filepath.Join(e.dir, "ledger.db")
	l, err := ledger.Open(context.Background(), path, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version=99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e.cli.env[ledger.EnvVar] = path
	code, _, stderr := e.cli.run("run", "-m", m, "-i", input, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 2 || !strings.Contains(stderr, "written by a newer sbimport (schema 99") || !strings.Contains(stderr, "Nothing was sent") {
		t.Fatalf("exited %d; want 2 saying a newer sbimport wrote the ledger:\n%s", code, stderr)
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests; want none", n)
	}
}

func TestParseNotWithin(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "12h": 12 * time.Hour, "90m": 90 * time.Minute, "": 0} {
		if got, err := parseNotWithin(in); err != nil || got != want {
			t.Errorf("parseNotWithin(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"d", "-3d", "0d", "tomorrow", "1.5d"} {
		if _, err := parseNotWithin(in); err == nil {
			t.Errorf("parseNotWithin(%q) took it", in)
		}
	}
}
