package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openAt(t *testing.T, path string, opt Options) *Ledger {
	t.Helper()
	l, err := Open(context.Background(), path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func newLedger(t *testing.T) (*Ledger, *clock) {
	t.Helper()
	c := &clock{t: t0}
	return openAt(t, filepath.Join(t.TempDir(), "sb", "ledger.db"), Options{Now: c.now}), c
}

func beginRun(t *testing.T, l *Ledger, input string, scope Scope) int64 {
	t.Helper()
	id, err := l.BeginRun(context.Background(), RunInfo{
		Input: input, InputSHA256: "abc", Mapping: "m.yaml", MappingSHA256: "def",
		Endpoint: scope.Endpoint, Campaign: scope.Campaign, BaseURL: "https://sb.example", Integration: scope.Integration,
	})
	if err != nil {
		t.Fatalf("BeginRun: %v", err)
	}
	return id
}

func reserve(t *testing.T, l *Ledger, run int64, scope Scope, opt ReserveOptions, file string, rowKeys ...string) []Decision {
	t.Helper()
	claims := make([]Claim, len(rowKeys))
	for i, k := range rowKeys {
		claims[i] = Claim{Key: l.KeyHash(k), File: file, Row: i + 2}
	}
	ds, err := l.Reserve(context.Background(), run, scope, claims, opt)
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if len(ds) != len(claims) {
		t.Fatalf("Reserve gave %d decisions for %d claims", len(ds), len(claims))
	}
	return ds
}

func record(t *testing.T, l *Ledger, os ...Outcome) {
	t.Helper()
	if err := l.Record(context.Background(), os); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

func TestOpenCreatesPrivateWALLedger(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg", "sbimport")
	path := filepath.Join(dir, "ledger.db")
	l := openAt(t, path, Options{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("ledger mode %o, want 600", m)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := di.Mode().Perm(); m != 0o700 {
		t.Errorf("folder mode %o, want 700", m)
	}
	var mode string
	var version, fk, app int
	l.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	l.db.QueryRow("PRAGMA user_version").Scan(&version)
	l.db.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	l.db.QueryRow("PRAGMA application_id").Scan(&app)
	if mode != "wal" || version != SchemaVersion || fk != 1 || app != applicationID {
		t.Errorf("journal_mode=%q user_version=%d foreign_keys=%d application_id=%#x", mode, version, fk, app)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(path + side); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %o: readable by others", side, fi.Mode().Perm())
		}
	}
	// A second Open keeps the salt: hashes are stable across runs.
	h := l.KeyHash("anna@example.se")
	l.Close()
	l2 := openAt(t, path, Options{})
	if l2.KeyHash("anna@example.se") != h {
		t.Error("the key hash changed after reopening: the salt was not kept")
	}
}

func TestKeyHashNormalisesAndIsKeyed(t *testing.T) {
	l, _ := newLedger(t)
	if l.KeyHash(" Anna@Example.SE ") != l.KeyHash("anna@example.se") {
		t.Error("case and surrounding space make another key")
	}
	// "é" composed and decomposed are one key.
	if l.KeyHash("andr\u00e9@x.se") != l.KeyHash("andre\u0301@x.se") {
		t.Error("NFC and NFD forms make another key")
	}
	if l.KeyHash("anna@example.se") == l.KeyHash("anne@example.se") {
		t.Error("two keys hash alike")
	}
	other, _ := newLedger(t)
	if other.KeyHash("anna@example.se") == l.KeyHash("anna@example.se") {
		t.Error("two ledgers hash a key alike: the salt is not random per ledger")
	}
	if l.Fingerprint("u-1") == l.KeyHash("u-1") {
		t.Error("fingerprint and key hash share a domain")
	}
}

func TestOpenRefusesNewerVersionUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l := openAt(t, path, Options{})
	if _, err := l.db.Exec("PRAGMA user_version=99"); err != nil {
		t.Fatal(err)
	}
	l.Close()
	before, _ := os.ReadFile(path)
	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("Open of a version-99 ledger: %v, want ErrNewerVersion", err)
	}
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Found != 99 || ve.Known != SchemaVersion {
		t.Errorf("error %v does not say version 99 (known %d)", err, SchemaVersion)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a newer ledger was changed by Open")
	}
}

func TestOpenRefusesCorruptFileUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	junk := make([]byte, 8192)
	rand.Read(junk)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, Options{})
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Path != path {
		t.Fatalf("Open of random bytes: %v, want *CorruptError for %s", err, path)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(junk, after) {
		t.Error("a damaged ledger was changed by Open")
	}
}

func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE contacts(email TEXT)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), path, Options{}); !errors.Is(err, ErrNotLedger) {
		t.Fatalf("Open of another program's database: %v, want ErrNotLedger", err)
	}
}

