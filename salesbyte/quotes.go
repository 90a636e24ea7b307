package salesbyte

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// QuotesClient reads the Quotes API (GET /api/quotes) with a Bearer
// token. It is safe for concurrent use.
type QuotesClient struct {
	base  *url.URL
	token Secret
	hc    *http.Client
}

// NewQuotesClient makes a Quotes API client for baseURL (https://, or
// http:// to loopback only). A nil hc gets DefaultHTTPClient().
func NewQuotesClient(baseURL string, token Secret, hc *http.Client) (*QuotesClient, error) {
	u, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if token.IsZero() {
		return nil, ErrNoSecret
	}
	if holds(u, token) {
		return nil, ErrSecretInBaseURL
	}
	return &QuotesClient{base: u, token: token, hc: noRedirects(hc)}, nil
}

// ListOptions filter and order GET /api/quotes. Dates are YYYY-MM-DD;
// empty fields are left out.
type ListOptions struct {
	Page                   int
	CreatedFrom, CreatedTo string
	UpdatedFrom, UpdatedTo string
	SortBy, SortOrder      string // created_at|updated_at, asc|desc
}

func (o ListOptions) query() (url.Values, error) {
	q := url.Values{}
	if o.Page < 0 {
		return nil, fmt.Errorf("page %d: pages start at 1", o.Page)
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	for _, d := range []struct{ name, v string }{
		{"created_from", o.CreatedFrom}, {"created_to", o.CreatedTo},
		{"updated_from", o.UpdatedFrom}, {"updated_to", o.UpdatedTo},
	} {
		if d.v == "" {
			continue
		}
		if msg := checkDate(d.v); msg != "" {
			return nil, fmt.Errorf("%s %s", d.name, msg)
		}
		q.Set(d.name, d.v)
	}
	if o.SortBy != "" {
		if o.SortBy != "created_at" && o.SortBy != "updated_at" {
			return nil, fmt.Errorf("sort_by %q: use created_at or updated_at", o.SortBy)
		}
		q.Set("sort_by", o.SortBy)
	}
	if o.SortOrder != "" {
		if o.SortOrder != "asc" && o.SortOrder != "desc" {
			return nil, fmt.Errorf("sort_order %q: use asc or desc", o.SortOrder)
		}
		q.Set("sort_order", o.SortOrder)
	}
	return q, nil
}

// List fetches one page of quotes.
func (c *QuotesClient) List(ctx context.Context, opts ListOptions) (QuotePage, error) {
	q, err := opts.query()
	if err != nil {
		return QuotePage{}, err
	}
	raw, err := c.get(ctx, "/api/quotes", q, "")
	if err != nil {
		return QuotePage{}, err
	}
	var page QuotePage
	if err := json.Unmarshal(raw, &page); err != nil {
		return QuotePage{}, &Error{Outcome: Retry, Message: "the Quotes API answered with a page that is not the expected JSON", Err: c.token.scrubErr(err)}
	}
	return page, nil
}

// Get fetches one quote by its public key (see KeyFromLink). The answer
// may be the quote itself or {"data": quote}.
func (c *QuotesClient) Get(ctx context.Context, key string) (APIQuote, error) {
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, "/?#") {
		return APIQuote{}, fmt.Errorf("quote key %q is not a key: give the part after /view/ in a customer link", key)
	}
	raw, err := c.get(ctx, "/api/quotes/"+url.PathEscape(key), nil, key)
	if err != nil {
		return APIQuote{}, err
	}
	var wrapped struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && len(wrapped.Data) > 0 && wrapped.Data[0] == '{' {
		raw = wrapped.Data
	}
	var q APIQuote
	if err := json.Unmarshal(raw, &q); err != nil {
		return APIQuote{}, &Error{Outcome: Retry, Message: "the Quotes API answered with a quote that is not the expected JSON", Err: c.token.scrubErr(err)}
	}
	return q, nil
}

func (c *QuotesClient) get(ctx context.Context, path string, q url.Values, key string) ([]byte, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()

	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Outcome: Retry, Message: "the request could not be built", Err: c.token.scrubErr(err)}
	}
	req.Header.Set("Authorization", "Bearer "+c.token.reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "sbimport/"+Version)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.token.scrubError(Classify(0, nil, nil, c.token.transportErr(err), wrote.Load(), time.Now()))
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, 8*maxBody))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		if rerr != nil {
			return nil, c.token.scrubError(&Error{Outcome: Retry, Status: resp.StatusCode, Message: "the answer was cut off", Err: rerr})
		}
		return raw, nil
	}
	ce := Classify(resp.StatusCode, resp.Header, []byte(c.token.scrub(string(raw))), nil, true, time.Now())
	switch ce.Status {
	case http.StatusUnauthorized:
		ce.Message = hint(ce.Message, "the Quotes API token was refused: check the token")
	case http.StatusForbidden:
		ce.Message = hint(ce.Message, "the Quotes API token may not read quotes: check its permissions in SalesByte")
	case http.StatusNotFound:
		if key != "" {
			ce.Message = hint(ce.Message, "no quote has the key "+strconv.Quote(key))
		}
	}
	return nil, c.token.scrubError(ce)
}

