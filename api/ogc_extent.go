package api

import (
	"context"
	"net/http"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
)

// ogcExtents holds the spatial extents of the collections as a caller sees
// them: the cells of its analysis that hold firms (active or closed) frame
// the establishments, hexagons and clusters (each feature of those lies in
// such a cell); the institutions it may read frame the institutions (the
// analysis counts
// institutions only in cells with firms, and institutions are few); the
// regions' own boundaries frame the regions. A collection with nothing to
// frame, as before the first analysis, gets the whole world.
type ogcExtents struct {
	firms, institutions, regions []float64
}

// extents reads from st, the store as the caller sees it, what the extents
// of layers need, once: the
// all-firms cells serve both the firm and the institution layers, and the
// regions are read only for the regions layer.
func (s *Server) extents(ctx context.Context, st kume.Store, layers ...string) (ogcExtents, error) {
	var e ogcExtents
	var firms, insts, regions bool
	for _, l := range layers {
		switch l {
		case export.LayerEstablishments, export.LayerHexagons, export.LayerClusters:
			firms = true
		case export.LayerInstitutions:
			insts = true
		case export.LayerRegions:
			regions = true
		}
	}
	var err error
	if firms {
		if e.firms, err = dataBounds(ctx, st); err != nil {
			return e, err
		}
	}
	if insts {
		if e.institutions, err = institutionBounds(ctx, st); err != nil {
			return e, err
		}
	}
	if !regions {
		return e, nil
	}
	rs, err := st.Regions(ctx, kume.RegionFilter{})
	if err != nil {
		return e, err
	}
	var b orb.Bound
	for i, r := range rs {
		if i == 0 {
			b = r.Geometry.Bound()
		} else {
			b = b.Union(r.Geometry.Bound())
		}
	}
	if len(rs) > 0 {
		e.regions = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	return e, nil
}

// requestExtents reads the extents for a request; on an error it writes the
// error response and returns false.
func (s *Server) requestExtents(w http.ResponseWriter, r *http.Request, layers ...string) (ogcExtents, bool) {
	ctx, cancel := s.queryContext(r)
	defer cancel()
	ext, err := s.extents(ctx, s.view(r), layers...)
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

// institutionBounds returns [west, south, east, north] of the institutions
// the caller may read (st is the store as it sees it), or nil when there are
// none.
func institutionBounds(ctx context.Context, st kume.Store) ([]float64, error) {
	var b orb.Bound
	n := 0
	err := st.EachEstablishment(ctx, kume.EstablishmentFilter{Kind: kume.KindInstitution, PublicOnly: true},
		func(e *kume.Establishment) error {
			p := orb.Point{e.Lon, e.Lat}
			if n == 0 {
				b = p.Bound()
			} else {
				b = b.Extend(p)
			}
			n++
			return nil
		})
	if err != nil || n == 0 {
		return nil, err
	}
	return []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, nil
}

// coarsestCellBounds returns [west, south, east, north] of the all-firms
// cells for which keep holds at the coarsest resolution that has any, or nil
// when no resolution has one. The coarsest cells give an extent cheaply and
// contain every finer cell.
func coarsestCellBounds(ctx context.Context, st kume.Store, keep func(*kume.CellStat) bool) ([]float64, error) {
	for res := 0; res <= 15; res++ {
		cells, err := st.CellStats(ctx, kume.CellFilter{Res: res})
		if err != nil {
			return nil, err
		}
		if b := cellBounds(cells, keep); b != nil {
			return b, nil
		}
	}
	return nil, nil
}
