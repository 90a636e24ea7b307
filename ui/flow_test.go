package ui

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/ledger"

	"github.com/sbimport/sbimport"
	"github.com/sbimport/sbimport/sandbox"
	"github.com/sbimport/sbimport/sheet"
)

func TestSheetMappingPreview(t *testing.T) {
	site := newSite(t, Options{})
	var info sheetInfo
	res := site.upload("/api/sheet", "kunder.csv", kunderCSV(10))
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("upload = %d %s", res.StatusCode, b)
	}
	site.json("POST", "/api/format", map[string]any{"headerRow": 1}, http.StatusOK, &info)
	if info.Delimiter != ";" || info.Rows != 11 || info.Header[0] != "Förnamn" || info.First[0].Cells[0] != "Åsa1" {
		t.Fatalf("sheet info = %+v", info)
	}
	// The delimiter control reads it again another way.
	site.json("POST", "/api/format", map[string]any{"delimiter": ",", "headerRow": 1}, http.StatusOK, &info)
	if len(info.Header) != 1 {
		t.Fatalf("with , the header = %q, want one column", info.Header)
	}
	site.json("POST", "/api/format", map[string]any{"delimiter": "x"}, http.StatusBadRequest, nil)
	site.json("POST", "/api/format", map[string]any{}, http.StatusOK, &info)

	// init's matcher.
	var auto struct {
		Draft struct {
			Endpoint string                       `json:"endpoint"`
			Fields   map[string]map[string]string `json:"fields"`
			Key      string                       `json:"key"`
		}
	}
	site.json("POST", "/api/mapping/auto", map[string]string{"endpoint": "quote"}, http.StatusOK, &auto)
	if auto.Draft.Fields["customer_email"]["column"] != "E-post" || auto.Draft.Fields["customer_name"]["combine"] != "{Förnamn} {Efternamn}" {
		t.Fatalf("auto = %+v", auto.Draft.Fields)
	}
	if _, ok := auto.Draft.Fields["quote_profile_id"]; ok {
		t.Errorf("the starter's placeholder quote_profile_id: 0 reached the form")
	}
	// The auto draft misses quote_profile_id: the CLI's mapping error.
	var pv struct {
		YAML   string
		Errors []string
		Counts previewCounts
		Rows   []rowCheck
	}
	site.json("POST", "/api/preview", map[string]any{"draft": auto.Draft}, http.StatusOK, &pv)
	if len(pv.Errors) == 0 || !strings.Contains(strings.Join(pv.Errors, "\n"), "quote_profile_id") {
		t.Fatalf("preview errors = %q, want quote_profile_id named", pv.Errors)
	}
	pv.Errors = nil
	site.json("POST", "/api/preview", quoteDraft(), http.StatusOK, &pv)
	if len(pv.Errors) > 0 || pv.Counts != (previewCounts{Rows: 11, Valid: 9, Invalid: 1, Duplicates: 1}) {
		t.Fatalf("preview = %+v %q", pv.Counts, pv.Errors)
	}
	bad := pv.Rows[1]
	if bad.Line != 3 || bad.Status != "invalid" || len(bad.Problems) != 1 || bad.Problems[0].Column != "E-post" || bad.Problems[0].Value != "kund2(at)exempel.se" {
		t.Fatalf("invalid row = %+v", bad)
	}
	if last := pv.Rows[10]; last.Status != "duplicate" || last.DupOf != 2 {
		t.Fatalf("last row = %+v, want a duplicate of row 2", last)
	}
	if pv.Rows[0].Body["customer_name"] != "Åsa1 Öberg" || pv.Rows[0].Body["customer_phone"] != "+46701234501" {
		t.Fatalf("first body = %v", pv.Rows[0].Body)
	}
	if !strings.Contains(pv.YAML, `customer_name: "{Förnamn} {Efternamn}"`) {
		t.Fatalf("yaml:\n%s", pv.YAML)
	}
	// A mapping file loads into the form.
	var loaded struct {
		Simple bool
		Draft  struct{ Endpoint string }
	}
	if res := site.upload("/api/mapping/load", "mapping.yaml", []byte(pv.YAML)); res.StatusCode != http.StatusOK {
		t.Fatalf("load = %d", res.StatusCode)
	} else if b, _ := io.ReadAll(res.Body); !bytes.Contains(b, []byte(`"simple":true`)) || !bytes.Contains(b, []byte(`"endpoint":"quote"`)) {
		t.Fatalf("load = %s", b)
	}
	_ = loaded
}

