package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/ledger"
	"github.com/sbimport/sbimport/sandbox"
)

// A production run's unknown rows reconciled from the page are settled
// in the ledger too, as sbimport reconcile settles them: left unknown
// there, every later sheet (and the page's own "send again") would hold
// those customers back as "may have been created".
func TestPageReconcileSettlesTheLedger(t *testing.T) {
	const uuid, token = "9c4d7e2a-1b3f-4a5c-8d6e-7f8091a2b3c4", "qt-5e6f7a8b9c0d1e2f"
	_, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}, Token: token, P500After: 0.3, Seed: 7})
	l, err := ledger.Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"), ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	site := newSite(t, Options{ProductionURL: prod, RunsDir: t.TempDir(), Ledger: l})
	site.upload("/api/sheet", "kunder.csv", kunderCSV(20))
	var plan map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "production", "uuid", uuid, "rate", 0), http.StatusOK, &plan)
	site.json("POST", "/api/send", map[string]any{"confirm": plan["toSend"]}, http.StatusAccepted, nil)
	if p := site.waitDone(); p.Counts["unknown"] == 0 {
		t.Fatalf("done = %+v, want some unknown rows", p.Counts)
	}
	site.json("POST", "/api/reconcile", map[string]string{"token": token}, http.StatusOK, nil)
	for i := 1; i <= 20; i++ {
		key := fmt.Sprintf("kund%d@exempel.se", i)
		es, err := l.KeyHistory(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Status != ledger.Created {
				t.Errorf("%s is %s in the ledger after the page reconciled the run", key, e.Status)
			}
		}
	}
}

// DNS rebinding: with the right token, only the address bound (or
// localhost at its port) is answered; a name that merely starts or ends
// like it is not. Origins with a path are not the page's.
func TestRebindingHostsAndOriginsThatOnlyLookAlike(t *testing.T) {
	site := newSite(t, Options{})
	port := site.ts.URL[strings.LastIndex(site.ts.URL, ":")+1:]
	get := func(host string) int {
		req, _ := http.NewRequest("GET", site.ts.URL+"/api/state", nil)
		req.Host = host
		req.Header.Set(TokenHeader, site.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, host := range []string{site.s.host, "localhost:" + port, "LOCALHOST:" + port} {
		if code := get(host); code != http.StatusOK {
			t.Fatalf("Host %q with the token = %d, want 200", host, code)
		}
	}
	for _, host := range []string{"127.0.0.1.evil.example:" + port, site.s.host + ".evil.example", site.s.host + "0",
		"localhost." + ":" + port, "localhost.evil.example:" + port, "[::1]:" + port, "127.0.0.1", "localhost"} {
		if code := get(host); code != http.StatusForbidden {
			t.Errorf("Host %q = %d, want 403 (DNS rebinding)", host, code)
		}
	}
	for _, origin := range []string{site.ts.URL + "/", site.ts.URL + "/x", site.ts.URL + ".evil.example", "http://localhost." + ":" + port} {
		site.origin = origin
		res := site.do("POST", "/api/format", strings.NewReader(`{}`), "application/json")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST with Origin %q = %d, want 403", origin, res.StatusCode)
		}
	}
}

// The mapping a run's journal names is never written over by a later
// plan of the same sheet with another mapping: resuming that run (the
// same sheet chosen again after a crash) and reconciling it need it as
// it was.
func TestAnotherPlanLeavesTheMappingAJournalNames(t *testing.T) {
	runs := t.TempDir()
	site := newSite(t, Options{RunsDir: runs})
	site.upload("/api/sheet", "kunder.csv", kunderCSV(3))
	var plan map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox"), http.StatusOK, &plan)
	site.json("POST", "/api/send", map[string]any{"confirm": plan["toSend"]}, http.StatusAccepted, nil)
	site.waitDone()
	journals, _ := filepath.Glob(filepath.Join(runs, "*", "*.journal"))
	if len(journals) != 1 {
		t.Fatalf("journals in the runs folder: %q", journals)
	}
	b, err := os.ReadFile(journals[0])
	if err != nil {
		t.Fatal(err)
	}
	var first struct{ Mapping string }
	line := strings.SplitN(string(b), "\n", 2)[0]
	if err := json.Unmarshal([]byte(line[strings.Index(line, " ")+1:]), &first); err != nil || first.Mapping == "" {
		t.Fatalf("the journal's run record %q: %v", line, err)
	}
	before, err := os.ReadFile(first.Mapping)
	if err != nil {
		t.Fatal(err)
	}
	other := quoteDraft()
	other["draft"].(map[string]any)["fields"].(map[string]any)["send_type"] = map[string]string{"value": "sms"}
	body, _ := json.Marshal(with(other, "target", "sandbox"))
	site.do("POST", "/api/plan", strings.NewReader(string(body)), "application/json").Body.Close() // refused or not
	if after, err := os.ReadFile(first.Mapping); err != nil || string(after) != string(before) {
		t.Errorf("the mapping the journal names was changed by another plan (%v):\n%s", err, after)
	}
}

// Two tabs: a send confirms the plan its page showed, not one made since
// in another tab (to production, of another sheet) that happens to send
// as many rows.
func TestSendConfirmsThePlanThePageShowed(t *testing.T) {
	site := newSite(t, Options{})
	site.upload("/api/sheet", "kunder.csv", kunderCSV(5))
	var shown, since map[string]any
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox"), http.StatusOK, &shown)
	site.json("POST", "/api/plan", with(quoteDraft(), "target", "sandbox", "rate", 3), http.StatusOK, &since)
	if shown["plan"] == "" || shown["plan"] == since["plan"] {
		t.Fatalf("plans named %v and %v; want two names", shown["plan"], since["plan"])
	}
	site.json("POST", "/api/send", map[string]any{"confirm": shown["toSend"], "plan": shown["plan"]}, http.StatusConflict, nil)
	var state map[string]any
	site.json("GET", "/api/state", nil, http.StatusOK, &state)
	if state["run"] != nil {
		t.Fatalf("a run was started: %v", state["run"])
	}
	site.json("POST", "/api/send", map[string]any{"confirm": since["toSend"], "plan": since["plan"]}, http.StatusAccepted, nil)
	site.waitDone()
}
