//go:build darwin

package ledger

import (
	"bytes"
	"errors"

	"golang.org/x/sys/unix"
)

var networkTypes = map[string]bool{"nfs": true, "smbfs": true, "afpfs": true, "webdav": true, "cifs": true}

func detectFS(dir string) Filesystem {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Filesystem{}
	}
	name := string(bytes.TrimRight(st.Fstypename[:], "\x00"))
	if networkTypes[name] {
		return Filesystem{Known: true, Network: true, Type: name}
	}
	return Filesystem{Known: true, Type: "local"}
}

func isReadOnlyFS(err error) bool { return errors.Is(err, unix.EROFS) }
