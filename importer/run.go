package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sheet"
)

// Summary is what a run did.
type Summary struct {
	Plan   Plan
	Counts map[Status]int
	Errors []ErrorCount // most common first
	// Problems are the first rows that were not created, with where and
	// why. ProblemRows counts, by status, every row Problems would list
	// were it not cut at its first few: the rest are in the output sheet.
	Problems    []RowProblem
	ProblemRows map[Status]int
	Requests    int // requests sent
	Throttled   int // answers 429 or 503
	Started     time.Time
	Finished    time.Time
	FirstSent   time.Time // the first request
	LastSent    time.Time // the last request
	Output      string
	Journal     string
	Validated   bool        // validate: nothing was sent
	Interrupted bool        // stopped early by the caller's ctx
	Stopped     *StopReason // why sending stopped early on its own, if it did
	// Unreachable: sending stopped because no connection to the server
	// could be made; no request reached it, and no row needs fixing.
	Unreachable bool
	// FoundRate is the rate the run learnt it can keep (requests/s): with
	// AutoRate where it settled, otherwise just under the limit a 429
	// revealed; 0 when it learnt nothing. FoundAtLimit says it is just
	// under a limit SalesByte showed with 429s; otherwise it is the
	// fastest rate sent without one (--rate auto at --max-rate, say).
	FoundRate    float64
	FoundAtLimit bool
	// Held counts the rows the ledger held back, by why: created by an
	// earlier run (carried over as created), or skipped.
	Held map[ledger.Reason]int
}

// RowProblem is one row that was not created, and why.
type RowProblem struct {
	Line   int
	Status Status
	Error  string
}

// maxProblems is how many rows Summary.Problems lists.
const maxProblems = 10

// ErrorCount is one error message and how many rows have it.
type ErrorCount struct {
	Error string
	// NotSent: the rows were skipped because the run stopped before
	// sending them, not for anything wrong with them.
	NotSent bool
	N       int
}

// ExitCode is the documented exit status for the run: 0 when every row
// is created (or valid), 1 when rows failed, are invalid, unknown, or
// were not sent, 2 when the server could not be reached at all (nothing
// was sent), 130 when interrupted.
func (s *Summary) ExitCode() int {
	if s.Interrupted {
		return 130
	}
	if s.Unreachable {
		return 2 // nothing was sent: like an input error, fix and run again
	}
	bad := s.Counts[Failed] + s.Counts[Invalid] + s.Counts[Unknown]
	if s.Stopped != nil {
		bad += s.Counts[Skipped]
	}
	if bad > 0 {
		return 1
	}
	return 0
}

// Rate is the achieved request rate: the intervals between the first and
// the last request over the time they spanned.
func (s *Summary) Rate() float64 {
	d := s.LastSent.Sub(s.FirstSent).Seconds()
	if d <= 0 || s.Requests < 2 {
		return 0
	}
	return float64(s.Requests-1) / d
}

func (c *Config) setDefaults() {
	if c.Output == "" {
		c.Output = DefaultOutput(c.Input)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 6
	}
	if c.backoff.Base == 0 {
		c.backoff.Base = 500 * time.Millisecond
	}
	if c.backoff.Cap == 0 {
		c.backoff.Cap = 30 * time.Second
	}
	if c.RetryBudget <= 0 {
		c.RetryBudget = 200
	}
	if c.AutoRate && c.MaxRate <= 0 {
		c.MaxRate = DefaultMaxRate
	}
	if c.AutoRate && c.Rate <= 0 {
		c.Rate = min(DefaultAutoStart, c.MaxRate)
	}
}

