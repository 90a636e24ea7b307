package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

func writeEvent(w io.Writer, event string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
	return err
}

func baseName(p string) string { return filepath.Base(p) }

// resultRow is one row of the output sheet.
type resultRow struct {
	Line   int      `json:"line"`
	Cells  []string `json:"cells"`
	Status string   `json:"status"`
	ID     string   `json:"id,omitempty"`
	Links  []link   `json:"links,omitempty"`
	Error  string   `json:"error,omitempty"`
}

type link struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// finished is the last run once it is over, or nil.
func (s *Server) finished() *run {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.run == nil || s.st.run.running() {
		return nil
	}
	return s.st.run
}

// handleResults reads the output sheet the run wrote: every row with its
// status, id, links and error.
func (s *Server) handleResults(w http.ResponseWriter, r *http.Request) {
	rn := s.finished()
	if rn == nil {
		writeError(w, http.StatusConflict, "There are no results yet: the import has not finished.")
		return
	}
	rd, err := sheet.Open(rn.output, sheet.Options{Sheet: rn.plan.Sheet, HeaderRow: rn.header})
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, s.inside(err.Error()))
		return
	}
	defer rd.Close()
	header := rd.Header()
	col := map[string]int{}
	var user []int
	for i, h := range header {
		if strings.HasPrefix(h, "sb_") {
			col[h] = i
		} else {
			user = append(user, i)
		}
	}
	var names []string
	for _, i := range user {
		names = append(names, header[i])
	}
	var rows []resultRow
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, s.inside(err.Error()))
			return
		}
		rows = append(rows, resultOf(row, user, col))
	}
	writeJSON(w, http.StatusOK, map[string]any{"header": names, "rows": rows, "output": rn.name})
}

func resultOf(row sheet.Row, user []int, col map[string]int) resultRow {
	get := func(name string) string {
		if i, ok := col[name]; ok && i < len(row.Cells) {
			return row.Cells[i]
		}
		return ""
	}
	rr := resultRow{Line: row.Line, Status: get("sb_status"), ID: get("sb_id"), Error: get("sb_error")}
	if rr.Status == "" {
		rr.Status = "new"
	}
	for _, i := range user {
		rr.Cells = append(rr.Cells, row.Cells[i])
	}
	for _, l := range []struct{ name, col string }{{"edit", "sb_link_edit"}, {"customer view", "sb_link_customer_view"}} {
		if u := get(l.col); u != "" && salesbyte.IsLink(u) {
			rr.Links = append(rr.Links, link{l.name, u})
		}
	}
	return rr
}

// handleOutput downloads the output sheet: the file the command line
// writes.
func (s *Server) handleOutput(w http.ResponseWriter, r *http.Request) {
	rn := s.finished()
	if rn == nil {
		writeError(w, http.StatusConflict, "There is no output yet: the import has not finished.")
		return
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rn.name}))
	ct := "text/csv; charset=utf-8"
	if strings.EqualFold(filepath.Ext(rn.name), ".xlsx") {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	http.ServeFile(w, r, rn.output)
}

// handleResend makes the output sheet the sheet to import: its failed
// rows (and those not sent) are sent again, its created rows are kept,
// as `sbimport run -i <output>` does.
func (s *Server) handleResend(w http.ResponseWriter, r *http.Request) {
	rn := s.finished()
	if rn == nil {
		writeError(w, http.StatusConflict, "There is nothing to send again yet: the import has not finished.")
		return
	}
	ls, err := readSheet(rn.output, rn.name, sheet.Options{Sheet: rn.plan.Sheet, HeaderRow: rn.header})
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, s.inside(err.Error()))
		return
	}
	s.mu.Lock()
	s.st.sheet = ls
	s.closePrepared()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, ls.info())
}

// handleState is what a page opened (or reopened) needs to pick up where
// things are: the sheet, and the run if there is one.
func (s *Server) handleState(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ls, rn, m := s.st.sheet, s.st.run, s.st.mapping
	s.mu.Unlock()
	out := map[string]any{"maxUploadMB": s.opts.MaxUpload >> 20, "uuidFromEnv": s.opts.Getenv("SALESBYTE_UUID") != ""}
	if ls != nil {
		out["sheet"] = ls.info()
	}
	if m != nil {
		out["mapping"] = m
	}
	if rn != nil {
		out["run"] = s.progressOf(rn)
	}
	writeJSON(w, http.StatusOK, out)
}
