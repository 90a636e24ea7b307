package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

const cliUUID = "9f0e4c1a-7d3b-4e2a-9c11-0b5d2f7a8e61"

// cli runs sbimport in-process, as a user would from a shell without a
// terminal, and returns its exit code and what it printed.
type cli struct {
	t   *testing.T
	env map[string]string
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	if c.env == nil {
		c.env = map[string]string{}
	}
	if _, ok := c.env[ledger.EnvVar]; !ok {
		// Every test has a ledger of its own, never the user's.
		c.env[ledger.EnvVar] = testLedger(c.t)
	}
	var out, errb bytes.Buffer
	s := streams{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return c.env[k] }}
	code = execute(context.Background(), args, s)
	return code, out.String(), errb.String()
}

type sandboxEnv struct {
	srv *sandbox.Server
	url string
	dir string
	cli *cli
}

func startSandbox(t *testing.T, opts sandbox.Options, wrap func(http.Handler) http.Handler) *sandboxEnv {
	t.Helper()
	opts.UUIDs = []string{cliUUID}
	opts.Token = "quotes-token"
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return &sandboxEnv{srv: srv, url: ts.URL, dir: t.TempDir(), cli: &cli{t: t, env: map[string]string{"SALESBYTE_UUID": cliUUID, "SALESBYTE_API_TOKEN": "quotes-token"}}}
}

// sheets per endpoint, matching testdata/mapping/<endpoint>.yaml; the last
// row of each is invalid on purpose.
var endpointSheets = map[string][][]string{
	"lead": {
		{"Namn", "E-post", "Telefon", "Företag", "Säljare", "Meddelande", "Kundnummer", "Nivå", "Region"},
		{"Anna Svensson", "anna@example.se", "070-123 45 67", "Svensson AB", "saljare@example.se", "Hej!", "K-001", "Guld", "Norr"},
		{"Björn Öberg", "bjorn@example.se", "0046 70 765 43 21", "", "a@example.se, b@example.se", "", "K-002", "", ""},
		{"Åsa Ström", "asa@example.se", "+46 (0)73 111 22 33", "Ström HB", "", "", "K-003", "Silver", "Syd"},
		{"Trasig Rad", "inte-en-adress", "12", "", "", "", "", "", ""},
	},
	"quote": {
		{"Förnamn", "Efternamn", "E-post", "Mobil", "Företag", "Giltig till", "Artiklar", "Bank"},
		{"Anna", "Svensson", "anna@example.se", "070-123 45 67", "Svensson AB", "2026-12-31", "1001,1002", "Nordea"},
		{"Björn", "Öberg", "bjorn@example.se", "0701234568", "", "31/12/2026", "1003", ""},
		{"Åsa", "Ström", "asa@example.se", "+46 70 123 45 69", "Ström HB", "2027-01-15", "2001, 2002", "SEB"},
		{"Trasig", "Rad", "", "08-12", "", "i morgon", "", ""},
	},
	"template": {
		{"Förnamn", "Efternamn", "E-post", "Mobil", "Personnummer", "Antal", "Start"},
		{"Anna", "Svensson", "anna@example.se", "070-123 45 67", "19800101-1234", "2", "2026-12-01"},
		{"Björn", "Öberg", "bjorn@example.se", "", "19790202-2345", "", "2026-12-02"},
		{"Åsa", "Ström", "", "0731112233", "19850303-3456", "5", "2026-12-03"},
		{"Trasig", "Rad", "", "", "", "", ""},
	},
}

