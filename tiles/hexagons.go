package tiles

import (
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/uber/h3-go/v4"

	"github.com/kume-geo/kume"
)

// edgeKm is the average H3 edge length in km by resolution; a cell's centre is
// at most about one edge from its vertices.
func edgeKm(res int) float64 {
	e := [...]float64{1107.7, 418.7, 158.2, 59.8, 22.6, 8.54, 3.23, 1.22, 0.461,
		0.174, 0.0659, 0.0249, 0.0094, 0.00355, 0.00134, 0.000509}
	return e[max(0, min(res, len(e)-1))]
}

// cellBBox grows the tile's box so that it holds the centre of every cell of
// resolution res that reaches into the tile.
func cellBBox(b orb.Bound, res int) orb.Bound {
	dLat := 2 * edgeKm(res) / 111.0
	lat := math.Min(85, math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+dLat)
	dLon := dLat / math.Cos(lat*math.Pi/180)
	return orb.Bound{
		Min: orb.Point{math.Max(-180, b.Min[0]-dLon), math.Max(-90, b.Min[1]-dLat)},
		Max: orb.Point{math.Min(180, b.Max[0]+dLon), math.Min(90, b.Max[1]+dLat)},
	}
}

// cellWorld returns the outline of an H3 cell in Web Mercator world
// coordinates, from a bounded cache: projecting outlines costs as much as
// encoding them. An outline that crosses the antimeridian is unwrapped east of
// it. An invalid cell has no outline.
func (s *Service) cellWorld(cell uint64) []orb.Point {
	if pts, ok := s.bounds.GetIfPresent(cell); ok {
		return pts
	}
	c := h3.Cell(int64(cell))
	if cell == 0 || cell > math.MaxInt64 || !c.IsValid() {
		return nil
	}
	b := h3.CellToBoundary(c)
	pts := make([]orb.Point, len(b))
	west, east := false, false
	for i, ll := range b {
		pts[i] = worldPoint(ll.Lng, ll.Lat)
		west = west || pts[i][0] < 0.25
		east = east || pts[i][0] > 0.75
	}
	if west && east {
		for i := range pts {
			if pts[i][0] < 0.5 {
				pts[i][0]++
			}
		}
	}
	s.bounds.Set(cell, pts)
	return pts
}

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

// maxOutline is the most vertices an H3 cell outline has.
const maxOutline = 10

// addHexagon adds the cell as a polygon feature with props when its outline
// reaches into the buffered tile. An outline inside the tile is rounded and
// written straight from the cached projection, without clipping; one across the
// tile's edge is clipped. It reports whether a feature was added.
func (s *Service) addHexagon(enc *layerEncoder, cell uint64, tc *tileCtx, props []prop) bool {
	w := s.cellWorld(cell)
	if len(w) < 3 || len(w) > maxOutline {
		return false
	}
	var pts [maxOutline + 1]orb.Point
	b := orb.Bound{Min: tc.proj.tile(w[0]), Max: tc.proj.tile(w[0])}
	for i, p := range w {
		q := tc.proj.tile(p)
		pts[i] = q
		b.Min[0], b.Min[1] = min(b.Min[0], q[0]), min(b.Min[1], q[1])
		b.Max[0], b.Max[1] = max(b.Max[0], q[0]), max(b.Max[1], q[1])
	}
	if !tc.box.Intersects(b) {
		return false
	}
	if contains(tc.box, b) {
		return enc.addRing(cell, pts[:len(w)], props)
	}
	pts[len(w)] = pts[0]
	r := slices.Clone(orb.Ring(pts[:len(w)+1]))
	mp := clip.MultiPolygon(tc.box, orb.MultiPolygon{{r}})
	return len(mp) > 0 && enc.addPolygon(cell, true, mp, props)
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
	bb := cellBBox(tc.bbox, res)
	f := kume.CellFilter{Version: tc.v.analysis, Res: res, Sector: tc.params.Sector, BBox: &bb}
	props := make([]prop, 0, 10)
	if r, ok := s.store.(TileCellReader); ok {
		return r.TileCells(ctx, f, func(c *kume.CellStat) error {
			props = hexProps(props[:0], c)
			s.addHexagon(enc, c.Cell, tc, props)
			return nil
		})
	}
	stats, err := s.store.CellStats(ctx, f)
	if err != nil {
		return err
	}
	for i := range stats {
		c := &stats[i]
		props = hexProps(props[:0], c)
		s.addHexagon(enc, c.Cell, tc, props)
	}
	return nil
}

// hexProps returns the properties of a hexagon. A suppressed cell (below the
// disclosure threshold) keeps only its id, resolution, Gi* bin and
// suppressed=true: its counts, LQ, z and p values and imprecise share are left
// out, since each would reveal something about a handful of firms.
func hexProps(props []prop, c *kume.CellStat) []prop {
	props = append(props,
		pHex("cell", c.Cell),
		pInt("res", int64(c.Res)),
		pInt("gi_bin", int64(c.GiBin)),
		pBool("suppressed", c.Suppressed))
	if c.Suppressed {
		return props
	}
	props = append(props, pInt("firms", int64(c.Firms)), pFloat("employees", math.Round(c.Employees*10)/10))
	props = optFloat(props, "lq", c.LQ)
	props = optFloat(props, "gi_z", c.GiZ)
	props = optFloat(props, "gi_p", c.GiP)
	if c.Firms > 0 {
		props = append(props, pFloat("share_imprecise", float64(c.Imprecise)/float64(c.Firms)))
	}
	return props
}