// session runs the whole page path against target, returning the output
// sheet downloaded.
func session(t *testing.T, site *testSite, target, uuid string) []byte {
	t.Helper()
	if res := site.upload("/api/sheet", "kunder.csv", kunderCSV(20)); res.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	site.json("POST", "/api/preview", quoteDraft(), http.StatusOK, nil)
	var plan map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", target, "uuid", uuid, "rate", 0), http.StatusOK, &plan)
	if plan["toSend"] != float64(19) || !strings.Contains(strings.Join(toStrings(plan["deliveries"]), ";"), "19 quotes will be e-mailed to customers") {
		t.Fatalf("plan = %v", plan)
	}
	site.json("POST", "/api/send", map[string]any{"confirm": 18}, http.StatusBadRequest, nil)
	site.json("POST", "/api/send", map[string]any{}, http.StatusBadRequest, nil)
	site.json("POST", "/api/send", map[string]any{"confirm": 19}, http.StatusAccepted, nil)
	p := site.waitDone()
	if p.Counts["created"] != 19 || p.Counts["invalid"] != 1 || p.Counts["skipped"] != 1 || p.Summary == "" {
		t.Fatalf("done = %+v", p)
	}
	var results struct{ Rows []resultRow }
	site.json("GET", "/api/results", nil, http.StatusOK, &results)
	if len(results.Rows) != 21 || results.Rows[0].Status != "created" || len(results.Rows[0].Links) == 0 || results.Rows[1].Status != "invalid" {
		t.Fatalf("results = %+v", results.Rows[:2])
	}
	res := site.do("GET", "/api/output", nil, "")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "kunder-result.csv") {
		t.Fatalf("output = %d %v", res.StatusCode, res.Header)
	}
	b, _ := io.ReadAll(res.Body)
	return b
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestWholeSessionAgainstTheSandbox(t *testing.T) {
	site := newSite(t, Options{})
	out := session(t, site, "sandbox", "")
	p := writeFile(t, "kunder-result.csv", out)
	r, err := sheet.Open(p, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); h[0] != "Förnamn" || h[5] != "sb_status" {
		t.Fatalf("output header = %q", h)
	}
	row, _ := r.Next()
	if row.Cells[5] != "created" || row.Cells[6] == "" {
		t.Fatalf("output row 2 = %q", row.Cells)
	}
	if got := site.s.box.srv.Stats().Created; got != 19 {
		t.Fatalf("the sandbox created %d, want 19", got)
	}
	// Sending the failed rows again: the output becomes the input; created
	// rows are kept, nothing is sent twice.
	var info sheetInfo
	site.json("POST", "/api/resend", nil, http.StatusOK, &info)
	if !info.IsResult {
		t.Fatalf("resend sheet = %+v", info)
	}
	var plan map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox"), http.StatusOK, &plan)
	if plan["toSend"] != float64(0) {
		t.Fatalf("re-send plan = %v, want nothing to send", plan)
	}
	site.json("POST", "/api/send", map[string]any{"confirm": 0}, http.StatusAccepted, nil)
	site.waitDone()
	if got := site.s.box.srv.Stats().Created; got != 19 {
		t.Fatalf("after the re-send the sandbox created %d, want still 19", got)
	}
}

