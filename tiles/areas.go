package tiles

import (
	"context"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
)

// clusters writes the clusters layer: the clusters of the sector, of the
// value chains that hold it, or every sector's (layer.Sectors.ClusterKeys).
func (s *Service) clusters(ctx context.Context, tc *tileCtx, enc *layerEncoder) error {
	if tc.v.analysis == 0 {
		return nil
	}
	keys, err := s.cfg.Sectors.ClusterKeys(ctx, tc.params.Sector)
	if err != nil {
		return err
	}
	cs, err := s.store.Clusters(ctx, kume.ClusterFilter{Version: tc.v.analysis, Sectors: keys, BBox: &tc.bbox})
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		mp := s.clusterTile(c, tc)
		if len(mp) == 0 {
			continue
		}
		enc.addPolygon(FeatureID("cluster", c.ID), true, mp, s.defs.clusterProps(c))
	}
	return nil
}

// clusterTile returns a cluster's footprint in tile coordinates: its stored
// geometry, or the union of its cells' outlines when it has none.
func (s *Service) clusterTile(c *kume.Cluster, tc *tileCtx) orb.MultiPolygon {
	if len(c.Geometry) > 0 {
		return polygonsToTile(c.Geometry, tc, s.cfg.Simplify)
	}
	var mp orb.MultiPolygon
	for _, cell := range c.Cells {
		mp = append(mp, s.cellTile(cell, tc)...)
	}
	return mp
}

// regions writes the regions layer: administrative boundaries with the
// sector's region statistics when an analysis exists.
func (s *Service) regions(ctx context.Context, tc *tileCtx, enc *layerEncoder) error {
	rs, err := s.store.Regions(ctx, kume.RegionFilter{Level: tc.params.Level, BBox: &tc.bbox})
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return nil
	}
	stats := map[[2]string]*kume.RegionStat{}
	if tc.v.analysis != 0 {
		codes := make([]string, len(rs))
		for i, r := range rs {
			codes[i] = r.Code
		}
		st, err := s.store.RegionStats(ctx, kume.RegionStatFilter{Version: tc.v.analysis, Level: tc.params.Level, Sector: tc.params.Sector, Codes: codes})
		if err != nil {
			return err
		}
		for i := range st {
			stats[[2]string{st[i].Level, st[i].Code}] = &st[i]
		}
	}
	for i := range rs {
		r := &rs[i]
		mp := polygonsToTile(r.Geometry, tc, s.cfg.Simplify)
		if len(mp) == 0 {
			continue
		}
		enc.addPolygon(FeatureID("region", r.Level, r.Code), true, mp, s.defs.regionProps(r, stats[[2]string{r.Level, r.Code}]))
	}
	return nil
}
