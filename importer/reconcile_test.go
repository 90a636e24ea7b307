package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// pagesWithoutLastPage lists through the sandbox's Quotes API but drops
// last_page, as an API that keeps its paging in a "meta" object does.
type pagesWithoutLastPage struct {
	inner *salesbyte.QuotesClient
	pages int
}

func (l *pagesWithoutLastPage) List(ctx context.Context, o salesbyte.ListOptions) (salesbyte.QuotePage, error) {
	l.pages++
	p, err := l.inner.List(ctx, o)
	p.LastPage, p.CurrentPage, p.Total = 0, 0, 0
	return p, err
}

// runThenForget runs e's sheet, then turns every row of the output into an
// unknown row without an id, as if every answer had been lost.
func runThenForget(t *testing.T, e *env) string {
	t.Helper()
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	rewriteCSV(t, out, func(recs [][]string) {
		for _, r := range recs[1:] {
			r[4], r[5], r[6], r[7], r[8], r[9] = "unknown", "", "", "", "", ""
		}
	})
	return out
}

func quotesClient(t *testing.T, e *env) *salesbyte.QuotesClient {
	t.Helper()
	qc, err := salesbyte.NewQuotesClient(e.url, salesbyte.NewSecret("tok"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return qc
}

// listing is a ReconcileConfig.Quotes that lists through l wherever asked.
func listing(l QuoteLister) func(string) (QuoteLister, error) {
	return func(string) (QuoteLister, error) { return l, nil }
}

// Reconcile must read every page even when the answer does not say how
// many there are: an unknown row whose quote is on an unread page would be
// marked failed, "safe to send again", and sent twice.
func TestReconcileReadsEveryPageWithoutLastPage(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(25)
	out := runThenForget(t, e)
	lister := &pagesWithoutLastPage{inner: quotesClient(t, e)}
	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: listing(lister)})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Found != 25 || sum.NotFound != 0 {
		t.Errorf("found %d, not found %d after %d pages; want all 25 found", sum.Found, sum.NotFound, lister.pages)
	}
	_, rows := readCSV(t, out)
	for i, r := range rows {
		if r["sb_status"] != "created" || r["sb_id"] == "" {
			t.Errorf("row %d: %s %q; want created with an id", i, r["sb_status"], r["sb_error"])
		}
	}
}

// overlappingPages repeats the last quote of each page at the start of the
// next, as pages shift when quotes are created while they are read.
type overlappingPages struct {
	inner *salesbyte.QuotesClient
	last  *salesbyte.APIQuote
}

func (l *overlappingPages) List(ctx context.Context, o salesbyte.ListOptions) (salesbyte.QuotePage, error) {
	p, err := l.inner.List(ctx, o)
	if err != nil || len(p.Data) == 0 {
		return p, err
	}
	last := p.Data[len(p.Data)-1]
	if l.last != nil {
		p.Data = append([]salesbyte.APIQuote{*l.last}, p.Data...)
	}
	l.last = &last
	return p, nil
}

// A quote read twice is one candidate, not an ambiguity between itself and itself.
func TestReconcileQuoteOnTwoPagesIsOneCandidate(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(15)
	out := runThenForget(t, e)
	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: listing(&overlappingPages{inner: quotesClient(t, e)})})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Found != 15 || sum.Ambiguous != 0 {
		t.Errorf("found %d, ambiguous %d; want 15 and 0", sum.Found, sum.Ambiguous)
	}
}

// Reconcile writes its findings to the rows it read them for. A row added
// to the output sheet by hand has no sb_row, and its line may equal another
// row's sb_row (the run's input had a blank line): it must stay as it is.
func TestReconcileSettlesTheRowItFoundNotOneWithTheSameLine(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("k.csv", "Förnamn,Efternamn,E-post,Mobil\nA,B,a@example.se,0701234567\n\nC,D,c@example.se,0701234568\n")
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	// c@ (sb_row 4, line 3 of the output) lost its answer; a new row is
	// added below it, on line 4.
	rewriteCSV(t, out, func(recs [][]string) {
		r := recs[2]
		r[4], r[5], r[6], r[7], r[8], r[9] = "unknown", "", "", "", "", ""
	})
	f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("E,F,e@example.se,0701234569" + strings.Repeat(",", len(ResultColumns)) + "\n")
	f.Close()
	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: listing(quotesClient(t, e))})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Found != 1 {
		t.Fatalf("found %d; want 1", sum.Found)
	}
	_, rows := readCSV(t, out)
	if rows[1]["sb_status"] != "created" || rows[1]["sb_id"] == "" {
		t.Errorf("c@: %v; want created with its id", rows[1])
	}
	if rows[2]["sb_status"] != "" || rows[2]["sb_id"] != "" {
		t.Errorf("the new row e@ was given %q id %q; want it left unsent", rows[2]["sb_status"], rows[2]["sb_id"])
	}
}

// countingLister counts the pages asked of inner.
type countingLister struct {
	inner QuoteLister
	calls int
}

func (l *countingLister) List(ctx context.Context, o salesbyte.ListOptions) (salesbyte.QuotePage, error) {
	l.calls++
	return l.inner.List(ctx, o)
}

