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
	resp, err := testClient.Do(req)
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
	times := []time.Time{
		time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC),  // 1 May in Stockholm
		time.Date(2026, 5, 1, 23, 30, 0, 0, time.UTC), // 2 May 01:30 in Stockholm
		time.Date(2026, 5, 3, 8, 0, 0, 0, time.UTC),   // 3 May
	}
	for i, at := range times {
		clock := func() time.Time { return at }
		s.clock.Store(&clock)
		mustPost(t, base+pathQuote, quoteBody("K", fmt.Sprintf("k%d@example.se", i)))
	}
	cases := []struct {
		query string
		ids   []int64
	}{
		{"", []int64{3, 2, 1}},
		{"sort_order=asc", []int64{1, 2, 3}},
		{"created_from=2026-05-02", []int64{3, 2}},
		{"created_to=2026-05-01", []int64{1}},
		{"created_from=2026-05-02&created_to=2026-05-02", []int64{2}},
		{"created_from=2026-05-01&created_to=2026-05-03&sort_order=asc", []int64{1, 2, 3}},
		{"created_from=2026-05-04", nil},
		{"created_to=2026-04-30", nil},
		{"updated_from=2026-05-03", []int64{3}},
		{"updated_to=2026-05-02&sort_by=updated_at&sort_order=asc", []int64{1, 2}},
	}
	for _, c := range cases {
		st, b := get(t, base+"/api/quotes?"+c.query, testToken)
		p := decode[salesbyte.QuotePage](t, b)
		var ids []int64
		for _, q := range p.Data {
			ids = append(ids, q.ID)
		}
		if st != 200 || fmt.Sprint(ids) != fmt.Sprint(c.ids) || p.Total != len(c.ids) {
			t.Errorf("%s: %d ids %v total %d, want %v", c.query, st, ids, p.Total, c.ids)
		}
	}
	st, b := get(t, base+"/api/quotes/"+s.Created()[1].Key, testToken)
	if q := decode[salesbyte.APIQuote](t, b); st != 200 || !q.CreatedAt.Equal(times[1]) || !q.UpdatedAt.Equal(times[1]) {
		t.Errorf("by key: created_at %v updated_at %v, want %v", q.CreatedAt, q.UpdatedAt, times[1])
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
