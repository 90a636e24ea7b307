package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// titledSheet writes the quote sheet as many exports look: two title rows
// above the header (on row 3). invalid keeps the last, invalid, row.
func titledSheet(t *testing.T, dir string, invalid bool) string {
	t.Helper()
	rows := endpointSheets["quote"]
	if !invalid {
		rows = rows[:len(rows)-1]
	}
	in := filepath.Join(dir, "kunder.csv")
	writeCSV(t, in, append([][]string{{"Kundlista vinter 2026"}, {"Exporterad", "2026-11-30"}}, rows...), ',', false)
	return in
}

func copyMapping(t *testing.T, dir, extra string) string {
	t.Helper()
	b, err := os.ReadFile(mappingFile(t, "quote"))
	if err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(m, []byte(extra+string(b)), 0o644); err != nil {
		t.Fatal(err)
	}
	return m
}

// printedCommand finds the sbimport command a message printed on the line
// after prefix (or on it), and returns its arguments after "sbimport".
func printedCommand(t *testing.T, out, prefix string) []string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + `\s*sbimport ([^\n)]*)`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no command after %q in:\n%s", prefix, out)
	}
	return strings.Fields(m[1])
}

// With the wrong header row the user is told which row holds the
// mapping's columns, in one message, not one "not in the sheet" per column.
func TestWrongHeaderRowSaysWhichRow(t *testing.T) {
	dir := t.TempDir()
	in := titledSheet(t, dir, false)
	c := &cli{t: t, env: map[string]string{}}
	m := copyMapping(t, dir, "")
	code, _, stderr := c.run("validate", "-m", m, "-i", in)
	want := "sbimport: row 1 of " + in + " is not the header: row 3 holds the columns the mapping names (Förnamn, Efternamn, E-post, Mobil, …); add `header_row: 3` to " + m + ", or give --header-row 3\n"
	if code != 2 || stderr != want {
		t.Fatalf("exit %d; want 2 and\n%s\ngot:\n%s", code, want, stderr)
	}
	if code, _, stderr = c.run("validate", "-m", m, "-i", in, "--header-row", "3"); code != 0 {
		t.Errorf("--header-row 3: exit %d\n%s", code, stderr)
	}

	// The mapping remembers the header row; a flag still wins.
	m = copyMapping(t, dir, "header_row: 3\n")
	if code, _, stderr = c.run("validate", "-m", m, "-i", in); code != 0 {
		t.Errorf("header_row: 3 in the mapping: exit %d\n%s", code, stderr)
	}
	code, _, stderr = c.run("validate", "-m", m, "-i", in, "--header-row", "1")
	if code != 2 || !strings.Contains(stderr, "row 1 of "+in+" is not the header: row 3 holds") || !strings.Contains(stderr, "give --header-row 3 instead of --header-row 1") {
		t.Errorf("--header-row 1 over the mapping's 3: exit %d\n%s", code, stderr)
	}
	if code, _, stderr = c.run("validate", "-m", m, "-i", in, "--header-row", "0"); code != 2 || !strings.Contains(stderr, "--header-row must be 1 or more") {
		t.Errorf("--header-row 0: exit %d\n%s", code, stderr)
	}
	m = copyMapping(t, dir, "header_row: 2\n")
	code, _, stderr = c.run("validate", "-m", m, "-i", in)
	if code != 2 || !strings.Contains(stderr, "row 2 of "+in+" is not the header") || !strings.Contains(stderr, "change `header_row: 2` to `header_row: 3` in "+m) {
		t.Errorf("header_row: 2 in the mapping: exit %d\n%s", code, stderr)
	}
}

