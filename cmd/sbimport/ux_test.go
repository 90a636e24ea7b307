package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/sandbox"
)

// Tests of what a first-time user reads: each one pins a message that
// was confusing, wrong or missing when sbimport was tried by hand.

// TestMappingErrorNamesFileOnce: a column the sheet lacks is reported as
// "FILE:LINE: …", not "FILE: FILE:LINE: …".
func TestMappingErrorNamesFileOnce(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	m := filepath.Join(e.dir, "fel.yaml")
	os.WriteFile(m, []byte(strings.Replace(string(must(os.ReadFile(mappingFile(t, "quote")))), "customer_email: E-post", "customer_email: Epost", 1)), 0o644)
	code, _, stderr := e.cli.run("validate", "-m", m, "-i", in)
	if code != 2 {
		t.Fatalf("exit %d; want 2\n%s", code, stderr)
	}
	if n := strings.Count(stderr, "fel.yaml"); n != 1 {
		t.Errorf("the mapping file is named %d times; want once:\n%s", n, stderr)
	}
	if !strings.Contains(stderr, `fel.yaml:`) || !strings.Contains(stderr, `did you mean "E-post"`) {
		t.Errorf("message lacks the line or the suggestion:\n%s", stderr)
	}
}

// TestMissingRequiredFlags names each missing option with what it is for,
// and the command's own help.
func TestMissingRequiredFlags(t *testing.T) {
	c := &cli{t: t, env: map[string]string{}}
	code, _, stderr := c.run("run")
	if code != 2 {
		t.Fatalf("exit %d; want 2\n%s", code, stderr)
	}
	for _, want := range []string{"-i/--input", "-m/--mapping", "the YAML mapping file", "sbimport run --help"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("message lacks %q:\n%s", want, stderr)
		}
	}
	code, _, stderr = c.run("init")
	if code != 2 || !strings.Contains(stderr, "-i/--input") || strings.Contains(stderr, "--mapping") {
		t.Errorf("init with no -i: exit %d\n%s", code, stderr)
	}
}

// TestFileArgMistakes: -m and -i swapped, and a mapping file not written yet.
func TestFileArgMistakes(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	c := &cli{t: t, env: map[string]string{}}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"validate", "-m", in, "-i", mappingFile(t, "quote")}, []string{"looks like a sheet", "-m takes the mapping"}},
		{[]string{"run", "-m", mappingFile(t, "quote"), "-i", mappingFile(t, "quote")}, []string{"looks like a mapping file", "-i takes the sheet"}},
		{[]string{"validate", "-m", filepath.Join(dir, "ny.yaml"), "-i", in}, []string{"ny.yaml not found", "sbimport init -i " + in + " -o " + filepath.Join(dir, "ny.yaml")}},
	}
	for _, tc := range cases {
		code, _, stderr := c.run(tc.args...)
		if code != 2 {
			t.Errorf("%v: exit %d; want 2\n%s", tc.args, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: message lacks %q:\n%s", tc.args, w, stderr)
			}
		}
	}
}

// TestNextStepsKeepTheServer: the commands printed after a sandbox run
// point at the sandbox, not at production, and survive a pasted file
// name with a space.
func TestNextStepsKeepTheServer(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "kunder december.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url, "--rate", "0", "--yes")
	if code != 1 {
		t.Fatalf("exit %d; want 1 (one invalid row)\n%s", code, stderr)
	}
	out := filepath.Join(e.dir, "kunder december-result.csv")
	want := "sbimport run -m " + mappingFile(t, "quote") + " -i '" + out + "' --base-url " + e.url
	if !strings.Contains(stderr, want) {
		t.Errorf("the re-run command is not %q:\n%s", want, stderr)
	}
	if !strings.Contains(stderr, "  to:      "+e.url+"\n") {
		t.Errorf("the plan does not say where the requests go:\n%s", stderr)
	}
}

