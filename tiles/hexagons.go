package tiles

import (
	"context"
	"math"
	"math/bits"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// cellTile returns the cell's outline in the tile's coordinates, clipped to the
// buffered tile; nil when the cell lies outside it.
func (s *Service) cellTile(cell uint64, tc *tileCtx) orb.MultiPolygon {
	w := s.cellWorld(cell)
	if len(w) < 3 {
		return nil
	}
	r := make(orb.Ring, len(w)+1)
	for i, p := range w {
		r[i] = tc.proj.tile(p)
	}
	r[len(w)] = r[0]
	return clipSimplify(orb.MultiPolygon{{r}}, tc.box, 0)
}

// addHexagon adds the cell as a polygon feature with the properties of
// defs.hexProps (setHexTags) when its outline reaches into the buffered tile. An
// outline inside the tile is rounded and written straight from the cached
// fixed-point outline, without clipping; one across the tile's edge is clipped.
// It reports whether a feature was added. The tile coordinates are exactly
// those of cellTile: with a power-of-two extent (fixedTile) they are integer
// shifts of the fixed-point outline, otherwise floating-point products.
func (s *Service) addHexagon(enc *layerEncoder, c *kume.CellStat, tc *tileCtx) bool {
	var o outline
	if !s.cellOutline(c.Cell, &o) {
		return false
	}
	var pts [maxOutline + 1]orb.Point
	inside := false
	if f, ok := newFixedTile(tc.id, s.cfg.Extent, s.cfg.Buffer); ok {
		var d [maxOutline][2]int64
		minX, minY, maxX, maxY := int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MinInt64), int64(math.MinInt64)
		for i, p := range o.pts[:o.n] {
			x, y := p[0]-f.ox, p[1]-f.oy
			d[i] = [2]int64{x, y}
			minX, minY = min(minX, x), min(minY, y)
			maxX, maxY = max(maxX, x), max(maxY, y)
		}
		if maxX < f.lo || minX > f.hi || maxY < f.lo || minY > f.hi {
			return false
		}
		if inside = minX >= f.lo && minY >= f.lo && maxX <= f.hi && maxY <= f.hi; inside {
			r := enc.ring[:0]
			for _, p := range d[:o.n] {
				r = appendRounded(r, [2]int64{f.round(p[0]), f.round(p[1])})
			}
			if enc.ring = trimClosing(r); !enc.setRounded() {
				return false
			}
		} else {
			for i, p := range d[:o.n] {
				pts[i] = orb.Point{f.float(p[0]), f.float(p[1])}
			}
		}
	} else {
		scale, ox, oy := tc.proj.scale*worldUnit, tc.proj.ox, tc.proj.oy
		b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
		for i, p := range o.pts[:o.n] {
			pts[i] = orb.Point{float64(p[0])*scale - ox, float64(p[1])*scale - oy}
			b = b.Extend(pts[i])
		}
		if !tc.box.Intersects(b) {
			return false
		}
		if inside = contains(tc.box, b); inside && !enc.setRing(pts[:o.n]) {
			return false
		}
	}
	if !inside {
		pts[o.n] = pts[0]
		r := slices.Clone(orb.Ring(pts[:o.n+1]))
		if !enc.setPolygons(clip.MultiPolygon(tc.box, orb.MultiPolygon{{r}})) {
			return false
		}
	}
	enc.setHexTags(c)
	enc.addFeature(c.Cell, true, geomPolygon)
	return true
}

// fixedTile maps fixed-point world coordinates to a tile's coordinates with
// integer arithmetic, for an extent that is a power of two: a tile coordinate
// is the offset from the tile's origin shifted right by shift bits.
type fixedTile struct {
	shift  uint
	ox, oy int64 // the tile's origin in fixed-point units
	lo, hi int64 // the buffered tile's bounds as offsets from the origin
}

// newFixedTile returns the fixedTile of tile t, or false when the extent is
// not a power of two.
func newFixedTile(t TileID, extent, buffer uint32) (fixedTile, bool) {
	shift := worldBits - int(t.Z) - bits.TrailingZeros32(extent)
	if extent == 0 || extent&(extent-1) != 0 || shift < 1 {
		return fixedTile{}, false
	}
	k := uint(shift)
	return fixedTile{shift: k, ox: int64(t.X) * int64(extent) << k, oy: int64(t.Y) * int64(extent) << k,
		lo: -int64(buffer) << k, hi: int64(extent+buffer) << k}, true
}

