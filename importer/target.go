package importer

import (
	"errors"
	"io/fs"
)

// RecordedTarget is what the journal beside an output sheet says of where
// its run sent rows.
type RecordedTarget struct {
	// BaseURL is the SalesByte address the run sent to ("" = no journal,
	// or an older sbimport that did not record it).
	BaseURL string
	// Sent counts the rows that may exist there: created, unknown, or
	// with a request that went out and no answer recorded.
	Sent int
}

// RecordedRun reads the journal beside output for where its run sent rows.
func RecordedRun(output string) (RecordedTarget, error) {
	st, err := readJournal(JournalPath(output))
	if errors.Is(err, fs.ErrNotExist) {
		return RecordedTarget{}, nil
	}
	if err != nil {
		return RecordedTarget{}, err
	}
	rt := RecordedTarget{BaseURL: st.BaseURL}
	for _, jr := range st.rows {
		if jr.Intent || jr.Outcome != nil && (jr.Outcome.Status == Created || jr.Outcome.Status == Unknown) {
			rt.Sent++
		}
	}
	return rt, nil
}

// SameBaseURL tells whether two addresses name the same SalesByte
// (scheme and host in any case, a default port, a trailing slash).
func SameBaseURL(a, b string) bool { return cleanBaseURL(a) == cleanBaseURL(b) }
