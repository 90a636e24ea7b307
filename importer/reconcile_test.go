package importer

import (
	"context"
	"os"
	"strings"
	"testing"

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

// Reconcile must read every page even when the answer does not say how
// many there are: an unknown row whose quote is on an unread page would be
// marked failed, "safe to send again", and sent twice.
func TestReconcileReadsEveryPageWithoutLastPage(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(25)
	out := runThenForget(t, e)
	lister := &pagesWithoutLastPage{inner: quotesClient(t, e)}
	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: lister})
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
	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: &overlappingPages{inner: quotesClient(t, e)}})
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
	sum, err := Reconcile(context.Background(), ReconcileConfig{Input: out, Quotes: quotesClient(t, e)})
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
