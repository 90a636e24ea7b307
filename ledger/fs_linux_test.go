package ledger

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestNetworkFilesystemIsReported(t *testing.T) {
	saved := statfsType
	t.Cleanup(func() { statfsType = saved })
	for _, c := range []struct {
		magic int64
		err   error
		want  Filesystem
	}{
		{0x6969, nil, Filesystem{Known: true, Network: true, Type: "nfs"}},
		{0xff534d42, nil, Filesystem{Known: true, Network: true, Type: "cifs"}},
		{0xfe534d42, nil, Filesystem{Known: true, Network: true, Type: "smb2"}},
		{0xef53, nil, Filesystem{Known: true, Type: "local"}},
		{0, errors.New("statfs failed"), Filesystem{}},
	} {
		statfsType = func(string) (int64, error) { return c.magic, c.err }
		l := openAt(t, filepath.Join(t.TempDir(), "ledger.db"), Options{})
		if got := l.Filesystem(); got != c.want {
			t.Errorf("magic %#x: %+v, want %+v", c.magic, got, c.want)
		}
	}
}