// checkJournal looks for a journal of an earlier run beside the output.
// A journal of this very sheet and mapping is resumed (or, when finished,
// replayed so nothing is sent twice). One of another sheet is refused while
// unfinished; a finished one is set aside when the input is an output sheet
// (a re-run of failed rows). An interrupted one whose output sheet was
// written is set aside too when that sheet is the input, updated in place:
// the sheet then holds every row's outcome: setAside says so, and Send
// moves it away (a dry run leaves it).
//
// edited, when not nil, says whether a journal of another run may be set
// aside because the ledger knows what that run sent (a finished run of an
// earlier version of this very input).
func checkJournal(path string, bind Binding, inputIsResult, inPlace bool, edited func(*journalState) bool) (_ *journalState, setAside bool, _ error) {
	st, err := readJournal(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, &InputError{Err: err}
	}
	if st.Binding == bind {
		return st, false, nil
	}
	what := "sheet"
	if st.Binding.InputSHA256 == bind.InputSHA256 {
		what = "mapping"
		if st.Binding.MappingSHA256 == bind.MappingSHA256 {
			what = "sheet, header row or endpoint"
		}
	}
	if edited != nil && edited(st) {
		return nil, true, nil
	}
	if !st.Complete && !(st.Ended && inputIsResult && inPlace) {
		return nil, false, &InputError{Err: &JournalOtherRunError{Journal: path, Input: st.Input, Started: st.Started, Differs: what, Unfinished: true}}
	}
	if !inputIsResult || !inPlace {
		return nil, false, &InputError{Err: &JournalOtherRunError{Journal: path, Input: st.Input, Started: st.Started, Differs: what}}
	}
	return nil, true, nil
}

// checkJournalVersion refuses a journal whose row numbers do not fit the
// sheet as it is read now: a CSV's journal of format 1, which counted text
// lines where rows are now counted as a spreadsheet shows them.
func checkJournalVersion(path string, js *journalState, f sheet.Format) error {
	if js == nil || js.Version >= 2 || f.Kind != "csv" {
		return nil
	}
	return &InputError{Err: &OldJournalError{Journal: path, Version: js.Version, Finished: js.Complete}}
}

// setAsideJournal moves a finished journal of another run out of the way.
func setAsideJournal(path string) error {
	if err := os.Rename(path, path+".prev"); err != nil {
		return &InputError{Err: fmt.Errorf("set aside the earlier journal: %w", err)}
	}
	return nil
}

// checkEarlierOutput refuses to overwrite an output sheet that records
// created rows when there is no journal to say which: sending the input
// again would create them twice.
func checkEarlierOutput(output, sheetName string) error {
	st, err := os.Stat(output)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st.Mode().IsRegular() && st.Size() == 0) {
		return nil // nothing there to lose
	}
	unreadable := func(err error) error {
		return &InputError{Err: &EarlierOutputError{Output: output, Unreadable: err}}
	}
	if err != nil {
		return unreadable(err)
	}
	out, err := openSource(output, sheet.Options{Sheet: sheetName})
	if err != nil {
		return unreadable(err)
	}
	defer out.Close()
	if !out.cols.isResult {
		return nil
	}
	created := 0
	err = out.each(context.Background(), func(row sheet.Row) {
		if o, ok := outcomeFromCells(row.Cells, out.cols.result); ok && (o.Status == Created || o.Status == Unknown) {
			created++
		}
	})
	if err != nil {
		return unreadable(err)
	}
	if created == 0 {
		return nil
	}
	return &InputError{Err: &EarlierOutputError{Output: output, Created: created}}
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return os.SameFile(sa, sb)
}

// source is a sheet that a run reads more than once (plan, then send).
// The reader that read the header is kept for the first full read, so a
// workbook is opened, and its large parts extracted, once less; and the
// rows of a workbook are spooled as that read goes, so the later passes
// read a flat file instead of parsing the workbook again.
type source struct {
	path   string
	opt    sheet.Options
	cols   columns
	format sheet.Format
	top    sheet.Top    // the header's row and the title rows above it
	kept   sheet.Reader // header read, no row yet; nil once handed out
	spool  *spool       // nil: not a workbook, or no room for one
}

// openSource opens a sheet and reads its header.
func openSource(path string, opt sheet.Options) (*source, error) {
	r, err := sheet.Open(path, opt)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return &source{path: path, opt: opt, cols: splitColumns(r.Header()), format: r.Format(), top: r.Top(), kept: r}, nil
}

