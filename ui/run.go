package ui

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/importer"
)

// run is one import being sent. It belongs to the server, not to a page:
// closing the tab leaves it running, and a page opened later re-attaches.
type run struct {
	imp     *importer.Import
	plan    importer.Plan
	target  string
	output  string
	header  int    // the output's header row: the input's, title rows kept
	name    string // the output's file name, for the download
	started time.Time
	cancel  context.CancelFunc
	done    chan struct{}

	mu        sync.Mutex
	began     bool // Started was observed: Progress may be read from now on
	stops     int
	slowdowns int
	lastSlow  string
	stopping  string
	sum       *importer.Summary
	err       error
}

func (r *run) running() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

// stop does what Ctrl-C does: the first stops new requests, the second
// abandons those in flight (their rows become unknown).
func (r *run) stop() int {
	r.mu.Lock()
	r.stops++
	n := r.stops
	r.mu.Unlock()
	if n == 1 {
		r.cancel()
	} else {
		r.imp.Abort()
	}
	return n
}

// Observe keeps what the progress needs from the importer's events.
// RowDone, the most frequent event, is not needed: the tally counts rows.
func (r *run) Observe(e importer.Event) {
	switch ev := e.(type) {
	case importer.Started:
		r.mu.Lock()
		r.began = true
		r.mu.Unlock()
	case importer.SlowedDown:
		msg := explain.SlowedDown(ev)
		r.mu.Lock()
		r.slowdowns++
		r.lastSlow = msg
		r.mu.Unlock()
	case importer.Stopping:
		r.mu.Lock()
		r.stopping = explain.Stopped(ev.Reason)
		r.mu.Unlock()
	}
}

// snapshot is the importer's tally. Import.Progress may only be read once
// Send has set its tally up, which the Started event says: before it, the
// plan's row count stands in.
func (r *run) snapshot() importer.Snapshot {
	r.mu.Lock()
	began := r.began
	r.mu.Unlock()
	if !began {
		return importer.Snapshot{Rows: r.plan.Rows}
	}
	return r.imp.Progress()
}

// handleSend starts sending the prepared import once the page names the
// number of rows the plan will send.
func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Confirm *int   `json:"confirm"`
		Plan    string `json:"plan"` // the plan the page showed; "" from callers that name none
	}
	if !readJSON(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.run != nil && s.st.run.running() {
		writeError(w, http.StatusConflict, busyWords)
		return
	}
	p := s.st.prepared
	if p == nil {
		writeError(w, http.StatusConflict, "Show the plan first: nothing is sent before it has been seen.")
		return
	}
	if req.Plan != "" && req.Plan != p.id {
		writeError(w, http.StatusConflict, "Nothing was sent: the plan was made again since this page showed it (in another tab?). Read the plan shown now, then confirm.")
		return
	}
	if req.Confirm == nil || *req.Confirm != p.plan.ToSend {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Nothing was sent: type %d, the number of rows to send, to confirm.", p.plan.ToSend))
		return
	}
	s.st.prepared = nil
	s.st.run = startRun(p)
	writeJSON(w, http.StatusAccepted, map[string]any{"started": true})
}

func startRun(p *prepared) *run {
	ctx, cancel := context.WithCancel(context.Background())
	rn := &run{imp: p.imp, plan: p.plan, target: p.target, output: p.plan.Output, header: p.headerRow, started: time.Now(), cancel: cancel, done: make(chan struct{})}
	rn.name = baseName(p.plan.Output)
	go func() {
		defer close(rn.done)
		defer p.imp.Close()
		sum, err := p.imp.Send(ctx, rn)
		rn.mu.Lock()
		rn.sum, rn.err = sum, err
		rn.mu.Unlock()
	}()
	return rn
}

// handleStop is the Stop button: Ctrl-C.
func (s *Server) handleStop(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rn := s.st.run
	s.mu.Unlock()
	if rn == nil || !rn.running() {
		writeError(w, http.StatusConflict, "No import is running.")
		return
	}
	msg := "Stopping: no new requests; waiting for those in flight, then writing the output. Press Stop again to abandon them (their rows become unknown)."
	if rn.stop() > 1 {
		msg = "Abandoning the requests in flight: their rows become unknown."
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": msg})
}

// progress is what the run step shows, pushed to the page.
type progress struct {
	Running   bool           `json:"running"`
	Target    string         `json:"target"`
	Rows      int            `json:"rows"`
	ToSend    int            `json:"toSend"`
	Done      int            `json:"done"`
	Counts    map[string]int `json:"counts"`
	Requests  int            `json:"requests"`
	Rate      string         `json:"rate"`
	ETA       string         `json:"eta,omitempty"`
	Throttled int            `json:"throttled"`
	Slowed    string         `json:"slowed,omitempty"`
	Retrying  int            `json:"retrying"`
	Stopping  string         `json:"stopping,omitempty"`
	Stops     int            `json:"stops"`
	Summary   string         `json:"summary,omitempty"`
	Error     string         `json:"error,omitempty"`
	Output    string         `json:"output,omitempty"`
}

func (s *Server) progressOf(rn *run) progress {
	snap := rn.snapshot()
	p := progress{Running: rn.running(), Target: rn.target, Rows: snap.Rows, ToSend: rn.plan.ToSend, Done: snap.Done,
		Counts: map[string]int{}, Requests: snap.Requests, Throttled: snap.Throttled, Retrying: snap.Retrying}
	for _, st := range importer.Statuses {
		p.Counts[string(st)] = snap.Counts[st]
	}
	if secs := time.Since(rn.started).Seconds(); secs >= 1 && snap.Requests > 0 {
		rate := float64(snap.Requests) / secs
		p.Rate = fmt.Sprintf("%.1f requests/s", rate)
		if left := snap.Rows - snap.Done; left > 0 && p.Running {
			p.ETA = "about " + explain.Duration(float64(left)/rate) + " left"
		}
	}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	p.Slowed, p.Stopping, p.Stops = rn.lastSlow, rn.stopping, rn.stops
	if rn.sum != nil && !p.Running {
		p.Summary = explain.Done(rn.sum.Counts) + "."
		p.Output = rn.name
		if rn.sum.Interrupted {
			p.Summary += " Stopped: the rows not sent are marked skipped; send them again from the results."
		}
	}
	if rn.err != nil {
		p.Error = s.inside(rn.err.Error())
	}
	return p
}

// handleEvents pushes the run's progress as Server-Sent Events: the
// current state at once (a reopened page re-attaches), then every half
// second, and a last "done" event when the run is over.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rn := s.st.run
	s.mu.Unlock()
	if rn == nil {
		writeError(w, http.StatusNotFound, "No import has been started.")
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming is not supported")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		running := rn.running()
		event := "progress"
		if !running {
			event = "done"
		}
		if err := writeEvent(w, event, s.progressOf(rn)); err != nil {
			return
		}
		fl.Flush()
		if !running {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-rn.done:
		case <-tick.C:
		}
	}
}

// StopRun stops a run in progress as the Stop button does: the first
// call stops new requests, the next abandons those in flight.
func (s *Server) StopRun() {
	s.mu.Lock()
	rn := s.st.run
	s.mu.Unlock()
	if rn != nil && rn.running() {
		rn.stop()
	}
}

// Running says whether an import is being sent.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.run != nil && s.st.run.running()
}
