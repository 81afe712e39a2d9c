package tiles

import (
	"context"
	"math"

	"github.com/kume-geo/kume"
)

// points writes the establishments (firms) or institutions layer. Only
// establishments of datasets the caller may read (Request.Access: the public
// ones for anonymous callers) that are active at the end of the day
// Params.At (or at Config.Now without one) appear, at most Config.MaxPoints
// per tile (the lowest store ids first).
func (s *Service) points(ctx context.Context, tc *tileCtx, enc *layerEncoder, name string) error {
	now := tc.params.activeAt(s.cfg.Now)
	f := kume.EstablishmentFilter{BBox: &tc.bbox, ActiveAt: &now, Limit: s.cfg.MaxPoints}
	tc.access.Restrict(&f)
	if name == LayerInstitutions {
		f.Kind, f.Type = kume.KindInstitution, tc.params.Type
	} else {
		f.Kind = kume.KindFirm
		prefixes, err := s.cfg.Sectors.Prefixes(ctx, tc.params.Sector)
		if err != nil {
			return err
		}
		f.NACEPrefixes = prefixes
	}
	es, err := s.store.Establishments(ctx, f)
	if err != nil {
		return err
	}
	l := s.defs.firm
	if name == LayerInstitutions {
		l = s.defs.inst
	}
	props := make([]prop, 0, 5)
	for i := range es {
		e := &es[i]
		if !e.ActiveAt(now) || math.IsNaN(e.Lon) || math.IsNaN(e.Lat) {
			continue
		}
		p := tc.proj.lonLatToTile(e.Lon, e.Lat)
		if !tc.box.Contains(p) || e.ID < 0 {
			continue
		}
		props = appendProps(props[:0], l, e)
		enc.addPoint(uint64(e.ID), true, p, props)
	}
	return nil
}
