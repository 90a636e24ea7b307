package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sbimport/sbimport/sheet"
)

// Summary is what a run did.
type Summary struct {
	Plan   Plan
	Counts map[Status]int
	Errors []ErrorCount // most common first
	// Problems are the first rows that were not created, with where and why.
	Problems    []RowProblem
	Requests    int // requests sent
	Throttled   int // answers 429 or 503
	Started     time.Time
	Finished    time.Time
	FirstSent   time.Time // the first request
	LastSent    time.Time // the last request
	Output      string    // "" when nothing was written (dry run)
	Journal     string
	Validated   bool   // validate: nothing was sent
	DryRun      bool   // stopped after the plan
	Interrupted bool   // stopped early by the caller's ctx
	Stopped     string // why sending stopped early on its own, if it did
	// FoundRate is the rate the run learnt it can keep (requests/s): with
	// AutoRate where it settled, otherwise just under the limit a 429
	// revealed; 0 when it learnt nothing.
	FoundRate float64
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
	N     int
}

// ExitCode is the documented exit status for the run: 0 when every row
// is created (or valid), 1 when rows failed, are invalid, unknown, or
// were not sent, 130 when interrupted.
func (s *Summary) ExitCode() int {
	if s.Interrupted {
		return 130
	}
	if s.DryRun {
		return 0
	}
	bad := s.Counts[Failed] + s.Counts[Invalid] + s.Counts[Unknown]
	if s.Stopped != "" {
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
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 6
	}
	if c.Backoff.Base == 0 {
		c.Backoff.Base = 500 * time.Millisecond
	}
	if c.Backoff.Cap == 0 {
		c.Backoff.Cap = 30 * time.Second
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
	if c.Abort == nil {
		c.Abort = context.Background()
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
}

// Run performs the import cfg describes. ctx stops sending (rows not yet
// sent are marked skipped, requests in flight finish, the output is
// written). Errors before anything was sent are *InputError.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	cfg.setDefaults()
	if !cfg.ValidateOnly && !cfg.DryRun && cfg.Sender == nil {
		return nil, errors.New("importer: no sender configured")
	}
	spec, mapHash, err := loadMapping(cfg.Mapping)
	if err != nil {
		return nil, err
	}
	src, err := openSource(cfg.Input, cfg.Read)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cols, format := src.cols, src.format
	mapper, err := spec.Compile(cols.header)
	if err != nil {
		return nil, &InputError{Err: err} // a *mapping.Error names the file and line
	}
	if sameFile(cfg.Input, cfg.Output) && !cols.isResult {
		return nil, inputErr("the output %s would overwrite the input, which is not an sbimport output sheet; give another name with -o", cfg.Output)
	}
	inStat, err := os.Stat(cfg.Input)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	sum := &Summary{Output: cfg.Output, Validated: cfg.ValidateOnly, Counts: make(map[Status]int)}
	plan := Plan{Endpoint: mapper.Endpoint(), Input: cfg.Input, Sheet: format.Sheet, Output: cfg.Output, Rate: cfg.Rate}
	if cfg.AutoRate {
		plan.MaxRate = cfg.MaxRate
	}

	var js *journalState
	var bind Binding
	if !cfg.ValidateOnly {
		sum.Journal = JournalPath(cfg.Output)
		plan.Journal = sum.Journal
		inHash, err := fileSHA256(cfg.Input)
		if err != nil {
			return nil, &InputError{Err: err}
		}
		bind = Binding{InputSHA256: inHash, Sheet: format.Sheet, HeaderRow: cfg.Read.HeaderRow, MappingSHA256: mapHash, Endpoint: string(mapper.Endpoint())}
		js, err = checkJournal(sum.Journal, bind, cols.isResult, sameFile(cfg.Input, cfg.Output), cfg.DryRun)
		if err != nil {
			return nil, err
		}
		if js == nil && !cols.isResult && !sameFile(cfg.Input, cfg.Output) {
			if err := checkEarlierOutput(cfg.Output, cfg.Read.Sheet); err != nil {
				return nil, err
			}
		}
		plan.Resumed = js != nil && !js.Complete
	} else if !cols.isResult && !sameFile(cfg.Input, cfg.Output) {
		// validate writes the same output sheet: without a journal to
		// rebuild it from, an earlier run's results there are all there is.
		if _, err := os.Stat(JournalPath(cfg.Output)); errors.Is(err, os.ErrNotExist) {
			if err := checkEarlierOutput(cfg.Output, cfg.Read.Sheet); err != nil {
				return nil, err
			}
		}
	}

	// The keys of rows settled in earlier runs are learnt first, so both
	// passes start from them.
	learnt := newPlanner(&cfg, cols, mapper, js, maphash.MakeSeed())
	if err := learnt.learnSettled(src); err != nil {
		return nil, &InputError{Err: err}
	}
	// Pass 1: decide every row, to show the plan before anything is sent.
	if !cfg.ValidateOnly {
		p := learnt.clone()
		msgs := make(map[string]int)
		err := src.each(func(row sheet.Row) {
			plan.tally(plan.Endpoint, p.decide(row, cols.userCells(row.Cells)), msgs)
		})
		if err != nil {
			return nil, &InputError{Err: err}
		}
		plan.Messages = sortedMessages(msgs)
		sum.Plan = plan
		if cfg.DryRun {
			sum.DryRun = true
			sum.Output = ""
			return sum, nil
		}
		if plan.ToSend > 0 && cfg.Confirm != nil {
			ok, err := cfg.Confirm(plan)
			if err != nil {
				return sum, err
			}
			if !ok {
				return sum, ErrNotConfirmed
			}
		}
		if st, err := os.Stat(cfg.Input); err != nil || st.Size() != inStat.Size() || !st.ModTime().Equal(inStat.ModTime()) {
			return sum, inputErr("%s changed while the plan was shown; nothing was sent, run again", cfg.Input)
		}
	} else {
		sum.Plan = plan
	}

	// Pass 2: send, in order, and write the output.
	var j *journal
	if !cfg.ValidateOnly {
		mapAbs, _ := filepath.Abs(cfg.Mapping)
		j, err = openJournal(sum.Journal, bind, cfg.Input, mapAbs, js, cfg.Now())
		if err != nil {
			return sum, err
		}
		if cfg.wrapJournal != nil {
			j.f = cfg.wrapJournal(j.f)
		}
		defer j.Close()
	}
	return sum, send(ctx, &cfg, sum, src, learnt.clone(), j)
}

// checkJournal looks for a journal of an earlier run beside the output.
// A journal of this very sheet and mapping is resumed (or, when finished,
// replayed so nothing is sent twice). One of another sheet is refused while
// unfinished; a finished one is set aside when the input is an output sheet
// (a re-run of failed rows). An interrupted one whose output sheet was
// written is set aside too when that sheet is the input, updated in place:
// the sheet then holds every row's outcome.
func checkJournal(path string, bind Binding, inputIsResult, inPlace, dryRun bool) (*journalState, error) {
	st, err := readJournal(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &InputError{Err: err}
	}
	if st.Binding == bind {
		return st, nil
	}
	what := "sheet"
	if st.Binding.InputSHA256 == bind.InputSHA256 {
		what = "mapping"
		if st.Binding.MappingSHA256 == bind.MappingSHA256 {
			what = "sheet, header row or endpoint"
		}
	}
	if !st.Complete && !(st.Ended && inputIsResult && inPlace) {
		return nil, inputErr("%s belongs to an unfinished run of %s (started %s) with a different %s.\n"+
			"Finish that run first by running it again with the same sheet and mapping; "+
			"or, if you are sure none of its rows matter, move the journal away. Nothing was sent", path, st.Input, st.Started, what)
	}
	if !inputIsResult || !inPlace {
		return nil, inputErr("%s holds the results of an earlier run of %s (started %s).\n"+
			"To re-run its failed rows, give that output sheet as the input (-i); to import another sheet, choose another output with -o. Nothing was sent", strings.TrimSuffix(path, ".journal"), st.Input, st.Started)
	}
	if !dryRun {
		if err := os.Rename(path, path+".prev"); err != nil {
			return nil, &InputError{Err: fmt.Errorf("set aside the earlier journal: %w", err)}
		}
	}
	return nil, nil
}

// checkEarlierOutput refuses to overwrite an output sheet that records
// created rows when there is no journal to say which: sending the input
// again would create them twice.
func checkEarlierOutput(output, sheetName string) error {
	if _, err := os.Stat(output); err != nil {
		return nil
	}
	out, err := openSource(output, sheet.Options{Sheet: sheetName})
	if err != nil {
		return nil // not ours: it is replaced
	}
	defer out.Close()
	if !out.cols.isResult {
		return nil
	}
	created := 0
	out.each(func(row sheet.Row) {
		if o, ok := outcomeFromCells(row.Cells, out.cols.result); ok && (o.Status == Created || o.Status == Unknown) {
			created++
		}
	})
	if created == 0 {
		return nil
	}
	return inputErr("%s already holds the results of an earlier run (%d rows created or unknown), and its journal is gone.\n"+
		"Sending the input again could create those quotes twice. To re-send its failed rows, give it as the input (-i %s); "+
		"to import another sheet, choose another output with -o. Nothing was sent", output, created, output)
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
// workbook is opened, and its large parts extracted, once less.
type source struct {
	path   string
	opt    sheet.Options
	cols   columns
	format sheet.Format
	kept   sheet.Reader // header read, no row yet; nil once handed out
}

// openSource opens a sheet and reads its header.
func openSource(path string, opt sheet.Options) (*source, error) {
	r, err := sheet.Open(path, opt)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return &source{path: path, opt: opt, cols: splitColumns(r.Header()), format: r.Format(), kept: r}, nil
}

// reader returns a reader at the first data row: the kept one the first
// time, a new one after. The caller closes it.
func (s *source) reader() (sheet.Reader, error) {
	if r := s.kept; r != nil {
		s.kept = nil
		return r, nil
	}
	return sheet.Open(s.path, s.opt)
}

// each reads every data row of the sheet.
func (s *source) each(fn func(sheet.Row)) error {
	r, err := s.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	for {
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

// Close closes the kept reader if nobody took it.
func (s *source) Close() {
	if s.kept != nil {
		s.kept.Close()
		s.kept = nil
	}
}

type item struct {
	seq   int
	line  int
	cells []string
	d     decision
	out   *Outcome
}

const reorderWindow = 4096

// send is pass 2: a producer maps rows in order, a dispatcher hands the
// ones to send to workers under the throttle, and this goroutine writes
// every row's outcome to the output in input order.
func send(ctx context.Context, cfg *Config, sum *Summary, src *source, p *planner, j *journal) error {
	r, err := src.reader()
	if err != nil {
		return &InputError{Err: err}
	}
	defer r.Close()
	cols := src.cols
	header := append(append([]string{}, cols.header...), ResultColumns...)
	w, err := sheet.Create(cfg.Output, header, src.format)
	if err != nil {
		return &InputError{Err: fmt.Errorf("output: %w", err)}
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()

	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	wk := newWorkers(cfg, sum, p.mapper.Endpoint(), j, stop)
	if cfg.Progress != nil {
		cfg.Progress.Start(sum.Plan.Rows)
	}
	sum.Started = cfg.Now()

	jobs := make(chan *item, 64)
	results := make(chan *item, 256)
	window := make(chan struct{}, reorderWindow)
	var readErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // producer
		defer wg.Done()
		defer close(jobs)
		for seq := 0; ; seq++ {
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				readErr = err
				stop()
				return
			}
			window <- struct{}{}
			uc := cols.userCells(row.Cells)
			it := &item{seq: seq, line: row.Line, cells: uc, d: p.decide(row, uc)}
			switch {
			case !it.d.send:
				it.out = it.d.outcome
				results <- it
			case cfg.ValidateOnly:
				it.out = &Outcome{Status: Pending}
				results <- it
			default:
				jobs <- it
			}
		}
	}()
	go func() { // dispatcher
		defer wg.Done()
		wk.dispatch(stopCtx, jobs, results)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	var writeErr error
	errs := make(map[string]int)
	pending := make(map[int]*item)
	next := 0
	for it := range results {
		pending[it.seq] = it
		for {
			x, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			sum.Counts[x.out.Status]++
			if x.out.Error != "" && x.out.Status != Created {
				errs[errorClass(x.out.Error)]++
				if len(sum.Problems) < maxProblems && !x.d.kept {
					sum.Problems = append(sum.Problems, RowProblem{Line: x.line, Status: x.out.Status, Error: x.out.Error})
				}
			}
			if writeErr == nil {
				row := append(x.cells[:len(x.cells):len(x.cells)], x.out.cells(x.line)...)
				if err := w.Write(row); err != nil {
					writeErr = fmt.Errorf("write %s: %w", cfg.Output, err)
					stop()
				}
			}
			if cfg.Progress != nil {
				cfg.Progress.Row(x.out.Status)
			}
			if cfg.Verbose {
				if x.d.kept {
					cfg.Logf("row %d: already %s, not sent%s", x.line, statusWord(x.out), detail(x.out))
				} else {
					cfg.Logf("row %d: %s%s", x.line, statusWord(x.out), detail(x.out))
				}
			}
		}
	}
	sum.Finished = cfg.Now()
	if cfg.Progress != nil {
		cfg.Progress.Finish()
	}
	sum.Requests, sum.Throttled, sum.Stopped = wk.stats()
	sum.FirstSent, sum.LastSent = wk.sendSpan()
	sum.FoundRate = wk.thr.Found()
	sum.Interrupted = ctx.Err() != nil
	sum.Errors = topErrors(errs, 10)
	if readErr != nil {
		return fmt.Errorf("%s: %w (rows after it were not sent; the journal keeps what was)", cfg.Input, readErr)
	}
	if writeErr != nil {
		return writeErr
	}
	if err := wk.journalErr(); err != nil {
		return err
	}
	// The journal's end record goes first: a crash between it and the
	// rename leaves the input as it was and a journal that replays it; a
	// crash after it (an in-place re-run) leaves a journal whose sheet
	// holds every outcome.
	if j != nil {
		if err := j.End(!sum.Interrupted); err != nil {
			return err
		}
	}
	if err := w.Commit(summaryTable(cfg, sum)); err != nil {
		return fmt.Errorf("write %s: %w", cfg.Output, err)
	}
	committed = true
	return nil
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

func topErrors(m map[string]int, n int) []ErrorCount {
	var out []ErrorCount
	for _, kv := range byCount(m) {
		out = append(out, ErrorCount{Error: kv.text, N: kv.n})
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

type textCount struct {
	text string
	n    int
}

// byCount orders a tally most common first, then by text.
func byCount(m map[string]int) []textCount {
	out := make([]textCount, 0, len(m))
	for t, n := range m {
		out = append(out, textCount{t, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].text < out[j].text
	})
	return out
}

func summaryTable(cfg *Config, s *Summary) [][]string {
	t := [][]string{
		{"sbimport", "run summary"},
		{"Input", cfg.Input},
		{"Sheet", s.Plan.Sheet},
		{"Endpoint", string(s.Plan.Endpoint)},
		{"Started", s.Started.Format(time.RFC3339)},
		{"Finished", s.Finished.Format(time.RFC3339)},
		{"Requests sent", strconv.Itoa(s.Requests)},
		{"Achieved rate (requests/s)", strconv.FormatFloat(s.Rate(), 'f', 2, 64)},
	}
	if s.Validated {
		t[0][1] = "validate summary (nothing was sent)"
	}
	if s.Interrupted {
		t = append(t, []string{"Interrupted", "yes: run the same command again to send the rest"})
	}
	if s.Stopped != "" {
		t = append(t, []string{"Stopped early", s.Stopped})
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
