package sheet

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

type xlsxReader struct {
	path   string
	file   *excelize.File
	rows   rowSource
	rowNum int // the sheet row number of the row last read
	// pendNum is the number of the row element read ahead (0: none),
	// pend its cells: the rows before it are left out of the sheet.
	pendNum int
	pend    []string
	header  []string
	format  Format
	// gaps lists, per row, the columns holding a formula with no saved value.
	gaps map[int][]int
	// lastRow is the sheet's last row: excelize ends quietly where it
	// cannot read on, so an end before it is an error.
	lastRow int
	top     Top
}

func openXLSX(path string, opt Options) (Reader, error) {
	if err := checkUnpackedSize(path); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: xmlInMemoryLimit})
	if err != nil {
		return nil, errDamaged(path)
	}
	fail := func(err error) (Reader, error) {
		f.Close()
		return nil, err
	}
	names := f.GetSheetList()
	if len(names) == 0 {
		return fail(errDamaged(path))
	}
	name, err := pickSheet(f, path, names, opt.Sheet)
	if err != nil {
		return fail(err)
	}
	rawID, err := isoDates(f)
	if err != nil {
		return fail(&FileError{Path: path, Problem: "has a style sheet that cannot be read (" + err.Error() + ")",
			Hint: "open it in Excel or LibreOffice and save it again as .xlsx"})
	}
	// excelize stops silently at damaged XML: check the sheet in full
	// first, and find the formulas without a saved value, to say so.
	facts, err := scanWorkbook(path, name)
	if err != nil {
		return fail(err)
	}
	rows, err := openRows(path, f, name, rawID, names)
	if err != nil {
		return fail(&FileError{Path: path, Problem: fmt.Sprintf("sheet %q cannot be read (%v)", name, err),
			Hint: reSave})
	}
	r := &xlsxReader{path: path, file: f, rows: rows, gaps: facts.gaps, lastRow: facts.lastRow, format: Format{Kind: "xlsx", Sheet: name}}
	headerRow := opt.HeaderRow
	if headerRow < 1 {
		headerRow = 1
	}
	var cells []string
	for r.rowNum < headerRow {
		row, ok, err := r.nextRow()
		if err != nil {
			r.Close()
			return nil, r.readError(err)
		}
		if !ok {
			r.Close()
			if r.rowNum == 0 {
				return nil, &FileError{Path: path, Problem: fmt.Sprintf("sheet %q is empty", name),
					Hint: "pick the sheet that holds the rows (the sheets are: " + quoteList(names) + ")", Fix: FixSheet}
			}
			return nil, &FileError{Path: path, Problem: fmt.Sprintf("sheet %q has only %d rows, so row %d cannot be the header", name, r.rowNum, headerRow),
				Hint: "check which row holds the column names", Fix: FixHeaderRow}
		}
		cells = row
		if r.rowNum < headerRow && !blank(cells) {
			title := r.cells(cells, len(cells))
			r.top.Titles = append(r.top.Titles, title)
		}
	}
	r.top.HeaderLine = headerRow
	cells = r.cells(cells, len(cells)).Cells
	h, err := checkHeader(path, fmt.Sprintf("header row %d of sheet %q", headerRow, name), cells)
	if err != nil {
		r.Close()
		return nil, err
	}
	r.header = h
	rows.limit(len(h))
	return r, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// pickSheet returns the sheet asked for, or the first visible one that is
// not a chart.
func pickSheet(f *excelize.File, path string, names []string, asked string) (string, error) {
	charts := chartSheets(path)
	if asked == "" {
		for _, n := range names {
			if v, err := f.GetSheetVisible(n); err == nil && v && !charts[n] {
				return n, nil
			}
		}
		return names[0], nil
	}
	for _, n := range names {
		if n == asked || strings.EqualFold(n, asked) {
			if charts[n] {
				return "", &FileError{Path: path, Problem: fmt.Sprintf("sheet %q is a chart, not a table of rows", n),
					Hint: "pick the sheet that holds the rows", Fix: FixSheet}
			}
			return n, nil
		}
	}
	list := make([]string, len(names))
	for i, n := range names {
		list[i] = fmt.Sprintf("%q", n)
		if v, err := f.GetSheetVisible(n); err == nil && !v {
			list[i] += " (hidden)"
		}
	}
	return "", &FileError{Path: path, Problem: fmt.Sprintf("has no sheet named %q", asked),
		Hint: "pick one of the sheets there are: " + strings.Join(list, ", "), Fix: FixSheet}
}

