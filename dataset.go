package kume

import "time"

// Visibility says who may see a dataset's establishments.
type Visibility string

// Dataset visibilities. Private datasets never appear in public tiles, exports,
// OGC items or rankings; their establishments still count in aggregates that pass
// disclosure control only when the caller may see them.
const (
	Public  Visibility = "public"
	Private Visibility = "private"
)

// DefaultVisibility is the visibility of a dataset created without one, by
// "kume import", the HTTP API or a store: private, so that nothing is
// published before its owner says so.
const DefaultVisibility = Private

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == Public || v == Private }

// Dataset is a named collection of establishments from one source.
type Dataset struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"` // unique
	Source      string     `json:"source,omitempty"`
	Licence     string     `json:"licence,omitempty"`
	Attribution string     `json:"attribution,omitempty"`
	Visibility  Visibility `json:"visibility"`
	ImportedAt  time.Time  `json:"imported_at"` // time of the last committed import; zero before
	Count       int        `json:"count"`       // establishments in the dataset (open and closed)
}
