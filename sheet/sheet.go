// Package sheet reads and writes the rows of CSV and XLSX files, streaming:
// neither side holds the whole sheet in memory.
package sheet

// Row is one data row of a sheet, as the user sees it.
type Row struct {
	// Line is the row number a user would look for: the row number in an
	// XLSX sheet; in a CSV, the row a spreadsheet shows the record on
	// (blank lines are rows, a record with line breaks in a value is one
	// row, Excel's "sep=;" line is none).
	Line int
	// Cells holds the row's values as text, padded with "" to the header's
	// width. XLSX dates are ISO (YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS when
	// the cell has a time), numbers are plain decimals (115, not 115.0 or
	// 1.15E2).
	Cells []string
	// Problem, when not empty, says why the row cannot be used as it is
	// (a ragged CSV row, a formula without a cached value). Such a row is
	// reported invalid and never sent.
	Problem string
	// Date marks the cells that were dates (or dates with a time) in an
	// XLSX sheet: Date[i] for Cells[i]. nil when none was (always in CSV).
	// An XLSX writer writes such a cell as a date again.
	Date []bool
}

// IsDate says whether cell i of r was a date.
func (r Row) IsDate(i int) bool { return i < len(r.Date) && r.Date[i] }

// Top is what a sheet holds above its data rows: the header's row number
// and the rows above it, so an output sheet can put them where they were
// and every row keeps its number.
type Top struct {
	// HeaderLine is the header's row (see Row.Line); 0 means 1.
	HeaderLine int
	// Titles are the rows above the header, in order, each with its
	// Line: in XLSX those that hold something, in CSV every record, a
	// blank one like ";;" too (blank lines are no records: a writer
	// leaves the rows between empty).
	Titles []Row
}

// Reader yields a sheet's header and then its data rows in order.
// Blank rows are skipped.
type Reader interface {
	// Header is the header row, each name trimmed.
	Header() []string
	// Next returns the next data row, or io.EOF after the last.
	Next() (Row, error)
	// Format describes what was read, so the output can match it.
	Format() Format
	// Top is the header's row and the title rows above it.
	Top() Top
	Close() error
}

// Format describes a file's format as read, or as it is to be written.
type Format struct {
	Kind      string // "csv" or "xlsx"
	Delimiter rune   // csv: ',', ';', '\t' or '|'
	Encoding  string // csv: "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252"
	Sheet     string // xlsx: the sheet's name
	SepLine   bool   // csv: the file starts with Excel's "sep=;" line
}

// Options tell Open how to read a file; zero values mean "detect".
type Options struct {
	Sheet string // xlsx: sheet name; "" = the first visible sheet
	// HeaderRow is the 1-based row of the header, as a spreadsheet shows
	// it; 0 = 1. In a CSV, row 1 is the first record, after any blank
	// lines.
	HeaderRow int
	Delimiter rune   // csv: 0 = detect
	Encoding  string // csv: "" = detect; "utf-8", "windows-1252", "utf-16"
}

// Writer writes an output sheet to a temporary file beside its target;
// Commit makes it appear at the target atomically, Abort removes it.
type Writer interface {
	// Write appends one row: at row.Line when that is below the row
	// written last (the rows between are left empty, as the blank rows
	// of the input were), else right below it. The header was given to
	// Create.
	Write(row Row) error
	// Commit finishes the file (in XLSX with a "Summary" sheet holding
	// summary, a table of rows), syncs it, renames it over the target
	// path and syncs the folder. When the target cannot be replaced
	// because another program holds it open (Excel on Windows), Commit
	// returns a *LockedFileError and keeps the finished file: Commit may
	// then be called again, or Abort.
	Commit(summary [][]string) error
	// Abort removes the temporary file; the target is left untouched.
	Abort() error
}
