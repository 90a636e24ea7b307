package ui

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// busyWords is said when a second import is asked for while one runs.
const busyWords = "An import is running: this page runs one import at a time. Wait for it to finish, or stop it, then start the next."

// state is the one import the page holds.
type state struct {
	sheet    *loadedSheet
	mapping  *mappingRequest // the page's last mapping, for a page opened again
	prepared *prepared
	run      *run
}

// prepared is an import prepared for sending, waiting for confirmation.
type prepared struct {
	id     string // names this plan: a send confirms it, not a later one
	imp    *importer.Import
	plan   importer.Plan
	target string // "sandbox" or "production"
	where  string // the base URL, for the page
	// headerRow is the sheet's header row, where the output has its
	// header too (the title rows above it are kept).
	headerRow int
}

// sandboxRun is the in-process sandbox, started the first time it is
// chosen, with a uuid of its own that never leaves this process.
type sandboxRun struct {
	srv  *sandbox.Server
	url  string
	uuid salesbyte.Secret
	raw  string // the same throwaway uuid, for the tests that scan for it
	// token is its Quotes API token, for reconcile.
	token salesbyte.Secret
}

// closePrepared drops a prepared import that was not sent. s.mu is held.
func (s *Server) closePrepared() {
	if s.st.prepared != nil {
		s.st.prepared.imp.Close()
		s.st.prepared = nil
	}
}

func (s *Server) sandbox() (*sandboxRun, error) {
	if s.box != nil {
		return s.box, nil
	}
	uuid, token := rand.Text(), rand.Text()
	srv, err := sandbox.New(sandbox.Options{UUIDs: []string{uuid}, Token: token})
	if err != nil {
		return nil, err
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.box = &sandboxRun{srv: srv, url: url, uuid: salesbyte.NewSecret(uuid), raw: uuid, token: salesbyte.NewSecret(token)}
	return s.box, nil
}

type planRequest struct {
	mappingRequest
	Target string  `json:"target"` // sandbox or production
	UUID   string  `json:"uuid"`   // production: "" = SALESBYTE_UUID
	Rate   float64 `json:"rate"`
}

// client is the SalesByte client for the target chosen.
func (s *Server) client(req planRequest) (*salesbyte.Client, string, error) {
	if req.Target == "sandbox" {
		box, err := s.sandbox()
		if err != nil {
			return nil, "", err
		}
		c, err := salesbyte.NewClient(box.url, box.uuid, nil)
		return c, box.url, err
	}
	uuid, err := s.uuid(req)
	if err != nil {
		return nil, "", err
	}
	c, err := salesbyte.NewClient(s.opts.ProductionURL, salesbyte.NewSecret(uuid), nil)
	return c, s.opts.ProductionURL, err
}

// uuid is the integration uuid for production: entered in the page, or
// SALESBYTE_UUID.
func (s *Server) uuid(req planRequest) (string, error) {
	uuid := strings.TrimSpace(req.UUID)
	if uuid == "" {
		uuid = strings.TrimSpace(s.opts.Getenv("SALESBYTE_UUID"))
	}
	if uuid == "" {
		return "", fmt.Errorf("no integration uuid: enter it above, or start sbimport ui with SALESBYTE_UUID set")
	}
	return uuid, nil
}

// withLedger makes a production run use the ledger, keyed by the
// integration's fingerprint (a keyed hash of the uuid, never the uuid).
func (s *Server) withLedger(cfg *importer.Config, req planRequest) {
	if req.Target == "sandbox" || s.opts.Ledger == nil {
		return
	}
	if uuid, err := s.uuid(req); err == nil {
		cfg.Ledger, cfg.Integration = s.opts.Ledger, s.opts.Ledger.Fingerprint(uuid)
	}
}

// handlePlan prepares the import for sending and shows its plan: the same
// plan the command line shows before it asks.
func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	var req planRequest
	if !readJSON(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.run != nil && s.st.run.running() {
		writeError(w, http.StatusConflict, busyWords)
		return
	}
	if s.st.sheet == nil {
		writeError(w, http.StatusConflict, "Choose a sheet first.")
		return
	}
	s.closePrepared()
	client, where, err := s.client(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, s.inside(err.Error()))
		return
	}
	ls := s.st.sheet
	target := "production"
	if req.Target == "sandbox" {
		target = "sandbox"
	}
	input, err := s.runInput(ls.path, target)
	if errors.Is(err, errOtherTarget) {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, s.inside(err.Error()))
		return
	}
	// The mapping goes beside the sheet: the folder then holds what
	// `sbimport run -m mapping-….yaml -i <sheet>` needs, and the journal
	// names a mapping that outlives this program. Named by its content,
	// so another plan never writes over the one a journal names.
	mapPath, err := saveMapping(filepath.Dir(input), req.bytes())
	if err != nil {
		writeError(w, http.StatusInternalServerError, s.inside(err.Error()))
		return
	}
	cfg := importer.Config{Input: input, Read: ls.opts, Mapping: mapPath, Sender: client, BaseURL: where, Rate: max(req.Rate, 0)}
	s.withLedger(&cfg, req)
	imp, err := importer.Prepare(r.Context(), cfg, importer.Sending)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, s.inside(err.Error()))
		return
	}
	s.st.prepared = &prepared{id: rand.Text(), imp: imp, plan: imp.Plan(), target: req.Target, where: where, headerRow: max(ls.opts.HeaderRow, 1)}
	writeJSON(w, http.StatusOK, planView(s.st.prepared))
}

