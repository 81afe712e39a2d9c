package layer

import (
	"math"

	"github.com/paulmach/orb"
)

// EdgeKm returns the average edge length of an H3 cell of resolution res in
// km (H3's published table; res is clamped to 0..15). A cell's vertices lie
// within about one edge of its centre.
func EdgeKm(res int) float64 {
	e := [...]float64{1107.7, 418.7, 158.2, 59.8, 22.6, 8.54, 3.23, 1.22, 0.461,
		0.174, 0.0659, 0.0249, 0.0094, 0.00355, 0.00134, 0.000509}
	return e[max(0, min(res, len(e)-1))]
}

// kmPerDegree is the length of a degree of latitude (and of longitude at the
// equator) in km, as the box rule rounds it.
const kmPerDegree = 111.0

// GrowBox grows box b by two edges of a cell of resolution res on every side,
// in degrees of latitude and, at the box's latitude farthest from the equator
// (capped at 85°), of longitude: every cell of res that reaches into b has its
// centre in the grown box, and every cell of res whose centre lies in b
// descends from a cell of res whose centre lies in it. Latitudes are clamped
// to ±maxLat; longitudes are not clamped, so that a caller sees a box that
// crosses the antimeridian.
func GrowBox(b orb.Bound, res int, maxLat float64) orb.Bound {
	dLat := 2 * EdgeKm(res) / kmPerDegree
	lat := math.Min(85, math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+dLat)
	dLon := dLat / math.Cos(lat*math.Pi/180)
	return orb.Bound{
		Min: orb.Point{b.Min[0] - dLon, math.Max(-maxLat, b.Min[1]-dLat)},
		Max: orb.Point{b.Max[0] + dLon, math.Min(maxLat, b.Max[1]+dLat)},
	}
}
