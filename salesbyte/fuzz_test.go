package salesbyte

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzValidate feeds decoded JSON bodies to Validate: it must never
// panic, and its errors must be sorted.
func FuzzValidate(f *testing.F) {
	f.Add(0, `{"quote_profile_id":115,"customer_name":"A","send_type":"dual"}`)
	f.Add(1, `{"alternatives":[{"skus":[1,"x",null],"bundle_id":1e400}],"custom_fields":{"x":{"attribute":7}}}`)
	f.Add(2, `{"customer_fields":[1,{"a":[]}],"customer_email":"a@b","quote_template_id":1.5}`)
	f.Add(0, `{"salesperson_email":[null,1,"a@b.se"],"tag_1":{}}`)
	f.Fuzz(func(t *testing.T, which int, body string) {
		dec := json.NewDecoder(bytes.NewReader([]byte(body)))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) != nil {
			return
		}
		e := Endpoints[(which%3+3)%3]
		errs := Validate(e, m)
		for i := 1; i < len(errs); i++ {
			a, b := errs[i-1], errs[i]
			if a.Field > b.Field || (a.Field == b.Field && a.Message > b.Message) {
				t.Fatalf("unsorted: %v before %v", a, b)
			}
		}
	})
}

// FuzzClassify checks that any answer is classified, its message bounded
// and valid text when the body was.
func FuzzClassify(f *testing.F) {
	f.Add(422, []byte(`{"message":"x","errors":{"a":["b"]}}`), "5")
	f.Add(503, []byte("<html>down</html>"), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(500, []byte(`{"errors":{"a":"b","c":[1]}}`), "-1")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		if status < 100 || status > 999 {
			return
		}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		e := Classify(status, http.Header{"Retry-After": {retryAfter}}, body, nil, true, now)
		if status >= 200 && status <= 299 {
			if e != nil {
				t.Fatalf("2xx classified as %v", e)
			}
			return
		}
		if e == nil || e.Outcome < Retry || e.Outcome > Ambiguous {
			t.Fatalf("status %d: %v", status, e)
		}
		if utf8.RuneCountInString(e.Message) > 2*maxMessage+120 {
			t.Fatalf("message too long: %d runes", utf8.RuneCountInString(e.Message))
		}
		if e.RetryAfter < 0 || e.RetryAfter > MaxRetryAfter {
			t.Fatalf("Retry-After %q gave %v", retryAfter, e.RetryAfter)
		}
		if utf8.Valid(body) && !utf8.ValidString(e.Message) {
			t.Fatalf("valid body gave invalid message %q", e.Message)
		}
	})
}
