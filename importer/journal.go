package importer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

// The journal is a write-ahead log beside the output sheet. Before a row's
// request goes out its intent is on disk (fsynced, in group commits); after
// the answer, its outcome. After a crash the same command reads it back and
// never sends a row whose request may already have reached SalesByte.
//
// Each line is "<crc32c of the JSON, 8 hex digits> <JSON>\n"; a line whose
// checksum does not match (a torn write at the moment of a crash) ends the
// readable journal: it and anything after it are dropped.
//
// The journal never holds the integration uuid: only row numbers, statuses,
// ids, links and the server's messages, which the client has scrubbed.

// journalVersion 2 numbers a CSV's rows as a spreadsheet shows them (a
// blank line is a row, a value with a line break one row); version 1
// counted text lines, so its row numbers do not fit a CSV read now.
const journalVersion = 2

// Binding ties a journal to one input file, sheet and mapping.
type Binding struct {
	InputSHA256   string `json:"input_sha256"`
	Sheet         string `json:"sheet,omitempty"`
	HeaderRow     int    `json:"header_row,omitempty"`
	MappingSHA256 string `json:"mapping_sha256"`
	Endpoint      string `json:"endpoint"`
}

// record kinds
const (
	recRun     = "run"     // header: binding
	recIntent  = "intent"  // a request for row R, attempt A, may go out now
	recNotSent = "notsent" // attempt A of row R certainly did not reach the server
	recOutcome = "outcome" // final outcome of row R
	recEnd     = "end"     // the output sheet was written from this journal
	recLedger  = "ledger"  // the ledger run this journal's requests are recorded under (Entry)
)

type journalRecord struct {
	T        string           `json:"t"`
	V        int              `json:"v,omitempty"`
	Bind     *Binding         `json:"bind,omitempty"`
	Input    string           `json:"input,omitempty"`
	Mapping  string           `json:"mapping,omitempty"`
	BaseURL  string           `json:"base_url,omitempty"` // run record: the SalesByte address sent to
	Row      int              `json:"r,omitempty"`
	Attempt  int              `json:"a,omitempty"`
	Status   Status           `json:"s,omitempty"`
	ID       int64            `json:"id,omitempty"`
	Links    *salesbyte.Links `json:"l,omitempty"`
	HTTP     int              `json:"h,omitempty"`
	Error    string           `json:"e,omitempty"`
	At       string           `json:"at,omitempty"`
	Complete bool             `json:"complete,omitempty"`
	Entry    int64            `json:"le,omitempty"`
}

// journalState is what a journal file says, read back.
type journalState struct {
	Binding  Binding
	Input    string
	Mapping  string // the mapping file's path, for reconcile
	BaseURL  string // the SalesByte address sent to, for reconcile ("" = not recorded)
	Started  string
	Version  int // the sbimport journal format that wrote it
	Complete bool
	// Ended says the last record is an end record: the output sheet was
	// written from this journal with nothing in flight, so it holds every
	// row's outcome (Complete or not).
	Ended bool
	// LedgerRun is the ledger run the last recLedger record names; 0:
	// none (no ledger, or an older sbimport).
	LedgerRun int64
	// rows maps a row number to what is known of it.
	rows map[int]*journaledRow
	// validBytes is the length of the intact prefix (a torn tail is cut).
	validBytes int64
}

type journaledRow struct {
	Intent   bool // an intent without a later notsent or outcome: may have been sent
	Attempts int
	Outcome  *Outcome
	Entry    int64 // the row's ledger entry, 0: none recorded
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func encodeRecord(rec *journalRecord) ([]byte, error) {
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	line := make([]byte, 0, len(body)+10)
	line = fmt.Appendf(line, "%08x ", crc32.Checksum(body, crcTable))
	line = append(line, body...)
	return append(line, '\n'), nil
}

// readJournal reads a journal file; os.ErrNotExist when there is none.
func readJournal(path string) (*journalState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st := &journalState{rows: make(map[int]*journaledRow)}
	br := bufio.NewReaderSize(f, 1<<16)
	var offset int64
	first := true
	for {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read journal %s: %w", path, err)
		}
		rec, ok := decodeRecord(line)
		if !ok {
			break // torn or damaged: the intact prefix is all there is
		}
		if first {
			if rec.T != recRun || rec.Bind == nil {
				return nil, fmt.Errorf("journal %s does not start with a run record; it is not an sbimport journal", path)
			}
			if rec.V > journalVersion {
				return nil, fmt.Errorf("journal %s was written by a newer sbimport (version %d); use that version to finish the run", path, rec.V)
			}
			st.Binding = *rec.Bind
			st.Input = rec.Input
			st.Mapping = rec.Mapping
			st.BaseURL = rec.BaseURL
			st.Started = rec.At
			st.Version = rec.V
			first = false
		} else {
			st.apply(rec)
		}
		offset += int64(len(line))
		if err == io.EOF {
			break
		}
	}
	if first {
		return nil, fmt.Errorf("journal %s is empty or damaged at its start; move it away to start over", path)
	}
	st.validBytes = offset
	return st, nil
}

