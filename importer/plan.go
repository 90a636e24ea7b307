package importer

import (
	"fmt"
	"hash/maphash"
	"maps"
	"strings"

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
	// Messages says what customers will receive, most common first.
	Messages []MessageCount
	Rate     float64 // requests/s (with MaxRate: where auto starts)
	MaxRate  float64 // > 0: --rate auto, climbing up to this
}

// MessageCount is how many rows will produce one kind of customer message.
type MessageCount struct {
	What string
	N    int
}

func (p Plan) String() string {
	var b strings.Builder
	noun := nounFor(p.Endpoint)
	fmt.Fprintf(&b, "Plan: create %s (%s endpoint)\n", noun.plural, p.Endpoint)
	fmt.Fprintf(&b, "  input:   %s", p.Input)
	if p.Sheet != "" {
		fmt.Fprintf(&b, " (sheet %q)", p.Sheet)
	}
	fmt.Fprintf(&b, ", %s rows\n", thousands(p.Rows))
	fmt.Fprintf(&b, "  output:  %s\n", p.Output)
	if p.Resumed {
		fmt.Fprintf(&b, "  resuming the unfinished run recorded in %s\n", p.Journal)
	}
	fmt.Fprintf(&b, "  to send:              %s\n", thousands(p.ToSend))
	if p.Invalid > 0 {
		fmt.Fprintf(&b, "  invalid (not sent):   %s  (every problem is listed in sb_error)\n", thousands(p.Invalid))
	}
	if p.Dupes > 0 {
		fmt.Fprintf(&b, "  duplicates (skipped): %s  (same key as an earlier row; --allow-duplicates sends them)\n", thousands(p.Dupes))
	}
	for _, st := range Statuses {
		if n := p.Kept[st]; n > 0 {
			why := "kept as they are"
			switch st {
			case Created:
				why = "already created, not sent again"
			case Unknown:
				why = "outcome unknown, not sent again (run reconcile, or --retry-unknown)"
			}
			fmt.Fprintf(&b, "  %-21s %s  (%s)\n", string(st)+":", thousands(n), why)
		}
	}
	for _, m := range p.Messages {
		fmt.Fprintf(&b, "  %s %s %s\n", thousands(m.N), pluralize(noun, m.N), m.What)
	}
	if p.ToSend > 0 {
		if p.MaxRate > 0 {
			fmt.Fprintf(&b, "  rate: auto, from %g up to %g requests/s (the most SalesByte accepts), about %s at most\n",
				p.Rate, p.MaxRate, humanDuration(float64(p.ToSend)/p.Rate))
		} else if p.Rate > 0 {
			secs := float64(p.ToSend) / p.Rate
			fmt.Fprintf(&b, "  rate: %g requests/s, about %s\n", p.Rate, humanDuration(secs))
		} else {
			fmt.Fprintf(&b, "  rate: unlimited\n")
		}
	}
	return b.String()
}

type noun struct{ singular, plural string }

func nounFor(e salesbyte.Endpoint) noun {
	switch e {
	case salesbyte.Lead:
		return noun{"lead", "leads"}
	case salesbyte.Template:
		return noun{"quote from a template", "quotes from a template"}
	}
	return noun{"quote", "quotes"}
}

func pluralize(n noun, k int) string {
	if k == 1 {
		return n.singular
	}
	return n.plural
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func humanDuration(secs float64) string {
	switch {
	case secs < 1.5:
		return "a second"
	case secs < 90:
		return fmt.Sprintf("%.0f s", secs)
	case secs < 90*60:
		return fmt.Sprintf("%.0f min", secs/60)
	default:
		return fmt.Sprintf("%.1f h", secs/3600)
	}
}

// messageFor says what a customer receives for one request body.
func messageFor(e salesbyte.Endpoint, body map[string]any) string {
	trigger, hasTrigger := truthy(body["trigger_created_messages_to_customer"])
	st, _ := body["send_type"].(string)
	if e == salesbyte.Template {
		if trigger {
			return "will notify customers (trigger_created_messages_to_customer=true)"
		}
		return "will be created without notifying customers"
	}
	if hasTrigger && !trigger && e == salesbyte.Lead {
		return fmt.Sprintf("will be created without notifying customers (send_type=%s, trigger_created_messages_to_customer=false)", st)
	}
	switch st {
	case "email":
		return "will be e-mailed to customers: send_type=email"
	case "sms":
		return "will be texted (SMS) to customers: send_type=sms"
	case "dual":
		return "will be e-mailed and texted to customers: send_type=dual"
	case "auto":
		return "will be sent to customers by e-mail or SMS as SalesByte picks: send_type=auto"
	case "none":
		return "will be created without sending anything to customers: send_type=none"
	case "":
		return "will be created (no send_type)"
	}
	return "will be sent with send_type=" + st
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
	tries   int // attempts already made (journal), so numbering goes on
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
	h := maphash.String(p.seed, key)
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
func (p *planner) learnSettled(src *source) error {
	if p.journal == nil && !p.cols.isResult {
		return nil
	}
	return src.each(func(row sheet.Row) {
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
				return decision{outcome: &o, kept: true}
			case jr.Intent:
				p.remember(res.Key, row.Line)
				if p.cfg.RetryUnknown {
					return decision{send: true, body: res.Payload, key: res.Key, tries: jr.Attempts}
				}
				return decision{kept: true, outcome: &Outcome{
					Status:   Unknown,
					Attempts: jr.Attempts,
					Error:    "the run stopped while this row's request was in flight: it may have been created; run reconcile, or --retry-unknown to send it again",
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
		return decision{outcome: &Outcome{Status: Skipped, Error: "not selected by --only"}, kept: true}
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
			Error:  fmt.Sprintf("duplicate of row %d (same key %q); --allow-duplicates sends it", first, res.Key),
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
func (pl *Plan) tally(e salesbyte.Endpoint, d decision, msgs map[string]int) {
	pl.Rows++
	switch {
	case d.send:
		pl.ToSend++
		msgs[messageFor(e, d.body)]++
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

func sortedMessages(m map[string]int) []MessageCount {
	var out []MessageCount
	for _, kv := range byCount(m) {
		out = append(out, MessageCount{What: kv.text, N: kv.n})
	}
	return out
}
