package ui

import (
	"net/http"
	"strings"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sheet"
)

// handleReconcile settles the finished run's unknown rows (and those
// created without an id) through the Quotes API, as `sbimport reconcile`
// does, and updates the output sheet. The sandbox needs no token; for
// production it is entered in the page or taken from SALESBYTE_API_TOKEN,
// and held in memory for this request only.
func (s *Server) handleReconcile(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	rn := s.finished()
	if rn == nil {
		writeError(w, http.StatusConflict, "There is nothing to reconcile yet: the import has not finished.")
		return
	}
	tok, err := s.quotesToken(rn, req.Token)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	quotes := func(baseURL string) (importer.QuoteLister, error) {
		return salesbyte.NewQuotesClient(baseURL, tok, nil)
	}
	cfg := importer.ReconcileConfig{Input: rn.output, Read: sheet.Options{Sheet: rn.plan.Sheet}, Quotes: quotes}
	if rn.target != "sandbox" {
		// A production run reserved its rows in the ledger: what is
		// settled here is settled there too, and the sheet rewritten is
		// recorded as sbimport's own.
		cfg.Ledger = s.opts.Ledger
	}
	rs, err := importer.Reconcile(r.Context(), cfg)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, s.inside(err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": explain.Reconciled(rs)})
}

type tokenError string

func (e tokenError) Error() string { return string(e) }

// quotesToken is the Quotes API token for the run's target.
func (s *Server) quotesToken(rn *run, entered string) (salesbyte.Secret, error) {
	if rn.target == "sandbox" {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.box.token, nil
	}
	v := strings.TrimSpace(entered)
	if v == "" {
		v = strings.TrimSpace(s.opts.Getenv("SALESBYTE_API_TOKEN"))
	}
	if v == "" {
		return salesbyte.Secret{}, tokenError("Reconciling needs the Quotes API token: enter it, or start sbimport ui with SALESBYTE_API_TOKEN set.")
	}
	return salesbyte.NewSecret(v), nil
}
