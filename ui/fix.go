package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sbimport/sbimport/sheet"
)

// fix is one cell corrected in the page.
type fix struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Value  string `json:"value"`
}

// fixable are the statuses whose rows may be corrected and sent again.
var fixable = []string{"", "failed", "invalid", "skipped"}

// handleFix writes cells corrected in the page into the output sheet, as
// a person would in Excel, before its failed rows are sent again. Only
// the sheet's own columns of rows not created (nor unknown) change.
func (s *Server) handleFix(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Fixes []fix `json:"fixes"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	// Held for the whole fix: no plan or send (from another tab) can start
	// on the output while it is read, changed and written back.
	s.mu.Lock()
	defer s.mu.Unlock()
	rn := s.st.run
	if rn == nil || rn.running() {
		writeError(w, http.StatusConflict, "There is nothing to fix yet: the import has not finished.")
		return
	}
	ls, err := readSheet(rn.output, rn.name, sheet.Options{Sheet: rn.plan.Sheet, HeaderRow: rn.header})
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, s.inside(err.Error()))
		return
	}
	if err := applyFixes(ls, req.Fixes); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := writeSheet(rn.output, ls); err != nil {
		writeError(w, http.StatusInternalServerError, s.inside(err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": fmt.Sprintf("%d %s saved to %s.", len(req.Fixes), map[bool]string{true: "fix", false: "fixes"}[len(req.Fixes) == 1], rn.name)})
}

func applyFixes(ls *loadedSheet, fixes []fix) error {
	col := map[string]int{}
	for i, h := range ls.header {
		col[h] = i
	}
	status, hasStatus := col["sb_status"]
	byLine := map[int]*sheet.Row{}
	for i := range ls.rows {
		byLine[ls.rows[i].Line] = &ls.rows[i]
	}
	for _, f := range fixes {
		row, ok := byLine[f.Line]
		c, known := col[f.Column]
		switch {
		case !ok:
			return fmt.Errorf("row %d is not in the output sheet", f.Line)
		case !known || strings.HasPrefix(strings.ToLower(f.Column), "sb_"):
			return fmt.Errorf("column %q cannot be corrected here (only the sheet's own columns can)", f.Column)
		case hasStatus && !slices.Contains(fixable, row.Cells[status]):
			return fmt.Errorf("row %d is %s: only rows not created can be corrected", f.Line, row.Cells[status])
		}
		row.Cells[c] = f.Value
	}
	return nil
}

// writeSheet writes a sheet back in its own format, atomically.
func writeSheet(path string, ls *loadedSheet) error {
	w, err := sheet.Create(path, ls.header, ls.format, ls.top)
	if err != nil {
		return err
	}
	for _, r := range ls.rows {
		if err := w.Write(r); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Commit(nil)
}
