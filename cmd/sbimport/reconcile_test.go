package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/sandbox"
)

// runTemplates runs three template rows against e; the sandbox answers
// them in plain text, so the output holds them created without an id,
// for reconcile to settle. It returns the output sheet.
func runTemplates(t *testing.T, e *sandboxEnv) string {
	t.Helper()
	in := filepath.Join(e.dir, "t.csv")
	writeCSV(t, in, endpointSheets["template"][:4], ',', false)
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "template"), "-i", in, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	return filepath.Join(e.dir, "t-result.csv")
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reconcile looks for a run's quotes where the run sent its rows, without
// --base-url; another --base-url is refused with both addresses named and
// nothing changed, unless --force-base-url.
func TestReconcileStaysWithTheRunsServer(t *testing.T) {
	a := startSandbox(t, sandbox.Options{PlainTemplate: true}, nil)
	b := startSandbox(t, sandbox.Options{}, nil)
	out := runTemplates(t, a)
	sheetBefore, journalBefore := fileText(t, out), fileText(t, importer.JournalPath(out))

	code, stdout, stderr := a.cli.run("reconcile", "-i", out, "--base-url", b.url)
	if code != exitUsage {
		t.Fatalf("reconcile at another server: exit %d; want %d\n%s", code, exitUsage, stderr)
	}
	for _, want := range []string{a.url, b.url, "--force-base-url", "Nothing was changed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("refusal does not say %q:\n%s", want, stderr)
		}
	}
	for _, secret := range []string{cliUUID, "quotes-token"} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("refusal shows a secret:\n%s", stderr)
		}
	}
	if fileText(t, out) != sheetBefore || fileText(t, importer.JournalPath(out)) != journalBefore {
		t.Fatal("refused, yet the sheet or its journal changed")
	}

	if code, _, stderr := a.cli.run("reconcile", "-i", out, "--force-base-url"); code != exitUsage {
		t.Errorf("--force-base-url without --base-url: exit %d; want %d\n%s", code, exitUsage, stderr)
	}

	code, _, stderr = a.cli.run("reconcile", "-i", out, "--base-url", b.url, "--force-base-url")
	if code != 0 || !strings.Contains(stderr, "though the run sent its rows to "+a.url) {
		t.Fatalf("forced: exit %d; want 0 and a note naming both addresses\n%s", code, stderr)
	}
	for i, r := range readOutput(t, out) {
		if r["sb_id"] != "" || !strings.Contains(r["sb_error"], "found no quote") {
			t.Errorf("row %d after reconcile at the empty server: id %q error %q; want no id, not found", i+2, r["sb_id"], r["sb_error"])
		}
	}

	code, _, stderr = a.cli.run("reconcile", "-i", out) // no --base-url: the run's server
	if code != 0 || strings.Contains(stderr, "Note:") {
		t.Fatalf("reconcile without --base-url: exit %d\n%s", code, stderr)
	}
	for i, r := range readOutput(t, out) {
		if r["sb_status"] != "created" || r["sb_id"] == "" {
			t.Errorf("row %d: %s id %q; want the id found at the run's server", i+2, r["sb_status"], r["sb_id"])
		}
	}
}

// A journal of an older sbimport records no address: reconcile uses the
// one given, as it did, and says that it could not check it.
func TestReconcileSaysWhenTheRunsServerIsNotRecorded(t *testing.T) {
	a := startSandbox(t, sandbox.Options{PlainTemplate: true}, nil)
	out := runTemplates(t, a)
	forgetBaseURL(t, importer.JournalPath(out))
	code, _, stderr := a.cli.run("reconcile", "-i", out, "--base-url", a.url)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "does not record which SalesByte") || !strings.Contains(stderr, "looking for the quotes at "+a.url) {
		t.Errorf("no note that the address was not checked:\n%s", stderr)
	}
	if r := readOutput(t, out)[0]; r["sb_id"] == "" {
		t.Errorf("first row: %v; want its id found", r)
	}
}

// forgetBaseURL rewrites a journal's first record without its base_url,
// as an older sbimport wrote it.
func forgetBaseURL(t *testing.T, path string) {
	t.Helper()
	lines := bytes.SplitAfter([]byte(fileText(t, path)), []byte("\n"))
	var rec map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(lines[0][9:]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["base_url"] == nil {
		t.Fatalf("the journal's first record has no base_url: %s", lines[0])
	}
	delete(rec, "base_url")
	body, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	lines[0] = fmt.Appendf(nil, "%08x %s\n", crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)), body)
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}
