package sandbox

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

// Record is one creation.
type Record struct {
	ID              int64              `json:"id"`
	Key             string             `json:"key"` // public key, as in /view/<key>
	Endpoint        salesbyte.Endpoint `json:"endpoint"`
	Body            map[string]any     `json:"body,omitempty"` // the request body without uuid; numbers are json.Number
	CreatedAt       time.Time          `json:"created_at"`
	CustomerName    string             `json:"customer_name,omitempty"`
	CustomerEmail   string             `json:"customer_email,omitempty"`
	CustomerPhone   string             `json:"customer_phone,omitempty"`
	CustomerCompany string             `json:"customer_company,omitempty"`
}

// stored is a Record as kept in memory and in the store file: the body
// stays encoded (uuid removed), which is several times smaller than the
// decoded map on large runs.
type stored struct {
	Record
	RawBody json.RawMessage `json:"body"`
}

// CustomerKey is what CountByCustomer groups by: the lower-cased e-mail,
// else the phone, else the name.
func (r Record) CustomerKey() string {
	switch {
	case r.CustomerEmail != "":
		return strings.ToLower(strings.TrimSpace(r.CustomerEmail))
	case r.CustomerPhone != "":
		return strings.TrimSpace(r.CustomerPhone)
	default:
		return strings.TrimSpace(r.CustomerName)
	}
}

// store keeps the creations, in order, and appends them to a file.
type store struct {
	mu     sync.RWMutex
	recs   []stored
	byKey  map[string]int // public key → index in recs
	nextID int64
	file   *os.File
	path   string
}

// open loads path (if any) and keeps it open for appending.
func (st *store) open(path string) error {
	st.byKey = make(map[string]int)
	st.nextID = 1
	st.path = path
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("sandbox: cannot open the store file: %w; check the path and its folder's permissions", err)
	}
	if err := st.load(f); err != nil {
		f.Close()
		return err
	}
	st.file = f
	return nil
}

func (st *store) load(f *os.File) error {
	br := bufio.NewReader(f)
	var good int64 // offset just after the last whole record
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			complete := b[len(b)-1] == '\n'
			if text := bytes.TrimSpace(b); len(text) > 0 {
				var rec stored
				if jerr := json.Unmarshal(text, &rec); jerr != nil || rec.ID <= 0 {
					if !complete {
						// a torn last line from a crash: the creation it
						// describes never finished being recorded; cut it
						// off so the next record starts on a line of its own
						if terr := f.Truncate(good); terr != nil {
							return fmt.Errorf("sandbox: store file %s ends in a torn line that cannot be removed: %w", f.Name(), terr)
						}
						return nil
					}
					return fmt.Errorf("sandbox: store file %s line %d is not a creation record; remove the line or start with another file", f.Name(), line)
				}
				if !complete {
					// whole record without its newline: finish the line
					if _, werr := f.WriteString("\n"); werr != nil {
						return fmt.Errorf("sandbox: store file %s: %w", f.Name(), werr)
					}
				}
				st.add(rec)
			}
			good += int64(len(b))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sandbox: reading store file %s: %w", f.Name(), err)
		}
	}
}

func (st *store) add(rec stored) {
	st.byKey[rec.Key] = len(st.recs)
	st.recs = append(st.recs, rec)
	if rec.ID >= st.nextID {
		st.nextID = rec.ID + 1
	}
}

// create stores a new creation and returns it with its id and key.
func (st *store) create(ep salesbyte.Endpoint, body map[string]any, now time.Time) (stored, error) {
	raw, err := json.Marshal(body) // body has no uuid here
	if err != nil {
		return stored{}, err
	}
	rec := stored{
		Record: Record{
			Key:             newKey(),
			Endpoint:        ep,
			CreatedAt:       now.UTC(),
			CustomerName:    str(body["customer_name"]),
			CustomerEmail:   str(body["customer_email"]),
			CustomerPhone:   str(body["customer_phone"]),
			CustomerCompany: str(body["customer_company"]),
		},
		RawBody: raw,
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	rec.ID = st.nextID
	if st.file != nil {
		line, err := json.Marshal(rec)
		if err != nil {
			return stored{}, err
		}
		if _, err := st.file.Write(append(line, '\n')); err != nil {
			return stored{}, fmt.Errorf("sandbox: writing store file: %w", err)
		}
	}
	st.add(rec)
	return rec, nil
}

// reset forgets every creation (ids keep counting up) and empties the
// store file.
func (st *store) reset() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.recs = nil
	st.byKey = make(map[string]int)
	if st.file != nil {
		if err := st.file.Truncate(0); err != nil {
			return fmt.Errorf("sandbox: emptying store file: %w", err)
		}
	}
	return nil
}

func (st *store) close() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.file == nil {
		return nil
	}
	err := st.file.Close()
	st.file = nil
	return err
}

// snapshot returns the creations so far; the slice must not be changed.
func (st *store) snapshot() []stored {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.recs[:len(st.recs):len(st.recs)]
}

func (st *store) lookup(key string) (stored, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	i, ok := st.byKey[key]
	if !ok {
		return stored{}, false
	}
	return st.recs[i], true
}

func (rec stored) decoded() Record {
	r := rec.Record
	r.Body = decodeBody(rec.RawBody)
	return r
}

func decodeBody(raw []byte) map[string]any {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil
	}
	return m
}

func newKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// Created returns every creation, in order, bodies without uuid.
func (s *Server) Created() []Record {
	recs := s.store.snapshot()
	out := make([]Record, len(recs))
	for i, r := range recs {
		out[i] = r.decoded()
	}
	return out
}

// CountByCustomer counts creations per customer: the lower-cased
// customer_email, else customer_phone, else customer_name.
func (s *Server) CountByCustomer() map[string]int {
	counts := make(map[string]int)
	for _, r := range s.store.snapshot() {
		counts[r.CustomerKey()]++
	}
	return counts
}

// Duplicates returns the customers created more than once, with their
// counts.
func (s *Server) Duplicates() map[string]int {
	dups := make(map[string]int)
	for k, n := range s.CountByCustomer() {
		if n > 1 {
			dups[k] = n
		}
	}
	return dups
}
