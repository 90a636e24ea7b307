package importer

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"strings"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

// Plan is what a run is about to do, shown before the first request.
type Plan struct {
	Endpoint salesbyte.Endpoint
	Input    string
	Sheet    string
	Output   string
	Journal  string
	Rows     int // data rows in the sheet
	ToSend   int
	Invalid  int
	Dupes    int
	// Kept counts rows settled earlier (by the input sheet's sb_status or
	// the journal) that are not sent again, by status.
	Kept    map[Status]int
	Resumed bool // a journal of an unfinished run of this sheet is picked up
	// RemovedTemps are temporary files that runs stopped while writing
	// the output left beside it, removed.
	RemovedTemps []string
	// Deliveries says what customers will receive, most common first.
	Deliveries []DeliveryCount
	Rate       float64 // requests/s (with MaxRate: where auto starts)
	MaxRate    float64 // > 0: --rate auto, climbing up to this
	// Ledger is the ledger's path; "" without one.
	Ledger string
	// HeldRows counts the rows the ledger holds back (not in ToSend),
	// grouped in Held by reason and scope. LedgerUnchecked: a ledger is
	// used but there was no integration uuid to check the rows with.
	HeldRows        int
	Held            []ledger.Held
	LedgerUnchecked bool
	Campaign        string
}

// Delivery is what customers receive for one row.
type Delivery struct {
	// SendType is the row's send_type (email, sms, dual, auto, none), ""
	// when none is given or the endpoint has none (template).
	SendType string
	// Notify is false when the row is created without telling the
	// customer: send_type none, or trigger_created_messages_to_customer
	// false on a lead or a template.
	Notify bool
	// Silenced is true when Notify is false because of
	// trigger_created_messages_to_customer=false, whatever send_type says.
	Silenced bool
}

// DeliveryCount is how many rows will produce one kind of delivery.
type DeliveryCount struct {
	Delivery
	N int
}

// deliveryFor says what a customer receives for one request body.
func deliveryFor(e salesbyte.Endpoint, body map[string]any) Delivery {
	trigger, hasTrigger := truthy(body["trigger_created_messages_to_customer"])
	if e == salesbyte.Template {
		return Delivery{Notify: trigger, Silenced: !trigger}
	}
	st, _ := body["send_type"].(string)
	if hasTrigger && !trigger && e == salesbyte.Lead {
		return Delivery{SendType: st, Silenced: true}
	}
	return Delivery{SendType: st, Notify: st != "none" && st != ""}
}

func truthy(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int:
		return x != 0, true
	case int64:
		return x != 0, true
	case float64:
		return x != 0, true
	case string:
		return x == "1" || strings.EqualFold(x, "true"), true
	}
	return false, false
}

// decision is what to do with one row.
type decision struct {
	send    bool
	body    map[string]any
	key     string
	outcome *Outcome // when not sending: the row's settled outcome
	kept    bool     // outcome carried over from the sheet or the journal
	dupe    bool
	tries   int   // attempts already made (journal), so numbering goes on
	entry   int64 // the ledger entry this run's journal recorded for the row
}

// planner decides, row by row, what to do. Both passes use one, so the
// plan shown is exactly what is then done.
type planner struct {
	cfg     *Config
	cols    columns
	mapper  *mapping.Mapper
	journal *journalState // nil: no earlier run
	seed    maphash.Seed
	seen    map[uint64]int // hash of a key → line of the first row with it
	only    map[Status]bool
}

func newPlanner(cfg *Config, cols columns, m *mapping.Mapper, js *journalState, seed maphash.Seed) *planner {
	p := &planner{cfg: cfg, cols: cols, mapper: m, journal: js, seed: seed, seen: make(map[uint64]int)}
	if len(cfg.Only) > 0 {
		p.only = make(map[Status]bool)
		for _, s := range cfg.Only {
			p.only[s] = true
		}
	}
	return p
}

func (p *planner) remember(key string, line int) (first int, dup bool) {
	if key == "" {
		return 0, false
	}
	h := maphash.String(p.seed, ledger.NormalizeKey(key))
	if first, ok := p.seen[h]; ok {
		return first, first != line
	}
	p.seen[h] = line
	return 0, false
}

// settled says whether row was created, or may have been, in an earlier
// run: its key then belongs to it wherever it stands in the sheet. It
// follows decide's order: this run's journal first, then the sheet's
// sb_status.
func (p *planner) settled(row sheet.Row) bool {
	if p.journal != nil {
		if jr := p.journal.rows[row.Line]; jr != nil {
			if jr.Outcome != nil {
				return jr.Outcome.Status == Created || jr.Outcome.Status == Unknown
			}
			if jr.Intent {
				return true
			}
		}
	}
	if p.cols.isResult {
		prior, ok := outcomeFromCells(row.Cells, p.cols.result)
		return unclear(prior, ok) != "" || prior.Status == Created || prior.Status == Unknown
	}
	return false
}