func writeCSV(t *testing.T, path string, rows [][]string, delim rune, bom bool) {
	t.Helper()
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	w.Comma = delim
	w.WriteAll(rows)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeXLSX(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if d, err := time.Parse("2006-01-02", v); err == nil && r > 0 {
				f.SetCellValue("Sheet1", cell, d) // a real Excel date
				f.SetCellStyle("Sheet1", cell, cell, dateStyle)
				continue
			}
			f.SetCellStr("Sheet1", cell, v)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// readOutput reads an output sheet (CSV or XLSX) as header-keyed rows.
func readOutput(t *testing.T, path string) []map[string]string {
	t.Helper()
	var recs [][]string
	if strings.HasSuffix(path, ".xlsx") {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err = f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
	} else {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = ';'
		if !bytes.Contains(bytes.SplitN(b, []byte("\n"), 2)[0], []byte(";")) {
			r.Comma = ','
		}
		recs, err = r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out
}

func mappingFile(t *testing.T, endpoint string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "mapping", endpoint+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunEachEndpointFromCSVAndXLSX imports every endpoint's sheet, as CSV
// and as XLSX, through the CLI into the sandbox.
func TestRunEachEndpointFromCSVAndXLSX(t *testing.T) {
	for _, ep := range []string{"lead", "quote", "template"} {
		for _, kind := range []string{"csv", "xlsx"} {
			t.Run(ep+"/"+kind, func(t *testing.T) {
				e := startSandbox(t, sandbox.Options{Latency: time.Millisecond}, nil)
				in := filepath.Join(e.dir, "kunder."+kind)
				if kind == "csv" {
					writeCSV(t, in, endpointSheets[ep], ';', true) // as Swedish Excel saves it
				} else {
					writeXLSX(t, in, endpointSheets[ep])
				}
				code, stdout, stderr := e.cli.run("run", "-m", mappingFile(t, ep), "-i", in, "--base-url", e.url, "--rate", "0", "--yes", "--json", "--verbose")
				if code != 1 {
					t.Fatalf("exit %d; want 1 (one invalid row)\n%s", code, stderr)
				}
				out := filepath.Join(e.dir, "kunder-result."+kind)
				rows := readOutput(t, out)
				if len(rows) != 4 {
					t.Fatalf("output has %d rows; want 4", len(rows))
				}
				for i, r := range rows[:3] {
					if r["sb_status"] != "created" || r["sb_id"] == "" || r["sb_link_customer_view"] == "" {
						t.Errorf("row %d: %v; want created with id and links\n%s", i+2, r, stderr)
					}
				}
				if r := rows[3]; r["sb_status"] != "invalid" || r["sb_error"] == "" {
					t.Errorf("invalid row: %v", r)
				}
				// Input columns come back unchanged, in order.
				for i, h := range endpointSheets[ep][0] {
					if got := rows[0][h]; got != endpointSheets[ep][1][i] && !(kind == "xlsx" && h == "Start" || h == "Giltig till") {
						t.Errorf("column %s = %q; want %q unchanged", h, got, endpointSheets[ep][1][i])
					}
				}
				if !strings.Contains(stderr, "row 2: created id ") || !strings.Contains(stderr, "row 5: invalid: ") {
					t.Errorf("--verbose does not log each row:\n%s", stderr)
				}
				if st := e.srv.Stats(); st.Created != 3 || st.Requests != 3 {
					t.Errorf("sandbox: %d requests, %d created; want 3 and 3 (the invalid row never sent)", st.Requests, st.Created)
				}
				var js struct {
					Counts   map[string]int `json:"counts"`
					ExitCode int            `json:"exit_code"`
				}
				if err := json.Unmarshal([]byte(stdout), &js); err != nil {
					t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
				}
				if js.Counts["created"] != 3 || js.Counts["invalid"] != 1 || js.ExitCode != 1 {
					t.Errorf("--json = %+v", js)
				}
				assertNoUUID(t, e.dir, stdout+stderr)
			})
		}
	}
}

// TestSentBodies checks what reached the server for a quote row: mapped,
// typed and normalised, and the uuid only in the body.
func TestSentBodies(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.xlsx")
	writeXLSX(t, in, endpointSheets["quote"])
	if code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--rate", "0", "--yes"); code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	recs := e.srv.Created()
	if len(recs) != 3 {
		t.Fatalf("%d created", len(recs))
	}
	var body string
	for _, r := range recs {
		if r.CustomerEmail == "anna@example.se" {
			b, _ := json.Marshal(r.Body)
			body = string(b)
		}
	}
	for _, want := range []string{`"customer_name":"Anna Svensson"`, `"customer_phone":"+46701234567"`, `"signable_until":"2026-12-31"`, `"quote_profile_id":115`, `"skus":[1001,1002]`, `"send_type":"email"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}

func TestRejectedRowFails(t *testing.T) {
	reject := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			if bytes.Contains(b, []byte("bjorn@")) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, `{"message":"The selected salesperson email is invalid.","errors":{"salesperson_email":["The selected salesperson email is invalid."]}}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			next.ServeHTTP(w, r)
		})
	}
	e := startSandbox(t, sandbox.Options{}, reject)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ',', false)
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	rows := readOutput(t, filepath.Join(e.dir, "k-result.csv"))
	if r := rows[1]; r["sb_status"] != "failed" || r["sb_http_status"] != "422" || !strings.Contains(r["sb_error"], "salesperson email is invalid") {
		t.Errorf("rejected row: %v", r)
	}
	if !strings.Contains(stderr, "sbimport run -m") {
		t.Errorf("the summary does not say how to re-run:\n%s", stderr)
	}
}

func TestValidateWritesOutputAndSendsNothing(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["lead"], ',', false)
	code, _, stderr := e.cli.run("validate", "-m", mappingFile(t, "lead"), "-i", in)
	if code != 1 {
		t.Fatalf("exit %d; want 1\n%s", code, stderr)
	}
	rows := readOutput(t, filepath.Join(e.dir, "k-result.csv"))
	if rows[0]["sb_status"] != "" || rows[3]["sb_status"] != "invalid" {
		t.Errorf("statuses: %q %q", rows[0]["sb_status"], rows[3]["sb_status"])
	}
	// Every problem of the row is listed, each naming its column.
	for _, col := range []string{`"E-post"`, `"Telefon"`} {
		if !strings.Contains(rows[3]["sb_error"], col) {
			t.Errorf("sb_error lacks column %s: %s", col, rows[3]["sb_error"])
		}
	}
	if e.srv.Stats().Requests != 0 {
		t.Error("validate sent requests")
	}
}

