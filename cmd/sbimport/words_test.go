package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateCountsOneDuplicate: "1 duplicate", not "1 duplicates".
func TestValidateCountsOneDuplicate(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "kunder.csv")
	rows := append([][]string{}, endpointSheets["quote"][:3]...)
	rows = append(rows, endpointSheets["quote"][1])
	writeCSV(t, in, rows, ';', false)
	c := &cli{t: t}
	code, _, stderr := c.run("validate", "-m", mappingFile(t, "quote"), "-i", in)
	if code != 0 || !strings.Contains(stderr, "Validated 3 rows: 2 valid, 0 invalid, 1 duplicate.\n") {
		t.Errorf("exit %d; want 0 and \"1 duplicate.\"\n%s", code, stderr)
	}
}
