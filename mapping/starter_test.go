package mapping

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/mapping/init")

// TestStarterGolden runs every case under testdata/mapping/init/<case>/:
// header.txt (one header name per line), endpoint, expected.yaml.
func TestStarterGolden(t *testing.T) {
	dirs, err := filepath.Glob(testdata(filepath.Join("init", "*")))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases found: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			hb, err := os.ReadFile(filepath.Join(dir, "header.txt"))
			if err != nil {
				t.Fatal(err)
			}
			header := strings.Split(strings.TrimSuffix(string(hb), "\n"), "\n")
			eb, err := os.ReadFile(filepath.Join(dir, "endpoint"))
			if err != nil {
				t.Fatal(err)
			}
			e, err := salesbyte.ParseEndpoint(strings.TrimSpace(string(eb)))
			if err != nil {
				t.Fatal(err)
			}
			got := Starter(header, e)

			// The starter, its TODO values filled in, must parse and compile
			// against the header.
			spec, err := Parse("starter.yaml", fillPlaceholders(got))
			if err != nil {
				t.Fatalf("the starter does not parse:\n%s\n%v", got, err)
			}
			if spec.Endpoint() != e {
				t.Errorf("starter endpoint = %q; want %q", spec.Endpoint(), e)
			}
			if _, err := spec.Compile(header); err != nil {
				t.Fatalf("the starter does not compile against its header:\n%s\n%v", got, err)
			}

			golden := filepath.Join(dir, "expected.yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run `go test ./mapping -run TestStarterGolden -update` to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("Starter output differs from %s (rerun with -update if intended)\n got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestStarterMatchesHeaders checks the header matching rules directly,
// independent of the golden files' layout.
func TestStarterMatchesHeaders(t *testing.T) {
	header := []string{"Förnamn", "Efternamn", "E-POST", "Mobilnummer", "Bolag", "Säljare", "Meddelande", "Giltig till", "Okänd"}
	raw := Starter(header, salesbyte.Quote)
	if _, err := Parse("s.yaml", raw); err == nil || !strings.Contains(err.Error(), "quote_profile_id: 0 is not an id") {
		t.Errorf("a starter with its placeholders parsed: %v; want the placeholder id refused", err)
	}
	spec, err := Parse("s.yaml", fillPlaceholders(raw))
	if err != nil {
		t.Fatal(err)
	}
	m, err := spec.Compile(header)
	if err != nil {
		t.Fatal(err)
	}
	r := m.Map([]string{"Anna", "Svensson", "anna@x.se", "070-123 45 67", "AB", "sara@salj.se", "Hej", "2026-12-31", "?"})
	want := map[string]any{"customer_name": "Anna Svensson", "customer_email": "anna@x.se", "customer_phone": "+46701234567",
		"customer_company": "AB", "salesperson_email": "sara@salj.se", "message": "Hej", "signable_until": "2026-12-31",
		"send_type": "none", "quote_profile_id": int64(115)}
	for k, v := range want {
		if r.Payload[k] != v {
			t.Errorf("%s = %#v; want %#v", k, r.Payload[k], v)
		}
	}
	if r.Key != "anna@x.se" {
		t.Errorf("key = %q; want the e-mail", r.Key)
	}
	// Every endpoint, an empty header: still parses and compiles.
	for _, e := range salesbyte.Endpoints {
		s, err := Parse("s.yaml", fillPlaceholders(Starter(nil, e)))
		if err != nil {
			t.Errorf("%s with no header: %v", e, err)
			continue
		}
		if _, err := s.Compile(nil); err != nil {
			t.Errorf("%s with no header: %v", e, err)
		}
	}
}

// fillPlaceholders does what a user does with a starter: puts real values
// where it says TODO.
func fillPlaceholders(b []byte) []byte {
	b = regexp.MustCompile(`(_id): 0\b`).ReplaceAll(b, []byte("$1: 115"))
	return regexp.MustCompile(`: TODO\b`).ReplaceAll(b, []byte(": Filled in"))
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Förnamn": "fornamn", "E-post": "epost", " Giltig till ": "giltigtill", "Ærø": "aero", "Mobil-Nr.": "mobilnr"} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"customer_name", "customer_email", "customer_phone", "send_type"}
	for in, want := range map[string]string{"custmer_email": "customer_email", "sendtype": "send_type", "Customer Phone": "customer_phone", "zzz": "", "": ""} {
		if got, ok := Closest(in, cands); got != want || ok != (want != "") {
			t.Errorf("Closest(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// Closest folds headers as it compares them: a header typed without its
// diacritics or punctuation is found, and a name that holds another is close.
func TestClosestHeaders(t *testing.T) {
	header := []string{"Förnamn", "Efternamn", "E-post", "Företag", "Mobilnummer"}
	for in, want := range map[string]string{"Foretag": "Företag", "epost": "E-post", "E-Post ": "E-post", "Mobilnumer": "Mobilnummer", "Efternamnet": "Efternamn", "fornamn": "Förnamn", "Adress": ""} {
		if got, _ := Closest(in, header); got != want {
			t.Errorf("Closest(%q) = %q; want %q", in, got, want)
		}
	}
}
