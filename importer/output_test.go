package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbimport/sbimport/sandbox"
	"github.com/sbimport/sbimport/sheet"
	"github.com/xuri/excelize/v2"
)

// readSheet reads an output sheet with its header on headerRow: the rows
// with their lines, each as column → value.
func readSheet(t *testing.T, path string, headerRow int) (sheet.Top, []sheet.Row, []map[string]string) {
	t.Helper()
	r, err := sheet.Open(path, sheet.Options{HeaderRow: headerRow})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []sheet.Row
	var maps []map[string]string
	for {
		row, err := r.Next()
		if err != nil {
			break
		}
		m := map[string]string{}
		for i, h := range r.Header() {
			m[h] = row.Cells[i]
		}
		rows = append(rows, row)
		maps = append(maps, m)
	}
	return r.Top(), rows, maps
}

// A sheet with title rows above its header and blank rows between its
// rows: every row keeps its number in the output (sb_row, the output's
// own row and the input's row are one number), the rows the summary lists
// are named by it, and a re-run of the output keeps them all.
func TestRowNumbersAreTheSameInInputAndOutput(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("kunder.csv", "Kundlista december,,,\n,,,\nFörnamn,Efternamn,E-post,Mobil\n"+
		"Anna,A,a@example.se,0701234501\n\nBo,B,bo-utan-doman@,0701234502\n\n\nCia,C,c@example.se,0701234503\n")
	cfg := e.config()
	cfg.Read.HeaderRow = 3
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Problems) != 1 || sum.Problems[0].Line != 6 {
		t.Fatalf("problems %+v; want row 6 (Bo), as in both sheets", sum.Problems)
	}
	out := DefaultOutput(e.input)
	check := func(when string) {
		t.Helper()
		top, rows, maps := readSheet(t, out, 3)
		if top.HeaderLine != 3 || len(top.Titles) != 2 || top.Titles[0].Cells[0] != "Kundlista december" {
			t.Errorf("%s: top %+v; want the title rows and the header on row 3", when, top)
		}
		want := map[int]string{4: "Anna", 6: "Bo", 9: "Cia"}
		if len(rows) != len(want) {
			t.Fatalf("%s: %d rows; want %d", when, len(rows), len(want))
		}
		for i, row := range rows {
			if maps[i]["Förnamn"] != want[row.Line] || maps[i]["sb_row"] != fmt.Sprint(row.Line) {
				t.Errorf("%s: row %d holds %s with sb_row %s; want %s on its input row", when, row.Line, maps[i]["Förnamn"], maps[i]["sb_row"], want[row.Line])
			}
		}
	}
	check("first run")

	// The user fixes Bo's e-mail in the output and runs it again.
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte(strings.Replace(string(b), "bo-utan-doman@", "bo@example.se", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Input = out
	cfg.Output = ""
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 3 {
		t.Errorf("re-run: counts %v; want 3 created", sum.Counts)
	}
	check("re-run")
}

// An XLSX input: its title rows, its dates (as dates) and its row numbers
// come through to the output, and through a re-run of the output.
func TestXLSXOutputKeepsTitlesAndDates(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = filepath.Join(e.dir, "kunder.xlsx")
	f := excelize.NewFile()
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue("Sheet1", "A1", "Kampanj december"))
	must(f.SetSheetRow("Sheet1", "A2", &[]any{"Förnamn", "Efternamn", "E-post", "Mobil", "Giltig till"}))
	must(f.SetSheetRow("Sheet1", "A3", &[]any{"Anna", "A", "a@example.se", "0701234501", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}))
	must(f.SetSheetRow("Sheet1", "A5", &[]any{"Bo", "B", "b@example.se", "0701234502", time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)}))
	must(f.SetCellStyle("Sheet1", "E3", "E5", dateStyle))
	must(f.SaveAs(e.input))
	f.Close()
	cfg := e.config()
	cfg.Read.HeaderRow = 2
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	for _, when := range []string{"first run", "re-run"} {
		if when == "re-run" {
			cfg.Input, cfg.Output = out, ""
			if _, err := Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
		}
		top, rows, maps := readSheet(t, out, 2)
		if len(top.Titles) != 1 || top.Titles[0].Line != 1 || top.Titles[0].Cells[0] != "Kampanj december" {
			t.Errorf("%s: titles %+v; want row 1 kept", when, top.Titles)
		}
		if len(rows) != 2 || rows[0].Line != 3 || rows[1].Line != 5 || maps[1]["sb_row"] != "5" || maps[1]["Giltig till"] != "2027-01-15" {
			t.Fatalf("%s: rows %+v", when, maps)
		}
		g, err := excelize.OpenFile(out)
		must(err)
		for _, cell := range []string{"E3", "E5"} {
			if typ, _ := g.GetCellType("Sheet1", cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("%s: %s is text; want a date", when, cell)
			}
		}
		g.Close()
	}
}

