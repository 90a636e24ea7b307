package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/sheet"
)

// loadedSheet is the sheet the page works on, read whole for the preview.
type loadedSheet struct {
	path   string // in the private folder
	name   string // as the user named it
	opts   sheet.Options
	format sheet.Format
	header []string
	top    sheet.Top // the header's row and the title rows above it
	rows   []sheet.Row
	sheets []string // xlsx: the visible sheets
}

// sheetInfo is what the page shows of a sheet.
type sheetInfo struct {
	Name      string     `json:"name"`
	Kind      string     `json:"kind"`
	Encoding  string     `json:"encoding,omitempty"`
	Delimiter string     `json:"delimiter,omitempty"`
	Sheet     string     `json:"sheet,omitempty"`
	Sheets    []string   `json:"sheets,omitempty"`
	HeaderRow int        `json:"headerRow"` // detected on upload: see importer.LikelyHeaderRow
	Header    []string   `json:"header"`
	Rows      int        `json:"rows"`
	RowsText  string     `json:"rowsText"`
	First     []firstRow `json:"first"`
	IsResult  bool       `json:"isResult"`
}

type firstRow struct {
	Line    int      `json:"line"`
	Cells   []string `json:"cells"`
	Problem string   `json:"problem,omitempty"`
}

const firstRows = 20

func (ls *loadedSheet) info() sheetInfo {
	in := sheetInfo{Name: ls.name, Kind: ls.format.Kind, Encoding: ls.format.Encoding, Delimiter: delimiterName(ls.format.Delimiter),
		Sheet: ls.format.Sheet, Sheets: ls.sheets, HeaderRow: max(ls.opts.HeaderRow, 1), Header: ls.header,
		Rows: len(ls.rows), RowsText: explain.Thousands(len(ls.rows)) + " rows", First: []firstRow{}}
	if len(ls.rows) == 1 {
		in.RowsText = "1 row"
	}
	for _, h := range ls.header {
		if strings.EqualFold(h, "sb_status") {
			in.IsResult = true
		}
	}
	for _, r := range ls.rows[:min(firstRows, len(ls.rows))] {
		in.First = append(in.First, firstRow{Line: r.Line, Cells: r.Cells, Problem: r.Problem})
	}
	return in
}

func delimiterName(r rune) string {
	switch r {
	case 0:
		return ""
	case '\t':
		return "tab"
	}
	return string(r)
}

// readSheet reads a whole sheet with the options given.
func readSheet(path, name string, opts sheet.Options) (*loadedSheet, error) {
	r, err := sheet.Open(path, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ls := &loadedSheet{path: path, name: name, opts: opts, format: r.Format(), header: r.Header(), top: r.Top()}
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		ls.rows = append(ls.rows, row)
	}
	if ls.format.Kind == "xlsx" {
		ls.sheets = visibleSheets(path)
	}
	return ls, nil
}

func visibleSheets(path string) []string {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	for _, n := range f.GetSheetList() {
		if v, err := f.GetSheetVisible(n); err == nil && v {
			out = append(out, n)
		}
	}
	return out
}

// handleUpload takes a sheet (multipart field "file") into the private
// folder and reads it with everything detected.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	path, name, err := s.receiveFile(w, r, "sheet")
	if err != nil {
		uploadError(w, err, s.opts.MaxUpload)
		return
	}
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".yaml" || ext == ".yml" {
		writeError(w, http.StatusUnprocessableEntity, name+" looks like a mapping file, not a sheet: choose the CSV or XLSX sheet here, and load the mapping in step 2.")
		return
	}
	opts := sheet.Options{HeaderRow: 1}
	var first []string // row 1's names; none when row 1 cannot be a header
	if r, err := sheet.Open(path, opts); err == nil {
		first = r.Header()
		r.Close()
	}
	opts.HeaderRow = max(importer.LikelyHeaderRow(path, opts, first).Row, 1)
	s.loadSheet(w, path, name, opts)
}

// handleFormat reads the sheet again with the page's choices.
func (s *Server) handleFormat(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Delimiter string `json:"delimiter"`
		Encoding  string `json:"encoding"`
		Sheet     string `json:"sheet"`
		HeaderRow int    `json:"headerRow"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	s.mu.Lock()
	cur := s.st.sheet
	s.mu.Unlock()
	if cur == nil {
		writeError(w, http.StatusConflict, "Choose a sheet first.")
		return
	}
	opts := sheet.Options{Sheet: req.Sheet, HeaderRow: max(req.HeaderRow, 1), Encoding: req.Encoding}
	switch req.Delimiter {
	case "", ",", ";", "|":
		if req.Delimiter != "" {
			opts.Delimiter = rune(req.Delimiter[0])
		}
	case "tab":
		opts.Delimiter = '\t'
	default:
		writeError(w, http.StatusBadRequest, "The delimiter must be , ; tab or |.")
		return
	}
	s.loadSheet(w, cur.path, cur.name, opts)
}

func (s *Server) loadSheet(w http.ResponseWriter, path, name string, opts sheet.Options) {
	ls, err := readSheet(path, name, opts)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, s.inside(err.Error()))
		return
	}
	s.mu.Lock()
	if s.st.run != nil && s.st.run.running() {
		s.mu.Unlock()
		writeError(w, http.StatusConflict, busyWords)
		return
	}
	s.st.sheet = ls
	s.closePrepared()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, ls.info())
}

// receiveFile stores the multipart field "file" in a new folder inside the
// private one, under the user's file name.
func (s *Server) receiveFile(w http.ResponseWriter, r *http.Request, kind string) (path, name string, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+64<<10)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	if hdr.Size > s.opts.MaxUpload {
		return "", "", &http.MaxBytesError{Limit: s.opts.MaxUpload}
	}
	name = cleanName(hdr.Filename)
	dir, err := os.MkdirTemp(s.dir, kind+"-")
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, name)
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", "", err
	}
	if _, err := io.Copy(out, io.LimitReader(f, s.opts.MaxUpload+1)); err != nil {
		out.Close()
		return "", "", err
	}
	return path, name, out.Close()
}

// cleanName keeps a file name's base, safe for any folder.
func cleanName(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, "\\", "/"))
	n = strings.Map(func(r rune) rune {
		if r < 32 || r == '/' || r == 0x7f {
			return -1
		}
		return r
	}, n)
	if n == "" || n == "." || n == ".." {
		return "upload"
	}
	return n
}

func uploadError(w http.ResponseWriter, err error, limit int64) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d MB, the most this page accepts. Split the sheet into smaller files, or use sbimport run from the command line.", limit>>20))
		return
	}
	writeError(w, http.StatusBadRequest, "The file could not be received: "+err.Error())
}

// inside turns the private folder's paths in a message into bare file
// names: the page names files as the user does.
func (s *Server) inside(msg string) string {
	for _, d := range []string{s.dir + string(filepath.Separator), s.dir} {
		for strings.Contains(msg, d) {
			i := strings.Index(msg, d)
			rest := msg[i+len(d):]
			// drop the upload folder too: sheet-123/kunder.xlsx → kunder.xlsx
			if j := strings.IndexRune(rest, filepath.Separator); j >= 0 && !strings.ContainsAny(rest[:j], " \"'") {
				rest = rest[j+1:]
			}
			msg = msg[:i] + rest
		}
	}
	return msg
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "The request could not be read: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
