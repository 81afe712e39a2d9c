// Package ingest reads firm registers and institution lists (CSV, GeoJSON,
// newline-delimited GeoJSON), maps their columns to establishment fields,
// validates every row with a reason for each rejection, reprojects national
// grids to WGS84, geocodes rows without coordinates and imports the result into
// a kume store in one transaction. The same Run serves the command line and an
// HTTP upload.
//
// # Fields
//
// A source column is mapped to one of the fixed field names id, name, kind,
// type, nace, lat, lon, geometry (WKT or EWKT), employees, founded, closed,
// street, postcode, district, province, country. Well-known header names are
// recognised without configuration (see KnownColumns); others are mapped with
// a Mapping. Every unmapped column is kept in Establishment.Attrs under its
// header name.
//
// # Limits
//
// Limits caps what one row may hold: a record (a CSV record, a GeoJSON
// feature or NDJSON line) of at most 1 MiB, at most 1,000 fields, a field of at
// most 8 KiB, JSON nested at most 32 levels deep, and a gzip stream that
// expands at most 200-fold beyond its first 16 MiB. A longer record is rejected
// and skipped without being read into memory.
//
// # Swapped coordinates
//
// A point is "apparently swapped" when swapping latitude and longitude moves it
// inside the extent (bounding box) of the other accepted points of the import
// while the point as given lies outside it, or is not a valid position at all.
// The decision needs the extent, so such candidates are held back (at most
// Limits.MaxPending rows, decided early with the extent known so far when the
// buffer is full) and decided after the last row. At least 10 accepted points
// are needed before any point is judged swapped. Far outliers widen the extent
// and so can hide a swap, never invent one: the test errs on the side of
// keeping a row as given.
package ingest

import (
	"fmt"
)

// Limits bound what one import may hold in memory. DefaultLimits documents
// the defaults.
type Limits struct {
	MaxRecordBytes int   // one CSV record, GeoJSON feature or NDJSON line
	MaxFields      int   // fields of one CSV record or properties of one feature
	MaxFieldBytes  int   // one value
	MaxDepth       int   // nesting of JSON arrays and objects
	GzipRatio      int64 // decompressed:compressed bytes allowed beyond GzipFree
	GzipFree       int64 // decompressed bytes always allowed
	MaxPending     int   // rows held back for the swapped-coordinates decision
}

// DefaultLimits returns the limits used when Options.Limits is zero.
func DefaultLimits() Limits {
	return Limits{
		MaxRecordBytes: 1 << 20,
		MaxFields:      1000,
		MaxFieldBytes:  8 << 10,
		MaxDepth:       32,
		GzipRatio:      200,
		GzipFree:       16 << 20,
		MaxPending:     10000,
	}
}

// RowError is a problem with one row: its line (CSV, NDJSON) or feature number
// (GeoJSON FeatureCollection), the column or property concerned and why.
type RowError struct {
	Line   int
	Column string
	Reason string
}

// Error implements error.
func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d: column %q: %s", e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// Reject is a rejected row as reported in a Summary.
type Reject struct {
	Source string `json:"source"`
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// String formats the reject for a log line: "file.csv:12: column "lat": reason".
func (r Reject) String() string {
	if r.Column != "" {
		return fmt.Sprintf("%s:%d: column %q: %s", r.Source, r.Line, r.Column, r.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", r.Source, r.Line, r.Reason)
}
