package explain

import (
	"fmt"
	"time"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
)

// Endpoint says in one sentence what an endpoint creates.
func Endpoint(e salesbyte.Endpoint) string {
	switch e {
	case salesbyte.Lead:
		return "A brand-awareness lead: a customer SalesByte's salespeople follow up, with tags and custom fields; no quote yet."
	case salesbyte.Template:
		return "A quote copied from one of your SalesByte quote templates (quote_template_id), filled in with each customer's details."
	}
	return "A quote built from the sheet: the customer, how it is sent (send_type), and its alternatives with products."
}

// Kept says why rows an earlier run settled are not sent again.
func Kept(st importer.Status) string {
	switch st {
	case importer.Created:
		return "already created, not sent again"
	case importer.Unknown:
		return "outcome unknown, not sent again (reconcile finds out)"
	}
	return "kept as they are"
}

// Done is the one-line tally after a run, as the command line prints it.
func Done(c map[importer.Status]int) string {
	return fmt.Sprintf("Done: %d created, %d failed, %d invalid, %d unknown, %d skipped",
		c[importer.Created], c[importer.Failed], c[importer.Invalid], c[importer.Unknown], c[importer.Skipped])
}

// Stopped says why sending stopped early.
func Stopped(r importer.StopReason) string { return r.String() }

// Reconciled says what reconcile found, as the command line says it.
func Reconciled(rs *importer.ReconcileSummary) string {
	if rs.ToSettle == 0 {
		return "Nothing to reconcile: no row is unknown or created without an id."
	}
	return fmt.Sprintf("Reconciled %d rows: %d found, %d not created (now failed), %d ambiguous.", rs.ToSettle, rs.Found, rs.NotFound, rs.Ambiguous)
}

// SlowedDown says that SalesByte asked for fewer requests, for the
// command line's progress and the page alike.
func SlowedDown(e importer.SlowedDown) string {
	then := "goes on"
	if e.Rate > 0 {
		then = fmt.Sprintf("goes on at %.1f requests/s", e.Rate)
	}
	if e.Pause <= 0 {
		return fmt.Sprintf("SalesByte asked us to slow down (HTTP %d): the run %s", e.Status, then)
	}
	return fmt.Sprintf("SalesByte refused again (HTTP %d): every request waits %s, then %s", e.Status, e.Pause.Round(time.Millisecond), then)
}
