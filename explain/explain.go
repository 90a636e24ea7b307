// Package explain turns the importer's typed values into the sentences
// people read. The command line and the web page share it, so both say the
// same thing in the same words; advice that names a flag or a button
// stays with each of them.
package explain

import (
	"fmt"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/salesbyte"
)

// Delivery says what customers receive, after "N quotes".
func Delivery(e salesbyte.Endpoint, d importer.Delivery) string {
	if e == salesbyte.Template {
		if d.Notify {
			return "will notify customers (trigger_created_messages_to_customer=true)"
		}
		return "will be created without notifying customers"
	}
	if d.Silenced {
		return fmt.Sprintf("will be created without notifying customers (send_type=%s, trigger_created_messages_to_customer=false)", d.SendType)
	}
	switch d.SendType {
	case "email":
		return "will be e-mailed to customers: send_type=email"
	case "sms":
		return "will be texted (SMS) to customers: send_type=sms"
	case "dual":
		return "will be e-mailed and texted to customers: send_type=dual"
	case "auto":
		return "will be sent to customers by e-mail or SMS as SalesByte picks: send_type=auto"
	case "none":
		return "will be created without sending anything to customers: send_type=none"
	case "":
		return "will be created (no send_type)"
	}
	return "will be sent with send_type=" + d.SendType
}

// Noun is what an endpoint creates, one and many.
type Noun struct{ Singular, Plural string }

// NounFor is what endpoint e creates.
func NounFor(e salesbyte.Endpoint) Noun {
	switch e {
	case salesbyte.Lead:
		return Noun{"lead", "leads"}
	case salesbyte.Template:
		return Noun{"quote from a template", "quotes from a template"}
	}
	return Noun{"quote", "quotes"}
}

// For is the noun for k of them.
func (n Noun) For(k int) string {
	if k == 1 {
		return n.Singular
	}
	return n.Plural
}

// Thousands writes n with thousands separated by commas: 4,812.
func Thousands(n int) string {
	if n < 0 {
		return "-" + Thousands(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Duration says roughly how long secs seconds is: "40 s", "12 min".
func Duration(secs float64) string {
	switch {
	case secs < 1.5:
		return "a second"
	case secs < 90:
		return fmt.Sprintf("%.0f s", secs)
	case secs < 90*60:
		return fmt.Sprintf("%.0f min", secs/60)
	default:
		return fmt.Sprintf("%.1f h", secs/3600)
	}
}
