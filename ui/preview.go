package ui

import (
	"fmt"
	"net/http"

	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/sheet"
)

// rowCheck is one row as the preview judges it. Valid rows carry only
// their line, so the page holds every row of a large sheet cheaply.
type rowCheck struct {
	Line     int            `json:"l"`
	Status   string         `json:"s"` // valid, invalid, duplicate
	Problems []problemInfo  `json:"p,omitempty"`
	DupOf    int            `json:"d,omitempty"`
	Body     map[string]any `json:"b,omitempty"` // the first rows only
}

type problemInfo struct {
	Column  string `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
	Text    string `json:"text"` // as the output sheet's sb_error says it
}

type previewCounts struct {
	Rows       int `json:"rows"`
	Valid      int `json:"valid"`
	Invalid    int `json:"invalid"`
	Duplicates int `json:"duplicates"`
}

// previewBodies is how many rows show their request body.
const previewBodies = 5

// handlePreview maps every row with the mapping given: the first bodies
// as SalesByte will receive them, and every invalid or duplicate row with
// its problems.
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) {
	var req mappingRequest
	if !readJSON(w, r, &req) {
		return
	}
	s.mu.Lock()
	ls := s.st.sheet
	s.st.mapping = &req
	s.mu.Unlock()
	if ls == nil {
		writeError(w, http.StatusConflict, "Choose a sheet first.")
		return
	}
	data := req.bytes()
	out := map[string]any{"yaml": string(data)}
	m, problems := s.compile(ls, data)
	if problems != nil {
		out["errors"] = problems
		writeJSON(w, http.StatusOK, out)
		return
	}
	rows, counts := checkRows(m, ls.rows)
	out["rows"], out["counts"] = rows, counts
	writeJSON(w, http.StatusOK, out)
}

// checkRows maps each row: invalid when the row or its mapping has a
// problem, a duplicate when an earlier valid row has the same key.
func checkRows(m *mapping.Mapper, rows []sheet.Row) ([]rowCheck, previewCounts) {
	out := make([]rowCheck, 0, len(rows))
	c := previewCounts{Rows: len(rows)}
	seen := map[string]int{}
	bodies := 0
	for _, row := range rows {
		res := m.Map(row.Cells)
		rc := rowCheck{Line: row.Line, Status: "valid"}
		if row.Problem != "" {
			rc.Problems = append(rc.Problems, problemInfo{Message: row.Problem, Text: row.Problem})
		}
		for _, p := range res.Problems {
			rc.Problems = append(rc.Problems, problemInfo{Column: p.Column, Field: p.Field, Value: p.Value, Message: p.Message, Text: p.String()})
		}
		switch first, dup := seen[res.Key]; {
		case len(rc.Problems) > 0:
			rc.Status = "invalid"
			c.Invalid++
		case dup && res.Key != "":
			rc.Status, rc.DupOf = "duplicate", first
			rc.Problems = []problemInfo{{Message: fmt.Sprintf("duplicate of row %d (same key %q)", first, res.Key)}}
			rc.Problems[0].Text = rc.Problems[0].Message
			c.Duplicates++
		default:
			c.Valid++
			if res.Key != "" {
				seen[res.Key] = row.Line
			}
			if bodies < previewBodies {
				rc.Body = res.Payload
				bodies++
			}
		}
		out = append(out, rc)
	}
	return out, c
}
