// Package mapping reads the YAML mapping file and turns sheet rows into
// request payloads for one SalesByte endpoint, listing every problem.
//
// The format (the README's "Mapping file" section shows it by endpoint):
//
//	endpoint: quote                  # lead | quote | template
//	sheet: Kunder                    # optional: the workbook sheet (a --sheet flag wins)
//	header_row: 3                    # optional: the row holding the column names, from 1 (a --header-row flag wins)
//	campaign: vinter-2026            # optional: the campaign the rows belong to
//	set:                             # constants, typed by the field's kind
//	  quote_profile_id: 115          # an integer field wants 115, not "115"
//	  signable: true                 # a bool field wants true/false, not "yes"
//	fields:                          # field: source
//	  customer_email: E-post         # a column header
//	  customer_name: "{Förnamn} {Efternamn}"   # a text with {Column} placeholders ({{ }} for braces)
//	  customer_phone: {column: Mobil, as: phone}
//	alternatives:                    # quote only
//	  - title: Grundpaket            # here a plain value is a constant
//	    sort_order: 1                # defaults to the item's position
//	    skus: {column: Artiklar, split: ","}
//	    when: Artiklar               # include the item only when the column has a value
//	custom_fields:                   # quote only: name → source (+ required, editable_by_contact, hide_from_contact)
//	  bank_name: {column: Bank, hide_from_contact: true}
//	customer_fields:                 # template only: name → source
//	  personnummer: Personnummer
//	key: E-post                      # a column or {placeholder} text
//
// The object form of a source is {column | template | value, as, split,
// default, map, when}. In fields:, custom_fields: and customer_fields: a
// plain scalar is a column header (or a template when it holds {…}); in
// alternatives: it is a constant (or a template).
//
// Types (as:): text (default; trimmed), int, number, bool, date, email,
// phone, list. A field's API kind picks the default: a phone field
// normalises phones, a date field dates, and so on, so
// `customer_phone: Mobil` needs no as:. split: alone implies as: list.
//
// Per row: an empty cell leaves the field out (never ""), unless default:
// gives a value. default: is the cell's text when the cell is empty; with
// map: it is looked up too, and used as it is when it is not a map: key.
// map: {Guld: 7} replaces a cell value (case, spaces and diacritics
// ignored) before conversion; a value not in map: is a problem. when: Col
// leaves the value (or alternative) out on rows where Col is empty. A bool
// cell must say yes or no (true/false, ja/nej, yes/no, j/n, y/n,
// sant/falskt, 1/0, x, ✓; see ParseBool): an empty cell is not "no", since the field is then
// left out and the server's default applies; a column of x-or-empty
// ticks wants `default: false`.
//
// What can be checked before any row is checked when the file is read,
// with salesbyte's rules: a set: value, and the constant, map: values and
// default: of a fields: source. `send_type: mail` on a quote is a mapping
// problem naming email, not an invalid row each time.
//
// Keys: the key: source's text, trimmed and lower-cased; when the mapping
// has no key: or the row's key cell is empty, the mapped customer_email,
// else customer_phone, else the canonical JSON of the whole body.
//
// Column names are matched exactly (after trimming), or case-insensitively
// when only one header matches so.
package mapping
