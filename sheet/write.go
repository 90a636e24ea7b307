package sheet

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Create starts writing an output sheet at path: XLSX when path ends in
// .xlsx or .xlsm, CSV otherwise. top's title rows go above the header, and
// the header on top's HeaderLine, as in the sheet read: so every row keeps
// its number. Rows go to a temporary file in the same folder until Commit.
func Create(path string, header []string, f Format, top Top) (Writer, error) {
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
		w, err := newXLSXWriter(t, header, f, top)
		if err != nil {
			t.abort()
			return nil, err
		}
		return w, nil
	}
	return newCSVWriter(t, header, f, top)
}

// LockedFileError says the output could not take the target's place
// because another program holds the target open (Excel on Windows does).
// The finished output is kept beside it: Commit again once the file is
// closed, or Abort.
type LockedFileError struct {
	Path string // the target
	Err  error  // what the system said
}

func (e *LockedFileError) Error() string {
	return e.Path + " is open in another program and cannot be replaced (" + e.Err.Error() + ")"
}

func (e *LockedFileError) Unwrap() error { return e.Err }

// tempFile is the temporary file an output is written to, and the target
// it replaces on commit.
type tempFile struct {
	target string
	file   *os.File
	closed bool // synced and closed: only the rename is left
	done   bool
}

var errFinished = errors.New("the output file is already committed or aborted")

// The steps of an atomic commit, variables so that a test can see that
// the file reaches the disk before it takes the target's name, and can
// play a target held open by another program.
var (
	syncFile   = (*os.File).Sync
	renameFile = os.Rename
	heldOpen   = isLocked // does a rename's error say another program holds the target?
)

