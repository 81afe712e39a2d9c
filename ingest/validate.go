package ingest

import (
	"fmt"

	"github.com/kume-geo/kume"
)

// pendingRow is a row held back for the swapped-coordinates decision.
type pendingRow struct {
	e       kume.Establishment
	cell    indexed    // e's H3 cell, when already computed
	invalid bool       // out of range as given
	file    *fileCheck // the source's, when Options.Areas is set
	source  string
	line    int
	header  []string
	values  []string
	latCol  string
	nat     natCode
}

// swapCandidate reports whether a geographic point must wait for the
// swapped-coordinates decision: its swapped position is a valid one, and
// another than its own. The decision needs the points after it too, so every
// such row waits (at most Limits.MaxPending of them; see runner.hold).
func swapCandidate(lon, lat float64) bool {
	return validLonLat(lat, lon) && lon != lat
}

// decide returns the reason to reject a held-back row, or "" to accept it.
func (x *Extent) decide(p *pendingRow) (reason string, swapped bool) {
	e := &p.e
	if x.LooksSwapped(e.Lon, e.Lat) {
		return fmt.Sprintf("latitude and longitude appear swapped (lat=%g, lon=%g; swapped, the point lies where %d of the import's %d points lie, as given where %d do)",
			e.Lat, e.Lon, x.Near(e.Lat, e.Lon), x.n, x.nearGiven(e.Lon, e.Lat)), true
	}
	if p.invalid {
		return rangeReason(e.Lon, e.Lat), false
	}
	return "", false
}

// nearGiven is Near for a position that may be invalid (then 0).
func (x *Extent) nearGiven(lon, lat float64) int {
	if !validLonLat(lon, lat) {
		return 0
	}
	return x.Near(lon, lat)
}

// rangeReason explains why lon/lat is not a position.
func rangeReason(lon, lat float64) string {
	if lat < -90 || lat > 90 {
		return fmt.Sprintf("latitude %g outside -90..90", lat)
	}
	return fmt.Sprintf("longitude %g outside -180..180", lon)
}