// TestNoTerminalPointsAtValidate: refusing to send without --yes, with
// invalid rows and nothing written, says how to see why they are invalid.
func TestNoTerminalPointsAtValidate(t *testing.T) {
	e := startSandbox(t, sandbox.Options{}, nil)
	in := filepath.Join(e.dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	code, _, stderr := e.cli.run("run", "-m", mappingFile(t, "quote"), "-i", in, "--base-url", e.url)
	if code != 2 {
		t.Fatalf("exit %d; want 2\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "--yes") || !strings.Contains(stderr, "1 row is invalid first: sbimport validate -m "+mappingFile(t, "quote")+" -i "+in) {
		t.Errorf("message does not point at validate:\n%s", stderr)
	}
	if e.srv.Stats().Requests != 0 {
		t.Error("requests were sent without --yes")
	}
}

func summaryText(t *testing.T, o *runOptions, sum *importer.Summary) string {
	t.Helper()
	var b bytes.Buffer
	printSummary(streams{Err: &b}, o, sum, false)
	return b.String()
}

// TestSummaryAfterInterrupt lists no "problems" for rows an interrupt
// left unsent: the last line says to run the command again.
func TestSummaryAfterInterrupt(t *testing.T) {
	skip := "not sent: the run was interrupted; run the same command again to send it"
	sum := &importer.Summary{
		Counts:      map[importer.Status]int{importer.Created: 2, importer.Skipped: 3, importer.Failed: 1},
		Errors:      []importer.ErrorCount{{Error: skip, N: 3}, {Error: "HTTP 422: bad phone", N: 1}},
		Problems:    []importer.RowProblem{{Line: 3, Status: importer.Failed, Error: "HTTP 422: bad phone"}, {Line: 4, Status: importer.Skipped, Error: skip}, {Line: 5, Status: importer.Skipped, Error: skip}},
		Requests:    3,
		Interrupted: true,
		Output:      "k-result.csv",
		Journal:     "k-result.csv.journal",
		Plan:        importer.Plan{Input: "k.csv"},
	}
	got := summaryText(t, &runOptions{mapping: "m.yaml", baseURL: defaultBaseURL}, sum)
	if strings.Contains(got, "interrupted;") || strings.Contains(got, "row 4") {
		t.Errorf("the unsent rows are listed as problems:\n%s", got)
	}
	if !strings.Contains(got, "row 3, failed: HTTP 422: bad phone") || !strings.Contains(got, "Run the same command again") {
		t.Errorf("summary lacks the failed row or the resume hint:\n%s", got)
	}
}

// TestSummaryRateOnlyOverASecond: a burst of requests sent within a
// moment has no meaningful rate (a resumed run once printed 181499.7/s).
func TestSummaryRateOnlyOverASecond(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	sum := &importer.Summary{
		Counts:    map[importer.Status]int{importer.Created: 21},
		Requests:  21,
		FirstSent: t0, LastSent: t0.Add(100 * time.Microsecond),
		Output: "k-result.csv",
	}
	o := &runOptions{mapping: "m.yaml", baseURL: defaultBaseURL}
	if got := summaryText(t, o, sum); !strings.Contains(got, "(21 requests).") {
		t.Errorf("burst summary:\n%s", got)
	}
	sum.LastSent = t0.Add(10 * time.Second)
	if got := summaryText(t, o, sum); !strings.Contains(got, "(21 requests, 2.0/s).") {
		t.Errorf("10 s summary:\n%s", got)
	}
}

// TestSummaryWhenSendingStopped: when SalesByte refused the uuid, the
// rows are not what needs fixing.
func TestSummaryWhenSendingStopped(t *testing.T) {
	sum := &importer.Summary{
		Counts:  map[importer.Status]int{importer.Failed: 3, importer.Skipped: 10},
		Stopped: &importer.StopReason{Kind: importer.StopRefused, Status: 404, Count: 3, Message: "Not found"},
		Output:  "k-result.csv",
	}
	got := summaryText(t, &runOptions{mapping: "m.yaml", baseURL: "http://127.0.0.1:8080", uuidFile: "uuid.txt"}, sum)
	if !strings.Contains(got, "SalesByte refused the first 3 requests with HTTP 404 (Not found); check SALESBYTE_UUID (or --uuid-file) and --base-url") {
		t.Errorf("summary does not say why it stopped and what to check:\n%s", got)
	}
	if strings.Contains(got, "fix the 3 rows") {
		t.Errorf("blames the rows for a stopped run:\n%s", got)
	}
	if !strings.Contains(got, "mend what stopped the run") || !strings.Contains(got, "sbimport run -m m.yaml -i k-result.csv --base-url http://127.0.0.1:8080 --uuid-file uuid.txt") {
		t.Errorf("summary lacks the next step:\n%s", got)
	}
}

func TestShellJoin(t *testing.T) {
	for in, want := range map[string]string{
		"kunder.csv":          "kunder.csv",
		"kunder december.csv": "'kunder december.csv'",
		"Åsa's lista.xlsx":    `'Åsa'\''s lista.xlsx'`,
		"/tmp/körning/k.csv":  "/tmp/körning/k.csv",
		"a$b":                 "'a$b'",
		"":                    "''",
	} {
		if got := quoteFor(posixShell, []string{in}); got != want {
			t.Errorf("quoteFor(%q) = %s; want %s", in, got, want)
		}
	}
}

// TestInitFindsAHeaderBelowATitle: an export with a title above the
// header used to give a mapping of one column; now init says which row
// looks like the header, and the mapping it writes remembers it.
func TestInitFindsAHeaderBelowATitle(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "export.xlsx")
	rows := append([][]string{{"Kundlista december"}, {}}, endpointSheets["template"]...)
	writeXLSX(t, in, rows)
	c := &cli{t: t, env: map[string]string{}}
	m := filepath.Join(dir, "m.yaml")
	code, _, stderr := c.run("init", "-i", in, "-o", m)
	if code != 2 || !strings.Contains(stderr, "row 1 has 1 column name, but row 3 has 7") || !strings.Contains(stderr, "--header-row 3") {
		t.Fatalf("exit %d; want 2 and a pointer to row 3\n%s", code, stderr)
	}
	if _, err := os.Stat(m); err == nil {
		t.Error("a mapping was written from the title row")
	}
	code, _, stderr = c.run("init", "-i", in, "-o", m, "--header-row", "3")
	if code != 0 || !strings.HasSuffix(stderr, "sbimport validate -m "+m+" -i "+in+"\n") {
		t.Errorf("exit %d; want the next step without --header-row (the mapping holds it)\n%s", code, stderr)
	}
	// --header-row 1 given on purpose is obeyed.
	if code, _, stderr = c.run("init", "-i", in, "-o", "-", "--header-row", "1"); code != 0 {
		t.Errorf("--header-row 1: exit %d\n%s", code, stderr)
	}
	// A header on row 1 is not questioned.
	in2 := filepath.Join(dir, "plain.xlsx")
	writeXLSX(t, in2, endpointSheets["template"])
	if code, _, stderr = c.run("init", "-i", in2, "-o", "-"); code != 0 {
		t.Errorf("header on row 1: exit %d\n%s", code, stderr)
	}
}

// TestInitDelimiter: init takes --delimiter (and --encoding) as run does,
// for a sheet whose delimiter is not detected, and passes it on.
func TestInitDelimiter(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "k.csv")
	writeCSV(t, in, endpointSheets["quote"], ';', false)
	c := &cli{t: t, env: map[string]string{}}
	m := filepath.Join(dir, "m.yaml")
	code, _, stderr := c.run("init", "-i", in, "-o", m, "--delimiter", ";", "--encoding", "utf-8")
	if code != 0 || !strings.HasSuffix(stderr, " -i "+in+" --delimiter ';' --encoding utf-8\n") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(m); !strings.Contains(string(b), "customer_email: E-post") {
		t.Errorf("mapping:\n%s", b)
	}
	if code, _, stderr := c.run("init", "-i", in, "-o", "-", "--delimiter", "x"); code != 2 || !strings.Contains(stderr, "--delimiter") {
		t.Errorf("bad --delimiter: exit %d\n%s", code, stderr)
	}
}

