package explain

import (
	"testing"
	"time"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
)

func TestPageWords(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range []salesbyte.Endpoint{salesbyte.Lead, salesbyte.Quote, salesbyte.Template} {
		w := Endpoint(e)
		if w == "" || seen[w] {
			t.Errorf("Endpoint(%s) = %q: empty or the same as another endpoint's", e, w)
		}
		seen[w] = true
	}
	if got := Done(map[importer.Status]int{importer.Created: 47, importer.Invalid: 2, importer.Skipped: 1}); got != "Done: 47 created, 0 failed, 2 invalid, 0 unknown, 1 skipped" {
		t.Errorf("Done = %q", got)
	}
	if Kept(importer.Created) == Kept(importer.Unknown) || Kept(importer.Failed) != "kept as they are" {
		t.Errorf("Kept words: %q %q %q", Kept(importer.Created), Kept(importer.Unknown), Kept(importer.Failed))
	}
}

func TestReconciledWords(t *testing.T) {
	if got := Reconciled(&importer.ReconcileSummary{ToSettle: 5, Found: 3, NotFound: 1, Ambiguous: 1}); got != "Reconciled 5 rows: 3 found, 1 not created (now failed), 1 ambiguous." {
		t.Errorf("Reconciled = %q", got)
	}
	if got := Reconciled(&importer.ReconcileSummary{}); got == "" || got == Reconciled(&importer.ReconcileSummary{ToSettle: 1}) {
		t.Errorf("Reconciled(nothing) = %q", got)
	}
}

func TestSlowedDownWords(t *testing.T) {
	got := SlowedDown(importer.SlowedDown{Status: 429, Pause: 1500 * time.Millisecond, Rate: 3.5})
	if got != "SalesByte refused again (HTTP 429): every request waits 1.5s, then goes on at 3.5 requests/s" {
		t.Errorf("SlowedDown(pause) = %q", got)
	}
	if got := SlowedDown(importer.SlowedDown{Status: 429, Rate: 5}); got != "SalesByte asked us to slow down (HTTP 429): the run goes on at 5.0 requests/s" {
		t.Errorf("SlowedDown(no pause) = %q", got)
	}
	if got := SlowedDown(importer.SlowedDown{Status: 429, Pause: time.Second}); got != "SalesByte refused again (HTTP 429): every request waits 1s, then goes on" {
		t.Errorf("SlowedDown(unlimited) = %q", got)
	}
}