// openWithin runs Open and fails the test if it does not return within a
// generous deadline (a hang is the bug this guards against).
func openWithin(t *testing.T, path string, opt Options) (*Ledger, error) {
	t.Helper()
	type res struct {
		l   *Ledger
		err error
	}
	ch := make(chan res, 1)
	go func() {
		l, err := Open(context.Background(), path, opt)
		ch <- res{l, err}
	}()
	select {
	case r := <-ch:
		if r.l != nil {
			t.Cleanup(func() { r.l.Close() })
		}
		return r.l, r.err
	case <-time.After(60 * time.Second):
		t.Fatal("Open did not return within 60 s: it hangs on a locked ledger")
		return nil, nil
	}
}

func TestLockedLedgerIsAClearErrorNotAHang(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l := openAt(t, path, Options{BusyTimeout: 100 * time.Millisecond})
	scope := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", scope)

	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	// Another process in the middle of a write holds the write lock.
	if _, err := other.Exec("BEGIN IMMEDIATE; INSERT INTO meta(k, v) VALUES ('x', 'y')"); err != nil {
		t.Fatal(err)
	}
	_, err = openWithin(t, path, Options{BusyTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Open of a locked ledger: %v, want ErrLocked", err)
	}
	_, err = l.Reserve(context.Background(), run, scope, []Claim{{Key: l.KeyHash("a"), File: "a.csv", Row: 2}}, ReserveOptions{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Reserve on a locked ledger: %v, want ErrLocked", err)
	}
	other.Exec("ROLLBACK")
	other.Close()
	if ds := reserve(t, l, run, scope, ReserveOptions{}, "a.csv", "a"); !ds[0].Granted {
		t.Error("after the lock went, the key was not granted")
	}
}

func TestReadOnlyLedgerIsAClearError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	openAt(t, path, Options{}).Close()
	_, err := Open(context.Background(), path, Options{readOnly: true})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Open of a read-only ledger: %v, want ErrReadOnly", err)
	}
}

func TestFullDiskLosesNothingAndWritesNoHalfBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l := openAt(t, path, Options{MaxPages: 40})
	scope := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", scope)
	var granted int
	var err error
	for b := 0; b < 1000 && err == nil; b++ {
		claims := make([]Claim, 50)
		for i := range claims {
			claims[i] = Claim{Key: l.KeyHash(strings.Repeat("x", 40) + string(rune('a'+b%26)) + time.Duration(b*1000+i).String()), File: "a.csv", Row: b*50 + i}
		}
		var ds []Decision
		ds, err = l.Reserve(context.Background(), run, scope, claims, ReserveOptions{})
		if err == nil {
			granted += len(ds)
		}
	}
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("filling the ledger: %v, want ErrDiskFull", err)
	}
	l.Close()
	l2 := openAt(t, path, Options{})
	var n int
	l2.db.QueryRow("SELECT count(*) FROM entries").Scan(&n)
	if n != granted {
		t.Errorf("after a full disk the ledger holds %d entries, want the %d granted (no half batch, none lost)", n, granted)
	}
}

