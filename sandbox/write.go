package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sbimport/sbimport/salesbyte"
)

// validate is the shared rule book; a variable only so that the package
// reads naturally, not to be swapped.
var validate = salesbyte.Validate

const maxBody = 1 << 20

type message struct {
	Message string `json:"message"`
}

// laravelError is the 422 body: the first problem (and how many more),
// then every problem by field.
type laravelError struct {
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors"`
}

// laravelSentence turns a rule's message ("is required") into the
// sentence Laravel would send ("The customer name field is required.").
// Messages that are already sentences are kept.
func laravelSentence(e salesbyte.FieldError) string {
	msg := strings.TrimSpace(e.Message)
	if strings.HasPrefix(msg, "The ") {
		return msg
	}
	human := strings.ReplaceAll(e.Field, "_", " ")
	if rest, ok := strings.CutPrefix(msg, "unknown field"); ok {
		msg = "is not a field of this endpoint" + rest
	}
	s := "The " + human + " field "
	if !strings.HasPrefix(msg, "is ") && !strings.HasPrefix(msg, "must ") && !strings.HasPrefix(msg, "should ") {
		s = "The " + human + " field: "
	}
	s += msg
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

func newLaravelError(errs []salesbyte.FieldError) laravelError {
	le := laravelError{Errors: make(map[string][]string, len(errs))}
	first := ""
	for _, e := range errs {
		sentence := laravelSentence(e)
		if first == "" {
			first = sentence
		}
		le.Errors[e.Field] = append(le.Errors[e.Field], sentence)
	}
	le.Message = first
	switch n := len(errs) - 1; {
	case n == 1:
		le.Message += " (and 1 more error)"
	case n > 1:
		le.Message += fmt.Sprintf(" (and %d more errors)", n)
	}
	return le
}

// serveWrite handles one of the three write endpoints, faults included,
// in this order: latency, drop before, 503, rate limit, validation
// (404/422), create, then 500 / drop / hang / the normal answer.
func (s *Server) serveWrite(w http.ResponseWriter, r *http.Request, ep salesbyte.Endpoint) {
	start := time.Now()
	s.requests.Add(1)
	now := start.UnixNano()
	s.firstNano.CompareAndSwap(0, now)
	atomicMax(&s.lastNano, now)
	atomicMax(&s.maxInFlight, s.inFlight.Add(1))
	defer s.inFlight.Add(-1)

	status, id, note := s.write(w, r, ep)
	s.logf("sandbox: POST %s -> %d%s%s (%s)", r.URL.Path, status, idNote(id), note, time.Since(start).Round(time.Microsecond))
}

func idNote(id int64) string {
	if id == 0 {
		return ""
	}
	return " id=" + strconv.FormatInt(id, 10)
}

// write does the work of serveWrite and says what happened, for the log:
// the status sent (0 when the connection was dropped or the client left),
// the id created (0 = none) and a note about an injected fault.
func (s *Server) write(w http.ResponseWriter, r *http.Request, ep salesbyte.Endpoint) (int, int64, string) {
	if r.Method != http.MethodPost {
		s.badRequests.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, message{"The " + r.Method + " method is not supported for route " + r.URL.Path + ". Supported methods: POST."})
		return http.StatusMethodNotAllowed, 0, ""
	}
	if status, note, done := s.faultBefore(w, r); done {
		return status, 0, note
	}
	body, status, note := s.checkRequest(w, r, ep)
	if body == nil {
		return status, 0, note
	}
	rec, err := s.store.create(ep, body, s.now())
	if err != nil {
		s.serverErrors.Add(1)
		writeJSON(w, http.StatusInternalServerError, message{"Server Error"})
		return http.StatusInternalServerError, 0, " " + err.Error()
	}
	s.created.Add(1)
	if status, note, done := s.faultAfter(w, r); done {
		return status, rec.ID, note
	}
	return s.answer(w, r, ep, rec), rec.ID, ""
}

// faultBefore injects the faults that come before anything is created:
// latency, a dropped connection, 503, 429 (injected or the rate limit).
// done says the answer was given.
func (s *Server) faultBefore(w http.ResponseWriter, r *http.Request) (status int, note string, done bool) {
	if !s.sleep(r, s.latency()) {
		drop(w)
		return 0, " client left or server closed during latency", true
	}
	if s.hit(s.opts.PDropBefore) {
		s.droppedBefore.Add(1)
		drop(w)
		return 0, " dropped before creating", true
	}
	if s.hit(s.opts.P503) {
		s.unavailable.Add(1)
		w.Header().Set("Retry-After", s.retryAfter())
		writeJSON(w, http.StatusServiceUnavailable, message{"Service Unavailable"})
		return http.StatusServiceUnavailable, " injected", true
	}
	if s.hit429() || s.limiter != nil && !s.limiter.Allow() {
		s.tooMany.Add(1)
		w.Header().Set("Retry-After", s.retryAfter())
		writeJSON(w, http.StatusTooManyRequests, message{"Too Many Attempts."})
		return http.StatusTooManyRequests, "", true
	}
	return 0, "", false
}

