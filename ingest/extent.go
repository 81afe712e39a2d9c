package ingest

import "math"

// minExtentPoints is how many points the import must have seen before a point
// is judged swapped, and how many at least must lie around a swapped point's
// corrected position.
const minExtentPoints = 10

// swapShare and swapRatio set when a point is taken for one with latitude and
// longitude swapped (see Extent.LooksSwapped): its corrected position must lie
// where at least one in swapShare of the import's points lie (and at least
// minExtentPoints), and its given position either where fewer than one in
// swapShare do, or where at most one in swapRatio as many as around the
// corrected one.
const (
	swapShare = 100
	swapRatio = 10
)

// Extent counts the positions of an import's points by cell of 1° × 1° to
// tell where the points crowd and which are outliers; it decides whether a
// point looks like one with latitude and longitude swapped. The zero value
// is empty. The synthetic generator uses it to know which of its rows an
// import will take for swapped.
type Extent struct {
	n     int
	cells map[degreeCell]int32
}

// degreeCell is the 1° × 1° cell of a position: the floors of its longitude
// and latitude.
type degreeCell struct{ lon, lat int16 }

func cellOfDegrees(lon, lat float64) degreeCell {
	return degreeCell{int16(math.Floor(lon)), int16(math.Floor(lat))}
}

// Add counts a point.
func (x *Extent) Add(lon, lat float64) {
	if x.cells == nil {
		x.cells = map[degreeCell]int32{}
	}
	x.cells[cellOfDegrees(lon, lat)]++
	x.n++
}

// Len returns the number of points counted.
func (x *Extent) Len() int { return x.n }

// Near returns the number of points counted in the 3 × 3 block of cells
// around lon/lat: the points within about one to two degrees.
func (x *Extent) Near(lon, lat float64) int {
	c := cellOfDegrees(lon, lat)
	n := 0
	for dx := int16(-1); dx <= 1; dx++ {
		for dy := int16(-1); dy <= 1; dy++ {
			n += int(x.cells[degreeCell{c.lon + dx, c.lat + dy}])
		}
	}
	return n
}

// crowd returns the number of points around a position above which it is
// not an outlier: one in swapShare of the points, and at least
// minExtentPoints.
func (x *Extent) crowd() int {
	return max(minExtentPoints, (x.n+swapShare-1)/swapShare)
}

// LooksSwapped reports whether the point lon/lat looks like one with its
// latitude and longitude swapped: once the extent holds enough points, the
// swapped position lat/lon is a valid one where the points crowd (at least
// one in swapShare of them, and at least minExtentPoints, within its block of
// cells), while the position as given is an outlier: fewer than one in
// swapShare of the points around it, or at most one in swapRatio as many as
// around the swapped one. Where latitude and longitude are close (Gaziantep
// at 37.07° N, 37.38° E) both positions have the same points around them and
// neither is an outlier of the other; a thinly settled place among few points
// is no outlier either.
func (x *Extent) LooksSwapped(lon, lat float64) bool {
	if x.n < minExtentPoints || !validLonLat(lat, lon) || lon == lat {
		return false
	}
	swapped, crowd := x.Near(lat, lon), x.crowd()
	if swapped < crowd {
		return false
	}
	given := 0
	if validLonLat(lon, lat) {
		given = x.Near(lon, lat)
	}
	return given*swapShare < x.n || given*swapRatio <= swapped
}
