package sheet

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path"
	"strconv"
	"strings"
)

// sheetPart finds the zip entry of the worksheet named sheet.
func sheetPart(zr *zip.Reader, sheet string) (*zip.File, error) {
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	parts, err := sheetParts(files)
	if err != nil {
		return nil, err
	}
	return files[parts[sheet]], nil
}

// sheetParts maps each sheet's name to its part's path in the zip, e.g.
// "xl/worksheets/sheet1.xml" or, for a chart sheet, "xl/chartsheets/…".
func sheetParts(files map[string]*zip.File) (map[string]string, error) {
	ids := make(map[string]string) // relationship id → sheet name
	if err := scanXML(files["xl/workbook.xml"], func(t xml.StartElement) {
		if t.Name.Local != "sheet" {
			return
		}
		name, id := attr(t, "name"), attr(t, "id")
		if _, seen := ids[id]; !seen {
			ids[id] = name
		}
	}); err != nil {
		return nil, err
	}
	parts := make(map[string]string, len(ids))
	err := scanXML(files["xl/_rels/workbook.xml.rels"], func(t xml.StartElement) {
		if t.Name.Local != "Relationship" {
			return
		}
		target := attr(t, "Target")
		name, ok := ids[attr(t, "Id")]
		if !ok || target == "" {
			return
		}
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join("xl", target)
		}
		parts[name] = target
	})
	return parts, err
}

// chartSheets names the sheets of a workbook that are charts, not tables.
func chartSheets(file string) map[string]bool {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil
	}
	defer zr.Close()
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	parts, _ := sheetParts(files)
	charts := make(map[string]bool)
	for name, p := range parts {
		if strings.Contains(p, "chartsheets/") {
			charts[name] = true
		}
	}
	return charts
}

// attr is the value of an element's attribute by its local name.
func attr(t xml.StartElement, local string) string {
	v := ""
	for _, a := range t.Attr {
		if a.Name.Local == local {
			v = a.Value // the last counts, as in excelize
		}
	}
	return v
}

func scanXML(f *zip.File, fn func(xml.StartElement)) error {
	if f == nil {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok {
			fn(t)
		}
	}
}

// splitRef splits a cell reference like "AB12" into a 0-based column and a
// row number.
func splitRef(ref string) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil {
		return 0, 0, false
	}
	return col - 1, row, true
}
