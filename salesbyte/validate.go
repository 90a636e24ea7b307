package salesbyte

import (
	"github.com/sbimport/sbimport/internal/suggest"

	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// QuoteSendTypes are the send_type values the quote endpoint accepts.
var QuoteSendTypes = []string{"email", "sms", "dual", "auto", "none"}

// fieldIndex is each endpoint's catalog by field name, built once.
var fieldIndex = func() map[Endpoint]map[string]Field {
	idx := make(map[Endpoint]map[string]Field, len(catalog))
	for e, fields := range catalog {
		m := make(map[string]Field, len(fields))
		for _, f := range fields {
			m[f.Name] = f
		}
		idx[e] = m
	}
	return idx
}()

// Validate checks a request body (without uuid) against the endpoint's
// documented rules and returns every problem, in a stable order (sorted
// by field, then message). Values may be Go natives (string, int, int64,
// float64, bool, []string, []any, map[string]any, nil) or what
// encoding/json decodes with UseNumber (json.Number), so the client and
// the sandbox share one set of rules. A "uuid" key is ignored, so the
// sandbox may pass a body as it arrived. An empty string counts as
// absent, as Laravel reads it.
func Validate(e Endpoint, body map[string]any) []FieldError {
	var v validator
	fields := catalog[e]
	if fields == nil {
		v.add("endpoint", "unknown endpoint "+strconv.Quote(string(e)))
		return v.errs
	}
	known := fieldIndex[e]
	for name, val := range body {
		if name == "uuid" {
			continue
		}
		f, ok := known[name]
		if !ok {
			msg := "unknown field"
			if c, ok := suggest.Closest(name, FieldNames(e)); ok {
				msg += "; did you mean " + c + "?"
			}
			v.add(name, msg)
			continue
		}
		if isAbsent(val) {
			if f.Required {
				v.add(name, "is required")
			}
			continue
		}
		v.kind(e, f, val)
	}
	for _, f := range fields {
		if _, ok := body[f.Name]; !ok && f.Required {
			v.add(f.Name, "is required")
		}
	}

	switch e {
	case Quote:
		st, _ := body["send_type"].(string)
		if st == "email" || st == "dual" {
			if isAbsent(body["customer_email"]) {
				v.add("customer_email", "is required when send_type is "+st)
			}
		}
		if st == "sms" || st == "dual" {
			if isAbsent(body["customer_phone"]) {
				v.add("customer_phone", "is required when send_type is "+st)
			}
		}
	case Template:
		if isAbsent(body["customer_email"]) && isAbsent(body["customer_phone"]) {
			v.add("customer_email", "is required when customer_phone is not given (give at least one)")
		}
	}

	sort.Slice(v.errs, func(i, j int) bool {
		if v.errs[i].Field != v.errs[j].Field {
			return v.errs[i].Field < v.errs[j].Field
		}
		return v.errs[i].Message < v.errs[j].Message
	})
	return v.errs
}

type validator struct{ errs []FieldError }

func (v *validator) add(field, msg string) {
	v.errs = append(v.errs, FieldError{Field: field, Message: msg})
}

// isAbsent reports whether a value counts as not given: nil or a string
// that is empty after trimming.
func isAbsent(val any) bool {
	if val == nil {
		return true
	}
	if s, ok := val.(string); ok {
		return strings.TrimSpace(s) == ""
	}
	return false
}

func (v *validator) kind(e Endpoint, f Field, val any) {
	name := f.Name
	switch f.Kind {
	case KindString:
		if _, ok := val.(string); !ok {
			v.add(name, "must be text, not "+describe(val))
			return
		}
		if e == Quote && name == "send_type" {
			s := val.(string)
			if !contains(QuoteSendTypes, s) {
				v.add(name, "must be one of "+strings.Join(QuoteSendTypes, ", ")+", not "+strconv.Quote(s))
			}
		}
	case KindInt:
		if _, ok := AsInt(val); !ok {
			v.add(name, "must be an integer, not "+describe(val))
		}
	case KindBool:
		if _, ok := val.(bool); ok {
			return
		}
		if e == Quote && name == "trigger_created_messages_to_customer" {
			if n, ok := AsInt(val); ok && (n == 0 || n == 1) {
				return
			}
			v.add(name, "must be true, false, 0 or 1, not "+describe(val))
			return
		}
		v.add(name, "must be true or false, not "+describe(val))
	case KindDate:
		s, ok := val.(string)
		if !ok {
			v.add(name, "must be a date YYYY-MM-DD, not "+describe(val))
			return
		}
		if msg := checkDate(s); msg != "" {
			v.add(name, msg)
		}
	case KindEmail:
		s, ok := val.(string)
		if !ok {
			v.add(name, "must be an e-mail address, not "+describe(val))
			return
		}
		if !ValidEmail(s) {
			v.add(name, "must be a valid email address, not "+strconv.Quote(s))
		}
	case KindPhone:
		s, ok := val.(string)
		if !ok {
			v.add(name, "must be a phone number text, not "+describe(val))
			return
		}
		if msg := checkPhone(s); msg != "" {
			v.add(name, msg)
		}
	case KindStringList:
		v.emailList(name, val)
	case KindList:
		v.alternatives(name, val)
	case KindObject:
		switch name {
		case "custom_fields":
			v.customFields(name, val)
		default: // customer_fields: shape depends on the template
			if _, ok := asMap(val); ok {
				return
			}
			if _, ok := asSlice(val); ok {
				return
			}
			v.add(name, "must be an object or a list, not "+describe(val))
		}
	}
}

func (v *validator) emailList(name string, val any) {
	if s, ok := val.(string); ok {
		if !ValidEmail(s) {
			v.add(name, "must be a valid email address, not "+strconv.Quote(s))
		}
		return
	}
	items, ok := asSlice(val)
	if !ok {
		v.add(name, "must be an e-mail address or a list of them, not "+describe(val))
		return
	}
	if len(items) == 0 {
		v.add(name, "must not be an empty list; leave it out to get a random salesperson")
		return
	}
	for i, it := range items {
		s, ok := it.(string)
		item := name + "." + strconv.Itoa(i)
		if !ok {
			v.add(item, "must be an e-mail address, not "+describe(it))
			continue
		}
		if !ValidEmail(s) {
			v.add(item, "must be a valid email address, not "+strconv.Quote(s))
		}
	}
}

func (v *validator) alternatives(name string, val any) {
	items, ok := asSlice(val)
	if !ok {
		v.add(name, "must be a list of alternatives, not "+describe(val))
		return
	}
	for i, it := range items {
		p := name + "." + strconv.Itoa(i)
		m, ok := asMap(it)
		if !ok {
			v.add(p, "must be an object with title, sort_order and bundle_id or skus, not "+describe(it))
			continue
		}
		for k := range m {
			switch k {
			case "title", "sort_order", "bundle_id", "skus":
			default:
				v.add(p+"."+k, "unknown field; an alternative has title, sort_order and bundle_id or skus")
			}
		}
		if t, ok := m["title"]; !ok || isAbsent(t) {
			v.add(p+".title", "is required")
		} else if _, ok := t.(string); !ok {
			v.add(p+".title", "must be text, not "+describe(t))
		}
		if so, ok := m["sort_order"]; !ok || so == nil {
			v.add(p+".sort_order", "is required")
		} else if _, ok := AsInt(so); !ok {
			v.add(p+".sort_order", "must be an integer, not "+describe(so))
		}
		b, hasB := m["bundle_id"]
		s, hasS := m["skus"]
		hasB = hasB && b != nil
		hasS = hasS && s != nil
		switch {
		case hasB && hasS:
			v.add(p, "has both bundle_id and skus; give exactly one")
		case !hasB && !hasS:
			v.add(p, "needs bundle_id or skus")
		case hasB:
			if _, ok := AsInt(b); !ok {
				v.add(p+".bundle_id", "must be an integer, not "+describe(b))
			}
		case hasS:
			list, ok := asSlice(s)
			if !ok {
				v.add(p+".skus", "must be a list of product SKUs, not "+describe(s))
				break
			}
			if len(list) == 0 {
				v.add(p+".skus", "must not be empty")
				break
			}
			for j, sku := range list {
				if _, ok := AsInt(sku); ok {
					continue
				}
				if str, ok := sku.(string); ok && strings.TrimSpace(str) != "" {
					continue
				}
				v.add(p+".skus."+strconv.Itoa(j), "must be a product SKU (integer or text), not "+describe(sku))
			}
		}
	}
}

func (v *validator) customFields(name string, val any) {
	m, ok := asMap(val)
	if !ok {
		v.add(name, "must be an object of name → {value, attribute}, not "+describe(val))
		return
	}
	for key, fv := range m {
		p := name + "." + key
		if strings.TrimSpace(key) == "" {
			v.add(name, "has a custom field with an empty name")
			continue
		}
		obj, ok := asMap(fv)
		if !ok {
			v.add(p, "must be an object {value, attribute}, not "+describe(fv))
			continue
		}
		for k := range obj {
			if k != "value" && k != "attribute" {
				v.add(p+"."+k, "unknown field; a custom field has value and attribute")
			}
		}
		if _, ok := obj["value"]; !ok {
			v.add(p+".value", "is required")
		}
		a, ok := obj["attribute"]
		if !ok || a == nil {
			v.add(p+".attribute", "is required")
			continue
		}
		am, ok := asMap(a)
		if !ok {
			v.add(p+".attribute", "must be an object {required, editableByContact, hideFromContact}, not "+describe(a))
			continue
		}
		for _, k := range []string{"required", "editableByContact", "hideFromContact"} {
			av, ok := am[k]
			if !ok || av == nil {
				v.add(p+".attribute."+k, "is required")
			} else if _, ok := av.(bool); !ok {
				v.add(p+".attribute."+k, "must be true or false, not "+describe(av))
			}
		}
		for k := range am {
			switch k {
			case "required", "editableByContact", "hideFromContact":
			default:
				v.add(p+".attribute."+k, "unknown field; an attribute has required, editableByContact and hideFromContact")
			}
		}
	}
}

// AsInt reads an integral value: any Go integer, a float64 or float32
// without a fraction, or an integral json.Number.
func AsInt(val any) (int64, bool) {
	switch n := val.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		if uint64(n) > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case float32:
		return floatInt(float64(n))
	case float64:
		return floatInt(n)
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil {
			return floatInt(f)
		}
	}
	return 0, false
}

