package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// encodePolygons appends the command stream of mp (tile coordinates) to g,
// using buf as scratch space, and returns both.
// Coordinates are rounded to the integer grid; repeated points, closing points
// and rings that collapse to less than three points or zero area are dropped;
// exterior rings are written with positive area in y-down tile coordinates and
// holes with negative area, whatever their winding was. A polygon whose
// exterior collapses is dropped with its holes.
func encodePolygons(g []uint32, buf [][2]int64, mp orb.MultiPolygon) ([]uint32, [][2]int64) {
	var cx, cy int64
	for _, poly := range mp {
		for ri, r := range poly {
			buf = roundRing(buf[:0], r)
			var ok bool
			g, cx, cy, ok = appendRing(g, buf, ri == 0, cx, cy)
			if !ok && ri == 0 {
				break
			}
		}
	}
	return g, buf
}

// appendRing appends the commands of a rounded ring without closing point
// (exterior or hole), starting from cursor cx, cy, and returns the new cursor.
// A ring with less than three points or no area is left out (ok false).
func appendRing(g []uint32, buf [][2]int64, exterior bool, cx, cy int64) (_ []uint32, _, _ int64, ok bool) {
	if len(buf) < 3 {
		return g, cx, cy, false
	}
	a := ringArea(buf)
	if a == 0 {
		return g, cx, cy, false
	}
	if exterior != (a > 0) {
		for i, j := 0, len(buf)-1; i < j; i, j = i+1, j-1 {
			buf[i], buf[j] = buf[j], buf[i]
		}
	}
	px, py := buf[0][0], buf[0][1]
	g = append(g, command(cmdMoveTo, 1), zigzag(px-cx), zigzag(py-cy))
	g = append(g, command(cmdLineTo, uint32(len(buf)-1)))
	for _, p := range buf[1:] {
		g = append(g, zigzag(p[0]-px), zigzag(p[1]-py))
		px, py = p[0], p[1]
	}
	return append(g, command(cmdClosePath, 1)), px, py, true
}

// roundRing appends r rounded to integers, without consecutive repeats and
// without a closing point.
func roundRing(dst [][2]int64, r orb.Ring) [][2]int64 {
	for _, p := range r {
		dst = appendRounded(dst, [2]int64{int64(math.Round(p[0])), int64(math.Round(p[1]))})
	}
	return trimClosing(dst)
}

// appendRounded appends q to a rounded ring unless it repeats the last point.
func appendRounded(dst [][2]int64, q [2]int64) [][2]int64 {
	if n := len(dst); n > 0 && dst[n-1] == q {
		return dst
	}
	return append(dst, q)
}

// trimClosing drops the points at the end of a rounded ring that repeat its
// first point.
func trimClosing(dst [][2]int64) [][2]int64 {
	for len(dst) > 1 && dst[0] == dst[len(dst)-1] {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// ringArea returns twice the signed area of a ring without its closing point,
// positive for clockwise rings in y-down coordinates.
func ringArea(r [][2]int64) int64 {
	var a int64
	for i := range r {
		p, q := r[i], r[(i+1)%len(r)]
		a += p[0]*q[1] - q[0]*p[1]
	}
	return a
}