// commit syncs and closes the temporary file, renames it over the target
// and syncs the folder. A target held open by another program gives a
// *LockedFileError and keeps the temporary file: commit may be called
// again.
func (t *tempFile) commit() error {
	if t.done {
		return errFinished
	}
	name := t.file.Name()
	fail := func(err error) error {
		t.done = true
		t.file.Close()
		os.Remove(name)
		return &FileError{Path: t.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check the free space and that you may write in the folder"}
	}
	if !t.closed {
		if err := syncFile(t.file); err != nil {
			return fail(err)
		}
		if err := t.file.Close(); err != nil {
			return fail(err)
		}
		t.closed = true
	}
	if err := renameFile(name, t.target); err != nil {
		if heldOpen(err) {
			return &LockedFileError{Path: t.target, Err: err}
		}
		t.done = true
		os.Remove(name)
		return &FileError{Path: t.target, Problem: "cannot be replaced (" + err.Error() + ")",
			Hint: "close the file if it is open in another program, and try again"}
	}
	t.done = true
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
	if !t.closed {
		t.file.Close()
	}
	if err := os.Remove(t.file.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

type csvWriter struct {
	tmp      tempFile
	buf      *bufio.Writer
	w        *csv.Writer
	next     int  // the row the next record is, as a spreadsheet counts them
	finished bool // the file is complete: Commit only renames it
}

func newCSVWriter(t tempFile, header []string, f Format, top Top) (Writer, error) {
	w := &csvWriter{tmp: t, buf: bufio.NewWriterSize(t.file, 64<<10), next: 1}
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
	if f.SepLine && f.Delimiter != 0 {
		// Kept: Excel reads the delimiter from it, and shows no row for it.
		w.buf.WriteString("sep=" + string(f.Delimiter) + "\n")
	}
	for _, row := range top.Titles {
		if err := w.Write(row); err != nil {
			w.tmp.abort()
			return nil, err
		}
	}
	if err := w.Write(Row{Line: top.HeaderLine, Cells: header}); err != nil {
		w.tmp.abort()
		return nil, &FileError{Path: t.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "use one of , ; tab |", Fix: FixDelimiter}
	}
	return w, nil
}

// Write writes row as spreadsheet row row.Line: the rows before it that
// the input had blank are blank lines again.
func (w *csvWriter) Write(row Row) error {
	if w.tmp.done || w.finished {
		return errFinished
	}
	if gap := row.Line - w.next; gap > 0 {
		w.w.Flush()
		for ; gap > 0; gap-- {
			w.buf.WriteByte('\n')
		}
		w.next = row.Line
	}
	if err := w.w.Write(row.Cells); err != nil {
		return &FileError{Path: w.tmp.target, Problem: "cannot be written (" + err.Error() + ")",
			Hint: "check the free space"}
	}
	w.next++ // a record with line breaks in a value is still one row
	return nil
}

// Commit finishes the CSV file; a CSV has no room for the summary.
func (w *csvWriter) Commit(summary [][]string) error {
	if w.tmp.done {
		return errFinished
	}
	if !w.finished {
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
		w.finished = true
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
	linkWidth     = 12 // link columns: narrow, still clickable
	errorWidth    = 60 // sb_error: wide enough to read a message
	statusColumn  = "sb_status"
	errorColumn   = "sb_error"
	linkPrefix    = "sb_link_"
	maxFormulaURL = 250 // Excel refuses longer text in a formula
)

// Row tints by sb_status.
var tints = map[string]string{
	"failed":  "FFC7CE", // light red
	"invalid": "FFE0B2", // light orange
	"unknown": "FFF2CC", // light yellow
}

// Excel's built-in number formats for a date and a date with a time,
// shown in the reader's own regional style.
const (
	numFmtDate     = 14
	numFmtDateTime = 22
)

type xlsxWriter struct {
	tmp      tempFile
	f        *excelize.File
	sw       *excelize.StreamWriter
	sheet    string
	header   []string
	top      Top
	status   int // index of the sb_status column, or -1
	link     []bool
	rowNum   int   // sheet row last written
	widths   []int // column widths, set by start
	buffered []Row
	started  bool
	finished bool // the file is complete: Commit only renames it
	bold     int
	rowStyle map[string]int    // tint style per status; "" = none
	linkSty  map[string]int    // link style per status
	dateSty  map[string][2]int // date and date-time styles per status
}

func newXLSXWriter(t tempFile, header []string, format Format, top Top) (*xlsxWriter, error) {
	name := format.Sheet
	if name == "" {
		name = "Result"
	}
	f := excelize.NewFile()
	w := &xlsxWriter{tmp: t, f: f, sheet: name, header: header, top: top, status: -1,
		link: make([]bool, len(header)), rowStyle: map[string]int{}, linkSty: map[string]int{}, dateSty: map[string][2]int{}}
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
	if err := w.newStyles(); err != nil {
		return fail(err)
	}
	var err error
	if w.sw, err = f.NewStreamWriter(name); err != nil {
		return fail(err)
	}
	return w, nil
}

// newStyles makes the header's, the links' and the dates' styles, each
// also in every status tint.
func (w *xlsxWriter) newStyles() error {
	var err error
	f := w.f
	if w.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	linkFont := &excelize.Font{Color: "0563C1", Underline: "single"}
	fills := map[string][]excelize.Fill{"": nil}
	for status, color := range tints {
		fills[status] = []excelize.Fill{{Type: "pattern", Pattern: 1, Color: []string{color}}}
	}
	for status, fill := range fills {
		var style excelize.Style
		if fill != nil {
			style.Fill = fill[0]
			if w.rowStyle[status], err = f.NewStyle(&style); err != nil {
				return err
			}
		}
		link := style
		link.Font = linkFont
		if w.linkSty[status], err = f.NewStyle(&link); err != nil {
			return err
		}
		var ds [2]int
		for i, id := range []int{numFmtDate, numFmtDateTime} {
			d := style
			d.NumFmt = id
			if ds[i], err = f.NewStyle(&d); err != nil {
				return err
			}
		}
		w.dateSty[status] = ds
	}
	return nil
}

func (w *xlsxWriter) Write(row Row) error {
	if w.tmp.done || w.finished {
		return errFinished
	}
	if !w.started {
		row.Cells = append([]string(nil), row.Cells...)
		row.Date = append([]bool(nil), row.Date...)
		w.buffered = append(w.buffered, row)
		if len(w.buffered) < sizingRows {
			return nil
		}
		return w.start()
	}
	return w.writeRow(row)
}

// headerLine is the header's row number.
func (w *xlsxWriter) headerLine() int {
	h := max(w.top.HeaderLine, 1)
	if n := len(w.top.Titles); n > 0 {
		h = max(h, w.top.Titles[n-1].Line+1)
	}
	return h
}

// start sizes the columns from the header and the buffered rows (the
// widths are written by sheetZip on commit), freezes the rows down to the
// header and writes the title rows, the header and the buffered rows.
func (w *xlsxWriter) start() error {
	w.started = true
	w.widths = columnWidths(w.header, w.buffered)
	h := w.headerLine()
	below, _ := excelize.CoordinatesToCellName(1, h+1)
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: h, TopLeftCell: below, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: below, ActiveCell: below, Pane: "bottomLeft"}}}); err != nil {
		return w.writeError(err)
	}
	for _, t := range w.top.Titles {
		if t.Line >= h {
			break
		}
		if err := w.writeRow(Row{Line: t.Line, Cells: t.Cells, Date: t.Date}); err != nil {
			return err
		}
	}
	values := make([]interface{}, len(w.header))
	for i, name := range w.header {
		values[i] = excelize.Cell{StyleID: w.bold, Value: name}
	}
	w.rowNum = h
	cell, _ := excelize.CoordinatesToCellName(1, h)
	if err := w.sw.SetRow(cell, values); err != nil {
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

// columnWidths fits each column to its header and the first rows: link
// columns narrow and sb_error wide, so the error is in view beside the
// status.
func columnWidths(header []string, rows []Row) []int {
	widths := make([]int, len(header))
	for i, h := range header {
		switch {
		case strings.HasPrefix(h, linkPrefix):
			widths[i] = linkWidth
			continue
		case h == errorColumn:
			widths[i] = errorWidth
			continue
		}
		width := utf8.RuneCountInString(h) + 4 // room for the filter button
		for _, row := range rows {
			if i < len(row.Cells) {
				for _, line := range strings.Split(row.Cells[i], "\n") {
					width = max(width, utf8.RuneCountInString(line)+1)
				}
			}
		}
		widths[i] = min(max(width, minColWidth), maxColWidth)
	}
	return widths
}

func (w *xlsxWriter) writeRow(row Row) error {
	w.rowNum = max(row.Line, w.rowNum+1)
	cells := row.Cells
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
		case row.IsDate(i):
			values[i] = w.dateCell(c, status)
		default:
			values[i] = fitCell(c)
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, w.rowNum)
	if err := w.sw.SetRow(cell, values, opts...); err != nil {
		return w.writeError(err)
	}
	return nil
}

// dateCell is a date cell again for the ISO text the reader made of one;
// text that is not such a date stays text.
func (w *xlsxWriter) dateCell(s, status string) interface{} {
	if t, err := time.Parse(time.DateOnly, s); err == nil && t.Year() >= 1900 {
		return excelize.Cell{StyleID: w.dateSty[status][0], Value: t}
	}
	if t, err := time.Parse(time.DateTime, s); err == nil && t.Year() >= 1900 {
		return excelize.Cell{StyleID: w.dateSty[status][1], Value: t}
	}
	return s
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
	if w.finished {
		return w.tmp.commit() // the file is complete; the target was held open
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
	filterFrom, _ := excelize.CoordinatesToCellName(1, w.headerLine())
	if err := w.f.AutoFilter(w.sheet, filterFrom+":"+last, nil); err != nil {
		return fail(err)
	}
	width := len(w.header) // the used range: a title row may be wider
	for _, t := range w.top.Titles {
		width = max(width, len(t.Cells))
	}
	used, err := excelize.CoordinatesToCellName(max(width, 1), max(w.rowNum, 1))
	if err != nil {
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
		return &sheetZip{Writer: fastZip(w.tmp.file), dimension: "A1:" + used, cols: colsXML(w.widths)}
	})
	if _, err := w.f.WriteToBuffer(); err != nil {
		return fail(err)
	}
	w.f.Close()
	w.finished = true
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
	if !w.finished {
		w.f.Close()
	}
	return w.tmp.abort()
}