func floatInt(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func asMap(val any) (map[string]any, bool) {
	switch m := val.(type) {
	case map[string]any:
		return m, true
	case map[string]string:
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = x
		}
		return out, true
	}
	rv := reflect.ValueOf(val)
	if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[it.Key().String()] = it.Value().Interface()
		}
		return out, true
	}
	return nil, false
}

func asSlice(val any) ([]any, bool) {
	switch s := val.(type) {
	case []any:
		return s, true
	case []string:
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		return out, true
	}
	if val == nil {
		return nil, false
	}
	rv := reflect.ValueOf(val)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		if rv.Type().Elem().Kind() == reflect.Uint8 && rv.Kind() == reflect.Slice {
			return nil, false // []byte is text, not a list
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out, true
	}
	return nil, false
}

// describe names a value's type for a message, showing short values.
func describe(val any) string {
	switch x := val.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return "text " + strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return "number " + x.String()
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return "number " + strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	if _, ok := AsInt(val); ok {
		return "number"
	}
	if _, ok := asMap(val); ok {
		return "an object"
	}
	if _, ok := asSlice(val); ok {
		return "a list"
	}
	return reflect.TypeOf(val).String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func checkDate(s string) string {
	if !dateRE.MatchString(s) {
		return "must be a date YYYY-MM-DD, not " + strconv.Quote(s)
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return "is not a real date: " + strconv.Quote(s)
	}
	return ""
}

var (
	swedishPhoneRE = regexp.MustCompile(`^\+46[1-9][0-9]{6,9}$`)
	e164RE         = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// ValidPhone reports whether s is a phone number in the form SalesByte
// documents: +46 followed by 7 to 10 digits without a leading 0, or a
// foreign number in E.164 (+ and 7 to 15 digits).
func ValidPhone(s string) bool { return checkPhone(s) == "" }

func checkPhone(s string) string {
	bad := "must be a phone number like +46701234567 (or a foreign number in E.164, +CC…), not " + strconv.Quote(s)
	if strings.HasPrefix(s, "+46") {
		if !swedishPhoneRE.MatchString(s) {
			return bad
		}
		return ""
	}
	if !e164RE.MatchString(s) {
		return bad
	}
	return ""
}

// ValidEmail reports whether s is a plain e-mail address (local@domain,
// no display name, no blanks) with a domain of at least two labels.
func ValidEmail(s string) bool {
	if len(s) > 254 || s != strings.TrimSpace(s) {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`"(),:;<>@[\]`, r) || unicode.IsSpace(r) {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if len([]rune(tld)) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
