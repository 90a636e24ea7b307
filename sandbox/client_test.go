package sandbox

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

// TestWithSalesbyteClient checks that the project's own client reads the
// sandbox's answers as intended: ids and links, Laravel field errors, and
// each fault classified as the never-twice rules need.
func TestWithSalesbyteClient(t *testing.T) {
	body := func() map[string]any {
		b := quoteBody("Anna", "anna@example.se")
		delete(b, "uuid")
		return b
	}
	cases := []struct {
		name    string
		opts    Options
		body    map[string]any
		outcome salesbyte.Outcome // 0 = success
		created int
	}{
		{"success", Options{}, body(), 0, 1},
		{"422", Options{}, map[string]any{"customer_name": "A", "customer_email": "nope"}, salesbyte.Rejected, 0},
		{"503", Options{P503: 1, RetryAfter: "2"}, body(), salesbyte.Retry, 0},
		{"429", Options{RateLimit: 0.001}, body(), 0, 1}, // the first passes; see below
		{"500 after", Options{P500After: 1}, body(), salesbyte.Ambiguous, 1},
		{"502 after", Options{P502After: 1}, body(), salesbyte.Ambiguous, 1},
		{"drop after", Options{PDropAfter: 1}, body(), salesbyte.Ambiguous, 1},
		{"drop before", Options{PDropBefore: 1}, body(), salesbyte.Ambiguous, 0}, // the client cannot tell it from a drop after
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, base := start(t, c.opts)
			client, err := salesbyte.NewClient(base, salesbyte.NewSecret(testUUID), nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := client.Create(context.Background(), salesbyte.Quote, c.body)
			var se *salesbyte.Error
			switch {
			case c.outcome == 0:
				if err != nil || got.ID == 0 || got.Links.CustomerView == "" || got.Status != http.StatusCreated {
					t.Fatalf("Create = %+v, %v; want an id and links", got, err)
				}
			case !errors.As(err, &se) || se.Outcome != c.outcome:
				t.Fatalf("Create error %v (%+v); want outcome %v", err, se, c.outcome)
			}
			if n := len(s.Created()); n != c.created {
				t.Errorf("created %d, want %d", n, c.created)
			}
			if c.name == "422" && len(se.Fields["customer_email"]) == 0 {
				t.Errorf("field errors %v: want customer_email", se.Fields)
			}
			if c.name == "503" && se.RetryAfter.Seconds() != 2 {
				t.Errorf("Retry-After read as %v, want 2s", se.RetryAfter)
			}
			if c.name == "429" {
				_, err := client.Create(context.Background(), salesbyte.Quote, c.body)
				if !errors.As(err, &se) || se.Outcome != salesbyte.Retry || se.Status != http.StatusTooManyRequests {
					t.Errorf("second request: %v; want a 429 to retry", err)
				}
			}
			if err != nil && strings.Contains(err.Error(), testUUID) {
				t.Errorf("the error shows the uuid: %v", err)
			}
		})
	}
}