type keptLine struct {
	Status string `json:"status"`
	N      string `json:"n"`
	Why    string `json:"why"`
}

// planView is the plan in the command line's words.
func planView(p *prepared) map[string]any {
	pl := p.plan
	noun := explain.NounFor(pl.Endpoint)
	var kept []keptLine
	for _, st := range importer.Statuses {
		if n := pl.Kept[st]; n > 0 {
			kept = append(kept, keptLine{string(st), explain.Thousands(n), explain.Kept(st)})
		}
	}
	var held []string
	for _, h := range pl.Held {
		held = append(held, explain.Held(noun, h))
	}
	var deliveries []string
	for _, d := range pl.Deliveries {
		deliveries = append(deliveries, fmt.Sprintf("%s %s %s", explain.Thousands(d.N), noun.For(d.N), explain.Delivery(pl.Endpoint, d.Delivery)))
	}
	to := "the sandbox on this computer (no real customers)"
	if p.target != "sandbox" {
		to = p.where + " (production: real customers)"
	}
	rate := "unlimited"
	if pl.Rate > 0 && pl.ToSend > 0 {
		rate = fmt.Sprintf("%g requests/s, about %s", pl.Rate, explain.Duration(float64(pl.ToSend)/pl.Rate))
	}
	return map[string]any{
		"title": fmt.Sprintf("Plan: create %s (%s endpoint)", noun.Plural, pl.Endpoint),
		"rows":  explain.Thousands(pl.Rows), "toSend": pl.ToSend, "toSendText": explain.Thousands(pl.ToSend),
		"invalid": explain.Thousands(pl.Invalid), "dupes": explain.Thousands(pl.Dupes),
		"plan": p.id, "kept": kept, "held": held, "deliveries": deliveries, "resumed": pl.Resumed, "to": to, "target": p.target, "rate": rate,
		"confirm": fmt.Sprintf("Send %s %s to %s", explain.Thousands(pl.ToSend), noun.For(pl.ToSend), map[bool]string{true: "the sandbox", false: "production"}[p.target == "sandbox"]),
	}
}

// saveMapping writes a mapping into dir as mapping-<its hash>.yaml, unless
// it is there already, and returns its path.
func saveMapping(dir string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	path := filepath.Join(dir, "mapping-"+hex.EncodeToString(sum[:8])+".yaml")
	if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, data) {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, ".mapping-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}