func TestReserveHoldsBackWhatWasCreatedInTheScope(t *testing.T) {
	l, c := newLedger(t)
	ctx := context.Background()
	quote := Scope{Integration: l.Fingerprint("uuid-1"), Endpoint: "quote"}
	run1 := beginRun(t, l, "kunder.xlsx", quote)
	ds := reserve(t, l, run1, quote, ReserveOptions{}, "kunder.xlsx", "anna@example.se", "bo@example.se", "cia@example.se")
	for i, d := range ds {
		if !d.Granted || d.Entry == 0 {
			t.Fatalf("claim %d in an empty ledger: %+v", i, d)
		}
	}
	links := salesbyte.Links{Edit: "https://sb.example/e/1", CustomerView: "https://sb.example/v/1"}
	c.t = t0.Add(time.Minute)
	record(t, l,
		Outcome{Entry: ds[0].Entry, Status: Created, SBID: 101, Links: links, HTTPStatus: 201},
		Outcome{Entry: ds[1].Entry, Status: Failed, HTTPStatus: 422},
		Outcome{Entry: ds[2].Entry, Status: Unknown})
	var syncMode int
	l.db.QueryRow("PRAGMA synchronous").Scan(&syncMode)
	if syncMode != 2 {
		t.Errorf("after Record the connection is left at synchronous=%d, want 2 (FULL) for the next Reserve", syncMode)
	}
	if err := l.FinishRun(ctx, run1, Counts{Rows: 3, Created: 1, Failed: 1, Unknown: 1}, time.Time{}); err != nil {
		t.Fatal(err)
	}

	c.t = t0.Add(time.Hour)
	run2 := beginRun(t, l, "nya.csv", quote)
	ds = reserve(t, l, run2, quote, ReserveOptions{}, "nya.csv", "ANNA@example.se", "bo@example.se", "cia@example.se", "dan@example.se")
	if d := ds[0]; d.Granted || d.Reason != HeldCreated || d.Earlier == nil {
		t.Fatalf("a key created earlier in the scope: %+v, want held back (created)", d)
	}
	e := ds[0].Earlier
	if e.Run != run1 || e.SBID != 101 || e.Links != links || e.File != "kunder.xlsx" || e.Row != 2 ||
		!e.When().Equal(t0.Add(time.Minute)) || e.RunInput != "kunder.xlsx" || e.Scope != "endpoint:quote" {
		t.Errorf("the earlier entry does not say which run, id, links, file, row and when: %+v", e)
	}
	if !ds[1].Granted {
		t.Errorf("a key that failed earlier is held back: %+v", ds[1])
	}
	if d := ds[2]; d.Granted || d.Reason != HeldUnknown {
		t.Errorf("a key whose outcome is unknown: %+v, want held back (unknown)", d)
	}
	if !ds[3].Granted {
		t.Errorf("a new key is held back: %+v", ds[3])
	}

	// Another endpoint is another scope; a campaign is its own scope.
	lead := Scope{Integration: quote.Integration, Endpoint: "lead"}
	camp := Scope{Integration: quote.Integration, Endpoint: "quote", Campaign: "vinter-2026"}
	otherInteg := Scope{Integration: l.Fingerprint("uuid-2"), Endpoint: "quote"}
	for _, s := range []Scope{lead, camp, otherInteg} {
		if ds := reserve(t, l, run2, s, ReserveOptions{}, "nya.csv", "anna@example.se"); !ds[0].Granted {
			t.Errorf("scope %s holds back a key created in endpoint:quote: %+v", s.Name(), ds[0])
		}
	}
	// The same campaign again holds it back.
	if ds := reserve(t, l, run2, camp, ReserveOptions{}, "nya.csv", "x", "anna@example.se"); ds[1].Granted || ds[1].Reason != HeldInFlight {
		t.Errorf("a key reserved in the campaign by a live run: %+v, want held back (in flight)", ds[1])
	}
}

