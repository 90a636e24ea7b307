package sheet

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Commit writes the whole output, syncs it to the disk and only then gives
// it the target's name (then syncs the folder): a crash can never leave a
// target that is named but not yet on the disk. The steps are watched
// through the syncFile and renameFile seams.
func TestCommitSyncsBeforeRename(t *testing.T) {
	for _, name := range []string{"ut.csv", "ut.xlsx"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, name)
			var steps []string
			realSync, realRename := syncFile, renameFile
			t.Cleanup(func() { syncFile, renameFile = realSync, realRename })
			syncFile = func(f *os.File) error {
				st, err := f.Stat()
				if err != nil {
					t.Fatal(err)
				}
				if st.IsDir() {
					steps = append(steps, "sync folder "+f.Name())
				} else {
					steps = append(steps, fmt.Sprintf("sync %s %d bytes", f.Name(), st.Size()))
				}
				return realSync(f)
			}
			renameFile = func(from, to string) error {
				steps = append(steps, "rename "+from+" to "+to)
				return realRename(from, to)
			}
			w, err := Create(target, []string{"Namn", "sb_status"}, Format{Delimiter: ','}, Top{})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 300; i++ {
				if err := w.Write(Row{Cells: []string{fmt.Sprintf("Kund %d", i), "created"}}); err != nil {
					t.Fatal(err)
				}
			}
			tmp := w.(interface{ tempName() string }).tempName()
			if err := w.Commit([][]string{{"Rader", "300"}}); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(target)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				fmt.Sprintf("sync %s %d bytes", tmp, st.Size()),
				"rename " + tmp + " to " + target,
				"sync folder " + dir,
			}
			if fmt.Sprint(steps) != fmt.Sprint(want) {
				t.Errorf("steps:\n%q\nwant:\n%q", steps, want)
			}
		})
	}
}