func decodeRecord(line []byte) (*journalRecord, bool) {
	if len(line) < 11 || line[len(line)-1] != '\n' || line[8] != ' ' {
		return nil, false
	}
	sum, err := strconv.ParseUint(string(line[:8]), 16, 32)
	if err != nil {
		return nil, false
	}
	body := line[9 : len(line)-1]
	if crc32.Checksum(body, crcTable) != uint32(sum) {
		return nil, false
	}
	var rec journalRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		return nil, false
	}
	return &rec, true
}

func (st *journalState) row(r int) *journaledRow {
	jr := st.rows[r]
	if jr == nil {
		jr = &journaledRow{}
		st.rows[r] = jr
	}
	return jr
}

func (st *journalState) apply(rec *journalRecord) {
	if rec.T != recEnd {
		st.Ended = false
	}
	switch rec.T {
	case recIntent:
		st.Complete = false // a resumed run is under way again
		jr := st.row(rec.Row)
		jr.Intent = true
		jr.Attempts = max(jr.Attempts, rec.Attempt)
		if rec.Entry != 0 {
			jr.Entry = rec.Entry
		}
	case recNotSent:
		jr := st.row(rec.Row)
		jr.Intent = false
	case recOutcome:
		jr := st.row(rec.Row)
		jr.Intent = false
		jr.Attempts = max(jr.Attempts, rec.Attempt)
		o := &Outcome{Status: rec.Status, ID: rec.ID, HTTPStatus: rec.HTTP, Error: rec.Error, Attempts: rec.Attempt, At: rec.At}
		if rec.Links != nil {
			o.Links = *rec.Links
		}
		jr.Outcome = o
	case recEnd:
		st.Complete = rec.Complete
		st.Ended = true
	case recLedger:
		st.LedgerRun = rec.Entry
	}
}

// journalFile is what the journal writes to: an *os.File, or in tests one
// that fails as a full disk does.
type journalFile interface {
	io.Writer
	Sync() error
	Close() error
}

// journal appends records. Intents are group-committed: Intent blocks until
// its record, and every record written before it, is fsynced.
type journal struct {
	path string
	f    journalFile
	osf  *os.File // the file itself, to check it is still the one at path

	mu      sync.Mutex
	waiters []chan error
	err     error // sticky write error
	kick    chan struct{}
	done    chan struct{}
	closed  bool
	// entries are the ledger entries granted to rows whose intent is not
	// written yet: the intent record carries it (see Entry).
	entries map[int]int64
}

// openJournal creates a new journal (truncating any) or, with resume, opens
// st's file for appending after its intact prefix. A new journal's run
// record names the input, the mapping and baseURL, the address sent to.
func openJournal(path string, bind Binding, input, mappingPath, baseURL string, resume *journalState, now time.Time) (*journal, error) {
	var f *os.File
	var err error
	if resume != nil {
		f, err = os.OpenFile(path, os.O_WRONLY, 0o600)
		if err == nil {
			err = f.Truncate(resume.validBytes) // drop a torn tail before appending
		}
		if err == nil {
			_, err = f.Seek(resume.validBytes, io.SeekStart)
		}
	} else {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, fmt.Errorf("open journal: %w", err)
	}
	j := &journal{path: path, f: f, osf: f, kick: make(chan struct{}, 1), done: make(chan struct{})}
	if resume == nil {
		b := bind
		line, err := encodeRecord(&journalRecord{T: recRun, V: journalVersion, Bind: &b, Input: input, Mapping: mappingPath, BaseURL: baseURL, At: now.UTC().Format(time.RFC3339)})
		if err == nil {
			_, err = f.Write(line)
		}
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			err = syncDir(path)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("write journal %s: %w", path, err)
		}
	}
	go j.loop()
	return j, nil
}

func (j *journal) loop() {
	defer close(j.done)
	for range j.kick {
		j.flush()
	}
	j.flush()
}