// servers is a ReconcileConfig.Quotes over sandboxes by address: it
// remembers the address it was asked for and counts the pages listed.
type servers struct {
	t      *testing.T
	byURL  map[string]*env
	asked  []string
	lister *countingLister
}

func (s *servers) quotes(baseURL string) (QuoteLister, error) {
	s.asked = append(s.asked, baseURL)
	e := s.byURL[baseURL]
	if e == nil {
		s.t.Fatalf("reconcile asked for quotes at %q, which is none of the test's servers", baseURL)
	}
	s.lister = &countingLister{inner: quotesClient(s.t, e)}
	return s.lister, nil
}

// runAt runs e's sheet of n customers as sent to e's address, then turns
// every row into an unknown row, as if every answer had been lost.
func runAt(t *testing.T, e *env, n int) string {
	t.Helper()
	e.customers(n)
	cfg := e.config()
	cfg.BaseURL = e.url
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	rewriteCSV(t, out, func(recs [][]string) {
		for _, r := range recs[1:] {
			r[4], r[5], r[6], r[7], r[8], r[9] = "unknown", "", "", "", "", ""
		}
	})
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A run's journal records the server it sent to. Reconcile pointed at
// another server would find none of the run's quotes there and mark its
// unknown rows failed, "safe to send again": it must refuse, read nothing
// and change nothing, unless told to go on.
func TestReconcileRefusesAnotherServerThanTheRuns(t *testing.T) {
	a := newEnv(t, sandbox.Options{}, nil)
	b := newEnv(t, sandbox.Options{}, nil)
	out := runAt(t, a, 3)
	srv := &servers{t: t, byURL: map[string]*env{a.url: a, b.url: b}}
	sheetBefore, journalBefore := readFile(t, out), readFile(t, JournalPath(out))

	_, err := Reconcile(context.Background(), ReconcileConfig{Input: out, BaseURL: b.url, Quotes: srv.quotes})
	var mm *BaseURLMismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("reconcile at another server: err %v; want a *BaseURLMismatchError", err)
	}
	if mm.Recorded != a.url || mm.Given != b.url || mm.Sheet != out {
		t.Errorf("mismatch names recorded %q, given %q, sheet %q; want %q, %q, %q", mm.Recorded, mm.Given, mm.Sheet, a.url, b.url, out)
	}
	if strings.Contains(err.Error(), testUUID) || !strings.Contains(err.Error(), a.url) || !strings.Contains(err.Error(), b.url) {
		t.Errorf("error %q: want both addresses and no uuid", err)
	}
	if srv.lister != nil && srv.lister.calls > 0 {
		t.Errorf("refused, yet listed %d pages", srv.lister.calls)
	}
	if readFile(t, out) != sheetBefore || readFile(t, JournalPath(out)) != journalBefore {
		t.Fatal("refused, yet the sheet or its journal changed")
	}

	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, BaseURL: b.url, ForceBaseURL: true, Quotes: srv.quotes})
	if err != nil {
		t.Fatal(err)
	}
	if last := srv.asked[len(srv.asked)-1]; last != b.url || sum.BaseURLFrom != BaseURLForced || sum.RecordedBaseURL != a.url {
		t.Errorf("forced: listed at %q (%v, recorded %q); want %q, forced, recorded %q", last, sum.BaseURLFrom, sum.RecordedBaseURL, b.url, a.url)
	}
	if sum.NotFound != 3 {
		t.Errorf("forced at an empty server: %d rows not found; want 3", sum.NotFound)
	}
}

// Without an address reconcile lists at the one the run's journal
// records, and the same address written another way is no mismatch; the
// record survives reconcile appending to the journal.
func TestReconcileListsWhereTheRunSent(t *testing.T) {
	a := newEnv(t, sandbox.Options{}, nil)
	out := runAt(t, a, 3)
	srv := &servers{t: t, byURL: map[string]*env{a.url: a}}
	for i, given := range []string{"", strings.Replace(a.url, "http://", "HTTP://", 1) + "/"} {
		sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, BaseURL: given, Quotes: srv.quotes})
		if err != nil {
			t.Fatalf("reconcile %d (--base-url %q): %v", i+1, given, err)
		}
		if srv.asked[i] != a.url || sum.BaseURLFrom != BaseURLRecorded || sum.BaseURL != a.url {
			t.Errorf("reconcile %d (--base-url %q): listed at %q (%v); want the recorded %q", i+1, given, srv.asked[i], sum.BaseURLFrom, a.url)
		}
		if i == 0 && sum.Found != 3 {
			t.Errorf("found %d; want 3", sum.Found)
		}
		// The second pass finds nothing left to settle, after reading
		// the journal that the first one appended to.
		if i == 1 && sum.ToSettle != 0 {
			t.Errorf("second reconcile: %d rows to settle; want 0", sum.ToSettle)
		}
	}
}