func TestNoTerminalNeedsYes(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ',', false)
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url)
	if code != 2 || !strings.Contains(stderr, "--yes") || !strings.Contains(stderr, "3 quotes will be e-mailed to customers") {
		t.Errorf("exit %d; want 2 with the plan and a hint about --yes:\n%s", code, stderr)
	}
	code, _, stderr = e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--dry-run")
	if code != 0 || !strings.Contains(stderr, "Dry run") {
		t.Errorf("dry run: exit %d\n%s", code, stderr)
	}
	if e.srv.Stats().Requests != 0 {
		t.Error("sent without --yes")
	}
	if _, err := os.Stat(filepath.Join(e.dir, "k-result.csv")); err == nil {
		t.Error("a dry run wrote the output")
	}
}

func TestUsageAndInputErrors(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ',', false)
	badMapping := filepath.Join(e.dir, "bad.yaml")
	os.WriteFile(badMapping, []byte("endpoint: qoute\nfields:\n  customer_name: Namn\n"), 0o644)
	missingCol := filepath.Join(e.dir, "missing.yaml")
	os.WriteFile(missingCol, []byte(strings.Replace(string(must(os.ReadFile(mappingFile(t, "quote")))), "customer_email: E-post", "customer_email: Epost", 1)), 0o644)
	xls := filepath.Join(e.dir, "old.xls")
	os.WriteFile(xls, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel"), 0o644)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"no uuid", map[string]string{}, []string{"run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--yes"}, []string{"SALESBYTE_UUID", "--uuid-file"}},
		{"uuid as a flag", nil, []string{"run", "-m", mappingFile(t, "quote"), "-i", in, "--uuid", cliUUID, "--yes"}, []string{"--uuid is not accepted", "SALESBYTE_UUID"}},
		{"plain http to another host", nil, []string{"run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", "http://salesbyte.example.com", "--yes"}, []string{"http://"}},
		{"unknown endpoint", nil, []string{"run", "-m", badMapping, "-i", in, "--base-url", e.url, "--yes"}, []string{"qoute", `"quote"`}},
		{"missing column", nil, []string{"run", "-m", missingCol, "-i", in, "--base-url", e.url, "--yes"}, []string{"Epost", `"E-post"`}},
		{"old xls", nil, []string{"validate", "-m", mappingFile(t, "quote"), "-i", xls}, []string{"old.xls", "xlsx"}},
		{"missing input", nil, []string{"validate", "-m", mappingFile(t, "quote"), "-i", filepath.Join(e.dir, "nope.csv")}, []string{"nope.csv"}},
		{"unknown flag", nil, []string{"run", "--bogus"}, []string{"unknown flag"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := e.cli
			if c.env != nil {
				cl = &cli{t: t, env: c.env}
			}
			code, _, stderr := cl.run(c.args...)
			if code != 2 {
				t.Errorf("exit %d; want 2\n%s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("message lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, cliUUID) {
				t.Errorf("the uuid was printed:\n%s", stderr)
			}
		})
	}
	if e.srv.Stats().Requests != 0 {
		t.Errorf("%d requests sent by failing commands", e.srv.Stats().Requests)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestReconcileFillsTemplateIDs: template answers in plain text carry no
// id; reconcile finds them through the Quotes API.
func TestReconcileFillsTemplateIDs(t *testing.T) {
	e := startSandbox(t, sandbox.Options{PlainTemplate: true}, nil)
	in := filepath.Join(e.dir, "t.csv")
	writeCSV(t, in, endpointSheets["template"][:4], ',', false)
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "template"), "-i", in, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	out := filepath.Join(e.dir, "t-result.csv")
	rows := readOutput(t, out)
	if rows[0]["sb_status"] != "created" || rows[0]["sb_id"] != "" {
		t.Fatalf("plain-text template answer: %v; want created without id", rows[0])
	}
	code, _, stderr = e.cli.run("reconcile", "-i", out, "--base-url", e.url)
	if code != 0 {
		t.Fatalf("reconcile exit %d\n%s", code, stderr)
	}
	byEmail := map[string]int64{}
	byPhone := map[string]int64{}
	for _, r := range e.srv.Created() {
		byEmail[r.CustomerEmail] = r.ID
		byPhone[r.CustomerPhone] = r.ID
	}
	rows = readOutput(t, out)
	for i, r := range rows {
		want := byEmail[r["E-post"]]
		if r["E-post"] == "" {
			want = byPhone["+46731112233"]
		}
		if r["sb_status"] != "created" || r["sb_id"] != fmt.Sprint(want) || r["sb_link_customer_view"] == "" {
			t.Errorf("row %d after reconcile: %v; want id %d", i+2, r, want)
		}
	}
	// The run's journal was told: the same run command keeps the ids.
	code, _, _ = e.cli.run("run", "-m", mappingFile(t, "template"), "-i", in, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 0 || e.srv.Stats().Requests != 3 {
		t.Fatalf("re-run: exit %d, requests %d", code, e.srv.Stats().Requests)
	}
	if rows := readOutput(t, out); rows[0]["sb_id"] == "" {
		t.Errorf("re-running the command lost the reconciled id")
	}
}

func TestInitWritesAMappingThatValidates(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	m := filepath.Join(e.dir, "m.yaml")
	code, _, stderr := e.cli.run("init", "-i", in, "--endpoint", "quote", "-o", m)
	if code != 0 {
		t.Fatalf("init exit %d\n%s", code, stderr)
	}
	b, _ := os.ReadFile(m)
	for _, want := range []string{"endpoint: quote", "customer_email: E-post", "Mobil"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("starter mapping lacks %q:\n%s", want, b)
		}
	}
	// A second init does not overwrite it.
	if code, _, stderr := e.cli.run("init", "-i", in, "--endpoint", "quote", "-o", m); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("init over an existing file: exit %d\n%s", code, stderr)
	}
}

