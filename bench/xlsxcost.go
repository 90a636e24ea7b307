package main

import (
	"fmt"
	"slices"
	"time"
)

// xlsxCost runs the same rows from XLSX and from CSV against a zero-latency
// sandbox with no rate limit, in turn (CSV, XLSX, CSV, XLSX, …), and
// compares the medians: the workbook is parsed once and spooled, so a run
// from XLSX should cost little more than one from CSV.
func (b *bench) xlsxCost() (result, error) {
	rows := b.n.memXLSX
	r := result{target: fmt.Sprintf("a run from XLSX costs ≤ 1.3× the same %s rows from CSV (sbimport run wall time, --rate 0)", thousands(rows))}
	csv, err := b.input("csv", rows)
	if err != nil {
		return r, err
	}
	xlsx, err := b.input("xlsx", rows)
	if err != nil {
		return r, err
	}
	sb, err := b.startSandbox()
	if err != nil {
		return r, err
	}
	defer sb.stop()
	const pairs = 3
	var csvWall, xlsxWall []time.Duration
	var xlsxRSS int64
	for range pairs {
		c, err := b.send(csv, sb.url, 0, rows)
		if err != nil {
			return r, err
		}
		csvWall = append(csvWall, c.wall)
		x, err := b.send(xlsx, sb.url, 0, rows)
		if err != nil {
			return r, err
		}
		xlsxWall = append(xlsxWall, x.wall)
		xlsxRSS = max(xlsxRSS, x.maxRSS)
	}
	cm, xm := median(csvWall), median(xlsxWall)
	ratio := xm.Seconds() / cm.Seconds()
	r.figure = fmt.Sprintf("%.2f× (median of %d: XLSX %s, CSV %s; XLSX peak RSS %s)",
		ratio, pairs, xm.Round(100*time.Millisecond), cm.Round(100*time.Millisecond), mb(xlsxRSS))
	r.pass = ratio <= 1.3
	return r, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