// round returns the offset d in tile units rounded half away from zero, as
// math.Round rounds.
func (f fixedTile) round(d int64) int64 {
	h := int64(1) << (f.shift - 1)
	if d >= 0 {
		return (d + h) >> f.shift
	}
	return -((h - d) >> f.shift)
}

// float returns the offset d in tile units; the conversion is exact.
func (f fixedTile) float(d int64) float64 {
	return math.Ldexp(float64(d), -int(f.shift))
}

// TileCellReader is an optional capability of a kume.Store: a lean read of the
// cells a hexagon tile shows. TileCells calls fn, in cell order, with the cells
// CellStats(ctx, f) would return for a filter with a bounding box, setting at
// least Res, Cell, Firms, Employees, Imprecise, LQ, GiZ, GiP, GiBin and
// Suppressed; fn does not keep c. The hexagons layer uses it when the store
// has it and CellStats otherwise.
type TileCellReader interface {
	TileCells(ctx context.Context, f kume.CellFilter, fn func(c *kume.CellStat) error) error
}

// hexagons writes the hexagons layer: the cell statistics of the sector at the
// zoom's resolution.
func (s *Service) hexagons(ctx context.Context, tc *tileCtx, enc *layerEncoder) error {
	if tc.v.analysis == 0 {
		return nil
	}
	res, err := s.resolution(tc.v, tc.id.Z, tc.params)
	if err != nil {
		return err
	}
	bb := layer.GrowBox(tc.bbox, res, 90)
	f := kume.CellFilter{Version: tc.v.analysis, Res: res, Sector: tc.params.Sector, BBox: &bb}
	if r, ok := s.store.(TileCellReader); ok {
		return r.TileCells(ctx, f, func(c *kume.CellStat) error {
			s.addHexagon(enc, c, tc)
			return nil
		})
	}
	stats, err := s.store.CellStats(ctx, f)
	if err != nil {
		return err
	}
	for i := range stats {
		s.addHexagon(enc, &stats[i], tc)
	}
	return nil
}

// numHexKeys is the number of hexagon property keys.
const numHexKeys = 10

// hexKeys returns the hexagon's tile properties in the order of the layer's
// definition (layer.HexagonLayer), which setHexTags follows.
func hexKeys() [numHexKeys]string {
	return [numHexKeys]string{"cell", "res", "firms", "employees", "lq", "gi_z", "gi_p", "gi_bin", "suppressed", "share_imprecise"}
}

// hexKeyIndex returns the index in the layer's keys table of the i-th property
// key of a hexagon, in the order of hexKeys.
func (l *layerEncoder) hexKeyIndex(i int) uint32 {
	if l.hexKey[i] == 0 {
		l.hexKey[i] = l.key(hexKeys()[i]) + 1
	}
	return l.hexKey[i] - 1
}

// setHexTags sets the tags of the next feature to the tile properties of the
// cell that defs.hexProps gives (a suppressed cell keeps cell, res and
// suppressed only), without building them.
func (l *layerEncoder) setHexTags(c *kume.CellStat) {
	l.tags = l.tags[:0]
	l.tagHex(l.hexKeyIndex(0), c.Cell)
	l.tagInt(l.hexKeyIndex(1), int64(c.Res))
	if c.Suppressed {
		l.tagBool(l.hexKeyIndex(8), true)
		return
	}
	l.tagInt(l.hexKeyIndex(2), int64(c.Firms))
	if e := math.Round(c.Employees*10) / 10; finite(e) {
		l.tagFloat(l.hexKeyIndex(3), e)
	}
	for i, v := range [...]*float64{c.LQ, c.GiZ, c.GiP} {
		if v != nil && finite(*v) {
			l.tagFloat(l.hexKeyIndex(4+i), *v)
		}
	}
	l.tagInt(l.hexKeyIndex(7), int64(c.GiBin))
	l.tagBool(l.hexKeyIndex(8), false)
	if share := float64(c.Imprecise) / float64(c.Firms); c.Firms > 0 && finite(share) {
		l.tagFloat(l.hexKeyIndex(9), share)
	}
}
