package mapping

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/sbimport/sbimport/salesbyte"
)

// The converters below turn one cell's text into a typed value. Each error
// message quotes the value, says what it is not, and gives an example of
// what is expected, so it can be shown to the user as it is.

// cleanSpace trims the value and turns the no-break spaces that
// spreadsheets like to insert into plain spaces.
func cleanSpace(s string) string {
	if strings.ContainsAny(s, "\u00a0\u202f\u2007\t\r\n") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\u00a0', '\u202f', '\u2007', '\t', '\r', '\n':
				return ' '
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

// ParseInt reads a whole number: "115", " 115 ", "115.0" and "115,0" (how
// a spreadsheet may show a whole number), "1 150" with space thousands.
func ParseInt(s string) (int64, error) {
	t := cleanSpace(s)
	if t == "" {
		return 0, errors.New("the cell is empty; expected a whole number, e.g. 115")
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err == nil {
		return n, nil
	}
	f, ferr := ParseNumber(t)
	if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("%q is not a whole number; expected e.g. 115", s)
	}
	return int64(f), nil
}

// ParseNumber reads a decimal number as Swedish and English spreadsheets
// write them: "1234.5", "1234,5", "1 234,50" (space or no-break space
// thousands), "1.234,5", "1,234.5", "-3", "1.5E3".
func ParseNumber(s string) (float64, error) {
	t := cleanSpace(s)
	if t == "" {
		return 0, errors.New("the cell is empty; expected a number, e.g. 1234,50")
	}
	body, exp, ok := splitExponent(t)
	var norm string
	if ok {
		norm, ok = normaliseDecimal(body)
	}
	if ok && exp != "" {
		norm += "e" + exp
	}
	f, err := strconv.ParseFloat(norm, 64)
	if !ok || err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number; expected e.g. 1234,50 or 1234.50", s)
	}
	return f, nil
}

// splitExponent splits "1.5E3" into "1.5" and "3"; ok is false when
// what follows the E is not a (signed) whole number.
func splitExponent(t string) (body, exp string, ok bool) {
	i := strings.IndexAny(t, "eE")
	if i < 0 {
		return t, "", true
	}
	body, exp = t[:i], t[i+1:]
	digits := strings.TrimLeft(exp, "+-")
	if len(exp)-len(digits) > 1 || !allDigits(digits) {
		return "", "", false
	}
	return body, exp, true
}

// normaliseDecimal turns a number with space, apostrophe, dot or comma
// thousands and a dot or comma decimal mark into Go's syntax: the last
// mark is the decimal one when both are used, a lone mark is decimal, and
// a mark used more than once is thousands.
func normaliseDecimal(body string) (string, bool) {
	lastDot, lastComma, dots, commas, digits := -1, -1, 0, 0, 0
	for i, r := range body {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
			lastDot = i
		case r == ',':
			commas++
			lastComma = i
		case r == ' ' || r == '\'':
			// thousands separator
		case (r == '-' || r == '+' || r == '\u2212') && i == 0:
		default:
			return "", false
		}
	}
	if digits == 0 {
		return "", false
	}
	dec := rune(0)
	switch {
	case dots > 0 && commas > 0:
		dec = '.'
		if lastComma > lastDot {
			dec = ','
		}
	case commas == 1:
		dec = ','
	case dots == 1:
		dec = '.'
	}
	if (dec == '.' && dots > 1) || (dec == ',' && commas > 1) {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(body))
	for _, r := range body {
		switch {
		case r >= '0' && r <= '9', r == '+', r == '-':
			b.WriteRune(r)
		case r == '\u2212':
			b.WriteByte('-')
		case r == dec:
			b.WriteByte('.')
		}
	}
	return b.String(), true
}

var boolWords = map[string]bool{
	"true": true, "false": false,
	"ja": true, "nej": false, "j": true, "n": false,
	"yes": true, "no": false, "y": true,
	"sant": true, "falskt": false,
	"1": true, "0": false, "1.0": true, "0.0": false,
	"x": true, "✓": true, "✔": true,
}

// ParseBool reads true/false, ja/nej, yes/no, j/n, y/n, sant/falskt, 1/0
// (also 1.0/0.0, as a number cell may show), and x, ✓ or ✔ (a ticked
// box), in any case. An empty cell is not a value: the mapper omits the
// field (or uses default:), so "x or empty" columns want `default: false`.
func ParseBool(s string) (bool, error) {
	t := strings.ToLower(cleanSpace(s))
	if v, ok := boolWords[t]; ok {
		return v, nil
	}
	if t == "" {
		return false, errors.New("the cell is empty; expected ja/nej, yes/no, true/false, 1/0 or x")
	}
	return false, fmt.Errorf("%q is not yes or no; expected ja/nej, yes/no, true/false, 1/0 or x", s)
}

