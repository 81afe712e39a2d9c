package geo

import (
	"fmt"
	"math"

	"github.com/kume-geo/kume"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// MaxResolution is the finest H3 resolution.
const MaxResolution = 15

// CellOf returns the H3 cell at resolution res containing the point lon/lat
// (WGS84 degrees). It rejects NaN, infinite or out-of-range coordinates and
// resolutions outside 0..15 with an EINVALID error.
func CellOf(lon, lat float64, res int) (uint64, error) {
	if !validLonLat(lon, lat) {
		return 0, kume.Errorf(kume.EINVALID, "geo: invalid coordinates lon=%v lat=%v", lon, lat)
	}
	if res < 0 || res > MaxResolution {
		return 0, kume.Errorf(kume.EINVALID, "geo: resolution %d outside 0..%d", res, MaxResolution)
	}
	c := h3.LatLngToCell(h3.NewLatLng(lat, lon), res)
	if c == 0 {
		return 0, kume.Errorf(kume.EINVALID, "geo: no cell for lon=%v lat=%v", lon, lat)
	}
	return uint64(c), nil
}

func validLonLat(lon, lat float64) bool {
	return !math.IsNaN(lon) && !math.IsNaN(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// ValidCell reports whether cell is a valid H3 cell index.
func ValidCell(cell uint64) bool {
	return cell != 0 && cell <= math.MaxInt64 && h3.Cell(int64(cell)).IsValid()
}

// CellResolution returns the resolution encoded in an H3 cell index.
func CellResolution(cell uint64) int { return int(cell>>52) & 0xF }

// CellParent returns the ancestor of cell at resolution res (res must not be
// finer than the cell's own). It works on the bits of the index, as H3's
// CellToParent does: it sets the resolution field and fills the digits below
// res with 7.
func CellParent(cell uint64, res int) uint64 {
	cell = cell&^(uint64(0xF)<<52) | uint64(res)<<52
	return cell | (uint64(1)<<(uint(MaxResolution-res)*3) - 1)
}

// CellCenter returns the centre of cell as an orb point (lon, lat).
func CellCenter(cell uint64) orb.Point {
	ll := h3.CellToLatLng(h3.Cell(int64(cell)))
	return orb.Point{ll.Lng, ll.Lat}
}

// CellBoundary returns the boundary of cell as a closed polygon with a
// counter-clockwise exterior ring (RFC 7946). An invalid cell gives nil.
func CellBoundary(cell uint64) orb.Polygon {
	if !ValidCell(cell) {
		return nil
	}
	b := h3.CellToBoundary(h3.Cell(int64(cell)))
	ring := make(orb.Ring, 0, len(b)+1)
	for _, v := range b {
		ring = append(ring, orb.Point{v.Lng, v.Lat})
	}
	ring = append(ring, ring[0])
	if signedArea(ring) < 0 {
		reverse(ring)
	}
	return orb.Polygon{ring}
}

// gridDisk returns the cells within grid distance k of cell (cell included).
func gridDisk(cell uint64, k int) []uint64 {
	d := h3.GridDisk(h3.Cell(int64(cell)), k)
	out := make([]uint64, 0, len(d))
	for _, c := range d {
		if c > 0 {
			out = append(out, uint64(c))
		}
	}
	return out
}

// haversineKm returns the great-circle distance between two points in km.
func haversineKm(a, b orb.Point) float64 {
	const r = 6371.0088
	la1, la2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	dla := la2 - la1
	dlo := (b[0] - a[0]) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// edgeKm returns the average H3 edge length at res in km.
func edgeKm(res int) float64 {
	v, err := h3EdgeKm(res)
	if err != nil {
		return 0
	}
	return v
}

func h3EdgeKm(res int) (float64, error) {
	if res < 0 || res > MaxResolution {
		return 0, fmt.Errorf("geo: resolution %d outside 0..%d", res, MaxResolution)
	}
	return h3.HexagonEdgeLengthAvgKm(res), nil
}

func cosDeg(lat float64) float64 { return math.Cos(lat * math.Pi / 180) }

// fmtHex formats a cell index as H3's usual lower-case hex string.
func fmtHex(c uint64) string { return fmt.Sprintf("%x", c) }

// descendantRange returns the smallest and largest index a descendant at
// resolution res of cell c can have: c's index with the resolution field set
// to res and the digits below c's resolution all 0, or all 6. Every
// descendant at res lies in the range, and no other cell of res does.
func descendantRange(c uint64, res int) (lo, hi uint64) {
	const resShift, digitBits = 52, 3
	p := CellResolution(c)
	base := c&^(0xf<<resShift) | uint64(res)<<resShift
	var zero, six uint64
	for d := p + 1; d <= res; d++ {
		shift := uint((15 - d) * digitBits)
		zero |= 7 << shift
		six |= 6 << shift
	}
	return base &^ zero, base&^zero | six
}
