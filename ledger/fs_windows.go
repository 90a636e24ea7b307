//go:build windows

package ledger

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// detectFS: a UNC path (\\server\share) or a mapped network drive.
func detectFS(dir string) Filesystem {
	vol := filepath.VolumeName(dir)
	if strings.HasPrefix(vol, `\\`) {
		return Filesystem{Known: true, Network: true, Type: "smb"}
	}
	if vol == "" {
		return Filesystem{}
	}
	root, err := windows.UTF16PtrFromString(vol + `\`)
	if err != nil {
		return Filesystem{}
	}
	if windows.GetDriveType(root) == windows.DRIVE_REMOTE {
		return Filesystem{Known: true, Network: true, Type: "remote"}
	}
	return Filesystem{Known: true, Type: "local"}
}

func isReadOnlyFS(err error) bool { return false }
