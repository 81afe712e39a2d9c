package ingest

import (
	"fmt"
	"math"
)

// Area is where a CRS may be used: a box in WGS84 degrees and the name the
// EPSG dataset gives it.
type Area struct {
	Name                     string
	West, South, East, North float64
}

// Contains reports whether lon/lat lies in the box (edges included).
func (a Area) Contains(lon, lat float64) bool {
	return lon >= a.West && lon <= a.East && lat >= a.South && lat <= a.North
}

// String describes the box: "France - mainland (42.33°N to 51.14°N, 4.87°W
// to 8.23°E)".
func (a Area) String() string {
	return fmt.Sprintf("%s (%s to %s, %s to %s)", a.Name, latText(a.South), latText(a.North), lonText(a.West), lonText(a.East))
}

func latText(v float64) string {
	if v < 0 {
		return fmt.Sprintf("%g°S", -v)
	}
	return fmt.Sprintf("%g°N", v)
}

func lonText(v float64) string {
	if v < 0 {
		return fmt.Sprintf("%g°W", -v)
	}
	return fmt.Sprintf("%g°E", v)
}

// Margins added to a projected CRS's area of use before a point is rejected
// as outside it: a national grid is used a little beyond its published area
// (border towns, islands, a bounding box cut close), and the zone of a
// transverse Mercator system (UTM, TUREF TM) often serves a whole country
// that reaches beyond the zone, as ETRS89 / UTM zone 32N serves all of
// Germany, which reaches 3° east of the zone. Points farther away are almost
// surely written in another CRS: coordinates of Lambert zone I read as zone
// II land in Algeria, those of Lambert-93 or UTM read as zone II in
// Kazakhstan and beyond.
const (
	areaMargin    = 1.0 // degrees on every side
	zoneLonMargin = 3.0 // degrees east and west of a transverse Mercator zone
)

// areaOf returns the area of use of a projected CRS, widened by the margins
// above, and false for a geographic CRS (which may be used anywhere). The
// boxes are those of the EPSG dataset (version 10.076), whose names they
// carry. For the UTM zones the EPSG box is the zone's band of longitude in
// the countries that adopted it; kume takes the band within the area of the
// datum (WGS 84: the hemisphere to 84°N or 80°S; ETRS89: Europe).
func areaOf(code int) (Area, bool) {
	var a Area
	zone := false
	switch {
	case code == 3857 || code == 900913 || code == 3785:
		return Area{Name: "World - 85°S to 85°N", West: -180, South: -85.06, East: 180, North: 85.06}, true
	case code == 2154:
		a = Area{Name: "France", West: -9.86, South: 41.15, East: 10.38, North: 51.56}
	case code == 27571:
		a = Area{Name: "France - mainland north of 48.15°N", West: -4.87, South: 48.14, East: 8.23, North: 51.14}
	case code == 27572:
		a = Area{Name: "France - mainland 45.45°N to 48.15°N, also all mainland", West: -4.87, South: 42.33, East: 8.23, North: 51.14}
	case code == 27573:
		a = Area{Name: "France - mainland south of 45.45°N", West: -1.79, South: 42.33, East: 7.71, North: 45.46}
	case code == 27574:
		a = Area{Name: "France - Corsica onshore", West: 8.5, South: 41.31, East: 9.63, North: 43.07}
	case code >= 5253 && code <= 5259:
		// TUREF / TM27 ... TM45: three-degree zones within Turkey (34.42°N
		// to 43.45°N, 25.62°E to 44.83°E).
		cm := float64(27 + 3*(code-5253))
		a = Area{Name: fmt.Sprintf("Turkey - %g°E to %g°E", cm-1.5, cm+1.5), West: cm - 1.5, South: 34.42, East: cm + 1.5, North: 43.45}
		zone = true
	case code >= 32601 && code <= 32660:
		w := float64(6*(code-32601) - 180)
		a = Area{Name: fmt.Sprintf("World - N hemisphere - %s to %s", lonText(w), lonText(w+6)), West: w, South: 0, East: w + 6, North: 84}
		zone = true
	case code >= 32701 && code <= 32760:
		w := float64(6*(code-32701) - 180)
		a = Area{Name: fmt.Sprintf("World - S hemisphere - %s to %s", lonText(w), lonText(w+6)), West: w, South: -80, East: w + 6, North: 0}
		zone = true
	case code >= 25828 && code <= 25838:
		w := float64(6*(code-25800) - 186)
		a = Area{Name: fmt.Sprintf("Europe - %s to %s", lonText(w), lonText(w+6)), West: w, South: 32.88, East: w + 6, North: 84.73}
		zone = true
	default:
		return Area{}, false
	}
	lonMargin := areaMargin
	if zone {
		lonMargin = zoneLonMargin
	}
	a.West, a.East = math.Max(-180, a.West-lonMargin), math.Min(180, a.East+lonMargin)
	a.South, a.North = math.Max(-90, a.South-areaMargin), math.Min(90, a.North+areaMargin)
	return a, true
}

// AreaOfUse returns where the CRS may be used (with kume's margins; see
// areaOf), and false for a geographic CRS.
func (c CRS) AreaOfUse() (Area, bool) {
	if c.Geographic() {
		return Area{}, false
	}
	return areaOf(c.Code)
}