var monthNames = map[string]time.Month{}

func init() {
	sv := []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}
	en := []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	for i := range 12 {
		m := time.Month(i + 1)
		monthNames[sv[i]] = m
		monthNames[en[i]] = m
		monthNames[sv[i][:3]] = m
		monthNames[en[i][:3]] = m
	}
	monthNames["sept"] = time.September
}

// ParseDate reads a calendar date and writes it as YYYY-MM-DD. It accepts
// what the XLSX reader gives ("2026-12-31", "2026-12-31 00:00[:00]", also
// with a T), "2026/12/31", "20261231", day first "31/12/2026",
// "31.12.2026", "31-12-2026", and month names in Swedish or English:
// "31 dec 2026", "31 december 2026", "December 31, 2026". A time part
// is checked and dropped; there is never a time-zone shift.
func ParseDate(s string) (string, error) {
	t := cleanSpace(s)
	bad := func() (string, error) {
		return "", fmt.Errorf("%q is not a date; expected e.g. 2026-12-31 or 31/12/2026", s)
	}
	if t == "" {
		return "", errors.New("the cell is empty; expected a date, e.g. 2026-12-31")
	}
	// Split off a time of day.
	datePart := t
	if i := strings.IndexAny(t, " T"); i > 0 && i >= 8 && isDigit(t[0]) && isDigit(t[i-1]) {
		rest := t[i+1:]
		if !validClock(rest) {
			return bad()
		}
		datePart = t[:i]
	}
	var y, m, d int
	var ok bool
	switch {
	case len(datePart) == 10 && datePart[4] == '-' && datePart[7] == '-' && allDigits(datePart[:4]) && allDigits(datePart[5:7]) && allDigits(datePart[8:]):
		y, m, d, ok = atoi(datePart[:4]), atoi(datePart[5:7]), atoi(datePart[8:]), true
	case len(datePart) == 8 && allDigits(datePart):
		y, m, d = atoi(datePart[:4]), atoi(datePart[4:6]), atoi(datePart[6:])
		ok = true
	default:
		y, m, d, ok = numericDate(datePart)
		if !ok {
			y, m, d, ok = wordDate(datePart)
		}
	}
	if !ok || y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return bad()
	}
	if d > daysIn(time.Month(m), y) {
		return "", fmt.Errorf("%q is not a date: %s %d has no day %d; expected e.g. 2026-12-31", s, time.Month(m), y, d)
	}
	b := []byte("0000-00-00")
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[5], b[6] = byte('0'+m/10), byte('0'+m%10)
	b[8], b[9] = byte('0'+d/10), byte('0'+d%10)
	return string(b), nil
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// validClock accepts HH:MM, HH:MM:SS and HH:MM:SS.fff.
func validClock(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	if len(parts) == 3 {
		if i := strings.IndexByte(parts[2], '.'); i >= 0 {
			if !allDigits(parts[2][i+1:]) {
				return false
			}
			parts[2] = parts[2][:i]
		}
	}
	limits := []int{23, 59, 59}
	for i, p := range parts {
		if len(p) < 1 || len(p) > 2 || !allDigits(p) || atoi(p) > limits[i] {
			return false
		}
	}
	return true
}

// numericDate reads Y-M-D (year first, 4 digits) or D-M-Y (year last),
// with '-', '/' or '.' between the parts.
func numericDate(s string) (y, m, d int, ok bool) {
	sep := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			continue
		}
		if c != '-' && c != '/' && c != '.' {
			return 0, 0, 0, false
		}
		if sep == 0 {
			sep = c
		} else if c != sep {
			return 0, 0, 0, false
		}
	}
	if sep == 0 {
		return 0, 0, 0, false
	}
	parts := strings.Split(strings.TrimSuffix(s, "."), string(sep))
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	for _, p := range parts {
		if p == "" || len(p) > 4 {
			return 0, 0, 0, false
		}
	}
	switch {
	case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), true
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return atoi(parts[2]), atoi(parts[1]), atoi(parts[0]), true
	}
	return 0, 0, 0, false
}