// The page's access token appears in no response either: not set as a
// cookie, not in a redirect, not in a refusal, not in the page's files.
func TestAccessTokenNeverInAResponse(t *testing.T) {
	site := newSite(t, Options{})
	site.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	site.do("GET", strings.TrimPrefix(site.s.URL(), site.ts.URL), nil, "") // as the browser opens the printed address
	for _, path := range []string{"/", "/app.js", "/app.css", "/index.html"} {
		site.do("GET", path, nil, "")
	}
	tok := site.token
	noCookie := func() {
		for _, r := range site.seen {
			if c := r.header.Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("%s sets a cookie: %q", r.what, c)
			}
			if h := fmt.Sprint(r.header); strings.Contains(h+string(r.body), tok) {
				t.Errorf("%s: the token is in the response", r.what)
			}
		}
	}
	noCookie() // before the session: the first requests are what changed
	session(t, site, "sandbox", "")
	site.token = strings.Repeat("0", len(tok))
	if res := site.do("GET", "/api/state", nil, ""); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a wrong token = %d, want 403", res.StatusCode)
	}
	site.token = ""
	site.do("GET", "/api/state?token="+tok, nil, "")
	noCookie()
	scanForSecret(t, site.seen, tok)
}

// The uuid appears in no response: no body, no header, not the event
// stream, not the output sheet; in no form.
func TestUUIDNeverReachesThePage(t *testing.T) {
	const uuid = "3f2b8c1e-9d4a-4e7b-8a6c-5d1e2f3a4b5c"
	box, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}})
	site := newSite(t, Options{ProductionURL: prod})
	session(t, site, "production", uuid)
	site.json("GET", "/api/state", nil, http.StatusOK, nil)
	// A wrong uuid: SalesByte's refusal reaches the page, the uuid does not.
	site.json("POST", "/api/resend", nil, http.StatusOK, nil)
	if box.Stats().Created != 19 {
		t.Fatalf("production sandbox created %d", box.Stats().Created)
	}
	scanForSecret(t, site.seen, uuid)

	// The sandbox choice's own uuid, likewise.
	site2 := newSite(t, Options{})
	session(t, site2, "sandbox", "")
	scanForSecret(t, site2.seen, site2.s.box.raw)
}

func scanForSecret(t *testing.T, seen []seenResponse, secret string) {
	t.Helper()
	if len(seen) < 6 {
		t.Fatalf("only %d responses seen", len(seen))
	}
	forms := []string{secret, strings.ToUpper(secret), strings.ReplaceAll(secret, "-", ""), url.QueryEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)), base64.URLEncoding.EncodeToString([]byte(secret))}
	if len(secret) > 12 {
		forms = append(forms, secret[:12])
	}
	events := false
	for _, r := range seen {
		events = events || strings.HasPrefix(r.what, "GET /api/events")
		var hdr strings.Builder
		r.header.Write(&hdr)
		for _, f := range forms {
			if bytes.Contains(bytes.ToLower(r.body), []byte(strings.ToLower(f))) || strings.Contains(strings.ToLower(hdr.String()), strings.ToLower(f)) {
				t.Errorf("%s: the secret (as %q) is in the response", r.what, f)
			}
		}
	}
	if !events {
		t.Error("the event stream was not scanned")
	}
}

