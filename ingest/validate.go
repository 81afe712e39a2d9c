package ingest

import (
	"fmt"
	"math"

	"github.com/kume-geo/kume"
)

// minExtentPoints is how many accepted points the extent needs before a point
// is judged swapped.
const minExtentPoints = 10

// extent is the bounding box of the accepted points so far.
type extent struct {
	n                              int
	minLon, minLat, maxLon, maxLat float64
}

func (x *extent) add(lon, lat float64) {
	if x.n == 0 {
		x.minLon, x.maxLon, x.minLat, x.maxLat = lon, lon, lat, lat
	} else {
		x.minLon, x.maxLon = math.Min(x.minLon, lon), math.Max(x.maxLon, lon)
		x.minLat, x.maxLat = math.Min(x.minLat, lat), math.Max(x.maxLat, lat)
	}
	x.n++
}

func (x *extent) contains(lon, lat float64) bool {
	return x.n > 0 && lon >= x.minLon && lon <= x.maxLon && lat >= x.minLat && lat <= x.maxLat
}

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
func (x *extent) swapCandidate(lon, lat float64, invalid bool) bool {
	if !validLonLat(lat, lon) {
		return false
	}
	if invalid {
		return true
	}
	return x.n >= minExtentPoints && !x.contains(lon, lat) && x.contains(lat, lon)
}

// decide returns the reason to reject a held-back row, or "" to accept it.
func (x *extent) decide(p *pendingRow) (reason string, swapped bool) {
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
