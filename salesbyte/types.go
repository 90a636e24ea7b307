package salesbyte

import (
	"net/url"
	"strings"
	"time"
)

// Links are the URLs SalesByte returns for a created quote.
type Links struct {
	Edit               string `json:"edit,omitempty"`
	CustomerView       string `json:"customer_view,omitempty"`
	CustomerVerificate string `json:"customer_verificate,omitempty"`
	ProjectApproval    string `json:"customer_project_approval,omitempty"`
}

// maxLink bounds a link's length.
const maxLink = 2048

// IsLink reports whether s is fit to be shown as a link: an absolute
// http or https URL with a host and no user, at most 2048 bytes, without
// blanks, control characters, quotes, angle brackets or backslashes. Anything else a server sends as a link
// (a spreadsheet formula, javascript:, a relative path) is not one.
func IsLink(s string) bool {
	if s == "" || len(s) > maxLink || strings.ContainsAny(s, "\\\"<>`\x7f") || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' }) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "https" || scheme == "http") && strings.HasPrefix(strings.ToLower(s), scheme+"://")
}

// BadLink is a link a server sent that is not one (see IsLink).
type BadLink struct {
	// Name is the link's JSON name (edit, customer_view, ...).
	Name string
	// Value is what the server sent, one line, cut to 100 characters.
	Value string
}

// Checked returns l with every value that is not a link (see IsLink)
// left out, and what was left out.
func (l Links) Checked() (Links, []BadLink) {
	var bad []BadLink
	check := func(name string, v *string) {
		if *v != "" && !IsLink(*v) {
			bad = append(bad, BadLink{Name: name, Value: truncate(collapse(*v), 100)})
			*v = ""
		}
	}
	check("edit", &l.Edit)
	check("customer_view", &l.CustomerView)
	check("customer_verificate", &l.CustomerVerificate)
	check("customer_project_approval", &l.ProjectApproval)
	return l, bad
}

// CreateResponse is the documented JSON answer of a successful create.
type CreateResponse struct {
	ID    int64 `json:"id"`
	Links Links `json:"links"`
}

// APIQuote is one quote as the Quotes API returns it.
type APIQuote struct {
	ID               int64          `json:"id"`
	Key              string         `json:"key"`
	QuoteProfileName string         `json:"quote_profile_name"`
	CustomerName     string         `json:"customer_name"`
	CustomerEmail    string         `json:"customer_email"`
	CustomerPhone    string         `json:"customer_phone"`
	CustomerCompany  string         `json:"customer_company"`
	CustomFields     map[string]any `json:"custom_fields,omitempty"`
	QuoteValue       float64        `json:"quote_value"`
	CreatedAt        time.Time      `json:"created_at"`
	// CreatedAtZoned says CreatedAt named its time zone. Without one it
	// was read as UTC, but may be any zone's local time.
	CreatedAtZoned bool           `json:"-"`
	UpdatedAt      time.Time      `json:"updated_at"`
	Salesperson    map[string]any `json:"salesperson,omitempty"`
	Signed         bool           `json:"signed"`
	Links          Links          `json:"links"`
	// BadLinks are the links the answer held that were not links (see
	// IsLink); they are left out of Links.
	BadLinks []BadLink         `json:"-"`
	Extra    map[string]string `json:"-"`
}

// QuotePage is one page of GET /api/quotes (10 quotes a page, Laravel
// style pagination).
type QuotePage struct {
	Data        []APIQuote `json:"data"`
	CurrentPage int        `json:"current_page"`
	LastPage    int        `json:"last_page"`
	PerPage     int        `json:"per_page"`
	Total       int        `json:"total"`
	NextPageURL *string    `json:"next_page_url"`
}
