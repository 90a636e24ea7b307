package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sbimport/sbimport/importer"
	"github.com/sbimport/sbimport/mapping"
)

// previewInvalidRows is how many rows --preview invalid shows.
const previewInvalidRows = 5

// parsePreview reads --preview: N (the first N valid rows), invalid (the
// first invalid rows) or invalid:N.
func parsePreview(v string) (n int, kind importer.PreviewKind, err error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return 0, 0, nil
	}
	kind, count := importer.PreviewValid, v
	if rest, ok := strings.CutPrefix(v, "invalid"); ok {
		kind, count = importer.PreviewInvalid, strings.TrimPrefix(rest, ":")
		if count == "" {
			return previewInvalidRows, kind, nil
		}
	}
	n, err = strconv.Atoi(count)
	if err != nil || n < 1 {
		return 0, 0, usageErr("--preview %q: give a number of rows (--preview 3), or invalid (--preview invalid, --preview invalid:10)", v)
	}
	return n, kind, nil
}

// printPreview shows the first rows the import will send (or the first
// invalid ones) as SalesByte will receive them.
func printPreview(ctx context.Context, w io.Writer, o *runOptions, imp *importer.Import) error {
	n, kind, err := parsePreview(o.preview)
	if err != nil || n == 0 {
		return err
	}
	shown, err := imp.Preview(ctx, n, kind)
	if err != nil {
		return err
	}
	input := imp.Plan().Input
	switch {
	case len(shown) == 0 && kind == importer.PreviewInvalid:
		fmt.Fprintf(w, "Preview: no row of %s is invalid.\n\n", input)
		return nil
	case len(shown) == 0:
		fmt.Fprintf(w, "Preview: no row of %s is to be sent.\n\n", input)
		return nil
	case kind == importer.PreviewInvalid:
		fmt.Fprintf(w, "Preview: %s of %s that %s invalid, and why:\n", firstRows(len(shown)), input, plural(len(shown), "is", "are"))
	default:
		fmt.Fprintf(w, "Preview: %s of %s to send, as SalesByte will receive %s (the uuid is added when sending):\n", firstRows(len(shown)), input, plural(len(shown), "it", "them"))
	}
	for _, r := range shown {
		printPreviewRow(w, r)
	}
	fmt.Fprintln(w)
	return nil
}

// previewValueWidth is the widest value the source column is aligned
// after; a longer value pushes only its own line's source along.
const previewValueWidth = 40

func firstRows(n int) string {
	if n == 1 {
		return "the first row"
	}
	return fmt.Sprintf("the first %d rows", n)
}

func printPreviewRow(w io.Writer, r importer.PreviewRow) {
	fmt.Fprintf(w, "\nRow %d\n", r.Line)
	values := make([]string, len(r.Fields))
	pathW, valW := 0, 0
	for i, f := range r.Fields {
		values[i] = valueJSON(f.Value)
		pathW = max(pathW, utf8.RuneCountInString(f.Path))
		if n := utf8.RuneCountInString(values[i]); n <= previewValueWidth {
			valW = max(valW, n)
		}
	}
	for i, f := range r.Fields {
		fmt.Fprintf(w, "  %s  %s  ← %s\n", pad(f.Path, pathW), pad(values[i], valW), sourceWords(f.Source))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  ✗ %s\n", p)
	}
}

// pad fills s with spaces to width runes.
func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// valueJSON writes a value as the request body holds it: "text", 115,
// true, ["a","b"].
func valueJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// sourceWords says where a value came from, in the mapping's terms.
func sourceWords(s mapping.Source) string {
	switch s.Kind {
	case mapping.FromColumn:
		return "column " + s.Column
	case mapping.FromTemplate:
		return s.Column
	case mapping.FromDefault:
		return "default: (" + s.Column + " is empty)"
	case mapping.FromSet:
		return "set:"
	}
	return "the mapping"
}
