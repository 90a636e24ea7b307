package salesbyte

import "time"

// Links are the URLs SalesByte returns for a created quote.
type Links struct {
	Edit               string `json:"edit,omitempty"`
	CustomerView       string `json:"customer_view,omitempty"`
	CustomerVerificate string `json:"customer_verificate,omitempty"`
	ProjectApproval    string `json:"customer_project_approval,omitempty"`
}

// CreateResponse is the documented JSON answer of a successful create.
type CreateResponse struct {
	ID    int64 `json:"id"`
	Links Links `json:"links"`
}

// APIQuote is one quote as the Quotes API returns it.
type APIQuote struct {
	ID               int64             `json:"id"`
	Key              string            `json:"key"`
	QuoteProfileName string            `json:"quote_profile_name"`
	CustomerName     string            `json:"customer_name"`
	CustomerEmail    string            `json:"customer_email"`
	CustomerPhone    string            `json:"customer_phone"`
	CustomerCompany  string            `json:"customer_company"`
	CustomFields     map[string]any    `json:"custom_fields,omitempty"`
	QuoteValue       float64           `json:"quote_value"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
	Salesperson      map[string]any    `json:"salesperson,omitempty"`
	Signed           bool              `json:"signed"`
	Links            Links             `json:"links"`
	Extra            map[string]string `json:"-"`
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
