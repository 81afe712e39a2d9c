package ingest

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// InteriorPoint returns a point inside mp, not merely inside its bounding box:
// the area centroid when it lies inside, otherwise the middle of the widest
// inside stretch of a horizontal scan line through the centroid (or, failing
// that, through the middle of the largest polygon's box). It returns false
// for an empty geometry.
func InteriorPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	if len(mp) == 0 {
		return orb.Point{}, false
	}
	c, area := planar.CentroidArea(mp)
	if area != 0 && planar.MultiPolygonContains(mp, c) {
		return c, true
	}
	ys := []float64{c[1]}
	var largest orb.Polygon
	best := -1.0
	for _, p := range mp {
		if a := math.Abs(planar.Area(p)); a > best && len(p) > 0 {
			best, largest = a, p
		}
	}
	if largest != nil {
		b := largest.Bound()
		ys = append(ys, (b.Min[1]+b.Max[1])/2, b.Min[1]+(b.Max[1]-b.Min[1])/3, b.Min[1]+2*(b.Max[1]-b.Min[1])/3)
	}
	for _, y := range ys {
		if p, ok := scanLine(mp, y); ok {
			return p, true
		}
	}
	for _, p := range mp {
		if len(p) > 0 && len(p[0]) > 0 {
			return p[0][0], true
		}
	}
	return orb.Point{}, false
}

// scanLine intersects the horizontal line at y with every ring and returns the
// middle of the widest stretch inside (even-odd rule).
func scanLine(mp orb.MultiPolygon, y float64) (orb.Point, bool) {
	var xs []float64
	for _, p := range mp {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				if (a[1] > y) != (b[1] > y) {
					xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
				}
			}
		}
	}
	sort.Float64s(xs)
	best, bestW := orb.Point{}, 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bestW {
			best, bestW = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
		}
	}
	return best, bestW > 0 && planar.MultiPolygonContains(mp, best)
}
