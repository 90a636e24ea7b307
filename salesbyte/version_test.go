package salesbyte

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	rev := func(r, mod string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: r}, {Key: "vcs.modified", Value: mod}}}
	}
	for _, c := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "dev"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, true, "v1.4.0"},
		{rev("0123456789abcdef0123", "false"), true, "dev-0123456789ab"},
		{rev("0123456789abcdef0123", "true"), true, "dev-0123456789ab-modified"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "dev"},
	} {
		if got := buildVersion(c.bi, c.ok); got != c.want {
			t.Errorf("buildVersion(%+v) = %q; want %q", c.bi, got, c.want)
		}
	}
	if Version == "" {
		t.Error("Version is empty after init")
	}
}
