package sheet

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRemoveStaleTempsRemovesOnlyOurs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "kunder-result.csv")
	// Real temporaries, as Create makes them, left by a killed process.
	var ours []string
	for range 3 {
		w, err := Create(out, []string{"a"}, Format{Kind: "csv"}, Top{})
		if err != nil {
			t.Fatal(err)
		}
		ours = append(ours, w.(*csvWriter).tmp.file.Name())
		w.(*csvWriter).tmp.file.Close() // killed: neither Commit nor Abort
	}
	keep := []string{
		"kunder-result.csv",
		".kunder-result.csv.tmp-",          // no number
		".kunder-result.csv.tmp-12a",       // not a number
		".kunder-result.csv.tmp-12.bak",    // something after it
		".kunder-result.csv.journal.tmp-1", // another file's temporary
		".other.csv.tmp-123",               // another output's
		"x.kunder-result.csv.tmp-123",      // not our prefix
		"kunder-result.csv.tmp-123",        // no leading dot
		".kunder-result.xlsx.tmp-123",      // another output's
	}
	for _, n := range keep {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A folder of our naming is not a temporary file.
	if err := os.Mkdir(filepath.Join(dir, ".kunder-result.csv.tmp-999"), 0o755); err != nil {
		t.Fatal(err)
	}
	removed, err := RemoveStaleTemps(out)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	slices.Sort(ours)
	if !slices.Equal(removed, ours) {
		t.Errorf("removed %v; want %v", removed, ours)
	}
	for _, p := range ours {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
	for _, n := range append(keep, ".kunder-result.csv.tmp-999") {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed: %v", n, err)
		}
	}
}
