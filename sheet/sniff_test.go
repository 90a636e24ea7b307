package sheet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A UTF-8 file whose two-byte character straddles the end of the window
// the encoding is detected from is still UTF-8, wherever the cut falls
// (with and without a BOM, which moves the cut by three bytes).
func TestCSVUTF8StraddlingSniffWindow(t *testing.T) {
	for _, bom := range []string{"", "\uFEFF"} {
		for shift := -3; shift <= 2; shift++ {
			head := bom + "Namn,Ort\n"
			var b strings.Builder
			b.WriteString(head)
			for b.Len() < sniffSize-200 {
				b.WriteString("Anna Svensson,Lund\n")
			}
			// Pad so that "ö" starts at byte sniffSize-1+shift.
			pad := sniffSize - 1 + shift - b.Len() - len("Bo,Malm")
			b.WriteString("Bo" + strings.Repeat(" ", pad) + ",Malmö\nÅsa,Göteborg\n")
			content := b.String()
			if i := strings.Index(content, "ö"); i != sniffSize-1+shift {
				t.Fatalf("ö at %d; want %d", i, sniffSize-1+shift)
			}
			p := filepath.Join(t.TempDir(), fmt.Sprintf("straddle%d.csv", shift))
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Open(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			rows := readAll(t, r)
			last := rows[len(rows)-2:]
			if last[0].Cells[1] != "Malmö" || last[1].Cells[0] != "Åsa" {
				t.Errorf("bom %q, shift %d: encoding %s, rows %q; want Malmö and Åsa read as UTF-8",
					bom, shift, r.Format().Encoding, cellsOf(last))
			}
		}
	}
}
