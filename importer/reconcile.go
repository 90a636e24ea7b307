package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/mapping"
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
	// BaseURL is the SalesByte address to list quotes at; "" = the one the
	// run's journal records (else salesbyte.DefaultBaseURL). An address
	// other than the recorded one is refused (*BaseURLMismatchError)
	// unless ForceBaseURL.
	BaseURL      string
	ForceBaseURL bool
	// Quotes makes the lister for the address chosen.
	Quotes func(baseURL string) (QuoteLister, error)
	Now    func() time.Time
	// Slack widens the run's time window on both sides; 0 = 15 minutes.
	Slack time.Duration
	Logf  func(format string, args ...any)
	// HeldOpen is asked when the sheet cannot be replaced because another
	// program holds it open; nil gives up at once (nothing is changed).
	HeldOpen RetryPrompt
	// Ledger, when set, is told too: each unknown row settled is settled
	// in the scope of the run that sent it (the journal names the run),
	// and the rewritten sheet's hash is recorded.
	Ledger *ledger.Ledger
}

// BaseURLChoice says where the address reconcile listed quotes at came from.
type BaseURLChoice int

const (
	// BaseURLRecorded: the run's journal records it (and BaseURL, when
	// given, is the same address).
	BaseURLRecorded BaseURLChoice = iota
	// BaseURLNotRecorded: the journal records no address (written by an
	// older sbimport) or there is no journal; BaseURL or the default was
	// used without a check.
	BaseURLNotRecorded
	// BaseURLForced: BaseURL differs from the recorded address and
	// ForceBaseURL said to use it anyway.
	BaseURLForced
)

// BaseURLMismatchError is Reconcile refusing to list quotes at another
// SalesByte than the one the run sent its rows to: its rows would not be
// found there and would be marked failed, safe to send again, when they
// may have been created. Nothing was read from the API or changed.
type BaseURLMismatchError struct {
	Sheet    string // the output sheet
	Recorded string // where the run sent its rows, from its journal
	Given    string // where reconcile was told to look
}

func (e *BaseURLMismatchError) Error() string {
	return fmt.Sprintf("%s: the run sent its rows to %s, not to %s", e.Sheet, e.Recorded, e.Given)
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
	// BaseURL is the address listed, chosen as BaseURLFrom says;
	// RecordedBaseURL is the one the run's journal records ("" = none).
	BaseURL         string
	BaseURLFrom     BaseURLChoice
	RecordedBaseURL string
}