// flush fsyncs for the intents waiting and wakes them. Their records were
// written before they were taken from the list, so one fsync covers them
// all: a group commit.
func (j *journal) flush() {
	j.mu.Lock()
	waiters := j.waiters
	j.waiters = nil
	err := j.err
	j.mu.Unlock()
	if len(waiters) == 0 {
		return
	}
	if err == nil {
		if serr := j.f.Sync(); serr != nil {
			err = fmt.Errorf("sync journal %s: %w", j.path, serr)
		} else if !j.stillAtPath() {
			// Records synced into a file nobody will read again protect
			// nothing: the intents waiting must not be sent.
			err = &JournalReplacedError{Path: j.path}
		}
		if err != nil {
			j.mu.Lock()
			j.err = err
			j.mu.Unlock()
		}
	}
	for _, w := range waiters {
		w <- err
	}
}

// JournalReplacedError says the journal file was removed or replaced while
// the run was writing it: what it recorded would be lost at the next crash,
// so sending stopped. The output sheet records what was sent.
type JournalReplacedError struct{ Path string }

func (e *JournalReplacedError) Error() string {
	return fmt.Sprintf("the journal %s was removed or replaced while the run was going", e.Path)
}

// stillAtPath says whether the open journal file is still the one at its
// path (not removed, renamed or replaced by another file).
func (j *journal) stillAtPath() bool {
	fi, err := j.osf.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Stat(j.path)
	return err == nil && os.SameFile(fi, pi)
}

// append writes a record at once (so a killed process loses nothing the
// kernel has) and, with wait, blocks until it is fsynced.
func (j *journal) append(rec *journalRecord, wait bool) error {
	line, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	var ch chan error
	j.mu.Lock()
	if j.err != nil {
		err := j.err
		j.mu.Unlock()
		return err
	}
	if j.closed {
		j.mu.Unlock()
		return errors.New("journal closed")
	}
	if _, werr := j.f.Write(line); werr != nil {
		j.err = fmt.Errorf("write journal %s: %w", j.path, werr)
		err := j.err
		j.mu.Unlock()
		return err
	}
	if wait {
		ch = make(chan error, 1)
		j.waiters = append(j.waiters, ch)
		select { // under the lock, so Close cannot close kick meanwhile
		case j.kick <- struct{}{}:
		default:
		}
	}
	j.mu.Unlock()
	if ch == nil {
		return nil
	}
	return <-ch
}

// Intent durably records that attempt a of row r is about to be sent,
// with the row's ledger entry when it has one.
func (j *journal) Intent(r, a int) error {
	j.mu.Lock()
	e := j.entries[r]
	delete(j.entries, r)
	j.mu.Unlock()
	return j.append(&journalRecord{T: recIntent, Row: r, Attempt: a, Entry: e}, true)
}

// NotSent records that attempt a of row r certainly did not reach the server.
func (j *journal) NotSent(r, a int) error {
	return j.append(&journalRecord{T: recNotSent, Row: r, Attempt: a}, false)
}

// Outcome records a row's final outcome.
func (j *journal) Outcome(r int, o *Outcome) error {
	rec := &journalRecord{T: recOutcome, Row: r, Attempt: o.Attempts, Status: o.Status, ID: o.ID, HTTP: o.HTTPStatus, Error: o.Error, At: o.At}
	if o.Links != (salesbyte.Links{}) {
		l := o.Links
		rec.Links = &l
	}
	return j.append(rec, false)
}

// LedgerRun records the ledger run this journal's requests are recorded
// under, so a resumed run takes the same one back (and with it the rows
// it reserved but never sent). Synced before any reservation is made.
func (j *journal) LedgerRun(run int64) error {
	return j.append(&journalRecord{T: recLedger, Entry: run}, true)
}

// Entry notes row r's ledger entry, granted before its intent: the
// intent record carries it (a row sent without one was never sent, and a
// resumed run is granted its own entry again).
func (j *journal) Entry(r int, entry int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.entries == nil {
		j.entries = make(map[int]int64)
	}
	j.entries[r] = entry
}

// End marks that the output sheet now holds every outcome; complete says
// whether every row was settled (not interrupted).
func (j *journal) End(complete bool) error {
	return j.append(&journalRecord{T: recEnd, Complete: complete}, true)
}

// Close flushes and closes the file.
func (j *journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	close(j.kick)
	<-j.done
	j.mu.Lock()
	err := j.err
	j.mu.Unlock()
	if err == nil {
		err = j.f.Sync() // the outcomes written since the last intent
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs the folder holding path, so a new or renamed entry
// survives a power cut.
func syncDir(path string) error {
	d, err := os.Open(dirOf(path))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
