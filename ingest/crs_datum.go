package ingest

import "math"

// ellipsoid is a reference ellipsoid: semi-major axis a (metres) and flattening f.
type ellipsoid struct{ a, f float64 }

func (e ellipsoid) e2() float64 { return e.f * (2 - e.f) }

// grs80wgs84 is the WGS 84 ellipsoid.
func grs80wgs84() ellipsoid { return ellipsoid{6378137, 1 / 298.257223563} }

// grs80ellipsoid is the GRS 1980 ellipsoid (ETRS89, RGF93, TUREF).
func grs80ellipsoid() ellipsoid { return ellipsoid{6378137, 1 / 298.257222101} }

// clarke1880IGN is the Clarke 1880 (IGN) ellipsoid of the French NTF datum.
func clarke1880IGN() ellipsoid { return ellipsoid{6378249.2, 1 / 293.4660212936269} }

// helmert is a three-parameter (geocentric translation) datum shift from a
// local datum to WGS84, in metres.
type helmert struct{ dx, dy, dz float64 }

// toWGS84 shifts geodetic lam/phi (radians, height 0) on ell to WGS84.
func (h *helmert) toWGS84(ell ellipsoid, lam, phi float64) (float64, float64) {
	x, y, z := geocentric(ell, lam, phi)
	return geodetic(grs80wgs84(), x+h.dx, y+h.dy, z+h.dz)
}

// fromWGS84 is the inverse of toWGS84.
func (h *helmert) fromWGS84(ell ellipsoid, lam, phi float64) (float64, float64) {
	x, y, z := geocentric(grs80wgs84(), lam, phi)
	return geodetic(ell, x-h.dx, y-h.dy, z-h.dz)
}

// geocentric converts geodetic coordinates (height 0) to earth-centred X/Y/Z.
func geocentric(ell ellipsoid, lam, phi float64) (x, y, z float64) {
	e2 := ell.e2()
	sp, cp := math.Sincos(phi)
	n := ell.a / math.Sqrt(1-e2*sp*sp)
	return n * cp * math.Cos(lam), n * cp * math.Sin(lam), n * (1 - e2) * sp
}

// geodetic converts earth-centred X/Y/Z to longitude/latitude on ell by fixed
// point iteration (converges to well below a millimetre in a few steps near the
// surface); the ellipsoidal height is dropped.
func geodetic(ell ellipsoid, x, y, z float64) (lam, phi float64) {
	e2 := ell.e2()
	p := math.Hypot(x, y)
	lam = math.Atan2(y, x)
	phi = math.Atan2(z, p*(1-e2))
	for i := 0; i < 10; i++ {
		sp := math.Sin(phi)
		n := ell.a / math.Sqrt(1-e2*sp*sp)
		h := p/math.Cos(phi) - n
		next := math.Atan2(z, p*(1-e2*n/(n+h)))
		if math.Abs(next-phi) < 1e-14 {
			return lam, next
		}
		phi = next
	}
	return lam, phi
}
