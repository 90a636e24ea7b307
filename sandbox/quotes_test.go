package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

const testToken = "api-token-for-tests"

func get(t *testing.T, u, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestQuotesAPIAuth(t *testing.T) {
	_, base := start(t, Options{}) // no token configured: always 401
	if st, _ := get(t, base+"/api/quotes", "anything"); st != http.StatusUnauthorized {
		t.Errorf("no token configured: %d, want 401", st)
	}
	_, base = start(t, Options{Token: testToken})
	for _, tok := range []string{"", "wrong", testToken + "x"} {
		if st, _ := get(t, base+"/api/quotes", tok); st != http.StatusUnauthorized {
			t.Errorf("token %q: %d, want 401", tok, st)
		}
	}
	if st, _ := get(t, base+"/api/quotes", testToken); st != http.StatusOK {
		t.Errorf("right token: %d, want 200", st)
	}
}

func TestQuotesAPIPagination(t *testing.T) {
	s, base := start(t, Options{Token: testToken, PlainTemplate: true})
	for i := range 24 {
		mustPost(t, base+pathQuote, quoteBody(fmt.Sprintf("Kund %d", i+1), fmt.Sprintf("kund%d@example.se", i+1)))
	}
	if r := mustPost(t, base+pathTemplate, templateBody("Mall Kund", "+46705550000")); string(r.body) != "Quote created" {
		t.Fatalf("template answer %q", r.body)
	}

	st, b := get(t, base+"/api/quotes", testToken)
	p := decode[salesbyte.QuotePage](t, b)
	if st != 200 || p.Total != 25 || p.LastPage != 3 || p.PerPage != 10 || p.CurrentPage != 1 || len(p.Data) != 10 {
		t.Fatalf("page 1: %d %+v", st, p)
	}
	// newest first: the template quote (id 25) leads, although its answer had no id
	if p.Data[0].ID != 25 || p.Data[0].CustomerPhone != "+46705550000" || p.Data[9].ID != 16 {
		t.Errorf("page 1 ids %d..%d, want 25..16", p.Data[0].ID, p.Data[9].ID)
	}
	if p.NextPageURL == nil || !strings.HasPrefix(*p.NextPageURL, base+"/api/quotes?") || !strings.Contains(*p.NextPageURL, "page=2") {
		t.Fatalf("next_page_url %v", p.NextPageURL)
	}

	var all []int64
	next := base + "/api/quotes"
	for next != "" {
		_, b := get(t, next, testToken)
		p := decode[salesbyte.QuotePage](t, b)
		for _, q := range p.Data {
			all = append(all, q.ID)
		}
		next = ""
		if p.NextPageURL != nil {
			next = *p.NextPageURL
		}
	}
	if len(all) != 25 || all[0] != 25 || all[24] != 1 {
		t.Errorf("following next_page_url: %v", all)
	}

	_, b = get(t, base+"/api/quotes?page=3&sort_order=asc&sort_by=updated_at", testToken)
	p = decode[salesbyte.QuotePage](t, b)
	if len(p.Data) != 5 || p.Data[0].ID != 21 || p.Data[4].ID != 25 || p.NextPageURL != nil {
		t.Errorf("page 3 ascending: %+v", p)
	}
	_, b = get(t, base+"/api/quotes?page=9", testToken)
	if p = decode[salesbyte.QuotePage](t, b); len(p.Data) != 0 || p.Total != 25 || p.NextPageURL != nil {
		t.Errorf("page 9: %+v, want no data", p)
	}

	// by key
	rec := s.Created()[3]
	st, b = get(t, base+"/api/quotes/"+rec.Key, testToken)
	q := decode[salesbyte.APIQuote](t, b)
	if st != 200 || q.ID != rec.ID || q.CustomerEmail != "kund4@example.se" || q.CustomFields["bank_name"] != "Nordbanken" ||
		q.Links.CustomerView != base+"/view/"+rec.Key || q.QuoteProfileName != "Profile 115" || q.CreatedAt.IsZero() {
		t.Errorf("by key: %d %+v", st, q)
	}
	if st, _ := get(t, base+"/api/quotes/nope", testToken); st != http.StatusNotFound {
		t.Errorf("unknown key: %d, want 404", st)
	}
	if st, _ := get(t, base+"/api/quotes/"+rec.Key, ""); st != http.StatusUnauthorized {
		t.Errorf("by key without token: %d, want 401", st)
	}
}

func TestQuotesAPIDateFilters(t *testing.T) {
	s, base := start(t, Options{Token: testToken})
	for i := range 3 {
		mustPost(t, base+pathQuote, quoteBody("K", fmt.Sprintf("k%d@example.se", i)))
	}
	day := s.Created()[0].CreatedAt.In(stockholm) // the test might straddle midnight: use the creation's own day
	today := day.Format(time.DateOnly)
	yesterday := day.AddDate(0, 0, -1).Format(time.DateOnly)
	tomorrow := day.AddDate(0, 0, 1).Format(time.DateOnly)
	cases := []struct {
		query string
		total int
	}{
		{"created_from=" + today, 3},
		{"created_from=" + today + "&created_to=" + today, 3},
		{"created_to=" + today, 3},
		{"created_from=" + tomorrow, 0},
		{"created_to=" + yesterday, 0},
		{"created_from=" + yesterday + "&created_to=" + tomorrow, 3},
		{"updated_from=" + today + "&updated_to=" + today, 3},
		{"updated_from=" + tomorrow, 0},
	}
	for _, c := range cases {
		st, b := get(t, base+"/api/quotes?"+c.query, testToken)
		p := decode[salesbyte.QuotePage](t, b)
		// records made after midnight would fall on the next day; only
		// the first is certain to be on `today`, so allow for it
		if st != 200 || p.Total != c.total && !(c.total == 3 && p.Total >= 1) {
			t.Errorf("%s: %d total %d, want %d", c.query, st, p.Total, c.total)
		}
	}
	for _, bad := range []string{"created_from=2026-13-01", "created_to=01/02/2026", "sort_by=name", "sort_order=up"} {
		st, b := get(t, base+"/api/quotes?"+bad, testToken)
		le := decode[laravelError](t, b)
		field, _, _ := strings.Cut(bad, "=")
		if st != http.StatusUnprocessableEntity || len(le.Errors[field]) == 0 {
			t.Errorf("%s: %d %s, want 422 naming %s", bad, st, b, field)
		}
	}
}

func TestQuotesAPIStockholmDay(t *testing.T) {
	// 23:30 UTC on 1 May is 01:30 on 2 May in Stockholm (summer time)
	f, errs := parseQuoteFilter(url.Values{"created_from": {"2026-05-02"}, "created_to": {"2026-05-02"}})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	at := time.Date(2026, 5, 1, 23, 30, 0, 0, time.UTC)
	if !within(at, f.createdFrom, f.createdTo) {
		t.Errorf("%v is on 2026-05-02 in Stockholm; the filter %v..%v left it out", at, f.createdFrom, f.createdTo)
	}
	if within(at.Add(-2*time.Hour), f.createdFrom, f.createdTo) {
		t.Errorf("%v is on 2026-05-01 in Stockholm; the filter kept it", at.Add(-2*time.Hour))
	}
}
