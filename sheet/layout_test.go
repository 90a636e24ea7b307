package sheet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// copyThrough reads in with opt and writes every row to out, as the
// importer does: the header and title rows from the reader's Top, each
// row on its Line, a status column added.
func copyThrough(t *testing.T, in, out string, opt Options, status func(i int) string) {
	t.Helper()
	r, err := Open(in, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header := r.Header()
	again := header[len(header)-1] == "sb_status" // an output read as input
	if !again {
		header = append(header, "sb_status")
	}
	w, err := Create(out, header, r.Format(), r.Top())
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range readAll(t, r) {
		if again {
			row.Cells[len(row.Cells)-1] = status(i)
		} else {
			row.Cells = append(row.Cells, status(i))
		}
		if row.Date != nil && !again {
			row.Date = append(row.Date, false)
		}
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit([][]string{{"Status", "Rows"}}); err != nil {
		t.Fatal(err)
	}
}

func linesOf(rows []Row) []int {
	var l []int
	for _, r := range rows {
		l = append(l, r.Line)
	}
	return l
}

// The output keeps the title rows above the header and every row on its
// number, blank rows between included: row 7 of the input is row 7 of
// the output, and the output read with the same header row reads the
// same rows, on every re-run.
func TestOutputKeepsRowNumbersXLSX(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "kunder.xlsx")
	f := excelize.NewFile()
	for cell, v := range map[string]any{"A1": "Kundlista december", "D1": "export 2026-11-30",
		"A3": "Namn", "B3": "Ort", "A4": "Åsa", "B4": "Umeå", "A6": "Bo", "A7": "Cia", "B7": "Luleå"} {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(in); err != nil {
		t.Fatal(err)
	}
	f.Close()

	opt := Options{HeaderRow: 3}
	out := filepath.Join(dir, "kunder-result.xlsx")
	copyThrough(t, in, out, opt, func(int) string { return "created" })
	again := filepath.Join(dir, "again.xlsx")
	copyThrough(t, out, again, opt, func(int) string { return "failed" })

	for _, p := range []string{out, again} {
		r, err := Open(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		rows := readAll(t, r)
		if got := linesOf(rows); !reflect.DeepEqual(got, []int{4, 6, 7}) {
			t.Errorf("%s: lines %v; want 4, 6, 7 as in the input", filepath.Base(p), got)
		}
		if !reflect.DeepEqual(r.Header(), []string{"Namn", "Ort", "sb_status"}) {
			t.Errorf("%s: header %q", filepath.Base(p), r.Header())
		}
		wantTitles := []Row{{Line: 1, Cells: []string{"Kundlista december", "", "", "export 2026-11-30"}}}
		if got := r.Top(); got.HeaderLine != 3 || !reflect.DeepEqual(got.Titles, wantTitles) {
			t.Errorf("%s: top %+v; want the title row 1 and the header on row 3", filepath.Base(p), got)
		}
		r.Close()
	}

	g, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	panes, err := g.GetPanes("Sheet1")
	if err != nil || !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
		t.Errorf("panes %+v, %v; want rows 1-3 frozen, down to the header", panes, err)
	}
	xml := zipPart(t, out, "xl/worksheets/sheet1.xml")
	for _, want := range []string{`<autoFilter ref="$A$3:$C$7"`, `<dimension ref="A1:D7"/>`} { // the title reaches D
		if !strings.Contains(xml, want) {
			t.Errorf("sheet has no %s", want)
		}
	}
	if v, _ := g.GetCellValue("Sheet1", "A6"); v != "Bo" {
		t.Errorf("A6 = %q; want Bo, on its input row", v)
	}
}

// CSV: the sep= line, the title records and the blank lines stay, so
// every row keeps its number (as a spreadsheet shows it: no row for
// sep=, one row for a record with a line break in a value).
func TestOutputKeepsRowNumbersCSV(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, "kunder.csv", []byte("sep=;\nKundlista;;\n;;\nNamn;Tel\nÅsa;1\n\nBo;\"070\n123\"\n\n\nCia;3\n"))
	opt := Options{HeaderRow: 3}
	out := filepath.Join(dir, "kunder-result.csv")
	copyThrough(t, in, out, opt, func(int) string { return "created" })
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := "sep=;\nKundlista;;\n;;\nNamn;Tel;sb_status\nÅsa;1;created\n\nBo;\"070\n123\";created\n\n\nCia;3;created\n"
	if string(got) != want {
		t.Errorf("output\n%q\nwant\n%q", got, want)
	}
	r, err := Open(out, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if lines := linesOf(readAll(t, r)); !reflect.DeepEqual(lines, []int{4, 6, 9}) {
		t.Errorf("rows read back %v; want 4, 6, 9 as in the input", lines)
	}
	if top := r.Top(); top.HeaderLine != 3 || len(top.Titles) != 2 || top.Titles[0].Line != 1 || top.Titles[1].Line != 2 {
		t.Errorf("top %+v; want the title records on rows 1 and 2, the header on row 3", top)
	}
}

// A date cell stays a date in the XLSX output, and the output read back
// gives the same ISO text; a text cell that reads like a date stays text.
func TestDatesStayDates(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "kunder.xlsx")
	f := excelize.NewFile()
	dateFmt, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	stampFmt, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	custom := "d mmm yyyy"
	customFmt, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetRow("Sheet1", "A1", &[]any{"Namn", "Giltig till", "Skapad", "Text", "Möte"}))
	for r, status := range []string{"created", "failed"} {
		row := r + 2
		cell := func(c string) string { return fmt.Sprintf("%s%d", c, row) }
		must(f.SetCellValue("Sheet1", cell("A"), status))
		must(f.SetCellValue("Sheet1", cell("B"), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)))
		must(f.SetCellStyle("Sheet1", cell("B"), cell("B"), dateFmt))
		must(f.SetCellValue("Sheet1", cell("C"), time.Date(2026, 11, 30, 14, 5, 9, 0, time.UTC)))
		must(f.SetCellStyle("Sheet1", cell("C"), cell("C"), stampFmt))
		must(f.SetCellStr("Sheet1", cell("D"), "2026-12-31"))
		must(f.SetCellValue("Sheet1", cell("E"), time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)))
		must(f.SetCellStyle("Sheet1", cell("E"), cell("E"), customFmt))
	}
	must(f.SaveAs(in))
	f.Close()

	wantCells := []string{"", "2026-12-31", "2026-11-30 14:05:09", "2026-12-31", "2027-01-15"}
	wantDates := []bool{false, true, true, false, true}
	check := func(p string, width int) {
		t.Helper()
		r, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for _, row := range readAll(t, r) {
			if !reflect.DeepEqual(row.Cells[1:5], wantCells[1:]) {
				t.Errorf("%s row %d: %q; want %q", filepath.Base(p), row.Line, row.Cells[1:5], wantCells[1:])
			}
			for i := 1; i < 5; i++ {
				if row.IsDate(i) != wantDates[i] {
					t.Errorf("%s row %d: cell %d date %v; want %v", filepath.Base(p), row.Line, i, row.IsDate(i), wantDates[i])
				}
			}
			if len(row.Cells) != width {
				t.Errorf("%d cells; want %d", len(row.Cells), width)
			}
		}
	}
	check(in, 5)
	out := filepath.Join(dir, "ut.xlsx")
	r, err := Open(in, Options{})
	must(err)
	w, err := Create(out, append(r.Header(), "sb_status"), r.Format(), r.Top())
	must(err)
	for _, row := range readAll(t, r) {
		row.Cells = append(row.Cells, row.Cells[0])
		must(w.Write(row))
	}
	r.Close()
	must(w.Commit(nil))
	check(out, 6)

	g, err := excelize.OpenFile(out)
	must(err)
	defer g.Close()
	for _, cell := range []string{"B2", "C2", "E2", "B3", "C3"} { // row 3 is tinted: the date keeps its format
		typ, _ := g.GetCellType("Sheet1", cell)
		raw, _ := g.GetCellValue("Sheet1", cell, excelize.Options{RawCellValue: true})
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || strings.Contains(raw, "-") {
			t.Errorf("%s is text %q; want a date (a number with a date format)", cell, raw)
		}
	}
	if typ, _ := g.GetCellType("Sheet1", "D2"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("D2 (text) has type %v; want text", typ)
	}
}

