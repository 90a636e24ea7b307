package importer

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/sandbox"
)

// titled writes the customers sheet with two title rows above its header,
// as exports often have; the header is on row 3.
func (e *env) titled(n int) string {
	var b strings.Builder
	b.WriteString("Kundlista vinter 2026\nExporterad,2026-11-30\n")
	b.WriteString("Förnamn,Efternamn,E-post,Mobil\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Anna%d,Svensson,kund%d@example.se,070-123 45 %02d\n", i, i, i)
	}
	e.input = e.write("kunder.csv", b.String())
	return e.input
}

// A header row that holds none of the mapping's columns, when row 3 holds
// them all, is a *HeaderRowError naming row 3, not a list of missing
// columns.
func TestWrongHeaderRowNamesTheLikelyOne(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.titled(3)
	for _, c := range []struct {
		name    string
		mapping string
		given   int
		origin  RowOrigin
		wantRow int
	}{
		{"default", quoteMapping, 0, RowDefault, 1},
		{"flag", quoteMapping, 2, RowGiven, 2},
		{"mapping", "header_row: 2\n" + quoteMapping, 0, RowFromMapping, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.mapping = e.write("mapping.yaml", c.mapping)
			cfg := e.config()
			cfg.Read.HeaderRow = c.given
			_, err := Prepare(context.Background(), cfg, Validating)
			var hr *HeaderRowError
			var ie *InputError
			if !errors.As(err, &hr) || !errors.As(err, &ie) {
				t.Fatalf("Prepare: %v; want an *InputError holding a *HeaderRowError", err)
			}
			want := &HeaderRowError{Input: e.input, Mapping: e.mapping, Given: c.wantRow, Origin: c.origin, Likely: 3,
				Found:   []string{"Förnamn", "Efternamn", "E-post", "Mobil"},
				Missing: []string{"Förnamn", "Efternamn", "E-post", "Mobil"}}
			if !reflect.DeepEqual(hr, want) {
				t.Errorf("got  %+v\nwant %+v", hr, want)
			}
			if !strings.Contains(hr.Error(), fmt.Sprintf("row %d of %s is not the header: row 3 holds", c.wantRow, e.input)) {
				t.Errorf("Error() = %q", hr.Error())
			}
		})
	}
}

// A sheet whose header simply lacks a column the mapping names keeps the
// plain mapping error: no other row holds the columns.
func TestMissingColumnIsNotAHeaderRowError(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("kunder.csv", "Förnamn,Efternamn,Epost,Mobil\nAnna,Berg,a@b.se,0701234567\n")
	_, err := Prepare(context.Background(), e.config(), Validating)
	var hr *HeaderRowError
	if err == nil || errors.As(err, &hr) || !strings.Contains(err.Error(), `column "E-post" is not in the sheet`) {
		t.Fatalf("Prepare: %v; want the mapping's missing-column error", err)
	}
}

// The mapping's header_row: is used when the caller gives none; the
// caller's wins; the binding records the row read.
func TestHeaderRowFromTheMapping(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.titled(3)
	e.mapping = e.write("mapping.yaml", "header_row: 3\n"+quoteMapping)
	imp, err := Prepare(context.Background(), e.config(), Sending)
	if err != nil {
		t.Fatal(err)
	}
	if p := imp.Plan(); p.ToSend != 3 || imp.bind.HeaderRow != 3 {
		t.Errorf("ToSend = %d, bound header row %d; want 3 rows from header row 3", p.ToSend, imp.bind.HeaderRow)
	}
	imp.Close()

	cfg := e.config()
	cfg.Read.HeaderRow = 1 // given: wins over the mapping's
	_, err = Prepare(context.Background(), cfg, Validating)
	var hr *HeaderRowError
	if !errors.As(err, &hr) || hr.Given != 1 || hr.Origin != RowGiven {
		t.Errorf("with HeaderRow 1 given: %v; want a HeaderRowError for row 1, given", err)
	}
}

// The output sheet of a run of a sheet with title rows has its header on
// row 1: re-running it with the same mapping (header_row: 3) reads row 1.
func TestOutputSheetIgnoresTheMappingsHeaderRow(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.titled(4)
	e.mapping = e.write("mapping.yaml", "header_row: 3\n"+quoteMapping)
	sum, err := Run(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[Created] != 4 {
		t.Fatalf("counts %v; want 4 created", sum.Counts)
	}
	cfg := e.config()
	cfg.Input = sum.Output
	again, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("re-running the output sheet: %v", err)
	}
	if again.Counts[Created] != 4 || again.Requests != 0 {
		t.Errorf("re-run: counts %v, %d requests; want the 4 created rows kept, nothing sent", again.Counts, again.Requests)
	}
}

// GuessHeaderRow without a mapping picks the first row with the most
// filled cells.
func TestGuessHeaderRowByFilledCells(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.titled(2)
	g := GuessHeaderRow(e.input, e.config().Read, nil)
	if g.Row != 3 || g.Filled != 4 {
		t.Errorf("GuessHeaderRow = %+v; want row 3 with 4 filled cells", g)
	}
}

// A title row that cannot be a header at all (a column without a name)
// is a HeaderRowError too, when a later row holds the mapping's columns.
func TestUnreadableTitleRowIsAHeaderRowError(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("kunder.csv", "Kundlista,,2026-11-30\nFörnamn,Efternamn,E-post,Mobil\nAnna,Berg,a@example.se,0701234567\n")
	_, err := Prepare(context.Background(), e.config(), Validating)
	var hr *HeaderRowError
	if !errors.As(err, &hr) || hr.Given != 1 || hr.Likely != 2 {
		t.Fatalf("Prepare: %v; want a HeaderRowError naming row 2", err)
	}
}
