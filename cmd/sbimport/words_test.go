package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
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

// TestMappingNotSavedAsUTF8: a mapping saved by Notepad as ANSI (Windows-
// 1252) or "Unicode" (UTF-16) is refused with the line and how to save it,
// not a YAML parser's "invalid UTF-8 octet".
func TestMappingNotSavedAsUTF8(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "kunder.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	good, err := os.ReadFile(mappingFile(t, "quote"))
	if err != nil {
		t.Fatal(err)
	}
	ansi, err := charmap.Windows1252.NewEncoder().Bytes(good)
	if err != nil {
		t.Fatal(err)
	}
	line := 1 + strings.Count(string(good[:strings.IndexAny(string(good), "åäöÅÄÖ")]), "\n")
	for name, data := range map[string][]byte{"ansi": ansi, "utf16": append([]byte{0xff, 0xfe}, 'e', 0, 'n', 0)} {
		m := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(m, data, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := (&cli{t: t}).run("validate", "-m", m, "-i", in)
		want := "is not saved as UTF-8"
		if name == "ansi" {
			want = m + ":" + fmt.Sprint(line) + ": the mapping file " + want
		}
		if code != 2 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "Encoding to UTF-8") {
			t.Errorf("%s: exit %d; want 2 and %q\n%s", name, code, want, stderr)
		}
	}
	// The same mapping in UTF-8 is read.
	if code, _, stderr := (&cli{t: t}).run("validate", "-m", mappingFile(t, "quote"), "-i", in); code == 2 {
		t.Errorf("the UTF-8 mapping: exit 2\n%s", stderr)
	}
}