// wordDate reads "31 dec 2026", "31 december 2026", "31. dec. 2026",
// "December 31, 2026" and "dec 31 2026".
func wordDate(s string) (y, m, d int, ok bool) {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == ',' || r == '.' || r == '-' || r == '/'
	})
	if len(f) != 3 {
		return 0, 0, 0, false
	}
	if !allDigits(f[2]) || len(f[2]) != 4 {
		return 0, 0, 0, false
	}
	y = atoi(f[2])
	day, month := f[0], f[1]
	if !allDigits(day) {
		day, month = month, day
	}
	mm, found := monthNames[month]
	if !found || !allDigits(day) || len(day) > 2 {
		return 0, 0, 0, false
	}
	return y, int(mm), atoi(day), true
}

// ParseEmail checks an e-mail address and returns it trimmed, with its
// domain lower-cased. "Anna <anna@x.se>" and "mailto:" are unwrapped;
// two addresses in one cell are refused. The address is checked with
// salesbyte.ValidEmail, the rule the requests are validated with, so an
// address this accepts is never refused as a bad e-mail later.
func ParseEmail(s string) (string, error) {
	t := cleanSpace(s)
	if t == "" {
		return "", errors.New("the cell is empty; expected an e-mail address, e.g. anna@example.se")
	}
	if i := strings.LastIndexByte(t, '<'); i >= 0 && strings.HasSuffix(t, ">") {
		t = strings.TrimSpace(t[i+1 : len(t)-1])
	}
	if len(t) > 7 && strings.EqualFold(t[:7], "mailto:") {
		t = t[7:]
	}
	if strings.Count(t, "@") > 1 && strings.ContainsAny(t, ",; ") {
		return "", fmt.Errorf("%q holds more than one e-mail address; keep one per cell; expected e.g. anna@example.se", s)
	}
	at := strings.LastIndexByte(t, '@')
	if at <= 0 || at == len(t)-1 {
		return "", fmt.Errorf("%q is not an e-mail address; expected e.g. anna@example.se", s)
	}
	addr := t[:at] + "@" + strings.ToLower(t[at+1:])
	if salesbyte.ValidEmail(addr) {
		return addr, nil
	}
	if domain := addr[at+1:]; !salesbyte.ValidEmail("a@" + domain) {
		return "", fmt.Errorf("%q is not an e-mail address: %q is not a domain; expected e.g. anna@example.se", s, domain)
	}
	if len(addr) <= 254 {
		return "", fmt.Errorf("%q is not an e-mail address: the part before @ is not valid; expected e.g. anna@example.se", s)
	}
	return "", fmt.Errorf("%q is not an e-mail address: it is too long; expected e.g. anna@example.se", s)
}

const phoneExpect = "expected e.g. 070-123 45 67 or +46701234567"

// extension markers, longest first; what follows them is dropped.
var extMarkers = []string{"anknytning", "ankn.", "ankn", "ank.", "ext.", "ext", "x"}

// ParsePhone reads a phone number the way people type it in Sweden and
// returns it in E.164: "070-123 45 67", "0701234567", "+46 (0)70 123 45 67",
// "0046 70 123 45 67" and "46701234567" all give "+46701234567"; a foreign
// "+" number is kept in E.164. Spreadsheet artefacts are cleaned first: a
// trailing ".0", E-notation ("4.6701234567E10"), an extension ("ankn. 12",
// dropped). Two numbers in one cell are refused.
func ParsePhone(s string) (string, error) {
	t := cleanSpace(s)
	if t == "" {
		return "", errors.New("the cell is empty; " + phoneExpect)
	}
	bad := func(why string) (string, error) {
		if why != "" {
			why = ": " + why
		}
		return "", fmt.Errorf("%q is not a phone number%s; %s", s, why, phoneExpect)
	}
	if len(t) > 64 {
		return bad("too long")
	}
	lower := asciiLower(t) // same length as t, so indexes agree
	if twoPhones(lower) {
		return "", fmt.Errorf("%q holds two phone numbers; keep one per cell, %s", s, phoneExpect)
	}
	t = dropExtension(t, lower)
	if v, ok := fromSpreadsheetNumber(t); ok {
		t = v
	}
	digits, plus, why, ok := phoneDigits(t)
	if !ok {
		return bad(why)
	}
	if e164, ok := phoneE164(digits, plus); ok {
		return e164, nil
	}
	return bad("")
}

// twoPhones tells whether a cell (in lower case) holds two numbers: a
// separator with enough digits on each side.
func twoPhones(lower string) bool {
	for _, sep := range []string{" eller ", " or ", ",", ";", "/", "|", " och ", " and "} {
		if i := strings.Index(lower, sep); i >= 0 {
			if countDigits(lower[:i]) >= 6 && countDigits(lower[i+len(sep):]) >= 6 {
				return true
			}
		}
	}
	return false
}

