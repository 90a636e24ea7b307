// Package importer runs an import: it reads a sheet, maps and validates
// every row, shows the plan, sends the valid rows through rate-limited
// workers with a write-ahead journal, and writes the output sheet in input
// order. Import names the stages (Prepare, Plan, Send or Validate); the
// stages talk through small interfaces (sheet.Reader, sheet.Writer,
// Sender, Observer), so each is tested alone.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

// Sender creates one quote or lead. *salesbyte.Client is one; its errors
// are *salesbyte.Error, whose Outcome says whether a retry is safe. Any
// other error is taken as ambiguous: the row may have been created.
type Sender interface {
	Create(ctx context.Context, e salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error)
}

// Config is what one import reads, writes and sends, and how fast. What
// to do with it (validate or send), whether to ask first, and who watches
// are the caller's: see Prepare, Import and Observer.
type Config struct {
	Input   string        // the sheet to read
	Read    sheet.Options // how to read it
	Mapping string        // the mapping file
	Output  string        // "" = DefaultOutput(Input)

	Sender  Sender // needed by Send only
	BaseURL string // where Sender sends; the journal records it for reconcile
	// ForceBaseURL sends although the sheet's created rows link to another
	// SalesByte than BaseURL (see CreatedElsewhereError).
	ForceBaseURL bool
	Rate         float64 // requests per second; 0 = unlimited; with AutoRate, where to start (0 = DefaultAutoStart)
	// AutoRate climbs from Rate while answers stay fast and free of 429,
	// up to MaxRate (0 = DefaultMaxRate), and settles under the limit it
	// meets; Summary.FoundRate says where.
	AutoRate    bool
	MaxRate     float64
	Concurrency int // requests in flight; 0 = sized from the rate and latency
	MaxAttempts int // per row, for answers that are safe to retry; 0 = 6
	// RetryBudget is the most retries the run may spend before failing
	// rows fast; 0 = 200 (each success earns one retry back).
	RetryBudget float64

	RetryUnknown    bool     // send rows whose earlier outcome is unknown
	AllowDuplicates bool     // send rows whose key repeats an earlier row's
	Only            []Status // send only rows whose earlier status is one of these (Pending = new rows)

	// HeldOpen is asked what to do when the finished output sheet cannot
	// replace the file at Output because another program holds it open
	// (Excel on Windows): try again, or give up. nil gives up at once.
	// Giving up loses nothing: the journal holds every outcome, and the
	// same command writes the output from it.
	HeldOpen RetryPrompt
	// Ledger, when set, is the per-user memory of what was sent, across
	// sheets and processes (see package ledger): every row is reserved in
	// it before its journal intent, and every output sheet written is
	// recorded in it. nil: the journal alone.
	Ledger *ledger.Ledger
	// Integration is Ledger.Fingerprint of the integration uuid. Zero (no
	// uuid: validate, a dry run without one) leaves rows unchecked by the
	// ledger; Send refuses to run with a Ledger and no Integration.
	Integration ledger.Hash
	// Campaign names a scope of its own: a key created in another campaign
	// (or with none) may be sent again in this one.
	Campaign string
	// NotWithin holds back a key the integration sent anything to (in any
	// scope) this recently; 0: no such rule.
	NotWithin time.Duration

	hooks // seams for tests
}

// RetryPrompt asks whether to try again to replace path, which another
// program holds open; false gives up.
type RetryPrompt interface {
	AskRetry(path string) bool
}

// hooks are the seams tests use; the zero value is the real thing.
type hooks struct {
	now     func() time.Time
	backoff backoff
	// wrapJournal lets tests make the journal's disk fail.
	wrapJournal func(journalFile) journalFile
	// wrapWriter lets tests play an output held open by another program.
	wrapWriter func(sheet.Writer) sheet.Writer
	// pause replaces the 1 s pause after a 429/503 without Retry-After.
	pause time.Duration
	// slowedDown, when set, hears of every slow-down the workers ask the
	// throttle for, after it is asked.
	slowedDown func()
}

// InputError is a problem with the mapping, the sheet or the output path
// found before anything was sent (exit code 2).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// DefaultOutput is where the output sheet goes when -o is not given:
// "<input>-result.<ext>", or the input itself when it is already a result
// sheet, so fixing and re-running rows updates one file.
func DefaultOutput(input string) string {
	ext := filepath.Ext(input)
	base := strings.TrimSuffix(input, ext)
	if strings.HasSuffix(base, "-result") {
		return input
	}
	return base + "-result" + ext
}

// JournalPath is the journal kept beside an output sheet.
func JournalPath(output string) string { return output + ".journal" }

func dirOf(path string) string {
	d := filepath.Dir(path)
	if d == "" {
		return "."
	}
	return d
}

// FileSHA256 is the hex SHA-256 of a file's content: what a journal is
// bound to, and how an output's hand edits are told.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func bytesSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// columns splits a header into the user's columns and the sb_* columns
// of an earlier output sheet.
type columns struct {
	header   []string // the user's columns, in order
	user     []int    // their positions in the sheet
	result   []int    // position of each ResultColumns entry, or -1
	isResult bool     // the sheet is an earlier output (has sb_status)
}

func splitColumns(header []string) columns {
	c := columns{result: make([]int, len(ResultColumns))}
	for i := range c.result {
		c.result[i] = -1
	}
	for i, h := range header {
		found := false
		for j, rc := range ResultColumns {
			if strings.EqualFold(strings.TrimSpace(h), rc) {
				c.result[j] = i
				found = true
				break
			}
		}
		if !found {
			c.header = append(c.header, h)
			c.user = append(c.user, i)
		}
	}
	c.isResult = c.result[colStatus] >= 0
	return c
}

func (c *columns) userCells(cells []string) []string {
	if len(c.user) == len(cells) && !c.isResult && c.result[0] < 0 {
		return cells
	}
	out := make([]string, len(c.user))
	for i, j := range c.user {
		if j < len(cells) {
			out[i] = cells[j]
		}
	}
	return out
}

// userDates is which of userCells(cells) were dates; nil when none was.
func (c *columns) userDates(row sheet.Row) []bool {
	if row.Date == nil {
		return nil
	}
	out := make([]bool, len(c.user))
	for i, j := range c.user {
		out[i] = row.IsDate(j)
	}
	return out
}

// loadMapping reads and compiles the mapping against a sheet's header.
func loadMapping(path string) (*mapping.Spec, string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", &InputError{Err: &MappingMissingError{Path: path}}
	}
	if err != nil {
		return nil, "", inputErr("mapping file %s cannot be read: %v", path, err)
	}
	spec, err := mapping.Parse(path, data)
	if err != nil {
		return nil, "", &InputError{Err: err}
	}
	return spec, bytesSHA256(data), nil
}
