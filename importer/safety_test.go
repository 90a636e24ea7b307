package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

func TestSecondRunOnTheSameOutputIsRefused(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5)
	out := DefaultOutput(e.input)
	held, err := lockOutput(out) // another sbimport, running
	if err != nil {
		t.Fatal(err)
	}
	for _, validate := range []bool{false, true} {
		cfg := e.config()
		_, err := runMode(context.Background(), cfg, validate)
		var ie *InputError
		var le *LockedError
		if !errors.As(err, &ie) || !errors.As(err, &le) || le.Output != out {
			t.Fatalf("validate=%v: err = %v; want an *InputError holding *LockedError for %s", validate, err, out)
		}
	}
	if n := e.srv.Stats().Requests; n != 0 {
		t.Fatalf("%d requests sent while another run held the output", n)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the output was written while another run held it (%v)", err)
	}
	held.Release()
	if _, err := os.Stat(LockPath(out)); runtime.GOOS != "windows" && !os.IsNotExist(err) {
		t.Errorf("the lock file is left after release (%v)", err)
	}
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatalf("after the other run let go: %v", err)
	}
	if got := e.srv.Stats().Created; got != 5 {
		t.Errorf("created %d; want 5", got)
	}
}

// The lock is held for the whole run, not only while it starts.
func TestLockIsHeldWhileSending(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(3)
	cfg := e.config()
	var tried atomic.Bool
	cfg.Sender = senderFunc(func(ctx context.Context, ep salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
		if !tried.Swap(true) {
			l, err := lockOutput(DefaultOutput(e.input))
			var le *LockedError
			if !errors.As(err, &le) {
				l.Release()
				t.Errorf("while sending, another lock got %v; want *LockedError", err)
			}
		}
		return e.client.Create(ctx, ep, body)
	})
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if !tried.Load() {
		t.Fatal("nothing was sent")
	}
}

type senderFunc func(context.Context, salesbyte.Endpoint, map[string]any) (salesbyte.Created, error)

func (f senderFunc) Create(ctx context.Context, ep salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
	return f(ctx, ep, body)
}

func TestJournalRemovedOrReplacedMidRunStopsSending(t *testing.T) {
	for _, replace := range []bool{false, true} {
		t.Run(fmt.Sprintf("replaced=%v", replace), func(t *testing.T) {
			e := newEnv(t, sandbox.Options{}, nil)
			e.customers(20)
			out := DefaultOutput(e.input)
			cfg := e.config()
			cfg.Concurrency = 1
			var n atomic.Int32
			cfg.Sender = senderFunc(func(ctx context.Context, ep salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
				if n.Add(1) == 5 {
					jp := JournalPath(out)
					if replace {
						b, _ := os.ReadFile(jp) // a copy put back: another file
						os.Remove(jp)
						os.WriteFile(jp, b, 0o600)
					} else {
						os.Remove(jp)
					}
				}
				return e.client.Create(ctx, ep, body)
			})
			sum, err := Run(context.Background(), cfg)
			var gone *JournalReplacedError
			if !errors.As(err, &gone) || gone.Path != JournalPath(out) {
				t.Fatalf("err = %v; want *JournalReplacedError for %s", err, JournalPath(out))
			}
			if got := e.srv.Stats().Requests; got != 5 || sum.Requests != 5 {
				t.Fatalf("%d requests (summary %d) after the journal went at the 5th; want 5", got, sum.Requests)
			}
			if sum.Counts[Created] != 5 || sum.Counts[Skipped] != 15 || sum.Stopped == nil {
				t.Errorf("counts %v, stopped %+v; want 5 created, 15 skipped, stopped", sum.Counts, sum.Stopped)
			}
			// The output sheet is all that records what was sent.
			_, rows := readCSV(t, out)
			if len(rows) != 20 || rows[4]["sb_status"] != "created" || rows[5]["sb_status"] != "skipped" ||
				!strings.Contains(rows[5]["sb_error"], "removed or replaced") {
				t.Fatalf("output rows: %v", rows)
			}
			// Giving it as the input sends the rest, and nothing twice.
			os.Remove(JournalPath(out))
			cfg = e.config()
			cfg.Input = out
			if _, err := Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			if got := e.srv.Stats().Created; got != 20 || len(e.srv.Duplicates()) != 0 {
				t.Errorf("created %d, duplicates %v; want 20 and none", got, e.srv.Duplicates())
			}
		})
	}
}

