package suggest

import "testing"

func TestClosest(t *testing.T) {
	cands := []string{"customer_name", "customer_email", "customer_phone", "E-post", "Förnamn"}
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"customer_emial", "customer_email", true},
		{"Customer_Phone", "customer_phone", true},
		{"epost", "E-post", true},
		{"fornamn", "Förnamn", true},
		{"zzz", "", false},
		{"", "", false},
		{"x", "", false},
	}
	for _, tt := range tests {
		got, ok := Closest(tt.in, cands)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Closest(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := Closest("abc", nil); ok {
		t.Error("Closest with no candidates found one")
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"åäö", "aao", 3},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
