package gen

import (
	"archive/zip"
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/sheet"
)

func readAll(t *testing.T, path string) ([]string, []sheet.Row) {
	t.Helper()
	r, err := sheet.Open(path, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []sheet.Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	return r.Header(), rows
}

// Both generated formats read back as the same rows, cell for cell.
func TestGeneratedSheetsReadBack(t *testing.T) {
	const n = 57
	dir := t.TempDir()
	csvPath, xlsxPath := filepath.Join(dir, "k.csv"), filepath.Join(dir, "k.xlsx")
	if err := WriteCSVFile(csvPath, n); err != nil {
		t.Fatal(err)
	}
	if err := WriteXLSXFile(xlsxPath, n); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{csvPath, xlsxPath} {
		h, rows := readAll(t, p)
		if !slices.Equal(h, Header) {
			t.Fatalf("%s: header %q, want %q", p, h, Header)
		}
		if len(rows) != n {
			t.Fatalf("%s: %d rows, want %d", p, len(rows), n)
		}
		for i, row := range rows {
			if want := Customer(i); !slices.Equal(row.Cells, want) {
				t.Fatalf("%s row %d: %q, want %q", p, i, row.Cells, want)
			}
			if row.Line != i+2 {
				t.Fatalf("%s row %d: line %d, want %d", p, i, row.Line, i+2)
			}
		}
	}
}

// The XLSX is written the way Excel writes it: text as shared strings,
// the date as a styled serial number, no inline strings.
func TestXLSXUsesSharedStrings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.xlsx")
	if err := WriteXLSXFile(path, 30); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = string(b)
	}
	sh, sst := parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"]
	if strings.Contains(sh, "inlineStr") || !strings.Contains(sh, `t="s"`) || !strings.Contains(sh, `s="1"><v>`) {
		t.Fatalf("sheet does not use shared strings and date serials: %.300s", sh)
	}
	if !strings.Contains(sst, "<t>kund29@exempel.se</t>") || !strings.Contains(sst, "<t>Byggbolaget i Umeå AB</t>") {
		t.Fatalf("shared strings lack expected values: %.300s", sst)
	}
}

// Every generated row passes the mapping's checks, so a benchmark sends
// every row and measures sending, not rejection.
func TestGeneratedRowsAreValid(t *testing.T) {
	for _, ext := range []string{"csv", "xlsx"} {
		t.Run(ext, func(t *testing.T) {
			const n = 40
			dir := t.TempDir()
			in := filepath.Join(dir, "k."+ext)
			var err error
			if ext == "csv" {
				err = WriteCSVFile(in, n)
			} else {
				err = WriteXLSXFile(in, n)
			}
			if err != nil {
				t.Fatal(err)
			}
			m := filepath.Join(dir, "mapping.yaml")
			if err := WriteFile(m, Mapping); err != nil {
				t.Fatal(err)
			}
			imp, err := importer.Prepare(context.Background(), importer.Config{Input: in, Mapping: m}, importer.Validating)
			if err != nil {
				t.Fatal(err)
			}
			defer imp.Close()
			sum, err := imp.Validate(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Counts[importer.Pending] != n || sum.ExitCode() != 0 {
				t.Fatalf("counts %v (errors %v), want %d valid", sum.Counts, sum.Errors, n)
			}
		})
	}
}
