package sandbox

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the Quotes API's dates are Swedish calendar dates

	"github.com/sbimport/sbimport/salesbyte"
)

const perPage = 10

// stockholm is the zone the Quotes API's date filters are read in, as
// SalesByte is a Swedish service.
var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// serveQuotes answers GET /api/quotes and GET /api/quotes/<key>.
func (s *Server) serveQuotes(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, message{"The " + r.Method + " method is not supported for route " + r.URL.Path + ". Supported methods: GET, HEAD."})
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, message{"Unauthenticated."})
		return
	}
	if key, ok := strings.CutPrefix(r.URL.Path, "/api/quotes/"); ok {
		rec, found := s.store.lookup(key)
		if !found || key == "" {
			writeJSON(w, http.StatusNotFound, message{"Quote not found."})
			return
		}
		writeJSON(w, http.StatusOK, s.apiQuote(r, rec))
		return
	}
	s.listQuotes(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.opts.Token)) == 1
}

// quoteFilter is a parsed GET /api/quotes query.
type quoteFilter struct {
	page                   int
	createdFrom, createdTo time.Time // half-open [from, to) instants; zero = open
	updatedFrom, updatedTo time.Time
	byUpdated, ascending   bool
}

func parseQuoteFilter(q url.Values) (quoteFilter, []salesbyte.FieldError) {
	f := quoteFilter{page: 1}
	var errs []salesbyte.FieldError
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p >= 1 {
		f.page = p
	}
	day := func(name string, end bool) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, v, stockholm)
		if err != nil {
			errs = append(errs, salesbyte.FieldError{Field: name,
				Message: "The " + strings.ReplaceAll(name, "_", " ") + " field must match the format Y-m-d."})
			return time.Time{}
		}
		if end {
			d = d.AddDate(0, 0, 1) // inclusive: up to the end of that day
		}
		return d
	}
	f.createdFrom, f.createdTo = day("created_from", false), day("created_to", true)
	f.updatedFrom, f.updatedTo = day("updated_from", false), day("updated_to", true)
	switch q.Get("sort_by") {
	case "", "created_at":
	case "updated_at":
		f.byUpdated = true
	default:
		errs = append(errs, salesbyte.FieldError{Field: "sort_by", Message: "The selected sort by is invalid."})
	}
	switch q.Get("sort_order") {
	case "", "desc":
	case "asc":
		f.ascending = true
	default:
		errs = append(errs, salesbyte.FieldError{Field: "sort_order", Message: "The selected sort order is invalid."})
	}
	return f, errs
}

func within(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

func (s *Server) listQuotes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, errs := parseQuoteFilter(q)
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, newLaravelError(errs))
		return
	}
	all := s.store.snapshot()
	var match []stored
	for _, rec := range all {
		// a sandbox quote is never edited: updated_at == created_at
		if within(rec.CreatedAt, f.createdFrom, f.createdTo) && within(rec.CreatedAt, f.updatedFrom, f.updatedTo) {
			match = append(match, rec)
		}
	}
	// Both sort keys are the creation time; ties go by id, the order of
	// creation.
	slices.SortStableFunc(match, func(a, b stored) int {
		c := a.CreatedAt.Compare(b.CreatedAt)
		if c == 0 {
			c = cmpInt(a.ID, b.ID)
		}
		if !f.ascending {
			c = -c
		}
		return c
	})
	total := len(match)
	last := max(1, (total+perPage-1)/perPage)
	page := salesbyte.QuotePage{CurrentPage: f.page, LastPage: last, PerPage: perPage, Total: total, Data: []salesbyte.APIQuote{}}
	if lo := (f.page - 1) * perPage; lo < total {
		for _, rec := range match[lo:min(lo+perPage, total)] {
			page.Data = append(page.Data, s.apiQuote(r, rec))
		}
	}
	if f.page < last {
		q.Set("page", strconv.Itoa(f.page+1))
		next := s.selfBase(r) + "/api/quotes?" + q.Encode()
		page.NextPageURL = &next
	}
	writeJSON(w, http.StatusOK, page)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// apiQuote is a creation as the Quotes API shows it.
func (s *Server) apiQuote(r *http.Request, rec stored) salesbyte.APIQuote {
	body := decodeBody(rec.RawBody)
	q := salesbyte.APIQuote{
		ID:              rec.ID,
		Key:             rec.Key,
		CustomerName:    rec.CustomerName,
		CustomerEmail:   rec.CustomerEmail,
		CustomerPhone:   rec.CustomerPhone,
		CustomerCompany: rec.CustomerCompany,
		CreatedAt:       rec.CreatedAt,
		UpdatedAt:       rec.CreatedAt,
		Links:           links(s.linkBase(r), rec.ID, rec.Key),
	}
	switch rec.Endpoint {
	case salesbyte.Template:
		q.QuoteProfileName = "Template " + numText(body["quote_template_id"])
		if cf, ok := body["customer_fields"].(map[string]any); ok && len(cf) > 0 {
			q.CustomFields = cf
		}
	case salesbyte.Quote:
		q.QuoteProfileName = "Profile " + numText(body["quote_profile_id"])
		if cf, ok := body["custom_fields"].(map[string]any); ok && len(cf) > 0 {
			q.CustomFields = make(map[string]any, len(cf))
			for name, v := range cf {
				if obj, ok := v.(map[string]any); ok {
					v = obj["value"]
				}
				q.CustomFields[name] = v
			}
		}
	case salesbyte.Lead:
		q.QuoteProfileName = "Profile " + numText(body["quote_profile_id"])
		for i := 1; i <= 10; i++ {
			name := "custom_field_" + strconv.Itoa(i) + "_content"
			if v, ok := body[name]; ok && v != nil {
				if q.CustomFields == nil {
					q.CustomFields = make(map[string]any)
				}
				q.CustomFields[name] = v
			}
		}
	}
	return q
}

func numText(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return ""
}
