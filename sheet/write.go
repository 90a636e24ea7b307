package sheet

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Create starts writing an output sheet at path: XLSX when path ends in
// .xlsx or .xlsm, CSV otherwise. Rows go to a temporary file in the same
// folder until Commit.
func Create(path string, header []string, f Format) (Writer, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, &FileError{Path: path, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check that the folder exists and that you may write in it"}
	}
	// CreateTemp makes the file private (0600); the output is an ordinary
	// document. (The umask still applies to files the user creates anew.)
	_ = tmp.Chmod(0o644)
	t := tempFile{target: path, file: tmp}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		w, err := newXLSXWriter(t, header, f)
		if err != nil {
			t.abort()
			return nil, err
		}
		return w, nil
	}
	return newCSVWriter(t, header, f)
}

// tempFile is the temporary file an output is written to, and the target
// it replaces on commit.
type tempFile struct {
	target string
	file   *os.File
	done   bool
}

var errFinished = errors.New("the output file is already committed or aborted")

// The steps of an atomic commit, variables so that a test can see that
// the file reaches the disk before it takes the target's name.
var (
	syncFile   = (*os.File).Sync
	renameFile = os.Rename
)

// commit syncs and closes the temporary file, renames it over the target
// and syncs the folder.
func (t *tempFile) commit() error {
	if t.done {
		return errFinished
	}
	t.done = true
	name := t.file.Name()
	fail := func(err error) error {
		t.file.Close()
		os.Remove(name)
		return &FileError{Path: t.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check the free space and that you may write in the folder"}
	}
	if err := syncFile(t.file); err != nil {
		return fail(err)
	}
	if err := t.file.Close(); err != nil {
		return fail(err)
	}
	if err := renameFile(name, t.target); err != nil {
		os.Remove(name)
		return &FileError{Path: t.target, Problem: "cannot be replaced (" + err.Error() + ")",
			Hint: "close the file if it is open in Excel, and try again"}
	}
	if d, err := os.Open(filepath.Dir(t.target)); err == nil {
		syncFile(d) // best effort: some systems cannot sync a folder
		d.Close()
	}
	return nil
}

func (t *tempFile) abort() error {
	if t.done {
		return nil
	}
	t.done = true
	t.file.Close()
	if err := os.Remove(t.file.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

type csvWriter struct {
	tmp tempFile
	buf *bufio.Writer
	w   *csv.Writer
}

func newCSVWriter(t tempFile, header []string, f Format) (Writer, error) {
	w := &csvWriter{tmp: t, buf: bufio.NewWriterSize(t.file, 64<<10)}
	switch f.Encoding {
	case "utf-8-bom", "utf-16le", "utf-16be", "windows-1252":
		// Excel needs the BOM to read UTF-8; the input told us its user
		// works with Excel's encodings.
		w.buf.WriteString("\uFEFF")
	}
	w.w = csv.NewWriter(w.buf)
	if f.Delimiter != 0 {
		w.w.Comma = f.Delimiter
	}
	if err := w.w.Write(header); err != nil {
		w.tmp.abort()
		return nil, &FileError{Path: t.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "use one of , ; tab |", Fix: FixDelimiter}
	}
	return w, nil
}

func (w *csvWriter) Write(cells []string) error {
	if w.tmp.done {
		return errFinished
	}
	if err := w.w.Write(cells); err != nil {
		return &FileError{Path: w.tmp.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check the free space"}
	}
	return nil
}

// Commit finishes the CSV file; a CSV has no room for the summary.
func (w *csvWriter) Commit(summary [][]string) error {
	if w.tmp.done {
		return errFinished
	}
	w.w.Flush()
	err := w.w.Error()
	if err == nil {
		err = w.buf.Flush()
	}
	if err != nil {
		w.tmp.abort()
		return &FileError{Path: w.tmp.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check the free space"}
	}
	return w.tmp.commit()
}

func (w *csvWriter) Abort() error { return w.tmp.abort() }

func (w *csvWriter) tempName() string { return w.tmp.file.Name() }

// Output sheet styling.
const (
	sizingRows    = 100 // rows buffered to size the columns
	minColWidth   = 8
	maxColWidth   = 60
	statusColumn  = "sb_status"
	linkPrefix    = "sb_link_"
	maxFormulaURL = 250 // Excel refuses longer text in a formula
)

// Row tints by sb_status.
var tints = map[string]string{
	"failed":  "FFC7CE", // light red
	"invalid": "FFE0B2", // light orange
	"unknown": "FFF2CC", // light yellow
}

type xlsxWriter struct {
	tmp      tempFile
	f        *excelize.File
	sw       *excelize.StreamWriter
	sheet    string
	header   []string
	status   int // index of the sb_status column, or -1
	link     []bool
	rowNum   int   // sheet row last written
	widths   []int // column widths, set by start
	buffered [][]string
	started  bool
	bold     int
	rowStyle map[string]int // tint style per status; "" = none
	linkSty  map[string]int // link style per status
}

func newXLSXWriter(t tempFile, header []string, format Format) (*xlsxWriter, error) {
	name := format.Sheet
	if name == "" {
		name = "Result"
	}
	f := excelize.NewFile()
	w := &xlsxWriter{tmp: t, f: f, sheet: name, header: header, status: -1,
		link: make([]bool, len(header)), rowStyle: map[string]int{}, linkSty: map[string]int{}}
	fail := func(err error) (*xlsxWriter, error) {
		f.Close()
		return nil, &FileError{Path: t.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check the sheet name (at most 31 characters, none of : \\ / ? * [ ])"}
	}
	if name != "Sheet1" {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return fail(err)
		}
		if i, err := f.GetSheetIndex(name); err != nil || i < 0 {
			return fail(fmt.Errorf("invalid sheet name %q", name))
		}
	}
	for i, h := range header {
		if h == statusColumn {
			w.status = i
		}
		w.link[i] = strings.HasPrefix(h, linkPrefix)
	}
	var err error
	if w.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return fail(err)
	}
	linkFont := &excelize.Font{Color: "0563C1", Underline: "single"}
	if w.linkSty[""], err = f.NewStyle(&excelize.Style{Font: linkFont}); err != nil {
		return fail(err)
	}
	for status, color := range tints {
		fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
		if w.rowStyle[status], err = f.NewStyle(&excelize.Style{Fill: fill}); err != nil {
			return fail(err)
		}
		if w.linkSty[status], err = f.NewStyle(&excelize.Style{Fill: fill, Font: linkFont}); err != nil {
			return fail(err)
		}
	}
	if w.sw, err = f.NewStreamWriter(name); err != nil {
		return fail(err)
	}
	return w, nil
}

func (w *xlsxWriter) Write(cells []string) error {
	if w.tmp.done {
		return errFinished
	}
	if !w.started {
		w.buffered = append(w.buffered, append([]string(nil), cells...))
		if len(w.buffered) < sizingRows {
			return nil
		}
		return w.start()
	}
	return w.writeRow(cells)
}

// start sizes the columns from the header and the buffered rows (the
// widths are written by sheetZip on commit), freezes the header and writes
// it and the buffered rows.
func (w *xlsxWriter) start() error {
	w.started = true
	w.widths = make([]int, len(w.header))
	for i, h := range w.header {
		width := utf8.RuneCountInString(h) + 4 // room for the filter button
		for _, row := range w.buffered {
			if i < len(row) {
				for _, line := range strings.Split(row[i], "\n") {
					width = max(width, utf8.RuneCountInString(line)+1)
				}
			}
		}
		w.widths[i] = min(max(width, minColWidth), maxColWidth)
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return w.writeError(err)
	}
	values := make([]interface{}, len(w.header))
	for i, h := range w.header {
		values[i] = excelize.Cell{StyleID: w.bold, Value: h}
	}
	w.rowNum = 1
	if err := w.sw.SetRow("A1", values); err != nil {
		return w.writeError(err)
	}
	for _, row := range w.buffered {
		if err := w.writeRow(row); err != nil {
			return err
		}
	}
	w.buffered = nil
	return nil
}

func (w *xlsxWriter) writeRow(cells []string) error {
	w.rowNum++
	status := ""
	if w.status >= 0 && w.status < len(cells) {
		status = strings.TrimSpace(cells[w.status])
		if _, ok := tints[status]; !ok {
			status = ""
		}
	}
	var opts []excelize.RowOpts
	if status != "" {
		opts = append(opts, excelize.RowOpts{StyleID: w.rowStyle[status]})
	}
	values := make([]interface{}, len(cells))
	for i, c := range cells {
		switch {
		case c == "":
			// nothing: the row's style tints the empty cell
		case i < len(w.link) && w.link[i] && isURL(c):
			values[i] = excelize.Cell{StyleID: w.linkSty[status], Formula: hyperlinkFormula(c), Value: c}
		default:
			values[i] = c
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, w.rowNum)
	if err := w.sw.SetRow(cell, values, opts...); err != nil {
		return w.writeError(err)
	}
	return nil
}

func isURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) &&
		len(s) <= maxFormulaURL && !strings.ContainsAny(s, "\r\n")
}

// hyperlinkFormula makes a clickable link in a streamed sheet, where
// excelize cannot add hyperlink relations.
func hyperlinkFormula(url string) string {
	q := `"` + strings.ReplaceAll(url, `"`, `""`) + `"`
	return "HYPERLINK(" + q + "," + q + ")"
}

func (w *xlsxWriter) writeError(err error) error {
	return &FileError{Path: w.tmp.target, Problem: fmt.Sprintf("row %d cannot be written (%v)", w.rowNum, err),
		Hint: "check the free space"}
}

func (w *xlsxWriter) Commit(summary [][]string) error {
	if w.tmp.done {
		return errFinished
	}
	fail := func(err error) error {
		w.Abort()
		if _, ok := err.(*FileError); ok {
			return err
		}
		return &FileError{Path: w.tmp.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check the free space and that you may write in the folder"}
	}
	if !w.started {
		if err := w.start(); err != nil {
			return fail(err)
		}
	}
	last, _ := excelize.CoordinatesToCellName(max(len(w.header), 1), max(w.rowNum, 1))
	// The stream writer writes the worksheet's autoFilter when flushed.
	if err := w.f.AutoFilter(w.sheet, "A1:"+last, nil); err != nil {
		return fail(err)
	}
	if err := w.sw.Flush(); err != nil {
		return fail(err)
	}
	if err := w.writeSummary(summary); err != nil {
		return fail(err)
	}
	// excelize assembles the whole zip in a bytes.Buffer before writing it;
	// a zip writer of our own sends it straight to the file instead, so a
	// large output never sits in memory whole. (Its buffer stays empty.)
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		return &sheetZip{Writer: zip.NewWriter(w.tmp.file), dimension: "A1:" + last, cols: colsXML(w.widths)}
	})
	if _, err := w.f.WriteToBuffer(); err != nil {
		return fail(err)
	}
	w.f.Close()
	return w.tmp.commit()
}

func (w *xlsxWriter) writeSummary(summary [][]string) error {
	if len(summary) == 0 {
		return nil
	}
	const name = "Summary"
	if _, err := w.f.NewSheet(name); err != nil {
		return err
	}
	widths := map[int]int{}
	for r, row := range summary {
		values := make([]interface{}, len(row))
		for c, v := range row {
			values[c] = v
			widths[c] = max(widths[c], utf8.RuneCountInString(v)+2)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := w.f.SetSheetRow(name, cell, &values); err != nil {
			return err
		}
		if len(row) > 0 {
			if err := w.f.SetCellStyle(name, cell, cell, w.bold); err != nil {
				return err
			}
		}
	}
	for c, width := range widths {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := w.f.SetColWidth(name, col, col, float64(min(max(width, minColWidth), 80))); err != nil {
			return err
		}
	}
	return nil
}

func (w *xlsxWriter) tempName() string { return w.tmp.file.Name() }

func (w *xlsxWriter) Abort() error {
	if w.tmp.done {
		return nil
	}
	w.f.Close()
	return w.tmp.abort()
}