// An earlier output sheet that cannot be read might record created rows:
// it is neither trusted as "not ours" nor overwritten.
func TestUnreadableEarlierOutputIsRefused(t *testing.T) {
	for _, validate := range []bool{false, true} {
		e := newEnv(t, sandbox.Options{}, nil)
		e.customers(3)
		out := DefaultOutput(e.input)
		header := "Förnamn,Efternamn,E-post,Mobil," + strings.Join(ResultColumns, ",") + "\n"
		created := "Anna1,Svensson,kund1@example.se,070-123 45 01,created,3,42" + strings.Repeat(",", len(ResultColumns)-3) + "\n"
		body := header + "\"Anna0,Svensson,kund0@example.se,070-123 45 00\n" + created
		if err := os.WriteFile(out, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := e.config()
		_, err := runMode(context.Background(), cfg, validate)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), out+" already exists and cannot be read") {
			t.Fatalf("validate=%v: err = %v; want an *InputError naming %s", validate, err, out)
		}
		if n := e.srv.Stats().Requests; n != 0 {
			t.Errorf("validate=%v: %d requests sent", validate, n)
		}
		if b, _ := os.ReadFile(out); string(b) != body {
			t.Errorf("validate=%v: the earlier output was overwritten", validate)
		}
	}
}

func TestOutputFolderThatCannotBeWrittenIsAnInputError(t *testing.T) {
	for _, validate := range []bool{false, true} {
		e := newEnv(t, sandbox.Options{}, nil)
		e.customers(3)
		notDir := e.write("a-file", "x")
		cfg := e.config()
		cfg.Output = filepath.Join(notDir, "out.csv")
		_, err := runMode(context.Background(), cfg, validate)
		var ie *InputError
		var de *OutputDirError
		if !errors.As(err, &ie) || !errors.As(err, &de) || de.Dir != notDir {
			t.Fatalf("validate=%v: err = %v; want an *InputError holding *OutputDirError for %s", validate, err, notDir)
		}
		if n := e.srv.Stats().Requests; n != 0 {
			t.Errorf("%d requests sent", n)
		}
	}
}

func TestStaleTempFilesOfTheOutputAreRemoved(t *testing.T) {
	for _, validate := range []bool{false, true} {
		e := newEnv(t, sandbox.Options{}, nil)
		e.customers(2)
		stale := e.write(".kunder-result.csv.tmp-1234567", "half an output")
		other := e.write(".kunder-result.csv.tmp-mine", "not ours")
		cfg := e.config()
		if _, err := runMode(context.Background(), cfg, validate); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("validate=%v: the stale temporary file is still there (%v)", validate, err)
		}
		if _, err := os.Stat(other); err != nil {
			t.Errorf("validate=%v: a file not of our naming was removed: %v", validate, err)
		}
	}
}

// A row the reader finds ragged (a value more than the header has) is
// invalid and never sent, even though its first columns map cleanly.
func TestRaggedRowIsInvalidAndNotSent(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("kunder.csv", "Förnamn,Efternamn,E-post,Mobil\n"+
		"Anna0,Svensson,kund0@example.se,070-123 45 00\n"+
		"Anna1,Svensson,kund1@example.se,070-123 45 01,extra\n"+
		"Anna2,Svensson,kund2@example.se,070-123 45 02\n")
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Invalid] != 1 || sum.Counts[Created] != 2 || e.srv.Stats().Requests != 2 {
		t.Fatalf("counts %v, requests %d; want the ragged row invalid and 2 sent", sum.Counts, e.srv.Stats().Requests)
	}
	_, rows := readCSV(t, DefaultOutput(e.input))
	if rows[1]["sb_status"] != "invalid" || !strings.Contains(rows[1]["sb_error"], "has 5 values but the header has 4") {
		t.Errorf("ragged row: %v", rows[1])
	}
}

