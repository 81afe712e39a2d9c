package postgis

import (
	"math"

	"github.com/paulmach/orb"
)

// Establishments are indexed for bounding-box queries by latitude band and
// longitude (migration 00005): the band of a point is floor(lat * bandsPerDegree)
// as PostgreSQL computes it in double precision, which Go's float64 arithmetic
// reproduces exactly. A box is read as one range of longitudes per band it
// touches (establishment_where.sql).

// bandsPerDegree is the number of latitude bands per degree; it must match
// the index of migration 00005 and establishment_where.sql.
const bandsPerDegree = 100

// maxBands is the most bands a box query lists; a taller box is filtered on
// lon/lat without the band index.
const maxBands = 2000

// boxQuery holds the box parameters of establishment_where.sql; all are nil
// without a box.
type boxQuery struct {
	west, south, east, north *float64
	// inner lists the bands strictly between those of the south and north
	// edges; it and the edge bands are nil for a box of more than maxBands.
	inner                []int32
	southBand, northBand *int32
}

// boxArgs returns the parameters for box b. A box given with its corners
// swapped is put right.
func boxArgs(b *orb.Bound) boxQuery {
	var q boxQuery
	if b == nil {
		return q
	}
	w, e := math.Min(b.Min[0], b.Max[0]), math.Max(b.Min[0], b.Max[0])
	s, n := math.Min(b.Min[1], b.Max[1]), math.Max(b.Min[1], b.Max[1])
	q.west, q.south, q.east, q.north = &w, &s, &e, &n
	lo, hi := math.Floor(s*bandsPerDegree), math.Floor(n*bandsPerDegree)
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || hi-lo >= maxBands {
		return q
	}
	sb, nb := int32(lo), int32(hi)
	q.southBand, q.northBand = &sb, &nb
	q.inner = make([]int32, 0, max(0, nb-sb-1))
	for band := sb + 1; band < nb; band++ {
		q.inner = append(q.inner, band)
	}
	return q
}