// Every command sbimport prints works as printed: the rerun of the output
// sheet (whose header is on row 1 whatever the mapping says), and the
// validate hint, which carries a --header-row given as a flag.
func TestPrintedCommandsWorkWithAHeaderRow(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := titledSheet(t, e.dir, true)
	m := copyMapping(t, e.dir, "header_row: 3\n")
	code, _, stderr := e.cli.run("run", "-m", m, "-i", in, "--base-url", e.url, "--yes")
	if code != 1 {
		t.Fatalf("run: exit %d; want 1 (one invalid row)\n%s", code, stderr)
	}
	rerun := printedCommand(t, stderr, "then send it again:\n ")
	if code, _, stderr = e.cli.run(rerun...); code != 1 || strings.Contains(stderr, "not the header") {
		t.Errorf("the printed rerun %q: exit %d; want 1, the invalid row still invalid\n%s", rerun, code, stderr)
	}
	if n := e.srv.Stats().Requests; n != 3 {
		t.Errorf("%d requests; want the 3 valid rows sent once", n)
	}
	// reconcile reads the output sheet with the mapping the journal names.
	out := filepath.Join(e.dir, "kunder-result.csv")
	if code, _, stderr = e.cli.run("reconcile", "-i", out); code != 0 || !strings.Contains(stderr, "Nothing to reconcile") {
		t.Errorf("reconcile of the output: exit %d\n%s", code, stderr)
	}

	// The header row given as a flag, the mapping without it: the hint
	// must carry it.
	m = copyMapping(t, e.dir, "")
	// A ledger of its own: with the test's, the rows created above are
	// held back, nothing is left to send, and nothing is asked.
	e.cli.env[ledger.EnvVar] = filepath.Join(t.TempDir(), "ledger.db")
	code, _, stderr = e.cli.run("run", "-m", m, "-i", in, "--base-url", e.url, "--header-row", "3", "-o", filepath.Join(e.dir, "other.csv"))
	if code != 2 {
		t.Fatalf("run without --yes: exit %d\n%s", code, stderr)
	}
	hint := printedCommand(t, stderr, "invalid first:")
	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr = e.cli.run(hint...); code != 1 {
		t.Errorf("the printed hint %q: exit %d; want 1 (the invalid row)\n%s", hint, code, stderr)
	}
	// It writes the run's output (-o), not over the first run's results.
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Errorf("the printed hint %q wrote over %s, the first run's results", hint, out)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "other.csv")); err != nil {
		t.Errorf("the printed hint %q did not write the run's output other.csv: %v", hint, err)
	}
}

// init writes the header row and the sheet into the mapping, and its next
// step needs neither flag.
func TestInitRemembersTheHeaderRow(t *testing.T) {
	dir := t.TempDir()
	in := titledSheet(t, dir, false)
	c := &cli{t: t, env: map[string]string{}}
	m := filepath.Join(dir, "m.yaml")
	code, _, stderr := c.run("init", "-i", in, "-o", m, "--header-row", "3")
	if code != 0 {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	b, _ := os.ReadFile(m)
	if !regexp.MustCompile(`(?m)^header_row: 3\b`).Match(b) {
		t.Errorf("the mapping lacks header_row: 3:\n%s", b)
	}
	next := printedCommand(t, stderr, "then:")
	if strings.Contains(strings.Join(next, " "), "--header-row") {
		t.Errorf("the next step still carries --header-row: %q", next)
	}
	// Filled in as a user would, the printed command validates the sheet.
	b = regexp.MustCompile(`(_id): 0\b`).ReplaceAll(b, []byte("$1: 115"))
	if err := os.WriteFile(m, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr = c.run(next...); code != 0 {
		t.Errorf("the printed next step %q: exit %d\n%s", next, code, stderr)
	}

	// --sheet goes into the mapping too.
	xl := filepath.Join(dir, "k.xlsx")
	writeXLSX(t, xl, endpointSheets["quote"])
	if code, out, stderr := c.run("init", "-i", xl, "-o", "-", "--sheet", "Sheet1"); code != 0 || !strings.Contains(out, "\nsheet: Sheet1") || strings.Contains(out, "header_row:") {
		t.Errorf("init --sheet: exit %d; want sheet: Sheet1 and no header_row:\n%s\n%s", code, out, stderr)
	}
}