// learnSettled reads the sheet once to remember the keys of the rows
// settled in earlier runs, before any row is decided: a new row whose key
// is one of them is a duplicate even when it comes first. Only a sheet
// with a journal or sb_status columns can hold such rows.
func (p *planner) learnSettled(ctx context.Context, src *source) error {
	if p.journal == nil && !p.cols.isResult {
		return nil
	}
	return src.each(ctx, func(row sheet.Row) {
		if p.settled(row) {
			p.remember(p.mapper.Map(p.cols.userCells(row.Cells)).Key, row.Line)
		}
	})
}

// clone is a planner that starts from what p has learnt.
func (p *planner) clone() *planner {
	c := *p
	c.seen = maps.Clone(p.seen)
	return &c
}

// decide says what to do with row; userCells are its cells without any
// sb_* columns.
func (p *planner) decide(row sheet.Row, userCells []string) decision {
	res := p.mapper.Map(userCells)

	// What this run's journal knows wins: it is the latest truth.
	tries := 0
	if p.journal != nil {
		if jr := p.journal.rows[row.Line]; jr != nil {
			tries = jr.Attempts
			switch {
			case jr.Outcome != nil:
				o := *jr.Outcome
				if o.Status == Created || o.Status == Unknown {
					p.remember(res.Key, row.Line)
				}
				if o.Status == Unknown && p.cfg.RetryUnknown {
					return decision{send: true, body: res.Payload, key: res.Key, tries: jr.Attempts}
				}
				return decision{outcome: &o, kept: true, entry: jr.Entry, key: res.Key}
			case jr.Intent:
				p.remember(res.Key, row.Line)
				if p.cfg.RetryUnknown {
					return decision{send: true, body: res.Payload, key: res.Key, tries: jr.Attempts}
				}
				return decision{kept: true, outcome: &Outcome{
					Status:   Unknown,
					Attempts: jr.Attempts,
					Error:    "the run stopped while this row's request was in flight: it may have been created; reconcile finds out",
				}}
			}
		}
	}

	// An earlier output sheet's status.
	if p.cols.isResult {
		prior, ok := outcomeFromCells(row.Cells, p.cols.result)
		if why := unclear(prior, ok); why != "" {
			// Typed by hand, it may mean the row was created: never send
			// it on a guess. Its id and links stay.
			return decision{outcome: &Outcome{Status: Invalid, ID: prior.ID, Links: prior.Links, Error: why}}
		}
		keep := false
		switch {
		case prior.Status == Created:
			keep = true
		case prior.Status == Unknown && !p.cfg.RetryUnknown:
			keep = true
		case p.only != nil && !p.only[prior.Status]:
			keep = true
		}
		if keep {
			if prior.Status == Created || prior.Status == Unknown {
				p.remember(res.Key, row.Line)
			}
			return decision{outcome: prior, kept: true}
		}
	} else if p.only != nil && !p.only[Pending] {
		return decision{outcome: &Outcome{Status: Skipped, Error: "not among the rows chosen for this re-run"}, kept: true}
	}

	var problems []string
	if row.Problem != "" {
		problems = append(problems, row.Problem)
	}
	for _, pr := range res.Problems {
		problems = append(problems, pr.String())
	}
	if len(problems) > 0 {
		return decision{outcome: &Outcome{Status: Invalid, Error: strings.Join(problems, "; ")}}
	}
	if first, dup := p.remember(res.Key, row.Line); dup && !p.cfg.AllowDuplicates {
		return decision{dupe: true, outcome: &Outcome{
			Status: Skipped,
			Error:  fmt.Sprintf("duplicate of row %d (same key %q)", first, res.Key),
		}}
	}
	return decision{send: true, body: res.Payload, key: res.Key, tries: tries}
}

// unclear says why an earlier output sheet's sb_* cells do not say whether
// the row was created ("" when they do): an sb_status sbimport does not
// write, or an sb_id on a row that is not created.
func unclear(prior *Outcome, ok bool) string {
	switch {
	case !ok:
		return fmt.Sprintf("sb_status %q is not one sbimport writes (%s): set it to failed to send the row again, or to created to keep it", prior.Status, statusList())
	case prior.ID != 0 && prior.Status != Created:
		return fmt.Sprintf("sb_id %d says this row was created, but sb_status is %q: set sb_status to created to keep it, or empty sb_id to send the row again", prior.ID, prior.Status)
	}
	return ""
}

func statusList() string {
	s := make([]string, len(Statuses))
	for i, st := range Statuses {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

// tally adds a decision to a plan.
func (pl *Plan) tally(e salesbyte.Endpoint, d decision, deliveries map[Delivery]int) {
	pl.Rows++
	switch {
	case d.send:
		pl.ToSend++
		deliveries[deliveryFor(e, d.body)]++
	case d.kept:
		if pl.Kept == nil {
			pl.Kept = make(map[Status]int)
		}
		pl.Kept[d.outcome.Status]++
	case d.dupe:
		pl.Dupes++
	case d.outcome.Status == Invalid:
		pl.Invalid++
	}
}

func sortedDeliveries(m map[Delivery]int) []DeliveryCount {
	out := make([]DeliveryCount, 0, len(m))
	for d, n := range m {
		out = append(out, DeliveryCount{d, n})
	}
	slices.SortFunc(out, func(a, b DeliveryCount) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.SendType, b.SendType), cmp.Compare(fmt.Sprint(a.Notify), fmt.Sprint(b.Notify)))
	})
	return out
}
