package tiles

import (
	"context"
	"math"
	"strconv"

	"github.com/paulmach/orb"
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
	stats, err := s.store.CellStats(ctx, kume.CellFilter{Version: tc.v.analysis, Res: res, Sector: tc.params.Sector, BBox: &bb})
	if err != nil {
		return err
	}
	props := make([]prop, 0, 10)
	for i := range stats {
		c := &stats[i]
		mp := s.cellTile(c.Cell, tc)
		if mp == nil {
			continue
		}
		props = hexProps(props[:0], c)
		enc.addPolygon(c.Cell, true, mp, props)
	}
	return nil
}

// hexProps returns the properties of a hexagon. A suppressed cell (below the
// disclosure threshold) keeps only its id, resolution, Gi* bin and
// suppressed=true: its counts, LQ, z and p values and imprecise share are left
// out, since each would reveal something about a handful of firms.
func hexProps(props []prop, c *kume.CellStat) []prop {
	props = append(props,
		pString("cell", strconv.FormatUint(c.Cell, 16)),
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
