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
// # Checks beyond the format
//
// A row is rejected, with its reason, when its coordinates are 0, 0 (a
// placeholder, not a place), when it was founded after the import's date,
// when its NACE code is none of NACE Rev. 2 or of a national version (French
// NAF, five-digit NACE-BEL, Turkish six-digit codes, read as their class and
// counted in the summary), and when projected coordinates fall outside their
// CRS's area of use (see CRS.AreaOfUse): such rows are almost always in
// another CRS.
//
// # Swapped coordinates
//
// A point is "apparently swapped" when its position as given is an outlier
// and the swapped one is not: around the swapped position (within the 3 × 3
// block of 1° cells) lie at least one in a hundred of the import's points,
// and at least 10, while around the given one lie fewer than one in a
// hundred, or at most a tenth as many as around the swapped one (see
// Extent.LooksSwapped). Where latitude and
// longitude are close (Gaziantep, 37.07° N 37.38° E), both positions have
// the same points around them, and no row is taken for swapped. The decision
// needs the points that follow, so rows wait for it (at most
// Limits.MaxPending of them, decided early with the points known so far when
// the buffer is full).
//
// A file whose columns are swapped as a whole is consistent with itself; it
// is told by the regions loaded in the store (Options.Areas): when at least
// 80% of its points lie within them swapped and at most 20% as given, the
// import fails, naming the columns to map the other way.
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
