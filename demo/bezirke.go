package demo

import (
	"fmt"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
)

// BezirkLevel is the region level of Berlin's 12 districts (Bezirke). The
// analysis matches the businesses to them by their Bezirk attribute (see
// RegionAttrs); the polygons give the districts a boundary on the map, an
// extent to fly to and a name.
const BezirkLevel = "bezirk"

// bezirke reads Berlin's 12 districts (Geoportal Berlin, ALKIS Berlin
// Bezirke), coded by their official key (Schluessel_gesamt, "11000001" for
// Mitte) and named as the businesses' Bezirk attribute names them.
func bezirke() ([]kume.Region, error) {
	rc, err := open("data/berlin-bezirke.geojson.gz")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	regions, err := ingest.ReadRegions(rc, ingest.RegionOptions{Level: BezirkLevel,
		NameField: "Gemeinde_name", CodeField: "Schluessel_gesamt"})
	if err != nil {
		return nil, fmt.Errorf("demo: Bezirke: %w", err)
	}
	return regions, nil
}