// KeyFromLink returns a quote's public key from a customer link
// (".../view/<key>?..."), or "" when the link has no /view/ part.
func KeyFromLink(customerViewURL string) string {
	s := strings.TrimSpace(customerViewURL)
	if u, err := url.Parse(s); err == nil && u.Path != "" {
		s = u.Path
	} else {
		s, _, _ = strings.Cut(s, "?")
		s, _, _ = strings.Cut(s, "#")
	}
	i := strings.LastIndex(s, "/view/")
	if i < 0 {
		return ""
	}
	key, _, _ := strings.Cut(s[i+len("/view/"):], "/")
	return key
}

// UnmarshalJSON reads a quote leniently, as PHP writes it: numbers may
// come as text, an empty object as [], created_at as RFC 3339 (with or
// without fraction) or "2006-01-02 15:04:05" (read as UTC), salesperson
// as an object or a text. Unknown scalar fields (address fields and the
// like) land in Extra.
func (q *APIQuote) UnmarshalJSON(data []byte) error {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return err
	}
	*q = APIQuote{}
	var errs []error
	for k, raw := range obj {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var err error
		switch k {
		case "id":
			q.ID, err = flexInt(raw)
		case "key":
			q.Key, err = flexString(raw)
		case "quote_profile_name":
			q.QuoteProfileName, err = flexString(raw)
		case "customer_name":
			q.CustomerName, err = flexString(raw)
		case "customer_email":
			q.CustomerEmail, err = flexString(raw)
		case "customer_phone":
			q.CustomerPhone, err = flexString(raw)
		case "customer_company":
			q.CustomerCompany, err = flexString(raw)
		case "custom_fields":
			q.CustomFields, err = flexObject(raw, "label")
		case "quote_value":
			q.QuoteValue, err = flexFloat(raw)
		case "created_at":
			q.CreatedAt, q.CreatedAtZoned, err = flexTimeZoned(raw)
		case "updated_at":
			q.UpdatedAt, err = flexTime(raw)
		case "salesperson":
			q.Salesperson, err = flexObject(raw, "name")
		case "signed":
			q.Signed, err = flexBool(raw)
		case "links":
			if err = json.Unmarshal(raw, &q.Links); err == nil {
				q.Links, q.BadLinks = q.Links.Checked()
			}
		default:
			if s, ok := scalarText(raw); ok {
				if q.Extra == nil {
					q.Extra = map[string]string{}
				}
				q.Extra[k] = s
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("quote field %s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

func flexString(raw json.RawMessage) (string, error) {
	if s, ok := scalarText(raw); ok {
		return s, nil
	}
	return "", fmt.Errorf("expected text, got %s", truncate(string(raw), 40))
}

// scalarText renders a JSON string, number or bool as text.
func scalarText(raw json.RawMessage) (string, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func flexInt(raw json.RawMessage) (int64, error) {
	s, ok := scalarText(raw)
	if ok {
		if n, ok := AsInt(json.Number(strings.TrimSpace(s))); ok {
			return n, nil
		}
	}
	return 0, fmt.Errorf("expected an integer, got %s", truncate(string(raw), 40))
}

func flexFloat(raw json.RawMessage) (float64, error) {
	s, ok := scalarText(raw)
	if ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f, nil
		}
	}
	return 0, fmt.Errorf("expected a number, got %s", truncate(string(raw), 40))
}

func flexBool(raw json.RawMessage) (bool, error) {
	s, ok := scalarText(raw)
	if ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			return true, nil
		case "false", "0", "":
			return false, nil
		}
	}
	return false, fmt.Errorf("expected true or false, got %s", truncate(string(raw), 40))
}

// flexObject reads an object; PHP's empty [] is an empty object, and a
// scalar becomes {scalarKey: text}.
func flexObject(raw json.RawMessage, scalarKey string) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err == nil {
		return m, nil
	}
	var list []any
	if json.Unmarshal(raw, &list) == nil {
		if len(list) == 0 {
			return nil, nil
		}
		out := make(map[string]any, len(list))
		for i, v := range list {
			out[strconv.Itoa(i)] = v
		}
		return out, nil
	}
	if s, ok := scalarText(raw); ok {
		return map[string]any{scalarKey: s}, nil
	}
	return nil, fmt.Errorf("expected an object, got %s", truncate(string(raw), 40))
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02",
}

func flexTime(raw json.RawMessage) (time.Time, error) {
	t, _, err := flexTimeZoned(raw)
	return t, err
}

// flexTimeZoned reads a time and says whether it named its zone.
func flexTimeZoned(raw json.RawMessage) (time.Time, bool, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, false, fmt.Errorf("expected a time, got %s", truncate(string(raw), 40))
	}
	return ParseTimeZoned(s)
}

// ParseTime reads a timestamp as SalesByte may write it: RFC 3339 with
// or without fraction, "2006-01-02 15:04:05" (no zone: read as UTC), or
// a bare date.
func ParseTime(s string) (time.Time, error) {
	t, _, err := ParseTimeZoned(s)
	return t, err
}

// ParseTimeZoned is ParseTime, and says whether s named its time zone
// (RFC 3339 does; "2006-01-02 15:04:05" and a bare date do not).
func ParseTimeZoned(s string) (time.Time, bool, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, strings.Contains(l, "Z07"), nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a time in a known form (RFC 3339 or 2006-01-02 15:04:05)", truncate(s, 40))
}
