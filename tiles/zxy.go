package tiles

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// MaxZoom is the deepest zoom level any layer can be configured to serve.
const MaxZoom = 22

// maxLat is the latitude at which Web Mercator's world square ends.
const maxLat = 85.05112877980659

// TileID is a tile address in the XYZ scheme (row 0 at the north).
type TileID struct {
	Z, X, Y uint32
}

// ParseTileID parses the z, x and y path segments of a tile URL. Each must be a
// plain decimal number of at most 7 digits (no sign, space or exponent), z at
// most MaxZoom and x, y below 2^z; otherwise the error is EINVALID.
func ParseTileID(z, x, y string) (TileID, error) {
	zz, ok1 := parseSmall(z)
	xx, ok2 := parseSmall(x)
	yy, ok3 := parseSmall(y)
	if !ok1 || !ok2 || !ok3 {
		return TileID{}, kume.Errorf(kume.EINVALID, "tile address must be three non-negative integers z/x/y")
	}
	if zz > MaxZoom {
		return TileID{}, kume.Errorf(kume.EINVALID, "zoom %d outside 0..%d", zz, MaxZoom)
	}
	n := uint32(1) << zz
	if xx >= n || yy >= n {
		return TileID{}, kume.Errorf(kume.EINVALID, "x and y must be below %d at zoom %d", n, zz)
	}
	return TileID{Z: zz, X: xx, Y: yy}, nil
}

// parseSmall parses 1 to 7 ASCII digits.
func parseSmall(s string) (uint32, bool) {
	if len(s) == 0 || len(s) > 7 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err == nil
}

// String returns "z/x/y".
func (t TileID) String() string {
	return strconv.Itoa(int(t.Z)) + "/" + strconv.Itoa(int(t.X)) + "/" + strconv.Itoa(int(t.Y))
}

// worldPoint projects lon/lat to Web Mercator world coordinates in [0,1]², y
// down; latitudes beyond ±85.0511° are clamped.
func worldPoint(lon, lat float64) orb.Point {
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	s := math.Sin(lat * math.Pi / 180)
	y := 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
	return orb.Point{(lon + 180) / 360, y}
}

// lonLat is the inverse of worldPoint.
func lonLat(wx, wy float64) orb.Point {
	lat := math.Atan(math.Sinh(math.Pi*(1-2*wy))) * 180 / math.Pi
	return orb.Point{wx*360 - 180, lat}
}

// projection maps world coordinates to the tile's coordinates.
type projection struct {
	scale, ox, oy float64
}

func newProjection(t TileID, extent uint32) projection {
	n := float64(uint64(1) << t.Z)
	e := float64(extent)
	return projection{scale: n * e, ox: float64(t.X) * e, oy: float64(t.Y) * e}
}

// tile maps a world point to tile coordinates.
func (p projection) tile(w orb.Point) orb.Point {
	return orb.Point{w[0]*p.scale - p.ox, w[1]*p.scale - p.oy}
}

// lonLatToTile maps a WGS84 point to tile coordinates.
func (p projection) lonLatToTile(lon, lat float64) orb.Point {
	return p.tile(worldPoint(lon, lat))
}

// bufferedBound returns the tile's area grown by buffer tile units on every
// side, in WGS84 degrees, clamped to the Web Mercator world.
func bufferedBound(t TileID, extent, buffer uint32) orb.Bound {
	n := float64(uint64(1) << t.Z)
	b := float64(buffer) / float64(extent)
	x0 := math.Max(0, (float64(t.X)-b)/n)
	x1 := math.Min(1, (float64(t.X)+1+b)/n)
	y0 := math.Max(0, (float64(t.Y)-b)/n)
	y1 := math.Min(1, (float64(t.Y)+1+b)/n)
	nw, se := lonLat(x0, y0), lonLat(x1, y1)
	return orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
}

// tileRange returns the tiles at zoom z whose buffered area intersects the
// WGS84 bound b, as inclusive column and row ranges.
func tileRange(b orb.Bound, z uint32, extent, buffer uint32) (x0, y0, x1, y1 uint32) {
	n := float64(uint64(1) << z)
	pad := float64(buffer) / float64(extent)
	nw := worldPoint(b.Min[0], b.Max[1])
	se := worldPoint(b.Max[0], b.Min[1])
	clamp := func(v float64) uint32 {
		return uint32(math.Max(0, math.Min(n-1, math.Floor(v))))
	}
	return clamp(nw[0]*n - pad), clamp(nw[1]*n - pad), clamp(se[0]*n + pad), clamp(se[1]*n + pad)
}