// Reconcile looks up the unsettled rows of an output sheet and writes the
// sheet again with what it found: it collects the unsettled rows, lists
// the quotes of the run's time window into an index, matches the two, and
// rewrites the sheet and the run's journal.
func Reconcile(ctx context.Context, cfg ReconcileConfig) (*ReconcileSummary, error) {
	cfg.setDefaults()
	rc, err := openReconcile(cfg)
	if err != nil {
		return nil, err
	}
	defer rc.close()
	sum := &ReconcileSummary{Output: cfg.Output, BaseURL: rc.baseURL, BaseURLFrom: rc.baseURLFrom, RecordedBaseURL: rc.recordedBaseURL()}
	u, err := collectUnsettled(ctx, rc)
	if err != nil {
		return nil, err
	}
	sum.ToSettle = len(u.rows)
	if len(u.rows) == 0 {
		return sum, nil
	}
	win := u.sent.searchWindow(cfg.Now(), cfg.Slack)
	sum.From, sum.To = win.from, win.to
	ix, err := listQuotes(ctx, rc.quotes, win, cfg.Logf)
	if err != nil {
		return nil, err
	}
	sum.Quotes, sum.Pages = ix.quotes, ix.pages
	matchRows(u, ix, cfg.Now, sum)
	if err := rewriteSheet(cfg, rc.src, u.rows); err != nil {
		return sum, err
	}
	if err := settleLedger(ctx, cfg, rc.journal, u.rows); err != nil {
		return sum, err
	}
	// Tell the run's journal, so running the same command again keeps
	// what reconcile found.
	if rc.journal != nil {
		if err := journalSettled(rc.jpath, rc.journal, u.rows, cfg.Now()); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func (cfg *ReconcileConfig) setDefaults() {
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
}

// reconciliation is what Reconcile works on.
type reconciliation struct {
	src     *source
	lock    *runLock
	jpath   string
	journal *journalState // nil: the run left none
	mapper  *mapping.Mapper
	quotes  QuoteLister
	baseURL string
	// baseURLFrom says where baseURL came from.
	baseURLFrom BaseURLChoice
}

func (rc *reconciliation) recordedBaseURL() string {
	if rc.journal == nil {
		return ""
	}
	return rc.journal.BaseURL
}

// openReconcile opens the sheet and reads its run's journal, then checks
// the address to list quotes at, and compiles the mapping. On error
// nothing is open.
func openReconcile(cfg ReconcileConfig) (*reconciliation, error) {
	// The mapping's sheet: says which sheet to read; a mapping that cannot
	// be loaded is reported by prepare, after the sheet's own problems.
	if spec, err := reconcileSpec(cfg); err == nil {
		cfg.Read, _ = sheetOptions(cfg.Input, cfg.Read, spec)
	}
	src, err := openSource(cfg.Input, cfg.Read)
	if err != nil {
		return nil, err
	}
	rc := &reconciliation{src: src, jpath: JournalPath(cfg.Input)}
	if err := rc.prepare(cfg); err != nil {
		rc.close()
		return nil, err
	}
	return rc, nil
}

// close releases the sheet and the run's lock.
func (rc *reconciliation) close() {
	rc.src.Close()
	if rc.lock != nil {
		rc.lock.Release()
	}
}

func (rc *reconciliation) prepare(cfg ReconcileConfig) error {
	if !rc.src.cols.isResult {
		return inputErr("%s has no sb_status column: reconcile reads an output sheet of sbimport run", cfg.Input)
	}
	// The run's lock, before its journal is read: reconcile rewrites both.
	lk, err := lockOutput(cfg.Input)
	if err != nil {
		return err
	}
	rc.lock = lk
	js, err := readJournal(rc.jpath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return &InputError{Err: err}
	}
	rc.journal = js
	if err := checkJournalVersion(rc.jpath, js, rc.src.format); err != nil {
		return err
	}
	if rc.baseURL, rc.baseURLFrom, err = chooseBaseURL(cfg, rc.recordedBaseURL()); err != nil {
		return err
	}
	if cfg.Quotes == nil {
		return errors.New("importer: ReconcileConfig.Quotes is not set")
	}
	if rc.quotes, err = cfg.Quotes(rc.baseURL); err != nil {
		return &InputError{Err: err}
	}
	rc.mapper, err = reconcileMapper(cfg, js, rc.src.cols.header)
	return err
}

// chooseBaseURL picks the address to list quotes at: the one the run's
// journal records; with none recorded, the one given, else the default.
// A given address other than the recorded one is a mismatch, unless
// cfg.ForceBaseURL.
func chooseBaseURL(cfg ReconcileConfig, recorded string) (string, BaseURLChoice, error) {
	given := cfg.BaseURL
	switch {
	case recorded == "" && given == "":
		return salesbyte.DefaultBaseURL, BaseURLNotRecorded, nil
	case recorded == "":
		return given, BaseURLNotRecorded, nil
	case given == "" || cleanBaseURL(given) == cleanBaseURL(recorded):
		return recorded, BaseURLRecorded, nil
	case cfg.ForceBaseURL:
		return given, BaseURLForced, nil
	}
	return "", 0, &BaseURLMismatchError{Sheet: cfg.Input, Recorded: recorded, Given: cleanBaseURL(given)}
}

// cleanBaseURL is an address as scheme://host[:port][/path], the form the
// journal records and reconcile compares: scheme and host in lower case,
// no default port, no trailing slash, and never a user, password, query
// or fragment. What does not parse as a URL is returned trimmed.
func cleanBaseURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if (scheme == "https" && strings.HasSuffix(host, ":443")) || (scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}

// reconcileMapper compiles the run's mapping (cfg's, else the one the
// journal names) against the sheet's header.
func reconcileMapper(cfg ReconcileConfig, js *journalState, header []string) (*mapping.Mapper, error) {
	spec, err := mappingOfRun(cfg, js)
	if err != nil {
		return nil, err
	}
	m, err := spec.Compile(header)
	if err != nil {
		return nil, &InputError{Err: err} // a *mapping.Error names the file and line
	}
	return m, nil
}

// mappingOfRun loads the run's mapping: cfg's, else the one the journal
// names.
func mappingOfRun(cfg ReconcileConfig, js *journalState) (*mapping.Spec, error) {
	path := cfg.Mapping
	if path == "" && js != nil {
		path = js.Mapping
	}
	if path == "" {
		return nil, inputErr("reconcile needs the mapping the run used, to know which columns hold the customer's e-mail, phone and name: give it with -m")
	}
	spec, _, err := loadMapping(path)
	return spec, err
}

// reconcileSpec is the run's mapping, before the sheet is opened.
func reconcileSpec(cfg ReconcileConfig) (*mapping.Spec, error) {
	js, err := readJournal(JournalPath(cfg.Input))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return mappingOfRun(cfg, js)
}

// unsettledRow is a row of the sheet whose outcome reconcile settles:
// unknown, or created without an id.
type unsettledRow struct {
	at       int // the row's line in the sheet reconciled
	line     int // sb_row: the row in the run's input (the journal's key)
	customer customerKey
	key      string   // the row's mapped key, for the ledger
	prior    *Outcome // what the sheet says
	settled  *Outcome // what reconcile found; nil until matched
}

// customerKey is what identifies a row's customer, each part normalised
// (see emailKey, mapping.PhoneDigits, nameKey); "" when the row has none.
type customerKey struct{ email, phone, name string }

func emailKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func nameKey(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// timeSpan is a stretch of time; zero ends are not yet known.
type timeSpan struct{ from, to time.Time }

func (s *timeSpan) widen(t time.Time) {
	if s.from.IsZero() || t.Before(s.from) {
		s.from = t
	}
	if t.After(s.to) {
		s.to = t
	}
}

// searchWindow is the span widened by slack on both sides; with no end
// known, it ends now, and with no start, it starts a day before its end.
func (s timeSpan) searchWindow(now time.Time, slack time.Duration) timeSpan {
	if s.to.IsZero() {
		s.to = now
	}
	if s.from.IsZero() {
		s.from = s.to.Add(-24 * time.Hour)
	}
	return timeSpan{s.from.Add(-slack), s.to.Add(slack)}
}

func (s timeSpan) holds(t time.Time) bool { return !t.Before(s.from) && !t.After(s.to) }

// holdsCreated says whether q may have been created in the span. A time
// with no zone was read as UTC but may be local time anywhere from UTC−12
// to UTC+14 (a bare date, any time that day): missing such a quote would
// mark its row failed, "safe to send again", when it was created.
func (s timeSpan) holdsCreated(q salesbyte.APIQuote) bool {
	if q.CreatedAtZoned {
		return s.holds(q.CreatedAt)
	}
	return timeSpan{from: s.from.Add(-36 * time.Hour), to: s.to.Add(14 * time.Hour)}.holds(q.CreatedAt)
}

func (s timeSpan) String() string {
	return fmt.Sprintf("%s – %s", s.from.Format("2006-01-02 15:04"), s.to.Format("2006-01-02 15:04"))
}

// unsettled is what collectUnsettled read from the sheet.
type unsettled struct {
	rows  []*unsettledRow
	taken map[int64]bool // ids already in the sheet: never matched again
	sent  timeSpan       // when the run began and its rows were sent
}

// collectUnsettled reads the sheet for the rows to settle, the ids it
// already holds and the time its rows were sent.
func collectUnsettled(ctx context.Context, rc *reconciliation) (*unsettled, error) {
	u := &unsettled{taken: make(map[int64]bool)}
	if js := rc.journal; js != nil && js.Started != "" {
		if t, err := time.Parse(time.RFC3339, js.Started); err == nil {
			u.sent.widen(t)
		}
	}
	err := rc.src.each(ctx, func(row sheet.Row) { u.add(rc, row) })
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return u, nil
}

func (u *unsettled) add(rc *reconciliation, row sheet.Row) {
	cols := &rc.src.cols
	o, ok := outcomeFromCells(row.Cells, cols.result)
	if !ok {
		return
	}
	if o.ID != 0 {
		u.taken[o.ID] = true
	}
	if o.Status != Created && o.Status != Unknown {
		return
	}
	if t, err := time.Parse(time.RFC3339, o.At); err == nil {
		u.sent.widen(t)
	}
	if o.Status == Created && o.ID != 0 {
		return // settled
	}
	r := &unsettledRow{at: row.Line, line: row.Line, prior: o}
	if n, err := strconv.Atoi(strings.TrimSpace(cellAt(row.Cells, cols.result[colRow]))); err == nil {
		r.line = n
	}
	res := rc.mapper.Map(cols.userCells(row.Cells))
	r.customer, r.key = customerOf(res), res.Key
	u.rows = append(u.rows, r)
}

// customerOf is the customer a row maps to.
func customerOf(res mapping.Result) customerKey {
	email, _ := res.Payload["customer_email"].(string)
	phone, _ := res.Payload["customer_phone"].(string)
	name, _ := res.Payload["customer_name"].(string)
	return customerKey{email: emailKey(email), phone: mapping.PhoneDigits(phone), name: nameKey(name)}
}

func cellAt(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

// quoteIndex holds the quotes created in the search window by what
// identifies their customer.
type quoteIndex struct {
	win                      timeSpan
	byEmail, byPhone, byName map[string][]salesbyte.APIQuote
	listed                   map[int64]bool // every quote read, in the window or not
	quotes, pages            int            // read from the API
}

// listQuotes reads every page of the quotes created in win (by date, a
// day wider on both sides) into an index.
func listQuotes(ctx context.Context, l QuoteLister, win timeSpan, logf func(string, ...any)) (*quoteIndex, error) {
	ix := &quoteIndex{win: win, byEmail: map[string][]salesbyte.APIQuote{}, byPhone: map[string][]salesbyte.APIQuote{},
		byName: map[string][]salesbyte.APIQuote{}, listed: map[int64]bool{}}
	opts := salesbyte.ListOptions{
		CreatedFrom: win.from.AddDate(0, 0, -1).Format("2006-01-02"),
		CreatedTo:   win.to.AddDate(0, 0, 1).Format("2006-01-02"),
		SortBy:      "created_at", SortOrder: "asc",
	}
	for opts.Page = 1; ; opts.Page++ {
		p, err := l.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list quotes (page %d): %w", opts.Page, err)
		}
		ix.pages++
		fresh := ix.addPage(p.Data)
		// Every page must be read: a quote on an unread page would leave
		// its unknown row "not created" and sent again. Without last_page
		// the pages go on until one is empty, or repeats what was read (a
		// server that ignores page=).
		if len(p.Data) == 0 || !fresh || (p.LastPage > 0 && opts.Page >= p.LastPage) {
			return ix, nil
		}
		if p.LastPage > 0 {
			logf("reconcile: read page %d of %d", opts.Page, p.LastPage)
		} else {
			logf("reconcile: read page %d", opts.Page)
		}
	}
}

// addPage indexes a page's quotes and says whether any was new.
func (ix *quoteIndex) addPage(qs []salesbyte.APIQuote) (fresh bool) {
	for _, q := range qs {
		ix.quotes++
		if ix.listed[q.ID] {
			continue // listed on an earlier page too: one candidate, not two
		}
		ix.listed[q.ID], fresh = true, true
		if !q.CreatedAt.IsZero() && !ix.win.holdsCreated(q) {
			continue
		}
		if e := emailKey(q.CustomerEmail); e != "" {
			ix.byEmail[e] = append(ix.byEmail[e], q)
		}
		if d := mapping.PhoneDigits(q.CustomerPhone); d != "" {
			ix.byPhone[d] = append(ix.byPhone[d], q)
		}
		if n := nameKey(q.CustomerName); n != "" {
			ix.byName[n] = append(ix.byName[n], q)
		}
	}
	return fresh
}

// candidates are the quotes not taken that could be c's: by e-mail when
// it has one, else by phone, else by name; narrowed by the other facts
// when several.
func (ix *quoteIndex) candidates(c customerKey, taken map[int64]bool) []salesbyte.APIQuote {
	var pool []salesbyte.APIQuote
	switch {
	case c.email != "":
		pool = ix.byEmail[c.email]
	case c.phone != "":
		pool = ix.byPhone[c.phone]
	case c.name != "":
		pool = ix.byName[c.name]
	}
	out := narrow(pool, func(q salesbyte.APIQuote) bool { return !taken[q.ID] }, false)
	if c.name != "" {
		out = narrow(out, func(q salesbyte.APIQuote) bool { return nameKey(q.CustomerName) == c.name }, true)
	}
	if c.phone != "" {
		out = narrow(out, func(q salesbyte.APIQuote) bool { return mapping.PhoneDigits(q.CustomerPhone) == c.phone }, true)
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

// matchRows settles each row against the index, in sheet order. A quote
// matched to a row is taken: no later row can be given the same id.
func matchRows(u *unsettled, ix *quoteIndex, now func() time.Time, sum *ReconcileSummary) {
	for _, r := range u.rows {
		cands := ix.candidates(r.customer, u.taken)
		at := now().Format(time.RFC3339)
		switch {
		case len(cands) == 1:
			u.taken[cands[0].ID] = true
			r.settled = found(r.prior, cands[0], at)
			sum.Found++
			if r.prior.Status == Unknown {
				sum.FoundUnknown++
			}
		case len(cands) > 1:
			r.settled = ambiguous(r.prior, cands)
			sum.Ambiguous++
		case r.prior.Status == Unknown:
			r.settled = notCreated(r.prior, ix.win, at)
			sum.NotFound++
		default:
			r.settled = createdWithoutQuote(r.prior, ix.win)
			sum.NoID++
		}
	}
}

func found(prior *Outcome, q salesbyte.APIQuote, at string) *Outcome {
	return &Outcome{Status: Created, ID: q.ID, Links: q.Links, HTTPStatus: prior.HTTPStatus, Attempts: prior.Attempts, At: at}
}

func ambiguous(prior *Outcome, cands []salesbyte.APIQuote) *Outcome {
	ids := make([]string, len(cands))
	for i, q := range cands {
		ids[i] = strconv.FormatInt(q.ID, 10)
	}
	o := *prior
	o.Error = fmt.Sprintf("reconcile: %d quotes match this row (ids %s); check them in SalesByte and set sb_status and sb_id by hand", len(cands), strings.Join(ids, ", "))
	return &o
}

func notCreated(prior *Outcome, win timeSpan, at string) *Outcome {
	o := *prior
	o.Status, o.At = Failed, at
	o.Error = "reconcile: no quote for this customer was created in " + win.String() + ", so it was not created; it is safe to send again"
	return &o
}

func createdWithoutQuote(prior *Outcome, win timeSpan) *Outcome {
	o := *prior
	o.Error = "created, but reconcile found no quote for this customer in " + win.String() + "; look it up in SalesByte"
	return &o
}

// rewriteSheet writes the sheet again with the settled rows, each found
// by its line in this sheet (sb_row is the run's input line: a row added
// by hand has none, and its line may be another row's sb_row).
func rewriteSheet(cfg ReconcileConfig, src *source, rows []*unsettledRow) error {
	byLine := make(map[int]*Outcome, len(rows))
	for _, r := range rows {
		if r.settled != nil {
			byLine[r.at] = r.settled
		}
	}
	rd, err := src.reader()
	if err != nil {
		return err
	}
	defer rd.Close()
	w, err := sheet.Create(cfg.Output, append(append([]string{}, src.cols.header...), ResultColumns...), src.format, src.top)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	counts := make(map[Status]int)
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = w.Write(sheet.Row{Line: row.Line, Cells: rewrittenRow(&src.cols, row, byLine[row.Line], counts), Date: src.cols.userDates(row)})
		}
		if err != nil {
			w.Abort()
			return err
		}
	}
	return commitOrAbort(w, reconcileSummaryTable(cfg, counts), cfg.Output, cfg.HeldOpen)
}

// rewrittenRow is row with settled in its sb_* cells (nil: as it was),
// counted by status.
func rewrittenRow(cols *columns, row sheet.Row, settled *Outcome, counts map[Status]int) []string {
	user := cols.userCells(row.Cells)
	res := make([]string, len(ResultColumns))
	for i, j := range cols.result {
		res[i] = inert(cellAt(row.Cells, j)) // an earlier sheet's cells, kept: never a formula
	}
	res[colAt] = inert(showAt(res[colAt], time.Local)) // an earlier version's RFC 3339 shown as today's
	if settled != nil {
		sbRow, _ := strconv.Atoi(strings.TrimSpace(res[colRow]))
		if sbRow == 0 {
			sbRow = row.Line
		}
		res = settled.cells(sbRow)
	}
	st, _ := ParseStatus(res[colStatus])
	counts[st]++
	return append(user[:len(user):len(user)], res...)
}

func reconcileSummaryTable(cfg ReconcileConfig, counts map[Status]int) [][]string {
	t := [][]string{{"sbimport", "reconcile summary"}, {"Input", cfg.Input}, {"Reconciled", cfg.Now().Local().Format(atLayout)}, {"", ""}, {"Status", "Rows"}}
	for _, st := range Statuses {
		t = append(t, []string{string(st), strconv.Itoa(counts[st])})
	}
	return t
}

// journalSettled appends reconcile's findings to the run's journal.
func journalSettled(path string, js *journalState, rows []*unsettledRow, now time.Time) error {
	j, err := openJournal(path, js.Binding, js.Input, js.Mapping, js.BaseURL, js, now)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.settled != nil && (r.settled.Status != r.prior.Status || r.settled.ID != 0) {
			if err := j.Outcome(r.line, r.settled); err != nil {
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
