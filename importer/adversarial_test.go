package importer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// A sheet edited while the plan is shown is not sent: the plan the user
// agreed to was made from other rows.
func TestInputChangedAfterThePlanSendsNothing(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	imp, err := Prepare(context.Background(), e.config(), Sending)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	f, err := os.OpenFile(e.input, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("Ny,Kund,ny@example.se,070-123 45 99\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = imp.Send(context.Background(), nil)
	var ie *InputError
	var ch *InputChangedError
	if !errors.As(err, &ie) || !errors.As(err, &ch) || ch.Input != e.input {
		t.Fatalf("err = %v; want an *InputError holding *InputChangedError for %s", err, e.input)
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent from a sheet that changed after its plan", n)
	}
	if _, err := os.Stat(DefaultOutput(e.input)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an output was written (stat err %v)", err)
	}
}

// endWatcher notes, when the journal's end record is written, whether the
// output sheet already exists.
type endWatcher struct {
	journalFile
	output string
	mu     sync.Mutex
	ends   int
	early  bool // the output existed when the end record was written
}

func (w *endWatcher) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"t":"end"`)) {
		_, err := os.Stat(w.output)
		w.mu.Lock()
		w.ends++
		w.early = w.early || err == nil
		w.mu.Unlock()
	}
	return w.journalFile.Write(p)
}

// The end record goes into the journal before the output sheet is
// renamed into place: a crash between the two must leave a journal that
// replays the run, never an output whose journal says it is unfinished.
func TestJournalEndsBeforeTheOutputIsWritten(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(4)
	cfg := e.config()
	w := &endWatcher{output: DefaultOutput(e.input)}
	cfg.wrapJournal = func(f journalFile) journalFile { w.journalFile = f; return w }
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if w.ends != 1 || w.early {
		t.Errorf("end records %d, output already there when it was written: %v; want 1 end record, written before the output", w.ends, w.early)
	}
	if _, err := os.Stat(w.output); err != nil {
		t.Errorf("no output after the run: %v", err)
	}
}

// A request in flight when the server stopped answering, created after
// the run decided to stop, makes the run not "unreachable": something was
// sent, so the exit code is not the one that means nothing was.
func TestUnreachableStopWithACreationInFlightIsNotNothingSent(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(6)
	release := make(chan struct{})
	var once sync.Once
	s := &countingSender{answer: func(n int32) (salesbyte.Created, error) {
		if n == 1 {
			select { // held in flight until the others have failed to connect
			case <-release:
			case <-time.After(10 * time.Second):
				t.Error("the first request was never released: the run did not stop as unreachable")
			}
			return salesbyte.Created{ID: 7, Status: 201}, nil
		}
		if n == 1+unreachableLimit {
			defer once.Do(func() { close(release) })
		}
		return salesbyte.Created{}, refused()
	}}
	cfg := e.config()
	cfg.Sender = s
	cfg.Concurrency = 2
	cfg.MaxAttempts = 20
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 1 {
		t.Fatalf("counts %v stopped %+v; want the request in flight created", sum.Counts, sum.Stopped)
	}
	if sum.Unreachable || sum.ExitCode() == 2 {
		t.Errorf("unreachable=%v exit %d with a row created; want not unreachable, exit 1", sum.Unreachable, sum.ExitCode())
	}
}

// An earlier output sheet that cannot even be opened (its header cannot
// be read) is refused like one whose rows cannot be read: it may record
// created rows.
func TestEarlierOutputThatCannotBeOpenedIsRefused(t *testing.T) {
	for _, validate := range []bool{false, true} {
		e := newEnv(t, sandbox.Options{}, nil)
		e.customers(3)
		out := DefaultOutput(e.input)
		body := "\"Förnamn,Efternamn,E-post,Mobil," + strings.Join(ResultColumns, ",") + "\n" +
			"Anna1,Svensson,kund1@example.se,070-123 45 01,created,3\n"
		if err := os.WriteFile(out, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := runMode(context.Background(), e.config(), validate)
		var ee *EarlierOutputError
		if !errors.As(err, &ee) || ee.Unreadable == nil {
			t.Fatalf("validate=%v: err = %v; want an *EarlierOutputError, unreadable", validate, err)
		}
		if n := e.srv.Stats().Requests; n != 0 {
			t.Errorf("validate=%v: %d requests sent", validate, n)
		}
		if b, _ := os.ReadFile(out); string(b) != body {
			t.Errorf("validate=%v: the earlier output was overwritten", validate)
		}
	}
}

// A row whose sb_status sbimport does not write may have been created: its
// key belongs to it, so a new row with the same key earlier in the sheet
// is a duplicate, not sent.
func TestUnclearRowLaterInSheetKeepsItsKey(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	in := "Förnamn,Efternamn,E-post,Mobil," + strings.Join(ResultColumns, ",") + "\n" +
		"A,B,a@example.se,0701234567" + strings.Repeat(",", len(ResultColumns)) + "\n" +
		"C,D,a@example.se,0701234568,Skapad" + strings.Repeat(",", len(ResultColumns)-1) + "\n"
	e.input = e.write("k-result.csv", in)
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests; want none: row 3 may have created a@example.se", n)
	}
	if sum.Plan.Dupes != 1 || sum.Counts[Invalid] != 1 {
		t.Errorf("plan dupes %d, counts %v; want row 2 a duplicate, row 3 invalid", sum.Plan.Dupes, sum.Counts)
	}
}

// A validate interrupted while it checks the rows (not before) writes no
// output either: half a sheet checked is no answer.
func TestValidateInterruptedMidwayWritesNothing(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(300)
	cfg := e.config()
	cfg.Sender = nil
	imp, err := Prepare(context.Background(), cfg, Validating)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	obs := ObserverFunc(func(ev Event) {
		if _, ok := ev.(RowDone); ok {
			cancel()
		}
	})
	if _, err := imp.Validate(ctx, obs); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Validate interrupted midway: %v; want ErrInterrupted", err)
	}
	if _, err := os.Stat(DefaultOutput(e.input)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an interrupted validate wrote its output (%v)", err)
	}
}

// Rows left unsent because sending stopped on its own (not duplicates)
// make the exit code 1: they still have to be sent.
func TestExitCodeCountsRowsLeftByAStop(t *testing.T) {
	cases := []struct {
		name string
		s    Summary
		want int
	}{
		{"all created", Summary{Counts: map[Status]int{Created: 3}}, 0},
		{"duplicates skipped", Summary{Counts: map[Status]int{Created: 3, Skipped: 2}}, 0},
		{"stopped, rows left", Summary{Counts: map[Status]int{Created: 3, Skipped: 2}, Stopped: &StopReason{Kind: StopJournal}}, 1},
		{"unreachable", Summary{Counts: map[Status]int{Skipped: 5}, Stopped: &StopReason{Kind: StopUnreachable}, Unreachable: true}, 2},
		{"interrupted", Summary{Counts: map[Status]int{Created: 1, Skipped: 4}, Interrupted: true}, 130},
	}
	for _, tc := range cases {
		if got := tc.s.ExitCode(); got != tc.want {
			t.Errorf("%s: exit %d; want %d", tc.name, got, tc.want)
		}
	}
}

// A row this run's journal says may have been created (unknown, or an
// intent with no answer) owns its key even when it comes later in the
// sheet: a new row with the same key before it is a duplicate on resume,
// not sent. The first run allowed duplicates and stopped before sending
// row 2; the second does not allow them.
func TestJournalSettledRowLaterInSheetKeepsItsKey(t *testing.T) {
	for _, intentOnly := range []bool{false, true} {
		e := newEnv(t, sandbox.Options{}, nil)
		e.input = e.write("k.csv", "Förnamn,Efternamn,E-post,Mobil\nA,B,a@example.se,0701234567\nC,D,a@example.se,0701234568\n")
		ctx, cancel := context.WithCancel(context.Background())
		row3Done := make(chan struct{})
		cfg := e.config()
		cfg.AllowDuplicates = true
		cfg.Concurrency = 2
		cfg.MaxAttempts = 20
		cfg.Sender = senderFunc(func(_ context.Context, _ salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
			if body["customer_name"] == "C D" {
				close(row3Done)
				return salesbyte.Created{}, &salesbyte.Error{Outcome: salesbyte.Ambiguous, Status: 502, Message: "bad gateway"}
			}
			select {
			case <-row3Done:
			case <-time.After(10 * time.Second):
				t.Error("row 3 was never sent")
			}
			cancel() // the run stops before row 2 is sent again
			return salesbyte.Created{}, &salesbyte.Error{Outcome: salesbyte.Retry, Status: 503, Message: "unavailable"}
		})
		sum, err := Run(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Counts[Unknown] != 1 || sum.Counts[Skipped] != 1 {
			t.Fatalf("first run: %v; want row 3 unknown, row 2 not sent", sum.Counts)
		}
		jp := JournalPath(DefaultOutput(e.input))
		if intentOnly { // as if killed before row 3's answer was written
			dropJournalRecords(t, jp, `"t":"outcome"`, `"t":"end"`)
		}
		cfg = e.config()
		before := e.srv.Stats().Requests
		sum, err = Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if n := e.srv.Stats().Requests - before; n != 0 {
			t.Errorf("intent only %v: resume sent %d requests; want 0: row 3 may have created a@example.se", intentOnly, n)
		}
		if sum.Plan.Dupes != 1 {
			t.Errorf("intent only %v: plan dupes %d; want row 2 a duplicate of row 3", intentOnly, sum.Plan.Dupes)
		}
	}
}

// dropJournalRecords removes the journal's records that contain any of
// the given texts.
func dropJournalRecords(t *testing.T, path string, texts ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, line := range strings.SplitAfter(string(b), "\n") {
		drop := false
		for _, x := range texts {
			drop = drop || strings.Contains(line, x)
		}
		if !drop {
			keep = append(keep, line)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(keep, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// No request goes out when its intent could not be written, whatever else
// stops the run: sendRow itself refuses, not only the stop that follows.
func TestNoRequestWithoutADurableIntent(t *testing.T) {
	dir := t.TempDir()
	j, err := openJournal(dir+"/out.csv.journal", Binding{}, "in.csv", "m.yaml", "", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	j.f = &fullDisk{journalFile: j.f, left: 0}
	defer j.Close()
	s := &countingSender{answer: func(int32) (salesbyte.Created, error) { return salesbyte.Created{ID: 1, Status: 201}, nil }}
	cfg := &Config{Sender: s}
	cfg.setDefaults()
	w := newWorkers(cfg, salesbyte.Quote, j, newTally(1, 0), nopObserver{}, context.Background(), func() {})
	o := w.sendRow(context.Background(), &item{line: 2, d: decision{send: true, body: map[string]any{"customer_name": "A"}}})
	if n := s.calls.Load(); n != 0 {
		t.Errorf("%d requests sent after the intent failed to be written", n)
	}
	if o.Status != Skipped || !o.NotSent {
		t.Errorf("outcome %+v; want skipped, not sent", o)
	}
	if w.journalErr() == nil {
		t.Error("the journal's failure was not recorded")
	}
}

// A journal of the same sheet run with another mapping is refused, and
// says it is the mapping that differs: its rows were sent as that mapping
// made them.
func TestJournalOfAnotherMappingIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	e.mapping = e.write("mapping.yaml", quoteMapping+"\n# edited\n")
	before := e.srv.Stats().Requests
	_, err := Run(context.Background(), e.config())
	var jo *JournalOtherRunError
	if !errors.As(err, &jo) || jo.Differs != "mapping" {
		t.Fatalf("err = %v; want a *JournalOtherRunError saying the mapping differs", err)
	}
	if n := e.srv.Stats().Requests - before; n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// validate never writes over an earlier run's results, even with the
// run's journal beside them: validate's sheet is a valid input, and
// running it in place would set the journal aside and send every row a
// second time.
func TestValidateDoesNotOverwriteResultsThatHaveAJournal(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	out := DefaultOutput(e.input)
	before, _ := os.ReadFile(out)
	cfg := e.config()
	cfg.Sender = nil
	_, err := validateRun(context.Background(), cfg)
	var eo *EarlierOutputError
	if !errors.As(err, &eo) || eo.Created != 3 || !eo.Journal {
		t.Fatalf("validate: %v; want an *EarlierOutputError for 3 created rows, with the journal there", err)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("validate overwrote the earlier results")
	}
	// What the user would do next with validate's sheet sends nothing twice.
	cfg = e.config()
	cfg.Input = out
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if d := e.srv.Duplicates(); len(d) != 0 {
		t.Errorf("duplicates: %v", d)
	}
}

// A sheet rewritten after the plan at the same size and with its old
// modification time (cp -p, rsync -t, a FAT disk's 2 s clock) is caught
// by its content: the plan the user agreed to was made from other rows.
func TestInputReplacedKeepingSizeAndTimeSendsNothing(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	before, err := os.Stat(e.input)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := Prepare(context.Background(), e.config(), Sending)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	b, err := os.ReadFile(e.input)
	if err != nil {
		t.Fatal(err)
	}
	evil := bytes.Replace(b, []byte("Anna1"), []byte("Evil1"), 1)
	if bytes.Equal(evil, b) || len(evil) != len(b) {
		t.Fatal("the test sheet has no Anna1 to replace")
	}
	if err := os.WriteFile(e.input, evil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(e.input, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	_, err = imp.Send(context.Background(), nil)
	var ch *InputChangedError
	if !errors.As(err, &ch) {
		t.Fatalf("err = %v; want *InputChangedError", err)
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent from a sheet replaced after its plan", n)
	}
}

// A CSV's journal written by an older sbimport (format 1, rows counted by
// text line) is not resumed or replayed: its row numbers may point at
// other rows now, and a created row could be sent again.
func TestOldCSVJournalIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	jpath := JournalPath(DefaultOutput(e.input))
	b, err := os.ReadFile(jpath)
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	rec, ok := decodeRecord(append(first, '\n'))
	if !ok || rec.V != journalVersion {
		t.Fatalf("first record %+v, %v", rec, ok)
	}
	rec.V = 1
	line, err := encodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jpath, append(line, rest...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), e.config())
	var oj *OldJournalError
	if !errors.As(err, &oj) || oj.Version != 1 || !oj.Finished {
		t.Fatalf("err = %v; want *OldJournalError of a finished version-1 journal", err)
	}
	if n := e.srv.Stats().Requests; n != 3 {
		t.Errorf("%d requests in all; want the first run's 3 only", n)
	}
}

// A rehearsal's output sheet given to a run against another SalesByte:
// its created rows exist only where their links point, and would be kept
// as created and never sent. It is refused, unless forced.
func TestOutputOfAnotherServerIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	cfg := e.config()
	cfg.BaseURL = e.url
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	other := newEnv(t, sandbox.Options{}, nil)
	cfg = other.config()
	cfg.Input = DefaultOutput(e.input)
	cfg.Output = filepath.Join(other.dir, "production.csv")
	cfg.BaseURL = other.url
	_, err := Run(context.Background(), cfg)
	var ce *CreatedElsewhereError
	if !errors.As(err, &ce) || ce.Rows != 3 {
		t.Fatalf("err = %v; want *CreatedElsewhereError for 3 rows", err)
	}
	if n := other.srv.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// The same server (the in-place re-run) is no problem.
	cfg = e.config()
	cfg.Input, cfg.BaseURL = DefaultOutput(e.input), e.url
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Errorf("a re-run against the same server: %v", err)
	}
}
