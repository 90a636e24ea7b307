package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/sandbox"
)

// validate of a sheet whose output holds a run's results refuses to write
// over them (exit 2), says which sheet to validate instead, and leaves
// them as they were; running that sheet then sends nothing twice.
func TestValidateKeepsARunsResults(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	rows := [][]string{endpointSheets["quote"][0]}
	for i := 0; i < 3; i++ {
		rows = append(rows, []string{"Kund", fmt.Sprint(i), fmt.Sprintf("kund%d@example.se", i), fmt.Sprintf("0701234%03d", i), "", "2026-12-31", "1001", ""})
	}
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, rows, ',', false)
	m := mappingFile(t, "quote")
	if code, _, stderr := e.cli.run("run", "-m", m, "-i", in, "--base-url", e.url, "--rate", "0", "--yes"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	out := filepath.Join(e.dir, "k-result.csv")
	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := e.cli.run("validate", "-m", m, "-i", in)
	if code != 2 || !strings.Contains(stderr, "validate would overwrite them") || !strings.Contains(stderr, "-i "+out) {
		t.Errorf("validate: exit %d; want 2, the results kept and the sheet to validate named\n%s", code, stderr)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Fatal("validate wrote over the run's results")
	}
	if code, _, stderr := e.cli.run("run", "-m", m, "-i", out, "--base-url", e.url, "--rate", "0", "--yes"); code != 0 {
		t.Errorf("run of the results: exit %d\n%s", code, stderr)
	}
	if d := e.srv.Duplicates(); len(d) != 0 {
		t.Errorf("duplicates: %v", d)
	}
}
