package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sbimport/sbimport/sandbox"
)

// validate --preview N prints the first N valid rows field by field, the
// value as sent beside the column it came from, aligned, without the uuid.
func TestValidatePreview(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	code, _, stderr := e.cli.run("validate", "-m", mappingFile(t, "quote"), "-i", in, "--preview", "2")
	if code != 1 {
		t.Fatalf("exit %d; want 1 (one invalid row)\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "Preview: the first 2 rows of "+in+" to send, as SalesByte will receive them") {
		t.Errorf("no preview heading:\n%s", stderr)
	}
	row3 := stderr[strings.Index(stderr, "\nRow 3\n"):]
	row3 = row3[:strings.Index(row3, "\n\n")]
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\n  customer_name +"Björn Öberg" +← \{Förnamn\} \{Efternamn\}\n`),
		regexp.MustCompile(`\n  customer_phone +"\+46701234568" +← column Mobil\n`),
		regexp.MustCompile(`\n  signable_until +"2026-12-31" +← column Giltig till\n`),
		regexp.MustCompile(`\n  quote_profile_id +115 +← set:\n`),
		regexp.MustCompile(`\n  alternatives\[0\]\.skus +\[1003\] +← column Artiklar$`),
	} {
		if !want.MatchString(row3) {
			t.Errorf("row 3 lacks %s:\n%s", want, row3)
		}
	}
	if strings.Contains(row3, "custom_fields") {
		t.Errorf("row 3 has an empty Bank cell, yet shows a custom field:\n%s", row3)
	}
	// Aligned: every source starts at the same place.
	col := -1
	for _, l := range strings.Split(row3, "\n")[2:] {
		i := strings.Index(l, "←")
		if i < 0 {
			t.Fatalf("line without a source: %q", l)
		}
		if c := utf8.RuneCountInString(l[:i]); col < 0 {
			col = c
		} else if c != col {
			t.Errorf("not aligned: %q", l)
		}
	}
	if strings.Contains(stderr, "\nRow 5\n") || !strings.Contains(stderr, "\nRow 2\n") {
		t.Errorf("want rows 2 and 3 only:\n%s", stderr)
	}
	assertNoUUID(t, e.dir, stderr)
	if strings.Contains(stderr, cliUUID) {
		t.Error("the preview shows the uuid")
	}
}

// --preview invalid shows the invalid rows and their problems; run
// --dry-run --preview sends nothing.
func TestPreviewInvalidAndDryRun(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	code, _, stderr := e.cli.run("validate", "-m", mappingFile(t, "quote"), "-i", in, "--preview", "invalid")
	if code != 1 || !strings.Contains(stderr, "Preview: the first row of "+in+" that is invalid, and why:\n\nRow 5\n") ||
		!strings.Contains(stderr, "\n  ✗ column \"Giltig till\" (signable_until): \"i morgon\" is not a date") {
		t.Errorf("--preview invalid: exit %d\n%s", code, stderr)
	}
	code, _, stderr = e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--dry-run", "--preview", "1")
	if code != 0 || !strings.Contains(stderr, "Preview: the first row of "+in+" to send") || !strings.Contains(stderr, `"anna@example.se"`) || strings.Contains(stderr, "\nRow 3\n") {
		t.Errorf("run --dry-run --preview 1: exit %d\n%s", code, stderr)
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("a dry run sent %d requests", n)
	}
	for _, bad := range []string{"0", "alla", "invalid:x"} {
		if code, _, stderr := e.cli.run("validate", "-m", mappingFile(t, "quote"), "-i", in, "--preview", bad); code != 2 || !strings.Contains(stderr, "--preview") {
			t.Errorf("--preview %s: exit %d\n%s", bad, code, stderr)
		}
	}
}
