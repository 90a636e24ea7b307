//go:build windows

package sheet

import (
	"errors"

	"golang.org/x/sys/windows"
)

// isLocked says whether a failed rename met a file another program holds
// open: Excel keeps its workbooks open without sharing them for delete,
// so replacing one fails with a sharing violation or access denied.
func isLocked(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_ACCESS_DENIED) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
