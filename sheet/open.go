package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/richardlehane/mscfb"
	"github.com/xuri/excelize/v2"
)

// FileError says why a file cannot be read at all, and what to do about it.
type FileError struct {
	Path    string // the file as the user named it
	Problem string // what is wrong, e.g. "is an old Excel 97-2003 workbook (.xls)"
	Hint    string // what to do, e.g. "open it in Excel and save it as .xlsx"
	Row     int    // the row the problem is at, as the user sees it; 0 = none
	// Fix names the reading option that mends it, if one does: a caller
	// turns it into its own words (a flag, a control on a page).
	Fix Fix
}

// Fix is a reading option that mends a FileError.
type Fix int

const (
	FixNone      Fix = iota
	FixSheet         // read another sheet (Options.Sheet)
	FixHeaderRow     // read the header from another row (Options.HeaderRow)
	FixDelimiter     // say the delimiter (Options.Delimiter)
	FixEncoding      // say the encoding (Options.Encoding)
)

func (e *FileError) Error() string {
	sep := ": "
	if strings.HasPrefix(e.Problem, "is ") || strings.HasPrefix(e.Problem, "has ") {
		sep = " " // "kunder.csv is empty", not "kunder.csv: is empty"
	}
	if e.Hint == "" {
		return e.Path + sep + e.Problem
	}
	return e.Path + sep + e.Problem + "; " + e.Hint
}

var (
	magicZip  = []byte("PK\x03\x04")
	magicOLE2 = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Open opens a CSV or XLSX file for reading, choosing by its content and
// extension, and reads its header row. Files that cannot be read (old .xls,
// .ods, .numbers, password-protected or damaged workbooks, empty files, an
// empty or ambiguous header row) give a *FileError that says what to do.
func Open(path string, opt Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &FileError{Path: path, Problem: "no such file", Hint: "check the path and the file name"}
		}
		if errors.Is(err, fs.ErrPermission) {
			return nil, &FileError{Path: path, Problem: "permission denied", Hint: "check that you may read the file"}
		}
		return nil, &FileError{Path: path, Problem: "cannot be opened (" + err.Error() + ")", Hint: "check the path"}
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		return nil, &FileError{Path: path, Problem: "is a folder, not a file", Hint: "give the path of a .csv or .xlsx file"}
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if n == 0 {
		f.Close()
		return nil, &FileError{Path: path, Problem: "is empty", Hint: "check that you picked the right file, and that it was saved completely"}
	}
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, magicOLE2):
		// Both an old .xls and a password-protected .xlsx are OLE2 files:
		// their streams tell them apart, whatever the file is called.
		kind := oleKind(f)
		f.Close()
		switch {
		case kind == "encrypted", kind == "" && (ext == ".xlsx" || ext == ".xlsm"):
			return nil, &FileError{Path: path, Problem: "is password-protected (encrypted)",
				Hint: "open it in Excel, remove the password (File > Info > Protect Workbook) and save it again"}
		}
		return nil, errOldXLS(path)
	case bytes.HasPrefix(head, magicZip):
		f.Close()
		if fe := checkZipKind(path, ext); fe != nil {
			return nil, fe
		}
		return openXLSX(path, opt)
	}
	switch ext {
	case ".xls":
		f.Close()
		return nil, errOldXLS(path)
	case ".xlsx", ".xlsm":
		f.Close()
		return nil, &FileError{Path: path, Problem: "is not a real .xlsx workbook (it is not a zip archive)",
			Hint: "open it in Excel or LibreOffice and save it again as .xlsx or .csv"}
	case ".ods":
		f.Close()
		return nil, errODS(path)
	case ".numbers":
		f.Close()
		return nil, errNumbers(path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, &FileError{Path: path, Problem: "cannot be read (" + err.Error() + ")", Hint: "check the file"}
	}
	return openCSV(path, f, opt)
}

// oleKind looks at the streams of an OLE2 file: "encrypted" for a
// password-protected OOXML workbook, "xls" for an Excel 97-2003 one, ""
// when it cannot tell.
func oleKind(f *os.File) string {
	r, err := mscfb.New(f)
	if err != nil {
		return ""
	}
	for e, err := r.Next(); err == nil; e, err = r.Next() {
		switch e.Name {
		case "EncryptionInfo", "EncryptedPackage":
			return "encrypted"
		case "Workbook", "Book":
			return "xls"
		}
	}
	return ""
}

