package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CRS is a coordinate reference system that ingest can convert to WGS84
// longitude/latitude. Only the systems listed in ParseCRS are known; the
// conversions are plain Go (no PROJ).
type CRS struct {
	// Code is the EPSG code (4326 for WGS84 longitude/latitude).
	Code int
	// Name is a short human-readable name, e.g. "RGF93 / Lambert-93".
	Name string

	proj  projection // nil for geographic systems
	datum *helmert   // nil when the datum is WGS84 within a metre
	ell   ellipsoid  // the ellipsoid of the system's datum
	pm    float64    // prime meridian east of Greenwich, degrees
}

// projection converts between geodetic coordinates on its ellipsoid (radians,
// longitude relative to the projection's prime meridian) and projected metres.
type projection interface {
	forward(lam, phi float64) (x, y float64)
	inverse(x, y float64) (lam, phi float64)
}

// WGS84 is the CRS of longitude/latitude on WGS84 (EPSG:4326, axis order lon/lat
// as in GeoJSON and WKT).
func WGS84() CRS { return CRS{Code: 4326, Name: "WGS 84", ell: grs80wgs84()} }

// Geographic reports whether the CRS has degrees (longitude/latitude) rather than
// projected metres.
func (c CRS) Geographic() bool { return c.proj == nil }

// String returns "EPSG:N".
func (c CRS) String() string { return "EPSG:" + strconv.Itoa(c.Code) }

// ToWGS84 converts x/y (easting/northing in metres, or longitude/latitude in
// degrees for a geographic CRS) to WGS84 longitude/latitude in degrees.
func (c CRS) ToWGS84(x, y float64) (lon, lat float64) {
	if c.proj == nil && c.datum == nil {
		return x, y
	}
	lam, phi := x*deg, y*deg
	if c.proj != nil {
		lam, phi = c.proj.inverse(x, y)
	}
	lam += c.pm * deg
	if c.datum != nil {
		lam, phi = c.datum.toWGS84(c.ell, lam, phi)
	}
	return normLon(lam / deg), phi / deg
}

// FromWGS84 converts WGS84 longitude/latitude in degrees to the CRS's x/y.
func (c CRS) FromWGS84(lon, lat float64) (x, y float64) {
	if c.proj == nil && c.datum == nil {
		return lon, lat
	}
	lam, phi := lon*deg, lat*deg
	if c.datum != nil {
		lam, phi = c.datum.fromWGS84(c.ell, lam, phi)
	}
	lam -= c.pm * deg
	if c.proj == nil {
		return lam / deg, phi / deg
	}
	return c.proj.forward(lam, phi)
}

const deg = math.Pi / 180

// normLon wraps a longitude into [-180, 180].
func normLon(lon float64) float64 {
	if lon > 180 || lon < -180 {
		lon = math.Mod(lon+540, 360) - 180
	}
	return lon
}