func TestReserveOptionsLiftAndAddRules(t *testing.T) {
	l, c := newLedger(t)
	quote := Scope{Integration: l.Fingerprint("uuid-1"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", quote)
	ds := reserve(t, l, run, quote, ReserveOptions{}, "a.csv", "anna", "bo")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created}, Outcome{Entry: ds[1].Entry, Status: Unknown})

	if ds := reserve(t, l, run, quote, ReserveOptions{RetryUnknown: true}, "b.csv", "anna", "bo"); ds[0].Granted || !ds[1].Granted {
		t.Errorf("RetryUnknown: created %+v must stay held, unknown %+v must be granted", ds[0], ds[1])
	}
	if ds := reserve(t, l, run, quote, ReserveOptions{AllowDuplicates: true}, "c.csv", "anna"); !ds[0].Granted {
		t.Errorf("AllowDuplicates does not lift the scope rule: %+v", ds[0])
	}

	// NotWithin spans scopes of the integration, and only that long.
	lead := Scope{Integration: quote.Integration, Endpoint: "lead"}
	c.t = t0.Add(29 * 24 * time.Hour)
	if ds := reserve(t, l, run, lead, ReserveOptions{NotWithin: 30 * 24 * time.Hour}, "d.csv", "anna"); ds[0].Granted || ds[0].Reason != HeldNotWithin {
		t.Errorf("a key created 29 days ago with NotWithin 30d: %+v, want held back (not-within)", ds[0])
	}
	c.t = t0.Add(31 * 24 * time.Hour)
	if ds := reserve(t, l, run, lead, ReserveOptions{NotWithin: 30 * 24 * time.Hour}, "d.csv", "anna"); !ds[0].Granted {
		t.Errorf("a key created 31 days ago with NotWithin 30d: %+v, want granted", ds[0])
	}
	other := Scope{Integration: l.Fingerprint("uuid-2"), Endpoint: "lead"}
	if ds := reserve(t, l, run, other, ReserveOptions{NotWithin: 300 * 24 * time.Hour}, "d.csv", "bo"); !ds[0].Granted {
		t.Errorf("NotWithin counts another integration's sends: %+v", ds[0])
	}
}

func TestReserveHoldsBackASecondClaimInTheSameBatch(t *testing.T) {
	l, _ := newLedger(t)
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", s)
	ds := reserve(t, l, run, s, ReserveOptions{}, "a.csv", "anna", "Anna ")
	if !ds[0].Granted || ds[1].Granted || ds[1].Earlier.Row != 2 {
		t.Errorf("two claims of one key in a batch: %+v, %+v", ds[0], ds[1])
	}
}

