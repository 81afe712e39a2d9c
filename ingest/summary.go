package ingest

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxReportedRejects is how many rejects a Summary lists; all are counted.
const MaxReportedRejects = 100

// Summary reports what an import read and changed.
type Summary struct {
	Dataset   string `json:"dataset"`
	Read      int    `json:"read"`
	Inserted  int    `json:"inserted"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Closed    int    `json:"closed"`
	Rejected  int    `json:"rejected"`
	// UnknownSector counts accepted firms without a NACE code.
	UnknownSector int `json:"unknown_sector"`
	// Swapped counts rows rejected because latitude and longitude appear swapped.
	Swapped  int          `json:"swapped,omitempty"`
	Geocoded GeocodeStats `json:"geocoded"`
	Seconds  float64      `json:"seconds"`
	DryRun   bool         `json:"dry_run,omitempty"`
	// Rejects lists the first MaxReportedRejects rejects.
	Rejects []Reject `json:"rejects,omitempty"`
}

// GeocodeStats counts geocoded rows by precision.
type GeocodeStats struct {
	ByPrecision map[string]int `json:"by_precision"`
}

// Total returns the number of geocoded rows.
func (g GeocodeStats) Total() int {
	n := 0
	for _, v := range g.ByPrecision {
		n += v
	}
	return n
}

// WriteText writes the summary for a person: one line of counts, the geocoded
// rows by precision and the first rejects.
func (s Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	if s.DryRun {
		fmt.Fprintf(&b, "%s: %d rows read, checked (dry run, nothing written): %d valid; %d rejected; %d without sector; %.1fs\n",
			s.Dataset, s.Read, s.Read-s.Rejected, s.Rejected, s.UnknownSector, s.Seconds)
	} else {
		fmt.Fprintf(&b, "%s: %d rows read, imported: %d inserted, %d updated, %d unchanged, %d closed; %d rejected; %d without sector; %.1fs\n",
			s.Dataset, s.Read, s.Inserted, s.Updated, s.Unchanged, s.Closed, s.Rejected, s.UnknownSector, s.Seconds)
	}
	if n := s.Geocoded.Total(); n > 0 {
		keys := make([]string, 0, len(s.Geocoded.ByPrecision))
		for k := range s.Geocoded.ByPrecision {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%d %s", s.Geocoded.ByPrecision[k], k)
		}
		fmt.Fprintf(&b, "geocoded %d rows: %s\n", n, strings.Join(parts, ", "))
	}
	for _, r := range s.Rejects {
		fmt.Fprintf(&b, "rejected %s\n", r)
	}
	if s.Rejected > len(s.Rejects) {
		fmt.Fprintf(&b, "... and %d more rejects\n", s.Rejected-len(s.Rejects))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
