package salesbyte

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is SalesByte's production host.
const DefaultBaseURL = "https://app.salesbyte.se"

// maxBody bounds how much of an answer is read.
const maxBody = 1 << 20

// Created is a successful create. ID is 0 when the server answered 2xx
// without a JSON id (the template endpoint's plain "Quote created"): the
// row is created, its id unknown until reconciled.
type Created struct {
	ID    int64
	Links Links
	// BadLinks are the links the answer held that were not links (a
	// formula, a relative path; see IsLink): left out of Links.
	BadLinks []BadLink
	Status   int
	// Body is the answer's text (truncated) when it carried no id.
	Body string
}

// Client sends create requests to the Integration API. It is safe for
// concurrent use.
type Client struct {
	base *url.URL
	uuid Secret
	hc   *http.Client
}

// NewClient makes a client for baseURL (https://, or http:// to a
// loopback address only) that puts uuid into every body. A nil hc gets
// DefaultHTTPClient(). Redirects are never followed: a POST redirected
// would be resent as a GET.
func NewClient(baseURL string, uuid Secret, hc *http.Client) (*Client, error) {
	u, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if uuid.IsZero() {
		return nil, ErrNoSecret
	}
	if holds(u, uuid) {
		return nil, ErrSecretInBaseURL
	}
	return &Client{base: u, uuid: uuid, hc: noRedirects(hc)}, nil
}

// holds reports whether u shows the secret (in any form scrub knows).
// A secret under 8 characters is not looked for: it would be found in
// any address.
func holds(u *url.URL, s Secret) bool {
	if len(s.v) < 8 {
		return false
	}
	full := u.String() + " " + u.Path
	return s.scrub(full) != full
}

// DefaultHTTPClient is a client fit for hundreds of concurrent requests
// to one host: connect and TLS handshake within 10 s, headers within
// 60 s, connections kept alive and reused.
func DefaultHTTPClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			ExpectContinueTimeout: time.Second,
			MaxIdleConns:          512,
			MaxIdleConnsPerHost:   512,
			IdleConnTimeout:       90 * time.Second,
		},
	}
}

func noRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = DefaultHTTPClient()
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// checkBaseURL accepts https:// anywhere and http:// to loopback only.
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("base URL %q is not a URL: use e.g. %s", raw, DefaultBaseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL %s must not carry a user or password", u.Redacted())
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("base URL %s uses plain http:// to a host that is not loopback; the credential would travel unencrypted: use https://, or http:// only to localhost, 127.0.0.1 or [::1]", u.Redacted())
		}
	default:
		return nil, fmt.Errorf("base URL %s must start with https:// (or http:// to loopback)", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// IsLoopback reports whether host (without port) is the name localhost
// (any case) or a literal loopback IP (127.0.0.0/8, ::1). Other names
// count as remote whatever they look like (evil.localhost,
// 127.0.0.1.nip.io): a name is only as local as its resolver says.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

func (c *Client) url(path string) string {
	u := *c.base
	u.Path = c.base.Path + path
	return u.String()
}

// Create sends one create request for e with body (uuid added to a
// copy). A 2xx answer is success; anything else is an *Error (see
// Classify) from which the uuid has been scrubbed.
func (c *Client) Create(ctx context.Context, e Endpoint, body map[string]any) (Created, error) {
	if e.Path() == "" {
		return Created{}, &Error{Outcome: Rejected, Message: "unknown endpoint " + strconv.Quote(string(e))}
	}
	payload := make(map[string]any, len(body)+1)
	for k, v := range body {
		payload[k] = v
	}
	payload["uuid"] = c.uuid.reveal()
	data, err := json.Marshal(payload)
	if err != nil {
		return Created{}, &Error{Outcome: Rejected, Message: "the request body cannot be encoded as JSON", Err: c.uuid.scrubErr(err)}
	}

	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, c.url(e.Path()), bytes.NewReader(data))
	if err != nil {
		return Created{}, &Error{Outcome: Retry, Message: "the request could not be built", Err: c.uuid.scrubErr(err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "sbimport/"+Version)

	resp, err := c.hc.Do(req)
	if err != nil {
		return Created{}, c.uuid.scrubError(Classify(0, nil, nil, c.uuid.transportErr(err), wrote.Load(), time.Now()))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused

	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// Success whatever the body: a body we cannot read must not turn
		// a created quote into a failure that would be resent.
		return parseCreated(resp.StatusCode, raw, c.uuid), nil
	}
	clean := []byte(c.uuid.scrub(string(raw)))
	ce := Classify(resp.StatusCode, resp.Header, clean, nil, true, time.Now())
	switch ce.Status {
	case http.StatusNotFound:
		if e == Template {
			ce.Message = hint(ce.Message, "the integration uuid or the template is unknown to SalesByte: check the uuid and quote_template_id")
		} else {
			ce.Message = hint(ce.Message, "the integration uuid is unknown to SalesByte: check the uuid and SalesByte's address")
		}
	case http.StatusUnauthorized, http.StatusForbidden:
		ce.Message = hint(ce.Message, "the integration uuid was refused: check the uuid")
	}
	return Created{}, c.uuid.scrubError(ce)
}

func hint(msg, h string) string {
	if msg == "" {
		return h
	}
	return msg + "; " + h
}

// parseCreated reads a 2xx body: JSON with an id (a positive number or
// numeric text) and links, or anything else kept as text. Only real
// links are kept (see Links.Checked); the uuid is scrubbed from all.
func parseCreated(status int, raw []byte, s Secret) Created {
	var doc struct {
		ID    json.RawMessage `json:"id"`
		Links Links           `json:"links"`
	}
	// Scrubbed before decoding: a link, or a non-link cut to length,
	// may echo the uuid too.
	raw = []byte(s.scrub(string(raw)))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	c := Created{Status: status}
	if dec.Decode(&doc) == nil {
		c.ID = parseID(doc.ID)
	}
	// And after: JSON may write any character of it as a \u escape.
	for _, l := range []*string{&doc.Links.Edit, &doc.Links.CustomerView, &doc.Links.CustomerVerificate, &doc.Links.ProjectApproval} {
		*l = s.scrub(*l)
	}
	c.Links, c.BadLinks = doc.Links.Checked()
	if c.ID == 0 {
		c.Body = s.scrub(bodyText(raw, false, maxBodyText))
	}
	return c
}

// parseID reads a quote id: a positive integer, as a JSON number or as
// text holding only digits. Anything else is no id (0).
func parseID(raw json.RawMessage) int64 {
	if len(raw) == 0 {
		return 0
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if id, ok := AsInt(n); ok && id > 0 {
			return id
		}
		return 0
	}
	var str string
	if json.Unmarshal(raw, &str) != nil {
		return 0
	}
	str = strings.TrimSpace(str)
	if str == "" || strings.Trim(str, "0123456789") != "" {
		return 0
	}
	if id, err := strconv.ParseInt(str, 10, 64); err == nil && id > 0 {
		return id
	}
	return 0
}
