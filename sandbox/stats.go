package sandbox

import (
	"net/http"
	"strings"
	"time"
)

// Stats counts what the write endpoints saw. Requests counts every
// request to a write endpoint (faults and rejections included);
// FirstRequest and LastRequest are arrival times, so Rate is the rate at
// which the client sent.
type Stats struct {
	Requests      int64     `json:"requests"`
	Created       int64     `json:"created"`
	TooMany       int64     `json:"status_429"`
	Unavailable   int64     `json:"status_503"`
	ServerErrors  int64     `json:"status_500"`
	BadGateway    int64     `json:"status_502"`
	Invalid       int64     `json:"status_422"`
	NotFound      int64     `json:"status_404"`
	BadRequests   int64     `json:"bad_requests"` // 400, 405, 413, 415
	DroppedBefore int64     `json:"dropped_before"`
	DroppedAfter  int64     `json:"dropped_after"`
	Hangs         int64     `json:"hangs"`
	FirstRequest  time.Time `json:"first_request"`
	LastRequest   time.Time `json:"last_request"`
	// Rate is the achieved requests per second at the server: the
	// intervals between the first and the last arrival, (Requests-1) of
	// them, over the time they spanned; 0 with fewer than two requests.
	Rate        float64 `json:"requests_per_second"`
	MaxInFlight int64   `json:"max_in_flight"`
}

// Drops is the number of connections dropped, before or after creating.
func (st Stats) Drops() int64 { return st.DroppedBefore + st.DroppedAfter }

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	st := Stats{
		Requests:      s.requests.Load(),
		Created:       s.created.Load(),
		TooMany:       s.tooMany.Load(),
		Unavailable:   s.unavailable.Load(),
		ServerErrors:  s.serverErrors.Load(),
		BadGateway:    s.badGateway.Load(),
		Invalid:       s.invalid.Load(),
		NotFound:      s.notFound.Load(),
		BadRequests:   s.badRequests.Load(),
		DroppedBefore: s.droppedBefore.Load(),
		DroppedAfter:  s.droppedAfter.Load(),
		Hangs:         s.hangs.Load(),
		MaxInFlight:   s.maxInFlight.Load(),
	}
	first, last := s.firstNano.Load(), s.lastNano.Load()
	if first != 0 {
		st.FirstRequest, st.LastRequest = time.Unix(0, first), time.Unix(0, last)
		if span := last - first; span > 0 && st.Requests > 1 {
			st.Rate = float64(st.Requests-1) / (float64(span) / float64(time.Second))
		}
	}
	return st
}

// Reset forgets every creation and zeroes the counters; ids keep
// counting up so an id is never given twice by one server. The store
// file, if any, is emptied.
func (s *Server) Reset() error {
	for _, c := range []interface{ Store(int64) }{
		&s.requests, &s.created, &s.tooMany, &s.unavailable, &s.serverErrors, &s.badGateway,
		&s.invalid, &s.notFound, &s.badRequests, &s.droppedBefore, &s.droppedAfter,
		&s.hangs, &s.maxInFlight, &s.firstNano, &s.lastNano,
	} {
		c.Store(0)
	}
	return s.store.reset()
}

type statsBody struct {
	Stats
	CountByCustomer map[string]int `json:"count_by_customer"`
	Duplicates      map[string]int `json:"duplicates"`
}

// serveStats answers GET /_sandbox/stats.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, message{"use GET for /_sandbox/stats"})
		return
	}
	writeJSON(w, http.StatusOK, statsBody{Stats: s.Stats(), CountByCustomer: s.CountByCustomer(), Duplicates: s.Duplicates()})
}

// serveReset answers POST /_sandbox/reset.
func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, message{"use POST for /_sandbox/reset"})
		return
	}
	if err := s.Reset(); err != nil {
		writeJSON(w, http.StatusInternalServerError, message{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, message{"reset"})
}

// servePage answers the customer and edit links with a short page, so a
// link from the output sheet opens something.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Path
	switch {
	case strings.HasPrefix(key, "/view/"):
		key = strings.TrimPrefix(key, "/view/")
	case strings.HasPrefix(key, "/signed/"):
		key = strings.TrimPrefix(key, "/signed/")
	default: // /offerter/N/redigera
		id := strings.TrimSuffix(strings.TrimPrefix(key, "/offerter/"), "/redigera")
		key = ""
		for _, rec := range s.store.snapshot() {
			if idText := strings.TrimSpace(id); idText != "" && idText == itoa(rec.ID) {
				key = rec.Key
				break
			}
		}
	}
	rec, ok := s.store.lookup(key)
	if !ok || key == "" {
		http.Error(w, "no such quote in the sandbox", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("SalesByte sandbox quote " + itoa(rec.ID) + " (" + string(rec.Endpoint) + ") for " + rec.CustomerName + "\n"))
}