// Unknown rows (the answer was lost after SalesByte created them) are
// settled from the page with the Quotes API token; neither the uuid nor
// the token reaches the page.
func TestReconcileUnknownRowsWithTheToken(t *testing.T) {
	const uuid, token = "9c4d7e2a-1b3f-4a5c-8d6e-7f8091a2b3c4", "qt-5e6f7a8b9c0d1e2f"
	box, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}, Token: token, P500After: 0.3, Seed: 7})
	site := newSite(t, Options{ProductionURL: prod})
	if res := site.upload("/api/sheet", "kunder.csv", kunderCSV(20)); res.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid), http.StatusOK, nil)
	site.json("POST", "/api/send", map[string]any{"confirm": 19}, http.StatusAccepted, nil)
	p := site.waitDone()
	unknown := p.Counts["unknown"]
	if unknown == 0 || p.Counts["created"]+unknown != 19 {
		t.Fatalf("done = %+v, want some unknown rows", p.Counts)
	}
	site.json("POST", "/api/reconcile", map[string]string{}, http.StatusBadRequest, nil) // no token
	var rec map[string]string
	site.json("POST", "/api/reconcile", map[string]string{"token": token}, http.StatusOK, &rec)
	if !strings.Contains(rec["message"], "found") {
		t.Fatalf("reconcile = %v", rec)
	}
	var results struct{ Rows []resultRow }
	site.json("GET", "/api/results", nil, http.StatusOK, &results)
	created := 0
	for _, r := range results.Rows {
		if r.Status == "unknown" {
			t.Errorf("row %d is still unknown after reconcile: %s", r.Line, r.Error)
		}
		if r.Status == "created" {
			created++
		}
	}
	if created != 19 || box.Stats().Created != 19 {
		t.Fatalf("created in the sheet %d, in SalesByte %d; want 19 and 19", created, box.Stats().Created)
	}
	scanForSecret(t, site.seen, uuid)
	scanForSecret(t, site.seen, token)
}

