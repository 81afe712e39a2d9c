package api

import (
	"context"
	"net/http"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// ogcExtents computes the spatial extent of every collection once per
// request: the analysed cells that hold firms frame the establishments,
// hexagons and clusters (each feature of those lies in such a cell), the cells
// that hold institutions frame the institutions, and the regions' own
// boundaries frame the regions. A collection with nothing to frame, as before
// the first analysis, gets the whole world.
type ogcExtents struct {
	firms, institutions, regions []float64
}

// extents reads what the collections' extents need from the store.
func (s *Server) extents(ctx context.Context) (ogcExtents, error) {
	var e ogcExtents
	var err error
	if e.firms, err = s.coarsestCellBounds(ctx, func(c *kume.CellStat) bool { return c.Firms > 0 }); err != nil {
		return e, err
	}
	if e.institutions, err = s.coarsestCellBounds(ctx, func(c *kume.CellStat) bool { return len(c.Institutions) > 0 }); err != nil {
		return e, err
	}
	regions, err := s.store.Regions(ctx, kume.RegionFilter{})
	if err != nil {
		return e, err
	}
	var b orb.Bound
	for i, r := range regions {
		if i == 0 {
			b = r.Geometry.Bound()
		} else {
			b = b.Union(r.Geometry.Bound())
		}
	}
	if len(regions) > 0 {
		e.regions = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	return e, nil
}

// requestExtents reads the extents for a request; on an error it writes the
// error response and returns false.
func (s *Server) requestExtents(w http.ResponseWriter, r *http.Request) (ogcExtents, bool) {
	ctx, cancel := s.queryContext(r)
	defer cancel()
	ext, err := s.extents(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return ext, false
	}
	return ext, true
}

// of returns the bounding box [west, south, east, north] of a collection.
func (e ogcExtents) of(layer string) []float64 {
	var b []float64
	switch layer {
	case export.LayerEstablishments, export.LayerHexagons, export.LayerClusters:
		b = e.firms
	case export.LayerInstitutions:
		b = e.institutions
	case export.LayerRegions:
		b = e.regions
	}
	if b == nil {
		return []float64{-180, -90, 180, 90} // nothing known: the whole world
	}
	return b
}

// coarsestCellBounds returns [west, south, east, north] of the all-firms cells
// for which keep holds at the coarsest resolution that has any, or nil when
// no resolution has one. The coarsest cells give the extent cheaply and
// contain every finer cell.
func (s *Server) coarsestCellBounds(ctx context.Context, keep func(*kume.CellStat) bool) ([]float64, error) {
	for res := 0; res <= 15; res++ {
		cells, err := s.store.CellStats(ctx, kume.CellFilter{Res: res})
		if err != nil {
			return nil, err
		}
		if b := cellBounds(cells, keep); b != nil {
			return b, nil
		}
	}
	return nil, nil
}
