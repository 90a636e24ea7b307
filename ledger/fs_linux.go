//go:build linux

package ledger

import (
	"errors"

	"golang.org/x/sys/unix"
)

// networkMagic maps statfs f_type magics of network filesystems to names.
var networkMagic = map[int64]string{
	0x6969:     "nfs",
	0x517b:     "smb",
	0xff534d42: "cifs",
	0xfe534d42: "smb2",
	0x5346414f: "afs",
	0x01021997: "9p",
	0x00c36400: "ceph",
	0x0bd00bd0: "lustre",
	0x47504653: "gpfs",
}

var statfsType = func(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Type), nil
}

func detectFS(dir string) Filesystem {
	t, err := statfsType(dir)
	if err != nil {
		return Filesystem{}
	}
	if name, ok := networkMagic[t]; ok {
		return Filesystem{Known: true, Network: true, Type: name}
	}
	return Filesystem{Known: true, Type: "local"}
}

func isReadOnlyFS(err error) bool { return errors.Is(err, unix.EROFS) }