// sb_at shows the local time with its offset; the journal keeps RFC 3339.
func TestSbAtIsLocalTimeWithOffset(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	if got := showAt("2026-11-30T13:05:09Z", cet); got != "2026-11-30 14:05:09 +01:00" {
		t.Errorf("showAt = %q; want 2026-11-30 14:05:09 +01:00", got)
	}
	if got := showAt("not a time", cet); got != "not a time" {
		t.Errorf("showAt kept %q; want the text as it was", got)
	}
	o := &Outcome{Status: Created, ID: 7, At: "2026-11-30T13:05:09Z"}
	want := time.Date(2026, 11, 30, 13, 5, 9, 0, time.UTC).In(time.Local).Format("2006-01-02 15:04:05 -07:00")
	if got := o.cells(2)[colAt]; got != want {
		t.Errorf("sb_at = %q; want %q (local time)", got, want)
	}
}

// An sb_at of this version or of an earlier one (RFC 3339, UTC) reads as
// the same instant, in RFC 3339 for the journal and reconcile.
func TestSbAtOfEitherVersionIsRead(t *testing.T) {
	idx := make([]int, len(ResultColumns))
	for i := range idx {
		idx[i] = i
	}
	instant := time.Date(2026, 11, 30, 13, 5, 9, 0, time.UTC)
	for _, cell := range []string{"2026-11-30T13:05:09Z", "2026-11-30 14:05:09 +01:00", " 2026-11-30 08:05:09 -05:00 "} {
		cells := make([]string, len(ResultColumns))
		cells[colStatus], cells[colAt] = "created", cell
		o, ok := outcomeFromCells(cells, idx)
		if !ok {
			t.Fatal("status not read")
		}
		got, err := time.Parse(time.RFC3339, o.At)
		if err != nil || !got.Equal(instant) {
			t.Errorf("sb_at %q read as %q (%v); want %v in RFC 3339", cell, o.At, err, instant)
		}
	}
}

// heldWriter plays an output sheet held open by another program: its
// first held commits fail as on Windows.
type heldWriter struct {
	sheet.Writer
	mu   sync.Mutex
	held int // commits still to fail; < 0 = all
}

func (w *heldWriter) Commit(summary [][]string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.held != 0 {
		w.held--
		return &sheet.LockedFileError{Path: "held", Err: errors.New("sharing violation")}
	}
	return w.Writer.Commit(summary)
}

type scriptedAnswers struct {
	yes   []bool
	asked []string
}

func (a *scriptedAnswers) AskRetry(path string) bool {
	a.asked = append(a.asked, path)
	if len(a.yes) == 0 {
		return false
	}
	y := a.yes[0]
	a.yes = a.yes[1:]
	return y
}

// The output held open: the user is asked, closes it, says try again, and
// the output is written; nothing is sent twice.
func TestHeldOpenOutputIsRetried(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5)
	cfg := e.config()
	cfg.wrapWriter = func(w sheet.Writer) sheet.Writer { return &heldWriter{Writer: w, held: 2} }
	ask := &scriptedAnswers{yes: []bool{true, true}}
	cfg.HeldOpen = ask
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	if !reflect.DeepEqual(ask.asked, []string{out, out}) {
		t.Errorf("asked %q; want %s twice", ask.asked, out)
	}
	_, rows := readCSV(t, out)
	if len(rows) != 5 || rows[4]["sb_status"] != "created" {
		t.Errorf("output rows %v", rows)
	}
}