// reader returns a reader at the first data row: the kept one the first
// time (spooling a workbook's rows as it goes), the spool after, or else a
// new one. The caller closes it.
func (s *source) reader() (sheet.Reader, error) {
	if s.spool != nil && s.spool.done {
		return s.spool.reader(), nil
	}
	r := s.kept
	if r == nil {
		return sheet.Open(s.path, s.opt)
	}
	s.kept = nil
	if s.format.Kind == "xlsx" && s.spool == nil {
		if sp, err := newSpool(r.Header(), s.format); err == nil {
			sp.top = s.top
			s.spool = sp
			return sp.record(r), nil
		}
	}
	return r, nil
}

// each reads every data row of the sheet, until ctx is done.
func (s *source) each(ctx context.Context, fn func(sheet.Row)) error {
	r, err := s.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fn(row)
	}
}

// Close closes the kept reader if nobody took it, and removes the spool.
func (s *source) Close() {
	if s.kept != nil {
		s.kept.Close()
		s.kept = nil
	}
	if s.spool != nil {
		s.spool.Close()
		s.spool = nil
	}
}

func statusWord(o *Outcome) string {
	if o.Status == Pending {
		return "valid"
	}
	return string(o.Status)
}

func detail(o *Outcome) string {
	switch {
	case o.ID != 0:
		return fmt.Sprintf(" id %d %s", o.ID, o.Links.CustomerView)
	case o.Error != "":
		return ": " + o.Error
	}
	return ""
}

// errorClass groups messages for the summary: a row's first problem, with
// the quoted cell values after its first colon left out, so rows that
// break the same rule count together.
func errorClass(msg string) string {
	if i := strings.Index(msg, "; "); i > 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, ": "); i > 0 {
		msg = msg[:i+2] + quoted.ReplaceAllString(msg[i+2:], `"…"`)
	}
	const max = 160
	if len(msg) > max {
		msg = msg[:max] + "…"
	}
	return msg
}

var quoted = regexp.MustCompile(`"[^"]*"`)

// topErrors lists the n most common error classes, most common first.
func topErrors(m map[ErrorCount]int, n int) []ErrorCount {
	out := make([]ErrorCount, 0, len(m))
	for e, k := range m {
		e.N = k
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b ErrorCount) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Error, b.Error))
	})
	return out[:min(n, len(out))]
}

func summaryTable(cfg *Config, s *Summary) [][]string {
	t := [][]string{
		{"sbimport", "run summary"},
		{"Input", cfg.Input},
		{"Sheet", s.Plan.Sheet},
		{"Endpoint", string(s.Plan.Endpoint)},
		{"Started", s.Started.Local().Format(atLayout)}, // local time, as sb_at
		{"Finished", s.Finished.Local().Format(atLayout)},
		{"Requests sent", strconv.Itoa(s.Requests)},
		{"Achieved rate (requests/s)", strconv.FormatFloat(s.Rate(), 'f', 2, 64)},
	}
	if s.Validated {
		t[0][1] = "validate summary (nothing was sent)"
	}
	if s.Interrupted {
		t = append(t, []string{"Interrupted", "yes: run the same command again to send the rest"})
	}
	if s.Stopped != nil {
		t = append(t, []string{"Stopped early", s.Stopped.String()})
	}
	t = append(t, []string{"", ""}, []string{"Status", "Rows"})
	for _, st := range Statuses {
		t = append(t, []string{string(st), strconv.Itoa(s.Counts[st])})
	}
	if s.Counts[Pending] > 0 {
		t = append(t, []string{"valid (not sent)", strconv.Itoa(s.Counts[Pending])})
	}
	if len(s.Errors) > 0 {
		t = append(t, []string{"", ""}, []string{"Most common errors", "Rows"})
		for _, e := range s.Errors {
			t = append(t, []string{e.Error, strconv.Itoa(e.N)})
		}
	}
	return t
}