// dropExtension cuts an extension ("ankn. 12", "ext 3") off t; lower is t
// in lower case.
func dropExtension(t, lower string) string {
	for _, m := range extMarkers {
		if i := strings.LastIndex(lower, m); i > 0 {
			rest := strings.TrimSpace(lower[i+len(m):])
			if allDigits(rest) && len(rest) <= 6 && countDigits(lower[:i]) >= 6 {
				return strings.TrimRight(strings.TrimSpace(t[:i]), " ,;-")
			}
		}
	}
	return t
}

// phoneDigits keeps the digits of a number written with blanks, dashes,
// dots, slashes and brackets, and drops a national "(0)" after a country
// code. plus tells whether it started with +; letters and a + inside are
// refused, with why when there is more to say.
func phoneDigits(t string) (digits string, plus bool, why string, ok bool) {
	var b strings.Builder
	b.Grow(len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case isDigit(c):
			b.WriteByte(c)
		case c == '+':
			if b.Len() > 0 || plus {
				return "", false, "a + inside the number", false
			}
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')':
		default:
			return "", false, "", false
		}
	}
	digits = b.String()
	if plus || strings.HasPrefix(digits, "00") {
		if i := strings.Index(t, "(0)"); i > 0 {
			if d := countDigits(t[:i]); d <= 5 && d < len(digits) {
				digits = digits[:d] + digits[d+1:]
			}
		}
	}
	if len(digits) < 6 || len(digits) > 17 {
		return "", false, "", false
	}
	return digits, plus, "", true
}

// phoneE164 reads the digits as a Swedish or international number and
// gives it in E.164 when it is a valid number.
func phoneE164(digits string, plus bool) (string, bool) {
	// Fast path: a Swedish mobile number 07[02369]NNNNNNN.
	if !plus && len(digits) == 10 && digits[0] == '0' && digits[1] == '7' && strings.IndexByte("02369", digits[2]) >= 0 {
		return "+46" + digits[1:], true
	}
	var candidates []string
	switch {
	case plus:
		candidates = []string{"+" + digits}
	case strings.HasPrefix(digits, "00"):
		candidates = []string{"+" + digits[2:]}
	case strings.HasPrefix(digits, "46") && len(digits) >= 10:
		// 46701234567: the + was lost. Try that before a national number.
		candidates = []string{"+" + digits, digits}
	default:
		candidates = []string{digits}
	}
	for _, c := range candidates {
		num, err := phonenumbers.Parse(c, "SE")
		if err != nil || !phonenumbers.IsValidNumber(num) {
			continue
		}
		return phonenumbers.Format(num, phonenumbers.E164), true
	}
	return "", false
}

// PhoneDigits gives a phone number as digits only, country code first
// (46701234567), for telling whether two numbers written differently are
// the same: "070-123 45 67", "+46 (0)70 123 45 67" and "0046701234567"
// all give "46701234567". A number ParsePhone reads is its E.164 form
// without the +; anything else is its digits with a leading 0046 or 0
// read as Sweden's 46. It is "" when s has no digits.
func PhoneDigits(s string) string {
	if e164, err := ParsePhone(s); err == nil {
		return e164[1:]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0046"):
		d = "46" + d[4:]
	case strings.HasPrefix(d, "0"):
		d = "46" + d[1:]
	}
	return d
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// fromSpreadsheetNumber undoes what a spreadsheet does to a phone number it
// took for a number: "701234567.0" and "4.6701234567E10" (also with a
// decimal comma). It answers ok only when the result is an exact integer.
func fromSpreadsheetNumber(t string) (string, bool) {
	if i := strings.IndexAny(t, ".,"); i > 0 && allDigits(t[:i]) && strings.Trim(t[i+1:], "0") == "" && len(t) > i+1 {
		return t[:i], true
	}
	e := strings.IndexAny(t, "eE")
	if e <= 0 {
		return "", false
	}
	mant, exp := strings.Replace(t[:e], ",", ".", 1), strings.TrimPrefix(t[e+1:], "+")
	if !allDigits(exp) || len(exp) > 2 {
		return "", false
	}
	for _, c := range mant {
		if !(c == '.' || c >= '0' && c <= '9') {
			return "", false
		}
	}
	r, ok := new(big.Rat).SetString(mant + "e" + exp)
	if !ok || !r.IsInt() || r.Sign() <= 0 {
		return "", false
	}
	return r.Num().String(), true
}