// syncRecorder remembers what was written to the journal and how much of
// it was fsynced.
type syncRecorder struct {
	journalFile
	mu      sync.Mutex
	written []byte
	synced  int
}

func (r *syncRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.written = append(r.written, p...)
	r.mu.Unlock()
	return r.journalFile.Write(p)
}

func (r *syncRecorder) Sync() error {
	r.mu.Lock()
	n := len(r.written)
	r.mu.Unlock()
	if err := r.journalFile.Sync(); err != nil {
		return err
	}
	r.mu.Lock()
	r.synced = max(r.synced, n)
	r.mu.Unlock()
	return nil
}

// syncedIntent says whether an intent record for row is in the synced part.
func (r *syncRecorder) syncedIntent(row int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, line := range strings.SplitAfter(string(r.written[:r.synced]), "\n") {
		if rec, ok := decodeRecord([]byte(line)); ok && rec.T == recIntent && rec.Row == row {
			return true
		}
	}
	return false
}

var customerNo = regexp.MustCompile(`kund(\d+)@`)

func TestIntentIsDurableBeforeTheRequest(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(30)
	cfg := e.config()
	rec := &syncRecorder{}
	cfg.wrapJournal = func(f journalFile) journalFile { rec.journalFile = f; return rec }
	var checked atomic.Int32
	cfg.Sender = senderFunc(func(ctx context.Context, ep salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
		m := customerNo.FindStringSubmatch(fmt.Sprint(body))
		if m == nil {
			t.Errorf("no customer in %v", body)
		} else {
			i, _ := strconv.Atoi(m[1])
			if !rec.syncedIntent(i + 2) { // customer i is on line i+2
				t.Errorf("row %d was sent before its intent was fsynced", i+2)
			}
			checked.Add(1)
		}
		return e.client.Create(ctx, ep, body)
	})
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if checked.Load() != 30 {
		t.Errorf("checked %d sends; want 30", checked.Load())
	}
}

// Resuming after a torn last record cuts it off, so the records the
// resumed run appends follow the intact ones directly.
func TestResumeTruncatesTornTail(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(6)
	out := DefaultOutput(e.input)
	jp := JournalPath(out)
	cfg := e.config()
	cfg.Concurrency = 1
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	cfg.Sender = senderFunc(func(c context.Context, ep salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
		if n.Add(1) == 3 {
			cancel() // stop after this one
		}
		return e.client.Create(c, ep, body)
	})
	if _, err := Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	intact, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	// A crash tore a long record: more bytes than any record appended next.
	torn := "0badc0de {\"t\":\"outcome\",\"r\":99,\"e\":\"" + strings.Repeat("x", 64<<10)
	if err := os.WriteFile(jp, append(append([]byte{}, intact...), torn...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), e.config()); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(after), string(intact)) || strings.Contains(string(after), "xxxx") {
		t.Fatalf("the torn tail was not cut before appending: %d bytes intact, %d after the resume, x's left: %v",
			len(intact), len(after), strings.Contains(string(after), "xxxx"))
	}
	for _, line := range strings.SplitAfter(string(after[len(intact):]), "\n") {
		if _, ok := decodeRecord([]byte(line)); line != "" && !ok {
			t.Errorf("unreadable record after resume: %q", line)
		}
	}
	if got := e.srv.Stats().Created; got != 6 || len(e.srv.Duplicates()) != 0 {
		t.Errorf("created %d, duplicates %v; want 6 and none", got, e.srv.Duplicates())
	}
}