// A full disk stops the journal: the user hears what was sent, that the
// output was not written, and that the same command resumes once there
// is room (exit 1), not a bare "write journal: no space left".
func TestSummaryWhenTheJournalCannotBeWritten(t *testing.T) {
	var b bytes.Buffer
	sum := &importer.Summary{
		Counts:  map[importer.Status]int{importer.Created: 7, importer.Skipped: 13},
		Journal: "/data/k-result.csv.journal",
		Stopped: &importer.StopReason{Kind: importer.StopJournal, Err: errors.New("no space left on device")},
	}
	err := journalStopped(streams{Err: &b}, &runOptions{}, sum, errors.New("write journal: no space left on device"))
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitRowsFailed {
		t.Errorf("err %v; want exit 1", err)
	}
	got := b.String()
	for _, want := range []string{"journal /data/k-result.csv.journal could not be written (no space left on device)", "7 created", "output sheet was not written", "free disk space in /data, then run the same command again"} {
		if !strings.Contains(got, want) {
			t.Errorf("words lack %q:\n%s", want, got)
		}
	}
}

// The rate found says whether it is just under a limit SalesByte showed,
// or only the fastest sent without one (--rate auto at --max-rate).
func TestSummarySaysHowTheRateWasFound(t *testing.T) {
	o := &runOptions{}
	for _, c := range []struct {
		atLimit bool
		want    string
	}{
		{true, "Rate found: 9.7 requests/s, just under SalesByte's limit; next time you can give --rate 9.7"},
		{false, "Rate found: 20.0 requests/s, the fastest sent without SalesByte asking to slow down; next time you can give --rate 20.0"},
	} {
		rate := 9.7
		if !c.atLimit {
			rate = 20
		}
		sum := &importer.Summary{Counts: map[importer.Status]int{importer.Created: 5}, Requests: 5, FoundRate: rate, FoundAtLimit: c.atLimit}
		if got := summaryText(t, o, sum); !strings.Contains(got, c.want) {
			t.Errorf("at limit %v: summary lacks %q:\n%s", c.atLimit, c.want, got)
		}
	}
}
