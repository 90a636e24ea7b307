package salesbyte

import "runtime/debug"

// Version is sbimport's version, sent in the User-Agent
// ("sbimport/<Version>") and printed by --version. A release build stamps
// it (go build -ldflags "-X github.com/sbimport/sbimport/salesbyte.Version=v1.2.0");
// otherwise it comes from the build information Go records: the module's
// version, or the commit it was built from.
var Version = ""

func init() {
	if Version == "" {
		Version = buildVersion(debug.ReadBuildInfo())
	}
}

// buildVersion reads a version from Go's build information.
func buildVersion(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev-" + rev[:min(12, len(rev))]
	if modified == "true" {
		v += "-modified"
	}
	return v
}