// checkRequest reads and validates the request as SalesByte does. A nil
// body means it was refused, with the status and note given.
func (s *Server) checkRequest(w http.ResponseWriter, r *http.Request, ep salesbyte.Endpoint) (map[string]any, int, string) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.badRequests.Add(1)
		writeJSON(w, http.StatusUnsupportedMediaType, message{"The request body must be JSON: send Content-Type: application/json."})
		return nil, http.StatusUnsupportedMediaType, ""
	}
	body, err := decodeRequest(w, r)
	if err != nil {
		s.badRequests.Add(1)
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		writeJSON(w, status, message{"The request body is not a JSON object: " + err.Error()})
		return nil, status, ""
	}
	uuid, hasUUID := body["uuid"].(string)
	delete(body, "uuid")
	if hasUUID && uuid != "" {
		if _, ok := s.uuids[uuid]; !ok {
			s.notFound.Add(1)
			writeJSON(w, http.StatusNotFound, message{"integration not found"})
			return nil, http.StatusNotFound, " unknown uuid"
		}
	}
	errs := validate(ep, body)
	if !hasUUID || uuid == "" {
		errs = append([]salesbyte.FieldError{{Field: "uuid", Message: "The uuid field is required."}}, errs...)
	}
	if len(errs) > 0 {
		s.invalid.Add(1)
		writeJSON(w, http.StatusUnprocessableEntity, newLaravelError(errs))
		return nil, http.StatusUnprocessableEntity, ""
	}
	if ep == salesbyte.Template && len(s.templates) > 0 {
		id, ok := intValue(body["quote_template_id"])
		if _, tied := s.templates[id]; !ok || !tied {
			s.notFound.Add(1)
			writeJSON(w, http.StatusNotFound, message{"template not found"})
			return nil, http.StatusNotFound, " unknown template"
		}
	}
	return body, 0, ""
}

// faultAfter injects the faults that come after the quote was created:
// 500, 502, a dropped connection, a hang. done says the answer was given
// (or the connection dropped).
func (s *Server) faultAfter(w http.ResponseWriter, r *http.Request) (status int, note string, done bool) {
	after := s.opts.P500After + s.opts.P502After + s.opts.PDropAfter + s.opts.PHangAfter
	if after <= 0 {
		return 0, "", false
	}
	p500, p502 := s.opts.P500After, s.opts.P500After+s.opts.P502After
	switch u := s.roll(); {
	case u < p500:
		s.serverErrors.Add(1)
		writeJSON(w, http.StatusInternalServerError, message{"Server Error"})
		return http.StatusInternalServerError, " injected after creating", true
	case u < p502:
		s.badGateway.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		return http.StatusBadGateway, " injected after creating", true
	case u < p502+s.opts.PDropAfter:
		s.droppedAfter.Add(1)
		drop(w)
		return 0, " dropped after creating", true
	case u < after:
		s.hangs.Add(1)
		if !s.sleep(r, s.opts.HangFor) {
			drop(w)
			return 0, " hung after creating until the client left or the server closed", true
		}
	}
	return 0, "", false
}

// answer writes the success response and returns its status: 201 for
// quotes, 200 for leads and templates (clients must accept any 2xx).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, ep salesbyte.Endpoint, rec stored) int {
	if ep == salesbyte.Template && s.opts.PlainTemplate {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("Quote created"))
		return http.StatusOK
	}
	status := http.StatusOK
	if ep == salesbyte.Quote {
		status = http.StatusCreated
	}
	writeJSON(w, status, salesbyte.CreateResponse{ID: rec.ID, Links: links(s.linkBase(r), rec.ID, rec.Key)})
	return status
}

func links(base string, id int64, key string) salesbyte.Links {
	ids := strconv.FormatInt(id, 10)
	return salesbyte.Links{
		Edit:               base + "/offerter/" + ids + "/redigera",
		CustomerView:       base + "/view/" + key,
		CustomerVerificate: base + "/signed/" + key,
		ProjectApproval:    base + "/view/" + key + "?project_approval=1",
	}
}

func decodeRequest(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	d.UseNumber()
	var body map[string]any
	if err := d.Decode(&body); err != nil {
		return nil, err
	}
	if body == nil {
		return nil, errors.New("null")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return body, nil
}

func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), float64(int64(n)) == n
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// latency is Latency ± a uniform share of Jitter.
func (s *Server) latency() time.Duration {
	d := s.opts.Latency
	if j := s.opts.Jitter; j > 0 {
		d += time.Duration((2*s.roll() - 1) * float64(j))
	}
	return max(d, 0)
}

// sleep waits d; it returns false if the client went away or the server
// closed first.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// retryAfter is the Retry-After value to send.
func (s *Server) retryAfter() string {
	if s.opts.RetryAfter != "http-date" {
		return s.opts.RetryAfter
	}
	// An HTTP date has whole seconds: round up so it is at least 1 s ahead.
	at := time.Now().Add(time.Second)
	if t := at.Truncate(time.Second); t.Before(at) {
		at = t.Add(time.Second)
	}
	return at.UTC().Format(http.TimeFormat)
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// not hijackable (HTTP/2, a recorder): let net/http abort it
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"Server Error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
