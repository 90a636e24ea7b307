package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
)

// TestFieldsQuote: every quote field is listed with its type and whether
// it is required, send_type with its only values, and each line fits 100
// columns.
func TestFieldsQuote(t *testing.T) {
	c := &cli{t: t, env: map[string]string{}}
	code, out, stderr := c.run("fields", "--endpoint", "quote")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, f := range salesbyte.Fields(salesbyte.Quote) {
		if !regexp.MustCompile(`(?m)^` + f.Name + ` +` + regexp.QuoteMeta(f.Kind.String()) + `  `).MatchString(out) {
			t.Errorf("no row for %s (%s):\n%s", f.Name, f.Kind, out)
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^send_type +text +yes\n +how .*\n +values: email, sms, dual, auto, none$`),
		regexp.MustCompile(`(?m)^customer_name +text +yes$`),
		regexp.MustCompile(`(?m)^customer_email +e-mail +if send_type is email or dual$`),
		regexp.MustCompile(`(?m)^customer_phone +phone +if send_type is sms or dual$`),
		regexp.MustCompile(`(?m)^customer_company +text +no$`),
		regexp.MustCompile(`(?m)^signable +boolean +yes\n.*\n +values: true, false$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("output does not match %s:\n%s", want, out)
		}
	}
	checkWidth(t, out)
	if strings.Contains(out, "uuid") {
		t.Errorf("uuid is not a mapping field, yet it is listed:\n%s", out)
	}
}

// TestFieldsColumnsAligned: the TYPE column starts at the same place on
// every row of every endpoint.
func TestFieldsColumnsAligned(t *testing.T) {
	c := &cli{t: t, env: map[string]string{}}
	for _, e := range salesbyte.Endpoints {
		_, out, _ := c.run("fields", "--endpoint", string(e))
		col := -1
		for _, line := range strings.Split(out, "\n") {
			if line == "" || strings.HasPrefix(line, " ") || strings.HasPrefix(line, string(e)+":") {
				continue
			}
			m := regexp.MustCompile(`^\S+ +`).FindString(line)
			if col == -1 {
				col = len(m)
			} else if len(m) != col {
				t.Errorf("%s: row %q: TYPE at column %d, header at %d", e, line, len(m), col)
			}
		}
		checkWidth(t, out)
	}
}

// TestFieldsOverview: without --endpoint, when to use which endpoint and
// every endpoint's fields, required ones apart.
func TestFieldsOverview(t *testing.T) {
	c := &cli{t: t, env: map[string]string{}}
	code, out, stderr := c.run("fields")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"Use quote for", "Use template when", "Use lead for",
		"quote: a quote with its own products (POST /integrations/create_quote)",
		"required: quote_template_id, customer_name, trigger_created_messages_to_customer\n",
		"customer_email (if send_type is email or dual)"} {
		if !strings.Contains(out, want) {
			t.Errorf("overview lacks %q:\n%s", want, out)
		}
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, e := range salesbyte.Endpoints {
		for _, name := range salesbyte.FieldNames(e) {
			if !regexp.MustCompile(`\b` + name + `\b`).MatchString(flat) {
				t.Errorf("overview does not name %s's %s", e, name)
			}
		}
	}
	checkWidth(t, out)
}

func TestFieldsJSON(t *testing.T) {
	c := &cli{t: t, env: map[string]string{}}
	code, out, stderr := c.run("fields", "--endpoint", "Quote", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var ep jsonEndpoint
	if err := json.Unmarshal([]byte(out), &ep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if ep.Endpoint != "quote" || len(ep.Fields) != len(salesbyte.Fields(salesbyte.Quote)) {
		t.Fatalf("got %s with %d fields", ep.Endpoint, len(ep.Fields))
	}
	byName := map[string]jsonField{}
	for _, f := range ep.Fields {
		byName[f.Name] = f
		if f.About == "" || f.Type == "" {
			t.Errorf("%s: type %q, about %q", f.Name, f.Type, f.About)
		}
	}
	if st := byName["send_type"]; !st.Required || strings.Join(st.Allowed, ",") != "email,sms,dual,auto,none" {
		t.Errorf("send_type: %+v", st)
	}
	if ce := byName["customer_email"]; ce.Required || ce.RequiredIf != "send_type is email or dual" {
		t.Errorf("customer_email: %+v", ce)
	}
	_, out, _ = c.run("fields", "--json")
	var all []jsonEndpoint
	if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != 3 {
		t.Fatalf("fields --json: %v, %d endpoints\n%s", err, len(all), out)
	}
}

func TestFieldsUnknownEndpoint(t *testing.T) {
	c := &cli{t: t, env: map[string]string{}}
	code, out, stderr := c.run("fields", "--endpoint", "quotes")
	if code != 2 || out != "" || !strings.Contains(stderr, `did you mean "quote"`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

func checkWidth(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > fieldsWidth {
			t.Errorf("line of %d characters, over %d: %q", n, fieldsWidth, line)
		}
	}
}