// A target another program holds open (Excel on Windows) gives a
// *LockedFileError: the finished file is kept, the target is untouched,
// and Commit again puts it in place once the file is closed.
func TestCommitHeldOpen(t *testing.T) {
	errHeld := errors.New("the process cannot access the file because it is being used by another process")
	for _, name := range []string{"ut.csv", "ut.xlsx"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, name)
			if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			realRename, realHeld := renameFile, heldOpen
			t.Cleanup(func() { renameFile, heldOpen = realRename, realHeld })
			held := 2
			renameFile = func(from, to string) error {
				if held > 0 {
					held--
					return &os.LinkError{Op: "rename", Old: from, New: to, Err: errHeld}
				}
				return realRename(from, to)
			}
			heldOpen = func(err error) bool { return errors.Is(err, errHeld) }
			w, err := Create(target, []string{"Namn", "sb_status"}, Format{Delimiter: ','}, Top{})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(Row{Cells: []string{"Åsa", "created"}}); err != nil {
				t.Fatal(err)
			}
			tmp := w.(interface{ tempName() string }).tempName()
			for i := 0; i < 2; i++ {
				err := w.Commit([][]string{{"Rows", "1"}})
				var le *LockedFileError
				if !errors.As(err, &le) || le.Path != target {
					t.Fatalf("commit %d: %v; want a *LockedFileError for %s", i+1, err, target)
				}
				if b, _ := os.ReadFile(target); string(b) != "old" {
					t.Fatal("the target was changed")
				}
				if _, err := os.Stat(tmp); err != nil {
					t.Fatalf("the finished file is gone: %v", err)
				}
			}
			if err := w.Write(Row{Cells: []string{"Bo", "created"}}); err == nil {
				t.Error("a row was written after the file was finished")
			}
			if err := w.Commit([][]string{{"Rows", "1"}}); err != nil {
				t.Fatalf("commit once closed: %v", err)
			}
			assertOnlyFile(t, dir, name)
			r, err := Open(target, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if rows := cellsOf(readAll(t, r)); !reflect.DeepEqual(rows, [][]string{{"Åsa", "created"}}) {
				t.Errorf("rows %q", rows)
			}
		})
	}
}

// Abort after a held-open target removes the finished file and leaves
// the target as it was; any other rename failure is no LockedFileError.
func TestCommitHeldOpenAbort(t *testing.T) {
	errHeld := errors.New("held")
	dir := t.TempDir()
	target := filepath.Join(dir, "ut.xlsx")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	realRename, realHeld := renameFile, heldOpen
	t.Cleanup(func() { renameFile, heldOpen = realRename, realHeld })
	renameFile = func(string, string) error { return errHeld }
	heldOpen = func(err error) bool { return errors.Is(err, errHeld) }
	w, err := Create(target, []string{"a"}, Format{}, Top{})
	if err != nil {
		t.Fatal(err)
	}
	var le *LockedFileError
	if err := w.Commit(nil); !errors.As(err, &le) {
		t.Fatalf("commit: %v; want a *LockedFileError", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	assertOnlyFile(t, dir, "ut.xlsx")

	heldOpen = func(error) bool { return false }
	w, err = Create(target, []string{"a"}, Format{}, Top{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(nil); err == nil || errors.As(err, &le) {
		t.Fatalf("commit: %v; want a plain failure", err)
	}
	assertOnlyFile(t, dir, "ut.xlsx")
}