// Filtering to the invalid rows of a 10,000-row sheet needs no request:
// the preview carries every row's status, and only problem rows carry
// more than their line.
func TestPreviewOfTenThousandRows(t *testing.T) {
	site := newSite(t, Options{})
	if res := site.upload("/api/sheet", "kunder.csv", kunderCSV(10000)); res.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	res := site.do("POST", "/api/preview", strings.NewReader(mustJSON(quoteDraft())), "application/json")
	var pv struct {
		Counts previewCounts
		Rows   []rowCheck
	}
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &pv); err != nil {
		t.Fatal(err)
	}
	if pv.Counts != (previewCounts{Rows: 10001, Valid: 9999, Invalid: 1, Duplicates: 1}) || len(pv.Rows) != 10001 {
		t.Fatalf("counts %+v, %d rows", pv.Counts, len(pv.Rows))
	}
	if len(b) > 1<<20 {
		t.Errorf("the preview of 10,000 rows is %d bytes; valid rows should carry only their line", len(b))
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// A run cut short (here by Stop; a crash leaves the journal the same way
// or with rows in flight) is resumed when the same sheet is chosen again,
// even by another start of the program: rows created are not sent again.
func TestSameSheetAgainResumesTheRun(t *testing.T) {
	const uuid = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
	box, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}})
	runs := t.TempDir()
	first := newSite(t, Options{ProductionURL: prod, RunsDir: runs})
	first.upload("/api/sheet", "kunder.csv", kunderCSV(100))
	first.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 20), http.StatusOK, nil)
	if first.s.Running() {
		t.Fatal("Running before anything was sent")
	}
	first.json("POST", "/api/send", map[string]any{"confirm": 99}, http.StatusAccepted, nil)
	waitFor(t, "some rows created", func() bool { return box.Stats().Created >= 5 })
	if !first.s.Running() {
		t.Fatal("not Running while rows are sent at 20/s")
	}
	first.json("POST", "/api/stop", nil, http.StatusOK, nil)
	p := first.waitDone()
	created := p.Counts["created"]
	if first.s.Running() {
		t.Fatal("Running after the run ended")
	}
	if created == 0 || created == 99 || p.Counts["skipped"] == 0 {
		t.Fatalf("stopped run = %+v", p.Counts)
	}
	first.s.Close()

	second := newSite(t, Options{ProductionURL: prod, RunsDir: runs})
	second.upload("/api/sheet", "kunder.csv", kunderCSV(100))
	var plan map[string]any
	second.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 0), http.StatusOK, &plan)
	if plan["resumed"] != true || plan["toSend"] != float64(99-created) {
		t.Fatalf("plan of the same sheet again = %v; want resumed with %d to send", plan, 99-created)
	}
	second.json("POST", "/api/send", map[string]any{"confirm": 99 - created}, http.StatusAccepted, nil)
	if p := second.waitDone(); p.Counts["created"] != 99 {
		t.Fatalf("resumed run = %+v", p.Counts)
	}
	if st := box.Stats().Created; st != 99 || len(box.Duplicates()) != 0 {
		t.Fatalf("SalesByte created %d (duplicates %v), want 99 and none twice", st, box.Duplicates())
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 60 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An XLSX with Swedish names: its sheets are listed, its cells read as in
// Excel, and the output downloads under the sheet's own name.
func TestXLSXWithSwedishNames(t *testing.T) {
	site := newSite(t, Options{})
	var info sheetInfo
	res := site.upload("/api/sheet", "Kunder våren 2026.xlsx", sbimport.DemoSheet)
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d %v", res.StatusCode, err)
	}
	if info.Kind != "xlsx" || info.Sheet == "" || len(info.Sheets) == 0 || info.Name != "Kunder våren 2026.xlsx" || !slices.Contains(info.Header, "Förnamn") {
		t.Fatalf("info = %+v", info)
	}
	var pv struct {
		Errors []string
		Counts previewCounts
	}
	site.json("POST", "/api/preview", map[string]string{"yaml": string(sbimport.DemoMapping)}, http.StatusOK, &pv)
	if len(pv.Errors) > 0 || pv.Counts.Rows != 50 || pv.Counts.Invalid != 2 || pv.Counts.Duplicates != 1 {
		t.Fatalf("preview = %+v %q", pv.Counts, pv.Errors)
	}
	site.json("POST", "/api/plan", map[string]any{"yaml": string(sbimport.DemoMapping), "target": "sandbox"}, http.StatusOK, nil)
	site.json("POST", "/api/send", map[string]any{"confirm": 47}, http.StatusAccepted, nil)
	if p := site.waitDone(); p.Counts["created"] != 47 {
		t.Fatalf("done = %+v", p)
	}
	res = site.do("GET", "/api/output", nil, "")
	_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
	if err != nil || params["filename"] != "Kunder våren 2026-result.xlsx" {
		t.Fatalf("Content-Disposition %q: %v %v", res.Header.Get("Content-Disposition"), params, err)
	}
	if !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("Content-Type = %q", res.Header.Get("Content-Type"))
	}
}

// A row fixed in the page is sent again; created rows are not, and
// created rows cannot be edited.
func TestFixInThePageAndSendAgain(t *testing.T) {
	site := newSite(t, Options{})
	session(t, site, "sandbox", "")
	site.json("POST", "/api/fix", map[string]any{"fixes": []fix{{Line: 2, Column: "E-post", Value: "x@exempel.se"}}}, http.StatusBadRequest, nil)
	site.json("POST", "/api/fix", map[string]any{"fixes": []fix{{Line: 3, Column: "sb_status", Value: ""}}}, http.StatusBadRequest, nil)
	site.json("POST", "/api/fix", map[string]any{"fixes": []fix{{Line: 3, Column: "E-post", Value: "kund2@exempel.se"}}}, http.StatusOK, nil)
	site.json("POST", "/api/resend", nil, http.StatusOK, nil)
	var plan map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox"), http.StatusOK, &plan)
	if plan["toSend"] != float64(1) {
		t.Fatalf("plan after the fix = %v, want the fixed row only", plan)
	}
	site.json("POST", "/api/send", map[string]any{"confirm": 1}, http.StatusAccepted, nil)
	if p := site.waitDone(); p.Counts["created"] != 20 {
		t.Fatalf("done = %+v", p.Counts)
	}
	if got := site.s.box.srv.Stats().Created; got != 20 || len(site.s.box.srv.Duplicates()) != 0 {
		t.Fatalf("the sandbox created %d, want 20 with none twice", got)
	}
}

