package ingest

import "math"

// minExtentPoints is how many accepted points the extent needs before a point
// is judged swapped.
const minExtentPoints = 10

// Extent is the bounding box of the points an import has accepted so far; it
// decides whether a point looks like one with latitude and longitude
// swapped. The zero value is empty. The synthetic generator uses it to know
// which of its rows an import will take for swapped.
type Extent struct {
	n                              int
	minLon, minLat, maxLon, maxLat float64
}

// Add widens the extent to hold lon/lat.
func (x *Extent) Add(lon, lat float64) {
	if x.n == 0 {
		x.minLon, x.maxLon, x.minLat, x.maxLat = lon, lon, lat, lat
	} else {
		x.minLon, x.maxLon = math.Min(x.minLon, lon), math.Max(x.maxLon, lon)
		x.minLat, x.maxLat = math.Min(x.minLat, lat), math.Max(x.maxLat, lat)
	}
	x.n++
}

// contains reports whether lon/lat lies in the extent.
func (x *Extent) contains(lon, lat float64) bool {
	return x.n > 0 && lon >= x.minLon && lon <= x.maxLon && lat >= x.minLat && lat <= x.maxLat
}

// LooksSwapped reports whether lon/lat lies outside the extent while the
// swapped point lies inside, once the extent holds enough points.
func (x *Extent) LooksSwapped(lon, lat float64) bool {
	return x.n >= minExtentPoints && !x.contains(lon, lat) && x.contains(lat, lon)
}
