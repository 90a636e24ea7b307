package importer

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sbimport/sbimport/sheet"
)

func writeWorkbook(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func allRows(t *testing.T, src *source) []sheet.Row {
	t.Helper()
	var out []sheet.Row
	if err := src.each(context.Background(), func(r sheet.Row) { out = append(out, r) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// A workbook is parsed once: the passes after the first read the rows
// back from the spool, exactly as they were, and the spool leaves nothing
// behind.
func TestWorkbookIsParsedOnce(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	path := filepath.Join(dir, "kunder.xlsx")
	writeWorkbook(t, path, [][]any{
		{"Namn", "E-post", "Ort"},
		{"Åsa Öberg", "asa@example.se", "Malmö"},
		{"", "", ""},
		{"Bo", "", "Lund\nnorr"},
		{"Eva Ek", "eva@example.se", ""},
	})
	src, err := openSource(path, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := allRows(t, src)
	if len(first) != 3 || first[0].Cells[2] != "Malmö" || first[1].Cells[2] != "Lund\nnorr" {
		t.Fatalf("first read: %+v", first)
	}
	// The workbook is gone: a second read can only come from the spool.
	if err := os.WriteFile(path, []byte("not a workbook"), 0o644); err != nil {
		t.Fatal(err)
	}
	for pass := 2; pass <= 3; pass++ {
		if got := allRows(t, src); !reflect.DeepEqual(got, first) {
			t.Errorf("pass %d read %+v; want %+v", pass, got, first)
		}
	}
	src.Close()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the spool left %d files in the temporary folder", len(left))
	}
}

// The spool keeps each row's problem and which of its cells were dates,
// so the output written from it writes those cells as dates again.
func TestSpoolKeepsProblems(t *testing.T) {
	sp, err := newSpool([]string{"a", "b"}, sheet.Format{Kind: "xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	in := []sheet.Row{
		{Line: 2, Cells: []string{"x", ""}},
		{Line: 70000, Cells: []string{"", "ü"}, Problem: "column B: a formula with no saved value"},
		{Line: 70001, Cells: []string{"2026-12-31", "x"}, Date: []bool{true, false}},
		{Line: 70002, Cells: []string{"a", "2026-12-31 10:11:12"}, Date: []bool{false, true}},
	}
	rec := sp.record(&fakeReader{rows: in})
	for {
		if _, err := rec.Next(); err != nil {
			break
		}
	}
	if !sp.done {
		t.Fatal("the spool is not done after the last row")
	}
	r := sp.reader()
	for _, want := range in {
		got, err := r.Next()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("read back %+v, %v; want %+v", got, err, want)
		}
	}
}

type fakeReader struct{ rows []sheet.Row }

func (f *fakeReader) Header() []string     { return []string{"a", "b"} }
func (f *fakeReader) Format() sheet.Format { return sheet.Format{Kind: "xlsx"} }
func (f *fakeReader) Top() sheet.Top       { return sheet.Top{} }
func (f *fakeReader) Close() error         { return nil }
func (f *fakeReader) Next() (sheet.Row, error) {
	if len(f.rows) == 0 {
		return sheet.Row{}, io.EOF
	}
	r := f.rows[0]
	f.rows = f.rows[1:]
	return r, nil
}
