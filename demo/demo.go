// Package demo loads kume's bundled demo data — real public data shipped in
// the binary — into a store: Türkiye's 81 provinces and Berlin's 12 districts
// (Bezirke) as regions, the Berlin
// businesses registered and deregistered from April to July 2023 (IHK Berlin,
// CC0) as firms, and Türkiye's 205 universities as supporting institutions
// placed at their province. Sources and licences are listed in docs/DATA.md.
package demo

import (
	"compress/gzip"
	"context"
	"embed"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/nace"
)

//go:embed data
var files embed.FS

// Dataset names of the demo.
const (
	BerlinDataset       = "berlin-ihk-2023"
	UniversitiesDataset = "tr-universities"
	ProvinceLevel       = "province"
)

// RegionAttrs returns the analysis's attribute regions for the demo: every
// business names its Berlin district (Bezirk), so region statistics by
// district come from the attribute; the district polygons (level BezirkLevel,
// matched by name) give those statistics a boundary on the map.
func RegionAttrs() map[string]string { return map[string]string{"bezirk": "Bezirk"} }

// Summary counts what Load wrote.
type Summary struct {
	Regions      int              `json:"regions"`
	Imports      []ingest.Summary `json:"imports"`
	Institutions int              `json:"institutions"`
}

// Load writes the demo into st. It is meant for an empty store; on a store
// that already holds the demo it changes nothing (imports are idempotent).
func Load(ctx context.Context, st kume.Store, tax *nace.Taxonomy) (Summary, error) {
	var sum Summary
	regions, err := provinces()
	if err != nil {
		return sum, err
	}
	districts, err := bezirke()
	if err != nil {
		return sum, err
	}
	if err := st.PutRegions(ctx, append(append([]kume.Region{}, regions...), districts...)); err != nil {
		return sum, fmt.Errorf("demo: regions: %w", err)
	}
	sum.Regions = len(regions) + len(districts)
	imports, err := loadBerlin(ctx, st, tax)
	sum.Imports = imports
	if err != nil {
		return sum, err
	}
	u, err := loadUniversities(ctx, st, tax, ingest.NewGazetteer(regions))
	if err != nil {
		return sum, err
	}
	sum.Imports = append(sum.Imports, u)
	sum.Institutions = u.Inserted + u.Updated + u.Unchanged
	return sum, nil
}

// berlinFile is one monthly extract of the Berlin register.
type berlinFile struct {
	name   string
	closed *time.Time // set for the deregistration files: the month's last day
}

// berlinFiles lists the extracts in the order they happened, so that a
// business registered in April and deregistered in June ends closed.
func berlinFiles() []berlinFile {
	months := []struct {
		n     time.Month
		label string
	}{{time.April, "04_april"}, {time.May, "05_may"}, {time.June, "06_june"}, {time.July, "07_july"}}
	var out []berlinFile
	for _, m := range months {
		last := time.Date(2023, m.n+1, 0, 0, 0, 0, 0, time.UTC)
		out = append(out,
			berlinFile{name: "de_ihk_berlin_2023_" + m.label + "_added.csv.gz"},
			berlinFile{name: "de_ihk_berlin_2023_" + m.label + "_deleted.csv.gz", closed: &last})
	}
	return out
}

// loadBerlin imports the Berlin extracts, one import each. A deregistration
// file's month gives its businesses their closing date; no founding date is
// derived. The register gives a business's age in whole years only
// (business_age, kept as an attribute), and the extracts are a flow — the
// businesses registered or deregistered in four months — not the stock of
// Berlin's businesses: founding years (or the month of registration of the
// youngest) would make every growth, dynamism and emerging-pattern statement
// count that selection as if it were the city's businesses over the years
// (four months of entries and exits read as "a net change of −9.5% over the
// last 5 years"). docs/DATA.md says so, and the emerging view and trends say
// which dates are missing.
func loadBerlin(ctx context.Context, st kume.Store, tax *nace.Taxonomy) ([]ingest.Summary, error) {
	var out []ingest.Summary
	for _, f := range berlinFiles() {
		rc, err := open(path.Join("data/berlin-ihk-2023", f.name))
		if err != nil {
			return out, err
		}
		// The reader is already decompressed: name the source without ".gz".
		name := strings.TrimSuffix(f.name, ".gz")
		s, err := ingest.Run(ctx, st, []ingest.Source{{Name: name, Reader: rc}}, ingest.Options{
			Dataset: BerlinDataset,
			NewDataset: kume.Dataset{
				Name: BerlinDataset,
				Source: "IHK Berlin open business register extracts, April–July 2023 (raphael-arce/IHKBerlin_Gewerbedaten): " +
					"the businesses registered or deregistered in those months, not the whole register; no founding dates " +
					"(business_age, whole years, is kept as an attribute); closing dates are the months of deregistration",
				Licence:     "CC0-1.0",
				Attribution: "IHK Berlin Gewerbedaten, CC0",
				Visibility:  kume.Public,
			},
			Kind:     kume.KindFirm,
			OnError:  ingest.Skip,
			ClosedAt: f.closed,
			NACE:     tax,
		}, nil)
		rc.Close()
		out = append(out, s)
		if err != nil {
			return out, fmt.Errorf("demo: %s: %w", name, err)
		}
	}
	return out, nil
}

// open returns the decompressed content of an embedded file.
func open(name string) (io.ReadCloser, error) {
	f, err := files.Open(name)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("demo: %s: %w", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}