// A title above the header row is detected, as init detects it, and the
// header row control says which row was taken.
func TestHeaderRowBelowATitleIsDetected(t *testing.T) {
	site := newSite(t, Options{})
	data := append([]byte("Kundlista våren 2026;;;;\n;;;;\n"), kunderCSV(5)...)
	var info sheetInfo
	res := site.upload("/api/sheet", "kunder.csv", data)
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if info.HeaderRow != 3 || info.Header[0] != "Förnamn" || info.Rows != 6 {
		t.Fatalf("info = header row %d, header %q, %d rows", info.HeaderRow, info.Header, info.Rows)
	}
	// A sheet whose first row is its header stays at row 1.
	res = site.upload("/api/sheet", "kunder.csv", kunderCSV(5))
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil || info.HeaderRow != 1 {
		t.Fatalf("header row %d, %v", info.HeaderRow, err)
	}
}

// SalesByte's slow-downs reach the page in the command line's words.
func TestSlowDownsAreShown(t *testing.T) {
	const uuid = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	_, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}, RateLimit: 5})
	site := newSite(t, Options{ProductionURL: prod})
	site.upload("/api/sheet", "kunder.csv", kunderCSV(16))
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 0), http.StatusOK, nil)
	site.json("POST", "/api/send", map[string]any{"confirm": 15}, http.StatusAccepted, nil)
	p := site.waitDone()
	// Rows that meet 429 on every attempt fail (safe to send again): the
	// count of created rows depends on timing, the slow-down does not.
	// The latest slow-down is shown: a lone 429 or one refused again.
	lone := strings.HasPrefix(p.Slowed, "SalesByte asked us to slow down (HTTP 429): the run goes on at ")
	again := strings.HasPrefix(p.Slowed, "SalesByte refused again (HTTP 429): every request waits ")
	if p.Done != p.Rows || p.Counts["created"] == 0 || p.Throttled == 0 || !lone && !again {
		t.Fatalf("done = %+v", p)
	}
}

func TestAMappingChosenAsTheSheetIsNamed(t *testing.T) {
	site := newSite(t, Options{})
	res := site.upload("/api/sheet", "mapping.yaml", sbimport.DemoMapping)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "looks like a mapping file") {
		t.Fatalf("a mapping as the sheet = %d %s", res.StatusCode, b)
	}
}

// Production runs from the page use the user's ledger, as run does: the
// same customers in another sheet (another runs folder here) are held back,
// and the plan says so before anything is sent.
func TestPageRunsAreHeldBackByTheLedger(t *testing.T) {
	const uuid = "5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d"
	box, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}})
	l, err := ledger.Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"), ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	first := newSite(t, Options{ProductionURL: prod, RunsDir: t.TempDir(), Ledger: l})
	first.upload("/api/sheet", "kunder.csv", kunderCSV(10))
	var plan map[string]any
	first.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 0), http.StatusOK, &plan)
	first.json("POST", "/api/send", map[string]any{"confirm": plan["toSend"]}, http.StatusAccepted, nil)
	sent := first.waitDone().Counts["created"]
	first.s.Close()
	if sent == 0 || box.Stats().Created != int64(sent) {
		t.Fatalf("first run created %d (sandbox %d)", sent, box.Stats().Created)
	}

	second := newSite(t, Options{ProductionURL: prod, RunsDir: t.TempDir(), Ledger: l})
	second.upload("/api/sheet", "andra.csv", kunderCSV(10))
	second.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 0), http.StatusOK, &plan)
	held, _ := plan["held"].([]any)
	if plan["toSend"] != float64(0) || len(held) == 0 || !strings.Contains(fmt.Sprint(held[0]), "already have a quote") {
		t.Fatalf("plan of the same customers in another sheet = %v; want nothing to send and the held line", plan)
	}
	if box.Stats().Created != int64(sent) {
		t.Errorf("the sandbox created %d; want still %d", box.Stats().Created, sent)
	}
}

