package sandbox

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzWrite sends arbitrary bodies to each write endpoint: the handler
// must never panic, must answer a known status, and must create exactly
// when it answers 2xx, never keeping the uuid.
func FuzzWrite(f *testing.F) {
	f.Add(0, `{"uuid":"`+testUUID+`","quote_profile_id":115,"customer_name":"A","send_type":"none","signable":true,"workflows_enabled":false,"allow_customer_document_upload":true}`)
	f.Add(1, `{"uuid":"`+testUUID+`","quote_template_id":7,"customer_name":"A","customer_email":"a@example.se","trigger_created_messages_to_customer":false,"customer_fields":[1,{"a":null}]}`)
	f.Add(2, `{"uuid":"`+testUUID+`","quote_profile_id":"x","customer_name":null,"tag_1":[],"salesperson_email":["a@b.se",3]}`)
	f.Add(1, `{"uuid":"`+testUUID+`","quote_profile_id":1e400,"alternatives":[{"skus":"1,2"}],"custom_fields":{"x":{"attribute":7}}}`)
	f.Add(0, `{"uuid":5}`)
	f.Add(2, `[]`)
	f.Add(0, `{"a":1}{"b":2}`)
	s, err := New(Options{UUIDs: []string{testUUID}})
	if err != nil {
		f.Fatal(err)
	}
	paths := []string{pathQuote, pathTemplate, pathLead}
	f.Fuzz(func(t *testing.T, which int, body string) {
		path := paths[(which%3+3)%3]
		before := len(s.store.snapshot())
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		after := s.store.snapshot()
		switch st := w.Code; {
		case st == 200 || st == 201:
			if len(after) != before+1 {
				t.Fatalf("%d answered but %d creations", st, len(after)-before)
			}
			if bytes.Contains(after[len(after)-1].RawBody, []byte(`"uuid"`)) {
				t.Fatalf("stored body keeps the uuid: %s", after[len(after)-1].RawBody)
			}
		case st == 400 || st == 404 || st == 413 || st == 422:
			if len(after) != before {
				t.Fatalf("%d answered but something was created", st)
			}
		default:
			t.Fatalf("unexpected status %d for %s: %s", st, path, fmt.Sprint(w.Body))
		}
	})
}
