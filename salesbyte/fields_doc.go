package salesbyte

import "fmt"

// FieldDoc is what a person filling in a mapping needs to know about one
// field: what it does, when it is required, and which values it takes.
type FieldDoc struct {
	Field
	// About says in one line what the field does in SalesByte.
	About string
	// RequiredIf is the condition under which a field that is not always
	// required must be given, e.g. "send_type is email or dual"; empty
	// when there is none.
	RequiredIf string
	// Allowed lists the only values the field accepts; nil when any value
	// of its kind will do.
	Allowed []string
}

// Docs describes every field of e, in Fields' order. A field the catalog
// holds but this file does not describe gets an empty About, which the
// package's tests do not allow.
func Docs(e Endpoint) []FieldDoc {
	fs := catalog[e]
	out := make([]FieldDoc, len(fs))
	for i, f := range fs {
		d := FieldDoc{Field: f, About: about(e, f.Name)}
		if c, ok := requiredIf[e][f.Name]; ok {
			d.RequiredIf = c
		}
		d.Allowed = allowed(e, f)
		out[i] = d
	}
	return out
}

// allowed lists a field's only values: send_type's for a quote, and the
// spellings of a boolean.
func allowed(e Endpoint, f Field) []string {
	switch {
	case e == Quote && f.Name == "send_type":
		return append([]string(nil), QuoteSendTypes...)
	case e == Quote && f.Name == "trigger_created_messages_to_customer":
		return []string{"true", "false", "1", "0"}
	case f.Kind == KindBool:
		return []string{"true", "false"}
	}
	return nil
}

var requiredIf = map[Endpoint]map[string]string{
	Quote: {
		"customer_email": "send_type is email or dual",
		"customer_phone": "send_type is sms or dual",
	},
	Template: {
		"customer_email": "customer_phone is empty",
		"customer_phone": "customer_email is empty",
	},
}

// about is the one-line description of e's field name; "" when there is
// none.
func about(e Endpoint, name string) string {
	if s, ok := fieldAbout[e][name]; ok {
		return s
	}
	if s, ok := commonAbout[name]; ok {
		return s
	}
	if e == Lead {
		for i := 1; i <= 10; i++ {
			switch name {
			case fmt.Sprintf("custom_field_%d_content", i):
				return fmt.Sprintf("text for the profile's custom field number %d", i)
			case fmt.Sprintf("tag_%d", i):
				return fmt.Sprintf("a tag (number %d of up to 10) to sort and find the lead by", i)
			}
		}
	}
	return ""
}

// commonAbout describes the fields whose meaning is the same on every
// endpoint that has them.
var commonAbout = map[string]string{
	"customer_name":                        "the customer's name, as the quote addresses them",
	"customer_email":                       "the customer's e-mail address; where an e-mailed quote goes",
	"customer_phone":                       "the customer's mobile number, +46701234567; where a text message goes",
	"customer_company":                     "the customer's company, shown on the quote",
	"workflows_enabled":                    "run the profile's automatic workflows (follow-ups, reminders)",
	"allow_customer_document_upload":       "let the customer attach documents of their own",
	"trigger_created_messages_to_customer": "send the customer the profile's \"quote created\" messages",
	"chat_enabled":                         "let the customer chat with the salesperson on the quote page",
	"message":                              "a personal message shown to the customer; empty: the profile's default",
	"quote_profile_id":                     "the number of the quote profile (products, texts, layout) to use",
}

// fieldAbout describes what differs by endpoint.
var fieldAbout = map[Endpoint]map[string]string{
	Lead: {
		"send_type":         "how the customer is told about the lead, such as email or sms",
		"type":              "what kind of brand-awareness lead it is",
		"salesperson_email": "e-mail of the salesperson (or several) to handle it; empty: one at random",
	},
	Quote: {
		"send_type":         "how the quote reaches the customer: e-mail, text, both, auto, or not sent",
		"signable":          "let the customer sign the quote online",
		"salesperson_email": "e-mail of a registered user who owns the quote; empty: the profile's default",
		"signable_until":    "the last day the customer can sign, YYYY-MM-DD",
		"alternatives":      "the options offered, each with a title, an order, and a bundle id or SKUs",
		"custom_fields":     "values for the profile's custom fields, by field name",
	},
	Template: {
		"quote_template_id": "the number of the template the quote is copied from",
		"customer_fields":   "values for the template's custom fields",
	},
}