func errOldXLS(path string) error {
	return &FileError{Path: path, Problem: "is an old Excel 97-2003 workbook (.xls), which is not supported",
		Hint: "open it in Excel and save it as .xlsx (File > Save As > Excel Workbook) or as CSV UTF-8"}
}

func errODS(path string) error {
	return &FileError{Path: path, Problem: "is an OpenDocument spreadsheet (.ods), which is not supported",
		Hint: "save it as .xlsx or .csv from LibreOffice: File > Save As"}
}

func errNumbers(path string) error {
	return &FileError{Path: path, Problem: "is an Apple Numbers file, which is not supported",
		Hint: "export it from Numbers as Excel (.xlsx) or CSV: File > Export To"}
}

// checkZipKind tells OpenDocument and Numbers files, which are zip
// archives too, from OOXML workbooks.
func checkZipKind(path, ext string) error {
	switch ext {
	case ".ods":
		return errODS(path)
	case ".numbers":
		return errNumbers(path)
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		return errDamaged(path)
	}
	defer z.Close()
	hasContentTypes := false
	for _, zf := range z.File {
		switch {
		case zf.Name == "mimetype":
			rc, err := zf.Open()
			if err == nil {
				b, _ := io.ReadAll(io.LimitReader(rc, 200))
				rc.Close()
				if bytes.Contains(b, []byte("opendocument")) {
					return errODS(path)
				}
			}
		case strings.HasPrefix(zf.Name, "Index/") && strings.HasSuffix(zf.Name, ".iwa"):
			return errNumbers(path)
		case zf.Name == "[Content_Types].xml":
			hasContentTypes = true
		}
	}
	if !hasContentTypes {
		return &FileError{Path: path, Problem: "is a zip archive but not an Excel workbook",
			Hint: "give a .xlsx or .csv file; if it is a workbook, open it in Excel and save it again as .xlsx"}
	}
	return nil
}

func errDamaged(path string) error {
	return &FileError{Path: path, Problem: "is damaged or not a complete .xlsx workbook",
		Hint: "open it in Excel or LibreOffice, let it repair the file, and save it again as .xlsx"}
}

// colName is the spreadsheet letter of a 0-based column index: A, B, … Z,
// AA (excelize's, the one column-letter rule of the project).
func colName(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprintf("column %d", i+1) // past XFD, Excel's last
	}
	return s
}

// MaxColumns is the most named columns a sheet's header may have. Every
// row is read as wide as the header, so a hostile sheet naming all 16,384
// columns of a workbook would take minutes to read; no customer list comes
// near it.
const MaxColumns = 2000

// checkHeader trims the header, drops empty names after the last named
// column, and refuses empty or duplicate names, and more than MaxColumns.
// where is e.g. "header row 1" or "header row 3 of sheet \"Kunder\"".
func checkHeader(path, where string, raw []string) ([]string, error) {
	h := make([]string, len(raw))
	for i, s := range raw {
		h[i] = strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
	}
	last := len(h) - 1
	for last >= 0 && h[last] == "" {
		last--
	}
	h = h[:last+1]
	if len(h) == 0 {
		return nil, &FileError{Path: path, Problem: where + " is empty",
			Hint: "put the column names in the first row, or say which row holds them", Fix: FixHeaderRow}
	}
	if len(h) > MaxColumns {
		return nil, &FileError{Path: path,
			Problem: fmt.Sprintf("%s has %d named columns; sbimport reads at most %d", where, len(h), MaxColumns),
			Hint:    "delete the columns the mapping does not use, or save a copy with only those"}
	}
	var empty []string
	seen := make(map[string]int, len(h))
	for i, name := range h {
		if name == "" {
			empty = append(empty, colName(i))
			continue
		}
		key := strings.ToLower(name)
		if j, ok := seen[key]; ok {
			return nil, &FileError{Path: path,
				Problem: fmt.Sprintf("%s has two columns named %q (%s and %s)", where, name, colName(j), colName(i)),
				Hint:    "rename one"}
		}
		seen[key] = i
	}
	if len(empty) > 0 {
		what := "column " + empty[0] + " has"
		if len(empty) > 1 {
			what = "columns " + strings.Join(empty, ", ") + " have"
		}
		return nil, &FileError{Path: path,
			Problem: fmt.Sprintf("%s: %s no name", where, what),
			Hint:    "give every column a name in the header row, or delete the empty column"}
	}
	return h, nil
}
