package importer

import (
	"context"
	"io"

	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/sheet"
)

// PreviewKind says which rows Preview shows.
type PreviewKind int

const (
	// PreviewValid: the rows that would be sent, as the API receives them.
	PreviewValid PreviewKind = iota
	// PreviewInvalid: the invalid rows, with their problems.
	PreviewInvalid
)

// PreviewRow is one row as the API will receive it.
type PreviewRow struct {
	Line int // the row's number in the sheet
	// Fields is the request body, value by value with where each came
	// from (see mapping.Mapper.Trace); never the uuid, which is added
	// when sending.
	Fields []mapping.FieldValue
	// Problems says why an invalid row is invalid. A problem of the row
	// itself (a ragged CSV row, an sb_status typed by hand) has only a
	// Message.
	Problems []mapping.Problem
}

// Preview reads the sheet once more and returns its first n rows of the
// kind asked for, decided as Send and Validate decide them: a row already
// created in an earlier run, or a duplicate, is neither valid to send nor
// invalid. It stops reading after the n-th.
func (imp *Import) Preview(ctx context.Context, n int, which PreviewKind) ([]PreviewRow, error) {
	if n <= 0 {
		return nil, nil
	}
	r, err := sheet.Open(imp.src.path, imp.src.opt)
	if err != nil {
		return nil, readErr(err)
	}
	defer r.Close()
	p := imp.learnt.clone()
	cols := imp.src.cols
	var out []PreviewRow
	for len(out) < n {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, readErr(err)
		}
		cells := cols.userCells(row.Cells)
		d := p.decide(row, cells)
		invalid := d.outcome != nil && d.outcome.Status == Invalid
		if (which == PreviewValid && !d.send) || (which == PreviewInvalid && !invalid) {
			continue
		}
		res, fields := imp.mapper.Trace(cells)
		pr := PreviewRow{Line: row.Line, Fields: fields}
		if invalid {
			pr.Problems = rowProblems(row, res, d.outcome)
		}
		out = append(out, pr)
	}
	return out, nil
}

// rowProblems lists why a row is invalid: the row's own problem, the
// mapping's problems, or else what the planner said.
func rowProblems(row sheet.Row, res mapping.Result, o *Outcome) []mapping.Problem {
	var out []mapping.Problem
	if row.Problem != "" {
		out = append(out, mapping.Problem{Message: row.Problem})
	}
	out = append(out, res.Problems...)
	if len(out) == 0 {
		out = append(out, mapping.Problem{Message: o.Error})
	}
	return out
}
