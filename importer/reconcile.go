package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

// QuoteLister lists quotes through SalesByte's Quotes API.
// *salesbyte.QuotesClient is one.
type QuoteLister interface {
	List(ctx context.Context, opts salesbyte.ListOptions) (salesbyte.QuotePage, error)
}

// ReconcileConfig settles the rows of an output sheet whose outcome is
// unknown, or that were created without an id, by finding their quotes
// through the Quotes API.
type ReconcileConfig struct {
	Input   string        // an output sheet of run
	Read    sheet.Options // how to read it
	Output  string        // "" = Input, updated in place (atomically)
	Mapping string        // "" = the mapping the run's journal names
	Quotes  QuoteLister
	Now     func() time.Time
	// Slack widens the run's time window on both sides; 0 = 15 minutes.
	Slack time.Duration
	Logf  func(format string, args ...any)
}

// ReconcileSummary is what reconcile found.
type ReconcileSummary struct {
	ToSettle int // rows unknown, or created without an id
	Found    int // now created, with id and links
	// FoundUnknown counts the found rows that were unknown (the others
	// were created already, without an id).
	FoundUnknown int
	NotFound     int // unknown rows not created: now failed, safe to send again
	NoID         int // created rows whose quote was not found: still without id
	Ambiguous    int // more than one candidate: left for a person to decide
	Quotes       int // quotes read from the API
	Pages        int
	From, To     time.Time // the window searched
	Output       string
}

type target struct {
	at      int // the row's line in the sheet reconciled
	line    int // sb_row: the row in the run's input (the journal's key)
	status  Status
	email   string
	phone   string
	name    string
	outcome *Outcome // prior
	settled *Outcome // new
}