// The user gives up (or there is no one to ask): the run fails with the
// *sheet.LockedFileError, the output is as it was and no temporary file
// is left; the journal holds every outcome, so the same command writes
// the output and sends nothing again. Both for a first run and for a
// re-run of the output in place (the common case: the output is the file
// open in Excel).
func TestHeldOpenOutputGivenUpLosesNothing(t *testing.T) {
	for _, inPlace := range []bool{false, true} {
		t.Run(fmt.Sprint("in place ", inPlace), func(t *testing.T) {
			e := newEnv(t, sandbox.Options{}, nil)
			e.customers(6, 1, 4)
			cfg := e.config()
			out := DefaultOutput(e.input)
			if inPlace {
				if _, err := Run(context.Background(), cfg); err != nil {
					t.Fatal(err)
				}
				b, _ := os.ReadFile(out)
				fixed := strings.Replace(string(b), ",kund-utan-doman@,070-123 45 01", ",fixad1@example.se,070-123 45 01", 1)
				fixed = strings.Replace(fixed, ",kund-utan-doman@,070-123 45 04", ",fixad4@example.se,070-123 45 04", 1)
				if err := os.WriteFile(out, []byte(fixed), 0o644); err != nil {
					t.Fatal(err)
				}
				cfg.Input = out
			}
			before, err := os.ReadFile(out)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			held := cfg
			held.wrapWriter = func(w sheet.Writer) sheet.Writer { return &heldWriter{Writer: w, held: -1} }
			held.HeldOpen = &scriptedAnswers{}
			_, err = Run(context.Background(), held)
			var le *sheet.LockedFileError
			if !errors.As(err, &le) {
				t.Fatalf("run: %v; want a *sheet.LockedFileError", err)
			}
			if after, _ := os.ReadFile(out); string(after) != string(before) {
				t.Error("the output was changed")
			}
			entries, _ := os.ReadDir(e.dir)
			for _, en := range entries {
				if strings.Contains(en.Name(), ".tmp-") {
					t.Errorf("temporary file %s left behind", en.Name())
				}
			}
			sent := e.srv.Stats().Requests
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.srv.Stats().Requests; got != sent {
				t.Errorf("the same command sent %d requests again; want none", got-sent)
			}
			wantCreated := 4
			if inPlace {
				wantCreated = 6
			}
			_, rows := readCSV(t, out)
			created := 0
			for _, r := range rows {
				if r["sb_status"] == "created" && r["sb_id"] != "" {
					created++
				}
			}
			if created != wantCreated || sum.Counts[Created] != wantCreated {
				t.Errorf("output holds %d created rows (summary %v); want %d", created, sum.Counts, wantCreated)
			}
			if d := e.srv.Duplicates(); len(d) != 0 {
				t.Errorf("created twice: %v", d)
			}
		})
	}
}

// reconcile's rewrite given up on a held-open sheet removes its finished
// copy; the sheet is as it was.
func TestCommitOrAbortGivenUp(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "kunder-result.csv")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := sheet.Create(target, []string{"a"}, sheet.Format{}, sheet.Top{})
	if err != nil {
		t.Fatal(err)
	}
	hw := &heldWriter{Writer: w, held: -1}
	ask := &scriptedAnswers{yes: []bool{true}}
	err = commitOrAbort(hw, nil, target, ask)
	var le *sheet.LockedFileError
	if !errors.As(err, &le) || len(ask.asked) != 2 {
		t.Fatalf("commit: %v after %d questions; want a *sheet.LockedFileError after 2", err, len(ask.asked))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left: %v; want only the sheet", entries)
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Error("the sheet was changed")
	}
}

// A CSV's rows are numbered as a spreadsheet shows them: Excel's sep=
// line is no row and a value with a line break does not make two, so
// the invalid row is "row 3" in the summary, in sb_row and in Excel, in
// the input and in the output (which keeps the sep= line).
func TestCSVRowNumbersAreTheSpreadsheetsRows(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("kunder.csv", "sep=,\nFörnamn,Efternamn,E-post,Mobil\n"+
		"Anna,\"Svensson\nBerg\",a@example.se,0701234501\nBo,B,bo-utan-doman@,0701234502\n")
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Problems) != 1 || sum.Problems[0].Line != 3 {
		t.Fatalf("problems %+v; want row 3 (Bo)", sum.Problems)
	}
	out := DefaultOutput(e.input)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "sep=,\n") {
		t.Errorf("output starts %q; want the sep= line kept", string(b)[:min(len(b), 20)])
	}
	_, rows, maps := readSheet(t, out, 1)
	if len(rows) != 2 || rows[1].Line != 3 || maps[1]["sb_row"] != "3" || maps[1]["Förnamn"] != "Bo" {
		t.Errorf("output rows %v", maps)
	}
}

// The Summary sheet gives the run's start and end as sb_at does: local
// time with its offset.
func TestSummarySheetTimesAreLocal(t *testing.T) {
	start := time.Date(2026, 11, 30, 13, 5, 9, 0, time.UTC)
	sum := &Summary{Started: start, Finished: start.Add(90 * time.Second)}
	want := map[string]string{
		"Started":  start.In(time.Local).Format("2006-01-02 15:04:05 -07:00"),
		"Finished": start.Add(90 * time.Second).In(time.Local).Format("2006-01-02 15:04:05 -07:00"),
	}
	for _, row := range summaryTable(&Config{Input: "kunder.csv"}, sum) {
		if w, ok := want[row[0]]; ok {
			if row[1] != w {
				t.Errorf("%s = %q; want %q", row[0], row[1], w)
			}
			delete(want, row[0])
		}
	}
	if len(want) != 0 {
		t.Errorf("summary lacks %v", want)
	}
}