func TestReserveNeedsAHeldRun(t *testing.T) {
	l, _ := newLedger(t)
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", s)
	if err := l.FinishRun(context.Background(), run, Counts{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	_, err := l.Reserve(context.Background(), run, s, []Claim{{Key: l.KeyHash("a")}}, ReserveOptions{})
	if !errors.Is(err, ErrRunNotHeld) {
		t.Errorf("Reserve for a finished run: %v, want ErrRunNotHeld", err)
	}
	l.Close()
	if _, err := l.BeginRun(context.Background(), RunInfo{}); !errors.Is(err, ErrClosed) {
		t.Errorf("BeginRun after Close: %v, want ErrClosed", err)
	}
	if err := l.Record(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close: %v, want ErrClosed", err)
	}
}

func TestCheckWritesNothing(t *testing.T) {
	l, _ := newLedger(t)
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote", Campaign: "vinter-2026"}
	run := beginRun(t, l, "a.csv", s)
	ds := reserve(t, l, run, s, ReserveOptions{}, "kunder.xlsx", "anna")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created, SBID: 7})
	got, err := l.Check(context.Background(), 0, s, []Claim{{Key: l.KeyHash("anna")}, {Key: l.KeyHash("bo")}}, ReserveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Granted || got[0].Earlier.SBID != 7 || !got[1].Granted || got[1].Entry != 0 {
		t.Errorf("Check: %+v %+v", got[0], got[1])
	}
	var n int
	l.db.QueryRow("SELECT count(*) FROM entries").Scan(&n)
	if n != 1 {
		t.Errorf("Check wrote entries: %d in the ledger, want 1", n)
	}
}

func TestRecordRefusesUnknownEntryAndStatusWholly(t *testing.T) {
	l, _ := newLedger(t)
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", s)
	ds := reserve(t, l, run, s, ReserveOptions{}, "a.csv", "anna")
	err := l.Record(context.Background(), []Outcome{{Entry: ds[0].Entry, Status: Created}, {Entry: 9999, Status: Created}})
	if !errors.Is(err, ErrNoEntry) {
		t.Fatalf("Record of a missing entry: %v, want ErrNoEntry", err)
	}
	if err := l.Record(context.Background(), []Outcome{{Entry: ds[0].Entry, Status: Sending}}); err == nil {
		t.Error("Record accepted status sending")
	}
	var st string
	l.db.QueryRow("SELECT status FROM entries WHERE id=?", ds[0].Entry).Scan(&st)
	if st != "sending" {
		t.Errorf("a failed Record batch wrote part of itself: status %q", st)
	}
}

func TestLiveRunBlocksCrashedRunIsUnknownAndResumeRegrants(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	ctx := context.Background()
	a := openAt(t, path, Options{})
	b := openAt(t, path, Options{})
	s := Scope{Integration: a.Fingerprint("u"), Endpoint: "quote"}
	runA := beginRun(t, a, "a.csv", s)
	reserve(t, a, runA, s, ReserveOptions{}, "a.csv", "anna", "bo")
	runB := beginRun(t, b, "b.csv", s)
	ds := reserve(t, b, runB, s, ReserveOptions{RetryUnknown: true}, "b.csv", "anna")
	if ds[0].Granted || ds[0].Reason != HeldInFlight || ds[0].Earlier.Run != runA {
		t.Fatalf("a key a live run is sending: %+v, want held back (in flight, run %d)", ds[0], runA)
	}
	if err := b.ResumeRun(ctx, runA); !errors.Is(err, ErrRunBusy) {
		t.Errorf("ResumeRun of a live run: %v, want ErrRunBusy", err)
	}

	a.Close() // as a crash: the run's lock is gone, its entries still sending
	ds = reserve(t, b, runB, s, ReserveOptions{}, "b.csv", "anna")
	if ds[0].Granted || ds[0].Reason != HeldUnknown {
		t.Fatalf("a key a crashed run was sending: %+v, want held back (unknown)", ds[0])
	}
	hist, err := b.KeyHistory(ctx, "anna")
	if err != nil || len(hist) != 1 || hist[0].Status != Unknown {
		t.Errorf("KeyHistory of a crashed run's key: %v %+v, want one unknown entry", err, hist)
	}

	// The crashed run resumed: its own row is granted again, same entry;
	// another row with the same key is not.
	a2 := openAt(t, path, Options{})
	if err := a2.ResumeRun(ctx, runA); err != nil {
		t.Fatal(err)
	}
	claims := []Claim{{Key: a2.KeyHash("anna"), File: "a.csv", Row: 2}, {Key: a2.KeyHash("bo"), File: "a.csv", Row: 9}}
	got, err := a2.Reserve(ctx, runA, s, claims, ReserveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Granted || got[0].Entry != hist[0].ID {
		t.Errorf("the resumed run's own row: %+v, want granted on entry %d", got[0], hist[0].ID)
	}
	if got[1].Granted {
		t.Errorf("the resumed run's key from another row: %+v, want held back", got[1])
	}
	if err := a2.FinishRun(ctx, runA, Counts{Rows: 2}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	var sending int
	a2.db.QueryRow("SELECT count(*) FROM entries WHERE run_id=? AND status='sending'", runA).Scan(&sending)
	if sending != 0 {
		t.Errorf("FinishRun left %d entries sending, want them unknown", sending)
	}
}

func TestSettleTurnsUnknownIntoCreated(t *testing.T) {
	l, _ := newLedger(t)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	run := beginRun(t, l, "a.csv", s)
	ds := reserve(t, l, run, s, ReserveOptions{}, "a.csv", "anna", "bo")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Unknown}, Outcome{Entry: ds[1].Entry, Status: Unknown})
	links := salesbyte.Links{Edit: "https://sb.example/e/5"}
	n, err := l.Settle(ctx, []Settlement{
		{Scope: s, Key: l.KeyHash("anna"), Status: Created, SBID: 5, Links: links},
		{Scope: s, Key: l.KeyHash("bo"), Status: Failed},
		{Scope: s, Key: l.KeyHash("nobody"), Status: Created},
	})
	if err != nil || n != 2 {
		t.Fatalf("Settle: %d, %v; want 2 settled", n, err)
	}
	ds = reserve(t, l, run, s, ReserveOptions{RetryUnknown: true}, "b.csv", "anna", "bo")
	if ds[0].Granted || ds[0].Reason != HeldCreated || ds[0].Earlier.SBID != 5 || ds[0].Earlier.Links != links {
		t.Errorf("a key settled as created: %+v", ds[0])
	}
	if !ds[1].Granted {
		t.Errorf("a key settled as failed is held back: %+v", ds[1])
	}
	if _, err := l.Settle(ctx, []Settlement{{Scope: s, Key: l.KeyHash("x"), Status: Unknown}}); err == nil {
		t.Error("Settle accepted status unknown")
	}
}

func TestRunsNewestFirstAndKeyHistory(t *testing.T) {
	l, c := newLedger(t)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote", Campaign: "vinter-2026"}
	r1 := beginRun(t, l, "kunder.xlsx", s)
	ds := reserve(t, l, r1, s, ReserveOptions{}, "kunder.xlsx", "anna@example.se")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created, SBID: 1})
	l.FinishRun(ctx, r1, Counts{Rows: 1, Created: 1}, time.Time{})
	c.t = t0.Add(24 * time.Hour)
	r2 := beginRun(t, l, "fler.csv", Scope{Integration: s.Integration, Endpoint: "lead"})
	runs, err := l.Runs(ctx, 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("Runs: %v, %d runs", err, len(runs))
	}
	if runs[0].ID != r2 || runs[1].ID != r1 || runs[1].Counts.Created != 1 || runs[1].Campaign != "vinter-2026" ||
		runs[1].Input != "kunder.xlsx" || runs[1].BaseURL != "https://sb.example" || !runs[0].Alive || runs[1].Alive {
		t.Errorf("Runs, newest first: %+v", runs)
	}
	if one, _ := l.Runs(ctx, 1); len(one) != 1 || one[0].ID != r2 {
		t.Errorf("Runs(1): %+v", one)
	}
	h, err := l.KeyHistory(ctx, " Anna@Example.se")
	if err != nil || len(h) != 1 || h[0].Run != r1 || h[0].SBID != 1 || h[0].Scope != "campaign:vinter-2026" {
		t.Errorf("KeyHistory: %v %+v", err, h)
	}
}

