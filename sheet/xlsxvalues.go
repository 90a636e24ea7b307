package sheet

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// cellValues gives a cell's text as excelize's Rows.Columns does for the
// workbook as isoDates left it. Most cells have a style whose number
// format gives the value as stored (isoDates made it so); for those the
// text is worked out here. A date or time cell is given to excelize to
// format, on a scratch sheet of the workbook (never saved), and the result
// kept for the next cell with the same style and value.
type cellValues struct {
	sst     *sharedStrings
	asIs    []bool // per cell style: its number format gives the value as stored
	f       *excelize.File
	scratch string
	cache   map[styledValue]string
}

type styledValue struct {
	style int
	value string
}

// maxFormatCache bounds the formatted values kept.
const maxFormatCache = 1 << 14

func newCellValues(f *excelize.File, sst *sharedStrings, rawID int, sheets []string) (*cellValues, error) {
	v := &cellValues{sst: sst, f: f, cache: make(map[styledValue]string)}
	if f.Styles != nil && f.Styles.CellXfs != nil {
		v.asIs = make([]bool, len(f.Styles.CellXfs.Xf))
		for i, xf := range f.Styles.CellXfs.Xf {
			v.asIs[i] = xf.NumFmtID != nil && *xf.NumFmtID == rawID
		}
	}
	v.scratch = "sbimport scratch"
	for i := 2; containsFold(sheets, v.scratch); i++ {
		v.scratch = "sbimport scratch " + strconv.Itoa(i)
	}
	if _, err := f.NewSheet(v.scratch); err != nil {
		return nil, err
	}
	return v, nil
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// plain says whether excelize gives cells of style s as stored.
func (v *cellValues) plain(s int) bool {
	return s == 0 || s < 0 || s >= len(v.asIs) || v.asIs[s]
}

// value is the cell's text.
func (v *cellValues) value(c *rawCell) string {
	switch c.typ {
	case "str":
		return c.v
	case "b":
		switch c.v {
		case "1":
			return "TRUE"
		case "0":
			return "FALSE"
		}
		return v.text(c.style, c.v)
	case "s":
		if c.v == "" {
			return v.text(c.style, "")
		}
		i, _ := strconv.Atoi(strings.TrimSpace(c.v))
		s, ok := v.sst.get(i)
		if !ok {
			return ""
		}
		return v.text(c.style, s)
	case "inlineStr":
		if c.hasIS {
			return v.text(c.style, c.is)
		}
		return v.text(c.style, c.v)
	case "d":
		if serial, ok := isoSerial(c.v); ok {
			return v.number(c.style, serial)
		}
		// not ISO: excelize formats it as it stands, a number as a number
		return v.number(c.style, c.v)
	}
	return v.number(c.style, storedNumber(c.v))
}

// text is a text value of style s. A number format changes text only by
// its text section, which puts the text where its @ is: the text is put
// where excelize put a placeholder.
func (v *cellValues) text(s int, t string) string {
	if v.plain(s) {
		return t
	}
	return strings.ReplaceAll(v.formatted(s, textPlaceholder), textPlaceholder, t)
}

// textPlaceholder is a text no number format changes, and no cell holds.
const textPlaceholder = "\uE001sbimport\uE002"

// number is a number cell's value (as storedNumber gave it) of style s.
func (v *cellValues) number(s int, n string) string {
	if v.plain(s) {
		return n
	}
	if !looksNumeric(n) {
		return v.text(s, n)
	}
	return v.formatted(s, n)
}

// formatted asks excelize for the text of value in style s.
func (v *cellValues) formatted(s int, value string) string {
	key := styledValue{s, value}
	if out, ok := v.cache[key]; ok {
		return out
	}
	out, err := v.format(s, value)
	if err != nil {
		return value
	}
	if len(v.cache) >= maxFormatCache {
		clear(v.cache)
	}
	v.cache[key] = out
	return out
}

func (v *cellValues) format(s int, value string) (string, error) {
	if err := v.f.SetCellDefault(v.scratch, "A1", value); err != nil {
		return "", err
	}
	if err := v.f.SetCellStyle(v.scratch, "A1", "A1", s); err != nil {
		return "", err
	}
	return v.f.GetCellValue(v.scratch, "A1")
}

// looksNumeric says whether excelize takes s for a number (and
// SetCellDefault stores it as one).
func looksNumeric(s string) bool {
	if strings.Contains(s, "_") {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// storedNumber is a number cell's value as excelize gives it: as a plain
// decimal, and to 15 significant digits when it has more.
func storedNumber(s string) string {
	if strings.Contains(s, "_") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	plain := strconv.FormatFloat(f, 'f', -1, 64)
	digits := len(plain) - strings.Count(plain, ".")
	if digits > 15 && !within15(s) {
		return strconv.FormatFloat(f, 'G', 15, 64)
	}
	return plain
}

// within15 says whether s is an integer with at most 15 significant
// digits before its trailing zeros.
func within15(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}

// Excel's day 0 and the day its serials are off by one from (it counts a
// 29 February 1900 that never was).
var (
	excelDayZero = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	excelLeapBug = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
)

// isoSerial turns the ISO text of a t="d" cell into the Excel serial
// excelize makes of it, for the forms excelize reads; others stay text.
func isoSerial(s string) (string, bool) {
	layout := "20060102T150405.999"
	if strings.HasSuffix(s, "Z") {
		layout = "20060102T150405Z"
		if strings.Contains(s, "-") {
			layout = "2006-01-02T15:04:05Z"
		}
	} else if strings.Contains(s, "-") {
		layout = "2006-01-02 15:04:05Z"
	}
	t, err := time.Parse(layout, strings.ReplaceAll(s, ",", "."))
	if err != nil {
		return "", false
	}
	serial := 0.0
	if !t.Before(excelDayZero) {
		const day = 24 * time.Hour
		days := (t.Unix() - excelDayZero.Unix()) / 86400
		rem := t.Sub(excelDayZero.AddDate(0, 0, int(days)))
		serial = float64(days) + float64(rem)/float64(day)
		if !t.Before(excelLeapBug) {
			serial++
		}
	}
	return strconv.FormatFloat(serial, 'G', 15, 64), true
}

// sharedStrings is a workbook's table of text values: in memory up to
// sstMemoryLimit bytes of text, beyond that in a temporary file.
type sharedStrings struct {
	mem  []byte
	ends []int64 // string i ends at ends[i]; it starts where i-1 ends
	file *os.File
	w    *bufio.Writer
	size int64
	// unlinked says the file was removed as soon as it was made (where an
	// open file can be), so nothing is left if the process is killed.
	unlinked bool
	// err is the first string that could not be read back from the file.
	err error
}

// sstMemoryLimit is the text a table of text values may hold in memory.
var sstMemoryLimit = 32 << 20

// loadSharedStrings reads the table of text values of part, which may be
// nil (a workbook without one).
func loadSharedStrings(part *zip.File) (*sharedStrings, error) {
	t := &sharedStrings{}
	if part == nil {
		return t, nil
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	x := newXMLScan(rc)
	for {
		kind, err := x.next(false)
		if err == io.EOF {
			return t, t.finish()
		}
		if err != nil {
			t.Close()
			return nil, err
		}
		if kind != tokTag {
			continue
		}
		if x.tag.ends("sst") {
			return t, t.finish()
		}
		if !x.tag.is("si") {
			continue
		}
		s := ""
		if !x.tag.empty {
			if s, err = readSI(x, "si"); err != nil {
				t.Close()
				return nil, err
			}
		}
		if err := t.add(s); err != nil {
			t.Close()
			return nil, err
		}
	}
}

func (t *sharedStrings) add(s string) error {
	if t.file == nil && len(t.mem)+len(s) > sstMemoryLimit {
		if err := t.spill(); err != nil {
			return err
		}
	}
	if t.file != nil {
		if _, err := t.w.WriteString(s); err != nil {
			return err
		}
	} else {
		t.mem = append(t.mem, s...)
	}
	t.size += int64(len(s))
	t.ends = append(t.ends, t.size)
	return nil
}

// spill moves the strings to a temporary file, private to the user, and
// removed at once where an open file can be (not on Windows; there Close
// removes it).
func (t *sharedStrings) spill() error {
	f, err := os.CreateTemp("", "sbimport-strings-")
	if err != nil {
		return err
	}
	t.file, t.w = f, bufio.NewWriterSize(f, 1<<16)
	t.unlinked = os.Remove(f.Name()) == nil
	if _, err := t.w.Write(t.mem); err != nil {
		return err
	}
	t.mem = nil
	return nil
}

func (t *sharedStrings) finish() error {
	if t.w != nil {
		return t.w.Flush()
	}
	return nil
}

// get is string i, and whether there is one.
func (t *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := int64(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	end := t.ends[i]
	if t.file == nil {
		return string(t.mem[start:end]), true
	}
	buf := make([]byte, end-start)
	if _, err := t.file.ReadAt(buf, start); err != nil {
		// excelize gives the index as the text; that would be sent as the
		// customer's value.
		if t.err == nil {
			t.err = fmt.Errorf("text value %d cannot be read back from its temporary file (%w)", i, err)
		}
		return "", true
	}
	return string(buf), true
}

func (t *sharedStrings) Close() error {
	if t.file != nil {
		name := t.file.Name()
		err := t.file.Close()
		if !t.unlinked {
			os.Remove(name)
		}
		t.file = nil
		return err
	}
	return nil
}

var errNoSheetPart = errors.New("the sheet's part is not where the workbook says")

// openRows opens the rows of sheet: read by fastRows, or by excelize when
// the sheet's part is not where fastRows looks for it.
func openRows(path string, f *excelize.File, sheet string, rawID int, sheets []string) (rowSource, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	rows, err := openFastRows(zr, f, sheet, rawID, sheets)
	if errors.Is(err, errNoSheetPart) {
		zr.Close()
		return openExcelizeRows(f, sheet)
	}
	if err != nil {
		zr.Close()
		return nil, err
	}
	return rows, nil
}

// openFastRows opens the rows of sheet from the workbook's zip; closing
// them closes the zip.
func openFastRows(zr *zip.ReadCloser, f *excelize.File, sheet string, rawID int, sheets []string) (*fastRows, error) {
	files := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		files[strings.TrimPrefix(zf.Name, "/")] = zf
	}
	parts, err := sheetParts(files)
	if err != nil {
		return nil, err
	}
	part := files[parts[sheet]]
	if part == nil {
		return nil, errNoSheetPart
	}
	sst, err := loadSharedStrings(files[sharedStringsPath(files)])
	if err != nil {
		return nil, fmt.Errorf("its text values cannot be read: %w", err)
	}
	vals, err := newCellValues(f, sst, rawID, sheets)
	if err != nil {
		sst.Close()
		return nil, err
	}
	rc, err := part.Open()
	if err != nil {
		sst.Close()
		return nil, err
	}
	return &fastRows{rc: rc, x: newXMLScan(rc), vals: vals, zr: zr}, nil
}

// excelizeRows reads a sheet's rows with excelize's Rows.
type excelizeRows struct {
	rows  *excelize.Rows
	num   int
	width int
}

func (r *excelizeRows) limit(w int) { r.width = w }

func openExcelizeRows(f *excelize.File, sheet string) (*excelizeRows, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	return &excelizeRows{rows: rows}, nil
}

// next yields every row number, the sheet's or not, as excelize does.
func (r *excelizeRows) next() (int, []string, error) {
	if r.rows.Next() {
		r.num++
		cells, err := r.rows.Columns()
		if r.width > 0 && len(cells) > r.width {
			cells = cells[:r.width]
		}
		return r.num, cells, err
	}
	if err := r.rows.Error(); err != nil {
		return 0, nil, err
	}
	return 0, nil, io.EOF
}

func (r *excelizeRows) Close() error { return r.rows.Close() }