// A journal that records no address (an older sbimport's) leaves the
// choice to the caller as before, and the summary says it was not checked.
func TestReconcileWithoutRecordedServerSaysSo(t *testing.T) {
	a := newEnv(t, sandbox.Options{}, nil)
	a.customers(3)
	out := runThenForget(t, a) // e.config() leaves BaseURL empty: nothing recorded
	for _, tc := range []struct{ given, want string }{{a.url, a.url}, {"", salesbyte.DefaultBaseURL}} {
		srv := &servers{t: t, byURL: map[string]*env{a.url: a, salesbyte.DefaultBaseURL: a}}
		sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, BaseURL: tc.given, Quotes: srv.quotes})
		if err != nil {
			t.Fatal(err)
		}
		if srv.asked[0] != tc.want || sum.BaseURLFrom != BaseURLNotRecorded || sum.BaseURL != tc.want || sum.RecordedBaseURL != "" {
			t.Errorf("given %q: listed at %q (%v, %q); want %q, not recorded", tc.given, srv.asked[0], sum.BaseURLFrom, sum.BaseURL, tc.want)
		}
	}
}

// A quote is one row's: reconcile never gives the id of a quote to a
// second row, whether the first row is settled in the sheet already or is
// matched earlier in the same pass. Two rows for the same customer and one
// quote listed: one row has it, the other is reported without that id.
func TestReconcileNeverGivesOneQuoteToTwoRows(t *testing.T) {
	for _, tc := range []struct {
		name       string
		firstKnown bool // the first row is created with the quote's id already
	}{{"both unknown", false}, {"first already created", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{}, nil)
			e.customers(1)
			if _, err := Run(context.Background(), e.config()); err != nil {
				t.Fatal(err)
			}
			out := DefaultOutput(e.input)
			_, rows := readCSV(t, out)
			id := rows[0]["sb_id"]
			twoRowsOneCustomer(t, out, tc.firstKnown)
			sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: listing(quotesClient(t, e))})
			if err != nil {
				t.Fatal(err)
			}
			_, rows = readCSV(t, out)
			if rows[0]["sb_id"] != id || rows[0]["sb_status"] != "created" {
				t.Errorf("first row: %s id %q; want created with the quote's id %s", rows[0]["sb_status"], rows[0]["sb_id"], id)
			}
			if r := rows[1]; r["sb_id"] != "" || r["sb_status"] == "created" || r["sb_error"] == "" {
				t.Errorf("second row for the same customer: %s id %q error %q; want it reported without the first row's id %s", r["sb_status"], r["sb_id"], r["sb_error"], id)
			}
			if sum.Found+sum.Ambiguous+sum.NotFound+sum.NoID != sum.ToSettle || sum.Found > 1 {
				t.Errorf("summary %+v: want at most one row found", sum)
			}
		})
	}
}

// twoRowsOneCustomer adds to a run's output sheet of one row a second row
// for the same customer (same e-mail and phone, another first name), both
// unknown, or the first left as created with firstKnown.
func twoRowsOneCustomer(t *testing.T, out string, firstKnown bool) {
	t.Helper()
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	second := append([]string{}, recs[1]...)
	second[0], second[13] = "Berit", "3"
	recs = append(recs, second)
	for i, r := range recs[1:] {
		if i > 0 || !firstKnown {
			r[4], r[5], r[6], r[7], r[8], r[9] = "unknown", "", "", "", "", ""
		}
	}
	var b strings.Builder
	csv.NewWriter(&b).WriteAll(recs)
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The journal records, and reconcile compares, an address as scheme, host
// and path: one address written two ways is one, and a user, password,
// query or fragment never reaches the journal or a message.
func TestCleanBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "",
		"https://app.salesbyte.se":           "https://app.salesbyte.se",
		" HTTPS://App.SalesByte.se:443/ ":    "https://app.salesbyte.se",
		"https://app.salesbyte.se:8443/sb/":  "https://app.salesbyte.se:8443/sb",
		"http://127.0.0.1:80":                "http://127.0.0.1",
		"http://[::1]:8080/":                 "http://[::1]:8080",
		"https://u:secret@host.se/x?k=v#top": "https://host.se/x",
	} {
		if got := cleanBaseURL(in); got != want {
			t.Errorf("cleanBaseURL(%q) = %q; want %q", in, got, want)
		}
	}
}

// localTimes hands out the quotes with created_at as a server writing its
// own local time with no zone would (here UTC+10): read as UTC, each is
// ten hours off.
type localTimes struct{ inner QuoteLister }

func (l localTimes) List(ctx context.Context, o salesbyte.ListOptions) (salesbyte.QuotePage, error) {
	p, err := l.inner.List(ctx, o)
	for i := range p.Data {
		p.Data[i].CreatedAt = p.Data[i].CreatedAt.Add(10 * time.Hour)
		p.Data[i].CreatedAtZoned = false
	}
	return p, err
}

// A created_at without a zone may be the server's local time: its quote
// is still found, not its row marked failed, "safe to send again".
func TestReconcileFindsQuotesWhoseTimesHaveNoZone(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5)
	out := runThenForget(t, e)
	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: listing(localTimes{quotesClient(t, e)})})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Found != 5 || sum.NotFound != 0 {
		t.Errorf("found %d, not found %d; want all 5 found whatever zone their times were written in", sum.Found, sum.NotFound)
	}
}