func (r *xlsxReader) Header() []string { return r.header }
func (r *xlsxReader) Format() Format   { return r.format }
func (r *xlsxReader) Top() Top         { return r.top }

func (r *xlsxReader) Close() error {
	if r.rows != nil {
		r.rows.Close()
		r.rows = nil
	}
	return r.file.Close()
}

func (r *xlsxReader) readError(err error) error {
	return &FileError{Path: r.path,
		Problem: fmt.Sprintf("sheet %q, row %d cannot be read (%v)", r.format.Sheet, r.rowNum, err),
		Hint:    "open it in Excel or LibreOffice and save it again as .xlsx"}
}

// formulaProblem says which cells of row hold a formula with no saved value.
func (r *xlsxReader) formulaProblem(row int) string {
	var names []string
	for _, c := range r.gaps[row] {
		if c < len(r.header) {
			names = append(names, fmt.Sprintf("%s (%q)", colName(c), r.header[c]))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("column %s holds a formula with no saved value, so its value cannot be read; open the file in Excel or LibreOffice, let it calculate, and save it again", strings.Join(names, ", "))
}

// nextRow moves to the sheet's next row number and returns its cells, nil
// for a row the sheet leaves out, or false after the last row.
func (r *xlsxReader) nextRow() ([]string, bool, error) {
	if r.pendNum == 0 {
		num, cells, err := r.rows.next()
		if err == io.EOF {
			return nil, false, nil
		}
		if err != nil {
			r.rowNum++ // the row that cannot be read
			return nil, false, err
		}
		r.pendNum, r.pend = num, cells
	}
	r.rowNum++
	if r.rowNum < r.pendNum {
		return nil, true, nil
	}
	cells := r.pend
	r.pendNum, r.pend = 0, nil
	return cells, true, nil
}

func (r *xlsxReader) Next() (Row, error) {
	if r.rows == nil {
		return Row{}, io.EOF
	}
	w := len(r.header)
	for {
		cells, ok, err := r.nextRow()
		if err != nil {
			return Row{}, r.readError(err)
		}
		if !ok {
			break
		}
		if len(cells) > w {
			cells = cells[:w] // values in columns without a name cannot be mapped
		}
		if blank(cells) {
			continue
		}
		row := r.cells(cells, w)
		row.Problem = joinProblems(r.formulaProblem(r.rowNum), longCell(r.header, row.Cells))
		return row, nil
	}
	if r.rowNum < r.lastRow {
		return Row{}, &FileError{Path: r.path, Row: r.rowNum + 1,
			Problem: fmt.Sprintf("sheet %q cannot be read from row %d on, though it has rows up to %d", r.format.Sheet, r.rowNum+1, r.lastRow),
			Hint:    reSave}
	}
	return Row{}, io.EOF
}

// cells is the row last read, w cells wide, as Row promises: dates as
// ISO text, and marked as dates.
func (r *xlsxReader) cells(cells []string, w int) Row {
	row := Row{Line: r.rowNum, Cells: make([]string, w)}
	for i, c := range cells {
		if strings.HasSuffix(c, dateMark) {
			c = strings.TrimSuffix(c, dateMark)
			if row.Date == nil {
				row.Date = make([]bool, w)
			}
			row.Date[i] = true
		}
		row.Cells[i] = isoDateTime(c)
	}
	return row
}

// dateMark ends the text of every date cell, so the reader knows it was a
// date (a text cell that reads like one is text): the date formats
// isoDates gives the workbook end in it. It is a private-use character,
// which no text of the user's ends in, and is taken off again.
const dateMark = "\uF8FF\uE000"

var isoStamp = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?Z?$`)

// isoDateTime turns the ISO 8601 text of a t="d" cell ("2021-01-01T10:10:10")
// into the form Row promises ("2021-01-01 10:10:10").
func isoDateTime(s string) string {
	if len(s) < 16 || s[10] != 'T' {
		return s
	}
	m := isoStamp.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	t := m[2]
	if len(t) == 5 {
		t += ":00"
	}
	if t == "00:00:00" {
		return m[1]
	}
	return m[1] + " " + t
}

// Number format kinds.
const (
	fmtNumber = iota
	fmtDate
	fmtDateTime
	fmtTime
	fmtText
)

// isoDates rewrites the workbook's cell formats so that excelize formats
// dates as ISO dates and numbers as plain decimals (115, not 115.00 or
// 1.15E+02): every cell format with a date format points at a new
// yyyy-mm-dd (or yyyy-mm-dd hh:mm:ss) format, every number or text format
// at an undefined one, for which excelize gives the stored value. Time and
// duration formats (h:mm, [h]:mm:ss) stay as they are. It returns the
// undefined format's id (0 when the workbook has no cell formats).
func isoDates(f *excelize.File) (int, error) {
	if _, err := f.GetStyle(0); err != nil && f.Styles == nil {
		return 0, err
	}
	if f.Styles == nil || f.Styles.CellXfs == nil || len(f.Styles.CellXfs.Xf) == 0 {
		return 0, nil
	}
	n := len(f.Styles.CellXfs.Xf)
	// The [$-409] locale tag changes nothing visible; without one excelize
	// searches every language it knows for each date cell it formats.
	dateID, err := customFmtID(f, `[$-409]yyyy-mm-dd"`+dateMark+`"`)
	if err != nil {
		return 0, err
	}
	dateTimeID, err := customFmtID(f, `[$-409]yyyy-mm-dd hh:mm:ss"`+dateMark+`"`)
	if err != nil {
		return 0, err
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	// A format id that is neither built in nor defined makes excelize give
	// the cell's value as stored: numbers as plain decimals.
	rawID := 163
	for ; rawID > 81; rawID-- {
		if _, ok := custom[rawID]; !ok {
			break
		}
	}
	for i := 0; i < n; i++ {
		xf := &f.Styles.CellXfs.Xf[i]
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		kind := fmtNumber
		if code, ok := custom[id]; ok {
			kind = classifyFormat(code)
		} else {
			kind = builtinKind(id)
		}
		switch kind {
		case fmtDate:
			v := dateID
			xf.NumFmtID = &v
		case fmtDateTime:
			v := dateTimeID
			xf.NumFmtID = &v
		case fmtNumber, fmtText:
			v := rawID
			xf.NumFmtID = &v
		}
	}
	return rawID, nil
}

// customFmtID registers a custom number format and returns its id.
func customFmtID(f *excelize.File, code string) (int, error) {
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return 0, err
	}
	xf := f.Styles.CellXfs.Xf[style]
	if xf.NumFmtID == nil {
		return 0, fmt.Errorf("number format %q was not registered", code)
	}
	return *xf.NumFmtID, nil
}

func builtinKind(id int) int {
	switch {
	case 14 <= id && id <= 17, 27 <= id && id <= 31, 36 <= id && id <= 36, 50 <= id && id <= 58:
		return fmtDate
	case id == 22:
		return fmtDateTime
	case 18 <= id && id <= 21, 32 <= id && id <= 35, 45 <= id && id <= 47:
		return fmtTime
	case id == 49:
		return fmtText
	}
	return fmtNumber
}

// classifyFormat tells what a custom number format code shows, from its
// first section with quoted text, [..] parts and escapes removed.
func classifyFormat(code string) int {
	var b strings.Builder
	inQuote, inBracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case inBracket:
			if c == ']' {
				inBracket = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\', c == '_', c == '*':
			i++ // the next character is literal, or padding
		case c == ';':
			i = len(code) // only the first section
		default:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	s := b.String()
	if s == "general" {
		return fmtNumber
	}
	hasTime := strings.ContainsAny(s, "hs")
	// m is a month unless it stands beside hours or seconds (h:mm, mm:ss).
	hasDate := strings.ContainsAny(s, "yd") || (!hasTime && strings.Contains(s, "m"))
	switch {
	case hasDate && hasTime:
		return fmtDateTime
	case hasDate:
		return fmtDate
	case hasTime:
		return fmtTime
	case strings.Contains(s, "@"):
		return fmtText
	}
	return fmtNumber
}

// xmlInMemoryLimit is the size above which excelize keeps a part of the
// workbook (the sheet, the shared strings) in a temporary file instead of
// decoding it in memory: it keeps memory flat on large sheets.
const xmlInMemoryLimit = 1 << 20
