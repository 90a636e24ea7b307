package importer

import (
	"errors"
	"io/fs"
)

// RecordedBaseURL is the SalesByte address that the run recorded in the
// journal beside output sent its rows to: "" when there is no journal or
// it records no address (an older sbimport wrote it).
func RecordedBaseURL(output string) (string, error) {
	st, err := readJournal(JournalPath(output))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return st.BaseURL, nil
}

// SameBaseURL tells whether two addresses name the same SalesByte
// (scheme and host in any case, a default port, a trailing slash).
func SameBaseURL(a, b string) bool { return cleanBaseURL(a) == cleanBaseURL(b) }
