package sheet

import (
	"os"
	"path/filepath"
	"strings"
)

// RemoveStaleTemps removes the temporary files that Create made for path
// and that a process killed before Commit or Abort left behind: regular
// files named exactly "." + base + ".tmp-" + digits in path's folder. Any
// other file is left alone. The caller must hold whatever keeps another
// writer of path from running, or it would remove that writer's file.
// It returns the names removed; the first error stops it.
func RemoveStaleTemps(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempOf(e.Name(), base) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// isTempOf says whether name is one of Create's temporary names for base:
// os.CreateTemp puts a decimal number where the pattern has its "*".
func isTempOf(name, base string) bool {
	prefix := "." + base + ".tmp-"
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" || len(rest) > 20 {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
