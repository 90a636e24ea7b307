// Package mapping reads the YAML mapping file and turns sheet rows into
// request payloads for one SalesByte endpoint, listing every problem.
package mapping
