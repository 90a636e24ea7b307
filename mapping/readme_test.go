package mapping

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestREADMEMappingsParse keeps the README honest: every YAML example in it
// is a mapping this package accepts.
func TestREADMEMappingsParse(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(b, -1)
	if len(blocks) < 3 {
		t.Fatalf("found %d yaml examples in README.md; want one per endpoint at least", len(blocks))
	}
	for i, m := range blocks {
		if _, err := Parse("README example "+string(rune('1'+i)), m[1]); err != nil {
			t.Errorf("README example %d does not parse:\n%s\n%v", i+1, m[1], err)
		}
	}
}