// A sheet with a title above its header: the output keeps the title rows
// (so row numbers agree), and the page reads its results, fixes a row and
// sends it again from the header's own row, not row 1.
func TestTitledSheetResultsFixAndResend(t *testing.T) {
	site := newSite(t, Options{})
	titled := append([]byte("Kundlista december 2026;;;;\n;;;;\n"), kunderCSV(5)...)
	var info struct{ HeaderRow int }
	res := site.upload("/api/sheet", "kunder.csv", titled)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil || info.HeaderRow != 3 {
		t.Fatalf("header row %d (%v); want 3 detected", info.HeaderRow, err)
	}
	var plan map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox", "rate", 0), http.StatusOK, &plan)
	site.json("POST", "/api/send", map[string]any{"confirm": plan["toSend"], "plan": plan["id"]}, http.StatusAccepted, nil)
	site.waitDone()
	var results struct{ Rows []resultRow }
	site.json("GET", "/api/results", nil, http.StatusOK, &results)
	if len(results.Rows) != 6 || results.Rows[0].Line != 4 || results.Rows[1].Status != "invalid" {
		t.Fatalf("results = %+v; want 6 rows from row 4, the second invalid", results.Rows)
	}
	bad := results.Rows[1].Line
	site.json("POST", "/api/fix", map[string]any{"fixes": []map[string]any{{"line": bad, "column": "E-post", "value": "kund2@exempel.se"}}}, http.StatusOK, nil)
	site.json("POST", "/api/resend", nil, http.StatusOK, nil)
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox", "rate", 0), http.StatusOK, &plan)
	if plan["toSend"] != float64(1) {
		t.Fatalf("plan after the fix = %v; want the one fixed row to send", plan)
	}
	site.json("POST", "/api/send", map[string]any{"confirm": 1, "plan": plan["id"]}, http.StatusAccepted, nil)
	if p := site.waitDone(); p.Counts["created"] != 5 {
		t.Errorf("after the resend: %+v; want 5 created", p.Counts)
	}
}

// A rehearsal in the sandbox, then the same sheet to production: the
// production run has an output and journal of its own and sends every row
// (the sandbox's created rows exist only there); the sandbox run's output
// sheet is refused as production's input.
func TestRehearsalThenProductionSendsEveryRow(t *testing.T) {
	const uuid = "6b7c8d9e-2f3a-4b4c-8d5e-6f7a8b9c0d1e"
	box, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}})
	site := newSite(t, Options{ProductionURL: prod, RunsDir: t.TempDir()})
	site.upload("/api/sheet", "kunder.csv", kunderCSV(6))
	var plan map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox", "rate", 0), http.StatusOK, &plan)
	site.json("POST", "/api/send", map[string]any{"confirm": plan["toSend"], "plan": plan["id"]}, http.StatusAccepted, nil)
	rehearsed := site.waitDone().Counts["created"]
	site.json("POST", "/api/resend", nil, http.StatusOK, nil) // the sandbox run's output as the sheet
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 0), http.StatusConflict, nil)
	site.upload("/api/sheet", "kunder.csv", kunderCSV(6))
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 0), http.StatusOK, &plan)
	if plan["toSend"] != float64(rehearsed) {
		t.Fatalf("production plan = %v; want all %d rows the rehearsal created sent again, to production", plan, rehearsed)
	}
	site.json("POST", "/api/send", map[string]any{"confirm": plan["toSend"], "plan": plan["id"]}, http.StatusAccepted, nil)
	site.waitDone()
	if got := box.Stats().Created; got != int64(rehearsed) {
		t.Errorf("production created %d; want %d", got, rehearsed)
	}
}