func TestForgetDeletesOldRunsAndKeepsLiveOnes(t *testing.T) {
	l, c := newLedger(t)
	ctx := context.Background()
	s := Scope{Integration: l.Fingerprint("u"), Endpoint: "quote"}
	old := beginRun(t, l, "old.csv", s)
	ds := reserve(t, l, old, s, ReserveOptions{}, "old.csv", "anna", "bo")
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created}, Outcome{Entry: ds[1].Entry, Status: Created})
	l.FinishRun(ctx, old, Counts{}, time.Time{})
	live := beginRun(t, l, "live.csv", s) // started at t0 too, still under way
	reserve(t, l, live, s, ReserveOptions{}, "live.csv", "cia")
	c.t = t0.Add(48 * time.Hour)
	newer := beginRun(t, l, "new.csv", s)
	reserve(t, l, newer, s, ReserveOptions{}, "new.csv", "dan")

	f, err := l.Forget(ctx, t0.Add(time.Hour))
	if err != nil || f != (Forgotten{Runs: 1, Entries: 2}) {
		t.Fatalf("Forget: %+v, %v; want 1 run and 2 entries", f, err)
	}
	runs, _ := l.Runs(ctx, 0)
	if len(runs) != 2 {
		t.Errorf("after Forget: %d runs, want the live and the newer", len(runs))
	}
	if ds := reserve(t, l, newer, s, ReserveOptions{}, "new.csv", "anna"); !ds[0].Granted {
		t.Errorf("a forgotten key is still held back: %+v", ds[0])
	}
}

func TestNoKeyOrUUIDInClearInTheFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.db")
	l := openAt(t, path, Options{})
	ctx := context.Background()
	const uuid = "3f0c9a4e-7b21-4c55-9d1e-0a6b2f8e4c77"
	emails := []string{"anna.andersson@example.se", "bo.berg@example.se", "+46701234567"}
	s := Scope{Integration: l.Fingerprint(uuid), Endpoint: "quote", Campaign: "vinter-2026"}
	run := beginRun(t, l, "kunder.xlsx", s)
	ds := reserve(t, l, run, s, ReserveOptions{NotWithin: time.Hour}, "kunder.xlsx", emails...)
	record(t, l, Outcome{Entry: ds[0].Entry, Status: Created, SBID: 1}, Outcome{Entry: ds[1].Entry, Status: Unknown})
	l.Settle(ctx, []Settlement{{Scope: s, Key: l.KeyHash(emails[1]), Status: Created}})
	l.KeyHistory(ctx, emails[0])
	l.FinishRun(ctx, run, Counts{Rows: 3}, time.Time{})
	// Before Close: the WAL still holds the pages.
	scanDir(t, dir, append(emails, uuid, strings.ToUpper(uuid)))
	l.Close()
	scanDir(t, dir, append(emails, uuid, strings.ToUpper(uuid)))
}

func scanDir(t *testing.T, dir string, secrets []string) {
	t.Helper()
	files := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			for _, form := range []string{s, strings.ToLower(s)} {
				if bytes.Contains(b, []byte(form)) || bytes.Contains(b, utf16(form)) {
					t.Errorf("%s holds %q in clear", filepath.Base(p), form)
				}
			}
		}
		return nil
	})
	if files == 0 {
		t.Fatal("no files scanned")
	}
}

func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

func TestResolvePrefersFlagThenEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	if p, _ := Resolve("/f/l.db", env("/e/l.db")); p != "/f/l.db" {
		t.Errorf("flag: %q", p)
	}
	if p, _ := Resolve("", env("/e/l.db")); p != "/e/l.db" {
		t.Errorf("env: %q", p)
	}
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	t.Setenv("HOME", "/home/u")
	def, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := Resolve("", env("")); p != def || filepath.Base(p) != "ledger.db" || filepath.Base(filepath.Dir(p)) != "sbimport" {
		t.Errorf("default: %q (DefaultPath %q)", p, def)
	}
}

// By default a statement waits 30 s for another process's lock: two
// imports on a busy machine share the ledger, and one must not stop
// because the other's short transaction was slow.
func TestDefaultBusyTimeout(t *testing.T) {
	l := openAt(t, filepath.Join(t.TempDir(), "ledger.db"), Options{})
	var ms int
	if err := l.db.QueryRow("PRAGMA busy_timeout").Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if ms != 30000 {
		t.Errorf("busy_timeout = %d ms; want 30000", ms)
	}
}
