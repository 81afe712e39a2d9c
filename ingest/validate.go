package ingest

import (
	"fmt"

	"github.com/kume-geo/kume"
)

// pendingRow is a row held back for the swapped-coordinates decision.
type pendingRow struct {
	e       kume.Establishment
	cell    indexed // e's H3 cell, when already computed
	invalid bool    // out of range as given
	source  string
	line    int
	header  []string
	values  []string
	latCol  string
}

// swapCandidate reports whether a geographic point should wait for the
// swapped-coordinates decision: invalid as given but valid swapped, or outside
// the extent while swapped it is inside.
func (x *Extent) swapCandidate(lon, lat float64, invalid bool) bool {
	if !validLonLat(lat, lon) {
		return false
	}
	if invalid {
		return true
	}
	return x.LooksSwapped(lon, lat)
}

// decide returns the reason to reject a held-back row, or "" to accept it.
func (x *Extent) decide(p *pendingRow) (reason string, swapped bool) {
	e := &p.e
	if x.n >= minExtentPoints && x.contains(e.Lat, e.Lon) && (p.invalid || !x.contains(e.Lon, e.Lat)) {
		return fmt.Sprintf("latitude and longitude appear swapped (lat=%g, lon=%g; swapped, the point lies among the other points)", e.Lat, e.Lon), true
	}
	if p.invalid {
		return rangeReason(e.Lon, e.Lat), false
	}
	return "", false
}

// rangeReason explains why lon/lat is not a position.
func rangeReason(lon, lat float64) string {
	if lat < -90 || lat > 90 {
		return fmt.Sprintf("latitude %g outside -90..90", lat)
	}
	return fmt.Sprintf("longitude %g outside -180..180", lon)
}
