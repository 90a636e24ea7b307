package sandbox

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestRecordJSON(t *testing.T) {
	// a Record marshals with its body; the stored form's raw body wins
	// over the embedded map, so the store file holds the body once
	rec := stored{Record: Record{ID: 1, Key: "k", Endpoint: "quote", CreatedAt: time.Unix(0, 0).UTC(),
		Body: map[string]any{"customer_name": "A"}}, RawBody: json.RawMessage(`{"customer_name":"B"}`)}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), `"body"`) != 1 || !strings.Contains(string(b), `"body":{"customer_name":"B"}`) {
		t.Errorf("stored form %s", b)
	}
	b, err = json.Marshal(rec.Record)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"body":{"customer_name":"A"}`) {
		t.Errorf("record form %s", b)
	}
}
