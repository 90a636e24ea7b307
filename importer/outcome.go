package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

// Status is a row's state in the output sheet (sb_status).
type Status string

const (
	Pending Status = ""        // not settled: valid and not yet sent (validate writes this)
	Created Status = "created" // SalesByte created it
	Failed  Status = "failed"  // SalesByte refused it, or it could not be sent; safe to send again
	Invalid Status = "invalid" // broke a rule before sending; never sent
	Unknown Status = "unknown" // sent, answer lost: may have been created; see reconcile
	Skipped Status = "skipped" // not sent on purpose (duplicate, interrupted, filtered)
)

// Statuses lists the statuses that appear in sb_status.
var Statuses = []Status{Created, Failed, Invalid, Unknown, Skipped}

// ParseStatus reads an sb_status cell.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case Pending, Created, Failed, Invalid, Unknown, Skipped:
		return st, true
	}
	return "", false
}

// Outcome is what became of one row; it fills the sb_* columns.
type Outcome struct {
	Status     Status
	ID         int64
	Links      salesbyte.Links
	Error      string
	HTTPStatus int
	Attempts   int
	// At is when the outcome was known, RFC 3339 (as the journal keeps
	// it); the sheet shows it in local time (see showAt).
	At string
	// NotSent marks a row skipped because the run stopped before sending
	// it: not a problem with the row (not written to the sheet).
	NotSent bool
}

// ResultColumns are the columns the output sheet appends to the input's.
var ResultColumns = []string{
	"sb_status", "sb_id", "sb_link_edit", "sb_link_customer_view",
	"sb_link_customer_verificate", "sb_link_project_approval",
	"sb_error", "sb_http_status", "sb_attempts", "sb_row", "sb_at",
}

const (
	colStatus = iota
	colID
	colEdit
	colView
	colVerificate
	colApproval
	colError
	colHTTP
	colAttempts
	colRow
	colAt
)

// createdOutcome is the outcome of a create SalesByte answered with c.
// Links the answer held that were not links are named in Error.
func createdOutcome(c salesbyte.Created, attempts int, at string) *Outcome {
	o := &Outcome{Status: Created, ID: c.ID, Links: c.Links, HTTPStatus: c.Status, Attempts: attempts, At: at}
	var notes []string
	if c.ID <= 0 {
		o.ID = 0
		notes = append(notes, "created, but SalesByte answered without an id; run sbimport reconcile to fill in the id and links")
	}
	for _, b := range c.BadLinks {
		notes = append(notes, badLinkNote(linkColumn(b.Name), b.Value))
	}
	o.Error = strings.Join(notes, "; ")
	return o
}

func badLinkNote(column, value string) string {
	return fmt.Sprintf("SalesByte sent an invalid link for %s (%q is not a web address); it was left out: open the quote in SalesByte to find it", column, value)
}

// linkColumn is the sb_* column of a link's JSON name.
func linkColumn(name string) string {
	if name == "customer_project_approval" {
		return ResultColumns[colApproval]
	}
	return "sb_link_" + name
}

// cells renders o as the sb_* cells of sheet row line. No cell can start
// a spreadsheet formula: a link cell holds a web address or nothing (what
// was there is named in sb_error), every other cell is made inert.
func (o *Outcome) cells(line int) []string {
	c := make([]string, len(ResultColumns))
	c[colStatus] = string(o.Status)
	if o.ID > 0 {
		c[colID] = strconv.FormatInt(o.ID, 10)
	}
	errText := o.Error
	for _, l := range []struct {
		col int
		v   string
	}{{colEdit, o.Links.Edit}, {colView, o.Links.CustomerView}, {colVerificate, o.Links.CustomerVerificate}, {colApproval, o.Links.ProjectApproval}} {
		if l.v == "" || salesbyte.IsLink(l.v) {
			c[l.col] = l.v
			continue
		}
		v := []rune(strings.Join(strings.Fields(l.v), " "))
		if len(v) > 100 {
			v = append(v[:100], '…')
		}
		errText = strings.TrimPrefix(errText+"; "+badLinkNote(ResultColumns[l.col], string(v)), "; ")
	}
	c[colError] = errText
	if o.HTTPStatus > 0 {
		c[colHTTP] = strconv.Itoa(o.HTTPStatus)
	}
	if o.Attempts > 0 {
		c[colAttempts] = strconv.Itoa(o.Attempts)
	}
	c[colRow] = strconv.Itoa(line)
	c[colAt] = showAt(o.At, time.Local)
	for i := range c {
		c[i] = inert(c[i])
	}
	return c
}

// atLayout is how sb_at shows when an outcome was known: the local time
// with its offset from UTC, e.g. 2026-11-30 14:05:09 +01:00.
const atLayout = "2006-01-02 15:04:05 -07:00"

// showAt is the sb_at cell of at (RFC 3339) in loc; text that is not a
// time stays as it is.
func showAt(at string, loc *time.Location) string {
	t, ok := parseAt(at)
	if !ok {
		return at
	}
	return t.In(loc).Format(atLayout)
}

// parseAt reads a time as sb_at shows it, or as RFC 3339 (the journal,
// and the sb_at of sheets written by earlier versions).
func parseAt(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, atLayout} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// readAt is an sb_at cell as Outcome.At: RFC 3339 when it is a time.
func readAt(s string) string {
	if t, ok := parseAt(s); ok {
		return t.Format(time.RFC3339)
	}
	return s
}

// inert keeps a cell from being read as a formula by a spreadsheet:
// text that starts with = + - @ (after any blanks), a tab, a carriage
// return or a line feed gets a leading apostrophe.
func inert(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '\t', '\r', '\n':
		return "'" + s
	}
	if t := strings.TrimLeft(s, " \u00a0\u3000"); t != "" && strings.ContainsRune("=+-@\uff1d\uff0b\uff0d\uff20", []rune(t)[0]) {
		return "'" + s
	}
	return s
}

// outcomeFromCells reads the sb_* cells of an earlier output sheet; idx[i]
// is the column of ResultColumns[i], or -1. ok is false when sb_status is
// not a Status; the outcome then holds that text as it is.
func outcomeFromCells(cells []string, idx []int) (*Outcome, bool) {
	get := func(i int) string {
		if idx[i] < 0 || idx[i] >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[idx[i]])
	}
	st, ok := ParseStatus(get(colStatus))
	if !ok {
		st = Status(get(colStatus))
	}
	o := &Outcome{
		Status: st,
		Links: salesbyte.Links{
			Edit:               get(colEdit),
			CustomerView:       get(colView),
			CustomerVerificate: get(colVerificate),
			ProjectApproval:    get(colApproval),
		},
		Error: get(colError),
		At:    readAt(get(colAt)),
	}
	o.ID, _ = strconv.ParseInt(get(colID), 10, 64)
	o.HTTPStatus, _ = strconv.Atoi(get(colHTTP))
	o.Attempts, _ = strconv.Atoi(get(colAttempts))
	return o, ok
}
