package ingest

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxReportedRejects is how many rejects a Summary lists; all are counted,
// and all are written to Options.Rejects.
const MaxReportedRejects = 100

// Summary reports what an import read and changed.
type Summary struct {
	Dataset string `json:"dataset"`
	// NewDataset is set when the import creates its dataset (or, in a dry
	// run, would create it); Visibility is the dataset's visibility.
	NewDataset bool   `json:"new_dataset"`
	Visibility string `json:"visibility,omitempty"`
	Read       int    `json:"read"`
	Inserted   int    `json:"inserted"`
	Updated    int    `json:"updated"`
	Unchanged  int    `json:"unchanged"`
	Closed     int    `json:"closed"`
	Rejected   int    `json:"rejected"`
	// UnknownSector counts accepted firms without a NACE code.
	UnknownSector int `json:"unknown_sector"`
	// Swapped counts rows rejected because latitude and longitude appear swapped.
	Swapped  int          `json:"swapped,omitempty"`
	Geocoded GeocodeStats `json:"geocoded"`
	// National counts the accepted rows whose NACE code was written in a
	// national version and read as its NACE Rev. 2 class.
	National []NationalCodes `json:"national_codes,omitempty"`
	// Columns says, per source, which column filled which field.
	Columns []SourceColumns `json:"columns"`
	Seconds float64         `json:"seconds"`
	DryRun  bool            `json:"dry_run,omitempty"`
	// Rejects lists the first MaxReportedRejects rejects; RejectsOmitted
	// counts those left out of the list, and RejectsFile, when set, names
	// where all of them are.
	Rejects        []Reject `json:"rejects"`
	RejectsOmitted int      `json:"rejects_omitted"`
	RejectsFile    string   `json:"rejects_file,omitempty"`
}

// NationalCodes counts the rows of one national NACE variant.
type NationalCodes struct {
	Variant     string `json:"variant"`
	Description string `json:"description"`
	Rows        int    `json:"rows"`
	// Example is the first such code with the class it was read as.
	Example      string `json:"example"`
	ExampleClass string `json:"example_class"`
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

// WriteText writes the summary for a person: one line of counts, the columns
// used, the national codes read, the geocoded rows by precision and the
// rejects, with how many were left out of the list and where all of them are.
func (s Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	name := s.Dataset
	if s.NewDataset {
		name = fmt.Sprintf("%s (new dataset, %s)", s.Dataset, s.Visibility)
	} else if s.Visibility != "" {
		name = fmt.Sprintf("%s (%s)", s.Dataset, s.Visibility)
	}
	if s.DryRun {
		fmt.Fprintf(&b, "%s: %d rows read, checked (dry run, nothing written): %d valid; %d rejected; %d without sector; %.1fs\n",
			name, s.Read, s.Read-s.Rejected, s.Rejected, s.UnknownSector, s.Seconds)
	} else {
		fmt.Fprintf(&b, "%s: %d rows read, imported: %d inserted, %d updated, %d unchanged, %d closed; %d rejected; %d without sector; %.1fs\n",
			name, s.Read, s.Inserted, s.Updated, s.Unchanged, s.Closed, s.Rejected, s.UnknownSector, s.Seconds)
	}
	describeColumns(&b, s.Columns)
	for _, n := range s.National {
		fmt.Fprintf(&b, "NACE codes: %d rows have a %s, read as its NACE Rev. 2 class (%s -> %s)\n",
			n.Rows, n.Description, n.Example, n.ExampleClass)
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
	if s.RejectsOmitted > 0 {
		fmt.Fprintf(&b, "... and %d more rejects, not listed here; ", s.RejectsOmitted)
		if s.RejectsFile != "" {
			fmt.Fprintf(&b, "all %d are in %s\n", s.Rejected, s.RejectsFile)
		} else {
			fmt.Fprintf(&b, "write all %d to a file with --rejects FILE\n", s.Rejected)
		}
	} else if s.Rejected > 0 && s.RejectsFile != "" {
		fmt.Fprintf(&b, "the rejected rows are in %s\n", s.RejectsFile)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