func assertNoUUID(t *testing.T, dir, printed string) {
	t.Helper()
	if strings.Contains(printed, cliUUID) {
		t.Error("the uuid was printed")
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(cliUUID)) {
			t.Errorf("%s contains the integration uuid", p)
		}
		if strings.HasSuffix(p, ".xlsx") { // zipped: look inside too
			if f, err := excelize.OpenFile(p); err == nil {
				for _, sh := range f.GetSheetList() {
					rows, _ := f.GetRows(sh)
					for _, r := range rows {
						if strings.Contains(strings.Join(r, "\x00"), cliUUID) {
							t.Errorf("%s sheet %s contains the uuid", p, sh)
						}
					}
				}
				f.Close()
			}
		}
		return nil
	})
}

// TestRunReconcileSettlesUnknownRows: answers lost after creating become
// unknown; run --reconcile settles them at the end of the run.
func TestRunReconcileSettlesUnknownRows(t *testing.T) {
	e := startSandbox(t, sandbox.Options{P500After: 0.5, Seed: 5}, nil)
	var rows [][]string
	rows = append(rows, endpointSheets["quote"][0])
	for i := 0; i < 20; i++ {
		rows = append(rows, []string{"Kund", fmt.Sprint(i), fmt.Sprintf("kund%d@example.se", i), fmt.Sprintf("0701234%03d", i), "", "2026-12-31", "1001", ""})
	}
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, rows, ',', false)
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--rate", "0", "--yes", "--reconcile")
	if st := e.srv.Stats(); st.ServerErrors == 0 {
		t.Fatal("no 500s: the fault did not fire")
	}
	if code != 0 {
		t.Fatalf("exit %d; want 0 once reconcile found every row\n%s", code, stderr)
	}
	ids := map[string]int64{}
	for _, r := range e.srv.Created() {
		ids[r.CustomerEmail] = r.ID
	}
	for i, r := range readOutput(t, filepath.Join(e.dir, "k-result.csv")) {
		if r["sb_status"] != "created" || r["sb_id"] != fmt.Sprint(ids[r["E-post"]]) {
			t.Errorf("row %d: %s id %s; want created id %d", i+2, r["sb_status"], r["sb_id"], ids[r["E-post"]])
		}
	}
	if !strings.Contains(stderr, "Reconciled") {
		t.Errorf("no reconcile summary:\n%s", stderr)
	}
	if len(e.srv.Duplicates()) != 0 {
		t.Errorf("duplicates: %v", e.srv.Duplicates())
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t: t, env: map[string]string{}}
	code, stdout, stderr := c.run("demo", "--dir", dir, "--rate", "0")
	if code != 0 {
		t.Fatalf("demo exit %d\n%s", code, stderr)
	}
	out := strings.TrimSpace(stdout)
	if out != filepath.Join(dir, "kunder-result.xlsx") {
		t.Errorf("demo printed %q; want the output's path", out)
	}
	counts := map[string]int{}
	for _, r := range readOutput(t, out) {
		counts[r["sb_status"]]++
	}
	if counts["created"] != 47 || counts["invalid"] != 2 || counts["skipped"] != 1 {
		t.Errorf("demo output statuses %v; want 47 created, 2 invalid, 1 skipped", counts)
	}
	if !strings.Contains(stderr, "created 47 quotes") {
		t.Errorf("demo summary:\n%s", stderr)
	}
	// A second demo in the same folder starts afresh.
	if code, _, stderr := c.run("demo", "--dir", dir, "--rate", "0"); code != 0 {
		t.Errorf("second demo exit %d\n%s", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	c := &cli{t: t}
	code, stdout, _ := c.run("--version")
	if code != 0 || stdout != "sbimport "+salesbyte.Version+"\n" || salesbyte.Version == "" {
		t.Errorf("--version: exit %d, %q; want sbimport %s", code, stdout, salesbyte.Version)
	}
}

// A sheet error that an option mends names the option as a flag: the
// library only says which option (sheet.FileError.Fix).
func TestSheetErrorNamesTheFlag(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "k.csv")
	if err := os.WriteFile(in, []byte(",,\nAnna,a@example.se,070\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t}
	code, _, stderr := c.run("init", "-i", in, "--endpoint", "quote", "-o", filepath.Join(dir, "m.yaml"))
	if code != 2 || !strings.Contains(stderr, "header row 1 is empty") || !strings.Contains(stderr, "(--header-row N)") {
		t.Errorf("exit %d:\n%s\nwant exit 2 naming --header-row", code, stderr)
	}
}