// Reconcile looks up the unsettled rows of an output sheet and writes the
// sheet again with what it found.
func Reconcile(ctx context.Context, cfg ReconcileConfig) (*ReconcileSummary, error) {
	if cfg.Output == "" {
		cfg.Output = cfg.Input
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Slack == 0 {
		cfg.Slack = 15 * time.Minute
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	src, err := openSource(cfg.Input, cfg.Read)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cols := src.cols
	if !cols.isResult {
		return nil, inputErr("%s has no sb_status column: reconcile reads an output sheet of sbimport run", cfg.Input)
	}
	// The run's lock: reconcile rewrites its sheet and journal.
	lk, err := lockOutput(cfg.Input)
	if err != nil {
		return nil, err
	}
	defer lk.Release()
	jpath := JournalPath(cfg.Input)
	js, jerr := readJournal(jpath)
	if jerr != nil && !errors.Is(jerr, os.ErrNotExist) {
		return nil, &InputError{Err: jerr}
	}
	if cfg.Mapping == "" {
		if js == nil || js.Mapping == "" {
			return nil, inputErr("reconcile needs the mapping the run used, to know which columns hold the customer's e-mail, phone and name: give it with -m")
		}
		cfg.Mapping = js.Mapping
	}
	spec, _, err := loadMapping(cfg.Mapping)
	if err != nil {
		return nil, err
	}
	mapper, err := spec.Compile(cols.header)
	if err != nil {
		return nil, &InputError{Err: err} // a *mapping.Error names the file and line
	}

	// Pass 1: the rows to settle, the ids already known, the time window.
	sum := &ReconcileSummary{Output: cfg.Output}
	var targets []*target
	known := make(map[int64]bool)
	var from, to time.Time
	widen := func(t time.Time) {
		if from.IsZero() || t.Before(from) {
			from = t
		}
		if t.After(to) {
			to = t
		}
	}
	if js != nil && js.Started != "" {
		if t, err := time.Parse(time.RFC3339, js.Started); err == nil {
			widen(t)
		}
	}
	err = src.each(func(row sheet.Row) {
		o, ok := outcomeFromCells(row.Cells, cols.result)
		if !ok {
			return
		}
		if o.ID != 0 {
			known[o.ID] = true
		}
		if o.At != "" {
			if t, err := time.Parse(time.RFC3339, o.At); err == nil && (o.Status == Created || o.Status == Unknown) {
				widen(t)
			}
		}
		if !(o.Status == Unknown || (o.Status == Created && o.ID == 0)) {
			return
		}
		res := mapper.Map(cols.userCells(row.Cells))
		t := &target{at: row.Line, line: row.Line, status: o.Status, outcome: o}
		if n, err := strconv.Atoi(strings.TrimSpace(cellAt(row.Cells, cols.result[colRow]))); err == nil {
			t.line = n
		}
		t.email, _ = res.Payload["customer_email"].(string)
		t.phone, _ = res.Payload["customer_phone"].(string)
		t.name, _ = res.Payload["customer_name"].(string)
		t.email = strings.ToLower(strings.TrimSpace(t.email))
		t.phone = digits(t.phone)
		t.name = normName(t.name)
		targets = append(targets, t)
	})
	if err != nil {
		return nil, &InputError{Err: err}
	}
	sum.ToSettle = len(targets)
	if len(targets) == 0 {
		return sum, nil
	}
	if to.IsZero() {
		to = cfg.Now()
	}
	if from.IsZero() {
		from = to.Add(-24 * time.Hour)
	}
	from, to = from.Add(-cfg.Slack), to.Add(cfg.Slack)
	sum.From, sum.To = from, to

	// Every quote created in the window, indexed by what identifies a customer.
	byEmail := make(map[string][]salesbyte.APIQuote)
	byPhone := make(map[string][]salesbyte.APIQuote)
	byName := make(map[string][]salesbyte.APIQuote)
	listed := make(map[int64]bool)
	for page := 1; ; page++ {
		p, err := cfg.Quotes.List(ctx, salesbyte.ListOptions{
			Page:        page,
			CreatedFrom: from.AddDate(0, 0, -1).Format("2006-01-02"),
			CreatedTo:   to.AddDate(0, 0, 1).Format("2006-01-02"),
			SortBy:      "created_at", SortOrder: "asc",
		})
		if err != nil {
			return nil, fmt.Errorf("list quotes (page %d): %w", page, err)
		}
		sum.Pages++
		fresh := false
		for _, q := range p.Data {
			sum.Quotes++
			if listed[q.ID] {
				continue // listed on an earlier page too: one candidate, not two
			}
			listed[q.ID], fresh = true, true
			if known[q.ID] || (!q.CreatedAt.IsZero() && (q.CreatedAt.Before(from) || q.CreatedAt.After(to))) {
				continue
			}
			if e := strings.ToLower(strings.TrimSpace(q.CustomerEmail)); e != "" {
				byEmail[e] = append(byEmail[e], q)
			}
			if d := digits(q.CustomerPhone); d != "" {
				byPhone[d] = append(byPhone[d], q)
			}
			if n := normName(q.CustomerName); n != "" {
				byName[n] = append(byName[n], q)
			}
		}
		// Every page must be read: a quote on an unread page would leave
		// its unknown row "not created" and sent again. Without last_page
		// the pages go on until one is empty, or repeats what was read (a
		// server that ignores page=).
		if len(p.Data) == 0 || !fresh || (p.LastPage > 0 && page >= p.LastPage) {
			break
		}
		if p.LastPage > 0 {
			cfg.Logf("reconcile: read page %d of %d", page, p.LastPage)
		} else {
			cfg.Logf("reconcile: read page %d", page)
		}
	}

	claimed := make(map[int64]bool)
	window := fmt.Sprintf("%s – %s", from.Format("2006-01-02 15:04"), to.Format("2006-01-02 15:04"))
	for _, t := range targets {
		cands := candidates(t, byEmail, byPhone, byName, claimed)
		now := cfg.Now().Format(time.RFC3339)
		switch {
		case len(cands) == 1:
			q := cands[0]
			claimed[q.ID] = true
			t.settled = &Outcome{Status: Created, ID: q.ID, Links: q.Links, HTTPStatus: t.outcome.HTTPStatus, Attempts: t.outcome.Attempts, At: now}
			sum.Found++
			if t.status == Unknown {
				sum.FoundUnknown++
			}
		case len(cands) > 1:
			ids := make([]string, len(cands))
			for i, q := range cands {
				ids[i] = strconv.FormatInt(q.ID, 10)
			}
			o := *t.outcome
			o.Error = fmt.Sprintf("reconcile: %d quotes match this row (ids %s); check them in SalesByte and set sb_status and sb_id by hand", len(cands), strings.Join(ids, ", "))
			t.settled = &o
			sum.Ambiguous++
		case t.status == Unknown:
			o := *t.outcome
			o.Status, o.At = Failed, now
			o.Error = "reconcile: no quote for this customer was created in " + window + ", so it was not created; it is safe to send again"
			t.settled = &o
			sum.NotFound++
		default:
			o := *t.outcome
			o.Error = "created, but reconcile found no quote for this customer in " + window + "; look it up in SalesByte"
			t.settled = &o
			sum.NoID++
		}
	}

	// Pass 2: write the sheet again with the settled rows, each found by
	// its line in this sheet (sb_row is the run's input line: a row added
	// by hand has none, and its line may be another row's sb_row).
	byLine := make(map[int]*target, len(targets))
	for _, t := range targets {
		byLine[t.at] = t
	}
	if err := rewrite(cfg, src, byLine); err != nil {
		return sum, err
	}
	// Tell the run's journal, so running the same command again keeps
	// what reconcile found.
	if js != nil {
		if err := journalSettled(jpath, js, targets, cfg.Now()); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func cellAt(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "0046") {
		d = "46" + d[4:]
	} else if strings.HasPrefix(d, "0") {
		d = "46" + d[1:]
	}
	return d
}

func normName(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// candidates are the quotes that could be t's: by e-mail when it has one,
// else by phone, else by name; narrowed by the other facts when several.
func candidates(t *target, byEmail, byPhone, byName map[string][]salesbyte.APIQuote, claimed map[int64]bool) []salesbyte.APIQuote {
	var pool []salesbyte.APIQuote
	switch {
	case t.email != "":
		pool = byEmail[t.email]
	case t.phone != "":
		pool = byPhone[t.phone]
	case t.name != "":
		pool = byName[t.name]
	}
	out := narrow(pool, func(q salesbyte.APIQuote) bool { return !claimed[q.ID] }, false)
	if t.name != "" {
		out = narrow(out, func(q salesbyte.APIQuote) bool { return normName(q.CustomerName) == t.name }, true)
	}
	if t.phone != "" {
		out = narrow(out, func(q salesbyte.APIQuote) bool { return digits(q.CustomerPhone) == t.phone }, true)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// narrow keeps the quotes that keep says; with soft, only when there are
// several and at least one is kept (a tie-breaker, not a filter).
func narrow(qs []salesbyte.APIQuote, keep func(salesbyte.APIQuote) bool, soft bool) []salesbyte.APIQuote {
	if soft && len(qs) < 2 {
		return qs
	}
	var out []salesbyte.APIQuote
	for _, q := range qs {
		if keep(q) {
			out = append(out, q)
		}
	}
	if soft && len(out) == 0 {
		return qs
	}
	return out
}

// rewrite writes the sheet again; settled holds the targets by their line.
func rewrite(cfg ReconcileConfig, src *source, settled map[int]*target) error {
	r, err := src.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	cols := src.cols
	header := append(append([]string{}, cols.header...), ResultColumns...)
	w, err := sheet.Create(cfg.Output, header, src.format)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	counts := make(map[Status]int)
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.Abort()
			return err
		}
		user := cols.userCells(row.Cells)
		res := make([]string, len(ResultColumns))
		for i, j := range cols.result {
			res[i] = cellAt(row.Cells, j)
		}
		sbRow, _ := strconv.Atoi(strings.TrimSpace(res[colRow]))
		if sbRow == 0 {
			sbRow = row.Line
		}
		if t := settled[row.Line]; t != nil && t.settled != nil {
			res = t.settled.cells(sbRow)
		}
		st, _ := ParseStatus(res[colStatus])
		counts[st]++
		if err := w.Write(append(user[:len(user):len(user)], res...)); err != nil {
			w.Abort()
			return err
		}
	}
	t := [][]string{{"sbimport", "reconcile summary"}, {"Input", cfg.Input}, {"Reconciled", cfg.Now().Format(time.RFC3339)}, {"", ""}, {"Status", "Rows"}}
	for _, st := range Statuses {
		t = append(t, []string{string(st), strconv.Itoa(counts[st])})
	}
	return w.Commit(t)
}

// journalSettled appends reconcile's findings to the run's journal.
func journalSettled(path string, js *journalState, targets []*target, now time.Time) error {
	j, err := openJournal(path, js.Binding, js.Input, js.Mapping, js, now)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if t.settled != nil && (t.settled.Status != t.status || t.settled.ID != 0) {
			if err := j.Outcome(t.line, t.settled); err != nil {
				j.Close()
				return err
			}
		}
	}
	if err := j.End(js.Complete); err != nil {
		j.Close()
		return err
	}
	return j.Close()
}
