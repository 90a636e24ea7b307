// Package demodata makes the demo's example customers: 50 Swedish-looking
// rows, deterministic, with two invalid on purpose and one duplicate.
package demodata

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Mapping is the demo's quote mapping.
const Mapping = `# The demo's mapping: one quote per customer, e-mailed to them.
endpoint: quote
set:
  quote_profile_id: 115
  send_type: email
  signable: true
  workflows_enabled: false
  allow_customer_document_upload: true
fields:
  customer_name: "{Förnamn} {Efternamn}"
  customer_email: E-post
  customer_phone: {column: Mobil, as: phone}
  customer_company: Företag
  signable_until: {column: Giltig till, as: date}
alternatives:
  - title: Grundpaket
    sort_order: 1
    skus: {column: Artiklar, split: ","}
key: E-post
`

var (
	first = []string{"Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Eva", "Johan", "Kerstin", "Per",
		"Ingrid", "Nils", "Birgitta", "Mikael", "Åsa", "Björn", "Sofia", "Göran", "Lena", "Ola"}
	last = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
		"Svensson", "Gustafsson", "Pettersson", "Jönsson", "Lindberg", "Öberg", "Ström", "Hägg", "Åkesson"}
	firms = []string{"Byggteknik i Norrland AB", "Kök & Bad Sverige AB", "Solenergi Väst AB", "", "Fönsterfabriken i Småland AB",
		"Målerifirman Öst HB", "", "Taktäckarna i Skåne AB", "Värmepumpar Nord AB", "Elinstallation Mälardalen AB"}
	towns = []string{"umea", "goteborg", "malmo", "lulea", "vaxjo", "uppsala", "orebro", "kiruna"}
)

func ascii(s string) string {
	return strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "Å", "a", "Ä", "a", "Ö", "o", "é", "e").Replace(strings.ToLower(s))
}

// Sheet renders the demo XLSX.
func Sheet() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sh = "Kunder"
	f.SetSheetName("Sheet1", sh)
	header := []any{"Förnamn", "Efternamn", "E-post", "Mobil", "Företag", "Giltig till", "Artiklar"}
	if err := f.SetSheetRow(sh, "A1", &header); err != nil {
		return nil, err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	f.SetRowStyle(sh, 1, 1, bold)
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	phoneForms := []string{"070-%03d %02d %02d", "+46 70 %03d %02d %02d", "0046 70 %03d %02d %02d", "070%03d%02d%02d"}
	base := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 50; i++ {
		fn, ln := first[i%len(first)], last[(i*7)%len(last)]
		email := fmt.Sprintf("%s.%s%d@%s.example.se", ascii(fn), ascii(ln), i+1, towns[i%len(towns)])
		phone := fmt.Sprintf(phoneForms[i%len(phoneForms)], 100+i*13%900, i%100, (i*37)%100)
		switch i {
		case 17: // invalid on purpose: no domain in the e-mail
			email = "karin.larsson@"
		case 33: // invalid on purpose: not a phone number
			phone = "08-12"
		case 41: // a duplicate of row 6 (same e-mail): sent once
			fn, ln, email = first[4], last[(4*7)%len(last)], fmt.Sprintf("%s.%s%d@%s.example.se", ascii(first[4]), ascii(last[(4*7)%len(last)]), 5, towns[4])
		}
		row := i + 2
		cells := []any{fn, ln, email, phone, firms[i%len(firms)], nil, fmt.Sprintf("%d,%d", 1000+i%5, 2000+i%3)}
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &cells); err != nil {
			return nil, err
		}
		cell := fmt.Sprintf("F%d", row)
		f.SetCellValue(sh, cell, base.AddDate(0, 0, -(i%28)))
		f.SetCellStyle(sh, cell, cell, date)
	}
	f.SetColWidth(sh, "A", "B", 14)
	f.SetColWidth(sh, "C", "C", 38)
	f.SetColWidth(sh, "D", "D", 20)
	f.SetColWidth(sh, "E", "E", 30)
	f.SetColWidth(sh, "F", "G", 14)
	// Fixed document properties, so the file is the same on every run.
	f.SetDocProps(&excelize.DocProperties{Creator: "sbimport demogen", Created: "2026-01-01T00:00:00Z", Modified: "2026-01-01T00:00:00Z"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