// ParseCRS parses a CRS name: "EPSG:2154", "2154", "urn:ogc:def:crs:EPSG::2154",
// "http://www.opengis.net/def/crs/EPSG/0/2154", "CRS84" or
// "urn:ogc:def:crs:OGC:1.3:CRS84". Known systems:
//
//   - 4326 (WGS 84), 4258 (ETRS89), 4171 (RGF93), 5252 (TUREF), CRS84:
//     geographic, taken as WGS84 (the datums agree within a metre)
//   - 3857 (and 900913, 3785): Web Mercator
//   - 27571–27574: NTF (Paris) / Lambert zones I–IV, Lambert conformal conic
//     1SP on Clarke 1880 (IGN), Paris meridian, with the NTF→WGS84 three-parameter
//     shift (EPSG transformation 1193: -168, -60, +320 m; about 1–2 m accurate,
//     the IGN grid is not used)
//   - 2154: RGF93 / Lambert-93, Lambert conformal conic 2SP on GRS80
//   - 5253–5259: TUREF / TM27 … TM45, transverse Mercator on GRS80, scale 1,
//     false easting 500 000
//   - 32601–32660, 32701–32760: WGS 84 / UTM zones north and south
//   - 25828–25838: ETRS89 / UTM zones 28N–38N
func ParseCRS(s string) (CRS, error) {
	name := strings.TrimSpace(s)
	u := strings.ToUpper(name)
	if u == "CRS84" || u == "OGC:CRS84" || strings.HasSuffix(u, ":CRS84") || strings.HasSuffix(u, "/CRS84") {
		return WGS84(), nil
	}
	for _, p := range []string{"URN:OGC:DEF:CRS:EPSG::", "URN:OGC:DEF:CRS:EPSG:", "HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/",
		"HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/", "EPSG:", "EPSG::"} {
		if strings.HasPrefix(u, p) {
			u = u[len(p):]
			break
		}
	}
	code, err := strconv.Atoi(u)
	if err != nil || code <= 0 {
		return CRS{}, fmt.Errorf("ingest: unknown CRS %q (want EPSG:N)", s)
	}
	c, ok := epsg(code)
	if !ok {
		return CRS{}, fmt.Errorf("ingest: CRS EPSG:%d is not supported (supported: 4326, 4258, 4171, 5252, 3857, 27571–27574, 2154, 5253–5259, 326xx, 327xx, 258xx)", code)
	}
	return c, nil
}

// epsg returns the CRS with the given EPSG code.
func epsg(code int) (CRS, bool) {
	grs80 := grs80ellipsoid()
	switch {
	case code == 4326 || code == 4258 || code == 4171 || code == 5252:
		c := WGS84()
		c.Code = code
		return c, true
	case code == 3857 || code == 900913 || code == 3785:
		return CRS{Code: code, Name: "WGS 84 / Pseudo-Mercator", proj: webMercator{}, ell: grs80wgs84()}, true
	case code >= 27571 && code <= 27574:
		zones := [4]struct {
			lat0, k0, fe, fn float64
		}{
			{49.5, 0.999877341, 600000, 1200000},
			{46.8, 0.99987742, 600000, 2200000},
			{44.1, 0.999877499, 600000, 3200000},
			{42.165, 0.99994471, 234.358, 4185861.369},
		}
		z := zones[code-27571]
		ell := clarke1880IGN()
		return CRS{
			Code:  code,
			Name:  fmt.Sprintf("NTF (Paris) / Lambert zone %s", [4]string{"I", "II", "III", "IV"}[code-27571]),
			proj:  newLCC1SP(ell, z.lat0*deg, 0, z.k0, z.fe, z.fn),
			datum: &helmert{dx: -168, dy: -60, dz: 320},
			ell:   ell,
			pm:    2.33722917, // Paris, 2°20'14.025" east of Greenwich
		}, true
	case code == 2154:
		return CRS{Code: code, Name: "RGF93 / Lambert-93", ell: grs80,
			proj: newLCC2SP(grs80, 49*deg, 44*deg, 46.5*deg, 3*deg, 700000, 6600000)}, true
	case code >= 5253 && code <= 5259:
		cm := float64(27 + 3*(code-5253))
		return CRS{Code: code, Name: fmt.Sprintf("TUREF / TM%d", int(cm)), ell: grs80,
			proj: newTM(grs80, 0, cm*deg, 1, 500000, 0)}, true
	case code >= 32601 && code <= 32660, code >= 32701 && code <= 32760:
		zone := code % 100
		fn, hemi := 0.0, "N"
		if code > 32700 {
			fn, hemi = 10000000, "S"
		}
		w := grs80wgs84()
		return CRS{Code: code, Name: fmt.Sprintf("WGS 84 / UTM zone %d%s", zone, hemi), ell: w,
			proj: newTM(w, 0, float64(6*zone-183)*deg, 0.9996, 500000, fn)}, true
	case code >= 25828 && code <= 25838:
		zone := code - 25800
		return CRS{Code: code, Name: fmt.Sprintf("ETRS89 / UTM zone %dN", zone), ell: grs80,
			proj: newTM(grs80, 0, float64(6*zone-183)*deg, 0.9996, 500000, 0)}, true
	}
	return CRS{}, false
}
